"""Rule script: germline interpretation (ACMG/AMP) for the rare_disease and cardiac pilots."""

import json

from bigmed.acmg import load_overrides
from bigmed.atomic import write_text
from bigmed.germline_interpretation import (
    CARRIER,
    cardiac_gene,
    family_from_genotypes,
    interpretation_document,
    read_genotypes,
)
from bigmed.interpretation import validate
from bigmed.rulelog import run_logged


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    par = snakemake.params
    with open(snakemake.input.annotated) as handle:
        doc = json.load(handle)
    samples = json.loads(par.samples)
    genotypes = read_genotypes(snakemake.input.vcf)
    index = next(s["sample"] for s in samples if s["role"] == "proband")
    carriers = {vid for vid, calls in genotypes.items() if calls.get(index, (".",))[0] in CARRIER}
    out = interpretation_document(
        par.pilot,
        doc,
        family=family_from_genotypes(samples, genotypes, par.min_depth),
        overrides=load_overrides(snakemake.input.overrides),
        finding_gene=cardiac_gene if par.pilot == "cardiac" else None,
        carriers=carriers,
    )
    validate(out)
    write_text(snakemake.output[0], json.dumps(out, indent=1) + "\n")
    print(f"{len(out['variants'])} variants classified, {len(out['findings'])} finding(s)")


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
