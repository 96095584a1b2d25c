"""The known-familial-variant page (``targeted_{sample}.html``): the one-page HTML twin of
the cardiac pilot's targeted document (:func:`bigmed.pilots.cardiac.targeted.targeted_document`,
``workflow/schemas/targeted.schema.json``).

Self-contained like the patient report: its stylesheet (``assets/targeted.css``) is inlined
and the Content-Security-Policy allows inline styles only (the page has no script).
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from bigmed.pilots.cardiac.model import CARRIER, NON_CARRIER
from bigmed.report.html import asset

E = html.escape
CSP = "default-src 'none'; style-src 'unsafe-inline'"


def render_html(doc: Mapping[str, Any]) -> str:
    """The page: result, variant tested, reads at the site, limitations, provenance."""
    return "\n".join(
        [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
            f"<title>Familial variant test {E(doc['sample'])}</title>"
            f"<style>\n{asset('targeted.css')}</style></head>",
            f"<body><header><h1>Familial variant test &middot; {E(doc['sample'])} "
            f"(patient {E(doc['patient'])})</h1></header><main>",
            *_result(doc),
            "<section id='variant'><h2>Variant tested</h2>",
            _variant_table(doc),
            "</section><section id='evidence'><h2>Reads at the site</h2>",
            _reads_table(doc),
            f"</section><section id='limitations'><h2>Limitations</h2><p>{E(doc['limitations'])}"
            "</p></section>",
            "<section id='provenance'><h2>Provenance</h2>",
            _table(
                [(k, doc["provenance"][k]) for k in sorted(doc["provenance"])]
                + [("generated", doc["generated"])]
            ),
            "</section></main></body></html>",
        ]
    )


def _table(rows: list[tuple[str, Any]]) -> str:
    """A two-column table of the rows with a value (None and '' are left out)."""
    body = "".join(
        f"<tr><th>{E(k)}</th><td>{E(str(x))}</td></tr>" for k, x in rows if x not in (None, "")
    )
    return f"<table><tbody>{body}</tbody></table>"


def _result(doc: Mapping[str, Any]) -> list[str]:
    css_class = {CARRIER: "carrier", NON_CARRIER: "non-carrier"}.get(doc["result"], "na")
    cls = doc["classification"].get("class") or "not classified"
    return [
        "<section id='result'><h2>Result</h2>",
        f"<p class='result {css_class}'>{E(doc['result'])}</p>",
        f"<p>Variant class: <strong>{E(cls)}</strong> ({E(doc['classification']['source'])})</p>",
        f"<p>{E(doc['conclusion'])}</p><p>{E(doc['advice'])}</p></section>",
    ]


def _variant_table(doc: Mapping[str, Any]) -> str:
    v = doc["variant"]
    return _table(
        [
            ("requested", doc["requested"]),
            ("GRCh38", f"{v['chrom']}:{v['pos']} {v['ref']}>{v['alt']}"),
            ("gene", v["gene"]),
            ("transcript", v["transcript"]),
            ("HGVS c.", v["hgvs_c"]),
            ("HGVS p.", v["hgvs_p"]),
            ("classification", _class_text(doc["classification"])),
            ("ClinVar", _clinvar_text(doc["classification"].get("clinvar"))),
        ]
    )


def _class_text(c: Mapping[str, Any]) -> str:
    """The class with its points and criteria, and where it comes from."""
    if not c.get("class"):
        return str(c["source"])
    criteria = ", ".join(c.get("criteria") or []) or "no criterion met"
    return f"{c['class']} ({c.get('points')} points; {criteria}); source: {c['source']}"


def _clinvar_text(cv: Mapping[str, Any] | None) -> str | None:
    if not cv:
        return None
    return (
        f"VCV {cv.get('variation_id')}: {cv.get('significance')} ({cv.get('review_status')}), "
        f"{cv.get('source')}; shown for reference, not used as evidence"
    )


def _reads_table(doc: Mapping[str, Any]) -> str:
    r, th = doc["reads"], doc["thresholds"]
    return _table(
        [
            ("sample", f"{doc['sample']} ({doc['role']}, affected: {doc['affected']})"),
            ("source", r["source"]),
            ("genotype call", r["gt"] or "none"),
            ("reads with the variant", r["alt_reads"]),
            ("reads with the reference", r["ref_reads"]),
            ("depth", r["depth"]),
            ("note", r["note"]),
            (
                "rules",
                f"carrier: >= {th['min_alt_reads']} variant reads and VAF >= "
                f"{th['min_vaf']:.0%}; non-carrier: fewer variant reads at >= "
                f"{th['min_depth']}x; otherwise not assessable",
            ),
        ]
    )
