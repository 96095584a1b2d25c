"""Rule script: check the GFF3 against the reference, export transcripts and coding exons."""

import shutil

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.genome.gff import coding_exons_bed, dump_transcripts, read_gff3
from bigmed.genome.reference import fasta_contigs


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    contigs = fasta_contigs(snakemake.input.fai.removesuffix(".fai"))
    transcripts = read_gff3(snakemake.input.gff, contigs)
    shutil.copyfile(snakemake.input.gff, snakemake.output.gff)
    dump_transcripts(transcripts, snakemake.output.transcripts)
    rows = coding_exons_bed(transcripts, snakemake.params.padding)
    write_text(snakemake.output.exons, "".join(f"{c}\t{s}\t{e}\t{n}\n" for c, s, e, n in rows))
    print(f"{len(transcripts)} transcripts, {len(rows)} coding exon regions")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
