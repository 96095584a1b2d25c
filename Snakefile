# bigmed: FASTQ to per-patient actionable-variant reports.
# The Snakefile only wires: version, config, validation (rules/common.smk), stages, targets.

from snakemake.utils import min_version

min_version("9.0")

# config/config.yaml is the default; `--configfile FILE` replaces it whole (see common.smk).


include: "rules/common.smk"
include: "rules/ref.smk"
include: "rules/qc.smk"
include: "rules/align.smk"
include: "rules/call_germline.smk"
include: "rules/inputs.smk"
include: "rules/call_somatic.smk"
include: "rules/annotate.smk"
include: "rules/knowledge.smk"
include: "rules/rare_disease.smk"
include: "rules/cardiac.smk"
include: "rules/crc.smk"
include: "rules/store.smk"
include: "rules/report.smk"


rule all:
    default_target: True
    input:
        all_targets(),
