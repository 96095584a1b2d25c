"""Batch summary page: one row per patient, linking to each report."""

from __future__ import annotations

import html
from typing import Any

from bigmed.report.html import style_tag, worst_qc

E = html.escape


def top_finding(report: dict[str, Any]) -> str:
    """The first finding of a report in a few words, or "none reported"."""
    if report["findings"]:
        f = report["findings"][0]
        return " ".join(str(f.get(k, "")) for k in ("gene", "hgvs_p", "classification")).strip()
    return "none reported"


def render_summary(reports: list[dict[str, Any]]) -> str:
    """summary.html: one row per patient (sorted), with the report page's stylesheet."""
    rows = []
    for r in sorted(reports, key=lambda x: x["patient"]):
        worst = worst_qc(r)
        patient = E(r["patient"])
        rows.append(
            f"<tr><td><a href='../{patient}/report.html'>{patient}</a></td><td>{E(r['pilot'])}</td>"
            f"<td>{len(r['samples'])}</td><td class='{E(worst)}'>{E(worst)}</td>"
            f"<td>{E(top_finding(r))}</td><td>{len(r['not_assessable'])}</td>"
            f"<td>{len(r['variants'])}</td></tr>"
        )
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>bigmed batch summary"
        f"</title>{style_tag()}</head><body><header><h1>Batch summary</h1>"
        f"<div class='meta'>{len(reports)} patients</div></header><main><section>"
        "<table><thead><tr><th>patient</th><th>pilot</th><th>samples</th><th>QC</th>"
        "<th>top finding</th><th>not assessable</th><th>calls</th></tr></thead><tbody>"
        + "".join(rows)
        + "</tbody></table></section></main></body></html>\n"
    )
