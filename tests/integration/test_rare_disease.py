"""Rare-disease pilot end to end: RD01 ranks de novo SMAD4 first; PED and Phenopacket inputs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, Batch, make_batch

pytestmark = pytest.mark.integration

SMAD4 = "chr18-51078307-T-C"
DEMO = ROOT / "resources" / "demo" / "rare_disease"


def _report(batch: Batch, patient: str) -> dict:
    return json.loads((batch.workdir / "results" / patient / "report.json").read_text())


def _rd01_batch(workdir: Path) -> Batch:
    """RD01 alone; demo settings that name other patients' samples are dropped."""
    b = make_batch(workdir, patients=["RD01"])
    cfg = b.config()
    cfg.pop("cardiac", None)
    cfg["report"]["pdf"] = False
    b.write_config(cfg)
    return b


def _check_rd01(report: dict) -> None:
    # SMAD4 is a VUS: the top candidate for review, not a finding (findings are P/LP only);
    # the finding is the planted FBN1 variant, resting on the expert panel's classification
    (finding,) = report["findings"]
    assert (finding["gene"], finding["hgvs_c"]) == ("FBN1", "c.4255C>T")
    assert finding["classification"] == "Pathogenic"
    assert finding["rests_on"] == "ClinGen FBN1 VCEP (expert panel)"
    # the FBN1 candidate shows the class its finding shows, with the engine's beside it
    fbn1 = next(c for c in report["candidates"] if c["gene"] == "FBN1")
    assert (fbn1["classification"], fbn1["rests_on"]) == ("Pathogenic", finding["rests_on"])
    assert fbn1["engine_classification"] == "Likely pathogenic"
    top = report["candidates"][0]
    assert (top["gene"], top["hgvs_c"], top["hgvs_p"]) == ("SMAD4", "c.1499T>C", "p.(Ile500Thr)")
    assert top["rank"] == 1 and top["variant_id"] == SMAD4
    assert top["inheritance"] == "de_novo"
    assert {"PS2", "PM6"} & set(top["acmg_criteria"])
    assert top["genotypes"] == {"RD01-P": "0/1", "RD01-M": "0/0", "RD01-F": "0/0"}
    matched = {m["id"] for m in top["matched_hpo"]}
    assert {"HP:0004322", "HP:0001072"} <= matched  # short stature, thickened skin
    assert next(v for v in report["variants"] if v["id"] == SMAD4)["rank"] == 1
    # the gene's diseases from phenotype.hpoa, best match first: Myhre syndrome
    myhre = top["diseases"][0]
    assert (myhre["id"], myhre["name"]) == ("OMIM:139210", "Myhre syndrome")
    pairs = {(m["patient_term"], m["disease_term"]) for m in myhre["matched_terms"]}
    assert ("HP:0004322", "HP:0004322") in pairs  # short stature, as the disease states it
    assert myhre["matched"] == len(pairs) >= 10


def test_rd01_report_ranks_de_novo_smad4_first(demo_run: Batch):
    report = _report(demo_run, "RD01")
    _check_rd01(report)
    sections = {s["id"]: s for s in report["sections"]}
    assert report["sections"][0]["id"] == "candidates"
    for sid in ("sample-checks", "relatedness", "candidate-coverage", "phenotype"):
        assert sid in sections
    # a six-gene capture: neither sex nor parentage can be checked, and the report says so
    assert {r[7] for r in sections["sample-checks"]["rows"]} == {"not assessable"}
    assert {r[8] for r in sections["relatedness"]["rows"]} == {"not assessable"}
    what = " ".join(x["what"] for x in report["not_assessable"])
    assert "relatedness of RD01-P/RD01-M" in what and "genetic sex of RD01-P" in what
    smad4 = next(r for r in sections["candidate-coverage"]["rows"] if r[0] == "SMAD4")
    assert smad4[5] in ("assessable", "partially assessable")
    assert "gVCF" not in sections["candidate-coverage"]["note"]  # from reads
    assert "HPO release 2025-01-16" in sections["phenotype"]["note"]
    hpo = [k for k in report["provenance"]["knowledge_bases"] if k["name"].startswith("HPO")]
    assert hpo and all(k["version"] for k in hpo)
    assert "secondary findings: not analysed (opt-in)" in report["interpretation"]["note"]
    html = (demo_run.workdir / "results" / "RD01" / "report.html").read_text()
    assert "Candidate variants, ranked" in html and "Sample checks: relatedness" in html
    assert "Candidates for review" in html and "Myhre syndrome" in html
    assert "1 finding(s) &middot; 2 candidate(s) for review" in html


def test_hg001_singleton_is_interpreted(demo_run: Batch):
    report = _report(demo_run, "HG001")
    assert report["interpretation"]["status"] == "complete"
    assert any(s["id"] == "phenotype" for s in report["sections"])


def test_ped_and_phenopacket_inputs(tmp_path: Path):
    """RD01 with its pedigree from a PED file and its HPO terms only from a Phenopacket."""
    b = _rd01_batch(tmp_path / "rd")
    lines = b.sheet("samples.tsv").read_text().splitlines()
    header = lines[0].split("\t")
    col = header.index("phenotypes")
    rows = [ln.split("\t") for ln in lines[1:]]
    for r in rows:
        r[col] = ""
    b.sheet("samples.tsv").write_text("\n".join([lines[0], *("\t".join(r) for r in rows)]) + "\n")
    cfg = b.config()
    cfg["rare_disease"] = {
        "pedigree": str(DEMO / "RD01.ped"),
        "phenopackets": {"RD01": str(DEMO / "RD01.phenopacket.json")},
        "secondary_findings": True,
    }
    b.write_config(cfg)
    proc = b.run()
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = _report(b, "RD01")
    _check_rd01(report)
    sections = {s["id"]: s for s in report["sections"]}
    note = sections["phenotype"]["note"]
    assert "RD01.ped" in note and "RD01.phenopacket.json" in note
    uses = {r[2] for r in sections["phenotype"]["rows"]}
    assert uses == {"used", "excluded (phenopacket)"}
    assert "secondary-findings" in sections


def _bad(tmp_path: Path, edit) -> str:
    b = _rd01_batch(tmp_path / "bad")
    edit(b)
    proc = b.run("-n")
    assert proc.returncode == 1, proc.stderr[-2000:]
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("bigmed: error")]
    assert len(errors) == 1, proc.stderr
    assert not (b.workdir / "results").exists()
    return errors[0]


def test_unknown_hpo_term_stops_before_any_job(tmp_path: Path):
    def edit(b: Batch) -> None:
        path = b.sheet("samples.tsv")
        path.write_text(path.read_text().replace("HP:0001643;", "HP:0001643;HP:9999999;", 1))

    err = _bad(tmp_path, edit)
    assert err.endswith("samples.tsv: line 2: field 'phenotypes': unknown HPO term HP:9999999")


def test_obsolete_hpo_term_is_mapped_with_a_warning(tmp_path: Path):
    b = _rd01_batch(tmp_path / "obs")
    path = b.sheet("samples.tsv")
    path.write_text(path.read_text().replace("HP:0001643;", "HP:0001643;HP:0000057;", 1))
    proc = b.run("-n")
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (
        "bigmed: warning: " in proc.stderr
        and "HP:0000057 is obsolete; using HP:0008665" in proc.stderr
    )


def test_ped_contradicting_the_sheet_stops_before_any_job(tmp_path: Path):
    def edit(b: Batch) -> None:
        ped = b.workdir / "bad.ped"
        text = (DEMO / "RD01.ped").read_text()
        ped.write_text(text.replace("RD01-F\t0\t0\t1", "RD01-F\t0\t0\t2"))
        cfg = b.config()
        cfg["rare_disease"] = {"pedigree": str(ped)}
        b.write_config(cfg)

    err = _bad(tmp_path, edit)
    assert "bad.ped: line 4: field 'sex'" in err


def test_rare_disease_config_is_schema_checked(tmp_path: Path):
    def edit(b: Batch) -> None:
        cfg = yaml.safe_load(b.config_path.read_text())
        cfg["rare_disease"] = {"weights": {"phenotyp": 0.5}}
        b.write_config(cfg)

    err = _bad(tmp_path, edit)
    assert "field 'rare_disease.weights'" in err and "phenotyp" in err
