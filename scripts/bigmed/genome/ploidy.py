"""Ploidy of the sex chromosomes for germline calling.

Why: a male has one X outside the pseudo-autosomal regions (PARs) and one Y; called as
diploid, his X variants come out heterozygous (or as a het call from a sequencing error)
and the X-linked inheritance model gets a genotype he cannot have. Calling males as
haploid there gives hemizygous genotypes (GT ``1``), which the inheritance models and the
report use.

The sex used for calling is the sample sheet's; where the sheet says ``unknown``, the
genetic sex from the X/autosome depth (the rare-disease sample check, before any call
exists); where that is not assessable or ambiguous the sample is called diploid (nothing
is hidden by a diploid call, whereas a haploid call of a female would drop a real
heterozygote). Haploid regions are written in the reference's own coordinates: with a
contig map, the part of each chrX/chrY slice outside the PARs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bigmed.genome.reference import ContigSlice

# GRCh38 PARs (1-based inclusive), the same coordinates on chrX and chrY
PARS_GRCH38 = ((10_001, 2_781_479), (155_701_383, 156_030_895))
PARS_GRCH38_Y = ((10_001, 2_781_479), (56_887_903, 57_217_415))
SEX_CHROMS = {"chrX": PARS_GRCH38, "X": PARS_GRCH38, "chrY": PARS_GRCH38_Y, "Y": PARS_GRCH38_Y}

Region = tuple[str, int, int]  # contig, 0-based start, end (half-open)


@dataclass(frozen=True)
class CallingSex:
    """The sex a sample is called with, and where it came from."""

    sample: str
    sex: str  # male | female | unknown (called diploid)
    source: str  # sample sheet | genetic sex (...) | not assessable (...)

    @property
    def haploid_x(self) -> bool:
        return self.sex == "male"


def calling_sex(sample: str, declared: str, inferred: str | None, reason: str = "") -> CallingSex:
    """The sheet's sex, else the genetic sex when it is male or female, else unknown."""
    if declared in ("male", "female"):
        return CallingSex(sample, declared, "sample sheet")
    if inferred in ("male", "female"):
        return CallingSex(sample, inferred, f"genetic sex ({reason})")
    return CallingSex(sample, "unknown", f"not assessable ({reason or 'no reads'}): diploid")


def _subtract(start: int, end: int, holes: tuple[tuple[int, int], ...]) -> list[tuple[int, int]]:
    """[start, end] (1-based inclusive) minus the holes, as 1-based inclusive pieces."""
    pieces = [(start, end)]
    for h0, h1 in holes:
        nxt = []
        for a, b in pieces:
            if h1 < a or h0 > b:
                nxt.append((a, b))
                continue
            if a < h0:
                nxt.append((a, h0 - 1))
            if b > h1:
                nxt.append((h1 + 1, b))
        pieces = nxt
    return pieces


def haploid_regions(
    contigs: Mapping[str, int], cmap: Mapping[str, ContigSlice] | None
) -> list[Region]:
    """Reference regions (0-based, half-open) where a male is haploid: chrX and chrY outside
    the PARs; with a contig map, the corresponding part of each chrX/chrY slice."""
    out: list[Region] = []
    for contig, length in contigs.items():
        sl = (cmap or {}).get(contig)
        chrom, offset = (sl.chrom, sl.start - 1) if sl is not None else (contig, 0)
        pars = SEX_CHROMS.get(chrom)
        if pars is None:
            continue
        for a, b in _subtract(offset + 1, offset + length, pars):
            out.append((contig, a - 1 - offset, b - offset))
    return out


def freebayes_cnv_map(sexes: list[CallingSex], regions: list[Region]) -> str:
    """freebayes --cnv-map: ``contig start end sample copies`` (BED coordinates) per male."""
    return "".join(
        f"{c}\t{s}\t{e}\t{x.sample}\t1\n" for x in sexes if x.haploid_x for c, s, e in regions
    )


def bcftools_ploidy(regions: list[Region]) -> str:
    """bcftools call --ploidy-file: diploid by default, males haploid in ``regions``
    (1-based inclusive), females and unknown (``F``) diploid everywhere."""
    lines = [f"{c}\t{s + 1}\t{e}\tM\t1\n" for c, s, e in regions]
    return "".join(lines) + "*\t*\t*\tM\t2\n*\t*\t*\tF\t2\n"


def bcftools_samples(sexes: list[CallingSex]) -> str:
    """bcftools call --samples-file: ``sample M|F`` (unknown is called as F: diploid)."""
    return "".join(f"{x.sample}\t{'M' if x.haploid_x else 'F'}\n" for x in sexes)


def sexes_table(sexes: list[CallingSex]) -> str:
    return "sample\tsex\tsource\n" + "".join(f"{x.sample}\t{x.sex}\t{x.source}\n" for x in sexes)
