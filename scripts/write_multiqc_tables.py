"""Rule script: bigmed's own MultiQC sections from the batch's report.json files."""

import json

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.report.multiqc import coverage_tsv, sample_checks_tsv


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    reports = []
    for path in snakemake.input:
        with open(path) as handle:
            reports.append(json.load(handle))
    write_text(snakemake.output.samples, sample_checks_tsv(reports))
    write_text(snakemake.output.coverage, coverage_tsv(reports))


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
