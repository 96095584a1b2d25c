"""Rare-disease ranking: candidate filter, score components, the interpretation document."""

from __future__ import annotations

from typing import Any

import pytest
from bigmed.knowledge.hpo import read_ontology
from bigmed.pilots.rare_disease.inheritance import Thresholds
from bigmed.pilots.rare_disease.interpret import interpret_family
from bigmed.pilots.rare_disease.model import DEFAULT_WEIGHTS, Settings
from bigmed.pilots.rare_disease.phenotype import PhenotypeIndex
from bigmed.pilots.rare_disease.ranking import acmg_component, is_candidate, rank_candidates, rarity
from bigmed.pilots.rare_disease.samplecheck import PairCheck, SampleChecks
from bigmed.report.interpretation import validate

from unit.rdfixtures import GENES, site, trio, write_obo

HEART_TERMS = ["HP:0000102", "HP:0000103"]


def sources(gnomad: bool = True, complete: bool = True) -> dict[str, Any]:
    off = {"configured": False, "complete": True, "name": "x", "version": "1"}
    return {
        "gnomad": {"configured": gnomad, "complete": complete, "name": "gnomAD", "version": "4"},
        "clinvar": dict(off, name="ClinVar"),
        "hotspots": dict(off, name="hotspots"),
        "hotspots_residues": dict(off, name="hotspots"),
        "acmg_sf": {"configured": True, "complete": True, "name": "ACMG SF", "version": "v3.0"},
    }


def gene(modes: list[str], **extra: Any) -> dict[str, Any]:
    return {"inheritance": modes, "hpo_diseases": [{"id": "OMIM:1"}], "lof_mechanism": None,
            "acmg_sf": [], **extra}  # fmt: skip


def variant(s, population: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    return {
        "id": s.id, "chrom": s.chrom, "pos": s.pos, "ref": s.ref, "alt": s.alt,
        "filter": s.filter, "gene": s.gene, "consequence": s.consequence,
        "hgvs_c": s.hgvs_c, "hgvs_p": s.hgvs_p, "population": population, "clinvar": None,
        "clinvar_codon": None, "hotspot": None, "assertions": [], "transcript_facts": None,
        **extra,
    }  # fmt: skip


def doc(sites_and_extra: list[tuple[Any, dict[str, Any]]], genes: dict[str, Any], **kw: Any):
    return {
        "sources": sources(**kw),
        "genes": genes,
        "variants": [variant(s, **x) for s, x in sites_and_extra],
        "knowledge_bases": [{"name": "gnomAD", "version": "4"}],
    }


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    ont = read_ontology(write_obo(tmp_path_factory.mktemp("hpo")))
    return PhenotypeIndex.build(ont, GENES)


# --------------------------------------------------------------------------- components


@pytest.mark.parametrize(
    "population,gnomad,complete,expected",
    [
        (None, True, True, 1.0),  # absent from a complete source: rare
        (None, True, False, 0.5),  # absent from a subset: unknown
        (None, False, True, 0.5),  # no source
        ({"af": 5e-5, "af_popmax": None}, True, True, 1.0),
        ({"af": 1e-3, "af_popmax": None}, True, True, 0.5),  # halfway on the log scale
        ({"af": 1e-4, "af_popmax": 0.02}, True, True, 0.0),  # popmax wins
    ],
)
def test_rarity(population, gnomad, complete, expected):
    v = {"population": population}
    s = sources(gnomad, complete)
    assert rarity(v, s) == pytest.approx(expected)


def _cohort(name: str, af: float, an: int) -> dict[str, Any]:
    return {"cohort": name, "release": "r1", "af": af, "allele_number": an}


# ExAC-sized and 1000 Genomes-sized cohorts: FAF95 of 0.03 x 121412 (3642 alleles) ~ 0.029
COMMON_TWO = [_cohort("ExAC", 0.03, 121412), _cohort("1000 Genomes", 0.03, 5008)]


@pytest.mark.parametrize(
    "population,cohorts,gnomad,expected",
    [
        # two cohorts agree the allele is common: it is not rare, with or without gnomAD
        (None, COMMON_TWO, True, 0.0),
        (None, COMMON_TWO, False, 0.0),
        # one cohort alone never decides (a founder allele can be frequent in one mix)
        (None, COMMON_TWO[:1], True, 1.0),
        (None, COMMON_TWO[:1], False, 0.5),
        # one observed allele is fewer than BA1/BS1 use: not counted
        (None, [_cohort("ExAC", 1 / 121412, 121412), _cohort("GO-ESP", 1 / 13006, 13006)],
         False, 0.5),
        # gnomAD rare, the cohorts common: the higher frequency counts
        ({"af": 5e-5, "af_popmax": None}, COMMON_TWO, True, 0.0),
    ],
)  # fmt: skip
def test_rarity_reads_the_cohorts_where_two_agree(population, cohorts, gnomad, expected):
    v = {"population": population, "cohort_frequencies": cohorts}
    assert rarity(v, sources(gnomad, True)) == pytest.approx(expected)


def test_two_cohorts_agreeing_on_a_common_allele_keep_it_out_of_the_candidates():
    s = site({"P": "0/1"})
    assert not is_candidate(variant(s, None, cohort_frequencies=COMMON_TWO), s, "P", 0.01)
    assert is_candidate(variant(s, None, cohort_frequencies=COMMON_TWO[:1]), s, "P", 0.01)
    # FAF95 is a lower bound: 0.03 in both, a 0.05 threshold keeps it
    assert is_candidate(variant(s, None, cohort_frequencies=COMMON_TWO), s, "P", 0.05)


def test_acmg_component():
    assert acmg_component(-7) == 0.0 and acmg_component(10) == 1.0
    assert acmg_component(-20) == 0.0 and acmg_component(14) == 1.0
    assert acmg_component(2) == pytest.approx(9 / 17)


@pytest.mark.parametrize(
    "kw,calls,population,expected",
    [
        ({}, {"P": "0/1"}, None, True),
        ({"consequence": "intron"}, {"P": "0/1"}, None, False),
        ({"consequence": "synonymous"}, {"P": "0/1"}, None, False),
        ({"consequence": "splice_region"}, {"P": "0/1"}, None, True),
        ({"filt": "LowQual"}, {"P": "0/1"}, None, False),
        ({}, {"P": "0/0"}, None, False),  # the proband does not carry it
        ({}, {"P": "0/1"}, {"af": 0.02, "af_popmax": None}, False),
        ({}, {"P": "0/1"}, {"af": 0.002, "af_popmax": None}, True),
    ],
)
def test_candidate_filter(kw, calls, population, expected):
    s = site(calls, **kw)
    assert is_candidate(variant(s, population), s, "P", 0.01) is expected


# --------------------------------------------------------------------------- ranking


def demo_family(index):
    fam = trio()
    fam.hpo = HEART_TERMS
    heart = site({"P": "0/1", "M": "0/0", "F": "0/0"}, pos=100, gene="HEART1")
    neuro = site({"P": "0/1", "M": "0/0", "F": "0/0"}, pos=200, gene="NEURO1")
    skel = site({"P": "0/1", "M": "0/1", "F": "0/0"}, pos=300, gene="SKEL1")
    intron = site(
        {"P": "0/1", "M": "0/0", "F": "0/0"}, pos=400, gene="HEART1", consequence="intron"
    )
    common = site({"P": "0/1", "M": "0/1", "F": "0/0"}, pos=500, gene="HEART1")
    sites = [heart, neuro, skel, intron, common]
    genes = {"HEART1": gene(["AD"]), "NEURO1": gene(["AD"]), "SKEL1": gene(["AD"])}
    d = doc(
        [(heart, {}), (neuro, {}), (skel, {}), (intron, {}),
         (common, {"population": {"af": 0.2, "af_popmax": 0.3, "popmax_group": "afr"}})],
        genes,
    )  # fmt: skip
    return fam, sites, d


def test_phenotype_decides_between_two_de_novo_variants(index):
    fam, sites, d = demo_family(index)
    ranking = rank_candidates(
        d, sites, fam, checks=None, index=index, overrides=None, settings=Settings()
    )
    cands, pheno = ranking.candidates, ranking.phenotype
    assert [c.variant["gene"] for c in cands] == ["HEART1", "NEURO1", "SKEL1"]
    top = cands[0]
    assert top.model is not None and top.model.name == "de_novo"
    assert top.components["phenotype"] == 1.0 and top.components["inheritance"] == 1.0
    assert cands[1].components["phenotype"] == 0.0
    assert cands[2].model is not None and cands[2].model.status == "reduced penetrance"
    expected = sum(DEFAULT_WEIGHTS[k] * v for k, v in top.components.items())
    assert top.score == pytest.approx(expected, abs=1e-3)
    assert max(pheno, key=pheno.__getitem__) == "HEART1"


def test_weights_are_configurable(index):
    fam, sites, d = demo_family(index)
    only_inheritance = {"phenotype": 0.0, "inheritance": 1.0, "acmg": 0.0, "rarity": 0.0}
    cands = rank_candidates(
        d, sites, fam, checks=None, index=index, overrides=None,
        settings=Settings(weights=only_inheritance),
    ).candidates  # fmt: skip
    # both de novo variants tie on inheritance; the id breaks the tie
    assert {c.variant["gene"] for c in cands[:2]} == {"HEART1", "NEURO1"}
    assert cands[2].variant["gene"] == "SKEL1"


def test_interpretation_document(index):
    fam, sites, d = demo_family(index)
    out = interpret_family(
        d, sites, fam, checks=None, index=index, overrides=None,
        settings=Settings(report_candidates=2),
    )  # fmt: skip
    validate(out)
    f = out["candidates"][0]
    assert (f["gene"], f["rank"], f["inheritance"]) == ("HEART1", 1, "de_novo")
    assert "PM6" in f["acmg_criteria"] and f["de_novo"] == "assumed"
    assert {m["id"] for m in f["matched_hpo"]} == set(HEART_TERMS)
    assert f["genotypes"] == {"P": "0/1", "M": "0/0", "F": "0/0"}
    assert len(out["candidates"]) == 2
    # a ranked candidate is a finding only when pathogenic / likely pathogenic
    plp = ("Pathogenic", "Likely pathogenic")
    assert all(x["classification"] in plp for x in out["findings"])
    assert [x["variant_id"] for x in out["findings"]] == [
        x["variant_id"] for x in out["candidates"] if x["classification"] in plp
    ]
    assert out["variants"][sites[0].id]["rank"] == 1
    assert out["variants"][sites[3].id]["rank"] is None  # intronic: classified, not ranked
    ids = [s["id"] for s in out["sections"]]
    assert ids[0] == "candidates" and "phenotype" in ids and "acmg-classification" in ids
    assert "secondary-findings" not in ids and "not analysed (opt-in)" in out["note"]


def test_without_phenotype_index(index):
    fam, sites, d = demo_family(index)
    out = interpret_family(
        d, sites, fam, checks=None, index=None, overrides=None, settings=Settings()
    )
    validate(out)
    assert any(x["what"] == "phenotype-driven ranking" for x in out["not_assessable"])


def test_sample_check_problems_reach_the_report(index):
    fam, sites, d = demo_family(index)
    checks = SampleChecks(
        [],
        [PairCheck("P", "F", 0.25, "parent-offspring", 0.01, 0.05, 400, "unrelated",
                   "mismatch", "kinship 0.010: sample swap or non-paternity/non-maternity")],
    )  # fmt: skip
    out = interpret_family(
        d, sites, fam, checks=checks, index=index, overrides=None, settings=Settings()
    )
    assert any(x["what"] == "sample identity" for x in out["not_assessable"])
    assert "Sample check problems" in out["note"]
    # the father's parentage is contradicted: the de novo status is not used
    assert out["candidates"][0]["de_novo"] is None
    assert "PM6" not in out["candidates"][0]["acmg_criteria"]


def lof_pair():
    """A stop-gained (PVS1) and a missense in one recessive gene, in trans."""
    fam = trio()
    stop = site({"P": "0/1", "M": "0/1", "F": "0/0"}, pos=100, gene="AR1",
                consequence="stop_gained")  # fmt: skip
    mis = site({"P": "0/1", "M": "0/0", "F": "0/1"}, pos=200, gene="AR1")
    facts = {"transcript_facts": {"nmd_escape": False, "exon": 2, "exon_count": 9}}
    genes = {"AR1": gene(["AR"], lof_mechanism=True, mechanism_source="G2P",
                         acmg_sf=[{"disease": "X", "inheritance": "AR"}])}  # fmt: skip
    return fam, [stop, mis], doc([(stop, facts), (mis, {})], genes, complete=True)


def test_compound_het_gets_pm3_from_its_likely_pathogenic_partner(index):
    fam, sites, d = lof_pair()
    cands = rank_candidates(
        d, sites, fam, checks=None, index=index, overrides=None, settings=Settings()
    ).candidates
    by_gene = {c.variant["consequence"]: c for c in cands}
    stop, mis = by_gene["stop_gained"], by_gene["missense"]
    assert stop.classification.cls == "Likely pathogenic"  # PVS1 + PM2_Supporting
    assert {x.label for x in mis.classification.met} == {"PM2_Supporting", "PM3_Supporting"}
    assert stop.model is not None and stop.model.name == "compound_het"
    assert stop.components["inheritance"] == 1.0


def sf_family(n_stops: int, mode: str):
    fam = trio()
    origins = [("0/1", "0/0"), ("0/0", "0/1")]
    sites = [
        site({"P": "0/1", "M": m, "F": f}, pos=100 * (i + 1), gene="SF1", consequence="stop_gained")
        for i, (m, f) in enumerate(origins[:n_stops])
    ]
    facts = {"transcript_facts": {"nmd_escape": False, "exon": 2, "exon_count": 9}}
    genes = {"SF1": gene([mode], lof_mechanism=True, mechanism_source="G2P",
                         acmg_sf=[{"disease": "Y", "inheritance": mode}])}  # fmt: skip
    return fam, sites, doc([(s, facts) for s in sites], genes, complete=True)


@pytest.mark.parametrize(
    "n_stops,mode,rows",
    [
        (2, "AR", 2),  # biallelic in a recessive SF gene: both reported
        (1, "AR", 0),  # a single heterozygous variant in a recessive gene: a carrier
        (1, "AD", 1),
    ],
)
def test_secondary_findings_respect_recessive_genes(index, n_stops, mode, rows):
    fam, sites, d = sf_family(n_stops, mode)
    out = interpret_family(
        d, sites, fam, checks=None, index=index, overrides=None,
        settings=Settings(secondary_findings=True, thresholds=Thresholds()),
    )  # fmt: skip
    validate(out)
    sf = next(s for s in out["sections"] if s["id"] == "secondary-findings")
    assert len(sf["rows"]) == rows
    assert all(r[3] in ("Pathogenic", "Likely pathogenic") for r in sf["rows"])
    # a P/LP secondary finding is a finding like any other P/LP variant (once: a ranked
    # candidate that is also one stays the candidate's finding)
    found = {(f["gene"], f["hgvs_c"]) for f in out["findings"]}
    assert {(r[0], r[1]) for r in sf["rows"]} <= found
    assert len(found) == len(out["findings"])


def test_acmg_component_leaves_out_family_criteria(index):
    fam, sites, d = demo_family(index)
    cands = rank_candidates(
        d, sites, fam, checks=None, index=index, overrides=None, settings=Settings()
    ).candidates
    top = cands[0]
    assert "PM6" in {x.code for x in top.classification.met}  # in the class...
    pm6 = 2
    expected = acmg_component(top.classification.points - pm6)  # ...not in the score
    assert top.components["acmg"] == pytest.approx(expected, abs=1e-4)


def test_secondary_findings_as_findings():
    """Each reportable SF variant becomes a finding dict, flagged secondary, P/LP only."""
    from bigmed.pilots.rare_disease import sections
    from bigmed.pilots.rare_disease.ranking import classify_in_genes

    fam, sites, d = sf_family(1, "AD")
    classes = classify_in_genes(d, {}, None)
    found = sections.secondary_findings(d, {s.id: s for s in sites}, fam.proband, classes)
    assert [(f["gene"], f["secondary"]) for f in found] == [("SF1", True)]
    assert found[0]["classification"] in ("Pathogenic", "Likely pathogenic")
    assert found[0]["summary"].startswith("Secondary finding (ACMG SF, opt-in)")
    fam, sites, d = sf_family(1, "AR")  # a carrier of a recessive SF gene: nothing
    classes = classify_in_genes(d, {}, None)
    assert sections.secondary_findings(d, {s.id: s for s in sites}, fam.proband, classes) == []


# real ClinVar 2026-02-26 records of the shipped subset, through the pipeline's own join
MLH1_P_2STARS = ("chr3", 37048956, "C", "T")  # VCV 90011: Pathogenic, 2 stars; ACMG SF (AD)
ATM_LP_2STARS = ("chr11", 108227683, "C", "G")  # VCV 864485: Likely pathogenic; not ACMG SF


@pytest.fixture(scope="module")
def sf_join(tmp_path_factory):
    from bigmed.knowledge.bundle import Bundle, build_bundle
    from bigmed.knowledge.sources import check_sources

    from unit.realvariants import annotated, shipped_sources

    out = tmp_path_factory.mktemp("sf_known")
    build_bundle(check_sources(shipped_sources()), str(out / "bundle"))
    return annotated([MLH1_P_2STARS, ATM_LP_2STARS], Bundle(str(out / "bundle")), out)


def _key(allele) -> str:
    return "-".join(str(x) for x in allele)


def _sf_sites(d: dict[str, Any]):
    """The proband carries both calls (heterozygous, parents reference)."""
    from bigmed.genome.genotypes import Call, Site

    het, ref = Call((0, 1), 40, 99, 20, 20), Call((0, 0), 40, 99, 40, 0)
    return {
        v["id"]: Site(v["id"], v["chrom"], v["pos"], v["ref"], v["alt"], "PASS", v["gene"],
                      calls={"P": het, "M": ref, "F": ref})
        for v in d["variants"]
    }  # fmt: skip


def test_a_clinvar_pathogenic_in_an_sf_gene_is_a_secondary_finding_resting_on_clinvar(sf_join):
    """The engine alone says VUS for this MLH1 missense; ClinVar (2 stars) says Pathogenic:
    the secondary finding is reported on ClinVar, the engine's class shown beside it."""
    from bigmed.germline.acmg import load_overrides
    from bigmed.pilots.rare_disease import sections
    from bigmed.pilots.rare_disease.ranking import classify_in_genes
    from conftest import ROOT

    overrides = load_overrides(str(ROOT / "config" / "acmg_overrides.yaml"))
    assert sf_join["genes"]["MLH1"].get("acmg_sf") and not sf_join["genes"]["ATM"].get("acmg_sf")
    classes = classify_in_genes(sf_join, {}, overrides)
    mlh1 = classes[_key(MLH1_P_2STARS)]
    assert mlh1.cls not in sections.SF_CLASSES  # engine only: not a secondary finding before
    assert mlh1.decision.reported == "Pathogenic"
    found = sections.secondary_findings(sf_join, _sf_sites(sf_join), "P", classes)
    (f,) = found  # ATM: P/LP, but not an ACMG SF gene
    assert f["variant_id"] == _key(MLH1_P_2STARS) and f["secondary"]
    assert f["classification"] == "Pathogenic" and f["rests_on"] == "ClinVar (2 stars)"
    assert f["engine_classification"] == mlh1.cls
    assert f["known_classification"]["record"] == "90011"
    assert f["summary"].startswith("Secondary finding (ACMG SF, opt-in): Pathogenic in MLH1")
    sec = sections.secondary_section(sf_join, _sf_sites(sf_join), "P", classes)
    (row,) = sec["rows"]
    assert row[3] == "Pathogenic" and row[6] == "ClinVar (2 stars)"
    assert row[7].startswith(mlh1.cls)
    assert "Not reported because of the lab" not in sec["note"]


def test_a_lab_benign_class_keeps_an_sf_variant_out_and_says_so(sf_join):
    from bigmed.pilots.rare_disease import sections
    from bigmed.pilots.rare_disease.ranking import classify_in_genes

    lab = {
        "condition": "Lynch syndrome", "version": 3, "class": "Likely benign", "criteria": [],
        "comment": "", "reviewer": "A. Curator", "date": "2026-03-02", "other_conditions": [],
    }  # fmt: skip
    variants = [
        {**v, "lab_classification": lab} if v["id"] == _key(MLH1_P_2STARS) else v
        for v in sf_join["variants"]
    ]
    d = {**sf_join, "variants": variants}
    classes = classify_in_genes(d, {}, None)
    assert sections.secondary_findings(d, _sf_sites(d), "P", classes) == []
    sec = sections.secondary_section(d, _sf_sites(d), "P", classes)
    assert sec["rows"] == []
    assert "Not reported because of the lab's own classification: MLH1" in sec["note"]
    assert "ClinVar 2026-02-26 (2 stars): Pathogenic" in sec["note"]


def test_a_candidate_resting_on_clinvar_says_so_and_still_opens_with_its_rank(sf_join, index):
    """One class per variant on the page: the candidate row and the finding give ClinVar's
    Pathogenic (the engine's VUS beside it), and both summaries still open with the rank."""
    from bigmed.germline.acmg import load_overrides
    from conftest import ROOT

    overrides = load_overrides(str(ROOT / "config" / "acmg_overrides.yaml"))
    sites = list(_sf_sites(sf_join).values())
    fam = trio()
    out = interpret_family(
        sf_join, sites, fam, checks=None, index=index, overrides=overrides, settings=Settings()
    )
    validate(out)
    (cand,) = [c for c in out["candidates"] if c["variant_id"] == _key(MLH1_P_2STARS)]
    (find,) = [f for f in out["findings"] if f["variant_id"] == _key(MLH1_P_2STARS)]
    for row in (cand, find):
        assert row["classification"] == "Pathogenic" and row["rests_on"] == "ClinVar (2 stars)"
        assert row["summary"].startswith(f"Candidate {row['rank']}: ")
        assert "Pathogenic (ClinVar 2026-02-26: Pathogenic, 2 star(s)" in row["summary"]
        assert f"engine: {row['engine_classification']}" in row["summary"]
        assert row["engine_classification"] != "Pathogenic"
