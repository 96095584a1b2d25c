"""Rule script: consequence pick, HGVS and GRCh38 coordinates for a patient's calls."""

from bigmed import __version__
from bigmed.base.rulelog import run_logged
from bigmed.genome.gff import load_transcripts
from bigmed.genome.reference import fasta_contigs, read_contig_map
from bigmed.genome.vcf import finalize


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    contigs = fasta_contigs(snakemake.input.ref)
    cmap = (
        read_contig_map(snakemake.input.contig_map, contigs) if snakemake.input.contig_map else None
    )
    n = finalize(
        snakemake.input.bcf,
        snakemake.input.ref,
        load_transcripts(snakemake.input.transcripts),
        cmap,
        snakemake.output.vcf,
        extra_header=[f"##bigmed_version={__version__}", "##reference=GRCh38"],
    )
    print(f"{n} records written")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
