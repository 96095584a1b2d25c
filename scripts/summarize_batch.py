"""Rule script: results/batch/summary.html, one row per patient."""

import json

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.report.batch import render_summary


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    reports = []
    for path in snakemake.input:
        with open(path) as handle:
            reports.append(json.load(handle))
    write_text(snakemake.output[0], render_summary(reports))


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
