"""Rule script: add bcftools' long indels to freebayes' calls of one shard."""

from bigmed.base.rulelog import run_logged
from bigmed.genome.callmerge import merge_long_indels


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    added = merge_long_indels(
        snakemake.input.primary,
        snakemake.input.long,
        snakemake.output[0],
        snakemake.params.min_length,
        snakemake.params.window,
        snakemake.params.min_qual_primary,
    )
    print(f"{added} long indels added from the second caller")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
