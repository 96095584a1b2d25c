"""Rule script: soft-clip aware realignment of a patient's reads in one calling shard."""

from pathlib import Path

from bigmed.base.rulelog import run_logged
from bigmed.genome.realign import realign, shard_regions


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    regions = shard_regions(snakemake.input.shard, snakemake.input.ref)
    outdir = Path(snakemake.output[0])
    outdir.mkdir(parents=True, exist_ok=True)
    outs = [str(outdir / f"{sample}.bam") for sample in snakemake.params.samples]
    events, rescued = realign(list(snakemake.input.bams), outs, snakemake.input.ref, regions)
    print(f"{len(regions)} regions, {len(events)} long-indel candidates")
    for path, n in zip(outs, rescued, strict=True):
        print(f"{path}: {n} reads rewritten with a candidate indel")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
