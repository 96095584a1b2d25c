"""Candidate ranking of the rare-disease pilot: phenotype, inheritance, ACMG and rarity.

1. **Candidates** (:func:`is_candidate`): PASS calls the proband carries in a gene, with a
   protein-altering or splice consequence (``stop_gained`` .. ``splice_region`` in
   :data:`CANDIDATE_TERMS`) and a population frequency below ``candidate_max_af`` where the
   frequency is known.
2. **Inheritance** (:mod:`bigmed.pilots.rare_disease.inheritance`): the models each candidate
   fits, giving the family criteria PS2/PM6, PM3, PP1 and BS4 to the ACMG engine (two passes,
   so that PM3 can use the class of a compound-heterozygous partner: :func:`family_evidence`).
3. **ACMG/AMP** (:func:`bigmed.germline.acmg.classify`) of every candidate.
4. **Score** = sum of weight x component, each component in [0, 1]
   (:data:`bigmed.pilots.rare_disease.model.DEFAULT_WEIGHTS`):

   - ``phenotype``: the gene's HPO similarity to the patient
     (:mod:`bigmed.pilots.rare_disease.phenotype`) divided by the best similarity over all
     annotated genes; 0 for genes without HPO annotation;
   - ``inheritance``: the fit of the best model (:meth:`Segregation.best`);
   - ``acmg``: ACMG points mapped linearly from -7 (Benign) .. 10 (Pathogenic) to 0 .. 1,
     leaving out the family criteria (PS2, PM6, PM3, PP1, BS4): the inheritance component
     already scores the genotypes behind them, and counting a de novo twice let a de novo
     decoy beat a homozygous cause in ``benchmarks/rare_disease_e2e``. The reported class
     keeps every criterion;
   - ``rarity``: 1 at population AF <= 1e-4 (or absent from a complete source), 0 at
     >= 1e-2, log-linear between; 0.5 when unknown (no source, or absent from a subset).
     The frequency (:func:`frequency`) is gnomAD's or, where two of the cohorts ClinVar
     carries (ExAC, GO-ESP, 1000 Genomes) agree, their FAF95, whichever is higher.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bigmed.genome.genotypes import Site
from bigmed.genome.vcf import SEVERITY
from bigmed.germline import acmg, known
from bigmed.germline.classify import facts_from_annotation
from bigmed.knowledge.variants import CohortFrequency
from bigmed.pilots.rare_disease.inheritance import Segregation, pm3_strength, segregate
from bigmed.pilots.rare_disease.model import Candidate, Ranking, Settings
from bigmed.pilots.rare_disease.pedigree import Family
from bigmed.pilots.rare_disease.phenotype import Match, PhenotypeIndex
from bigmed.pilots.rare_disease.samplecheck import SampleChecks

# Protein-altering and splice consequences: the severity order's head, up to splice_region.
CANDIDATE_TERMS = tuple(SEVERITY[: SEVERITY.index("splice_region") + 1])
ACMG_MIN, ACMG_MAX = -7, 10  # Benign .. Pathogenic points (Tavtigian 2020)
RARE_AF, COMMON_AF = 1e-4, 1e-2
UNKNOWN_RARITY = 0.5
FAMILY_CRITERIA = {"PS2", "PM6", "PM3", "PP1", "BS4"}  # scored by the inheritance component


# --------------------------------------------------------------------------------------------
# components
# --------------------------------------------------------------------------------------------


def cohort_frequency(v: Mapping[str, Any]) -> float | None:
    """The ClinVar-carried cohorts' frequency as BA1/BS1 read it (bigmed.germline.acmg):
    the second highest FAF95 of the cohorts
    with at least ``POPULATION_MIN_ALLELES`` observed alleles, so that two cohorts must agree
    (a founder allele can be frequent in one cohort's mix); None with fewer than two."""
    rows = [
        CohortFrequency(r["cohort"], r["release"], float(r["af"]), int(r["allele_number"]))
        for r in v.get("cohort_frequencies") or []
    ]
    fafs = sorted(
        (
            acmg.faf(c.alleles, c.allele_number)
            for c in rows
            if c.alleles >= acmg.POPULATION_MIN_ALLELES
        ),
        reverse=True,
    )
    return fafs[1] if len(fafs) >= 2 else None


def frequency(v: Mapping[str, Any]) -> float | None:
    """The population frequency the filter and the rarity use: gnomAD's popmax (else its
    overall AF) or the cohorts' agreed FAF95 (:func:`cohort_frequency`), the higher where
    both are known; None where neither is."""
    p = v.get("population") or {}
    f = p.get("af_popmax") if p.get("af_popmax") is not None else p.get("af")
    known_values = [float(x) for x in (f, cohort_frequency(v)) if x is not None]
    return max(known_values) if known_values else None


def rarity(v: Mapping[str, Any], sources: Mapping[str, Any]) -> float:
    """The rarity component (see the module docstring)."""
    src = sources.get("gnomad", {})
    f = frequency(v)
    if f is None:
        # absent: rare only where a complete gnomAD says so (the cohorts never are complete)
        return 1.0 if src.get("configured") and src.get("complete") else UNKNOWN_RARITY
    if f <= RARE_AF:
        return 1.0
    if f >= COMMON_AF:
        return 0.0
    return (math.log10(COMMON_AF) - math.log10(f)) / (math.log10(COMMON_AF) - math.log10(RARE_AF))


def variant_points(c: acmg.Classification) -> int:
    """ACMG points without the family criteria, which the inheritance component carries."""
    return sum(x.points for x in c.criteria if x.code not in FAMILY_CRITERIA)


def acmg_component(points: int) -> float:
    """ACMG points mapped from ACMG_MIN .. ACMG_MAX to 0 .. 1 (clipped)."""
    return min(1.0, max(0.0, (points - ACMG_MIN) / (ACMG_MAX - ACMG_MIN)))


def is_candidate(v: Mapping[str, Any], site: Site | None, proband: str, max_af: float) -> bool:
    """A PASS protein-altering/splice call in a gene, carried by the proband, rare enough."""
    if (
        v.get("filter") != "PASS"
        or not v.get("gene")
        or v.get("consequence") not in CANDIDATE_TERMS
    ):
        return False
    call = site.calls.get(proband) if site else None
    if call is None or not call.carrier:
        return False
    f = frequency(v)
    return f is None or f < max_af


# --------------------------------------------------------------------------------------------
# ACMG with the family criteria
# --------------------------------------------------------------------------------------------


def _classify_all(
    doc: Mapping[str, Any],
    segs: Mapping[str, Segregation],
    overrides: acmg.Overrides | None,
    pm3: Mapping[str, Any] | None,
) -> dict[str, acmg.Classification]:
    out = {}
    for v in doc["variants"]:
        if v["id"] not in segs:
            continue
        fam = segs[v["id"]].family_evidence(pm3.get(v["id"]) if pm3 is not None else None)
        out[v["id"]] = acmg.classify(facts_from_annotation(v, doc), fam, overrides)
    return out


def family_evidence(
    doc: Mapping[str, Any], segs: Mapping[str, Segregation], overrides: acmg.Overrides | None
) -> tuple[dict[str, acmg.FamilyEvidence], dict[str, acmg.Classification]]:
    """Family evidence per candidate (PM3 from the first-pass classes) and the final classes."""
    first = _classify_all(doc, segs, overrides, None)
    classes = {vid: c.cls for vid, c in first.items()}
    pm3 = {vid: pm3_strength(seg, classes) for vid, seg in segs.items()}
    final = _classify_all(doc, segs, overrides, pm3)
    return {vid: seg.family_evidence(pm3[vid]) for vid, seg in segs.items()}, final


@dataclass(frozen=True)
class Classified(acmg.Classification):
    """The engine's classification of a call with the known-variant decision on it (the lab's
    own class, an expert panel, ClinVar at the star threshold, else the engine): what the
    secondary findings report, so a known P/LP in an ACMG SF gene is not lost where the
    engine alone says VUS, and a lab B/LB/VUS keeping a P/LP out is named."""

    decision: known.Decision


def classify_in_genes(
    doc: Mapping[str, Any],
    family: Mapping[str, acmg.FamilyEvidence],
    overrides: acmg.Overrides | None,
) -> dict[str, Classified]:
    """ACMG class of every PASS call in a gene, with the family evidence of the candidates,
    and the reported class of the known-variant path (ClinVar at the overrides' threshold)."""
    min_stars = overrides.clinvar_min_stars if overrides else acmg.CLINVAR_MIN_STARS
    out = {}
    for v in doc["variants"]:
        if v.get("filter") != "PASS" or not v.get("gene"):
            continue
        c = acmg.classify(facts_from_annotation(v, doc), family.get(v["id"]), overrides)
        k = known.known_variant(v, doc["sources"], min_stars)
        d = known.decide(c.cls, c.points, k)
        out[v["id"]] = Classified(c.cls, c.points, c.criteria, c.not_evaluated, d)
    return out


# --------------------------------------------------------------------------------------------
# ranking
# --------------------------------------------------------------------------------------------


def phenotype_scores(
    index: PhenotypeIndex | None, terms: Sequence[str], method: str
) -> dict[str, float]:
    """gene -> HPO similarity / best similarity; empty without an index or usable terms."""
    if index is None or not index.term_indices(terms):
        return {}
    raw = index.gene_scores(terms, method)
    best = max(raw.values()) or 1.0
    return {g: s / best for g, s in raw.items()}


def _candidate(
    v: Mapping[str, Any],
    site: Site,
    seg: Segregation,
    classification: acmg.Classification,
    *,
    doc: Mapping[str, Any],
    pheno: Mapping[str, float],
    pheno_rank: Mapping[str, int],
    matches: list[Match],
    weights: Mapping[str, float],
) -> Candidate:
    """One variant's score components and score (rank not yet set)."""
    gene = v["gene"]
    model, fit = seg.best(doc["genes"].get(gene, {}).get("inheritance", []))
    comp = {
        "phenotype": round(pheno.get(gene, 0.0), 4),
        "inheritance": fit,
        "acmg": round(acmg_component(variant_points(classification)), 4),
        "rarity": round(rarity(v, doc["sources"]), 4),
    }
    score = round(sum(weights[k] * comp[k] for k in comp), 4)
    return Candidate(
        v, site, seg, model, classification, comp, score, matches, pheno_rank.get(gene)
    )


def rank_candidates(
    doc: Mapping[str, Any],
    sites: Sequence[Site],
    family: Family,
    *,
    checks: SampleChecks | None,
    index: PhenotypeIndex | None,
    overrides: acmg.Overrides | None,
    settings: Settings,
) -> Ranking:
    """The family's candidates scored and ranked, with their family evidence."""
    by_id = {s.id: s for s in sites}
    cand_ids = {
        v["id"]
        for v in doc["variants"]
        if is_candidate(v, by_id.get(v["id"]), family.proband, settings.candidate_max_af)
    }
    segs = segregate(sites, family, cand_ids, settings.thresholds, checks)
    fam_ev, classes = family_evidence(doc, segs, overrides)
    ranking = Ranking([], fam_ev, phenotype_scores(index, family.hpo, settings.phenotype_method))
    pheno_rank = {g: r for r, g in enumerate(ranking.phenotype_genes, 1)}
    for v in doc["variants"]:
        if v["id"] not in segs:
            continue
        matches = index.matches(family.hpo, v["gene"]) if index is not None else []
        ranking.candidates.append(
            _candidate(
                v,
                by_id[v["id"]],
                segs[v["id"]],
                classes[v["id"]],
                doc=doc,
                pheno=ranking.phenotype,
                pheno_rank=pheno_rank,
                matches=matches,
                weights=settings.weights,
            )
        )
    ranking.candidates.sort(key=lambda x: (-x.score, -x.classification.points, x.variant["id"]))
    for r, cand in enumerate(ranking.candidates, 1):
        cand.rank = r
    return ranking
