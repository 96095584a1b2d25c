"""Evaluation of one seed's somatic calls against its truth, pooling over seeds, printing.

Calls are moved back to contig coordinates (SRC_CONTIG/SRC_POS) and matched to the truth
(normalised with ``bcftools norm -f``) by exact allele. A PASS call inside the targets that
is not a planted somatic allele is a false positive, typed as ``germline`` (a planted
germline allele), ``near_somatic`` (within 10 bp of a planted somatic event: another
representation of it, or part of it) or ``error`` (anything else: sequencing errors).
"""

from __future__ import annotations

import bisect
import math
import statistics
import subprocess
from pathlib import Path
from typing import Any

import pysam
import sa_sim

Key = tuple[str, int, str, str]
# (INFO field, the FILTER it controls, thresholds) re-applied to every candidate whose
# other filters pass: what precision/recall other thresholds would give
SWEEPS = [
    ("TLOD", "LowTumorLOD", (2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 5.5, 6.0, 7.0, 8.0)),
    ("SGLOD", "GermlineRisk", (-2.0, -1.0, 0.0, 0.5, 1.0, 1.5, 2.0, 3.0)),
]
NUMERIC = ("TLOD", "NLOD", "NALOD", "SGLOD", "SBG", "OBG")


def normalize(ref: Path, vcf: Path, out: Path) -> None:
    subprocess.run(
        [
            "bcftools",
            "norm",
            "-f",
            str(ref),
            "-c",
            "e",
            "-m",
            "-any",
            "-Ov",
            "-o",
            str(out),
            str(vcf),
        ],
        check=True,
        capture_output=True,
        text=True,
    )


def load_truth(path: Path) -> dict[Key, dict[str, Any]]:
    out = {}
    with pysam.VariantFile(str(path)) as vf:
        for rec in vf:
            info = rec.info
            band = info.get("BAND")
            out[(rec.chrom, rec.pos, rec.ref, rec.alts[0])] = {
                "origin": info["ORIGIN"],
                "band": None if band in (None, ".") else float(band),
                "cls": info.get("CLASS"),
                "label": (info.get("LABEL") or "").replace("_", " "),
            }
    return out


def load_calls(path: Path) -> list[dict[str, Any]]:
    rows = []
    with pysam.VariantFile(str(path)) as vf:
        samples = list(vf.header.samples)
        for rec in vf:
            t = rec.samples[samples[0]]
            n = rec.samples[samples[1]] if len(samples) > 1 else None
            row = {
                "key": (rec.info["SRC_CONTIG"], int(rec.info["SRC_POS"]), rec.ref, rec.alts[0]),
                "filter": ";".join(rec.filter.keys()),
                "t_ad": list(t["AD"]),
                "n_ad": list(n["AD"]) if n is not None else None,
                "hgvsp": rec.info.get("HGVSp"),
                "gene": rec.info.get("GENE"),
                "grch38": f"{rec.chrom}:{rec.pos}",
            }
            for k in NUMERIC:
                row[k] = rec.info.get(k) if k in rec.header.info else None
            rows.append(row)
    return rows


class Targets:
    def __init__(self, windows: list[tuple[str, int, int]]) -> None:
        self.by: dict[str, list[tuple[int, int]]] = {}
        for c, s, e in windows:
            self.by.setdefault(c, []).append((s, e))
        for v in self.by.values():
            v.sort()
        self.bp = sum(e - s for _, s, e in windows)

    def __contains__(self, cp: tuple[str, int]) -> bool:
        rows = self.by.get(cp[0], [])
        i = bisect.bisect_right(rows, (cp[1], math.inf)) - 1
        return i >= 0 and rows[i][0] < cp[1] <= rows[i][1]


def _label(key: Key, truth: dict[Key, dict[str, Any]], somatic_pos: dict[str, list[int]]) -> str:
    t = truth.get(key)
    if t is not None:
        return "somatic" if t["origin"] in ("somatic", "msi") else "germline"
    near = somatic_pos.get(key[0], [])
    i = bisect.bisect_left(near, key[1] - 10)
    if i < len(near) and near[i] <= key[1] + 10 + len(key[2]):
        return "near_somatic"
    return "error"


def _recalls(
    somatic: dict[Key, dict[str, Any]],
    passed: set[Key],
    bands: list[float],
    by_key: dict[Key, dict[str, Any]],
) -> dict[str, Any]:
    """Recall by band, by class, by both, at >= 10 %, and the records with >= 3 alt reads."""

    def rec(pick: Any) -> dict[str, Any]:
        return _recall([k for k, v in somatic.items() if pick(v)], passed)

    return {
        "per_band": {f"{b:g}": rec(lambda v, b=b: v["band"] == b) for b in bands},
        "per_class": {c: rec(lambda v, c=c: v["cls"] == c) for c in sa_sim.CLASSES},
        "per_band_class": {
            f"{b:g}": {
                c: rec(lambda v, b=b, c=c: v["band"] == b and v["cls"] == c) for c in sa_sim.CLASSES
            }
            for b in bands
        },
        "recall_vaf_ge_10": rec(lambda v: v["band"] >= 0.1),
        "with_3_alt_reads": {
            f"{b:g}": sum(
                1
                for k, v in somatic.items()
                if v["band"] == b and k in by_key and by_key[k]["t_ad"][1] >= 3
            )
            for b in bands
        },
        "somatic_by_band": {
            f"{b:g}": sum(1 for v in somatic.values() if v["band"] == b) for b in bands
        },
    }


def evaluate(
    truth: dict[Key, dict[str, Any]],
    calls: list[dict[str, Any]],
    bands: list[float],
    targets: Targets,
) -> dict[str, Any]:
    somatic = {k: v for k, v in truth.items() if v["origin"] == "somatic"}
    somatic_pos: dict[str, list[int]] = {}
    for k in somatic:
        somatic_pos.setdefault(k[0], []).append(k[1])
    for v in somatic_pos.values():
        v.sort()
    cands = [
        dict(r, label=_label(r["key"], truth, somatic_pos))
        for r in calls
        if (r["key"][0], r["key"][1]) in targets
    ]
    passed = {r["key"] for r in cands if r["filter"] == "PASS"}
    by_key = {r["key"]: r for r in cands}
    fps = [r for r in cands if r["filter"] == "PASS" and r["label"] != "somatic"]
    tp = len(passed) - len(fps)
    return {
        **_recalls(somatic, passed, bands, by_key),
        "TP": tp,
        "FP": len(fps),
        "target_bp": targets.bp,
        "fp_per_mb": round(len(fps) / targets.bp * 1e6, 2),
        "precision": round(tp / len(passed), 4) if passed else None,
        "fp_types": {
            t: sum(1 for r in fps if r["label"] == t) for t in ("germline", "near_somatic", "error")
        },
        "false_positives": [_brief(r) for r in fps],
        "false_negatives": [
            dict(
                _brief(by_key[k]) if k in by_key else {"site": _site(k), "filter": "no candidate"},
                band=v["band"],
                cls=v["cls"],
            )
            for k, v in sorted(somatic.items())
            if k not in passed
        ],
        "hotspots": _hotspots(somatic, by_key, passed),
        "candidates": [
            {k: r[k] for k in ("label", "filter", *NUMERIC)}
            | {"band": truth.get(r["key"], {}).get("band"), "t_ad": r["t_ad"], "n_ad": r["n_ad"]}
            for r in cands
        ],
    }


def _site(k: Key) -> str:
    return f"{k[0]}:{k[1]} {k[2]}>{k[3]}"


def _brief(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "site": _site(r["key"]),
        "label": r["label"],
        "filter": r["filter"],
        "t_ad": r["t_ad"],
        "n_ad": r["n_ad"],
        **{k: r[k] for k in NUMERIC if r.get(k) is not None},
    }


def _recall(keys: list[Key], passed: set[Key]) -> dict[str, Any]:
    found = sum(k in passed for k in keys)
    return {
        "truth": len(keys),
        "found": found,
        "recall": round(found / len(keys), 4) if keys else None,
    }


def _hotspots(
    somatic: dict[Key, dict[str, Any]], by_key: dict[Key, dict[str, Any]], passed: set[Key]
) -> list[dict[str, Any]]:
    out = []
    for k, v in sorted(somatic.items()):
        if v["label"]:
            name, hgvsp = v["label"].split("|")
            r = by_key.get(k)
            out.append(
                {
                    "hotspot": name,
                    "band": v["band"],
                    "called": k in passed,
                    "hgvsp": r["hgvsp"] if r else None,
                    "expected_hgvsp": hgvsp,
                }
            )
    return out


# ---------------------------------------------------------------------------- pooling


def pool(results: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts summed over seeds, and the min-max of each seed's rates."""

    def add(sections: list[dict[str, Any]]) -> dict[str, Any]:
        truth = sum(s["truth"] for s in sections)
        found = sum(s["found"] for s in sections)
        rates = [s["recall"] for s in sections if s["recall"] is not None]
        return {
            "truth": truth,
            "found": found,
            "recall": round(found / truth, 4) if truth else None,
            "spread": [min(rates), max(rates)] if rates else None,
        }

    bands = list(results[0]["per_band"])
    tp = sum(r["TP"] for r in results)
    fp = sum(r["FP"] for r in results)
    bp = sum(r["target_bp"] for r in results)
    prec = [r["precision"] for r in results if r["precision"] is not None]
    return {
        "per_band": {b: add([r["per_band"][b] for r in results]) for b in bands},
        "per_class": {c: add([r["per_class"][c] for r in results]) for c in sa_sim.CLASSES},
        "recall_vaf_ge_10": add([r["recall_vaf_ge_10"] for r in results]),
        "TP": tp,
        "FP": fp,
        "precision": round(tp / (tp + fp), 4) if tp + fp else None,
        "precision_spread": [min(prec), max(prec)] if prec else None,
        "fp_per_mb": round(fp / bp * 1e6, 2),
        "fp_types": {
            t: sum(r["fp_types"][t] for r in results) for t in ("germline", "near_somatic", "error")
        },
    }


def _sweep_row(
    name: str, ok: list[dict[str, Any]], truth_band: dict[str, int], bp: int
) -> dict[str, Any]:
    tp = sum(1 for c in ok if c["label"] == "somatic")
    row = {
        "setting": name,
        "FP": len(ok) - tp,
        "fp_per_mb": round((len(ok) - tp) / bp * 1e6, 2),
        "precision": round(tp / len(ok), 4) if ok else None,
    }
    for b, n_truth in truth_band.items():
        n = sum(1 for c in ok if c["label"] == "somatic" and f"{c['band']:g}" == b)
        row[f"recall_{b}"] = round(n / n_truth, 3) if n_truth else None
    return row


def sweep(results: list[dict[str, Any]], bands: list[str]) -> list[dict[str, Any]]:
    """Precision and recall per band with one threshold moved, the others as run; and
    min_tlod with min_alt_reads 2 or 3 (what lower thresholds would buy at 5 %)."""
    rows = []
    cands = [c for r in results for c in r["candidates"]]
    truth_band = {b: sum(r["somatic_by_band"][b] for r in results) for b in bands}
    bp = sum(r["target_bp"] for r in results)
    for field, filt, values in SWEEPS:
        if not any(c.get(field) is not None for c in cands):
            continue
        for thr in values:
            ok = [
                c
                for c in cands
                if c.get(field) is not None
                and c[field] >= thr
                and set(c["filter"].split(";")) <= {"PASS", filt}
            ]
            rows.append(_sweep_row(f"{field} >= {thr:g}", ok, truth_band, bp))
    for min_alt in (2, 3):
        for thr in SWEEPS[0][2]:
            ok = [
                c
                for c in cands
                if c.get("TLOD") is not None
                and c["TLOD"] >= thr
                and c["t_ad"][1] >= min_alt
                and set(c["filter"].split(";")) <= {"PASS", "LowTumorLOD", "MinAltReads"}
            ]
            rows.append(_sweep_row(f"alt reads >= {min_alt}, TLOD >= {thr:g}", ok, truth_band, bp))
    return rows


def distribution(values: list[float]) -> str:
    if not values:
        return "none"
    v = sorted(values)
    q = [v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))] for p in (0.0, 0.1, 0.5, 0.9, 1.0)]
    return (
        f"n={len(v)} min {q[0]:.2f} p10 {q[1]:.2f} median {q[2]:.2f} p90 {q[3]:.2f} max {q[4]:.2f}"
    )


def lod_distributions(results: list[dict[str, Any]]) -> dict[str, dict[str, str]]:
    """TLOD/NLOD (and SGLOD) of true and false PASS calls, and of the error and germline
    candidates the filters removed."""
    cands = [c for r in results for c in r["candidates"]]
    groups = {
        "true PASS": [c for c in cands if c["filter"] == "PASS" and c["label"] == "somatic"],
        "false PASS": [c for c in cands if c["filter"] == "PASS" and c["label"] != "somatic"],
        "filtered errors": [c for c in cands if c["filter"] != "PASS" and c["label"] == "error"],
        "filtered germline": [
            c for c in cands if c["filter"] != "PASS" and c["label"] == "germline"
        ],
        "missed somatic": [c for c in cands if c["filter"] != "PASS" and c["label"] == "somatic"],
    }
    out: dict[str, dict[str, str]] = {}
    for name, rows in groups.items():
        out[name] = {
            f: distribution([c[f] for c in rows if c.get(f) is not None and math.isfinite(c[f])])
            for f in ("TLOD", "NLOD", "SGLOD")
            if any(c.get(f) is not None for c in rows)
        }
    return out


def fmt_rate(s: dict[str, Any]) -> str:
    if not s["truth"]:
        return "-"
    sp = s.get("spread")
    tail = f" [{sp[0]:.2f}-{sp[1]:.2f}]" if sp and len(sp) == 2 else ""
    return f"{s['found']}/{s['truth']} ({s['recall']:.3f}){tail}"


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None
