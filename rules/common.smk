# Validation of config and sheets (before any job), wildcard constraints, input functions.
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))

import bigmed
from bigmed.intake import fastq as bm_fastq
from bigmed.genome import reference as bm_ref
from bigmed.intake.config import config_hash, validate_config
from bigmed.base.errors import InputError
from bigmed.genome.gff import read_gff3
from bigmed.intake.sheets import group_patients, read_samples, read_units
from bigmed.intake.vcfinput import read_calls

ID_PATTERN = "[A-Za-z0-9][A-Za-z0-9_-]*"  # same as the sheet schemas' id pattern


def _fail(err):
    sys.stderr.write(f"bigmed: error: {err}\n")
    sys.exit(1)


def _load_config():
    """The default config unless --configfile was given; --config overrides apply on top."""
    if getattr(workflow, "overwrite_configfiles", None):
        return json.loads(json.dumps(config))
    with open(Path(workflow.basedir) / "config" / "config.yaml") as handle:
        merged = yaml.safe_load(handle)
    for key, value in config.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key].update(value)
        else:
            merged[key] = value
    return merged


try:
    _cfg = _load_config()
    config.clear()
    config.update(validate_config(_cfg, source="config"))
    os.umask(int(config["umask"], 8))
    SAMPLES = read_samples(config["samples"])
    # patients entering as a VCF (calls sheet) have no reads (rules/inputs.smk)
    CALLSETS = read_calls(config["calls"], SAMPLES) if config["calls"] else []
    VCF_SAMPLES = frozenset(
        s.sample for s in SAMPLES if s.patient in {c.patient for c in CALLSETS}
    )
    UNITS = read_units(config["units"], SAMPLES, VCF_SAMPLES)
    PATIENTS = group_patients(SAMPLES)
    REF_CONTIGS = bm_ref.fasta_contigs(config["reference"]["fasta"])
    if config["reference"]["contig_map"]:
        CONTIG_MAP = bm_ref.read_contig_map(
            config["reference"]["contig_map"], REF_CONTIGS
        )
    if config["targets"]:
        bm_ref.read_bed(config["targets"], REF_CONTIGS)
    read_gff3(config["reference"]["annotation"], REF_CONTIGS)
    _cache = bm_fastq.FastqCache(".bigmed/fastq_checks.json")
    for _u in [u for u in UNITS if not u.bam]:  # aligned input: rules/inputs.smk
        bm_fastq.check_pair(
            _u.fq1, _u.fq2, full=config["validation"]["fastq_full_check"], cache=_cache
        )
    _cache.save()
except InputError as _err:
    _fail(_err)

SAMPLE_BY_ID = {s.sample: s for s in SAMPLES}
READ_SAMPLES = [s.sample for s in SAMPLES if s.sample not in VCF_SAMPLES]  # with reads
# a regex of the samples without reads (matches none when there are none)
NO_READS = "|".join(sorted(VCF_SAMPLES)) or "(?!)"
UNITS_BY_SAMPLE = {}
for _u in UNITS:
    UNITS_BY_SAMPLE.setdefault(_u.sample, {})[_u.unit] = _u
SHARDS = [f"{i:03d}" for i in range(config["calling"]["scatter"])]
# final per-sample alignments: BAM + .bai, or CRAM + .crai (alignment.format)
ALN = config["alignment"]["format"]
ALN_INDEX = {"bam": "bai", "cram": "crai"}[ALN]
CALLER = config["calling"]["germline_caller"]
CONFIG_HASH = config_hash(config)
PIPELINE_VERSION = bigmed.__version__


def _git_commit():
    try:
        out = subprocess.run(
            ["git", "-C", workflow.basedir, "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


GIT_COMMIT = _git_commit()


def _package_hash():
    """Snakemake does not track imported modules: their hash enters the params that use them.

    Every file of the package, subpackages and report assets included, with its path.
    """
    import hashlib

    digest = hashlib.sha256()
    package = Path(workflow.basedir) / "scripts" / "bigmed"
    for path in sorted(package.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        digest.update(path.relative_to(workflow.basedir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


BIGMED_HASH = _package_hash()


wildcard_constraints:
    sample=ID_PATTERN,
    patient=ID_PATTERN,
    unit=ID_PATTERN,
    shard="[0-9]{3}",


REF = "results/reference/genome.fa"
BWA_INDEX = multiext(REF, ".amb", ".ann", ".bwt", ".pac", ".sa")


def get_fastqs(wildcards):
    unit = UNITS_BY_SAMPLE[wildcards.sample][wildcards.unit]
    if unit.bam:  # inputs.realign: reads back from the BAM/CRAM (rules/inputs.smk)
        prefix = f"results/inputs/fastq/{unit.sample}/{unit.unit}"
        return {"r1": f"{prefix}_R1.fastq.gz", "r2": f"{prefix}_R2.fastq.gz"}
    return {"r1": unit.fq1, "r2": unit.fq2}


def get_sample_inputs(wildcards):
    """(unit or kind, path...) per input of a sample: FASTQ pair, BAM/CRAM, or its VCF."""
    if wildcards.sample in VCF_SAMPLES:
        patient = SAMPLE_BY_ID[wildcards.sample].patient
        return [(c.kind, *c.vcfs) for c in CALLSETS if c.patient == patient]
    return [
        (u.unit, u.bam) if u.bam else (u.unit, u.fq1, u.fq2)
        for u in UNITS_BY_SAMPLE[wildcards.sample].values()
    ]


def get_sample_input_files(wildcards):
    return [f for row in get_sample_inputs(wildcards) for f in row[1:]]


def uses_reads_as_aligned(unit):
    """A BAM/CRAM unit taken as it is (no realignment): no trimming, no fastp report."""
    return bool(unit.bam) and not config["inputs"]["realign"]


# Per-sample QC (samtools stats, mosdepth, input checksums: scripts/sample_qc.py) runs in
# the mark_duplicates job of a sample (rules/align.smk), or in sample_qc (rules/qc.smk) for
# a sample whose BAM/CRAM is used as it is; samples without reads have checksum_inputs.
AS_ALIGNED_SAMPLES = sorted({u.sample for u in UNITS if uses_reads_as_aligned(u)})
AS_ALIGNED_RE = "|".join(AS_ALIGNED_SAMPLES) or "(?!)"
_not_marked = sorted(VCF_SAMPLES | set(AS_ALIGNED_SAMPLES))
# any sample id but those (an id ends where [A-Za-z0-9_-] does)
MARKED_RE = (
    f"(?!(?:{'|'.join(_not_marked)})(?![A-Za-z0-9_-])){ID_PATTERN}"
    if _not_marked
    else ID_PATTERN
)
SAMPLE_QC_INPUT = {
    "targets": "results/reference/targets.bed",
    "exons": "results/reference/coding_exons.bed",
}
SAMPLE_QC_OUTPUT = {
    "stats": "results/qc/samtools_stats/{sample}.txt",
    "summary": "results/qc/mosdepth/{sample}.mosdepth.summary.txt",
    "dist": "results/qc/mosdepth/{sample}.mosdepth.global.dist.txt",
    "regions": "results/qc/mosdepth/{sample}.regions.bed.gz",
    "thresholds": "results/qc/mosdepth/{sample}.thresholds.bed.gz",
    "exons": "results/qc/mosdepth/{sample}.exons.regions.bed.gz",
    "exon_thresholds": "results/qc/mosdepth/{sample}.exons.thresholds.bed.gz",
    "checksums": "results/provenance/inputs/{sample}.json",
}
SAMPLE_QC_PARAMS = {
    "prefix": "results/qc/mosdepth/{sample}",
    "min_mapq": config["calling"]["min_mapq"],
    "thresholds": f"1,10,{config['coverage']['min_depth']},30,50,100",
    "units": get_sample_inputs,
    "code": BIGMED_HASH,
}


def get_unit_bams(wildcards):
    return [
        f"results/mapped/{wildcards.sample}/{u}.bam"
        for u in UNITS_BY_SAMPLE[wildcards.sample]
    ]


def get_patient_bams(wildcards):
    return [
        f"results/alignments/{s}.{ALN}" for s in PATIENTS[wildcards.patient].sample_ids
    ]


def get_patient_bais(wildcards):
    return [f"{aln}.{ALN_INDEX}" for aln in get_patient_bams(wildcards)]


def ploidy_unknown_samples(patient):
    """Samples of the patient whose sheet sex is unknown (the depth check decides)."""
    return [s.sample for s in PATIENTS[patient].samples if s.sex == "unknown"]


def get_ploidy_inputs(wildcards):
    return {
        "exons": [
            f"results/qc/mosdepth/{s}.exons.regions.bed.gz"
            for s in ploidy_unknown_samples(wildcards.patient)
        ]
    }


def get_calling_alignments(wildcards):
    """What the germline callers read: the shard's realigned BAMs (calling.realign_indels)
    or the patient's alignments."""
    if config["calling"]["realign_indels"]:
        return {
            "realigned": f"results/calls/{wildcards.patient}/realigned/{wildcards.shard}"
        }
    return {"bams": get_patient_bams(wildcards), "bais": get_patient_bais(wildcards)}


def get_calling_bam_list(wildcards):
    """The alignment files of get_calling_alignments, in the patient's sample order."""
    if config["calling"]["realign_indels"]:
        return [
            f"results/calls/{wildcards.patient}/realigned/{wildcards.shard}/{s}.bam"
            for s in PATIENTS[wildcards.patient].sample_ids
        ]
    return get_patient_bams(wildcards)


def get_fastp_jsons(wildcards):
    return [
        f"results/qc/fastp/{wildcards.sample}/{u}.fastp.json"
        for u in UNITS_BY_SAMPLE[wildcards.sample]
    ]


def get_shard_calls(wildcards):
    # freebayes with calling.long_indel_caller: its calls plus bcftools' long indels
    step = CALLER
    if CALLER == "freebayes" and config["calling"]["long_indel_caller"] == "bcftools":
        step = "freebayes_long"
    return [f"results/calls/{wildcards.patient}/{step}/{i}.bcf" for i in SHARDS]


def get_knowledge_source_files(wildcards):
    """Every file of the configured knowledge sources (a CIViC folder: its files)."""
    files = []
    for src in KNOWLEDGE.values():
        for f in src.files:
            p = Path(f)
            files += (
                sorted(str(x) for x in p.iterdir() if x.is_file())
                if p.is_dir()
                else [f]
            )
    return files


def get_interpretation(wildcards):
    return f"results/interpretation/{PATIENTS[wildcards.patient].pilot}/{wildcards.patient}.json"


def get_patient_qc(wildcards):
    ids = [s for s in PATIENTS[wildcards.patient].sample_ids if s not in VCF_SAMPLES]
    return {
        "fastp": [
            f"results/qc/fastp/{s}/{u.unit}.fastp.json"
            for s in ids
            for u in UNITS_BY_SAMPLE[s].values()
            if not uses_reads_as_aligned(u)
        ],
        "stats": [f"results/qc/samtools_stats/{s}.txt" for s in ids],
        "markdup": [f"results/qc/markdup/{s}.txt" for s in ids],
        "mosdepth": [f"results/qc/mosdepth/{s}.mosdepth.summary.txt" for s in ids],
        "exons": [f"results/qc/mosdepth/{s}.exons.thresholds.bed.gz" for s in ids],
        "exon_depths": [f"results/qc/mosdepth/{s}.exons.regions.bed.gz" for s in ids],
        "checksums": [
            f"results/provenance/inputs/{s}.json"
            for s in PATIENTS[wildcards.patient].sample_ids
        ],
    }


def patient_samples_json(patient):
    return json.dumps(
        [
            {k: v for k, v in s.__dict__.items() if k != "line"}
            for s in PATIENTS[patient].samples
        ]
    )


def all_targets():
    targets = [
        f"results/{p}/{name}"
        for p in PATIENTS
        for name in ("report.json", "report.html", "variants.tsv", "calls.vcf.gz")
    ]
    if config["report"]["pdf"]:
        targets += [f"results/{p}/report.pdf" for p in PATIENTS]
    if config["report"]["fhir"]:
        targets += [f"results/{p}/report.fhir.json" for p in PATIENTS]
    targets += ["results/qc/multiqc.html", "results/batch/summary.html"]
    targets += get_targeted_reports()
    if config["store"]["enabled"]:
        targets.append("results/store/loaded.json")  # the batch, loaded into the store
    return targets


# Start-up checks and input functions of the knowledge sources, the VCF/BAM inputs and each
# pilot, in dependency order: each file reads only globals defined above it. (Snakemake's
# linter wants functions apart from rules, hence rules/common/ beside the stage files.)
include: "common/knowledge.smk"
include: "common/inputs.smk"
include: "common/rare_disease.smk"
include: "common/cardiac.smk"
include: "common/crc.smk"
include: "common/store.smk"
