"""Per-sample genotype calls of a family's final call set, as plain records.

:func:`read_sites` reads ``results/{patient}/calls.vcf.gz`` (GRCh38, one ALT per record) into
:class:`Site` records with a :class:`Call` per sample: alleles, depth, genotype quality and
allele depths. Genotype quality is the caller's ``GQ`` where it writes one (freebayes); for
bcftools, which writes ``PL`` only, it is the gap between the two most likely genotypes'
PL (the same definition, capped at 99).

A male's chrX outside the PARs and chrY are called haploid (:mod:`bigmed.genome.ploidy`): such
a call has one allele, GT ``1`` (hemizygous) or ``0``; :attr:`Call.is_hemizygous` names it and
it counts as homozygous alt (both copies he has carry it).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pysam

GQ_CAP = 99

# GRCh38 pseudo-autosomal regions: diploid in males, left out of the X checks
PAR_GRCH38 = (("chrX", 10_001, 2_781_479), ("chrX", 155_701_383, 156_030_895))


def is_x(chrom: str) -> bool:
    return chrom in ("chrX", "X")


def in_par(chrom: str, pos: int) -> bool:
    return any(
        chrom.removeprefix("chr") == c.removeprefix("chr") and s <= pos <= e
        for c, s, e in PAR_GRCH38
    )


@dataclass(frozen=True)
class Call:
    alleles: tuple[int | None, ...] = (None, None)
    dp: int | None = None
    gq: int | None = None
    ref_reads: int | None = None
    alt_reads: int | None = None
    phased: bool = False

    @property
    def called(self) -> bool:
        return bool(self.alleles) and all(a is not None for a in self.alleles)

    @property
    def alt_count(self) -> int:
        return sum(1 for a in self.alleles if a)

    @property
    def is_hom_ref(self) -> bool:
        return self.called and self.alt_count == 0

    @property
    def is_het(self) -> bool:
        return self.called and 0 < self.alt_count < len(self.alleles)

    @property
    def is_hom_alt(self) -> bool:
        return self.called and self.alt_count == len(self.alleles)

    @property
    def is_hemizygous(self) -> bool:
        """A haploid call (male chrX outside the PARs, chrY) carrying the allele."""
        return self.called and len(self.alleles) == 1 and self.alt_count == 1

    @property
    def carrier(self) -> bool:
        return self.called and self.alt_count > 0

    @property
    def allele_fraction(self) -> float | None:
        if self.ref_reads is None or self.alt_reads is None:
            return None
        total = self.ref_reads + self.alt_reads
        return self.alt_reads / total if total else None

    @property
    def gt(self) -> str:
        sep = "|" if self.phased else "/"
        return sep.join("." if a is None else str(min(a, 1)) for a in self.alleles)

    def confident(self, min_depth: int, min_gq: int) -> bool:
        return (
            self.called and (self.dp or 0) >= min_depth and (self.gq is None or self.gq >= min_gq)
        )


@dataclass
class Site:
    id: str
    chrom: str
    pos: int
    ref: str
    alt: str
    filter: str
    gene: str | None = None
    consequence: str | None = None
    hgvs_c: str | None = None
    hgvs_p: str | None = None
    calls: dict[str, Call] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.filter == "PASS"


def _gq(sample: Any) -> int | None:
    fmt = sample.keys() if hasattr(sample, "keys") else []
    if "GQ" in fmt and isinstance(sample.get("GQ"), int):
        return min(int(sample["GQ"]), GQ_CAP)
    pl = sample.get("PL") if "PL" in fmt else None
    if pl is None and "GL" in fmt and sample.get("GL") is not None:
        pl = [None if g is None else round(-10 * g) for g in sample["GL"]]
    if not pl or any(x is None for x in pl) or len(pl) < 2:
        return None
    lo = sorted(pl)
    return min(int(lo[1] - lo[0]), GQ_CAP)


def call_from_sample(sample: Any) -> Call:
    """A :class:`Call` from a pysam VariantRecordSample (one ALT per record)."""
    fmt = list(sample.keys())
    gt = sample.get("GT") if "GT" in fmt else None
    alleles = tuple(None if a is None else int(a) for a in gt) if gt else (None, None)
    ad = sample.get("AD") if "AD" in fmt else None
    ref_reads = alt_reads = None
    if ad and len(ad) >= 2 and ad[0] is not None and ad[1] is not None:
        ref_reads, alt_reads = int(ad[0]), int(ad[1])
    dp = sample.get("DP") if "DP" in fmt else None
    if not isinstance(dp, int):
        dp = ref_reads + alt_reads if ref_reads is not None and alt_reads is not None else None
    return Call(alleles, dp, _gq(sample), ref_reads, alt_reads, bool(sample.phased))


def _info(rec: Any, key: str) -> str | None:
    if key not in rec.header.info:
        return None
    v = rec.info.get(key)
    if isinstance(v, tuple):
        v = v[0] if v else None
    return None if v is None else str(v)


def iter_sites(vcf: str) -> Iterator[Site]:
    with pysam.VariantFile(vcf) as vf:
        samples = list(vf.header.samples)
        for rec in vf:
            alt = rec.alts[0] if rec.alts else "."
            filt = ";".join(str(k) for k in rec.filter) or "PASS"
            yield Site(
                id=f"{rec.chrom}-{rec.pos}-{rec.ref}-{alt}",
                chrom=rec.chrom,
                pos=rec.pos,
                ref=rec.ref or "",
                alt=alt,
                filter=filt,
                gene=_info(rec, "GENE"),
                consequence=_info(rec, "CONSEQUENCE"),
                hgvs_c=_info(rec, "HGVSc"),
                hgvs_p=_info(rec, "HGVSp"),
                calls={s: call_from_sample(rec.samples[s]) for s in samples},
            )


def read_sites(vcf: str) -> list[Site]:
    return list(iter_sites(vcf))


def genotype_text(calls: Mapping[str, Call], order: list[str]) -> str:
    """'RD01-P 0/1 (33x), RD01-M 0/0 (38x)' for the report; a haploid male X call reads
    'RD02-P 1 hemizygous (30x, 29 alt)'."""
    parts = []
    for s in order:
        c = calls.get(s)
        if c is None:
            parts.append(f"{s} not called")
            continue
        depth = f"{c.dp}x" if c.dp is not None else "?x"
        reads = f", {c.alt_reads} alt" if c.alt_reads is not None and c.carrier else ""
        hemi = " hemizygous" if c.is_hemizygous else ""
        parts.append(f"{s} {c.gt}{hemi} ({depth}{reads})")
    return "; ".join(parts)
