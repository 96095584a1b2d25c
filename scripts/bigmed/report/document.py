"""The per-patient report document, report.json: built from the call set, QC and coverage,
then checked against workflow/schemas/report.schema.json. Rendering lives elsewhere
(:mod:`bigmed.report.html`, :mod:`bigmed.report.tsv`)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict
from importlib import metadata
from typing import Any

import jsonschema
import pysam

from bigmed.base import schemas
from bigmed.genome.reference import GRCH38_LENGTHS, ContigSlice
from bigmed.intake.coverage import read_regions, read_thresholds
from bigmed.intake.qc import SampleQC, judge

SCHEMA_PATH = schemas.schema_path("report.schema.json")
PYTHON_PACKAGES = ("snakemake", "pysam", "numpy", "jsonschema", "PyYAML", "multiqc")


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


def _genotype(call: Any) -> dict[str, Any]:
    """GT, DP, AD and the VAF (alt share of AD, when every AD value is known) of one sample."""
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
    return {"gt": gt, "dp": dp, "ad": ad_list, "vaf": vaf}


def _variant(rec: pysam.VariantRecord, samples: list[str], origin: str) -> dict[str, Any]:
    """One record as a report variant; its key order is the order in report.json."""
    alt = rec.alts[0] if rec.alts else "."
    info = rec.info
    variant = {
        "id": f"{rec.chrom}-{rec.pos}-{rec.ref}-{alt}",
        "chrom": rec.chrom,
        "pos": rec.pos,
        "ref": rec.ref,
        "alt": alt,
        "filter": ";".join(str(k) for k in rec.filter) or ".",
        "qual": round(float(rec.qual), 2) if rec.qual is not None else None,
        "gene": info.get("GENE"),
        "transcript": info.get("TRANSCRIPT"),
        "mane_select": (info.get("MANE") == "yes") if "MANE" in info else None,
        "consequence": info.get("CONSEQUENCE", "intergenic"),
        "hgvs_c": info.get("HGVSc"),
        "hgvs_p": info.get("HGVSp"),
        "genotypes": {s: _genotype(rec.samples[s]) for s in samples},
        "classification": None,
        "rank": None,
        "evidence": [],
        "origin": origin,
    }
    if "SRC_CONTIG" in info:
        variant["source"] = {"contig": info["SRC_CONTIG"], "pos": int(info["SRC_POS"])}
    return variant


def read_variants(
    vcf: str, origin: str = "germline", pass_only: bool = False
) -> list[dict[str, Any]]:
    """Every record of a final call set, as report variants (GRCh38 coordinates)."""
    with pysam.VariantFile(vcf) as vf:
        samples = list(vf.header.samples)
        return [
            _variant(rec, samples, origin)
            for rec in vf
            if not pass_only or list(rec.filter.keys()) == ["PASS"]
        ]


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


def _read_targets(path: str) -> dict[str, list[tuple[int, int]]]:
    """The target intervals per contig of the pipeline's own targets BED (already checked)."""
    targets: dict[str, list[tuple[int, int]]] = {}
    with open(path) as handle:
        for line in handle:
            t_chrom, t_start, t_end = line.split("\t")[:3]
            targets.setdefault(t_chrom, []).append((int(t_start), int(t_end)))
    return targets


def _gene_status(frac: float) -> str:
    """Whether a gene is assessable from the share of its coding bases at the min depth."""
    if frac >= 1.0:
        return "assessable"
    return "partially assessable" if frac >= 0.9 else "not assessable"


def _gene_rows(genes: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    rows = []
    for g in sorted(genes.values(), key=lambda x: x["gene"]):
        frac = g["covered"] / g["coding_bases"] if g["coding_bases"] else 0.0
        rows.append(
            {
                "gene": g["gene"],
                "transcript": g["transcript"],
                "coding_bases": g["coding_bases"],
                "fraction_at_min_depth": round(frac, 4),
                "status": _gene_status(frac),
            }
        )
    return rows


def coverage_section(
    exon_thresholds: str,
    targets_bed: str,
    min_depth: int,
    padding: int,
    cmap: dict[str, ContigSlice] | None,
) -> dict[str, Any]:
    """Per-gene breadth at min_depth over coding exons in the targets, and every exon gap."""
    targets = _read_targets(targets_bed)
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
    return {
        "min_depth": min_depth,
        "exon_padding": padding,
        "genes": _gene_rows(genes),
        "gaps": gaps,
    }


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


def _sample_row(s: dict[str, Any], qc: SampleQC) -> dict[str, Any]:
    """A sample-sheet row and its QC, as report.json lists samples."""
    q = asdict(qc)
    q.pop("sample")
    return {
        "sample": s["sample"],
        "role": s["role"],
        "sex": s["sex"],
        "affected": s["affected"],
        "phenotypes": list(s.get("phenotypes") or []),
        "tumor_type": s.get("tumor_type"),
        "purity": s.get("purity"),
        "qc": q,
    }


def _qc_not_assessable(rows: list[dict[str, Any]]) -> list[dict[str, str]]:
    """One not-assessable item per sample that failed QC."""
    return [
        {"what": f"sample {r['sample']}", "reason": "QC failed: " + "; ".join(r["qc"]["reasons"])}
        for r in rows
        if r["qc"]["status"] == "fail"
    ]


ANALYSED_REGIONS = (
    "coding exons (+-{padding} bp) of the {n} gene(s) in the report's coverage{scope}, "
    "inside the targets: every depth figure of the report (sample QC, gene coverage, exon "
    "gaps) is over these bases"
)


def _analysed_exons(report: dict[str, Any]) -> set[tuple[str, str]]:
    """(gene, transcript) of every gene in the report's coverage: the analysed regions."""
    return {(g["gene"], g["transcript"]) for g in report["coverage"]["genes"] if g["transcript"]}


def region_depth(
    thresholds: str,
    regions: str | None,
    targets: dict[str, list[tuple[int, int]]],
    keep: set[tuple[str, str]],
    min_depth: int,
) -> tuple[int, int, float]:
    """(bases, bases at >= min_depth, mean depth) of one sample over the analysed exons.

    ``thresholds``/``regions``: the sample's mosdepth exon files (names gene:transcript:exon);
    the mean is base-weighted over the exons' mean depths (``regions`` None: 0).
    """
    bases = covered = 0
    names = set()
    for chrom, s, e, name, n in read_thresholds(thresholds, min_depth):
        gene, tx = name.split(":")[:2]
        if (gene, tx) in keep and any(ts < e and s < te for ts, te in targets.get(chrom, [])):
            bases += e - s
            covered += n
            names.add((chrom, s, e))
    depth_sum = 0.0
    for r in read_regions(regions) if regions else []:
        if (r.chrom, r.start, r.end) in names:
            depth_sum += r.depth * (r.end - r.start)
    return bases, covered, (depth_sum / bases if bases else 0.0)


def apply_analysed_regions(
    report: dict[str, Any],
    exon_files: dict[str, tuple[str, str | None]],
    targets_bed: str,
) -> None:
    """One target per patient: each sample's depth and QC status over the analysed regions
    (the genes of the final coverage section, after a pilot narrowed them to its panel).

    ``exon_files``: sample -> (exon thresholds, exon regions) for the samples with reads.
    """
    cov = report["coverage"]
    keep = _analysed_exons(report)
    targets = _read_targets(targets_bed)
    total = 0
    for row in report["samples"]:
        files = exon_files.get(row["sample"])
        if files is None:
            continue
        bases, covered, mean = region_depth(files[0], files[1], targets, keep, cov["min_depth"])
        total = max(total, bases)
        qc = SampleQC(row["sample"], **{k: v for k, v in row["qc"].items()})
        qc.fraction_target_at_min_depth = covered / bases if bases else 0.0
        qc.mean_coverage = round(mean, 2)
        row["qc"] = {k: v for k, v in asdict(judge(qc, bases, cov["min_depth"])).items()
                     if k != "sample"}  # fmt: skip
    scope = f" ({cov['scope']})" if cov.get("scope") else ""
    report["analysed_regions"] = {
        "definition": ANALYSED_REGIONS.format(
            padding=cov["exon_padding"], n=len(keep), scope=scope
        ),
        "genes": len(keep),
        "bases": total,
        "min_depth": cov["min_depth"],
    }


def finding_qc(report: dict[str, Any], item: dict[str, Any]) -> list[str]:
    """The QC that bears on one finding: depth below the threshold at its site in a sample
    that has a genotype there, and every QC warning of those samples."""
    v = next((x for x in report["variants"] if x["id"] == item.get("variant_id")), None)
    if v is None:
        return []
    min_depth = report["coverage"]["min_depth"]
    rows = {r["sample"]: r for r in report["samples"]}
    out = []
    for sample, g in v["genotypes"].items():
        if g["dp"] is not None and g["dp"] < min_depth:
            role = rows.get(sample, {}).get("role", "")
            out.append(f"{sample} ({role}): depth {g['dp']}x at the site < {min_depth}x")
    for sample in v["genotypes"]:
        qc = rows.get(sample, {}).get("qc", {})
        if qc.get("status") in ("warn", "fail"):
            # read-level problems bear on every call; the regions' depth is the site's depth
            out += [
                f"{sample}: {r.split(':')[0]}"
                for r in qc.get("reasons", [])
                if "of the analysed regions" not in r
            ]
    return out


def annotate_finding_qc(report: dict[str, Any]) -> None:
    """Each finding and candidate gets the QC that bears on it (empty: nothing of note)."""
    for item in [*report["findings"], *report.get("candidates", [])]:
        item["qc"] = finding_qc(report, item)


def referral(samples: list[dict[str, Any]], hpo_names: dict[str, str]) -> dict[str, Any]:
    """Why the patient was tested, from the sheet: the proband's/index's HPO terms (named
    from the HPO ontology when configured), cardiac indications, the tumor type and purity."""
    primary = next((s for s in samples if s["role"] in ("proband", "tumor")), samples[0])
    terms = list(primary.get("phenotypes") or [])
    indications: list[str] = []
    for s in samples:
        indications += [c for c in s.get("indication") or [] if c not in indications]
    tumor = next((s for s in samples if s["role"] == "tumor"), None)
    return {
        "sample": primary["sample"],
        "hpo": [{"id": t, "name": hpo_names.get(t)} for t in terms],
        "indications": indications,
        "tumor_type": tumor.get("tumor_type") if tumor else None,
        "purity": tumor.get("purity") if tumor else None,
    }


NO_INTERPRETATION = {
    "status": "not_available",
    "note": "No pilot rules have been applied: the variants are listed unclassified and "
    "none is reported as actionable.",
}


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
    """report.json before a pilot's interpretation is merged in (schema-checked)."""
    sample_rows = [_sample_row(s, qc[s["sample"]]) for s in samples]
    report = {
        "schema_version": "1.0",
        "patient": patient,
        "pilot": pilot,
        "generated": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "interpretation": interpretation or dict(NO_INTERPRETATION),
        "samples": sample_rows,
        "findings": findings or [],
        "sections": [],
        "variants": variants,
        "biomarkers": biomarkers or [],
        "coverage": coverage,
        "not_assessable": _qc_not_assessable(sample_rows) + coverage_not_assessable(coverage),
        "provenance": provenance,
    }
    validate_report(report)
    return report


def validate_report(report: dict[str, Any]) -> None:
    with open(SCHEMA_PATH) as handle:
        schema = json.load(handle)
    jsonschema.Draft202012Validator(schema).validate(report)
