"""What each sample's reads show at a familial variant: joint calls, else a BAM pileup.

The joint calls' FORMAT ``GT``/``AD``/``DP`` answer where the sample has a call
(:func:`calls_at`); where it has none, :func:`pileup_reads` counts the sample's reads at the
site with pysam, under the same MAPQ/BQ limits as calling. Both give
:class:`~bigmed.pilots.cardiac.model.SiteReads`; the carrier rules are in
:mod:`bigmed.pilots.cardiac.cascade`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any, Literal

import pysam

from bigmed.pilots.cardiac.model import SiteReads

PILEUP = "BAM pileup"
# what one read shows at the site: the allele, the reference, neither (depth only)
ReadAllele = Literal["alt", "ref", "other"]


def _gt_text(call: Any) -> str | None:
    gt = call.get("GT")
    if not gt:
        return None
    sep = "|" if call.phased else "/"
    return sep.join("." if a is None else str(a) for a in gt)


def _int(x: Any) -> int | None:
    return int(x) if isinstance(x, int) else None


def reads_from_call(call: Any, allele: int = 1) -> SiteReads:
    """SiteReads of one sample's FORMAT (GT, AD, DP) at a record."""
    gt = _gt_text(call)
    ad = call.get("AD") if "AD" in call else None
    dp = _int(call.get("DP")) if "DP" in call else None
    if ad is not None and len(ad) > allele and all(isinstance(x, int) for x in ad):
        ref_n, alt_n = int(ad[0]), int(ad[allele])
        depth = sum(int(x) for x in ad)
        return SiteReads("joint calls", gt, ref_n, alt_n, depth)
    return SiteReads("joint calls", gt, None, None, dp)


def calls_at(vcf: str, ids: Iterable[str]) -> dict[str, dict[str, SiteReads]]:
    """variant id (chrom-pos-ref-alt) -> sample -> SiteReads, from the joint calls."""
    wanted = set(ids)
    out: dict[str, dict[str, SiteReads]] = {}
    if not wanted:
        return out
    with pysam.VariantFile(vcf) as vf:
        samples = list(vf.header.samples)
        for rec in vf:
            for i, alt in enumerate(rec.alts or (), 1):
                vid = f"{rec.chrom}-{rec.pos}-{rec.ref}-{alt}"
                if vid in wanted:
                    out[vid] = {s: reads_from_call(rec.samples[s], i) for s in samples}
    return out


def pileup_reads(
    bam: str,
    contig: str,
    pos: int,
    ref: str,
    alt: str,
    *,
    min_mapq: int = 20,
    min_baseq: int = 13,
    reference: str | None = None,
) -> SiteReads:
    """Count reads with the allele and with the reference at a site (1-based ``pos``).

    Duplicates, secondary, QC-failed and unmapped reads are skipped (pysam's default
    stepper), overlapping mates are counted once. SNVs and MNPs need every base at
    ``min_baseq``; an indel is read from the anchor base (the read must span the event).
    ``reference``: the FASTA a CRAM was written against.
    """
    ref, alt = ref.upper(), alt.upper()
    if len(ref) != len(alt) and ref[0] != alt[0]:
        return SiteReads(PILEUP, note="complex allele: not counted from the BAM")
    with pysam.AlignmentFile(bam, reference_filename=reference) as handle:
        if contig not in handle.references:
            return SiteReads(PILEUP, note=f"contig {contig} is not in the BAM")
        seen = Counter(_site_alleles(handle, contig, pos, ref, alt, min_mapq, min_baseq))
    depth = seen["alt"] + seen["ref"] + seen["other"]
    return SiteReads(PILEUP, None, seen["ref"], seen["alt"], depth)


def _site_alleles(
    handle: pysam.AlignmentFile,
    contig: str,
    pos: int,
    ref: str,
    alt: str,
    min_mapq: int,
    min_baseq: int,
) -> Iterable[ReadAllele]:
    """What each counted read at the site shows; reads not counted at all yield nothing."""
    for col in handle.pileup(
        contig,
        pos - 1,
        pos,
        truncate=True,
        min_mapping_quality=min_mapq,
        min_base_quality=0,
        ignore_orphans=False,
        max_depth=100_000,
    ):
        for pr in col.pileups:
            if pr.is_refskip:
                continue
            q = pr.query_position
            if pr.is_del or q is None:
                yield "other"
            elif len(ref) == len(alt):
                seen = _substitution_allele(pr, q, ref, alt, min_baseq)
                if seen is not None:
                    yield seen
            else:
                yield _indel_allele(pr, q, pos, ref, alt)


def _substitution_allele(
    pr: pysam.PileupRead, q: int, ref: str, alt: str, min_baseq: int
) -> ReadAllele | None:
    """SNV / MNP: the read's bases over the allele; None (not counted) when one is low quality.

    ``q``: the read's query position at the site.
    """
    read = pr.alignment
    quals = read.query_qualities
    if quals is not None and min(quals[q : q + len(ref)], default=0) < min_baseq:
        return None
    if len(ref) > 1 and pr.indel != 0:
        return "other"
    span = (read.query_sequence or "")[q : q + len(ref)].upper()
    if span == alt:
        return "alt"
    return "ref" if span == ref else "other"


def _indel_allele(pr: pysam.PileupRead, q: int, pos: int, ref: str, alt: str) -> ReadAllele:
    """Indel read from its anchor base: the same event, else the reference if the read spans it."""
    read = pr.alignment
    k = len(alt) - len(ref)
    inserted = (read.query_sequence or "")[q + 1 : q + 1 + k].upper() if k > 0 else ""
    if pr.indel == k and (k < 0 or inserted == alt[1:]):
        return "alt"
    spans_event = (read.reference_end or 0) >= pos + max(0, -k)
    return "ref" if pr.indel == 0 and spans_event else "other"
