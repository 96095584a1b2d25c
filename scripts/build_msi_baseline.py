"""Rule script: MSI baseline (tumor-only mode) from the batch's normal samples."""

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.pilots.crc.msi import build_baseline, read_lengths, write_baseline


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    normals = [read_lengths(path) for path in snakemake.input]
    sites = build_baseline(normals, snakemake.params.msi["min_reads"])
    write_text(snakemake.output[0], write_baseline(sites))
    print(f"baseline of {len(sites)} microsatellites from {len(normals)} normal sample(s)")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
