"""Rule script: merged targets (the whole reference by default) and calling shards."""

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.genome.reference import fasta_contigs, merge_regions, read_bed, split_shards


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    contigs = fasta_contigs(snakemake.input.fai.removesuffix(".fai"))
    order = list(contigs)
    if snakemake.input.targets:
        regions = read_bed(snakemake.input.targets, contigs)
    else:
        regions = [(c, 0, n) for c, n in contigs.items()]
    merged = merge_regions(regions, order)
    write_text(snakemake.output.bed, "".join(f"{c}\t{s}\t{e}\n" for c, s, e in merged))
    shards = split_shards(merged, len(snakemake.output.shards))
    for path, shard in zip(snakemake.output.shards, shards, strict=True):
        write_text(path, "".join(f"{c}\t{s}\t{e}\n" for c, s, e in shard))
    total = sum(e - s for _, s, e in merged)
    print(f"{len(merged)} target regions, {total} bp, {len(shards)} shards")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
