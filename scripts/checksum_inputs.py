"""Rule script: sha256 of every input file of a sample without reads (its VCF); samples
with reads get theirs in their QC job (sample_qc.py)."""

import json

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.report.provenance import input_checksums


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    rows = input_checksums(snakemake.wildcards.sample, snakemake.params.units)
    write_text(snakemake.output[0], json.dumps(rows, indent=1) + "\n")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
