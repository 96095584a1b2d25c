"""Rule script: repeat-length distribution of every microsatellite in one sample."""

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.pilots.crc.msi import read_sites, repeat_lengths, write_lengths


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    sites = read_sites(snakemake.input.sites)
    lengths = repeat_lengths(snakemake.input.bam, sites, snakemake.params.min_mapq)
    write_text(snakemake.output[0], write_lengths(lengths))
    spanned = sum(1 for c in lengths.values() if c)
    print(f"{len(sites)} microsatellites, {spanned} with at least one spanning read")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
