"""The cardiac pilot's data: what reads show at a site, relatives' genotypes, settings.

Every module of the pilot shares these classes and constants; this module imports none of
them, so the reading (:mod:`~bigmed.pilots.cardiac.reads`), the family logic
(:mod:`~bigmed.pilots.cardiac.cascade`), the coverage, the findings and the report sections
depend on it and never on each other in a circle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bigmed.germline.acmg import FamilyEvidence

# a sample's status at one allele (bigmed.pilots.cardiac.cascade.carrier_status)
CARRIER, NON_CARRIER, NOT_ASSESSABLE = "carrier", "non-carrier", "not assessable"
# pathogenic / likely pathogenic: findings, and the only classes used for predictive testing
PLP = ("Pathogenic", "Likely pathogenic")
VUS = "Uncertain significance"


@dataclass(frozen=True)
class SiteReads:
    """What one sample shows at one allele."""

    source: str  # 'joint calls' | 'BAM pileup' | 'none'
    gt: str | None = None
    ref_reads: int | None = None
    alt_reads: int | None = None
    depth: int | None = None
    note: str = ""

    @property
    def vaf(self) -> float | None:
        if self.alt_reads is None or not self.depth:
            return None
        return self.alt_reads / self.depth

    @property
    def has_call(self) -> bool:
        return self.gt is not None and "." not in self.gt and bool(self.depth)

    def as_dict(self) -> dict[str, Any]:
        vaf = self.vaf
        return {
            "source": self.source,
            "gt": self.gt,
            "ref_reads": self.ref_reads,
            "alt_reads": self.alt_reads,
            "depth": self.depth,
            "vaf": None if vaf is None else round(vaf, 4),
            "note": self.note,
        }


# (sample, contig, 1-based position, ref, alt) -> what the sample's alignment shows there
PileupFn = Callable[[str, str, int, str, str], SiteReads | None]


@dataclass(frozen=True)
class Thresholds:
    """Carrier / non-carrier calling from read counts (see the cascade module's docstring)."""

    min_depth: int = 20
    min_alt_reads: int = 3
    min_vaf: float = 0.2


@dataclass(frozen=True)
class RelativeGenotype:
    """One relative's status at one familial variant, with the reads it rests on."""

    sample: str
    role: str
    affected: str
    status: str
    reason: str
    reads: SiteReads

    def as_dict(self) -> dict[str, Any]:
        return {
            "sample": self.sample,
            "role": self.role,
            "affected": self.affected,
            "status": self.status,
            "reason": self.reason,
            **{f"reads_{k}": v for k, v in self.reads.as_dict().items()},
        }


@dataclass(frozen=True)
class Segregation:
    """Family evidence of one variant for the ACMG engine, and its summary for the report."""

    evidence: FamilyEvidence
    summary: str
    affected_carriers: tuple[str, ...]
    affected_non_carriers: tuple[str, ...]


@dataclass(frozen=True)
class Family:
    """The family at each variant the index carries (keyed by variant id)."""

    genotypes: Mapping[str, Sequence[RelativeGenotype]]
    segregation: Mapping[str, Segregation]


@dataclass(frozen=True)
class Settings:
    min_depth: int = 20  # coverage.min_depth
    padding: int = 10  # coverage.exon_padding
    report_vus: bool = True
    thresholds: Thresholds = field(default_factory=Thresholds)


@dataclass
class Triage:
    """The index's carried panel variants sorted by what the report does with them."""

    findings: list[dict[str, Any]] = field(default_factory=list)  # P/LP, reported
    vus_rows: list[list[Any]] = field(default_factory=list)  # VUS in the assessed region
    familial: list[Mapping[str, Any]] = field(default_factory=list)  # genotyped in relatives
    vus_outside: int = 0  # VUS deeper in introns or UTRs: counted, not listed
    sf_withheld: list[str] = field(default_factory=list)  # P/LP the ACMG SF rules hold back
