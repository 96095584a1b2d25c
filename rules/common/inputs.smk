# Patients entering as called variants (calls sheet) or as aligned reads (units.tsv
# `bam`): start-up checks and input functions of rules/inputs.smk.

from bigmed.intake import vcfinput as bm_vcfin
from bigmed.intake import aligned as bm_aligned
from bigmed.intake import gvcfdepth as bm_gvcf


def callset_json(patient, kind, **extra):
    """A call set (calls-sheet rows), its contig renames, the patient's samples in column
    order and extras, for scripts/import_vcf.py."""
    return json.dumps(
        {
            **CALLSET_BY_KEY[(patient, kind)].__dict__,
            "renames": CALL_CHECKS[(patient, kind)].renames,
            "rename": config["inputs"]["rename_contigs"],
            "order": PATIENTS[patient].sample_ids,
            **extra,
        }
    )


try:
    CALL_CHECKS = {
        (c.patient, c.kind): bm_vcfin.check_callset(
            c,
            SAMPLES,
            REF_CONTIGS,
            CONTIG_MAP if config["reference"]["contig_map"] else None,
            config["inputs"]["rename_contigs"],
        )
        for c in CALLSETS
    }
except InputError as _err:
    _fail(_err)
for _check in CALL_CHECKS.values():
    for _w in _check.warnings:
        sys.stderr.write(f"bigmed: warning: {_w}\n")

CALLSET_BY_KEY = {(c.patient, c.kind): c for c in CALLSETS}
# regexes that match no patient when the calls sheet has no VCF of the kind
VCF_GERMLINE = "|".join(c.patient for c in CALLSETS if c.kind == "germline") or "(?!)"
SOMATIC_VCF_PATIENTS = frozenset(c.patient for c in CALLSETS if c.kind == "somatic")
VCF_SOMATIC = "|".join(sorted(SOMATIC_VCF_PATIENTS)) or "(?!)"
# samples of germline-VCF patients whose VCF is a gVCF: their depth over the coding
# exons comes from its records (rules/inputs.smk, bigmed.intake.gvcfdepth); a plain VCF
# gives none (no reads)
_GVCF_CALLSETS = {
    c.patient for c in CALLSETS if c.kind == "germline" and bm_gvcf.is_gvcf(c.vcfs)
}
GVCF_SAMPLES = sorted(s.sample for s in SAMPLES if s.patient in _GVCF_CALLSETS)
GVCF_SAMPLES_RE = "|".join(GVCF_SAMPLES) or "(?!)"


def gvcf_depth_file(sample):
    return f"results/qc/gvcf/{sample}.exons.thresholds.bed.gz"


def get_gvcf_depth(wildcards):
    """The gVCF depth files of the patient's gVCF samples, in sample order."""
    return [
        gvcf_depth_file(s)
        for s in PATIENTS[wildcards.patient].sample_ids
        if s in GVCF_SAMPLES
    ]


# aligned input: units.tsv `bam` (BAM or CRAM), checked at parse time (bigmed.intake.aligned)

try:
    ALIGNED = bm_aligned.check_units(
        UNITS,
        config["units"],
        REF_CONTIGS,
        config["reference"]["fasta"],
        ".bigmed/reference_md5.json",
    )
except InputError as _err:
    _fail(_err)

# samples whose BAM/CRAM is used as it is; with inputs.realign they take the FASTQ path
AS_ALIGNED = "|".join(s for s in ALIGNED if not config["inputs"]["realign"]) or "(?!)"
REALIGNED = "|".join(s for s in ALIGNED if config["inputs"]["realign"]) or "(?!)"
ALN_FMT = "--output-fmt cram,version=3.0" if ALN == "cram" else "--output-fmt bam"
