"""Rule script: a patient's input VCF in the reference's coordinates (bigmed.intake.vcfinput)."""

import json

from bigmed.base.rulelog import run_logged
from bigmed.genome.reference import fasta_contigs, read_contig_map
from bigmed.intake.vcfinput import CallSet, import_vcf, write_lines
from bigmed.pilots.crc.somatic import population_lookup


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads(snakemake.params.callset)
    callset = CallSet(
        doc["patient"],
        doc["kind"],
        doc["vcf"],
        tuple((a, b) for a, b in doc["sample_map"]),
        doc["line"],
    )
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
        population=(
            population_lookup(population, doc.get("population_style")) if population else None
        ),
    )
    write_lines(snakemake.output[0], lines)
    print(f"{stats.written} records imported from {callset.vcf}")
    print(f"{stats.outside} records dropped: outside every reference contig or slice")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
