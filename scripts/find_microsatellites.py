"""Rule script: microsatellites of the reference inside the targets."""

import pysam
from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.pilots.crc.msi import find_microsatellites, write_sites


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    regions: dict[str, list[tuple[int, int]]] = {}
    with open(snakemake.input.targets) as handle:
        for line in handle:
            c, s, e = line.split("\t")[:3]
            regions.setdefault(c, []).append((int(s), int(e)))
    sites = []
    with pysam.FastaFile(snakemake.input.ref) as fasta:
        for contig, regs in regions.items():
            sites += find_microsatellites(fasta.fetch(contig), contig, regs)
    write_text(snakemake.output[0], write_sites(sites))
    print(f"{len(sites)} microsatellites in {sum(len(r) for r in regions.values())} target regions")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
