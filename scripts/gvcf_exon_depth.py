"""Rule script: a germline-VCF sample's depth over the coding exons from its gVCF records
(bigmed.intake.gvcfdepth), in mosdepth's thresholds form; a plain VCF gives none."""

import json

from bigmed.base.rulelog import run_logged
from bigmed.genome.reference import fasta_contigs, read_contig_map
from bigmed.intake.gvcfdepth import exon_depth
from bigmed.intake.vcfimport import Placement
from bigmed.intake.vcfinput import CallSet


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(snakemake.params.callset)
    callset = CallSet.from_doc(doc)
    contigs = fasta_contigs(snakemake.input.ref)
    cmap = (
        read_contig_map(snakemake.input.contig_map, contigs) if snakemake.input.contig_map else None
    )
    place = Placement.build(doc["renames"], contigs, cmap, doc.get("rename", False))
    stats = exon_depth(
        callset,
        snakemake.wildcards.sample,
        place,
        snakemake.input.exons,
        snakemake.params.thresholds,
        snakemake.output[0],
    )
    print(f"input: {', '.join(callset.vcfs)}; sample {snakemake.wildcards.sample}")
    for line in stats.lines():
        print(line)
    if not stats.blocks:
        print("not a gVCF: no depth outside the records (the report says no reads)")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
