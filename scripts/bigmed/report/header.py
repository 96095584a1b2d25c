"""The report's opening block: specimens, referral, test and methods, intended use and
limitations, and empty sign-off fields (what a signed clinical report carries; PCGR/CPSR and
ACMG-style lab reports put the same facts first).

Everything here comes from report.json; the fixed sentences (what the test cannot detect,
intended use) are stated once in this module so every pilot's page says the same.
"""

from __future__ import annotations

import html
from typing import Any

from bigmed.report.plots import pct

E = html.escape

PILOT_TEST = {
    "rare_disease": "Germline variant analysis for a rare disease: family-based calling, "
    "inheritance models, ACMG/AMP classification and HPO-based candidate ranking",
    "cardiac": "Germline gene-panel analysis for inherited cardiac disease: ACMG/AMP "
    "classification in the panel's genes, exon coverage, segregation and cascade testing",
    "crc": "Somatic tumor analysis for metastatic colorectal cancer: somatic calling, "
    "biomarker card (RAS/BRAF/PIK3CA/POLE, ERBB2, MSI, TMB), AMP/ASCO/CAP tiers and therapy "
    "evidence",
}
CANNOT_DETECT = [
    "copy-number and structural variants (exon or gene deletions and duplications, "
    "rearrangements, fusions){crc}",
    "repeat expansions and variants in low-complexity or segmentally duplicated sequence",
    "mosaic or subclonal variants below the detection limit ({lod})",
    "variants outside the analysed regions (deep intronic, regulatory) and in bases below "
    "{depth}x (listed under 'Not assessable')",
]
INTENDED_USE = (
    "Research use. This report supports, and does not replace, review by a qualified "
    "clinical scientist; it is not a validated diagnostic test. A result is not final until "
    "the fields below are signed."
)
LIMITATIONS = (
    "Classification uses the knowledge-base versions listed under Provenance; no in-silico "
    "predictors or functional data. Absence of a finding is not evidence of absence where "
    "coverage or sources are incomplete. Sample identity is as stated in the samples sheet "
    "unless the sample checks confirm it."
)


def _specimens(report: dict[str, Any]) -> str:
    rows = []
    for s in report["samples"]:
        extra = ""
        if s["role"] == "tumor":
            purity = s.get("purity")
            extra = f"{s.get('tumor_type') or 'tumor type not given'}; purity " + (
                pct(purity) if purity is not None else "unknown (not in the samples sheet)"
            )
        rows.append(
            f"<tr><td>{E(s['sample'])}</td><td>{E(s['role'])}</td><td>{E(s['sex'])}</td>"
            f"<td>{E(s['affected'])}</td><td>{E(extra)}</td></tr>"
        )
    return (
        "<div class='tw'><table class='specimens'><thead><tr><th>sample</th><th>role</th>"
        "<th>sex</th><th>affected</th><th>tumor</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></div>"
    )


def _referral(report: dict[str, Any]) -> str:
    """The referral reason: HPO terms (with names), indications, tumor type."""
    ref = report.get("referral") or {}
    parts = []
    if ref.get("hpo"):
        terms = "; ".join(
            f"{t['name']} ({t['id']})" if t.get("name") else t["id"] for t in ref["hpo"]
        )
        parts.append(f"HPO terms of {ref.get('sample')}: {terms}")
    if ref.get("indications"):
        parts.append("indication: " + ", ".join(ref["indications"]))
    if report.get("panel"):
        parts.append(f"panel {report['panel'].get('name')} ({report['panel'].get('version')})")
    if ref.get("tumor_type"):
        parts.append(f"tumor type (OncoTree): {ref['tumor_type']}")
    return E(" · ".join(parts) or "not stated in the samples sheet")


def _regions(report: dict[str, Any]) -> str:
    reg = report.get("analysed_regions")
    if not reg or not reg["genes"]:
        if all(s["qc"]["status"] == "not assessable" for s in report["samples"]):
            return "none with read depth (no reads: the samples entered as a VCF)"
        return "none: no coding exon of an annotated gene lies inside the targets"
    return f"{reg['genes']} gene(s), {reg['bases']:,} bases: {reg['definition']}"


def _lod(report: dict[str, Any]) -> str:
    if report["pilot"] == "crc":
        return "about 10 % allele fraction in the tumor for the biomarker codons; see the note"
    return (
        "the germline callers assume diploid genotypes: a variant in fewer than about 20 % "
        "of the reads may be missed or filtered"
    )


def methods_rows(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, HTML) rows of the test-and-methods table."""
    depth = report["coverage"]["min_depth"]
    crc = "; ERBB2 amplification is estimated from depth only" if report["pilot"] == "crc" else ""
    cannot = "".join(
        f"<li>{E(x.format(crc=crc, lod=_lod(report), depth=depth))}</li>" for x in CANNOT_DETECT
    )
    return [
        ("test", E(PILOT_TEST.get(report["pilot"], report["pilot"]))),
        ("referral", _referral(report)),
        ("regions analysed", E(_regions(report))),
        ("not detected by this test", f"<ul class='tight'>{cannot}</ul>"),
        ("intended use", E(INTENDED_USE)),
        ("limitations", E(LIMITATIONS)),
    ]


def report_header(report: dict[str, Any]) -> list[str]:
    """The opening section: specimens, methods rows and the sign-off fields."""
    rows = "".join(f"<tr><th>{E(k)}</th><td>{v}</td></tr>" for k, v in methods_rows(report))
    return [
        "<section id='report-header'><h2>Patient, specimens and test</h2>",
        _specimens(report),
        f"<div class='tw'><table class='methods'><tbody>{rows}</tbody></table></div>",
        "<table class='signoff'><tbody><tr><th>Reviewed by</th><td></td><th>Date</th><td></td>"
        "<th>Signature</th><td></td></tr></tbody></table>",
        "</section>",
    ]
