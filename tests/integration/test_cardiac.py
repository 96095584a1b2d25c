"""The cardiac pilot end to end: CARD01's panel, finding, segregation, coverage gap and the
known-familial-variant report; bad cardiac input stops before any job."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest
from conftest import ROOT, Batch, make_batch

pytestmark = pytest.mark.integration

TRUTH = ROOT / "resources" / "demo" / "truth"
LMNA = "chr1-156136094-G-A"  # LMNA c.1130G>A p.(Arg377His), the family's variant


def _report(demo: Batch) -> dict:
    return json.loads((demo.workdir / "results" / "CARD01" / "report.json").read_text())


def _section(report: dict, sid: str) -> dict:
    return next(s for s in report["sections"] if s["id"] == sid)


def test_panel_is_stated_with_version_and_genes(demo_run: Batch):
    report = _report(demo_run)
    panel = report["panel"]
    assert panel["name"] == "DCM"
    assert panel["indications"] == [{"code": "DCM", "name": "Dilated Cardiomyopathy (DCM)"}]
    assert "Cardiac G2P ImperialCardioGenetics/G2P-Cardiac-Panel@75f57fa" in panel["version"]
    assert {"LMNA", "MYH7", "TTN", "RBM20", "DSP", "SCN5A"} <= set(panel["genes"])
    assert not panel["secondary_genes"]
    section = _section(report, "cardiac-panel")
    assert panel["version"] in section["note"]
    assert {r[0] for r in section["rows"]} == set(panel["genes"])
    # coverage is the panel's, and genes the mini-genome lacks are not assessable
    assert {g["gene"] for g in report["coverage"]["genes"]} == set(panel["genes"])
    whats = [x["what"] for x in report["not_assessable"]]
    assert "TTN: whole gene" in whats and not any(w.startswith("APC") for w in whats)
    assert 0.9 < panel["coverage"]["fraction_at_min_depth"] < 1.0


def test_family_variant_with_segregation(demo_run: Batch):
    report = _report(demo_run)
    variant = next(v for v in report["variants"] if v["id"] == LMNA)
    assert variant["classification"] == "Uncertain significance"
    pp1 = next(e for e in variant["evidence"] if e.get("code") == "PP1")
    assert not pp1["met"] and "1 informative meiosis" in pp1["evidence"]
    bs4 = next(e for e in variant["evidence"] if e.get("code") == "BS4")
    assert not bs4["met"]
    vus = _section(report, "cardiac-vus")
    row = next(r for r in vus["rows"] if r[0] == LMNA)
    assert row[2:4] == ["c.1130G>A", "p.(Arg377His)"]
    assert "co-segregates in 1 affected relative(s) (CARD01-S)" in row[-1]
    with open(TRUTH / "CARD01.tsv") as handle:
        truth = {
            r["sample"]: r["genotype"]
            for r in csv.DictReader(handle, delimiter="\t")
            if r["note"].startswith("causal")
        }
    status = {"0/1": "carrier", "0/0": "non-carrier"}
    geno = _section(report, "family-genotypes")
    got = {r[2]: r[5] for r in geno["rows"] if LMNA in r[0]}
    assert got == {s: status[gt] for s, gt in truth.items() if s != "CARD01-I"}
    plan = _section(report, "cascade-testing")["rows"]
    assert any(r[2] == "no predictive testing for this variant" for r in plan)  # a VUS


def test_uncovered_exon_in_the_panel_coverage(demo_run: Batch):
    with open(TRUTH / "uncovered_exon.tsv") as handle:
        truth = next(csv.DictReader(handle, delimiter="\t"))
    report = _report(demo_run)
    gap = next(
        g
        for g in report["coverage"]["gaps"]
        if g["gene"] == truth["gene"] and g["exon"] == f"exon{truth['exon_rank']}"
    )
    assert gap["fraction_at_min_depth"] == 0.0
    assert (gap["chrom"], gap["start"], gap["end"]) == (
        truth["grch38_chrom"],
        int(truth["grch38_start"]) - 10,
        int(truth["grch38_end"]) + 10,
    )
    na = next(x for x in report["not_assessable"] if x["what"].startswith("MYH7 exon25"))
    assert na["reason"].startswith("0.0% of its bases at >= 20x in CARD01-I")
    html = (demo_run.workdir / "results" / "CARD01" / "report.html").read_text()
    assert "MYH7 exon25" in html and "Cascade testing" in html


def test_targeted_report_of_the_relative(demo_run: Batch):
    results = demo_run.workdir / "results" / "CARD01"
    doc = json.loads((results / "targeted_CARD01-R.json").read_text())
    schema = json.loads((ROOT / "workflow" / "schemas" / "targeted.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["result"] == "non-carrier"
    assert doc["variant"]["id"] == LMNA and doc["variant"]["hgvs_p"] == "p.(Arg377His)"
    assert doc["reads"]["alt_reads"] == 0 and doc["reads"]["depth"] >= 20
    assert "non-carrier" in (results / "targeted_CARD01-R.html").read_text()
    # the family report calls LMNA c.1130G>A a VUS: no predictive result either way
    assert doc["classification"]["class"] == "Uncertain significance"
    assert "Predictive result negative" not in doc["advice"]
    assert doc["advice"].startswith("Not a predictive result")


# ----------------------------------------------------------------------------- bad input


def _cell(b: Batch, sample: str, column: str, value: str) -> None:
    path = b.sheet("samples.tsv")
    lines = path.read_text().splitlines()
    header = lines[0].split("\t")
    for i, ln in enumerate(lines[1:], 1):
        cells = ln.split("\t") + [""] * (len(header) - len(ln.split("\t")))
        if cells[1] == sample:
            cells[header.index(column)] = value
            lines[i] = "\t".join(cells)
    path.write_text("\n".join(lines) + "\n")


def unknown_indication(b: Batch) -> str:
    _cell(b, "CARD01-I", "indication", "DCM;XYZ")
    return "samples.tsv: line 2: field 'indication': 'XYZ' is not a Cardiac G2P referral"


def indication_outside_cardiac(b: Batch) -> str:
    _cell(b, "HG001", "indication", "DCM")
    return "field 'indication': a referral indication applies to cardiac patients only"


def malformed_indication(b: Batch) -> str:
    _cell(b, "CARD01-I", "indication", "DCM, HCM")
    return "field 'indication': 'DCM, HCM' does not match the expected format"


def unknown_config_indication(b: Batch) -> str:
    _cell(b, "CARD01-I", "indication", "")
    b.edit(cardiac__indications=["LQT"])
    return "config: field 'cardiac.indications': 'LQT' is not a Cardiac G2P referral indication"


def targeted_unknown_sample(b: Batch) -> str:
    b.edit(cardiac__targeted=[{"sample": "CARD01-X", "gene": "LMNA", "hgvs_c": "c.1130G>A"}])
    return "config: field 'cardiac.targeted.0.sample': sample 'CARD01-X' is not in the samples"


def targeted_both_forms(b: Batch) -> str:
    item = {"sample": "CARD01-R", "gene": "LMNA", "hgvs_c": "c.1130G>A", "chrom": "chr1",
            "pos": 156136094, "ref": "G", "alt": "A"}  # fmt: skip
    b.edit(cardiac__targeted=[item])
    return "config: field 'cardiac.targeted.0': name the variant by chrom, pos, ref and alt"


def targeted_gene_not_in_annotation(b: Batch) -> str:
    b.edit(cardiac__targeted=[{"sample": "CARD01-R", "gene": "RYR2", "hgvs_c": "c.1A>G"}])
    return "config: field 'cardiac.targeted.0': gene RYR2 has no coding transcript"


def targeted_position_outside_reference(b: Batch) -> str:
    item = {"sample": "CARD01-R", "chrom": "chr1", "pos": 1000, "ref": "A", "alt": "G"}
    b.edit(cardiac__targeted=[item])
    return "config: field 'cardiac.targeted.0': chr1:1000 is not in any reference contig"


def targeted_misspelled_hgvs(b: Batch) -> str:
    b.edit(cardiac__targeted=[{"sample": "CARD01-R", "gene": "LMNA", "hgvs_c": "c.1130C>A"}])
    return "config: field 'cardiac.targeted.0': 'c.1130C>A': the reference base at c.1130 is G"


CASES: list[Callable[[Batch], str]] = [
    unknown_indication,
    indication_outside_cardiac,
    malformed_indication,
    unknown_config_indication,
    targeted_unknown_sample,
    targeted_both_forms,
    targeted_gene_not_in_annotation,
    targeted_position_outside_reference,
    targeted_misspelled_hgvs,
]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_bad_cardiac_input_stops_before_any_job(tmp_path: Path, case: Callable[[Batch], str]):
    b = make_batch(tmp_path / "batch", patients=["CARD01", "HG001"])
    expected = case(b)
    proc = b.run("-n")
    assert proc.returncode == 1, proc.stderr[-2000:]
    errors = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(errors) == 1, proc.stderr
    assert errors[0].startswith("bigmed: error: ")
    assert expected in errors[0], errors[0]
    assert not (b.workdir / "results").exists()
