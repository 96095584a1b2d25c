"""Rule script: the rare-disease interpretation (inheritance, sample checks, HPO ranking, ACMG)."""

import json

from bigmed.acmg import load_overrides
from bigmed.atomic import write_text
from bigmed.genotypes import read_sites
from bigmed.inheritance import Thresholds
from bigmed.interpretation import validate
from bigmed.pedigree import Family
from bigmed.phenotype import PhenotypeIndex
from bigmed.rare_disease import Settings, interpret_family
from bigmed.reference import read_contig_map
from bigmed.report import coverage_section
from bigmed.rulelog import run_logged
from bigmed.samplecheck import read_exon_depths, run_checks


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp, par = snakemake.input, snakemake.params
    cfg = par.settings
    with open(inp.annotated) as handle:
        doc = json.load(handle)
    family = Family.from_dict(json.loads(par.family))
    sites = read_sites(inp.vcf)
    cmap = read_contig_map(inp.contig_map) if inp.contig_map else None
    # members without reads (VCF input) have no exon depths
    ids = [m.id for m in family.sequenced if m.id not in par.no_reads]
    depths = {sid: read_exon_depths(path, cmap) for sid, path in zip(ids, inp.exons, strict=True)}
    thresholds = Thresholds(
        min_depth=par.min_depth,
        min_gq=cfg["min_gq"],
        min_parent_depth=cfg["de_novo_min_parent_depth"],
        max_parent_alt_reads=cfg["de_novo_max_parent_alt_reads"],
    )
    checks = run_checks(family, sites, depths, min_depth=par.min_depth, min_gq=cfg["min_gq"])
    index = PhenotypeIndex.load(inp.index) if inp.get("index") else None
    coverage = (
        coverage_section(inp.proband_exons, inp.targets, par.coverage_depth, par.padding, cmap)
        if inp.get("proband_exons")
        else None
    )
    settings = Settings(
        weights=cfg["weights"],
        candidate_max_af=cfg["candidate_max_af"],
        report_candidates=cfg["report_candidates"],
        secondary_findings=cfg["secondary_findings"],
        thresholds=thresholds,
    )
    out = interpret_family(
        doc,
        sites,
        family,
        checks=checks,
        index=index,
        overrides=load_overrides(inp.overrides),
        settings=settings,
        coverage=coverage,
    )
    validate(out)
    write_text(snakemake.output[0], json.dumps(out, indent=1) + "\n")
    top = out["findings"][0] if out["findings"] else None
    print(
        f"{len(out['findings'])} candidate finding(s); top: "
        + (f"{top['gene']} {top['hgvs_c']} ({top['inheritance_label']})" if top else "none")
    )


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
