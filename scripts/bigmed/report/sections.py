"""One renderer per section of the patient report page (report.html).

Each renderer takes report.json and returns the page lines of its section, or no lines when
the section has nothing to show (the changes section of a first report). The page joins the
lines with newlines, so the split points between list items are part of the output: keep
them when editing, or every report's HTML changes. Every value from report.json is escaped
here; titles passed to :func:`section` are HTML.
"""

from __future__ import annotations

import html
from typing import Any

from bigmed.report.plots import coverage_svg, pct, vaf_svg

E = html.escape
NA_SHOWN = 12  # rows of the not-assessable list shown before "more"
GAPS_SHOWN = 500  # exon gaps listed on the page; report.json has all of them
VARIANT_COLUMNS = [
    "gene",
    "chrom",
    "pos",
    "ref",
    "alt",
    "transcript",
    "HGVS c.",
    "HGVS p.",
    "consequence",
    "filter",
    "QUAL",
    "class",
    "genotypes (depth)",
]


def table(
    headers: list[str],
    rows: list[list[str]],
    table_id: str = "",
    row_attrs: list[str] | None = None,
) -> str:
    """A sortable table: ``headers`` are escaped here, ``rows`` cells are HTML already."""
    head = "".join(f"<th>{E(h)}</th>" for h in headers)
    body = []
    for i, r in enumerate(rows):
        attrs = row_attrs[i] if row_attrs else ""
        body.append(f"<tr{attrs}>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>")
    tid = f' id="{E(table_id)}"' if table_id else ""
    return f"<table{tid}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def open_section(sec_id: str, title: str) -> str:
    """The opening tag and heading of a section (both HTML: callers escape what they insert)."""
    return f"<section id='{sec_id}'><h2>{title}</h2>"


def section(sec_id: str, title: str, body: list[str]) -> list[str]:
    """A whole section: opening line, ``body`` lines, closing line."""
    return [open_section(sec_id, title), *body, "</section>"]


def _status_class(status: str) -> str:
    return {"positive": "fail", "negative": "pass"}.get(status, "warn")


def summary(report: dict[str, Any]) -> list[str]:
    """The one-line summary under the header: counts of what each section below holds."""
    n_pass = sum(1 for v in report["variants"] if v["filter"] == "PASS")
    return [
        "<p class='small' id='summary'>"
        f"{len(report['findings'])} actionable finding(s) &middot; "
        f"{len(report['not_assessable'])} item(s) not assessable &middot; "
        f"{n_pass} PASS calls of {len(report['variants'])} &middot; "
        f"{len(report['samples'])} sample(s)</p>"
    ]


def findings(report: dict[str, Any]) -> list[str]:
    """Actionable findings, always shown: an empty list says so, with the pilot's note."""
    note = (report.get("interpretation") or {}).get("note")
    body = []
    if report["findings"]:
        keys = ("gene", "hgvs_c", "hgvs_p", "classification", "summary")
        rows = [[E(str(f.get(k, ""))) for k in keys] for f in report["findings"]]
        body.append(table(["gene", "HGVS c.", "HGVS p.", "class / tier", "summary"], rows))
        if note:
            body.append(f"<p class='small'>{E(note)}</p>")
    else:
        body.append(f"<p class='empty'>No actionable finding is reported. {E(note or '')}</p>")
    return section("findings", "Actionable findings", body + _biomarkers(report["biomarkers"]))


def _biomarkers(biomarkers: list[dict[str, Any]]) -> list[str]:
    """The biomarker table of the findings section, when the pilot reported any."""
    if not biomarkers:
        return []
    rows = [
        [
            E(str(b["name"])),
            f"<span class='{_status_class(b['status'])}'>{E(b['status'])}</span>",
            E("" if b.get("value") is None else str(b.get("value"))),
            E(str(b.get("reason", ""))),
        ]
        for b in biomarkers
    ]
    return ["<h3>Biomarkers</h3>", table(["biomarker", "status", "value", "reason"], rows)]


def changes(report: dict[str, Any]) -> list[str]:
    """Changes since the previous report; shown only on a re-analysis."""
    if "changes" not in report:
        return []
    ch = report["changes"]
    prev = ch["previous"]
    body = [
        f"<p>Previous report: {E(str(prev.get('generated')))}, bigmed "
        f"{E(str(prev.get('pipeline_version')))}, config {E(str(prev.get('config_hash'))[:12])}."
        "</p>"
    ]
    if ch["items"]:
        rows = [
            [
                E(str(i["change"])),
                E(str(i["what"])),
                E(str(i.get("before") or "")),
                E(str(i.get("after") or "")),
            ]
            for i in ch["items"]
        ]
        body.append(table(["change", "what", "before", "after"], rows))
    else:
        body.append("<p class='pass'>No finding, classification or source changed.</p>")
    return section("changes", "Changes since the previous report", body)


def pilot_sections(report: dict[str, Any]) -> list[str]:
    """The sections a pilot's interpretation adds (tables of its own columns), in its order."""
    out = []
    for sec in report.get("sections", []):
        body = [f"<p>{E(sec['note'])}</p>"] if sec.get("note") else []
        body.append(
            table(
                [str(c) for c in sec["columns"]],
                [[E("" if c is None else str(c)) for c in row] for row in sec["rows"]],
            )
        )
        out += section(E(sec["id"]), E(sec["title"]), body)
    return out


def not_assessable(report: dict[str, Any]) -> list[str]:
    """What could not be assessed, always shown (an empty list is itself a result)."""
    na = report["not_assessable"]
    if not na:
        body = [
            "<p class='pass'>Every coding exon in the targets reached the depth threshold "
            "and every sample passed QC.</p>"
        ]
        return section("not-assessable", "Not assessable", body)
    rows = [[E(x["what"]), f"<span class='na'>{E(x['reason'])}</span>"] for x in na]
    body = [
        f"<p>{len(na)} item(s) could not be fully assessed; absence of a finding there "
        "is not evidence of absence.</p>",
        table(["what", "reason"], rows[:NA_SHOWN]),
    ]
    if len(rows) > NA_SHOWN:
        body.append(
            f"<details><summary>{len(rows) - NA_SHOWN} more</summary>"
            + table(["what", "reason"], rows[NA_SHOWN:])
            + "</details>"
        )
    return section("not-assessable", "Not assessable", body)


def _genotypes_cell(v: dict[str, Any], sample_ids: list[str]) -> str:
    """Genotype and depth of each sample that has a call, in sample-sheet order."""
    cells = []
    for s in sample_ids:
        if s not in v["genotypes"]:
            continue
        g = v["genotypes"][s]
        dp = g["dp"] if g["dp"] is not None else "."
        cells.append(f"{E(s)}:&nbsp;{E(g['gt'])}&nbsp;({dp}x)")
    return " ".join(cells)


def _variant_row(v: dict[str, Any], sample_ids: list[str]) -> list[str]:
    return [
        E(v["gene"] or ""),
        E(v["chrom"]),
        str(v["pos"]),
        E(v["ref"]),
        E(v["alt"]),
        E(v["transcript"] or ""),
        E(v["hgvs_c"] or ""),
        E(v["hgvs_p"] or ""),
        E(v["consequence"]),
        E(v["filter"]),
        "" if v["qual"] is None else f"{v['qual']:.1f}",
        E(v["classification"] or "unclassified"),
        _genotypes_cell(v, sample_ids),
    ]


def variants(report: dict[str, Any], max_variants: int) -> list[str]:
    """The filterable variant table: the first ``max_variants`` calls (all are in the TSV)."""
    calls = report["variants"]
    sample_ids = [s["sample"] for s in report["samples"]]
    shown = calls[:max_variants]
    rows = [_variant_row(v, sample_ids) for v in shown]
    attrs = [f" data-filter='{E(v['filter'])}'" for v in shown]
    body = [
        "<p><input type='search' id='vfilter' placeholder='filter: gene, HGVS, consequence…'> "
        "<label><input type='checkbox' id='passonly' checked> PASS only</label> "
        "<span class='small'>click a column header to sort</span></p>",
        table(VARIANT_COLUMNS, rows, "variant-table", attrs),
    ]
    if len(calls) > max_variants:
        body.append(
            f"<p class='small'>{len(calls) - max_variants} more variants are in "
            "report.json and variants.tsv.</p>"
        )
    return section("variants", f"Variants ({len(calls)} calls)", body)


def _tumor_vafs(report: dict[str, Any], sample: str) -> list[float]:
    """VAFs of the PASS calls of one sample (those with allele depths)."""
    return [
        float(v["genotypes"][sample]["vaf"])
        for v in report["variants"]
        if v["filter"] == "PASS"
        and sample in v["genotypes"]
        and v["genotypes"][sample]["vaf"] is not None
    ]


def _gaps(cov: dict[str, Any]) -> list[str]:
    """The table of exons below the depth threshold (the first GAPS_SHOWN), when any."""
    rows = [
        [
            E(g["gene"]),
            E(g["transcript"]),
            E(g["exon"]),
            E(f"{g['chrom']}:{g['start']}-{g['end']}"),
            pct(g["fraction_at_min_depth"]),
        ]
        for g in cov["gaps"][:GAPS_SHOWN]
    ]
    if not rows:
        return []
    return [
        f"<h3>Exons below {cov['min_depth']}x ({len(cov['gaps'])})</h3>",
        table(["gene", "transcript", "exon", "GRCh38 region", "at depth"], rows),
    ]


def coverage(report: dict[str, Any]) -> list[str]:
    """Coverage: per-gene bars, a VAF histogram per tumor sample, and the exon gaps."""
    cov = report["coverage"]
    body = [f"<p class='small'>Genes: {E(cov['scope'])}.</p>"] if cov.get("scope") else []
    body.append(coverage_svg(cov["genes"], cov["min_depth"]))
    for s in report["samples"]:
        if s["role"] == "tumor":
            body.append(f"<h3>Variant allele fractions in {E(s['sample'])}</h3>")
            body.append(vaf_svg(_tumor_vafs(report, s["sample"])))
    title = (
        f"Coverage of coding exons (&ge; {cov['min_depth']}x, "
        f"exons &plusmn;{cov['exon_padding']} bp)"
    )
    return section("coverage", title, body + _gaps(cov))


def _qc_row(s: dict[str, Any]) -> list[str]:
    q = s["qc"]
    return [
        E(s["sample"]),
        E(s["role"]),
        E(s["sex"]),
        E(s["affected"]),
        f"{q['reads']:,}",
        pct(q["mapped_fraction"]),
        pct(q["duplicate_fraction"]),
        f"{q['mean_coverage']:.1f}",
        pct(q["fraction_target_at_min_depth"]),
        f"<span class='{E(q['status'])}'>{E(q['status'])}</span> {E('; '.join(q['reasons']))}",
    ]


def sample_qc(report: dict[str, Any]) -> list[str]:
    """One QC row per sample, in sample-sheet order."""
    headers = [
        "sample",
        "role",
        "sex",
        "affected",
        "reads",
        "mapped",
        "duplicates",
        "mean depth",
        f"target ≥ {report['coverage']['min_depth']}x",
        "status",
    ]
    rows = [_qc_row(s) for s in report["samples"]]
    return section("qc", "Sample QC", [table(headers, rows)])


def _provenance_items(prov: dict[str, Any]) -> list[tuple[str, str]]:
    """(label, value) rows: what produced the report, from pipeline to knowledge bases."""
    ref, annotation = prov["reference"], prov["annotation"]
    kbs = ", ".join(f"{k.get('name')} {k.get('version')}" for k in prov["knowledge_bases"])
    return [
        ("pipeline", f"bigmed {prov['pipeline_version']} (git {prov['git_commit']})"),
        ("config sha256", prov["config_hash"]),
        ("reference", f"{ref['path']} ({ref['build']}) sha256 {ref['sha256']}"),
        ("annotation", f"{annotation['path']} sha256 {annotation['sha256']}"),
        ("tools", ", ".join(f"{k} {v}" for k, v in sorted(prov["tools"].items()))),
        (
            "python packages",
            ", ".join(f"{k} {v}" for k, v in sorted(prov["python_packages"].items())),
        ),
        ("knowledge bases", kbs or "none used"),
    ]


def provenance(report: dict[str, Any]) -> list[str]:
    """Provenance: versions and checksums, then every input file with its checksum."""
    prov = report["provenance"]
    inputs = [
        [E(i["sample"]), E(i.get("unit", "")), E(i["path"]), f"<code>{E(i['sha256'])}</code>"]
        for i in prov["inputs"]
    ]
    return [
        open_section("provenance", "Provenance") + "<table><tbody>",
        *(
            f"<tr><th>{E(k)}</th><td><code>{E(v)}</code></td></tr>"
            for k, v in _provenance_items(prov)
        ),
        "</tbody></table><h3>Input files</h3>",
        table(["sample", "unit", "file", "sha256"], inputs),
        "</section>",
    ]
