"""Rule script: the placeholder interpretation of a pilot whose rules are not built yet."""

import json

from bigmed.atomic import write_text
from bigmed.interpretation import pending, validate
from bigmed.rulelog import run_logged


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    doc = pending(snakemake.params.pilot)
    validate(doc)
    write_text(snakemake.output[0], json.dumps(doc, indent=1) + "\n")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
