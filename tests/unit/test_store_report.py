"""The store's lookup in a report: fields that pass the report schema, the section the page
renders, and the re-analysis diff of the lab's classes."""

from __future__ import annotations

import copy

from bigmed.report.changes import compare
from bigmed.report.document import validate_report
from bigmed.report.html import render_html
from bigmed.store import classifications as cls
from bigmed.store.annotate import merge_lookup
from bigmed.store.db import open_store
from bigmed.store.lookup import Settings, lookup
from bigmed.store.observations import Variant, load_patients, read_patient

from unit.storefixtures import write_vcf
from unit.test_report import make, variant

LMNA = ("chr1", 156136094, "G", "A")


def _store(tmp_path):
    """Three cardiac patients with the LMNA allele, one of them classified by the lab."""
    store = open_store(str(tmp_path / "s.sqlite"))
    batch = []
    for i in range(3):
        vcf = write_vcf(
            tmp_path / f"c{i}.vcf", [f"C{i}"], [(*LMNA, ["PASS"], {f"C{i}": ((0, 1), (9, 9))})]
        )
        batch.append(read_patient(f"C{i}", "cardiac", {f"C{i}": "proband"}, vcf, None))
    load_patients(store, batch)
    return store


def _lmna_report():
    v = variant(
        id="chr1-156136094-G-A",
        chrom="chr1",
        pos=156136094,
        ref="G",
        alt="A",
        gene="LMNA",
        hgvs_c="c.1130G>A",
        hgvs_p="p.(Arg377His)",
        classification="Uncertain significance",
    )
    return make(variants=[v, variant()])


def test_lookup_fields_pass_the_report_schema_and_render(tmp_path):
    store = _store(tmp_path)
    cls.record(
        store,
        Variant(*LMNA),
        "Dilated cardiomyopathy",
        "Likely pathogenic",
        cls.parse_criteria("PS4_Moderate,PP1"),
        "R. <b>One</b>",
        "2026-02-01",
    )
    report = _lmna_report()
    doc = lookup(
        store,
        "C0",
        ["chr1-156136094-G-A", "chr7-140753336-A-T"],
        Settings(),
        {"chr1-156136094-G-A": {"clinvar": {"class": "Uncertain significance", "stars": 2}}},
    )
    store.close()
    merge_lookup(report, doc)
    validate_report(report)
    lmna, braf = report["variants"]
    assert lmna["observations"]["germline"]["patients"] == 2
    assert lmna["lab_classification"]["differs_from"] == [
        {"source": "ClinVar", "class": "Uncertain significance"}
    ]
    assert braf["lab_classification"] is None
    section = report["sections"][-1]
    assert section["id"] == "local-knowledge"
    assert [r[0] for r in section["rows"]] == ["chr1-156136094-G-A"]  # BRAF: nothing to say
    row = section["rows"][0]
    assert row[3] == "2 of 2 patients (cardiac 2 of 2); 2 carrier(s)"
    assert row[6].startswith(
        "Likely pathogenic for Dilated cardiomyopathy (version 1; R. <b>One</b>"
    )
    assert "never used as ACMG evidence" in section["note"]
    page = render_html(report)
    assert "Seen before in this lab" in page
    assert "R. <b>One</b>" not in page and "R. &lt;b&gt;One&lt;/b&gt;" in page


def test_reanalysis_lists_the_labs_reclassification(tmp_path):
    store = _store(tmp_path)
    keys = ["chr1-156136094-G-A"]
    before = _lmna_report()
    merge_lookup(before, lookup(store, "C0", keys, Settings()))
    cls.record(store, Variant(*LMNA), "DCM", "Likely pathogenic", [], "R. One", "2026-02-01")
    after = copy.deepcopy(_lmna_report())
    merge_lookup(after, lookup(store, "C0", keys, Settings()))
    items = compare(before, after)["items"]
    assert {
        "change": "reclassified by the lab",
        "what": "LMNA p.(Arg377His)",
        "before": None,
        "after": "Likely pathogenic (DCM)",
    } in items
    # a new version with the same class is not a change of class
    cls.record(store, Variant(*LMNA), "DCM", "Likely pathogenic", [], "R. Two", "2026-03-01")
    again = _lmna_report()
    merge_lookup(again, lookup(store, "C0", keys, Settings()))
    assert not [
        i for i in compare(after, again)["items"] if i["change"] == "reclassified by the lab"
    ]
    store.close()
