"""The patient report page (report.html): page shell around the section renderers.

The page is self-contained so that it can be archived, mailed and printed to PDF without
network access: the stylesheet and script (``assets/report.css``, ``assets/report.js``) are
inlined, and a strict Content-Security-Policy allows nothing else to load.
"""

from __future__ import annotations

import html
from importlib import resources
from typing import Any

from bigmed.report import header, sections
from bigmed.report.sections import qc_class

E = html.escape
QC_ORDER = ["pass", "not assessable", "warn", "fail"]
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"
FOOTER = "</main></body></html>"


def asset(name: str) -> str:
    """The text of one file of ``bigmed/report/assets`` (shipped as package data)."""
    return resources.files("bigmed.report").joinpath("assets", name).read_text(encoding="utf-8")


def style_tag() -> str:
    """The report stylesheet, inlined (every bigmed page shares it)."""
    return f"<style>\n{asset('report.css')}</style>"


def script_tag() -> str:
    """The report script (table sorting and the variant filter), inlined."""
    return f"<script>\n{asset('report.js')}</script>"


def worst_qc(report: dict[str, Any]) -> str:
    """The worst QC status of the report's samples: pass < not assessable < warn < fail."""
    statuses: list[str] = [s["qc"]["status"] for s in report["samples"]]
    return max(statuses, key=QC_ORDER.index)


def _head(report: dict[str, Any]) -> list[str]:
    return [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        f"<title>bigmed report {E(report['patient'])}</title>{style_tag()}",
        f"{script_tag()}</head><body>",
    ]


def _header(report: dict[str, Any]) -> list[str]:
    """Patient, pilot, pipeline version, generation time and the worst sample QC."""
    qc = E(worst_qc(report))
    css = E(qc_class(worst_qc(report)))
    return [
        f"<header><h1>Patient {E(report['patient'])} &middot; {E(report['pilot'])}</h1>",
        f"<div class='meta'>bigmed {E(report['provenance']['pipeline_version'])} &middot; "
        f"GRCh38 &middot; generated {E(report['generated'])} &middot; sample QC: "
        f"<span class='badge {css}'>{qc}</span> &middot; "
        "<a href='../qc/multiqc.html'>MultiQC</a> &middot; "
        "<a href='../batch/summary.html'>batch summary</a></div></header><main>",
    ]


def render_html(report: dict[str, Any], max_variants: int = 2000) -> str:
    """report.html of a report.json: findings first, provenance last."""
    body = [
        *sections.summary(report),
        *header.report_header(report),
        *sections.findings(report),
        *sections.candidates(report),
        *sections.changes(report),
        *sections.pilot_sections(report),
        *sections.not_assessable(report),
        *sections.variants(report, max_variants),
        *sections.coverage(report),
        *sections.sample_qc(report),
        *sections.provenance(report),
    ]
    return "\n".join([*_head(report), *_header(report), *body]) + FOOTER
