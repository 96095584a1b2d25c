"""Merge a second caller's long indels into the primary caller's calls of one shard.

Why: on realigned reads (:mod:`bigmed.genome.realign`) freebayes finds 16-50 bp insertions
with the right allele but scores the heterozygous ones low, since a read that ends inside
the inserted sequence supports neither allele in its model while every reference read
counts; bcftools, which realigns each read against the candidate haplotypes, calls them
confidently, but is weaker than freebayes on SNVs next to indels and on complex delins
(``benchmarks/germline_accuracy``). So freebayes' calls are kept, and a bcftools indel of at
least ``min_length`` bp (QUAL already checked upstream) is added where freebayes has no
confident indel within ``window`` bp; freebayes' low-QUAL records in that window are
dropped so that the site is not reported twice. Added records carry ``INFO/LONGINDEL``.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

import pysam

TAG = "LONGINDEL"
TAG_LINE = (
    f'##INFO=<ID={TAG},Number=0,Type=Flag,Description="Long indel called by bcftools on the '
    "realigned reads and added to the primary caller's calls (bigmed.genome.callmerge)\">"
)


def is_indel(rec: pysam.VariantRecord) -> bool:
    return any(len(a) != len(rec.ref or "") for a in rec.alts or ())


def indel_length(rec: pysam.VariantRecord) -> int:
    return max((abs(len(a) - len(rec.ref or "")) for a in rec.alts or ()), default=0)


@dataclass
class Intervals:
    """Reference spans per contig, for "is there an indel within w bp" questions."""

    spans: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def add(self, contig: str, start: int, end: int) -> None:
        self.spans.setdefault(contig, []).append((start, end))

    def near(self, contig: str, start: int, end: int, window: int) -> bool:
        spans = sorted(self.spans.get(contig, []))
        i = bisect_left(spans, (start - window - 1000, 0))
        return any(s - window <= end and start <= e + window for s, e in spans[i:])


def merged_header(
    primary: pysam.VariantHeader, secondary: pysam.VariantHeader
) -> pysam.VariantHeader:
    """The primary header plus the secondary's INFO/FORMAT/FILTER definitions it lacks."""
    header = primary.copy()
    for rec in secondary.records:
        kind = rec.type
        key = rec.get("ID")
        if (
            (kind == "INFO" and key not in header.info)
            or (kind == "FORMAT" and key not in header.formats)
            or (kind == "FILTER" and key not in header.filters)
        ):
            header.add_record(rec)
    if TAG not in header.info:
        header.add_line(TAG_LINE)
    return header


def merge_long_indels(
    primary: str, secondary: str, out: str, min_length: int, window: int, min_qual_primary: float
) -> int:
    """Write the merged shard to ``out`` (BCF, coordinate order); returns records added."""
    with pysam.VariantFile(primary) as prim, pysam.VariantFile(secondary) as sec:
        if list(prim.header.samples) != list(sec.header.samples):
            # a record's genotypes follow the column order: never give one person's to another
            raise ValueError(
                f"{primary} and {secondary} list the samples in different orders "
                f"({', '.join(prim.header.samples)} / {', '.join(sec.header.samples)})"
            )
        header = merged_header(prim.header, sec.header)
        prim_recs = list(prim)
        confident = Intervals()
        for rec in prim_recs:
            if is_indel(rec) and (rec.qual or 0) >= min_qual_primary:
                confident.add(rec.chrom, rec.start, rec.stop)
        added = [
            rec
            for rec in sec
            if is_indel(rec)
            and indel_length(rec) >= min_length
            and not confident.near(rec.chrom, rec.start, rec.stop, window)
        ]
        taken = Intervals()
        for rec in added:
            taken.add(rec.chrom, rec.start, rec.stop)
        kept = [
            rec
            for rec in prim_recs
            if not (is_indel(rec) and taken.near(rec.chrom, rec.start, rec.stop, window))
        ]
        order = {name: i for i, name in enumerate(header.contigs)}
        with pysam.VariantFile(out, "wb", header=header) as dst:
            rows = [(r, False) for r in kept] + [(r, True) for r in added]
            rows.sort(key=lambda x: (order[x[0].chrom], x[0].pos))
            for rec, is_added in rows:
                rec.translate(header)
                if is_added:
                    rec.info[TAG] = True
                dst.write(rec)
    return len(added)
