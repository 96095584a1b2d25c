"""Rule script: callable coding region and tumor mutational burden of one patient."""

import json

from bigmed.atomic import write_text
from bigmed.rulelog import run_logged
from bigmed.tmb import TmbParams, callable_region, count_mutations, read_bed, size, tmb


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp, par = snakemake.input, snakemake.params
    params = TmbParams(
        min_callable_mb=par.tmb["min_callable_mb"], high=par.tmb["high"], min_vaf=par.tmb["min_vaf"]
    )
    region = callable_region(
        read_bed(inp.coding),
        read_bed(inp.targets),
        [read_bed(path, name_filter="CALLABLE") for path in inp.depth],
    )
    write_text(snakemake.output.bed, "".join(f"{c}\t{s}\t{e}\n" for c, s, e in region))
    mutations = count_mutations(inp.vcf, region, params)
    result = tmb(len(mutations), size(region), params, tumor_only=par.tumor_only)
    result["counted"] = mutations
    write_text(snakemake.output.json, json.dumps(result, indent=1) + "\n")
    print(result["reason"])


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
