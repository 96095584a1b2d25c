"""Rule script: join a patient's calls with the knowledge bundle (indexed lookups)."""

import json
import os

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.genome.gff import load_transcripts
from bigmed.genome.reference import read_contig_map
from bigmed.knowledge.bundle import Bundle
from bigmed.knowledge.join import annotate


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp = snakemake.input
    doc = annotate(
        inp.vcf,
        Bundle(os.path.dirname(inp.manifest)),
        transcripts=load_transcripts(inp.transcripts),
        fasta=inp.ref,
        contig_map=read_contig_map(inp.contig_map) if inp.contig_map else None,
    )
    doc["patient"] = snakemake.wildcards.patient
    write_text(snakemake.output[0], json.dumps(doc, separators=(",", ":")) + "\n")
    hits = sum(1 for v in doc["variants"] if v.get("clinvar") or v.get("population"))
    print(f"{len(doc['variants'])} variants joined; {hits} with a ClinVar or population record")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
