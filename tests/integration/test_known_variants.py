"""The demo's germline reports on the real knowledge sources: the known-variant path, the
engine's own class beside it, and per-source, per-gene limits (issue 12)."""

from __future__ import annotations

import json

import pytest
from conftest import Batch

pytestmark = pytest.mark.integration

LMNA = "chr1-156136094-G-A"  # CARD01: LMNA c.1130G>A p.(Arg377His)
SMAD4 = "chr18-51078307-T-C"  # RD01: SMAD4 c.1499T>C p.(Ile500Thr), de novo
BRCA1_S1613G = "p.(Ser1613Gly)"  # HG001: common BRCA1 missense, ClinVar benign (expert panel)


def _report(demo: Batch, patient: str) -> dict:
    return json.loads((demo.workdir / "results" / patient / "report.json").read_text())


def _evidence(v: dict, kind: str) -> dict:
    return next(e for e in v["evidence"] if e["type"] == kind)


def test_card01_lmna_rests_on_the_engine_with_its_limits_stated(demo_run: Batch):
    report = _report(demo_run, "CARD01")
    v = next(x for x in report["variants"] if x["id"] == LMNA)
    assert v["classification"] == "Uncertain significance"
    known = _evidence(v, "known_variant")
    assert known["rests_on"] == "ACMG/AMP engine" and known["engine_class"] == v["classification"]
    assert known["known"]["status"] == "not_assessable"
    assert "holds LMNA not at all" in known["known"]["note"]
    reasons = _evidence(v, "not_evaluated")["reasons"]
    assert "no in-silico predictor configured" in reasons["PP3"]
    assert "holds LMNA not at all" in reasons["PS1"]
    limits = {x["what"]: x["reason"] for x in report["not_assessable"]}
    assert any("ClinVar" in w and "LMNA" in w for w in limits)
    assert "in-silico predictions (PP3, BP4, BP7, BP1)" in limits
    assert LMNA not in {f["variant_id"] for f in report["findings"]}  # a VUS is never a finding


def test_rd01_smad4_keeps_its_family_evidence_and_says_what_is_missing(demo_run: Batch):
    report = _report(demo_run, "RD01")
    v = next(x for x in report["variants"] if x["id"] == SMAD4)
    engine = _evidence(v, "acmg")
    assert v["classification"] == "Uncertain significance" == engine["class"]
    assert engine["criteria_met"] == ["PM6"]
    assert _evidence(v, "known_variant")["known"]["status"] == "not_assessable"
    limits = " ".join(x["what"] for x in report["not_assessable"])
    assert "SMAD4" in limits and "in-silico predictions" in limits


def test_hg001_known_benign_rests_on_clinvar_with_the_engine_beside_it(demo_run: Batch):
    report = _report(demo_run, "HG001")
    v = next(x for x in report["variants"] if x["hgvs_p"] == BRCA1_S1613G)
    known = _evidence(v, "known_variant")
    assert v["classification"] == "Benign"
    assert known["rests_on"] == "ClinVar (3 stars)" and known["known"]["stars"] == 3
    assert known["engine_class"] == "Benign" and known["note"] == "the engine agrees"
    sections = {s["id"]: s for s in report["sections"]}
    rows = sections["known-variants"]["rows"]
    assert any(r[0] == v["id"] and r[4] == "Benign" and r[13] == "ClinVar (3 stars)" for r in rows)
    acmg = sections["acmg-classification"]
    assert acmg["columns"][-2:] == ["reported class", "rests on"]
    html = (demo_run.workdir / "results" / "HG001" / "report.html").read_text()
    assert "Known variants (ClinGen expert panels, ClinVar)" in html
    kbs = {k["name"]: k for k in report["provenance"]["knowledge_bases"]}
    assert kbs["ClinVar"]["genes"]["BRCA1"] == "complete"
    assert "ClinGen expert panels (VCEP)" in kbs and "ClinVar submissions (SCV)" in kbs
