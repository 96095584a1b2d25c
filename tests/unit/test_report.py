"""Report assembly, schema, HTML escaping, TSV."""

from __future__ import annotations

import re

import jsonschema
import pytest
from bigmed.intake.qc import SampleQC
from bigmed.report.batch import render_summary
from bigmed.report.document import build_report, validate_report
from bigmed.report.html import render_html
from bigmed.report.tsv import variants_tsv

EVIL = "<script>alert(1)</script>"


def provenance() -> dict:
    return {
        "pipeline_version": "0.1.0",
        "git_commit": "abc",
        "config_hash": "0" * 64,
        "reference": {"path": "ref.fa", "sha256": "1" * 64, "build": "GRCh38"},
        "annotation": {"path": "a.gff3", "sha256": "2" * 64},
        "tools": {"bwa": "0.7.17"},
        "python_packages": {"pysam": "0.24.1"},
        "knowledge_bases": [],
        "inputs": [{"sample": "S1", "unit": "L1", "path": "r1.fq.gz", "sha256": "3" * 64}],
    }


def variant(**kw) -> dict:
    v = {
        "id": "chr7-140753336-A-T",
        "chrom": "chr7",
        "pos": 140753336,
        "ref": "A",
        "alt": "T",
        "filter": "PASS",
        "qual": 221.1,
        "gene": "BRAF",
        "transcript": "NM_004333.4",
        "mane_select": True,
        "consequence": "missense",
        "hgvs_c": "c.1799T>A",
        "hgvs_p": "p.(Val600Glu)",
        "genotypes": {"S1": {"gt": "0/1", "dp": 260, "ad": [103, 151], "vaf": 0.59}},
        "classification": None,
        "rank": None,
        "evidence": [],
    }
    v.update(kw)
    return v


def make(samples=None, variants=None, gaps=None, qc_status="pass", patient="P1") -> dict:
    samples = samples or [
        {
            "sample": "S1",
            "role": "proband",
            "sex": "female",
            "affected": "yes",
            "phenotypes": ["HP:0001250"],
        }
    ]
    qc = {
        s["sample"]: SampleQC(
            s["sample"],
            reads=1000,
            reads_after_trimming=990,
            mapped_fraction=0.99,
            duplicate_fraction=0.01,
            mean_coverage=35.0,
            fraction_target_at_min_depth=0.97,
            status=qc_status,
            reasons=[] if qc_status == "pass" else ["no reads left"],
        )
        for s in samples
    }
    coverage = {
        "min_depth": 20,
        "exon_padding": 10,
        "genes": [
            {
                "gene": "BRAF",
                "transcript": "NM_004333.4",
                "coding_bases": 2300,
                "fraction_at_min_depth": 0.5 if gaps else 1.0,
                "status": "not assessable" if gaps else "assessable",
            }
        ],
        "gaps": gaps or [],
    }
    return build_report(
        patient=patient,
        pilot="rare_disease",
        samples=samples,
        qc=qc,
        variants=variants if variants is not None else [variant()],
        coverage=coverage,
        provenance=provenance(),
    )


def test_report_validates_and_lists_what_is_not_assessable():
    gap = {
        "gene": "BRAF",
        "transcript": "NM_004333.4",
        "exon": "exon15",
        "chrom": "chr7",
        "start": 140753270,
        "end": 140753400,
        "fraction_at_min_depth": 0.2,
    }
    report = make(gaps=[gap], qc_status="fail")
    whats = [x["what"] for x in report["not_assessable"]]
    assert "sample S1" in whats and "BRAF (NM_004333.4)" in whats
    html = render_html(report)
    assert "not assessable" in html and "chr7:140753270-140753400" in html


def test_schema_rejects_missing_provenance_and_bad_hash():
    report = make()
    bad = dict(report)
    bad["provenance"] = dict(report["provenance"], config_hash="xyz")
    with pytest.raises(jsonschema.ValidationError):
        validate_report(bad)
    bad = {k: v for k, v in report.items() if k != "provenance"}
    with pytest.raises(jsonschema.ValidationError):
        validate_report(bad)


def test_every_free_text_field_is_escaped_in_html():
    report = make(
        variants=[
            variant(
                gene=EVIL, hgvs_c=EVIL, hgvs_p=EVIL, consequence=EVIL, transcript=EVIL, filter=EVIL
            )
        ]
    )
    report["provenance"]["inputs"][0]["path"] = EVIL
    report["provenance"]["tools"]["bwa"] = EVIL
    report["not_assessable"].append({"what": EVIL, "reason": EVIL})
    report["samples"][0]["sample"] = "S1"
    html = render_html(report)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # the only scripts are the inline ones bigmed writes
    assert len(re.findall(r"<script>", html)) == 1


def test_summary_escapes_patient_and_links_reports():
    report = make()
    report["patient"] = EVIL
    html = render_summary([report])
    assert "<script>alert" not in html


def test_html_has_no_external_resources_and_a_csp():
    html = render_html(make())
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"src\s*=\s*['\"]?(https?:)?//", html) and "<link" not in html


def test_tsv_has_one_row_per_variant_and_no_tabs_inside_cells():
    report = make(variants=[variant(), variant(id="x", gene="A\tB")])
    lines = variants_tsv(report).splitlines()
    assert len(lines) == 3
    assert all(len(ln.split("\t")) == len(lines[0].split("\t")) for ln in lines)


def test_interpretation_merge_classifies_variants_and_adds_sections():
    from bigmed.report.interpretation import merge, pending

    report = make()
    doc = pending("crc")
    doc.update(
        status="complete",
        note="AMP/ASCO/CAP tiers from MOAlmanac",
        findings=[
            {
                "variant_id": "chr7-140753336-A-T",
                "gene": "BRAF",
                "hgvs_p": "p.(Val600Glu)",
                "classification": "Tier I",
                "summary": EVIL,
            }
        ],
        biomarkers=[{"name": "MSI", "status": "not evaluable", "reason": "too few sites"}],
        variants={
            "chr7-140753336-A-T": {
                "classification": "Tier I",
                "rank": 1,
                "evidence": [{"source": "MOAlmanac"}],
            }
        },
        knowledge_bases=[{"name": "MOAlmanac", "version": "2025-02-07"}],
        sections=[{"id": "card", "title": "Biomarker card", "columns": ["a"], "rows": [[EVIL]]}],
    )
    merge(report, doc)
    validate_report(report)
    assert report["variants"][0]["classification"] == "Tier I"
    assert report["variants"][0]["rank"] == 1
    assert report["provenance"]["knowledge_bases"][0]["name"] == "MOAlmanac"
    html = render_html(report)
    assert "Biomarker card" in html and "not evaluable" in html
    assert "<script>alert" not in html
    bad = pending("crc")
    bad["status"] = "done"
    with pytest.raises(jsonschema.ValidationError):
        merge(make(), bad)


def test_changes_between_reports():
    from bigmed.report.changes import compare

    old = make()
    new = make(
        variants=[
            variant(classification="Likely pathogenic"),
            variant(id="chr1-5-A-G", pos=5, gene="X", hgvs_p="p.(Lys2Arg)"),
        ]
    )
    new["findings"] = [
        {
            "variant_id": "chr7-140753336-A-T",
            "gene": "BRAF",
            "hgvs_p": "p.(Val600Glu)",
            "classification": "Likely pathogenic",
            "summary": "s",
        }
    ]
    new["provenance"]["knowledge_bases"] = [{"name": "ClinVar", "version": "2026-11"}]
    changes = compare(old, new)
    kinds = sorted(i["change"] for i in changes["items"])
    assert kinds == ["knowledge base", "new call", "new finding", "reclassified"]
    new["changes"] = changes
    validate_report(new)
    assert "Changes since the previous report" in render_html(new)
    assert compare(new, new)["items"] == []


def test_stylesheet_and_script_are_inlined_from_the_package_assets():
    from bigmed.report.html import asset

    css, js = asset("report.css"), asset("report.js")
    assert css.endswith("}\n") and "sortTable" in js
    page = render_html(make())
    assert f"<style>\n{css}</style>" in page and f"<script>\n{js}</script>" in page
    # the batch page shares the stylesheet, and neither page loads anything
    assert f"<style>\n{css}</style>" in render_summary([make()])


def test_sections_without_content_are_left_out_and_long_lists_folded():
    from bigmed.report import sections

    report = make(variants=[variant(), variant(id="chr1-5-A-G", pos=5)])
    assert sections.changes(report) == []
    assert "id='changes'" not in render_html(report)
    report["not_assessable"] = [
        {"what": f"gene{i}", "reason": "r"} for i in range(sections.NA_SHOWN + 3)
    ]
    page = render_html(report, max_variants=1)
    assert "<details><summary>3 more</summary>" in page
    assert "1 more variants are in report.json and variants.tsv." in page


def test_vaf_histogram_puts_a_vaf_of_one_in_the_last_bin():
    from bigmed.report.plots import vaf_svg

    svg = vaf_svg([1.0, 0.5, 0.52])
    assert "<title>0.95-1.00: 1</title>" in svg and "<title>0.50-0.55: 2</title>" in svg
    assert "(n=3)" in svg


def test_a_candidate_shows_the_class_its_finding_shows() -> None:
    """A rare-disease candidate that is also a finding resting on an expert panel showed the
    engine's class (Likely pathogenic) beside the finding's Pathogenic on the same page."""
    from bigmed.report.sections import candidates

    base = {"rank": 2, "gene": "FBN1", "hgvs_c": "c.4255C>T", "acmg_criteria": ["PVS1"],
            "summary": "", "diseases": []}  # fmt: skip
    known = {**base, "classification": "Pathogenic", "engine_classification": "Likely pathogenic",
             "rests_on": "ClinGen FBN1 VCEP (expert panel)"}  # fmt: skip
    page = "".join(candidates({"candidates": [known]}))
    shown = "Pathogenic, rests on ClinGen FBN1 VCEP (expert panel); engine: Likely pathogenic"
    assert f"{shown} (PVS1)" in page
    engine_only = {**base, "classification": "Likely pathogenic", "rests_on": "ACMG/AMP engine"}
    page = "".join(candidates({"candidates": [engine_only]}))
    assert "Likely pathogenic (PVS1)" in page and "rests on" not in page


def test_the_findings_rule_is_the_patients_pilots():
    """A rare-disease report states the P/LP rule alone; a colorectal one adds its tiers."""
    from bigmed.report.sections import FINDING_RULE, FINDING_RULE_CRC

    rd = render_html(make())
    assert FINDING_RULE in rd and "Tier I/II" not in rd
    crc = make()
    crc["pilot"] = "crc"
    html = render_html(crc)
    assert FINDING_RULE_CRC in html and FINDING_RULE not in html
