"""Tumor depth at the codons a biomarker is defined on.

A biomarker is "negative" only when every codon is covered at the depth where a variant at
``detection_vaf`` would show ``min_alt_reads`` alt reads with 95 % probability
(:func:`required_depth`: 61x at 10 % with 3 reads); the depth is counted over the pilot's
usable reads (:mod:`bigmed.pilots.crc.reads`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from bigmed.genome.gff import Transcript, preferred_transcripts
from bigmed.pilots.crc.reads import DepthFn

RAS_CODONS = (12, 13, 59, 61, 117, 146)  # exons 2-4: NCCN/ESMO extended RAS testing
PIK3CA_CODONS = (542, 545, 546, 1047)  # exon 9 and 20 hotspots
POLE_EXO = (268, 471)  # exonuclease domain (Church 2013; Leon-Castillo 2020)


def required_depth(vaf: float, min_alt: int, power: float = 0.95) -> int:
    """Smallest depth at which P(alt reads >= min_alt | vaf) >= power (binomial)."""
    for n in range(max(min_alt, 1), 100_000):
        p_below = sum(math.comb(n, k) * vaf**k * (1 - vaf) ** (n - k) for k in range(min_alt))
        if 1 - p_below >= power:
            return n
    raise ValueError(f"no depth reaches power {power} at VAF {vaf}")


def cds_positions(tx: Transcript) -> list[int]:
    """Genomic (contig) positions of the coding sequence, in coding order."""
    pos: list[int] = []
    for s, e in sorted(tx.cds):
        pos.extend(range(s, e + 1))
    return pos if tx.strand == "+" else pos[::-1]


def codon_positions(tx: Transcript, codons: Iterable[int]) -> dict[int, list[int]]:
    cds = cds_positions(tx)
    out = {}
    for c in codons:
        i = 3 * (c - 1)
        if i + 2 < len(cds):
            out[c] = cds[i : i + 3]
    return out


@dataclass
class CodonCoverage:
    gene: str
    transcript: str | None
    min_depth: int
    depth: dict[int, int]  # codon -> lowest base depth
    missing_gene: bool = False
    unknown: str | None = None  # why depth could not be measured (no reads)

    @property
    def short(self) -> list[int]:
        return [c for c, d in sorted(self.depth.items()) if d < self.min_depth]

    @property
    def covered(self) -> bool:
        return (
            not self.missing_gene and self.unknown is None and bool(self.depth) and not self.short
        )


def codon_coverage(
    gene: str,
    codons: Iterable[int],
    transcripts: dict[str, Transcript],
    depth: DepthFn,
    min_depth: int,
) -> CodonCoverage:
    tx = preferred_transcripts(transcripts).get(gene)
    if tx is None:
        return CodonCoverage(gene, None, min_depth, {}, missing_gene=True)
    pos = codon_positions(tx, codons)
    flat = sorted({p for ps in pos.values() for p in ps})
    d = dict(zip(flat, depth(tx.contig, flat), strict=True))
    return CodonCoverage(
        gene, tx.id, min_depth, {c: min(d[p] for p in ps) for c, ps in pos.items()}
    )


def unmeasured_coverage(gene: str, reason: str) -> CodonCoverage:
    """Codon coverage that cannot be measured (a somatic VCF without reads)."""
    return CodonCoverage(gene, None, 0, {}, unknown=reason)


# the codons each gene's biomarker is defined on
BIOMARKER_CODONS: dict[str, tuple[int, ...]] = {
    "KRAS": RAS_CODONS,
    "NRAS": RAS_CODONS,
    "BRAF": (600,),
    "PIK3CA": PIK3CA_CODONS,
    "POLE": tuple(range(POLE_EXO[0], POLE_EXO[1] + 1)),
}
