"""Rule script: the batch panel of normals from the normals' mpileup shards."""

from bigmed.base.rulelog import run_logged
from bigmed.pilots.crc.somaticcall import build_panel_of_normals


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    n = build_panel_of_normals(
        list(snakemake.input.bcfs),
        snakemake.output.vcf,
        snakemake.params.min_alt_reads,
    )
    print(f"{n} alleles in the panel of normals")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
