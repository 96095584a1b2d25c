"""The rare-disease pilot: candidate variants ranked by phenotype, inheritance, ACMG and rarity.

:func:`interpret_family` builds a patient's interpretation document
(``workflow/schemas/interpretation.schema.json``) from the knowledge join, the family's
genotypes, the sample checks and the phenotype index:

1. **Ranking** (:mod:`bigmed.pilots.rare_disease.ranking`): the candidate variants, their
   inheritance models (:mod:`bigmed.pilots.rare_disease.inheritance`), ACMG classes with the
   family criteria, and the weighted score of phenotype, inheritance, ACMG and rarity.
2. **Classification** (:func:`bigmed.germline.classify.interpret`) of every PASS call in a
   gene, with the candidates' family evidence; candidates carry their rank and score.
3. **Report** (:mod:`bigmed.pilots.rare_disease.sections`): pathogenic / likely pathogenic
   candidates as findings, the top candidates (Benign / Likely benign left out) as
   candidates for review with their diseases, then the candidate table, sample checks,
   coverage of the candidate genes, the phenotype terms used, optional ACMG secondary
   findings and the ACMG section.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bigmed.genome.genotypes import Site
from bigmed.germline import acmg, known
from bigmed.germline.classify import interpret, not_assessable, with_known
from bigmed.germline.known import Decision
from bigmed.pilots.rare_disease import sections
from bigmed.pilots.rare_disease.model import Candidate, Ranking, Settings
from bigmed.pilots.rare_disease.pedigree import Family
from bigmed.pilots.rare_disease.phenotype import PhenotypeIndex
from bigmed.pilots.rare_disease.ranking import classify_in_genes, rank_candidates
from bigmed.pilots.rare_disease.samplecheck import SampleChecks

NOT_REPORTED = ("Benign", "Likely benign")  # classes never listed as candidates for review
FINDING_CLASSES = ("Pathogenic", "Likely pathogenic")  # the only classes that are findings


def _with_ranks(
    variants: dict[str, Any], cands: Sequence[Candidate], settings: Settings
) -> dict[str, Any]:
    """The classified variants with the candidates' rank and score (others: rank None)."""
    for entry in variants.values():
        entry["rank"] = None
    for c in cands:
        entry = variants.get(c.variant["id"])
        if entry is None:
            continue
        entry["rank"] = c.rank
        entry["evidence"] = [sections.rank_evidence(c, settings), *entry["evidence"]]
    return variants


def _reported(c: Candidate, decisions: Mapping[str, Decision]) -> str:
    """The class the report gives a candidate: the known one where an expert panel or
    ClinVar qualifies (bigmed.germline.known), else the engine's."""
    d = decisions.get(c.variant["id"])
    return d.reported if d is not None else c.classification.cls


def _findings(
    cands: Sequence[Candidate], family: Family, decisions: Mapping[str, Decision]
) -> list[dict[str, Any]]:
    """Findings are pathogenic / likely pathogenic candidates only, in rank order: a ranked
    VUS is a candidate for review, never a finding (the same rule as every pilot)."""
    out = []
    for c in cands:
        if _reported(c, decisions) not in FINDING_CLASSES:
            continue
        f = sections.finding(c, family.proband_first)
        out.append(_with_decision(f, c, decisions.get(c.variant["id"])))
    return out


def _with_decision(row: dict[str, Any], c: Candidate, d: Decision | None) -> dict[str, Any]:
    """A candidate row with the class the report gives it; its summary still opens with
    "Candidate N" and, where the class rests on a known classification, says so in place of
    the engine's class (the engine's stays in the sentence)."""
    if d is None:
        return row
    out = with_known(row, d)
    if d.known.rests_on_known:
        out["summary"] = sections.summary(c, known.summary(d).rstrip("."))
    return out


def _candidates(
    doc: Mapping[str, Any],
    cands: Sequence[Candidate],
    family: Family,
    index: PhenotypeIndex | None,
    settings: Settings,
    decisions: Mapping[str, Decision],
) -> list[dict[str, Any]]:
    """The best ``report_candidates`` candidates not classed (likely) benign, for review."""
    shown = [c for c in cands if _reported(c, decisions) not in NOT_REPORTED]
    out = []
    for c in shown[: settings.report_candidates]:
        row = sections.candidate(c, family.proband_first, doc, index, family.hpo)
        # the class a candidate shows is the one its finding shows (never two classes for
        # one variant on one page); the engine's stays beside it
        out.append(_with_decision(row, c, decisions.get(c.variant["id"])))
    return out


def _sections(
    doc: Mapping[str, Any],
    sites: Sequence[Site],
    family: Family,
    ranking: Ranking,
    *,
    checks: SampleChecks | None,
    index: PhenotypeIndex | None,
    sf_classes: Mapping[str, acmg.Classification] | None,
    settings: Settings,
    coverage: Mapping[str, Any] | None,
) -> list[dict[str, Any]]:
    """The pilot's sections, in report order (the ACMG section follows them);
    ``sf_classes``: every PASS call's class when secondary findings are analysed."""
    out = [sections.candidate_section(ranking.candidates, family.proband_first, settings)]
    if checks is not None:
        out += sections.check_sections(checks)
    if coverage is not None:
        out.append(sections.coverage_section(ranking, coverage))
    out.append(sections.phenotype_section(family, index, ranking, settings.phenotype_method))
    if sf_classes is not None:
        by_site = {s.id: s for s in sites}
        out.append(sections.secondary_section(doc, by_site, family.proband, sf_classes))
    return out


def _not_assessable(
    doc: Mapping[str, Any],
    family: Family,
    ranking: Ranking,
    *,
    checks: SampleChecks | None,
    index: PhenotypeIndex | None,
    coverage: Mapping[str, Any] | None,
) -> list[dict[str, str]]:
    """Sources, sample checks, coverage, then phenotype: what could not be settled."""
    out = list(not_assessable(doc))
    if checks is not None:
        out += sections.checks_not_assessable(checks)
    if coverage is not None:
        out += sections.coverage_not_assessable(ranking, coverage)
    return out + sections.phenotype_not_assessable(family, index)


def _note(
    n_candidates: int,
    findings: Sequence[Mapping[str, Any]],
    review: Sequence[Mapping[str, Any]],
    checks: SampleChecks | None,
    settings: Settings,
) -> str:
    """The document's one-paragraph summary."""
    top = review[0] if review else None
    note = (
        f"rare_disease: {n_candidates} candidate variant(s) ranked by phenotype match, "
        f"inheritance, ACMG evidence and rarity; {len(findings)} pathogenic / likely "
        f"pathogenic finding(s); the top {len(review)} candidate(s) are listed for review "
        "(not findings, not a diagnosis)."
    )
    if top:
        note += (
            f" Top candidate: {top['gene']} {top['hgvs_c'] or ''} ({top['inheritance_label']}; "
            f"{top['classification']})."
        )
    if not settings.secondary_findings:
        note += " ACMG secondary findings: not analysed (opt-in)."
    if checks is not None and checks.problems:
        note += " Sample check problems: " + "; ".join(checks.problems) + "."
    return note


def interpret_family(
    doc: Mapping[str, Any],
    sites: Sequence[Site],
    family: Family,
    *,
    checks: SampleChecks | None,
    index: PhenotypeIndex | None,
    overrides: acmg.Overrides | None,
    settings: Settings,
    coverage: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The whole interpretation document of one rare-disease family (schema-valid)."""
    ranking = rank_candidates(
        doc, sites, family, checks=checks, index=index, overrides=overrides, settings=settings
    )
    cands = ranking.candidates
    base = interpret(
        doc,
        family=ranking.family_evidence,
        overrides=overrides,
        carriers={c.variant["id"] for c in cands},
    )
    findings = _findings(cands, family, base["decisions"])
    sf_classes = (
        classify_in_genes(doc, ranking.family_evidence, overrides)
        if settings.secondary_findings
        else None
    )
    if sf_classes is not None:  # P/LP secondary findings are findings too
        seen = {f["variant_id"] for f in findings}
        by_site = {s.id: s for s in sites}
        findings += [
            f
            for f in sections.secondary_findings(doc, by_site, family.proband, sf_classes)
            if f["variant_id"] not in seen
        ]
    review = _candidates(doc, cands, family, index, settings, base["decisions"])
    own_sections = _sections(
        doc,
        sites,
        family,
        ranking,
        checks=checks,
        index=index,
        sf_classes=sf_classes,
        settings=settings,
        coverage=coverage,
    )
    return {
        "status": "complete",
        "note": _note(len(cands), findings, review, checks, settings),
        "findings": findings,
        "candidates": review,
        "focus": {
            "genes": list(sections.listed_genes(ranking)),
            "label": "the candidate genes and the genes that best match the phenotype",
        },
        "biomarkers": [],
        "variants": _with_ranks(base["variants"], cands, settings),
        "knowledge_bases": base["knowledge_bases"],
        "sections": own_sections + base["sections"],
        "not_assessable": _not_assessable(
            doc, family, ranking, checks=checks, index=index, coverage=coverage
        ),
    }
