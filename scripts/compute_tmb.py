"""Rule script: callable coding region and tumor mutational burden of one patient."""

import json

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.intake.vcfinput import NO_READS
from bigmed.pilots.crc.tmb import (
    TmbParams,
    callable_region,
    count_mutations,
    read_bed,
    size,
    tmb,
    without_reads,
)


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp, par = snakemake.input, snakemake.params
    params = TmbParams(
        min_callable_mb=par.tmb["min_callable_mb"], high=par.tmb["high"], min_vaf=par.tmb["min_vaf"]
    )
    # a somatic VCF without reads: counted in coding exons and targets, over the declared size
    region = callable_region(
        read_bed(inp.coding),
        read_bed(inp.targets),
        [read_bed(path, name_filter="CALLABLE") for path in inp.depth],
    )
    write_text(snakemake.output.bed, "".join(f"{c}\t{s}\t{e}\n" for c, s, e in region))
    mutations = count_mutations(inp.vcf, region, params)
    if not par.vcf_input:
        result = tmb(len(mutations), size(region), params, tumor_only=par.tumor_only)
    elif par.tmb["vcf_callable_mb"] is not None:
        callable_bp = round(par.tmb["vcf_callable_mb"] * 1e6)
        result = tmb(len(mutations), callable_bp, params, par.tumor_only, declared=True)
    else:
        result = without_reads(NO_READS, params, par.tumor_only)
    result["counted"] = mutations
    write_text(snakemake.output.json, json.dumps(result, indent=1) + "\n")
    print(result["reason"])


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
