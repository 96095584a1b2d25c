"""Rule script: microsatellites of the reference inside the targets."""

import pysam
from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.pilots.crc.msi import find_microsatellites, write_sites
from bigmed.pilots.crc.tmb import read_bed


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    regions: dict[str, list[tuple[int, int]]] = {}
    for c, s, e in read_bed(snakemake.input.targets):
        regions.setdefault(c, []).append((s, e))
    sites = []
    with pysam.FastaFile(snakemake.input.ref) as fasta:
        for contig, regs in regions.items():
            sites += find_microsatellites(fasta.fetch(contig), contig, regs)
    write_text(snakemake.output[0], write_sites(sites))
    print(f"{len(sites)} microsatellites in {sum(len(r) for r in regions.values())} target regions")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
