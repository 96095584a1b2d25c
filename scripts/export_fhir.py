"""Rule script: results/<patient>/report.fhir.json, a FHIR Genomics Reporting bundle."""

import json

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.report.fhir import bundle_json


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    with open(snakemake.input[0]) as handle:
        report = json.load(handle)
    write_text(snakemake.output[0], bundle_json(report))


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
