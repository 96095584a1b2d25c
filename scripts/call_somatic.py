"""Rule script: the somatic model over one shard's candidates (see bigmed.pilots.crc.somatic)."""

from bigmed.base.rulelog import run_logged
from bigmed.genome.reference import read_contig_map
from bigmed.pilots.crc.somatic import SomaticParams, call, population_lookup


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp, par = snakemake.input, snakemake.params
    fields = SomaticParams.__dataclass_fields__
    params = SomaticParams(**{k: v for k, v in par.model.items() if k in fields})
    cmap = read_contig_map(inp.contig_map) if inp.contig_map else None
    vcfs = [f for f in inp.population if not f.endswith(".tbi")]
    tally = call(
        inp.bcf,
        snakemake.output[0],
        tumor=par.tumor,
        normal=par.normal,
        params=params,
        contig_map=cmap,
        pon=inp.pon or None,
        population=population_lookup(vcfs, par.population_style) if vcfs else None,
    )
    print(" ".join(f"{k}={v}" for k, v in tally.items()))


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
