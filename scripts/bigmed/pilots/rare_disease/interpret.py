"""The rare-disease pilot: candidate variants ranked by phenotype, inheritance, ACMG and rarity.

:func:`interpret_family` builds a patient's interpretation document
(``workflow/schemas/interpretation.schema.json``) from the knowledge join, the family's
genotypes, the sample checks and the phenotype index:

1. **Candidates**: PASS calls the proband carries in a gene, with a protein-altering or
   splice consequence (``stop_gained`` .. ``splice_region`` in :data:`CANDIDATE_TERMS`) and a
   population frequency below ``candidate_max_af`` where the frequency is known.
2. **Inheritance** (:mod:`bigmed.pilots.rare_disease.inheritance`): the models each candidate
fits, giving the
   family criteria PS2/PM6, PM3, PP1 and BS4 to the ACMG engine (two passes, so that PM3
   can use the class of a compound-heterozygous partner).
3. **ACMG/AMP** (:func:`bigmed.germline.acmg.classify`) of every PASS call in a gene.
4. **Score** = sum of weight x component, each component in [0, 1] (:data:`DEFAULT_WEIGHTS`):

   - ``phenotype``: the gene's HPO similarity to the patient
   (:mod:`bigmed.pilots.rare_disease.phenotype`)
     divided by the best similarity over all annotated genes; 0 for genes without HPO
     annotation;
   - ``inheritance``: the fit of the best model (:meth:`Segregation.best`);
   - ``acmg``: ACMG points mapped linearly from -7 (Benign) .. 10 (Pathogenic) to 0 .. 1,
     leaving out the family criteria (PS2, PM6, PM3, PP1, BS4): the inheritance component
     already scores the genotypes behind them, and counting a de novo twice let a de novo
     decoy beat a homozygous cause in ``benchmarks/rare_disease_e2e``. The reported class
     keeps every criterion;
   - ``rarity``: 1 at population AF <= 1e-4 (or absent from a complete source), 0 at
     >= 1e-2, log-linear between; 0.5 when unknown (no source, or absent from a subset).

   Phenotype weighs most because it is what separates genes (top-1 69 % on its own,
   ``benchmarks/phenotype_ranking``); inheritance next because a de novo or biallelic
   genotype in a trio is the strongest variant-level signal a pipeline sees.
5. **Report**: the top candidates as findings, then the candidate table, sample checks,
   coverage of the candidate genes, the phenotype terms used, optional ACMG secondary
   findings and the ACMG section.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bigmed.genome.genotypes import Site, genotype_text
from bigmed.genome.vcf import SEVERITY
from bigmed.germline import acmg
from bigmed.germline.classify import facts_from_annotation, interpret, not_assessable
from bigmed.pilots.rare_disease.inheritance import (
    Model,
    Segregation,
    Thresholds,
    pm3_strength,
    segregate,
)
from bigmed.pilots.rare_disease.pedigree import Family
from bigmed.pilots.rare_disease.phenotype import Match, PhenotypeIndex
from bigmed.pilots.rare_disease.samplecheck import SampleChecks

# Protein-altering and splice consequences: the severity order's head, up to splice_region.
CANDIDATE_TERMS = tuple(SEVERITY[: SEVERITY.index("splice_region") + 1])
DEFAULT_WEIGHTS = {"phenotype": 0.40, "inheritance": 0.25, "acmg": 0.20, "rarity": 0.15}
ACMG_MIN, ACMG_MAX = -7, 10  # Benign .. Pathogenic points (Tavtigian 2020)
RARE_AF, COMMON_AF = 1e-4, 1e-2
UNKNOWN_RARITY = 0.5
CANDIDATE_ROWS = 50  # candidates listed in the report table (all are ranked in 'variants')
PHENOTYPE_GENES = 10  # best phenotype genes whose coverage is shown
NOT_REPORTED = ("Benign", "Likely benign")
FAMILY_CRITERIA = {"PS2", "PM6", "PM3", "PP1", "BS4"}  # scored by the inheritance component


@dataclass(frozen=True)
class Settings:
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    candidate_max_af: float = 0.01
    report_candidates: int = 5
    secondary_findings: bool = False
    thresholds: Thresholds = field(default_factory=Thresholds)
    phenotype_method: str = "bma"


@dataclass
class Candidate:
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
        return self.model.label if self.model else "no model fits"


# --------------------------------------------------------------------------------------------
# components
# --------------------------------------------------------------------------------------------


def frequency(v: Mapping[str, Any]) -> float | None:
    p = v.get("population")
    if not p:
        return None
    f = p.get("af_popmax")
    return float(f) if f is not None else (None if p.get("af") is None else float(p["af"]))


def rarity(v: Mapping[str, Any], sources: Mapping[str, Any]) -> float:
    src = sources.get("gnomad", {})
    if not src.get("configured"):
        return UNKNOWN_RARITY
    f = frequency(v)
    if v.get("population") is None or f is None:
        return 1.0 if src.get("complete") else UNKNOWN_RARITY
    if f <= RARE_AF:
        return 1.0
    if f >= COMMON_AF:
        return 0.0
    return (math.log10(COMMON_AF) - math.log10(f)) / (math.log10(COMMON_AF) - math.log10(RARE_AF))


def variant_points(c: acmg.Classification) -> int:
    """ACMG points without the family criteria, which the inheritance component carries."""
    return sum(x.points for x in c.criteria if x.code not in FAMILY_CRITERIA)


def acmg_component(points: int) -> float:
    return min(1.0, max(0.0, (points - ACMG_MIN) / (ACMG_MAX - ACMG_MIN)))


def is_candidate(v: Mapping[str, Any], site: Site | None, proband: str, max_af: float) -> bool:
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
# ranking
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


def rank_candidates(
    doc: Mapping[str, Any],
    sites: Sequence[Site],
    family: Family,
    *,
    checks: SampleChecks | None,
    index: PhenotypeIndex | None,
    overrides: acmg.Overrides | None,
    settings: Settings,
) -> tuple[list[Candidate], dict[str, acmg.FamilyEvidence], dict[str, float]]:
    """(ranked candidates, family evidence per candidate, phenotype score per gene)."""
    by_id = {s.id: s for s in sites}
    cand_ids = {
        v["id"]
        for v in doc["variants"]
        if is_candidate(v, by_id.get(v["id"]), family.proband, settings.candidate_max_af)
    }
    segs = segregate(sites, family, cand_ids, settings.thresholds, checks)
    fam_ev, classes = family_evidence(doc, segs, overrides)
    pheno: dict[str, float] = {}
    pheno_rank: dict[str, int] = {}
    if index is not None and index.term_indices(family.hpo):
        raw = index.gene_scores(family.hpo, settings.phenotype_method)
        best = max(raw.values()) or 1.0
        pheno = {g: s / best for g, s in raw.items()}
        for r, g in enumerate(sorted(pheno, key=lambda g: (-pheno[g], g)), 1):
            pheno_rank[g] = r
    w = settings.weights
    out = []
    for v in doc["variants"]:
        if v["id"] not in segs:
            continue
        seg = segs[v["id"]]
        gene = v["gene"]
        modes = doc["genes"].get(gene, {}).get("inheritance", [])
        model, fit = seg.best(modes)
        c = classes[v["id"]]
        comp = {
            "phenotype": round(pheno.get(gene, 0.0), 4),
            "inheritance": fit,
            "acmg": round(acmg_component(variant_points(c)), 4),
            "rarity": round(rarity(v, doc["sources"]), 4),
        }
        score = round(sum(w[k] * comp[k] for k in comp), 4)
        matches = index.matches(family.hpo, gene) if index is not None else []
        out.append(
            Candidate(v, by_id[v["id"]], seg, model, c, comp, score, matches, pheno_rank.get(gene))
        )
    out.sort(key=lambda x: (-x.score, -x.classification.points, x.variant["id"]))
    for r, cand in enumerate(out, 1):
        cand.rank = r
    return out, fam_ev, pheno


# --------------------------------------------------------------------------------------------
# the report
# --------------------------------------------------------------------------------------------


def _matched(c: Candidate) -> list[dict[str, Any]]:
    return [{"id": m.term, "name": m.term_name} for m in c.matches if m.exact]


def _matched_text(c: Candidate, limit: int = 8) -> str:
    exact = [f"{m.term_name} ({m.term})" for m in c.matches if m.exact]
    if not c.matches:
        return "no phenotype terms"
    more = f" +{len(exact) - limit} more" if len(exact) > limit else ""
    return f"{len(exact)}/{len(c.matches)}: " + "; ".join(exact[:limit]) + more


def _criteria(c: Candidate) -> str:
    return ", ".join(x.label for x in c.classification.met) or "none met"


def _finding(c: Candidate, order: list[str]) -> dict[str, Any]:
    v = c.variant
    comp = ", ".join(f"{k} {val:.2f}" for k, val in c.components.items())
    summary = (
        f"Candidate {c.rank}: {c.inheritance}; {c.classification.cls} ({_criteria(c)}); "
        f"phenotype match {_matched_text(c, 5)}; score {c.score:.3f} ({comp})"
    )
    return {
        "variant_id": v["id"],
        "gene": v["gene"],
        "hgvs_c": v.get("hgvs_c"),
        "hgvs_p": v.get("hgvs_p"),
        "classification": c.classification.cls,
        "summary": summary,
        "rank": c.rank,
        "score": c.score,
        "score_components": c.components,
        "inheritance": c.model.name if c.model else None,
        "inheritance_label": c.inheritance,
        "inheritance_detail": c.model.detail if c.model else "",
        "de_novo": c.segregation.de_novo,
        "genotypes": {s: c.site.calls[s].gt for s in order if s in c.site.calls},
        "genotype_text": genotype_text(c.site.calls, order),
        "acmg_points": c.classification.points,
        "acmg_criteria": [x.label for x in c.classification.met],
        "matched_hpo": _matched(c),
        "phenotype_rank": c.phenotype_rank,
        "evidence": [
            {"code": x.label, "strength": x.strength, "evidence": x.evidence}
            for x in c.classification.met
        ]
        + [
            {
                "type": "inheritance",
                "model": c.inheritance,
                "detail": c.model.detail if c.model else "",
            }
        ],
    }


def _candidate_section(cands: list[Candidate], order: list[str], s: Settings) -> dict[str, Any]:
    w = ", ".join(f"{k} {v:g}" for k, v in s.weights.items())
    return {
        "id": "candidates",
        "title": "Candidate variants, ranked",
        "note": (
            f"{len(cands)} candidate(s): PASS calls the proband carries, protein-altering or "
            f"splice, population AF < {s.candidate_max_af:g} where known. Score = weighted sum "
            f"({w}) of phenotype match (gene HPO similarity / best gene), inheritance fit, ACMG "
            "points without the family criteria (-7..10 -> 0..1) and rarity."
        ),
        "columns": [
            "rank",
            "gene",
            "HGVS c.",
            "HGVS p.",
            "genotypes",
            "inheritance",
            "ACMG class",
            "criteria",
            "matched HPO terms",
            "phenotype rank",
            "score",
        ],
        "rows": [
            [
                c.rank,
                c.variant["gene"],
                c.variant.get("hgvs_c"),
                c.variant.get("hgvs_p"),
                genotype_text(c.site.calls, order),
                c.inheritance,
                c.classification.cls,
                _criteria(c),
                _matched_text(c),
                c.phenotype_rank,
                c.score,
            ]
            for c in cands[:CANDIDATE_ROWS]
        ],
    }


def _check_sections(checks: SampleChecks) -> list[dict[str, Any]]:
    def f(x: float | None, digits: int = 2) -> str:
        return "" if x is None else f"{x:.{digits}f}"

    sex = {
        "id": "sample-checks",
        "title": "Sample checks: genetic sex",
        "note": (
            "X/autosome depth over captured coding exons (male <= 0.65, female >= 0.85) and "
            "heterozygosity of chrX variant calls (male <= 0.10, female >= 0.20); 'not "
            "assessable' when the data hold too few chrX exons or calls."
        ),
        "columns": [
            "sample",
            "declared",
            "X/A depth",
            "chrX exons",
            "X het",
            "chrX calls",
            "genetic sex",
            "status",
            "detail",
        ],
        "rows": [
            [
                s.sample,
                s.declared,
                f(s.ratio),
                s.x_exons,
                f(s.het_fraction),
                s.x_sites,
                s.inferred,
                s.status,
                s.reason,
            ]
            for s in checks.sex
        ],
    }
    rel = {
        "id": "relatedness",
        "title": "Sample checks: relatedness",
        "note": (
            "KING-robust kinship over autosomal sites with confident genotypes in both samples "
            "(0.5 duplicate, 0.25 first degree, 0.125 second, 0 unrelated); first degree with "
            "IBS0 < 0.01 is parent-offspring. Expected kinship from the pedigree. 'Not "
            "assessable' below 100 informative sites: a small panel cannot confirm or refute "
            "parentage."
        ),
        "columns": [
            "sample",
            "sample",
            "expected",
            "expected kinship",
            "kinship",
            "IBS0",
            "informative sites",
            "inferred",
            "status",
            "detail",
        ],
        "rows": [
            [
                p.a,
                p.b,
                p.expected,
                f(p.expected_kinship, 3),
                f(p.kinship, 3),
                f(p.ibs0, 3),
                p.sites,
                p.inferred,
                p.status,
                p.reason,
            ]
            for p in checks.pairs
        ],
    }
    return [sex, rel] if checks.pairs else [sex]


def _checks_not_assessable(checks: SampleChecks) -> list[dict[str, str]]:
    """One item per distinct reason for genetic sex, one for all unresolved pairs."""
    out = []
    by_reason: dict[str, list[str]] = {}
    for s in checks.sex:
        if s.status == "not assessable":
            by_reason.setdefault(s.reason, []).append(s.sample)
    for reason, samples in by_reason.items():
        out.append({"what": f"genetic sex of {', '.join(samples)}", "reason": reason})
    pairs = [p for p in checks.pairs if p.status == "not assessable"]
    if pairs:
        few = [p for p in pairs if p.inferred == "not assessable"]
        if len(few) == len(pairs):
            lo, hi = min(p.sites for p in pairs), max(p.sites for p in pairs)
            n = f"{lo}" if lo == hi else f"{lo}-{hi}"
            reason = (
                f"{n} informative sites per pair, 100 needed: too few variant sites to confirm "
                "or rule out parentage or a sample swap"
            )
        else:
            reason = "; ".join(f"{p.a}/{p.b}: {p.reason}" for p in pairs)
        out.append(
            {
                "what": "relatedness of " + ", ".join(f"{p.a}/{p.b}" for p in pairs),
                "reason": reason,
            }
        )
    return out


def _coverage_section(
    cands: list[Candidate], pheno: Mapping[str, float], coverage: Mapping[str, Any] | None
) -> tuple[dict[str, Any] | None, list[dict[str, str]]]:
    if coverage is None:
        return None, []
    why: dict[str, list[str]] = {}
    for c in cands[:CANDIDATE_ROWS]:
        why.setdefault(c.variant["gene"], []).append(f"candidate {c.rank}")
    top = sorted(pheno, key=lambda g: (-pheno[g], g))[:PHENOTYPE_GENES]
    for r, g in enumerate(top, 1):
        why.setdefault(g, []).append(f"phenotype rank {r}")
    genes = {g["gene"]: g for g in coverage.get("genes", [])}
    rows = []
    outside = []
    for g, reasons in why.items():
        cov = genes.get(g)
        if cov is None:
            rows.append([g, "; ".join(reasons), "", "", "", "not in the analysed regions"])
            if any(r.startswith("phenotype") for r in reasons):
                outside.append(g)
        else:
            rows.append(
                [
                    g,
                    "; ".join(reasons),
                    cov["transcript"],
                    cov["coding_bases"],
                    f"{100 * cov['fraction_at_min_depth']:.1f}",
                    cov["status"],
                ]
            )
    na = []
    if outside:
        na.append(
            {
                "what": f"{len(outside)} of the {len(top)} genes that best match the phenotype",
                "reason": "outside the analysed reference/targets, so no variant could be seen "
                "there: " + ", ".join(outside),
            }
        )
    for g, reasons in why.items():
        cov = genes.get(g)
        if cov is not None and cov["status"] != "assessable":
            na.append(
                {
                    "what": f"{g} ({'; '.join(reasons)})",
                    "reason": f"{100 * cov['fraction_at_min_depth']:.1f} % of coding bases at "
                    f">= {coverage.get('min_depth')}x ({cov['status']})",
                }
            )
    section = {
        "id": "candidate-coverage",
        "title": "Coverage of the candidate genes",
        "note": (
            f"Coding bases (+-{coverage.get('exon_padding')} bp) at >= "
            f"{coverage.get('min_depth')}x in the proband, for the genes of the candidates and "
            f"the {PHENOTYPE_GENES} genes that best match the phenotype."
        ),
        "columns": [
            "gene",
            "why listed",
            "transcript",
            "coding bases",
            "% >= min depth",
            "status",
        ],
        "rows": rows,
    }
    return section, na


def _phenotype_section(
    family: Family, index: PhenotypeIndex | None, pheno: Mapping[str, float], method: str
) -> dict[str, Any]:
    names = dict(zip(index.term_ids, index.term_names, strict=True)) if index else {}
    rows: list[list[Any]] = [[t, names.get(t, ""), "used"] for t in family.hpo]
    rows += [[t, names.get(t, ""), "excluded (phenopacket)"] for t in family.hpo_excluded]
    top = sorted(pheno, key=lambda g: (-pheno[g], g))[:PHENOTYPE_GENES]
    note = (
        f"HPO release {index.version}; Resnik similarity, "
        f"{'symmetric best-match average' if method == 'bma' else 'patient-to-gene average'}, "
        f"information content over {index.corpus}; {len(index.genes)} genes scored. "
        f"Best-matching genes: {', '.join(top) or 'none'}."
        if index
        else "No HPO sources configured: candidates are ranked without phenotype."
    )
    if family.warnings:
        note += " Term warnings: " + " | ".join(family.warnings)
    return {
        "id": "phenotype",
        "title": "Phenotype terms (HPO)",
        "note": note + f" Sources: {', '.join(family.sources)}.",
        "columns": ["HPO id", "name", "use"],
        "rows": rows,
    }


def _secondary(
    doc: Mapping[str, Any],
    sites: Mapping[str, Site],
    proband: str,
    classes: Mapping[str, acmg.Classification],
) -> dict[str, Any]:
    genes = doc["genes"]
    hits: dict[str, list[tuple[Mapping[str, Any], acmg.Classification]]] = {}
    for v in doc["variants"]:
        c = classes.get(v["id"])
        sf = genes.get(v.get("gene") or "", {}).get("acmg_sf")
        s = sites.get(v["id"])
        call = s.calls.get(proband) if s else None
        if c and sf and c.cls in ("Pathogenic", "Likely pathogenic") and call and call.carrier:
            hits.setdefault(v["gene"], []).append((v, c))
    rows = []
    for gene, found in sorted(hits.items()):
        sf = genes[gene]["acmg_sf"]
        recessive = all("AR" in str(e.get("inheritance", "")).upper() for e in sf)
        biallelic = len(found) > 1 or any(
            sites[v["id"]].calls[proband].is_hom_alt for v, _ in found
        )
        if recessive and not biallelic:
            continue
        for v, c in found:
            rows.append(
                [
                    gene,
                    v.get("hgvs_c"),
                    v.get("hgvs_p"),
                    c.cls,
                    ", ".join(x.label for x in c.met),
                    "; ".join(e["disease"] for e in sf),
                ]
            )
    src = doc["sources"].get("acmg_sf", {})
    return {
        "id": "secondary-findings",
        "title": "ACMG secondary findings",
        "note": (
            f"Opt-in (rare_disease.secondary_findings). P/LP variants the proband carries in "
            f"the ACMG SF genes ({src.get('name', 'ACMG SF')} {src.get('version', '')}); "
            "recessive genes only when biallelic. "
            + ("None found." if not rows else f"{len(rows)} found.")
        ),
        "columns": ["gene", "HGVS c.", "HGVS p.", "class", "criteria", "ACMG SF condition"],
        "rows": rows,
    }


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
    cands, fam_ev, pheno = rank_candidates(
        doc, sites, family, checks=checks, index=index, overrides=overrides, settings=settings
    )
    order = [family.proband] + [m.id for m in family.sequenced if m.id != family.proband]
    base = interpret(
        doc, family=fam_ev, overrides=overrides, carriers={c.variant["id"] for c in cands}
    )
    variants = base["variants"]
    for entry in variants.values():
        entry["rank"] = None
    for c in cands:
        entry = variants.get(c.variant["id"])
        if entry is None:
            continue
        entry["rank"] = c.rank
        entry["evidence"] = [
            {
                "type": "rare_disease_rank",
                "rank": c.rank,
                "score": c.score,
                "components": c.components,
                "weights": dict(settings.weights),
                "inheritance": c.inheritance,
                "inheritance_detail": c.model.detail if c.model else "",
                "models": [m.label for m in c.segregation.models],
                "notes": c.segregation.notes,
                "matched_hpo": _matched(c),
                "phenotype_rank": c.phenotype_rank,
            },
            *entry["evidence"],
        ]
    shown = [c for c in cands if c.classification.cls not in NOT_REPORTED]
    findings = [_finding(c, order) for c in shown[: settings.report_candidates]]
    sections = [_candidate_section(cands, order, settings)]
    na = list(not_assessable(doc))
    if checks is not None:
        sections += _check_sections(checks)
        na += [{"what": "sample identity", "reason": p} for p in checks.problems]
        na += _checks_not_assessable(checks)
    cov_section, cov_na = _coverage_section(cands, pheno, coverage)
    if cov_section:
        sections.append(cov_section)
    na += cov_na
    sections.append(_phenotype_section(family, index, pheno, settings.phenotype_method))
    if index is None or not index.term_indices(family.hpo):
        na.append(
            {
                "what": "phenotype-driven ranking",
                "reason": "no HPO terms for the proband"
                if index is not None
                else "no HPO sources configured (knowledge.sources.hpo_*)",
            }
        )
    by_site = {s.id: s for s in sites}
    if settings.secondary_findings:
        all_classes = {
            v["id"]: acmg.classify(facts_from_annotation(v, doc), fam_ev.get(v["id"]), overrides)
            for v in doc["variants"]
            if v.get("filter") == "PASS" and v.get("gene")
        }
        sections.append(_secondary(doc, by_site, family.proband, all_classes))
    sections += base["sections"]
    top = findings[0] if findings else None
    note = (
        f"rare_disease: {len(cands)} candidate variant(s) ranked by phenotype match, "
        "inheritance, ACMG evidence and rarity; the top "
        f"{len(findings)} are listed as findings (candidates to review, not a diagnosis)."
        + (
            f" Top: {top['gene']} {top['hgvs_c'] or ''} ({top['inheritance_label']})."
            if top
            else ""
        )
        + (
            ""
            if settings.secondary_findings
            else " ACMG secondary findings: not analysed (opt-in)."
        )
    )
    if checks is not None and checks.problems:
        note += " Sample check problems: " + "; ".join(checks.problems) + "."
    return {
        "status": "complete",
        "note": note,
        "findings": findings,
        "biomarkers": [],
        "variants": variants,
        "knowledge_bases": base["knowledge_bases"],
        "sections": sections,
        "not_assessable": na,
    }
