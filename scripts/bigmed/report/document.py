"""The per-patient report: report.json (schema-checked), report.html and variants.tsv."""

from __future__ import annotations

import datetime as dt
import html
import json
from dataclasses import asdict
from importlib import metadata
from typing import Any

import jsonschema
import pysam

from bigmed.base import schemas
from bigmed.genome.reference import GRCH38_LENGTHS, ContigSlice
from bigmed.intake.coverage import read_thresholds
from bigmed.intake.qc import SampleQC

SCHEMA_PATH = schemas.schema_path("report.schema.json")
PYTHON_PACKAGES = ("snakemake", "pysam", "numpy", "jsonschema", "PyYAML", "multiqc")
TSV_COLUMNS = [
    "id",
    "chrom",
    "pos",
    "ref",
    "alt",
    "filter",
    "qual",
    "gene",
    "transcript",
    "mane_select",
    "consequence",
    "hgvs_c",
    "hgvs_p",
    "classification",
    "rank",
    "genotypes",
    "origin",
]


def python_packages() -> dict[str, str]:
    out = {}
    for name in PYTHON_PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _num(x: Any) -> int | None:
    return int(x) if isinstance(x, int) else None


def read_variants(
    vcf: str, origin: str = "germline", pass_only: bool = False
) -> list[dict[str, Any]]:
    """Every record of a final call set, as report variants (GRCh38 coordinates)."""
    variants = []
    with pysam.VariantFile(vcf) as vf:
        samples = list(vf.header.samples)
        for rec in vf:
            if pass_only and list(rec.filter.keys()) != ["PASS"]:
                continue
            alt = rec.alts[0] if rec.alts else "."
            genotypes: dict[str, Any] = {}
            for s in samples:
                call = rec.samples[s]
                gt_raw = call.get("GT")
                sep = "|" if call.phased else "/"
                gt = sep.join(["." if a is None else str(a) for a in gt_raw]) if gt_raw else "."
                ad = call.get("AD") if "AD" in call else None
                ad_list = [_num(x) for x in ad] if ad is not None else None
                dp = _num(call.get("DP")) if "DP" in call else None
                vaf = None
                counts = [x for x in ad_list or [] if x is not None]
                if ad_list and len(counts) == len(ad_list) and sum(counts) > 0:
                    vaf = round(counts[1] / sum(counts), 4) if len(counts) > 1 else 0.0
                genotypes[s] = {"gt": gt, "dp": dp, "ad": ad_list, "vaf": vaf}
            info = rec.info
            filt = ";".join(str(k) for k in rec.filter) or "."
            variant = {
                "id": f"{rec.chrom}-{rec.pos}-{rec.ref}-{alt}",
                "chrom": rec.chrom,
                "pos": rec.pos,
                "ref": rec.ref,
                "alt": alt,
                "filter": filt,
                "qual": round(float(rec.qual), 2) if rec.qual is not None else None,
                "gene": info.get("GENE"),
                "transcript": info.get("TRANSCRIPT"),
                "mane_select": (info.get("MANE") == "yes") if "MANE" in info else None,
                "consequence": info.get("CONSEQUENCE", "intergenic"),
                "hgvs_c": info.get("HGVSc"),
                "hgvs_p": info.get("HGVSp"),
                "genotypes": genotypes,
                "classification": None,
                "rank": None,
                "evidence": [],
            }
            variant["origin"] = origin
            if "SRC_CONTIG" in info:
                variant["source"] = {"contig": info["SRC_CONTIG"], "pos": int(info["SRC_POS"])}
            variants.append(variant)
    return variants


def merge_somatic(
    germline: list[dict[str, Any]], somatic: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Germline calls plus somatic calls; an allele called both ways is kept as somatic."""
    somatic_ids = {v["id"] for v in somatic}
    merged = [v for v in germline if v["id"] not in somatic_ids] + somatic
    order = {c: i for i, c in enumerate(GRCH38_LENGTHS)}
    merged.sort(key=lambda v: (order.get(v["chrom"], len(order)), v["pos"], v["ref"], v["alt"]))
    return merged


def _to_grch38(
    contig: str, start1: int, end1: int, cmap: dict[str, ContigSlice] | None
) -> tuple[str, int, int]:
    if not cmap or contig not in cmap:
        return contig, start1, end1
    sl = cmap[contig]
    return sl.chrom, sl.start + start1 - 1, sl.start + end1 - 1


def coverage_section(
    exon_thresholds: str,
    targets_bed: str,
    min_depth: int,
    padding: int,
    cmap: dict[str, ContigSlice] | None,
) -> dict[str, Any]:
    """Per-gene breadth at min_depth over coding exons in the targets, and every exon gap."""
    targets: dict[str, list[tuple[int, int]]] = {}
    with open(targets_bed) as handle:
        for line in handle:
            t_chrom, t_start, t_end = line.split("\t")[:3]
            targets.setdefault(t_chrom, []).append((int(t_start), int(t_end)))
    genes: dict[str, dict[str, Any]] = {}
    gaps = []
    for chrom, s, e, name, covered in read_thresholds(exon_thresholds, min_depth):
        if not any(ts < e and s < te for ts, te in targets.get(chrom, [])):
            continue
        gene, tx, exon = name.split(":")
        g = genes.setdefault(
            gene, {"gene": gene, "transcript": tx, "coding_bases": 0, "covered": 0}
        )
        g["coding_bases"] += e - s
        g["covered"] += covered
        frac = covered / (e - s)
        if frac < 1.0:
            gchrom, gs, ge = _to_grch38(chrom, s + 1, e, cmap)
            gaps.append(
                {
                    "gene": gene,
                    "transcript": tx,
                    "exon": exon,
                    "chrom": gchrom,
                    "start": gs,
                    "end": ge,
                    "fraction_at_min_depth": round(frac, 4),
                }
            )
    gene_rows = []
    for g in sorted(genes.values(), key=lambda x: x["gene"]):
        frac = g["covered"] / g["coding_bases"] if g["coding_bases"] else 0.0
        status = (
            "assessable"
            if frac >= 1.0
            else ("partially assessable" if frac >= 0.9 else "not assessable")
        )
        gene_rows.append(
            {
                "gene": g["gene"],
                "transcript": g["transcript"],
                "coding_bases": g["coding_bases"],
                "fraction_at_min_depth": round(frac, 4),
                "status": status,
            }
        )
    return {"min_depth": min_depth, "exon_padding": padding, "genes": gene_rows, "gaps": gaps}


def coverage_not_assessable(coverage: dict[str, Any]) -> list[dict[str, str]]:
    """The not-assessable items of a coverage section: every gene below full coverage."""
    return [
        {
            "what": f"{g['gene']} ({g['transcript']})",
            "reason": f"{g['status']}: {g['fraction_at_min_depth']:.1%} of coding bases at "
            f">= {coverage['min_depth']}x",
        }
        for g in coverage["genes"]
        if g["status"] != "assessable"
    ]


def build_report(
    *,
    patient: str,
    pilot: str,
    samples: list[dict[str, Any]],
    qc: dict[str, SampleQC],
    variants: list[dict[str, Any]],
    coverage: dict[str, Any],
    provenance: dict[str, Any],
    findings: list[dict[str, Any]] | None = None,
    biomarkers: list[dict[str, Any]] | None = None,
    interpretation: dict[str, str] | None = None,
) -> dict[str, Any]:
    sample_rows = []
    not_assessable = []
    for s in samples:
        q = asdict(qc[s["sample"]])
        q.pop("sample")
        sample_rows.append(
            {
                "sample": s["sample"],
                "role": s["role"],
                "sex": s["sex"],
                "affected": s["affected"],
                "phenotypes": list(s.get("phenotypes") or []),
                "tumor_type": s.get("tumor_type"),
                "purity": s.get("purity"),
                "qc": q,
            }
        )
        if q["status"] == "fail":
            not_assessable.append(
                {"what": f"sample {s['sample']}", "reason": "QC failed: " + "; ".join(q["reasons"])}
            )
    not_assessable += coverage_not_assessable(coverage)
    report = {
        "schema_version": "1.0",
        "patient": patient,
        "pilot": pilot,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "interpretation": interpretation
        or {
            "status": "not_available",
            "note": "No pilot rules have been applied: the variants are listed unclassified and "
            "none is reported as actionable.",
        },
        "samples": sample_rows,
        "findings": findings or [],
        "sections": [],
        "variants": variants,
        "biomarkers": biomarkers or [],
        "coverage": coverage,
        "not_assessable": not_assessable,
        "provenance": provenance,
    }
    validate_report(report)
    return report


def validate_report(report: dict[str, Any]) -> None:
    with open(SCHEMA_PATH) as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator(schema).validate(report)


def variants_tsv(report: dict[str, Any]) -> str:
    lines = ["\t".join(TSV_COLUMNS)]
    for v in report["variants"]:
        row = []
        for col in TSV_COLUMNS:
            if col == "genotypes":
                value = ";".join(
                    f"{s}={g['gt']}:{g['dp'] if g['dp'] is not None else '.'}"
                    for s, g in v["genotypes"].items()
                )
            else:
                x = v.get(col)
                value = "" if x is None else str(x)
            row.append(value.replace("\t", " "))
        lines.append("\t".join(row))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- HTML
E = html.escape

CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
header{background:#1f3a5f;color:#fff;padding:14px 24px}header h1{margin:0;font-size:1.4em}
header .meta{opacity:.85;font-size:.9em}main{padding:12px 24px;max-width:1400px}
section{background:#fff;border:1px solid #dde2ea;border-radius:6px;margin:14px 0;padding:12px 18px}
h2{font-size:1.15em;margin:4px 0 10px}table{border-collapse:collapse;width:100%;font-size:.86em}
th,td{border-bottom:1px solid #e6e9ef;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#eef1f6;cursor:pointer;user-select:none;position:sticky;top:0}
.pass{color:#17663a}.warn{color:#9a6200}.fail,.na{color:#b3261e;font-weight:600}
.badge{display:inline-block;padding:1px 7px;border-radius:10px;font-size:.8em;background:#eef1f6}
.empty{color:#5b6578;font-style:italic}input[type=search]{padding:4px 8px;width:320px}
code{font-size:.95em}.small{font-size:.82em;color:#5b6578}
@page{size:A4 landscape;margin:10mm}@media print{th{position:static}section{break-inside:auto}}
"""

JS = """
function sortTable(th){const t=th.closest('table'),i=[...th.parentNode.children].indexOf(th),
b=t.tBodies[0],rows=[...b.rows],asc=th.dataset.asc!=='1';th.dataset.asc=asc?'1':'0';
const key=r=>{const s=r.cells[i].innerText.trim(),n=parseFloat(s.replace(/,/g,''));return isNaN(n)?s.toLowerCase():n};
rows.sort((a,c)=>{const x=key(a),y=key(c);return (x>y?1:x<y?-1:0)*(asc?1:-1)});rows.forEach(r=>b.appendChild(r));}
function filterTable(input,id){const q=input.value.toLowerCase(),pass=document.getElementById('passonly');
for(const r of document.getElementById(id).tBodies[0].rows){const okq=r.innerText.toLowerCase().includes(q);
const okf=!pass||!pass.checked||r.dataset.filter==='PASS';r.style.display=okq&&okf?'':'none';}}
document.addEventListener('DOMContentLoaded',()=>{document.querySelectorAll('th').forEach(th=>th.addEventListener('click',()=>sortTable(th)));
const f=document.getElementById('vfilter');if(f){f.addEventListener('input',()=>filterTable(f,'variant-table'));
document.getElementById('passonly').addEventListener('change',()=>filterTable(f,'variant-table'));filterTable(f,'variant-table');}});
"""


def _table(
    headers: list[str],
    rows: list[list[str]],
    table_id: str = "",
    row_attrs: list[str] | None = None,
) -> str:
    head = "".join(f"<th>{E(h)}</th>" for h in headers)
    body = []
    for i, r in enumerate(rows):
        attrs = row_attrs[i] if row_attrs else ""
        body.append(f"<tr{attrs}>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>")
    tid = f' id="{E(table_id)}"' if table_id else ""
    return f"<table{tid}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


NA_SHOWN = 12  # rows of the not-assessable list shown before "more"


def _status_class(status: str) -> str:
    return {"positive": "fail", "negative": "pass"}.get(status, "warn")


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def coverage_svg(genes: list[dict[str, Any]], min_depth: int) -> str:
    """Horizontal bars: share of coding bases at min_depth per gene (inline SVG)."""
    if not genes:
        return ""
    bar_h, width, label_w = 14, 420, 90
    height = bar_h * len(genes) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + width + 60}" '
        f'height="{height}" role="img" aria-label="coverage per gene">'
    ]
    for i, g in enumerate(genes):
        y = i * bar_h + 4
        frac = float(g["fraction_at_min_depth"])
        color = "#2e8b57" if frac >= 1 else ("#d9a400" if frac >= 0.9 else "#c0392b")
        parts.append(
            f'<text x="{label_w - 4}" y="{y + 10}" font-size="10" text-anchor="end">'
            f"{E(g['gene'])}</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{width * frac:.1f}" height="{bar_h - 3}" '
            f'fill="{color}"/>'
        )
        parts.append(
            f'<text x="{label_w + width * frac + 4:.1f}" y="{y + 10}" font-size="10">'
            f"{_pct(frac)}</text>"
        )
    parts.append(
        f'<text x="{label_w}" y="{height - 4}" font-size="10">share of coding bases '
        f"at &gt;= {min_depth}x</text></svg>"
    )
    return "".join(parts)


def vaf_svg(vafs: list[float], bins: int = 20) -> str:
    """Histogram of variant allele fractions (inline SVG)."""
    counts = [0] * bins
    for x in vafs:
        counts[min(bins - 1, int(x * bins))] += 1
    top = max(counts) or 1
    w, h, bw = 440, 120, 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + 40}" height="{h + 34}" '
        'role="img" aria-label="VAF histogram">'
    ]
    for i, n in enumerate(counts):
        bh = h * n / top
        parts.append(
            f'<rect x="{30 + i * bw + 1}" y="{h - bh + 4:.1f}" width="{bw - 2}" '
            f'height="{bh:.1f}" fill="#1f3a5f"><title>{i / bins:.2f}-{(i + 1) / bins:.2f}: '
            f"{n}</title></rect>"
        )
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<text x="{30 + tick * bins * bw:.0f}" y="{h + 18}" font-size="10" '
            f'text-anchor="middle">{tick:g}</text>'
        )
    parts.append(
        f'<text x="2" y="12" font-size="10">{top}</text>'
        f'<text x="{30 + w / 2:.0f}" y="{h + 32}" font-size="10" text-anchor="middle">'
        f"VAF of PASS calls (n={len(vafs)})</text></svg>"
    )
    return "".join(parts)


def render_html(report: dict[str, Any], max_variants: int = 2000) -> str:
    prov = report["provenance"]
    samples = report["samples"]
    qc_worst = max((s["qc"]["status"] for s in samples), key=["pass", "warn", "fail"].index)
    out = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">",
        f"<title>bigmed report {E(report['patient'])}</title><style>{CSS}</style>",
        f"<script>{JS}</script></head><body>",
        f"<header><h1>Patient {E(report['patient'])} &middot; {E(report['pilot'])}</h1>",
        f"<div class='meta'>bigmed {E(prov['pipeline_version'])} &middot; GRCh38 &middot; "
        f"generated {E(report['generated'])} &middot; sample QC: "
        f"<span class='badge {E(qc_worst)}'>{E(qc_worst)}</span></div></header><main>",
    ]
    n_pass = sum(1 for v in report["variants"] if v["filter"] == "PASS")
    out.append(
        "<p class='small' id='summary'>"
        f"{len(report['findings'])} actionable finding(s) &middot; "
        f"{len(report['not_assessable'])} item(s) not assessable &middot; "
        f"{n_pass} PASS calls of {len(report['variants'])} &middot; "
        f"{len(samples)} sample(s)</p>"
    )
    # 1. actionable findings
    out.append("<section id='findings'><h2>Actionable findings</h2>")
    interp = report.get("interpretation") or {}
    if report["findings"]:
        rows = [
            [
                E(str(f.get(k, "")))
                for k in ("gene", "hgvs_c", "hgvs_p", "classification", "summary")
            ]
            for f in report["findings"]
        ]
        out.append(_table(["gene", "HGVS c.", "HGVS p.", "class / tier", "summary"], rows))
    else:
        out.append(
            f"<p class='empty'>No actionable finding is reported. {E(interp.get('note', ''))}</p>"
        )
    if report["findings"] and interp.get("note"):
        out.append(f"<p class='small'>{E(interp['note'])}</p>")
    if report["biomarkers"]:
        out.append("<h3>Biomarkers</h3>")
        out.append(
            _table(
                ["biomarker", "status", "value", "reason"],
                [
                    [
                        E(str(b["name"])),
                        f"<span class='{_status_class(b['status'])}'>{E(b['status'])}</span>",
                        E("" if b.get("value") is None else str(b.get("value"))),
                        E(str(b.get("reason", ""))),
                    ]
                    for b in report["biomarkers"]
                ],
            )
        )
    out.append("</section>")
    if "changes" in report:
        ch = report["changes"]
        prev = ch["previous"]
        out.append("<section id='changes'><h2>Changes since the previous report</h2>")
        out.append(
            f"<p>Previous report: {E(str(prev.get('generated')))}, bigmed "
            f"{E(str(prev.get('pipeline_version')))}, config {E(str(prev.get('config_hash'))[:12])}."
            "</p>"
        )
        if ch["items"]:
            out.append(
                _table(
                    ["change", "what", "before", "after"],
                    [
                        [
                            E(str(i["change"])),
                            E(str(i["what"])),
                            E(str(i.get("before") or "")),
                            E(str(i.get("after") or "")),
                        ]
                        for i in ch["items"]
                    ],
                )
            )
        else:
            out.append("<p class='pass'>No finding, classification or source changed.</p>")
        out.append("</section>")
    for sec in report.get("sections", []):
        out.append(f"<section id='{E(sec['id'])}'><h2>{E(sec['title'])}</h2>")
        if sec.get("note"):
            out.append(f"<p>{E(sec['note'])}</p>")
        out.append(
            _table(
                [str(c) for c in sec["columns"]],
                [[E("" if c is None else str(c)) for c in row] for row in sec["rows"]],
            )
        )
        out.append("</section>")
    # 2. not assessable
    out.append("<section id='not-assessable'><h2>Not assessable</h2>")
    na = report["not_assessable"]
    if na:
        out.append(
            f"<p>{len(na)} item(s) could not be fully assessed; absence of a finding there "
            "is not evidence of absence.</p>"
        )
        rows = [[E(x["what"]), f"<span class='na'>{E(x['reason'])}</span>"] for x in na]
        out.append(_table(["what", "reason"], rows[:NA_SHOWN]))
        if len(rows) > NA_SHOWN:
            out.append(
                f"<details><summary>{len(rows) - NA_SHOWN} more</summary>"
                + _table(["what", "reason"], rows[NA_SHOWN:])
                + "</details>"
            )
    else:
        out.append(
            "<p class='pass'>Every coding exon in the targets reached the depth threshold "
            "and every sample passed QC.</p>"
        )
    out.append("</section>")
    # 3. variants
    variants = report["variants"]
    sample_ids = [s["sample"] for s in samples]
    out.append(f"<section id='variants'><h2>Variants ({len(variants)} calls)</h2>")
    out.append(
        "<p><input type='search' id='vfilter' placeholder='filter: gene, HGVS, consequence…'> "
        "<label><input type='checkbox' id='passonly' checked> PASS only</label> "
        "<span class='small'>click a column header to sort</span></p>"
    )
    rows, attrs = [], []
    for v in variants[:max_variants]:
        gts = " ".join(
            f"{E(s)}:&nbsp;{E(v['genotypes'][s]['gt'])}"
            f"&nbsp;({v['genotypes'][s]['dp'] if v['genotypes'][s]['dp'] is not None else '.'}x)"
            for s in sample_ids
            if s in v["genotypes"]
        )
        rows.append(
            [
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
                gts,
            ]
        )
        attrs.append(f" data-filter='{E(v['filter'])}'")
    out.append(
        _table(
            [
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
            ],
            rows,
            "variant-table",
            attrs,
        )
    )
    if len(variants) > max_variants:
        out.append(
            f"<p class='small'>{len(variants) - max_variants} more variants are in "
            "report.json and variants.tsv.</p>"
        )
    out.append("</section>")
    # 4. coverage
    cov = report["coverage"]
    out.append(
        f"<section id='coverage'><h2>Coverage of coding exons (&ge; {cov['min_depth']}x, "
        f"exons &plusmn;{cov['exon_padding']} bp)</h2>"
    )
    if cov.get("scope"):
        out.append(f"<p class='small'>Genes: {E(cov['scope'])}.</p>")
    out.append(coverage_svg(cov["genes"], cov["min_depth"]))
    for s in samples:
        if s["role"] == "tumor":
            vafs = [
                float(v["genotypes"][s["sample"]]["vaf"])
                for v in report["variants"]
                if v["filter"] == "PASS"
                and s["sample"] in v["genotypes"]
                and v["genotypes"][s["sample"]]["vaf"] is not None
            ]
            out.append(f"<h3>Variant allele fractions in {E(s['sample'])}</h3>")
            out.append(vaf_svg(vafs))
    gap_rows = [
        [
            E(g["gene"]),
            E(g["transcript"]),
            E(g["exon"]),
            E(f"{g['chrom']}:{g['start']}-{g['end']}"),
            _pct(g["fraction_at_min_depth"]),
        ]
        for g in cov["gaps"][:500]
    ]
    if gap_rows:
        out.append(f"<h3>Exons below {cov['min_depth']}x ({len(cov['gaps'])})</h3>")
        out.append(_table(["gene", "transcript", "exon", "GRCh38 region", "at depth"], gap_rows))
    out.append("</section>")
    # 5. QC
    qrows = []
    for s in samples:
        q = s["qc"]
        qrows.append(
            [
                E(s["sample"]),
                E(s["role"]),
                E(s["sex"]),
                E(s["affected"]),
                f"{q['reads']:,}",
                _pct(q["mapped_fraction"]),
                _pct(q["duplicate_fraction"]),
                f"{q['mean_coverage']:.1f}",
                _pct(q["fraction_target_at_min_depth"]),
                f"<span class='{E(q['status'])}'>{E(q['status'])}</span> "
                f"{E('; '.join(q['reasons']))}",
            ]
        )
    out.append("<section id='qc'><h2>Sample QC</h2>")
    out.append(
        _table(
            [
                "sample",
                "role",
                "sex",
                "affected",
                "reads",
                "mapped",
                "duplicates",
                "mean depth",
                f"target ≥ {cov['min_depth']}x",
                "status",
            ],
            qrows,
        )
    )
    out.append("</section>")
    # 6. provenance
    out.append("<section id='provenance'><h2>Provenance</h2><table><tbody>")
    ref = prov["reference"]
    items = [
        ("pipeline", f"bigmed {prov['pipeline_version']} (git {prov['git_commit']})"),
        ("config sha256", prov["config_hash"]),
        ("reference", f"{ref['path']} ({ref['build']}) sha256 {ref['sha256']}"),
        ("annotation", f"{prov['annotation']['path']} sha256 {prov['annotation']['sha256']}"),
        ("tools", ", ".join(f"{k} {v}" for k, v in sorted(prov["tools"].items()))),
        (
            "python packages",
            ", ".join(f"{k} {v}" for k, v in sorted(prov["python_packages"].items())),
        ),
        (
            "knowledge bases",
            ", ".join(f"{k.get('name')} {k.get('version')}" for k in prov["knowledge_bases"])
            or "none used",
        ),
    ]
    for k, v in items:
        out.append(f"<tr><th>{E(k)}</th><td><code>{E(v)}</code></td></tr>")
    out.append("</tbody></table><h3>Input files</h3>")
    out.append(
        _table(
            ["sample", "unit", "file", "sha256"],
            [
                [
                    E(i["sample"]),
                    E(i.get("unit", "")),
                    E(i["path"]),
                    f"<code>{E(i['sha256'])}</code>",
                ]
                for i in prov["inputs"]
            ],
        )
    )
    out.append("</section></main></body></html>")
    return "\n".join(out)
