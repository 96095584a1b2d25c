"""Rule script: the sex each sample of a patient is called with, and the callers' ploidy files."""

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.genome import ploidy
from bigmed.genome.reference import fasta_contigs, read_contig_map
from bigmed.pilots.rare_disease.samplecheck import genetic_sex, read_exon_depths


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    contigs = fasta_contigs(snakemake.input.ref)
    cmap = read_contig_map(snakemake.params.contig_map) if snakemake.params.contig_map else None
    exons = dict(zip(snakemake.params.unknown, snakemake.input.exons, strict=True))
    sexes = []
    for sample, declared in snakemake.params.samples:
        inferred, reason = None, ""
        if sample in exons:  # sheet says unknown: X/autosome depth (no calls exist yet)
            check = genetic_sex(
                sample, declared, read_exon_depths(exons[sample], cmap), [], min_depth=0, min_gq=0
            )
            inferred, reason = check.by_depth, check.reason.split(";")[0]
        sexes.append(ploidy.calling_sex(sample, declared, inferred, reason))
    regions = ploidy.haploid_regions(contigs, cmap)
    out = snakemake.output
    write_text(out.sexes, ploidy.sexes_table(sexes))
    write_text(out.cnv_map, ploidy.freebayes_cnv_map(sexes, regions))
    write_text(out.ploidy, ploidy.bcftools_ploidy(regions))
    write_text(out.samples, ploidy.bcftools_samples(sexes))
    for x in sexes:
        print(f"{x.sample}: called as {x.sex} ({x.source})")
    print(f"{len(regions)} haploid region(s) for males: {regions}")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
