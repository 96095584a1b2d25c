"""Batch summary page: one row per patient, linking to each report and to MultiQC.

The "top finding" follows the reports' one rule: a finding is pathogenic / likely
pathogenic (crc: Tier I/II); a rare-disease candidate for review is counted in its own
column, never shown as a finding.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bigmed.report.html import CSP, script_tag, style_tag, worst_qc
from bigmed.report.sections import qc_class

E = html.escape
FINDING = re.compile(r"^(Pathogenic|Likely pathogenic|Tier I|Tier II)( \(.*\))?$")


def _label(f: dict[str, Any]) -> str:
    return " ".join(str(f.get(k) or "") for k in ("gene", "hgvs_p", "classification")).strip()


def top_finding(report: dict[str, Any]) -> str:
    """The first finding in a few words, or "none reported"; only a real finding counts."""
    real = [f for f in report["findings"] if FINDING.match(str(f.get("classification") or ""))]
    return _label(real[0]) if real else "none reported"


def candidates_text(report: dict[str, Any]) -> str:
    """Rare disease: how many candidates for review and the first one; '' elsewhere."""
    cands = report.get("candidates")
    if cands is None:
        return ""
    if not cands:
        return "none"
    return f"{len(cands)}: {_label(cands[0])}"


def _qc_cell(report: dict[str, Any]) -> str:
    """The worst sample status with the reasons behind it (what the user acts on)."""
    worst = worst_qc(report)
    reasons = [
        f"{s['sample']}: {r.split(': ')[0] if worst != 'not assessable' else r}"
        for s in report["samples"]
        if s["qc"]["status"] == worst
        for r in s["qc"]["reasons"]
    ]
    detail = f"<br><span class='small'>{E('; '.join(reasons))}</span>" if reasons else ""
    return f"<span class='{E(qc_class(worst))}'>{E(worst)}</span>{detail}"


def _row(r: dict[str, Any]) -> str:
    patient = E(r["patient"])
    return (
        f"<tr><td><a href='../{patient}/report.html'>{patient}</a></td><td>{E(r['pilot'])}</td>"
        f"<td>{len(r['samples'])}</td><td>{_qc_cell(r)}</td>"
        f"<td>{E(top_finding(r))}</td><td>{E(candidates_text(r))}</td>"
        f"<td>{len(r['not_assessable'])}</td><td>{len(r['variants'])}</td></tr>"
    )


def render_summary(reports: list[dict[str, Any]]) -> str:
    """summary.html: one row per patient (sorted), with the report page's style and script
    (its column headers sort)."""
    rows = "".join(_row(r) for r in sorted(reports, key=lambda x: x["patient"]))
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>bigmed batch summary</title>{style_tag()}{script_tag()}</head><body>"
        "<header><h1>Batch summary</h1>"
        f"<div class='meta'>{len(reports)} patients &middot; "
        "<a href='../qc/multiqc.html'>MultiQC (read QC of every sample)</a></div></header>"
        "<main><section><p class='small'>A finding is pathogenic / likely pathogenic (crc: "
        "Tier I/II); rare-disease candidates for review are counted apart. QC: the worst "
        "sample of the patient, with what to act on. Click a column header to sort.</p>"
        "<div class='tw'><table id='batch'><thead><tr><th>patient</th><th>pilot</th>"
        "<th>samples</th><th>QC</th><th>top finding</th><th>candidates for review</th>"
        "<th>not assessable</th><th>calls</th></tr></thead><tbody>"
        + rows
        + "</tbody></table></div></section></main></body></html>\n"
    )
