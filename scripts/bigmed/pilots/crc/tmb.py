"""Tumor mutational burden: coding non-synonymous somatic mutations per callable megabase.

Callable = coding bases (the padded coding exons of the preferred transcripts, inside the
targets) where the tumor, and the normal when there is one, reach their depth thresholds
(mosdepth ``--quantize`` at the same MAPQ as calling). Counted: PASS somatic SNVs/indels
with a protein-altering consequence and tumor VAF >= ``min_vaf`` inside the callable
region. Like PCGR, TMB is "not evaluable" when the callable region is under 1 Mb: below
that, a handful of mutations swings the rate by several mutations/Mb.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pysam

from bigmed.base.textio import open_text
from bigmed.genome.vcf import PROTEIN_ALTERING

Interval = tuple[str, int, int]  # contig, 0-based start, end (BED)


@dataclass(frozen=True)
class TmbParams:
    min_callable_mb: float = 1.0  # PCGR: TMB below 1 Mb callable is not reported
    high: float = 10.0  # mutations/Mb: FDA tumor-agnostic TMB-high cut-off (pembrolizumab)
    min_vaf: float = 0.05


def read_bed(path: str, name_filter: str | None = None) -> list[Interval]:
    """BED intervals (plain or gzip); with ``name_filter`` only rows whose 4th column is it."""
    out = []
    with open_text(path, errors="strict") as handle:
        for line in handle:
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            cols = line.rstrip("\n").split("\t")
            if name_filter is not None and (len(cols) < 4 or cols[3] != name_filter):
                continue
            out.append((cols[0], int(cols[1]), int(cols[2])))
    return out


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    out: list[Interval] = []
    for c, s, e in sorted(intervals):
        if out and out[-1][0] == c and s <= out[-1][2]:
            out[-1] = (c, out[-1][1], max(out[-1][2], e))
        else:
            out.append((c, s, e))
    return out


def intersect(a: Sequence[Interval], b: Sequence[Interval]) -> list[Interval]:
    """Intersection of two interval sets (each merged first)."""
    a, b = merge(a), merge(b)
    out: list[Interval] = []
    i = j = 0
    while i < len(a) and j < len(b):
        ca, sa, ea = a[i]
        cb, sb, eb = b[j]
        if ca != cb:
            if ca < cb:
                i += 1
            else:
                j += 1
            continue
        s, e = max(sa, sb), min(ea, eb)
        if s < e:
            out.append((ca, s, e))
        if ea < eb:
            i += 1
        else:
            j += 1
    return out


def size(intervals: Iterable[Interval]) -> int:
    return sum(e - s for _, s, e in merge(intervals))


def contains(intervals: Sequence[Interval], contig: str, pos1: int) -> bool:
    """Whether a 1-based position lies in merged, sorted intervals (binary search)."""
    lo, hi = 0, len(intervals)
    key = (contig, pos1 - 1)
    while lo < hi:
        mid = (lo + hi) // 2
        c, s, e = intervals[mid]
        if (c, e) <= key:
            lo = mid + 1
        else:
            hi = mid
    if lo < len(intervals):
        c, s, e = intervals[lo]
        return c == contig and s <= pos1 - 1 < e
    return False


def callable_region(
    coding: Sequence[Interval], targets: Sequence[Interval], depth_ok: Sequence[Sequence[Interval]]
) -> list[Interval]:
    region = intersect(coding, targets)
    for ok in depth_ok:
        region = intersect(region, ok)
    return region


def count_mutations(
    vcf: str, callable_iv: Sequence[Interval], params: TmbParams
) -> list[dict[str, Any]]:
    """PASS protein-altering somatic calls in the callable region (contig coordinates via
    SRC_CONTIG/SRC_POS when the VCF was moved to GRCh38)."""
    merged = merge(callable_iv)
    out = []
    with pysam.VariantFile(vcf) as vf:
        tumor = next(iter(vf.header.samples))
        for rec in vf:
            if list(rec.filter.keys()) not in (["PASS"], []):
                continue
            if rec.info.get("CONSEQUENCE") not in PROTEIN_ALTERING:  # coding non-synonymous
                continue
            ad = rec.samples[tumor].get("AD")
            if not ad or len(ad) < 2 or not ad[0] + ad[1]:
                continue
            vaf = ad[1] / (ad[0] + ad[1])
            if vaf < params.min_vaf:
                continue
            contig = rec.info.get("SRC_CONTIG", rec.chrom)
            pos = int(rec.info.get("SRC_POS", rec.pos))
            if contains(merged, contig, pos):
                out.append(
                    {
                        "id": f"{rec.chrom}-{rec.pos}-{rec.ref}-{rec.alts[0] if rec.alts else '.'}",
                        "gene": rec.info.get("GENE"),
                        "consequence": rec.info.get("CONSEQUENCE"),
                        "vaf": round(vaf, 4),
                    }
                )
    return out


def tmb(
    mutations: int, callable_bp: int, params: TmbParams, tumor_only: bool, declared: bool = False
) -> dict[str, Any]:
    """The TMB result; ``declared``: the callable size is the assay's, given in the config for
    a somatic VCF without reads (counted mutations then lie in coding exons and targets)."""
    mb = callable_bp / 1e6
    result: dict[str, Any] = {
        "mutations": mutations,
        "callable_bp": callable_bp,
        "callable_mb": round(mb, 4),
        "min_callable_mb": params.min_callable_mb,
        "high_threshold": params.high,
        "tumor_only": tumor_only,
        "callable_declared": declared,
    }
    if mb < params.min_callable_mb:
        result.update(
            status="not evaluable",
            tmb=None,
            reason=f"callable coding region {callable_bp / 1e3:.1f} kb is below "
            f"{params.min_callable_mb:g} Mb ({mutations} qualifying mutation(s))",
        )
        return result
    rate = mutations / mb
    high = rate >= params.high
    reason = (
        f"{mutations} coding non-synonymous mutation(s) in {mb:.2f} callable Mb = {rate:.1f}/Mb "
        f"(TMB-high at >= {params.high:g}/Mb)"
    )
    if declared:
        reason += "; callable size declared in the config (tmb.vcf_callable_mb), not measured"
    if tumor_only:
        reason += "; tumor-only: germline variants not excluded, TMB may be overestimated"
    result.update(status="positive" if high else "negative", tmb=round(rate, 2), reason=reason)
    return result


def without_reads(reason: str, params: TmbParams, tumor_only: bool) -> dict[str, Any]:
    """TMB of a somatic VCF without reads and without a declared callable size."""
    return {
        "mutations": None,
        "callable_bp": None,
        "callable_mb": None,
        "min_callable_mb": params.min_callable_mb,
        "high_threshold": params.high,
        "tumor_only": tumor_only,
        "callable_declared": False,
        "status": "not evaluable",
        "tmb": None,
        "reason": f"{reason}: callable coding size unknown (set tmb.vcf_callable_mb to the "
        "assay's effective target size)",
    }
