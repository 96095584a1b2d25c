"""Data classes of the rare-disease pilot: its settings, a ranked candidate, the ranking.

They are shared by :mod:`.ranking` (which fills them), :mod:`.sections` (which turns them
into report sections) and :mod:`.interpret` (which assembles the document), so they live
apart from all three.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bigmed.genome.genotypes import Site
from bigmed.germline import acmg
from bigmed.pilots.rare_disease.inheritance import Model, Segregation, Thresholds
from bigmed.pilots.rare_disease.phenotype import Match

# Phenotype weighs most because it is what separates genes (top-1 69 % on its own,
# benchmarks/phenotype_ranking); inheritance next because a de novo or biallelic genotype in
# a trio is the strongest variant-level signal a pipeline sees.
DEFAULT_WEIGHTS = {"phenotype": 0.40, "inheritance": 0.25, "acmg": 0.20, "rarity": 0.15}


@dataclass(frozen=True)
class Settings:
    """The ``rare_disease`` config block, as the ranking and the report use it."""

    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    candidate_max_af: float = 0.01
    report_candidates: int = 5
    secondary_findings: bool = False
    thresholds: Thresholds = field(default_factory=Thresholds)
    phenotype_method: str = "bma"


@dataclass
class Candidate:
    """One candidate variant with everything its score and its report row are made of."""

    variant: Mapping[str, Any]
    site: Site
    segregation: Segregation
    model: Model | None
    classification: acmg.Classification
    components: dict[str, float]
    score: float
    matches: list[Match]
    phenotype_rank: int | None
    rank: int = 0

    @property
    def inheritance(self) -> str:
        """The best model's label, or why there is none."""
        return self.model.label if self.model else "no model fits"

    @property
    def inheritance_detail(self) -> str:
        """The best model's detail ('' when no model fits)."""
        return self.model.detail if self.model else ""


@dataclass
class Ranking:
    """What :func:`bigmed.pilots.rare_disease.ranking.rank_candidates` finds for one family."""

    candidates: list[Candidate]  # best first, ``rank`` set
    family_evidence: dict[str, acmg.FamilyEvidence]  # per candidate variant id
    phenotype: dict[str, float]  # gene -> similarity / best similarity (empty: no phenotype)

    @property
    def phenotype_genes(self) -> list[str]:
        """Genes by decreasing phenotype score (ties by name): the phenotype ranks' order."""
        return sorted(self.phenotype, key=lambda g: (-self.phenotype[g], g))
