"""The known-variant path (bigmed.germline.known) on real ClinVar and expert-panel records.

Review-status threshold (two stars by default, configurable), one-star P/LP for review,
conflicting records with their submissions, expert-panel precedence, absence only where the
ClinVar source holds the gene completely, and both classes kept with what the report rests on.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from bigmed.germline import acmg, known
from bigmed.germline.classify import interpret, not_assessable
from bigmed.knowledge import variants as kv
from bigmed.knowledge.bundle import Bundle, build_bundle
from bigmed.knowledge.sources import check_sources
from conftest import ROOT

from unit.realvariants import annotated, shipped_sources, variant

OVERRIDES = acmg.load_overrides(str(ROOT / "config" / "acmg_overrides.yaml"))

MUTYH_P_2STARS = ("chr1", 45330515, "C", "A")  # Pathogenic/Likely_pathogenic, 2 stars
BRCA1_P_1STAR = ("chr17", 43094822, "C", "A")  # Pathogenic, single submitter
TP53_P_AND_PANEL_LP = ("chr17", 7670669, "G", "T")  # ClinVar P (3*), TP53 VCEP: LP
TP53_CONFLICTING = ("chr17", 7668477, "G", "A")  # VUS(1)|Likely_benign(1)
BRCA1_ABSENT = ("chr17", 43094450, "A", "T")  # BRCA1 held completely, allele not in ClinVar
LMNA_CARD01 = ("chr1", 156136094, "G", "A")  # LMNA: not in the ClinVar subset at all
ATM_OUTSIDE = ("chr11", 108300000, "T", "C")  # ATM held only in part
ALLELES = [
    MUTYH_P_2STARS,
    BRCA1_P_1STAR,
    TP53_P_AND_PANEL_LP,
    TP53_CONFLICTING,
    BRCA1_ABSENT,
    LMNA_CARD01,
    ATM_OUTSIDE,
]


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("known")
    build_bundle(check_sources(shipped_sources()), str(out / "bundle"))
    return annotated(ALLELES, Bundle(str(out / "bundle")), out)


def status(doc: dict, allele: tuple, min_stars: int = 2) -> known.Known:
    return known.known_variant(variant(doc, allele), doc["sources"], min_stars)


def test_two_star_clinvar_is_known_with_class_stars_conditions(doc):
    k = status(doc, MUTYH_P_2STARS)
    assert k.status == "clinvar" and k.cls == "Pathogenic" and k.stars == 2
    assert k.source == "ClinVar 2026-02-26" and k.record == "231877"
    assert "Familial adenomatous polyposis 2" in k.conditions
    d = known.decide("Uncertain significance", 1, k)
    assert d.reported == "Pathogenic" and d.rests_on == "ClinVar (2 stars)" and d.finding
    assert d.engine == "Uncertain significance"  # both classes are kept
    assert "the engine's own criteria give Uncertain significance (1 points)" in d.note
    text = known.summary(d)
    assert "ClinVar 2026-02-26: Pathogenic" in text and "2 star(s)" in text
    assert "engine: Uncertain significance (1 points)" in text and "Rests on ClinVar" in text


def test_threshold_is_configurable(doc):
    k = status(doc, MUTYH_P_2STARS, min_stars=3)
    assert k.status == "review" and not k.rests_on_known
    assert known.decide("Uncertain significance", 1, k).reported == "Uncertain significance"


def test_one_star_pathogenic_is_for_review_not_a_finding(doc):
    k = status(doc, BRCA1_P_1STAR)
    assert k.status == "review" and k.cls == "Pathogenic" and k.stars == 1
    assert "below the 2-star threshold, listed for review" in k.note
    d = known.decide("Uncertain significance", 0, k)
    assert d.reported == "Uncertain significance" and not d.finding
    assert d.rests_on == known.RESTS_ON_ENGINE


def test_expert_panel_takes_precedence_over_clinvar(doc):
    k = status(doc, TP53_P_AND_PANEL_LP)
    assert k.status == "expert_panel" and k.cls == "Likely pathogenic"
    assert k.source == "ClinGen TP53 VCEP" and k.stars == 3 and k.date
    assert k.also.startswith("ClinVar: Pathogenic")
    assert k.criteria and "criteria applied by the panel" in k.note
    d = known.decide("Pathogenic", 10, k)
    assert d.reported == "Likely pathogenic" and d.rests_on == "ClinGen TP53 VCEP (expert panel)"


def test_conflicting_record_keeps_the_engine_class(doc):
    k = status(doc, TP53_CONFLICTING)
    assert k.status == "conflicting" and k.cls is None
    assert "Uncertain significance(1); Likely benign(1)" in k.note
    d = known.decide("Uncertain significance", 2, k)
    assert d.reported == "Uncertain significance" and "submitters disagree" in d.note


def test_absence_counts_only_where_clinvar_holds_the_gene(doc):
    assert status(doc, BRCA1_ABSENT).status == "not_in_source"
    lmna = status(doc, LMNA_CARD01)
    assert lmna.status == "not_assessable" and "holds LMNA not at all" in lmna.note
    atm = status(doc, ATM_OUTSIDE)
    assert atm.status == "not_assessable" and "holds ATM partly" in atm.note


def test_known_variant_never_replaces_the_engine_silently():
    benign = known.Known("clinvar", cls="Benign", source="ClinVar x", stars=2)
    d = known.decide("Likely pathogenic", 8, benign)
    assert d.reported == "Benign" and d.engine == "Likely pathogenic" and not d.finding
    assert "Likely pathogenic (8 points)" in d.note
    assert known.decide("Benign", -8, benign).note == "the engine agrees"


def test_submissions_of_a_conflicting_record(doc, tmp_path):
    """ClinVar's own submission_summary.txt layout, naming the conflicting TP53 record."""
    path = tmp_path / "submission_summary.txt"
    path.write_text(
        "##Overview of submissions to ClinVar\n"
        "#VariationID\tClinicalSignificance\tDateLastEvaluated\tDescription\t"
        "SubmittedPhenotypeInfo\tReportedPhenotypeInfo\tReviewStatus\tCollectionMethod\t"
        "OriginCounts\tSubmitter\tSCV\tSubmittedGeneSymbol\tExplanationOfInterpretation\n"
        "889286\tUncertain significance\tMar 02, 2021\t-\tLi-Fraumeni\tC0085390:Li-Fraumeni "
        "syndrome\tcriteria provided, single submitter\tclinical testing\tgermline:na\tLab A\t"
        "SCV000001.1\tTP53\t-\n"
        "889286\tLikely benign\tJun 29, 2023\t-\tnot provided\tC3661900:not provided\tcriteria "
        "provided, single submitter\tclinical testing\tgermline:na\tLab B\tSCV000002.1\tTP53\t-\n"
    )
    assert check_sources({"clinvar_submissions": str(path)})
    subs = kv.read_submissions(str(path), {"889286"})["889286"]
    assert [(s.submitter, s.date) for s in subs] == [
        ("Lab B", "2023-06-29"),
        ("Lab A", "2021-03-02"),
    ]
    v = dict(variant(doc, TP53_CONFLICTING))
    v["clinvar"] = {**v["clinvar"], "submissions": [s.as_dict() for s in subs]}
    k = known.known_variant(v, doc["sources"])
    assert k.status == "conflicting" and k.date == "2023-06-29"
    assert [s["classification"] for s in k.submissions] == [
        "Likely benign",
        "Uncertain significance",
    ]


def test_interpret_reports_known_findings_sections_and_limits(doc):
    res = interpret(doc, overrides=OVERRIDES)
    mutyh = res["variants"]["chr1-45330515-C-A"]
    assert mutyh["classification"] == "Pathogenic"
    engine = mutyh["evidence"][0]
    assert engine["type"] == "acmg" and engine["class"] != "Pathogenic"  # the engine's own
    kv_ev = next(e for e in mutyh["evidence"] if e["type"] == "known_variant")
    assert kv_ev["rests_on"] == "ClinVar (2 stars)" and kv_ev["engine_class"] == engine["class"]
    finding = next(f for f in res["findings"] if f["variant_id"] == "chr1-45330515-C-A")
    assert finding["rests_on"] == "ClinVar (2 stars)"
    assert finding["known_classification"]["stars"] == 2
    assert finding["engine_classification"] == engine["class"]
    # the one-star BRCA1 record (a nonsense change) is listed for review; the variant is a
    # finding only through the engine's own criteria, and says so
    brca1 = next(f for f in res["findings"] if f["variant_id"] == "chr17-43094822-C-A")
    assert brca1["rests_on"] == known.RESTS_ON_ENGINE
    assert brca1["known_classification"]["status"] == "review"
    assert brca1["classification"] == brca1["engine_classification"]
    rows = next(s for s in res["sections"] if s["id"] == "known-variants")["rows"]
    statuses = {r[0]: r[3] for r in rows}
    assert statuses["chr17-43094822-C-A"] == known.STATUS_TEXT["review"]
    assert statuses["chr17-7668477-G-A"] == known.STATUS_TEXT["conflicting"]
    limits = {x["what"]: x["reason"] for x in not_assessable(doc)}
    assert "ClinVar known-variant lookup and PS1/PM5 in ATM" in limits
    assert any("LMNA" in w and "does not hold these genes" in r for w, r in limits.items())
    assert limits["in-silico predictions (PP3, BP4, BP7, BP1)"] == acmg.NO_PREDICTOR
    # a stricter threshold turns the MUTYH finding into a record for review
    strict = interpret(doc, overrides=replace(OVERRIDES, clinvar_min_stars=3))
    assert "chr1-45330515-C-A" not in {f["variant_id"] for f in strict["findings"]}
