"""Rule script: sha256 of every input file (FASTQ, BAM/CRAM) of a sample."""

import json

from bigmed.atomic import write_text
from bigmed.provenance import sha256
from bigmed.rulelog import run_logged


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    rows = []
    for unit, *paths in snakemake.params.units:  # fq1, fq2 or one BAM/CRAM
        for path in paths:
            rows.append(
                {
                    "sample": snakemake.wildcards.sample,
                    "unit": unit,
                    "path": path,
                    "sha256": sha256(path),
                }
            )
    write_text(snakemake.output[0], json.dumps(rows, indent=1) + "\n")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
