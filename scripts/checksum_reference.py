"""Rule script: sha256 of the reference FASTA, the annotation and the contig map."""

import json

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.report.provenance import sha256


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    data = {
        "reference": {
            "path": snakemake.input.fasta,
            "sha256": sha256(snakemake.input.fasta),
            "build": "GRCh38",
            "contig_map": snakemake.input.contig_map or None,
            "contig_map_sha256": sha256(snakemake.input.contig_map)
            if snakemake.input.contig_map
            else None,
        },
        "annotation": {
            "path": snakemake.input.annotation,
            "sha256": sha256(snakemake.input.annotation),
        },
    }
    write_text(snakemake.output[0], json.dumps(data, indent=1) + "\n")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
