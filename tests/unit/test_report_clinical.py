"""What a clinician signs: one findings rule, one target, QC beside each finding, the
report's opening block, and the long tables summarised (issue: reports a clinician can sign)."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import jsonschema
import pytest
from bigmed.report import sections
from bigmed.report.batch import render_summary, top_finding
from bigmed.report.document import (
    apply_analysed_regions,
    coverage_section,
    finding_qc,
    validate_report,
)
from bigmed.report.html import render_html
from bigmed.report.interpretation import merge, pending
from bigmed.report.tsv import gaps_tsv

from unit.test_report import make, variant

VUS = "Uncertain significance"


def _finding(cls: str) -> dict:
    return {"variant_id": "chr7-140753336-A-T", "gene": "BRAF", "hgvs_p": "p.(Val600Glu)",
            "classification": cls, "summary": "s"}  # fmt: skip


# ------------------------------------------------------------------ one findings rule


@pytest.mark.parametrize("cls", [VUS, "Likely benign", "Tier III", "Tier IV", None])
def test_a_vus_or_tier_iii_is_never_a_finding(cls: str | None) -> None:
    """The schemas refuse any finding that is not P/LP or Tier I/II: in the pilot's
    interpretation document and in report.json."""
    doc = pending("rare_disease")
    doc.update(status="complete", findings=[_finding(cls)])  # type: ignore[arg-type]
    with pytest.raises(jsonschema.ValidationError):
        merge(make(), doc)
    report = make()
    report["findings"] = [_finding(cls)]  # type: ignore[arg-type]
    with pytest.raises(jsonschema.ValidationError):
        validate_report(report)


@pytest.mark.parametrize("cls", ["Pathogenic", "Likely pathogenic", "Tier I (level A)", "Tier II"])
def test_plp_and_tier_i_ii_are_findings(cls: str) -> None:
    report = make()
    report["findings"] = [_finding(cls)]
    validate_report(report)
    assert top_finding(report).endswith(cls)


def _with_candidate() -> dict:
    """A rare-disease report whose only ranked candidate is a VUS (RD01's shape)."""
    report = make()
    doc = pending("rare_disease")
    cand = dict(_finding(VUS), rank=1, score=0.8, diseases=[], genotype_text="S1 0/1 (30x)")
    doc.update(status="complete", findings=[], candidates=[cand])
    return merge(report, doc)


def test_a_ranked_vus_is_a_candidate_for_review_not_a_finding() -> None:
    report = _with_candidate()
    validate_report(report)
    assert report["findings"] == [] and len(report["candidates"]) == 1
    page = render_html(report)
    summary = re.search(r"<p class='small' id='summary'>(.*?)</p>", page)
    assert summary and summary.group(1).startswith("0 finding(s) &middot; 1 candidate(s)")
    assert "No finding is reported" in page and "Candidates for review" in page
    batch = render_summary([report])
    assert top_finding(report) == "none reported"
    row = re.search(r"<tbody><tr>(.*?)</tr>", batch)
    assert row and "none reported" in row.group(1) and f"1: BRAF p.(Val600Glu) {VUS}" in batch


# ------------------------------------------------------------------ one target


def _mosdepth(tmp: Path, sample: str, exons: list[tuple[str, int, int, str, int, float]]) -> tuple:
    thr, reg = tmp / f"{sample}.thr.bed.gz", tmp / f"{sample}.reg.bed.gz"
    with gzip.open(thr, "wt") as h:
        h.write("#chrom\tstart\tend\tregion\t1X\t20X\n")
        for c, s, e, n, cov, _ in exons:
            h.write(f"{c}\t{s}\t{e}\t{n}\t{e - s}\t{cov}\n")
    with gzip.open(reg, "wt") as h:
        for c, s, e, n, _, mean in exons:
            h.write(f"{c}\t{s}\t{e}\t{n}\t{mean}\n")
    return str(thr), str(reg)


def test_one_target_per_patient(tmp_path: Path) -> None:
    """Sample QC, gene coverage and gaps are over the same bases: the analysed regions."""
    exons = [
        ("chr7", 100, 200, "BRAF:NM_004333.4:exon1", 100, 40.0),
        ("chr7", 300, 400, "BRAF:NM_004333.4:exon2", 50, 15.0),
        ("chr9", 100, 1100, "OTHER:NM_1.1:exon1", 0, 0.0),  # not in the coverage: not analysed
    ]
    thr, reg = _mosdepth(tmp_path, "S1", exons)
    targets = tmp_path / "targets.bed"
    targets.write_text("chr7\t0\t1000\nchr9\t0\t2000\n")
    cov = coverage_section(thr, str(targets), 20, 10, None)
    report = make()
    report["coverage"] = dict(cov, genes=[g for g in cov["genes"] if g["gene"] == "BRAF"])
    apply_analysed_regions(report, {"S1": (thr, reg)}, str(targets))
    qc = report["samples"][0]["qc"]
    braf = report["coverage"]["genes"][0]
    assert qc["fraction_target_at_min_depth"] == pytest.approx(braf["fraction_at_min_depth"])
    assert qc["fraction_target_at_min_depth"] == pytest.approx(0.75)
    assert qc["mean_coverage"] == pytest.approx(27.5)
    assert report["analysed_regions"]["bases"] == 200 and report["analysed_regions"]["genes"] == 1
    assert qc["status"] == "warn" and "of the analysed regions at >= 20x" in qc["reasons"][0]
    validate_report(report)
    page = render_html(report)
    assert "analysed regions ≥ 20x" in page and "target ≥" not in page


def test_a_finding_shows_the_qc_that_bears_on_it() -> None:
    """CRC01's BRAF: a tumor with 42 % mapped reads and 19x in the normal at the site."""
    samples = [
        {"sample": "T", "role": "tumor", "sex": "male", "affected": "yes"},
        {"sample": "N", "role": "normal", "sex": "male", "affected": "no"},
    ]
    gts = {"T": {"gt": "0/1", "dp": 235, "ad": [84, 151], "vaf": 0.64},
           "N": {"gt": "0/0", "dp": 19, "ad": [19, 0], "vaf": 0.0}}  # fmt: skip
    report = make(samples=samples, variants=[variant(genotypes=gts)])
    report["samples"][0]["qc"].update(status="warn", reasons=["mapped 42.2% < 90%: check it"])
    notes = finding_qc(report, _finding("Tier I (level A)"))
    assert "N (normal): depth 19x at the site < 20x" in notes
    assert "T: mapped 42.2% < 90%" in notes
    report["findings"] = [dict(_finding("Tier I (level A)"), qc=notes)]
    assert "depth 19x at the site" in render_html(report)


# ------------------------------------------------------------------ clutter and content


def test_exon_gaps_are_summarised_per_gene_with_the_full_list_in_the_tsv() -> None:
    gaps = [
        {"gene": "TTN", "transcript": "NM_1", "exon": f"exon{i}", "chrom": "chr2",
         "start": 1000 * i, "end": 1000 * i + 99, "fraction_at_min_depth": 0.5}
        for i in range(1, 301)
    ]  # fmt: skip
    report = make(gaps=gaps)
    html = "\n".join(sections.coverage(report))
    assert "300 in 1 gene(s)" in html and html.count("<tr>") == 2  # header + one gene row
    assert len(gaps_tsv(report).splitlines()) == 301


def test_acmg_table_lists_candidate_calls_and_folds_the_rest() -> None:
    acmg = [{"type": "acmg", "class": VUS, "points": 0, "criteria_met": []}]
    report = make(
        variants=[
            variant(evidence=acmg),
            variant(id="chr7-5-A-G", pos=5, consequence="intron", hgvs_p=None,
                    hgvs_c="c.10+5A>G", evidence=acmg),
            variant(id="chr7-9-A-G", pos=9, consequence="intron", hgvs_c="c.10+9A>G"),
        ]
    )  # fmt: skip
    report["sections"] = [
        {"id": "acmg-classification", "title": "ACMG/AMP classification",
         "columns": ["variant", "gene", "HGVS c.", "HGVS p.", "class", "points", "criteria met"],
         "rows": [["chr7-140753336-A-T", "BRAF", "c.1799T>A", "p.(Val600Glu)", VUS, 0, "none"],
                  ["chr7-5-A-G", "BRAF", "c.10+5A>G", None, VUS, 0, "none"]]}
    ]  # fmt: skip
    html = "\n".join(sections.pilot_sections(report))
    # only calls the engine classified count; the section's own rows are not needed
    report["sections"][0]["rows"] = []
    html = "\n".join(sections.pilot_sections(report))
    assert "1 of 2 classified call(s) shown" in html and "href='#variants'" in html
    shown, folded = html.split("<details", 1)
    assert "c.1799T&gt;A" in shown and "c.10+5A&gt;G" not in shown and "c.10+5A&gt;G" in folded


def test_link_cells_allow_https_only() -> None:
    assert sections.cell({"text": "EID9851", "href": "https://civicdb.org/x"}).startswith(
        "<a href='https://civicdb.org/x'"
    )
    assert sections.cell({"text": "x", "href": "javascript:alert(1)"}) == "x"
    assert sections.cell(["a", "b"]) == "a; b" and sections.cell(None) == ""


def test_header_states_test_limits_and_empty_sign_off_fields() -> None:
    report = make()
    report["referral"] = {"sample": "S1", "hpo": [{"id": "HP:0001250", "name": "Seizure"}],
                          "indications": [], "tumor_type": None, "purity": None}  # fmt: skip
    page = render_html(report)
    head = page[page.index("id='report-header'") : page.index("id='findings'")]
    expected = ("Seizure (HP:0001250)", "copy-number and structural variants",
                "repeat expansions", "mosaic", "intended use", "Reviewed by", "Date")  # fmt: skip
    for text in expected:
        assert text.lower() in head.lower()
    assert re.search(r"<th>Reviewed by</th><td></td>", head)


def test_biomarker_values_are_text_and_shown_once() -> None:
    report = make()
    report["biomarkers"] = [
        {"name": "BRAF V600E", "status": "positive", "value": ["BRAF p.(Val600Glu), VAF 0.64"],
         "reason": "somatic call at codon 600"}
    ]  # fmt: skip
    report["biomarker_note"] = "Limit of detection: 61x."
    page = render_html(report)
    assert "['BRAF" not in page and page.count(">BRAF V600E<") == 1
    assert "Limit of detection: 61x." in page


def test_a_long_pilot_table_prints_its_first_rows_and_says_where_the_rest_is() -> None:
    report = make()
    rows = [[f"row{i}", i] for i in range(sections.PRINT_ROWS + 5)]
    report["sections"] = [{"id": "long", "title": "Long", "columns": ["a", "b"], "rows": rows}]
    html = "\n".join(sections.pilot_sections(report))
    assert html.count("<tr class='noprint'>") == 5
    assert "5 more row(s) of this table are on the HTML page and in report.json" in html


def test_a_finding_links_its_clinvar_record() -> None:
    clinvar = [{"type": "clinvar", "variation_id": 13961, "significance": "Pathogenic"}]
    report = make(variants=[variant(evidence=clinvar)])
    report["findings"] = [_finding("Pathogenic")]
    html = "\n".join(sections.findings(report))
    assert "href='https://www.ncbi.nlm.nih.gov/clinvar/variation/13961/'" in html
    report["variants"][0]["evidence"] = []
    assert "clinvar/variation" not in "\n".join(sections.findings(report))
