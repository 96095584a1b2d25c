"""The demo's findings rest on real evidence (issue: clinical evidence that can reach a
diagnosis): each pilot's demo patient has a pathogenic / likely pathogenic finding reached
through a ClinVar or expert-panel record, or the engine's criteria with their data, and a
variant of uncertain significance that stays out of the findings; the colorectal demo shows
its germline predisposition section."""

from __future__ import annotations

import json

import pytest
from conftest import Batch

pytestmark = pytest.mark.integration

PLP = ("Pathogenic", "Likely pathogenic")
VUS = "Uncertain significance"
KNOWN = ("ClinVar", "ClinGen")  # what a known-variant finding rests on
APC_R1450X = "chr5-112839942-C-T"  # planted in CRC01-T/N: ClinVar VCV000194585, Pathogenic
APC_VUS = "chr5-112839001-A-C"  # planted in CRC01-T/N: ClinVar VCV000236591, VUS


def _report(demo: Batch, patient: str) -> dict:
    return json.loads((demo.workdir / "results" / patient / "report.json").read_text())


def _section(report: dict, sid: str) -> dict:
    return next(s for s in report["sections"] if s["id"] == sid)


def _real_evidence(finding: dict) -> bool:
    """A known record (ClinVar, expert panel), or the engine's own met criteria."""
    if str(finding.get("rests_on", "")).startswith(KNOWN):
        return True
    return finding.get("rests_on") == "ACMG/AMP engine" and bool(finding.get("evidence"))


@pytest.mark.parametrize("patient", ["RD01", "CARD01", "CRC01"])
def test_each_demo_patient_has_a_plp_finding_on_real_evidence(demo_run: Batch, patient: str):
    report = _report(demo_run, patient)
    plp = [f for f in report["findings"] if f["classification"] in PLP]
    assert plp, f"{patient}: no P/LP finding"
    assert any(_real_evidence(f) for f in plp), [f["summary"] for f in plp]
    for f in plp:  # each names what it rests on and the engine's own class beside it
        assert f.get("rests_on") and f.get("engine_classification"), f["summary"]
        variant = next(v for v in report["variants"] if v["id"] == f["variant_id"])
        assert variant["classification"] == f["classification"]


@pytest.mark.parametrize("patient", ["RD01", "CARD01", "CRC01"])
def test_each_demo_patient_keeps_a_vus_out_of_the_findings(demo_run: Batch, patient: str):
    report = _report(demo_run, patient)
    found = {f.get("variant_id") for f in report["findings"]}
    vus = [v["id"] for v in report["variants"] if v["classification"] == VUS]
    assert vus and not set(vus) & found
    assert all(f["classification"] != VUS for f in report["findings"])
    # and the report shows it: a candidate for review or a row of a section
    shown = {c.get("variant_id") for c in report.get("candidates", [])}
    cells = {str(c) for s in report["sections"] for row in s["rows"] for c in row}
    for v in report["variants"]:
        if v["classification"] == VUS and v.get("hgvs_c"):
            shown |= {v["id"]} if v["hgvs_c"] in cells or v["id"] in cells else set()
    assert set(vus) & shown, f"{patient}: no VUS shown for review"


def test_crc01_germline_section_shows_the_planted_clinvar_variants(demo_run: Batch):
    report = _report(demo_run, "CRC01")
    germline = [f for f in report["findings"] if f.get("origin") == "germline"]
    (apc,) = germline
    assert (apc["variant_id"], apc["gene"], apc["hgvs_p"]) == (
        APC_R1450X,
        "APC",
        "p.(Arg1450Ter)",
    )
    assert apc["classification"] == "Pathogenic" and apc["rests_on"].startswith("ClinVar")
    assert apc["sample"] == "CRC01-N" and not apc["possibly_somatic"]
    assert "familial adenomatous polyposis" in apc["summary"]
    # the somatic findings come first and are marked as such
    assert report["findings"][0]["origin"] == "somatic"
    assert report["findings"][0]["variant_id"] == "chr7-140753336-A-T"
    section = _section(report, "germline-predisposition")
    assert "CRC01-N" in section["title"] and "consent" in section["note"]
    rows = {r[2]: r for r in section["rows"]}
    assert rows["c.4348C>T"][-1] == "finding" and rows["c.4348C>T"][7] == "Pathogenic"
    assert rows["c.3407A>C"][7] == VUS and "never a finding" in rows["c.3407A>C"][-1]
    assert APC_VUS not in {f.get("variant_id") for f in report["findings"]}
    genes = {r[0]: r[3] for r in _section(report, "germline-genes")["rows"]}
    assert genes["CHEK2"] == "not assessable: not in the reference annotation"
    lynch = _section(report, "mmr-lynch")["rows"][0]
    assert lynch[0].startswith("MSI not evaluable") and "no P/LP variant in MLH1" in lynch[2]
    # the note says the pair is constructed and the germline variants planted
    note = report["interpretation"]["note"]
    assert "constructed pair" in note and "planted" in note
    assert "Germline predisposition (CRC01-N): 1 P/LP finding(s)" in note
    html = (demo_run.workdir / "results" / "CRC01" / "report.html").read_text()
    assert "Germline predisposition (hereditary cancer genes, CRC01-N)" in html
