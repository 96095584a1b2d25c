"""AMP/ASCO/CAP tiers (Li et al. 2017, J Mol Diagn 19:4), as most tiering tools apply them.

=========  ===============================================================================
Tier I     level A or B evidence in this tumor type (OncoTree lineage of the sample's code,
           or tumor-agnostic): A = FDA label or professional guideline (MOAlmanac) or CIViC
           level A; B = clinical trial (MOAlmanac) or CIViC level B
Tier II    level A/B evidence in another tumor type, or level C/D in this one
Tier III   no such evidence: other protein-altering variants of cancer genes (cancer
           hotspots are named in the evidence, but a hotspot alone is biological, not
           clinical, evidence)
Tier IV    common in the population (allele frequency >= 1 %): benign or likely benign
=========  ===============================================================================

Evidence is matched on the protein change (exact, or the residue when the source names
only a residue), on the exon (MOAlmanac KRAS exon 2/3/4 rows) or on the gene; exon- and
gene-level rows apply only to hotspot residues (an uncharacterised variant is not "a KRAS
mutation" in the sense of a guideline). Refuting CIViC items are not used.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from bigmed.genome.gff import Transcript, preferred_transcripts
from bigmed.genome.vcf import PROTEIN_ALTERING
from bigmed.pilots.crc.evidence import Evidence, Knowledge, tumor_type_relation
from bigmed.pilots.crc.variants import ACTIVATING, SomaticVariant

LEVEL_RANK = {"A": 0, "B": 1, "C": 2, "D": 3}
SAME_TYPE_A_B = "level A/B evidence in this tumor type"  # the tier I reason
TIER_LABEL = {1: "Tier I", 2: "Tier II", 3: "Tier III", 4: "Tier IV"}
COMMON_POPULATION_AF = 0.01  # Tier IV: a polymorphism, not a cancer variant
# what a gene- or exon-level row ("KRAS mutation") applies to, at a hotspot
GENE_LEVEL_CONSEQUENCES = ACTIVATING | {"stop_gained", "frameshift"}


@dataclass
class Match:
    evidence: Evidence
    relation: str  # same | other (tumor type)
    how: str  # protein change | residue | exon | gene | biomarker


@dataclass
class Tiered:
    tier: int
    level: str | None
    matches: list[Match] = field(default_factory=list)
    hotspot: str | None = None
    why: str = ""

    @property
    def label(self) -> str:
        return TIER_LABEL[self.tier] + (f" (level {self.level})" if self.level else "")


def exon_number(tx: Transcript, pos: int) -> int | None:
    order = tx.exons if tx.strand == "+" else list(reversed(tx.exons))
    for i, (s, e) in enumerate(order, 1):
        if s <= pos <= e:
            return i
    return None


def _matched_on(
    e: Evidence, v: SomaticVariant, exon: int | None, hotspot: str | None
) -> str | None:
    """How an evidence row of the variant's gene applies to it, or None."""
    res = v.residues
    pc = e.protein_change
    if pc and v.protein and pc == v.protein:
        return "protein change"
    if pc and re.fullmatch(r"[A-Z]\d+", pc) and res and res[0] == res[1] == int(pc[1:]):
        return "residue"
    if not pc and hotspot and v.consequence in GENE_LEVEL_CONSEQUENCES:
        if e.exon:
            return "exon" if exon is not None and str(exon) == e.exon else None
        return "gene"
    return None


def match_variant(
    v: SomaticVariant,
    kb: Knowledge,
    tumor_type: str,
    exon: int | None,
) -> tuple[list[Match], str | None]:
    """Evidence rows that apply to a protein-altering variant, and its hotspot type."""
    res = v.residues
    hotspot = kb.hotspot(v.gene or "", res[0], res[1]) if res else None
    out = []
    for e in kb.evidence:
        if e.gene != v.gene or e.alteration != "variant":
            continue
        how = _matched_on(e, v, exon, hotspot)
        if how:
            out.append(Match(e, tumor_type_relation(e.tumor_type, tumor_type, kb.oncotree), how))
    return out, hotspot


def tier_of(matches: Sequence[Match], population_af: float | None, hotspot: str | None) -> Tiered:
    if population_af is not None and population_af >= COMMON_POPULATION_AF:
        return Tiered(4, None, [], hotspot, f"population allele frequency {population_af:.3g}")
    best_same = min(
        (LEVEL_RANK[m.evidence.amp_level] for m in matches if m.relation == "same"), default=9
    )
    best_other = min(
        (LEVEL_RANK[m.evidence.amp_level] for m in matches if m.relation == "other"), default=9
    )
    letters = "ABCD"
    if best_same <= 1:
        return Tiered(1, letters[best_same], list(matches), hotspot, SAME_TYPE_A_B)
    if best_other <= 1:
        return Tiered(2, "C", list(matches), hotspot, "level A/B evidence in another tumor type")
    if best_same <= 3:
        return Tiered(
            2, letters[best_same], list(matches), hotspot, "level C/D evidence in this tumor type"
        )
    why = "no clinical evidence in this tumor type"
    if hotspot:
        why += f"; recurrent cancer hotspot ({hotspot})"
    return Tiered(3, None, list(matches), hotspot, why)


@dataclass
class TieredVariants:
    """The tiers of a tumor's PASS protein-altering variants, by variant id (VCF order)."""

    tiers: dict[str, Tiered]
    matches: dict[str, list[Match]]  # every matching row, Tier IV variants' included

    def ranked(self) -> list[tuple[str, Tiered]]:
        """(variant id, tier) by tier, then id: the order of the document's variant lists."""
        return sorted(self.tiers.items(), key=lambda kv: (kv[1].tier, kv[0]))

    def by_level(self) -> list[tuple[str, Tiered]]:
        """(variant id, tier) by tier, then evidence level, then id: the findings' order."""
        return sorted(
            self.tiers.items(),
            key=lambda kv: (kv[1].tier, LEVEL_RANK.get(kv[1].level or "D", 3), kv[0]),
        )


def tier_variants(
    variants: Sequence[SomaticVariant],
    transcripts: dict[str, Transcript],
    kb: Knowledge,
    tumor_type: str,
) -> TieredVariants:
    """Match and tier every PASS protein-altering variant of a gene."""
    preferred = preferred_transcripts(transcripts)
    by_id = {tx.id: tx for tx in transcripts.values()}
    out = TieredVariants({}, {})
    for v in variants:
        if not v.passed or v.consequence not in PROTEIN_ALTERING or not v.gene:
            continue
        tx = by_id.get(v.transcript or "") or preferred.get(v.gene)
        exon = exon_number(tx, v.src_pos) if tx is not None else None
        ms, hotspot = match_variant(v, kb, tumor_type, exon)
        out.matches[v.id] = ms
        out.tiers[v.id] = tier_of(ms, v.population_af, hotspot)
    return out


def sorted_matches(matches: Sequence[Match]) -> list[Match]:
    """This tumor type first, then by level, source and id."""
    return sorted(
        matches,
        key=lambda m: (
            m.relation != "same",
            LEVEL_RANK[m.evidence.amp_level],
            m.evidence.source,
            m.evidence.evidence_id,
        ),
    )


def biomarker_matches(alteration: str, gene: str, kb: Knowledge, tumor_type: str) -> list[Match]:
    return [
        Match(e, tumor_type_relation(e.tumor_type, tumor_type, kb.oncotree), "biomarker")
        for e in kb.evidence
        if e.alteration == alteration and e.gene == gene
    ]


def evidence_json(m: Match) -> dict[str, Any]:
    e = m.evidence
    return {
        "source": e.source,
        "source_version": e.version,
        "id": e.evidence_id,
        "level": e.amp_level,
        "source_level": e.source_level,
        "tumor_type": e.tumor_type,
        "disease": e.disease,
        "tumor_type_match": m.relation,
        "matched_on": m.how,
        "therapy": e.therapy or None,
        "significance": e.significance,
        "citation": e.citation,
        "url": e.url,
    }
