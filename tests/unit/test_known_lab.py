"""The lab's own classification in the known-variant path (bigmed.germline.known).

Precedence: the lab's newest classification, then a ClinGen expert panel, then ClinVar at
the review-status threshold. A lab P/LP makes a finding that rests on it; a lab B/LB/VUS
keeps a P/LP of the engine, ClinVar or a panel out of the findings only with the
disagreement listed; a partner lab's class is shown, never used. Real ClinVar and
expert-panel records of the shipped sources; the lab's classes come from a real store.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from bigmed.germline import acmg, known
from bigmed.germline.classify import WITHHELD_SECTION, interpret
from bigmed.knowledge.bundle import Bundle, build_bundle
from bigmed.knowledge.sources import check_sources
from bigmed.report.document import validate_report
from bigmed.report.html import render_html
from bigmed.report.interpretation import validate
from bigmed.store import classifications as cls
from bigmed.store.annotate import into_join
from bigmed.store.db import open_store
from bigmed.store.lookup import Settings, known_classes, lookup
from bigmed.store.observations import Variant
from conftest import ROOT

from unit.realvariants import annotated, shipped_sources, variant
from unit.test_report import make

OVERRIDES = acmg.load_overrides(str(ROOT / "config" / "acmg_overrides.yaml"))

MUTYH_P_2STARS = ("chr1", 45330515, "C", "A")  # ClinVar Pathogenic/Likely pathogenic, 2 stars
TP53_P_AND_PANEL_LP = ("chr17", 7670669, "G", "T")  # ClinVar P (3 stars), TP53 VCEP: LP
BRCA1_ABSENT = ("chr17", 43094450, "A", "T")  # BRCA1 held completely; not in ClinVar
ALLELES = [MUTYH_P_2STARS, TP53_P_AND_PANEL_LP, BRCA1_ABSENT]


def _key(allele: tuple) -> str:
    return "-".join(str(x) for x in allele)


@pytest.fixture(scope="module")
def doc(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("known_lab")
    build_bundle(check_sources(shipped_sources()), str(out / "bundle"))
    return annotated(ALLELES, Bundle(str(out / "bundle")), out)


def _lab(klass: str, version: int = 1, **extra: Any) -> dict[str, Any]:
    """A lab classification as the store lookup gives it (lookup_store's JSON)."""
    return {
        "condition": "Hereditary cancer",
        "version": version,
        "class": klass,
        "criteria": [
            {"code": "PS4", "strength": "moderate"},
            {"code": "PM2", "strength": "supporting"},
        ],
        "comment": "",
        "reviewer": "A. Curator",
        "date": "2026-03-02",
        "other_conditions": [],
        **extra,
    }


def _with(doc: dict, allele: tuple, **fields: Any) -> dict:
    """The join with one call given the store fields (``lab_classification``, ...)."""
    variants = [{**v, **fields} if v["id"] == _key(allele) else v for v in doc["variants"]]
    return {**doc, "variants": variants}


def _known(doc: dict, allele: tuple, **fields: Any) -> known.Known:
    return known.known_variant({**variant(doc, allele), **fields}, doc["sources"], 2)


def test_a_lab_pathogenic_class_makes_a_finding_that_rests_on_it(doc):
    # not in ClinVar, no panel: without the lab the engine's class stands
    assert _known(doc, BRCA1_ABSENT).status == "not_in_source"
    k = _known(doc, BRCA1_ABSENT, lab_classification=_lab("Likely pathogenic", version=2))
    assert k.status == "lab" and k.cls == "Likely pathogenic" and k.version == 2
    assert k.external is not None and k.external.status == "not_in_source"  # kept beside
    d = known.decide("Uncertain significance", 1, k)
    assert d.reported == "Likely pathogenic" and d.finding and not d.withheld
    assert d.rests_on == "the lab's classification (version 2, A. Curator, 2026-03-02)"
    text = known.summary(d)
    assert "criteria PS4_moderate, PM2_supporting" in text and "Hereditary cancer" in text
    assert "engine: Uncertain significance (1 points)" in text
    res = interpret(
        _with(doc, BRCA1_ABSENT, lab_classification=_lab("Likely pathogenic", version=2)),
        overrides=OVERRIDES,
    )
    finding = next(f for f in res["findings"] if f["variant_id"] == _key(BRCA1_ABSENT))
    assert finding["classification"] == "Likely pathogenic"
    assert finding["rests_on"].startswith("the lab's classification (version 2")
    assert finding["known_classification"]["status"] == "lab"
    assert finding["known_classification"]["reviewer"] == "A. Curator"
    assert finding["engine_classification"] != "Likely pathogenic"  # the engine's own, kept


def test_a_lab_benign_class_keeps_clinvar_pathogenic_out_only_with_the_disagreement_shown(doc):
    k = _known(doc, MUTYH_P_2STARS, lab_classification=_lab("Likely benign"))
    assert k.status == "lab" and k.external is not None and k.external.status == "clinvar"
    assert any(d.startswith("ClinVar") and d.endswith(": Pathogenic") for d in k.differs)
    d = known.decide("Uncertain significance", 1, k)
    assert d.reported == "Likely benign" and not d.finding
    assert d.withheld == ("ClinVar 2026-02-26 (2 stars): Pathogenic",)
    assert "not a finding because the lab classifies it Likely benign" in d.note
    res = interpret(
        _with(doc, MUTYH_P_2STARS, lab_classification=_lab("Likely benign")), overrides=OVERRIDES
    )
    assert _key(MUTYH_P_2STARS) not in {f["variant_id"] for f in res["findings"]}
    sec = res["sections"][0]
    assert sec["id"] == WITHHELD_SECTION
    row = dict(zip(sec["columns"], sec["rows"][0], strict=True))
    assert row["variant"] == _key(MUTYH_P_2STARS) and row["lab class"] == "Likely benign"
    assert row["P/LP from"] == "ClinVar 2026-02-26 (2 stars): Pathogenic"
    assert row["reviewer"] == "A. Curator" and row["version"] == 1
    known_rows = next(s for s in res["sections"] if s["id"] == "known-variants")["rows"]
    mutyh = next(r for r in known_rows if r[0] == _key(MUTYH_P_2STARS))
    assert mutyh[3] == known.STATUS_TEXT["lab"] and mutyh[4] == "Likely benign"
    assert "differs from ClinVar" in mutyh[10] and mutyh[12] == "Likely benign"
    # without the lab's class the same call is a ClinVar finding and nothing is withheld
    plain = interpret(doc, overrides=OVERRIDES)
    assert _key(MUTYH_P_2STARS) in {f["variant_id"] for f in plain["findings"]}
    assert WITHHELD_SECTION not in {s["id"] for s in plain["sections"]}


def test_the_lab_takes_precedence_over_an_expert_panel_and_names_both_differences(doc):
    k = _known(doc, TP53_P_AND_PANEL_LP, lab_classification=_lab("Uncertain significance"))
    assert k.external is not None and k.external.status == "expert_panel"
    assert [x.split(":")[0] for x in k.differs] == [
        "ClinGen TP53 VCEP (expert panel)",
        "ClinVar 2026-02-26 (3 stars)",
    ]
    d = known.decide("Pathogenic", 10, k)
    assert d.reported == "Uncertain significance" and not d.finding
    assert d.withheld == (
        "ACMG/AMP engine: Pathogenic",
        "ClinGen TP53 VCEP (3 stars): Likely pathogenic",
    )
    # the lab agreeing with the panel: a finding on the lab's class, nothing withheld
    agree = known.decide("Pathogenic", 10, replace_class(k, "Likely pathogenic"))
    assert agree.finding and not agree.withheld and agree.rests_on.startswith("the lab's")


def replace_class(k: known.Known, klass: str) -> known.Known:
    return replace(k, cls=klass)


def test_a_lab_benign_class_against_the_engine_alone_is_also_listed():
    lab = known.Known(
        "lab", cls="Benign", source=known.RESTS_ON_LAB, version=1, reviewer="R", date="2026-01-05"
    )
    d = known.decide("Likely pathogenic", 7, lab)
    assert d.reported == "Benign" and d.withheld == ("ACMG/AMP engine: Likely pathogenic",)
    # a lab VUS against an engine VUS: nothing to list
    vus = known.decide("Uncertain significance", 2, replace_class(lab, "Uncertain significance"))
    assert not vus.withheld and vus.note.startswith("the engine agrees")


def test_a_partner_labs_class_is_shown_but_never_used(doc):
    partner = [{"lab": "Lab B", "condition": "HBOC", "class": "Pathogenic", "criteria": "[]",
                "date": "2026-01"}]  # fmt: skip
    k = _known(doc, BRCA1_ABSENT, partner_classifications=partner)
    assert k.status == "not_in_source" and k.cls is None
    assert k.partners == ("partner lab Lab B: Pathogenic for HBOC (2026-01; shown, not used)",)
    d = known.decide("Uncertain significance", 1, k)
    assert d.reported == "Uncertain significance" and d.rests_on == known.RESTS_ON_ENGINE
    # beside the lab's own class the partner's different class is a named difference
    both = _known(doc, BRCA1_ABSENT, partner_classifications=partner,
                  lab_classification=_lab("Likely benign"))  # fmt: skip
    assert both.cls == "Likely benign" and "partner lab Lab B: Pathogenic" in both.differs


def test_the_newest_version_from_the_store_decides_the_finding(doc, tmp_path: Path):
    """classify twice (LB, then LP) in a real store: the lookup that lookup_store writes,
    folded into the join, makes version 2 the reported class."""
    store = open_store(str(tmp_path / "lab.sqlite"))
    chrom, pos, ref, alt = BRCA1_ABSENT
    v = Variant(chrom, pos, ref, alt)
    crit = cls.parse_criteria("PS4_Moderate,PM2_Supporting")
    cls.record(store, v, "Hereditary cancer", "Likely benign", [], "A. Curator", "2026-01-10")
    cls.record(store, v, "Hereditary cancer", "Likely pathogenic", crit, "B. Curator", "2026-03-02")
    cls.record(store, v, "Other disease", "Uncertain significance", [], "A. Curator", "2025-11-01")
    keys = [x["id"] for x in doc["variants"]]
    path = tmp_path / "join.json"
    path.write_text(json.dumps(doc))
    lookup_doc = lookup(store, "P1", keys, Settings(), known_classes(str(path)))
    store.close()
    out = tmp_path / "lookup.json"
    out.write_text(json.dumps(lookup_doc))
    join = into_join(json.loads(path.read_text()), str(out))
    res = interpret(join, overrides=OVERRIDES)
    finding = next(f for f in res["findings"] if f["variant_id"] == _key(BRCA1_ABSENT))
    assert finding["rests_on"] == "the lab's classification (version 2, B. Curator, 2026-03-02)"
    lab = finding["known_classification"]
    assert lab["criteria"] == ["PS4_moderate", "PM2_supporting"]
    assert "Uncertain significance for Other disease (version 1, 2025-11-01)" in lab["note"]
    # no store (store.enabled false): the join is left as it is
    assert "lab_classification" not in variant(into_join(json.loads(path.read_text()), None),
                                               BRCA1_ABSENT)  # fmt: skip


def test_a_lab_finding_passes_the_interpretation_and_report_schemas(doc):
    res = interpret(
        _with(doc, BRCA1_ABSENT, lab_classification=_lab("Pathogenic")), overrides=OVERRIDES
    )
    lab = [f for f in res["findings"] if f["known_classification"]["status"] == "lab"]
    assert len(lab) == 1
    keys = ("findings", "variants", "knowledge_bases", "sections")
    validate(
        {"status": "complete", "note": "", "biomarkers": [], "not_assessable": [],
         **{k: res[k] for k in keys}}
    )  # fmt: skip
    report = make()
    report["findings"], report["sections"] = res["findings"], res["sections"]
    validate_report(report)


def test_the_page_shows_withheld_variants_with_the_findings(doc):
    res = interpret(
        _with(doc, MUTYH_P_2STARS, lab_classification=_lab("Likely benign")), overrides=OVERRIDES
    )
    report = make()
    report["sections"] = res["sections"]
    html = render_html(report)
    findings_end = html.index("</section>", html.index("id='findings'"))
    inside = html[html.index("id='findings'") : findings_end]
    assert "Not reported as findings because of the lab" in inside
    assert _key(MUTYH_P_2STARS) in inside and "Likely benign" in inside
    assert html.count("id='lab-withheld'") == 1  # not repeated among the pilot's sections
