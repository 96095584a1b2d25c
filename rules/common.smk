# Validation of config and sheets (before any job), wildcard constraints, input functions.
import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(workflow.basedir) / "scripts"))

import bigmed
from bigmed import fastq as bm_fastq
from bigmed import reference as bm_ref
from bigmed.config import config_hash, validate_config
from bigmed.errors import InputError
from bigmed.gff import read_gff3
from bigmed.sheets import group_patients, read_samples, read_units

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
    UNITS = read_units(config["units"], SAMPLES)
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
    for _u in UNITS:
        bm_fastq.check_pair(
            _u.fq1, _u.fq2, full=config["validation"]["fastq_full_check"], cache=_cache
        )
    _cache.save()
except InputError as _err:
    _fail(_err)

SAMPLE_BY_ID = {s.sample: s for s in SAMPLES}
UNITS_BY_SAMPLE = {}
for _u in UNITS:
    UNITS_BY_SAMPLE.setdefault(_u.sample, {})[_u.unit] = _u
SHARDS = [f"{i:03d}" for i in range(config["calling"]["scatter"])]
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
    """Snakemake does not track imported modules: their hash enters the params that use them."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((Path(workflow.basedir) / "scripts" / "bigmed").glob("*.py")):
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
    return {"r1": unit.fq1, "r2": unit.fq2}


def get_unit_bams(wildcards):
    return [
        f"results/mapped/{wildcards.sample}/{u}.bam"
        for u in UNITS_BY_SAMPLE[wildcards.sample]
    ]


def get_patient_bams(wildcards):
    return [
        f"results/alignments/{s}.bam" for s in PATIENTS[wildcards.patient].sample_ids
    ]


def get_patient_bais(wildcards):
    return [f"{bam}.bai" for bam in get_patient_bams(wildcards)]


def get_fastp_jsons(wildcards):
    return [
        f"results/qc/fastp/{wildcards.sample}/{u}.fastp.json"
        for u in UNITS_BY_SAMPLE[wildcards.sample]
    ]


def get_shard_calls(wildcards):
    return [f"results/calls/{wildcards.patient}/{CALLER}/{i}.bcf" for i in SHARDS]


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
    ids = PATIENTS[wildcards.patient].sample_ids
    return {
        "fastp": [
            f"results/qc/fastp/{s}/{u}.fastp.json"
            for s in ids
            for u in UNITS_BY_SAMPLE[s]
        ],
        "stats": [f"results/qc/samtools_stats/{s}.txt" for s in ids],
        "markdup": [f"results/qc/markdup/{s}.txt" for s in ids],
        "mosdepth": [f"results/qc/mosdepth/{s}.mosdepth.summary.txt" for s in ids],
        "thresholds": [f"results/qc/mosdepth/{s}.thresholds.bed.gz" for s in ids],
        "exons": [f"results/qc/mosdepth/{s}.exons.thresholds.bed.gz" for s in ids],
        "checksums": [f"results/provenance/inputs/{s}.json" for s in ids],
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
    targets += ["results/qc/multiqc.html", "results/batch/summary.html"]
    return targets


# --- crc pilot: somatic calling, MSI, TMB, interpretation (rules/call_somatic.smk, crc.smk)
CRC_KNOWLEDGE_KEYS = ("moalmanac", "civic", "hotspots_residues", "hotspots_indels")


def get_tumor(wildcards):
    return PATIENTS[wildcards.patient].with_role("tumor")[0].sample


def get_normal(wildcards):
    normals = PATIENTS[wildcards.patient].with_role("normal")
    return normals[0].sample if normals else None


def get_somatic_bams(wildcards):
    ids = [get_tumor(wildcards), get_normal(wildcards)]
    return [f"results/alignments/{s}.bam" for s in ids if s]


def get_somatic_bais(wildcards):
    return [f"{bam}.bai" for bam in get_somatic_bams(wildcards)]


def get_somatic_shards(wildcards):
    return [f"results/somatic/{wildcards.patient}/shards/{i}.vcf.gz" for i in SHARDS]


def get_depth_beds(wildcards):
    ids = [get_tumor(wildcards), get_normal(wildcards)]
    return [f"results/callable/{s}.quantized.bed.gz" for s in ids if s]


def get_callable_depth(wildcards):
    role = SAMPLE_BY_ID[wildcards.sample].role
    return config["tmb"]["min_tumor_depth" if role == "tumor" else "min_normal_depth"]


def get_msi_lengths(wildcards):
    normal = get_normal(wildcards)
    ids = [get_tumor(wildcards), normal]
    out = {"tumor": f"results/msi/lengths/{ids[0]}.tsv"}
    if normal:
        out["normal"] = f"results/msi/lengths/{normal}.tsv"
    else:
        out["baseline"] = config["msi"]["baseline"] or "results/msi/baseline.tsv"
    return out


def get_baseline_normals(wildcards):
    return [
        f"results/msi/lengths/{s.sample}.tsv" for s in SAMPLES if s.role == "normal"
    ]


def get_population_files(wildcards):
    # the knowledge bundle's gnomAD source (rules/knowledge.smk), with its indexes
    if "gnomad" not in KNOWLEDGE:
        return []
    files = KNOWLEDGE["gnomad"].files
    return [*files, *(f"{f}.tbi" for f in files if os.path.exists(f"{f}.tbi"))]


def get_population_style(wildcards):
    return KNOWLEDGE["gnomad"].chrom_style if "gnomad" in KNOWLEDGE else None


def get_crc_inputs(wildcards):
    tumor, normal = get_tumor(wildcards), get_normal(wildcards)
    out = {
        "tumor_bam": f"results/alignments/{tumor}.bam",
        "tumor_bai": f"results/alignments/{tumor}.bam.bai",
        "tumor_exons": f"results/qc/mosdepth/{tumor}.exons.regions.bed.gz",
    }
    if normal:
        out["normal_exons"] = f"results/qc/mosdepth/{normal}.exons.regions.bed.gz"
    return out


def get_crc_sources(wildcards):
    files = []
    for key in CRC_KNOWLEDGE_KEYS:
        for f in KNOWLEDGE[key].files if key in KNOWLEDGE else []:
            p = Path(f)
            files += (
                sorted(str(x) for x in p.iterdir() if x.is_file())
                if p.is_dir()
                else [f]
            )
    return files


def get_tumor_sample(wildcards):
    return PATIENTS[wildcards.patient].with_role("tumor")[0]
