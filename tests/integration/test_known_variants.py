"""The demo's germline reports on the real knowledge sources: the known-variant path, the
engine's own class beside it, and per-source, per-gene limits (issue 12); the lab's own
classification, recorded between two runs, deciding the next run's findings (issue 17)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest
from conftest import ROOT, Batch, make_batch

pytestmark = pytest.mark.integration

LMNA = "chr1-156136094-G-A"  # CARD01: LMNA c.1130G>A p.(Arg377His)
SMAD4 = "chr18-51078307-T-C"  # RD01: SMAD4 c.1499T>C p.(Ile500Thr), de novo
BRCA1_S1613G = "p.(Ser1613Gly)"  # HG001: common BRCA1 missense, ClinVar benign (expert panel)
FBN1 = "chr15-48472632-G-A"  # RD01: FBN1 c.4255C>T p.(Gln1419Ter), the demo's planted finding


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
    assert "Known variants (the lab, ClinGen expert panels, ClinVar)" in html
    kbs = {k["name"]: k for k in report["provenance"]["knowledge_bases"]}
    assert kbs["ClinVar"]["genes"]["BRCA1"] == "complete"
    assert "ClinGen expert panels (VCEP)" in kbs and "ClinVar submissions (SCV)" in kbs


def _classify(lab: str, variant: str, klass: str, criteria: str, condition: str) -> None:
    cmd = [
        sys.executable, "-m", "bigmed.cli", "store", "classify", "--url", lab,
        "--variant", variant, "--condition", condition, "--class", klass,
        "--criteria", criteria, "--reviewer", "Dr. Curator", "--date", "2026-04-01",
        "--reference", str(ROOT / "resources/reference/minigenome.fa.gz"),
        "--contig-map", str(ROOT / "resources/reference/contigs.tsv"),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


@pytest.fixture(scope="module")
def reclassified(demo_run: Batch, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """The demo's results and store copied; the lab classifies RD01's SMAD4 de novo VUS as
    likely pathogenic and the planted FBN1 nonsense finding as a VUS with `bigmed store
    classify`; RD01's report is made again (its lookup, interpretation and report only)."""
    work = tmp_path_factory.mktemp("known_lab")
    b = make_batch(work / "batch")
    shutil.copytree(demo_run.workdir / "results", b.workdir / "results")  # mtimes kept
    lab = str(work / "lab.sqlite")
    shutil.copyfile(demo_run.workdir / "results/store/bigmed.sqlite", lab)
    _classify(lab, SMAD4, "LP", "PS2,PM2_Supporting", "Juvenile polyposis syndrome")
    _classify(lab, FBN1, "VUS", "PM2_Supporting", "Marfan syndrome")
    b.edit(
        store__url=lab,
        report__pdf=False,
        report__previous_dir=str(demo_run.workdir / "results"),
    )
    proc = b.run(
        "results/RD01/report.json", "--forcerun", "lookup_store", "--rerun-triggers", "mtime"
    )
    if proc.returncode != 0:
        pytest.fail(f"re-run after the lab's classification failed:\n{proc.stderr[-5000:]}")
    return b


def test_the_labs_classification_changes_the_next_runs_findings(
    demo_run: Batch, reclassified: Batch
):
    before = {f["variant_id"]: f for f in _report(demo_run, "RD01")["findings"]}
    assert SMAD4 not in before and FBN1 in before  # the demo: a VUS, and the planted finding
    report = _report(reclassified, "RD01")
    after = {f["variant_id"]: f for f in report["findings"]}
    smad4 = after[SMAD4]
    assert smad4["classification"] == "Likely pathogenic"
    assert smad4["rests_on"] == "the lab's classification (version 1, Dr. Curator, 2026-04-01)"
    assert smad4["known_classification"]["criteria"] == ["PS2_strong", "PM2_supporting"]
    assert smad4["engine_classification"] == "Uncertain significance"  # shown beside it
    assert "Juvenile polyposis syndrome" in smad4["summary"]
    # the lab's VUS keeps the FBN1 nonsense variant out of the findings, never silently
    assert FBN1 not in after
    v = next(x for x in report["variants"] if x["id"] == FBN1)
    assert v["classification"] == "Uncertain significance"
    withheld = next(s for s in report["sections"] if s["id"] == "lab-withheld")
    row = dict(
        zip(withheld["columns"], next(r for r in withheld["rows"] if r[0] == FBN1), strict=True)
    )
    assert row["lab class"] == "Uncertain significance" and row["reviewer"] == "Dr. Curator"
    assert before[FBN1]["classification"] in row["P/LP from"]
    html = (reclassified.workdir / "results/RD01/report.html").read_text()
    findings = html[html.index("<section id='findings'>") :]
    findings = findings[: findings.index("</section>")]
    assert "Not reported as findings because of the lab" in findings and FBN1 in findings
    changes = {(c["change"], c["what"]) for c in report["changes"]["items"]}
    assert ("new finding", "SMAD4 p.(Ile500Thr)") in changes
    assert ("removed finding", "FBN1 p.(Gln1419Ter)") in changes
