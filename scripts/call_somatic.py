"""Rule script: the somatic model over one shard's candidates (bigmed.pilots.crc.somaticcall)."""

from bigmed.base.rulelog import run_logged
from bigmed.genome.reference import read_contig_map
from bigmed.pilots.crc.somatic import SomaticParams, population_lookup
from bigmed.pilots.crc.somaticcall import Knowledge, Reads, call


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp, par = snakemake.input, snakemake.params
    fields = SomaticParams.__dataclass_fields__
    params = SomaticParams(**{k: v for k, v in par.model.items() if k in fields})
    cmap = read_contig_map(inp.contig_map) if inp.contig_map else None
    vcfs = [f for f in inp.population if not f.endswith(".tbi")]
    bams = list(par.bams)  # tumor first; the shard's realigned BAMs or the alignments
    reads = Reads(
        bams[0],
        bams[1] if len(bams) > 1 else None,
        inp.ref,
        par.min_mapq,
        par.min_baseq,
    )
    know = Knowledge(
        pon=inp.pon or None,
        batch_pon=inp.batch_pon[0] if inp.batch_pon else None,
        own_normal=par.normal,
        pon_min_normals=par.model["pon_min_normals"],
        population=population_lookup(vcfs, par.population_style) if vcfs else None,
    )
    tally = call(inp.bcf, snakemake.output[0], (par.tumor, par.normal), reads, params, cmap, know)
    print(" ".join(f"{k}={v}" for k, v in tally.items()))


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
