"""One renderer per section of the patient report page (report.html).

Each renderer takes report.json and returns the page lines of its section, or no lines when
the section has nothing to show (the changes section of a first report). The page joins the
lines with newlines, so the split points between list items are part of the output: keep
them when editing, or every report's HTML changes. Every value from report.json is escaped
here; titles passed to :func:`section` are HTML.
"""

from __future__ import annotations

import html
import re
from typing import Any

from bigmed.genome.vcf import SEVERITY
from bigmed.germline.known import RESTS_ON_ENGINE
from bigmed.report.plots import coverage_svg, pct, vaf_svg

E = html.escape
NA_SHOWN = 12  # rows of the not-assessable list shown before "more"
PRINT_ROWS = 25  # rows of a pilot's table on paper; the page and report.json have all
# consequences that make a classified call worth listing: protein-altering or splice
CANDIDATE_CONSEQUENCES = frozenset(SEVERITY[: SEVERITY.index("splice_region") + 1])
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
    print_rows: int | None = None,
) -> str:
    """A sortable table in a scroll wrapper (a wide table never overflows its card):
    ``headers`` are escaped here, ``rows`` cells are HTML already."""
    head = "".join(f"<th>{E(h)}</th>" for h in headers)
    labels = [E(h) for h in headers]
    body = []
    for i, r in enumerate(rows):
        attrs = row_attrs[i] if row_attrs else ""
        if print_rows is not None and i >= print_rows:
            attrs += " class='noprint'"
        cells = "".join(_td(c, labels[j] if j < len(labels) else "") for j, c in enumerate(r))
        body.append(f"<tr{attrs}>{cells}</tr>")
    tid = f' id="{E(table_id)}"' if table_id else ""
    # on paper a wide table becomes stacked rows ("column: value"): A4 portrait has no room
    wide = " class='wide'" if len(headers) >= WIDE_COLUMNS else ""
    more = ""
    if print_rows is not None and len(rows) > print_rows:
        more = (
            f"<p class='printonly small'>{len(rows) - print_rows} more row(s) of this table "
            "are on the HTML page and in report.json.</p>"
        )
    return (
        f"<div class='tw'><table{tid}{wide}><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table></div>{more}"
    )


WIDE_COLUMNS = 7  # tables with this many columns are printed as stacked rows
LONG_TOKEN = re.compile(r"[^\s<>]{25,}")  # a checksum, path or web address in a cell


def _td(html_cell: str, label: str) -> str:
    """A table cell with its column name (the printed stacked rows show it); one holding a
    long unbreakable token may break it anywhere (other cells wrap at words)."""
    brk = " class='brk'" if LONG_TOKEN.search(re.sub(r"<[^>]*>", " ", html_cell)) else ""
    return f"<td data-label='{label}'{brk}>{html_cell}</td>"


def cell(value: Any) -> str:
    """One section cell as HTML: a ``{"text", "href"}`` object is a link (https only), any
    other value its escaped text (None empty, a list joined)."""
    if isinstance(value, dict) and "text" in value:
        href = str(value.get("href") or "")
        text = E(str(value["text"]))
        if href.startswith("https://"):
            return f"<a href='{E(href)}' rel='noopener noreferrer'>{text}</a>"
        return text
    if value is None:
        return ""
    if isinstance(value, list):
        return E("; ".join(str(x) for x in value))
    return E(str(value))


def open_section(sec_id: str, title: str) -> str:
    """The opening tag and heading of a section (both HTML: callers escape what they insert)."""
    return f"<section id='{sec_id}'><h2>{title}</h2>"


def section(sec_id: str, title: str, body: list[str]) -> list[str]:
    """A whole section: opening line, ``body`` lines, closing line."""
    return [open_section(sec_id, title), *body, "</section>"]


def _status_class(status: str) -> str:
    return {"positive": "fail", "negative": "pass"}.get(status, "warn")


FINDING_RULE = (
    "Findings are pathogenic / likely pathogenic variants; a variant of uncertain "
    "significance is never a finding."
)
# the colorectal pilot's findings are also somatic tiers and biomarkers: its patients' rule
FINDING_RULE_CRC = (
    "Findings are AMP/ASCO/CAP Tier I/II somatic variants and biomarkers, and pathogenic / "
    "likely pathogenic germline variants; a variant of uncertain significance is never a "
    "finding."
)


def finding_rule(report: dict[str, Any]) -> str:
    """The rule that made the findings, in the patient's pilot's words."""
    return FINDING_RULE_CRC if report.get("pilot") == "crc" else FINDING_RULE


def summary(report: dict[str, Any]) -> list[str]:
    """The one-line summary under the header: counts of what each section below holds."""
    n_pass = sum(1 for v in report["variants"] if v["filter"] == "PASS")
    review = report.get("candidates")
    parts = [f"{len(report['findings'])} finding(s)"]
    if review is not None:
        parts.append(f"{len(review)} candidate(s) for review")
    parts += [
        f"{len(report['not_assessable'])} item(s) not assessable",
        f"{n_pass} PASS calls of {len(report['variants'])}",
        f"{len(report['samples'])} sample(s)",
    ]
    return ["<p class='small' id='summary'>" + " &middot; ".join(parts) + "</p>"]


def _qc_cell(item: dict[str, Any]) -> str:
    """The QC that bears on a finding (depth at the site, sample warnings), or none."""
    notes = item.get("qc") or []
    if not notes:
        return "<span class='pass'>no QC concern</span>"
    return "<span class='warn'>" + "<br>".join(E(n) for n in notes) + "</span>"


CLINVAR_URL = "https://www.ncbi.nlm.nih.gov/clinvar/variation/{}/"


def _clinvar_link(report: dict[str, Any], item: dict[str, Any]) -> str:
    """A link to the finding's ClinVar record, when the variant has one ('' otherwise)."""
    v = next((x for x in report["variants"] if x["id"] == item.get("variant_id")), None)
    ev = [e for e in (v or {}).get("evidence", []) if e.get("type") == "clinvar"]
    vid = str(ev[0].get("variation_id") or "") if ev else ""
    if not vid.isdigit():
        return ""
    return f"<br><a href='{CLINVAR_URL.format(vid)}' rel='noopener noreferrer'>ClinVar {vid}</a>"


def findings(report: dict[str, Any]) -> list[str]:
    """Findings, always shown: an empty list says so, with the pilot's note."""
    note = (report.get("interpretation") or {}).get("note")
    body = [f"<p class='small'>{E(finding_rule(report))}</p>"]
    if report["findings"]:
        keys = ("gene", "hgvs_c", "hgvs_p", "classification")
        rows = [
            [E(str(f.get(k) or "")) for k in keys]
            + [E(str(f.get("summary") or "")) + _clinvar_link(report, f), _qc_cell(f)]
            for f in report["findings"]
        ]
        headers = ["gene", "HGVS c.", "HGVS p.", "class / tier", "summary", "QC at this finding"]
        body.append(table(headers, rows))
        if note:
            body.append(f"<p class='small'>{E(note)}</p>")
    else:
        body.append(f"<p class='empty'>No finding is reported. {E(note or '')}</p>")
    return section("findings", "Findings", body + _lab_withheld(report) + _biomarkers(report))


LAB_WITHHELD = "lab-withheld"  # bigmed.germline.classify.WITHHELD_SECTION


def _lab_withheld(report: dict[str, Any]) -> list[str]:
    """Variants the lab's own B/LB/VUS keeps out of the findings although the engine, ClinVar
    or an expert panel gives P/LP: shown with the findings, never only further down."""
    sec = next((s for s in report.get("sections", []) if s["id"] == LAB_WITHHELD), None)
    if sec is None or not sec["rows"]:
        return []
    rows = [[cell(c) for c in row] for row in sec["rows"]]
    return [
        f"<h3 id='{LAB_WITHHELD}' class='na'>{E(sec['title'])}</h3>",
        f"<p class='warn'>{E(sec.get('note') or '')}</p>",
        table([str(c) for c in sec["columns"]], rows),
    ]


def _value_text(value: Any) -> str:
    """A biomarker value as text: lists joined, mappings as 'key value'."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(str(x) for x in value)
    return str(value)


def _biomarkers(report: dict[str, Any]) -> list[str]:
    """The biomarker card (shown once), with what 'negative' means, when the pilot has one."""
    if not report["biomarkers"]:
        return []
    rows = [
        [
            E(str(b["name"])),
            f"<span class='{_status_class(b['status'])}'>{E(b['status'])}</span>",
            E(_value_text(b.get("value"))),
            E(str(b.get("reason", ""))),
        ]
        for b in report["biomarkers"]
    ]
    note = report.get("biomarker_note")
    return [
        "<h3 id='biomarkers'>Biomarkers</h3>",
        *([f"<p class='small'>{E(note)}</p>"] if note else []),
        table(["biomarker", "status", "value", "reason"], rows),
    ]


DISEASES_SHOWN = 3  # diseases per candidate on the page (report.json has all)


def _diseases_cell(c: dict[str, Any]) -> str:
    """The gene's best-matching diseases, each with the patient terms matching its terms."""
    ds = c.get("diseases") or []
    if not ds:
        return "<span class='small'>no disease annotated to the gene (HPO)</span>"
    out = []
    for d in ds[:DISEASES_SHOWN]:
        pairs = "; ".join(
            E(p.get("patient_name") or p["patient_term"])
            + ("" if p["relation"] == "same" else " ~ " + E(p.get("disease_name") or ""))
            for p in d["matched_terms"]
        )
        out.append(
            f"<b>{E(d.get('name') or d['id'])}</b> ({E(d['id'])}): "
            f"{d['matched']}/{d.get('patient_terms', 0)} patient terms match"
            + (f": {pairs}" if pairs else "")
        )
    more = f"<br><span class='small'>+{len(ds) - DISEASES_SHOWN} more in report.json</span>"
    return "<br>".join(out) + (more if len(ds) > DISEASES_SHOWN else "")


def _candidate_class(c: dict[str, Any]) -> str:
    """The candidate's reported class; where it rests on a known classification (the lab,
    an expert panel, ClinVar), what it rests on and the engine's own class beside it."""
    criteria = ", ".join(c.get("acmg_criteria") or []) or "none"
    if c.get("rests_on") in (None, RESTS_ON_ENGINE):
        return f"{c['classification']} ({criteria})"
    engine = c.get("engine_classification") or "not classified"
    return f"{c['classification']}, rests on {c['rests_on']}; engine: {engine} ({criteria})"


def candidates(report: dict[str, Any]) -> list[str]:
    """Rare disease: the top ranked candidates for review, each with its gene's diseases."""
    if "candidates" not in report:
        return []
    cands = report["candidates"]
    body = [
        "<p class='small'>Ranked by phenotype match, inheritance, ACMG evidence and rarity: "
        "candidates to review, not findings and not a diagnosis. Diseases from the HPO "
        "annotations (phenotype.hpoa: OMIM / Orphanet ids; no MONDO ids there); a patient "
        "term matches a disease term when one is the other or its ancestor ('~' names the "
        "disease's term when it differs).</p>"
    ]
    if not cands:
        body.append("<p class='empty'>No candidate variant.</p>")
        return section("candidates-review", "Candidates for review", body)
    rows = [
        [
            str(c["rank"]),
            E(str(c.get("gene") or "")),
            E(" ".join(str(c.get(k) or "") for k in ("hgvs_c", "hgvs_p"))),
            E(str(c.get("genotype_text") or "")),
            E(str(c.get("inheritance_label") or "")),
            E(_candidate_class(c)),
            _diseases_cell(c),
            f"{c.get('score', 0):.3f}",
            _qc_cell(c),
        ]
        for c in cands
    ]
    headers = ["rank", "gene", "variant", "genotypes", "inheritance", "ACMG class",
               "diseases (HPO) and matched terms", "score", "QC"]  # fmt: skip
    body.append(table(headers, rows))
    return section("candidates-review", "Candidates for review", body)


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


def _acmg_rows(report: dict[str, Any]) -> tuple[list[list[Any]], list[list[Any]]]:
    """Every call the ACMG engine classified (its evidence has the 'acmg' item), split into
    the calls worth reading (coding, splice region, or a criterion met) and the rest."""
    shown: list[list[Any]] = []
    rest: list[list[Any]] = []
    for v in report["variants"]:
        ev = next((e for e in v.get("evidence", []) if e.get("type") == "acmg"), None)
        if ev is None:
            continue
        met = list(ev.get("criteria_met") or [])
        known: dict[str, Any] = next(
            (e for e in v["evidence"] if e.get("type") == "known_variant"), {}
        )
        row = [v["id"], v["gene"], v["hgvs_c"], v["hgvs_p"], ev.get("class"), ev.get("points"),
               ", ".join(met) or "none", v.get("classification"),
               known.get("rests_on", "ACMG/AMP engine")]  # fmt: skip
        (shown if met or v["consequence"] in CANDIDATE_CONSEQUENCES else rest).append(row)
    return shown, rest


def _acmg_focus(report: dict[str, Any], sec: dict[str, Any]) -> list[str]:
    """The ACMG table shows the calls worth reading; the rest are counted and folded (every
    call's class is also in the variant table and report.json)."""
    cols = [str(c) for c in sec["columns"]]
    shown, rest = ([r[: len(cols)] for r in rows] for rows in _acmg_rows(report))
    body = [
        f"<p class='small'>{len(shown)} of {len(shown) + len(rest)} classified call(s) shown: "
        f"coding, splice region or with a criterion met. The other {len(rest)} (intronic or "
        "UTR, no criterion met) are folded below; every call's class is also in the "
        "<a href='#variants'>variant table</a>.</p>",
        table(cols, [[cell(c) for c in row] for row in shown], print_rows=PRINT_ROWS),
    ]
    if rest:
        body.append(
            f"<details class='appendix'><summary>{len(rest)} other classified call(s)</summary>"
            + table(cols, [[cell(c) for c in row] for row in rest])
            + "</details>"
        )
    return body


def pilot_sections(report: dict[str, Any]) -> list[str]:
    """The sections a pilot's interpretation adds (tables of its own columns), in its order."""
    out = []
    for sec in report.get("sections", []):
        if sec["id"] == LAB_WITHHELD:  # shown with the findings
            continue
        body = [f"<p>{E(sec['note'])}</p>"] if sec.get("note") else []
        if sec["id"] == "acmg-classification":
            body += _acmg_focus(report, sec)
        else:
            rows = [[cell(c) for c in row] for row in sec["rows"]]
            body.append(table([str(c) for c in sec["columns"]], rows, print_rows=PRINT_ROWS))
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
    """The filterable variant table: the first ``max_variants`` calls (all are in the TSV).
    On paper it is left to variants.tsv: a printed report stays a few pages."""
    calls = report["variants"]
    sample_ids = [s["sample"] for s in report["samples"]]
    shown = calls[:max_variants]
    rows = [_variant_row(v, sample_ids) for v in shown]
    attrs = [f" data-filter='{E(v['filter'])}'" for v in shown]
    body = [
        "<div class='controls noprint'><label for='vfilter'>Filter variants</label> "
        "<input type='search' id='vfilter' placeholder='gene, HGVS, consequence…'> "
        "<label><input type='checkbox' id='passonly' checked> PASS only</label> "
        f"<span id='vcount' class='small' aria-live='polite'>{len(shown)} of {len(shown)} "
        "shown</span> <span class='small'>(click a column header to sort)</span></div>",
        f"<p class='printonly small'>{len(calls)} call(s): the table is in variants.tsv and "
        "report.json.</p>",
        "<div class='noprint'>",
        table(VARIANT_COLUMNS, rows, "variant-table", attrs),
        "<p id='vnomatch' class='empty' hidden>No variant matches the filter.</p></div>",
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
    """Exons below the depth threshold, one row per gene with its exon list collapsed (the
    full list, with regions, is in coverage_gaps.tsv and report.json)."""
    by_gene: dict[str, list[dict[str, Any]]] = {}
    for g in cov["gaps"]:
        by_gene.setdefault(g["gene"], []).append(g)
    if not by_gene:
        return []
    rows = []
    for gene, gaps in by_gene.items():
        worst = min(gaps, key=lambda g: g["fraction_at_min_depth"])
        exons = ", ".join(f"{g['exon']} ({pct(g['fraction_at_min_depth'])})" for g in gaps)
        rows.append(
            [
                E(gene),
                E(gaps[0]["transcript"]),
                str(len(gaps)),
                E(f"exon {worst['exon']}: {pct(worst['fraction_at_min_depth'])} "
                  f"({worst['chrom']}:{worst['start']}-{worst['end']})"),
                f"<details><summary>exons</summary><span class='folded'>{E(exons)}</span>"
                "</details>",
            ]
        )  # fmt: skip
    return [
        f"<h3>Exons below {cov['min_depth']}x: {len(cov['gaps'])} in {len(by_gene)} gene(s)</h3>",
        "<p class='small'>Every exon with its GRCh38 region: coverage_gaps.tsv, report.json.</p>",
        table(
            ["gene", "transcript", "exons below", "worst exon", "exon list"],
            rows,
            print_rows=PRINT_ROWS,
        ),
    ]


def coverage(report: dict[str, Any]) -> list[str]:
    """Coverage: per-gene bars (the pilot's genes of interest), a VAF histogram per tumor
    sample, and the exon gaps per gene."""
    cov = report["coverage"]
    body = [f"<p class='small'>Genes: {E(cov['scope'])}.</p>"] if cov.get("scope") else []
    genes = cov["genes"]
    focus = cov.get("focus")
    if focus:
        wanted = set(focus["genes"])
        genes = [g for g in genes if g["gene"] in wanted]
        outside = [g for g in focus["genes"] if g not in {x["gene"] for x in cov["genes"]}]
        body.append(
            f"<p class='small'>Plotted: {E(focus['label'])} ({len(genes)} of "
            f"{len(cov['genes'])} analysed genes)"
            + (f"; not in the analysed regions: {E(', '.join(outside))}" if outside else "")
            + ".</p>"
        )
    body.append(coverage_svg(genes, cov["min_depth"]))
    for s in report["samples"]:
        if s["role"] == "tumor":
            body.append(f"<h3>Variant allele fractions in {E(s['sample'])}</h3>")
            body.append(vaf_svg(_tumor_vafs(report, s["sample"])))
    title = (
        f"Coverage of coding exons (&ge; {cov['min_depth']}x, "
        f"exons &plusmn;{cov['exon_padding']} bp)"
    )
    return section("coverage", title, body + _gaps(cov))


def qc_class(status: str) -> str:
    """The CSS class of a QC status ('not assessable' has a space)."""
    return {"not assessable": "nq"}.get(status, status)


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
        f"<span class='{E(qc_class(q['status']))}'>{E(q['status'])}</span> "
        f"{E('; '.join(q['reasons']))}",
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
        f"analysed regions ≥ {report['coverage']['min_depth']}x",
        "status",
    ]
    rows = [_qc_row(s) for s in report["samples"]]
    reg = report.get("analysed_regions")
    note = (
        f"<p class='small'>Depth is over the analysed regions: {E(reg['definition'])}. "
        "Read-level QC of the whole batch: <a href='../qc/multiqc.html'>MultiQC</a>.</p>"
        if reg
        else ""
    )
    return section("qc", "Sample QC", [note, table(headers, rows)])


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
