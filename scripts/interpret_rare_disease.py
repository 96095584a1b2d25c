"""Rule script: the rare-disease interpretation (inheritance, sample checks, HPO ranking, ACMG)."""

import json

from bigmed.base.atomic import write_text
from bigmed.base.rulelog import run_logged
from bigmed.genome.genotypes import read_sites
from bigmed.genome.reference import read_contig_map
from bigmed.germline.acmg import load_overrides
from bigmed.pilots.rare_disease.inheritance import Thresholds
from bigmed.pilots.rare_disease.interpret import interpret_family
from bigmed.pilots.rare_disease.model import Settings
from bigmed.pilots.rare_disease.pedigree import Family
from bigmed.pilots.rare_disease.phenotype import PhenotypeIndex
from bigmed.pilots.rare_disease.samplecheck import read_exon_depths, run_checks
from bigmed.report.document import coverage_section
from bigmed.report.interpretation import validate
from bigmed.store.annotate import into_join


def main(snakemake) -> None:  # type: ignore[no-untyped-def]
    inp, par = snakemake.input, snakemake.params
    cfg = par.settings
    with open(inp.annotated) as handle:
        doc = into_join(json.load(handle), inp.store or None)  # the lab's classifications
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
    if coverage is not None and family.proband in par.no_reads:
        coverage["source"] = "gvcf"  # a VCF proband's depth comes from its gVCF records
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
    top = out["candidates"][0] if out["candidates"] else None
    print(
        f"{len(out['findings'])} P/LP finding(s), {len(out['candidates'])} candidate(s) for "
        "review; top: "
        + (f"{top['gene']} {top['hgvs_c']} ({top['inheritance_label']})" if top else "none")
    )


run_logged(snakemake, main)  # type: ignore[name-defined]  # noqa: F821
