"""Rule script: a patient's input VCF(s) in the reference's coordinates
(bigmed.intake.vcfimport)."""

import json

from bigmed.base.rulelog import run_logged
from bigmed.genome.reference import fasta_contigs, read_contig_map
from bigmed.intake.vcfimport import import_vcf, write_lines
from bigmed.intake.vcfinput import CallSet
from bigmed.pilots.crc.somatic import population_lookup


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(snakemake.params.callset)
    callset = CallSet.from_doc(doc)
    contigs = fasta_contigs(snakemake.input.ref)
    cmap = (
        read_contig_map(snakemake.input.contig_map, contigs) if snakemake.input.contig_map else None
    )
    population = [f for f in getattr(snakemake.input, "population", []) if not f.endswith(".tbi")]
    lines, stats = import_vcf(
        callset,
        contigs,
        cmap,
        doc["renames"],
        order=doc.get("order", ()),
        rename=doc.get("rename", False),
        population=(
            population_lookup(population, doc.get("population_style")) if population else None
        ),
    )
    write_lines(snakemake.output[0], lines)
    print(f"input: {', '.join(callset.vcfs)}")
    for line in stats.lines():
        print(line)


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
