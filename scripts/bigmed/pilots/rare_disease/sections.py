"""The parts of the rare-disease report: findings, sections and 'not assessable' items.

Each function turns one result of the pilot (the ranking, the sample checks, the candidate
genes' coverage, the phenotype terms, the secondary findings) into the plain dicts of the
interpretation document (``workflow/schemas/interpretation.schema.json``);
:func:`bigmed.pilots.rare_disease.interpret.interpret_family` puts them in order.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bigmed.genome.genotypes import Site, genotype_text
from bigmed.germline import acmg, known
from bigmed.germline.classify import known_fields
from bigmed.pilots.rare_disease.model import Candidate, Ranking, Settings
from bigmed.pilots.rare_disease.pedigree import Family
from bigmed.pilots.rare_disease.phenotype import PhenotypeIndex, disease_term_pairs
from bigmed.pilots.rare_disease.ranking import Classified
from bigmed.pilots.rare_disease.samplecheck import PairCheck, SampleChecks

CANDIDATE_ROWS = 50  # candidates listed in the report table (all are ranked in 'variants')
PHENOTYPE_GENES = 10  # best phenotype genes whose coverage is shown
SF_CLASSES = ("Pathogenic", "Likely pathogenic")  # what a secondary finding must be


# --------------------------------------------------------------------------------------------
# candidates
# --------------------------------------------------------------------------------------------


def matched_hpo(c: Candidate) -> list[dict[str, Any]]:
    """The patient terms the candidate's gene carries (itself or a more specific term)."""
    return [{"id": m.term, "name": m.term_name} for m in c.matches if m.exact]


def _matched_text(c: Candidate, limit: int = 8) -> str:
    exact = [f"{m.term_name} ({m.term})" for m in c.matches if m.exact]
    if not c.matches:
        return "no phenotype terms"
    more = f" +{len(exact) - limit} more" if len(exact) > limit else ""
    return f"{len(exact)}/{len(c.matches)}: " + "; ".join(exact[:limit]) + more


def _criteria(c: Candidate) -> str:
    return ", ".join(x.label for x in c.classification.met) or "none met"


def summary(c: Candidate, class_text: str | None = None) -> str:
    """A candidate's one line: rank and inheritance first, then its class (``class_text``
    where the class rests on a known classification, else the engine's with its criteria),
    the phenotype match and the score."""
    comp = ", ".join(f"{k} {val:.2f}" for k, val in c.components.items())
    cls = class_text or f"{c.classification.cls} ({_criteria(c)})"
    return (
        f"Candidate {c.rank}: {c.inheritance}; {cls}; "
        f"phenotype match {_matched_text(c, 5)}; score {c.score:.3f} ({comp})"
    )


def finding(c: Candidate, order: list[str]) -> dict[str, Any]:
    """One top candidate as a report finding (``order``: samples, proband first)."""
    v = c.variant
    return {
        "variant_id": v["id"],
        "gene": v["gene"],
        "hgvs_c": v.get("hgvs_c"),
        "hgvs_p": v.get("hgvs_p"),
        "classification": c.classification.cls,
        "summary": summary(c),
        "rank": c.rank,
        "score": c.score,
        "score_components": c.components,
        "inheritance": c.model.name if c.model else None,
        "inheritance_label": c.inheritance,
        "inheritance_detail": c.inheritance_detail,
        "de_novo": c.segregation.de_novo,
        "genotypes": {s: c.site.calls[s].gt for s in order if s in c.site.calls},
        "genotype_text": genotype_text(c.site.calls, order),
        "acmg_points": c.classification.points,
        "acmg_criteria": [x.label for x in c.classification.met],
        "matched_hpo": matched_hpo(c),
        "phenotype_rank": c.phenotype_rank,
        "evidence": [
            {"code": x.label, "strength": x.strength, "evidence": x.evidence}
            for x in c.classification.met
        ]
        + [{"type": "inheritance", "model": c.inheritance, "detail": c.inheritance_detail}],
    }


DISEASE_SOURCE = "HPO annotations (phenotype.hpoa)"


def candidate_diseases(
    c: Candidate, doc: Mapping[str, Any], index: PhenotypeIndex | None, terms: Sequence[str]
) -> list[dict[str, Any]]:
    """The diseases HPO annotates to the candidate's gene (OMIM / Orphanet ids), each with
    the patient terms that match its terms, best-matching first. phenotype.hpoa names no
    MONDO ids, so none are given."""
    gene = doc.get("genes", {}).get(c.variant.get("gene") or "", {})
    out = []
    for d in gene.get("hpo_diseases") or []:
        pairs = disease_term_pairs(index, terms, d["id"]) if index is not None else []
        out.append(
            {
                "id": d["id"],
                "name": d.get("name"),
                "inheritance": list(d.get("inheritance") or []),
                "source": DISEASE_SOURCE,
                "matched": len(pairs),
                "patient_terms": len(index.term_indices(terms)) if index is not None else 0,
                "matched_terms": [p.as_dict() for p in pairs],
            }
        )
    out.sort(key=lambda d: (-d["matched"], d["id"]))
    return out


def candidate(
    c: Candidate,
    order: list[str],
    doc: Mapping[str, Any],
    index: PhenotypeIndex | None,
    terms: Sequence[str],
) -> dict[str, Any]:
    """One top candidate for review: the finding fields plus the gene's diseases."""
    return {**finding(c, order), "diseases": candidate_diseases(c, doc, index, terms)}


def rank_evidence(c: Candidate, settings: Settings) -> dict[str, Any]:
    """The evidence item that puts a candidate's rank and score into the 'variants' map."""
    return {
        "type": "rare_disease_rank",
        "rank": c.rank,
        "score": c.score,
        "components": c.components,
        "weights": dict(settings.weights),
        "inheritance": c.inheritance,
        "inheritance_detail": c.inheritance_detail,
        "models": [m.label for m in c.segregation.models],
        "notes": c.segregation.notes,
        "matched_hpo": matched_hpo(c),
        "phenotype_rank": c.phenotype_rank,
    }


def candidate_section(cands: list[Candidate], order: list[str], s: Settings) -> dict[str, Any]:
    """The table of the best CANDIDATE_ROWS candidates."""
    w = ", ".join(f"{k} {v:g}" for k, v in s.weights.items())
    return {
        "id": "candidates",
        "title": "Candidate variants, ranked",
        "note": (
            f"{len(cands)} candidate(s): PASS calls the proband carries, protein-altering or "
            f"splice, population AF < {s.candidate_max_af:g} where known (gnomAD grpmax, or "
            "the FAF95 two ClinVar-carried cohorts agree on, the higher). Score = weighted sum "
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
            "ACMG class (engine)",
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


# --------------------------------------------------------------------------------------------
# sample checks
# --------------------------------------------------------------------------------------------


def _num(x: float | None, digits: int = 2) -> str:
    return "" if x is None else f"{x:.{digits}f}"


def _sex_section(checks: SampleChecks) -> dict[str, Any]:
    return {
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
                _num(s.ratio),
                s.x_exons,
                _num(s.het_fraction),
                s.x_sites,
                s.inferred,
                s.status,
                s.reason,
            ]
            for s in checks.sex
        ],
    }


def _relatedness_section(pairs: Sequence[PairCheck]) -> dict[str, Any]:
    return {
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
                _num(p.expected_kinship, 3),
                _num(p.kinship, 3),
                _num(p.ibs0, 3),
                p.sites,
                p.inferred,
                p.status,
                p.reason,
            ]
            for p in pairs
        ],
    }


def check_sections(checks: SampleChecks) -> list[dict[str, Any]]:
    """Genetic sex, then relatedness when the family has more than one sequenced member."""
    sex = _sex_section(checks)
    return [sex, _relatedness_section(checks.pairs)] if checks.pairs else [sex]


def _unresolved_pairs_reason(pairs: Sequence[PairCheck]) -> str:
    """One sentence for all pairs when they all lack sites, else each pair's reason."""
    few = [p for p in pairs if p.inferred == "not assessable"]
    if len(few) != len(pairs):
        return "; ".join(f"{p.a}/{p.b}: {p.reason}" for p in pairs)
    lo, hi = min(p.sites for p in pairs), max(p.sites for p in pairs)
    n = f"{lo}" if lo == hi else f"{lo}-{hi}"
    return (
        f"{n} informative sites per pair, 100 needed: too few variant sites to confirm "
        "or rule out parentage or a sample swap"
    )


def checks_not_assessable(checks: SampleChecks) -> list[dict[str, str]]:
    """Sample identity problems, one item per distinct reason for genetic sex, one for all
    unresolved pairs."""
    out = [{"what": "sample identity", "reason": p} for p in checks.problems]
    by_reason: dict[str, list[str]] = {}
    for s in checks.sex:
        if s.status == "not assessable":
            by_reason.setdefault(s.reason, []).append(s.sample)
    for reason, samples in by_reason.items():
        out.append({"what": f"genetic sex of {', '.join(samples)}", "reason": reason})
    pairs = [p for p in checks.pairs if p.status == "not assessable"]
    if pairs:
        out.append(
            {
                "what": "relatedness of " + ", ".join(f"{p.a}/{p.b}" for p in pairs),
                "reason": _unresolved_pairs_reason(pairs),
            }
        )
    return out


# --------------------------------------------------------------------------------------------
# coverage of the candidate genes
# --------------------------------------------------------------------------------------------


def listed_genes(ranking: Ranking) -> dict[str, list[str]]:
    """gene -> why it is listed: its candidates, then its phenotype rank (top genes only)."""
    why: dict[str, list[str]] = {}
    for c in ranking.candidates[:CANDIDATE_ROWS]:
        why.setdefault(c.variant["gene"], []).append(f"candidate {c.rank}")
    for r, g in enumerate(ranking.phenotype_genes[:PHENOTYPE_GENES], 1):
        why.setdefault(g, []).append(f"phenotype rank {r}")
    return why


def _coverage_row(gene: str, reasons: list[str], cov: Mapping[str, Any] | None) -> list[Any]:
    if cov is None:
        return [gene, "; ".join(reasons), "", "", "", "not in the analysed regions"]
    return [
        gene,
        "; ".join(reasons),
        cov["transcript"],
        cov["coding_bases"],
        f"{100 * cov['fraction_at_min_depth']:.1f}",
        cov["status"],
    ]


GVCF_SOURCE = (
    " Depth from the proband's gVCF records, not reads (a reference block's MIN_DP, its "
    "shallowest base): 'covered' is a lower bound, and a base in no gVCF record is never "
    "counted as covered."
)


def coverage_section(ranking: Ranking, coverage: Mapping[str, Any]) -> dict[str, Any]:
    """Coverage of the candidates' genes and the best phenotype genes in the proband
    (``coverage``: :func:`bigmed.report.document.coverage_section`)."""
    genes = {g["gene"]: g for g in coverage.get("genes", [])}
    rows = [_coverage_row(g, why, genes.get(g)) for g, why in listed_genes(ranking).items()]
    return {
        "id": "candidate-coverage",
        "title": "Coverage of the candidate genes",
        "note": (
            f"Coding bases (+-{coverage.get('exon_padding')} bp) at >= "
            f"{coverage.get('min_depth')}x in the proband, for the genes of the candidates and "
            f"the {PHENOTYPE_GENES} genes that best match the phenotype."
            + (GVCF_SOURCE if coverage.get("source") == "gvcf" else "")
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


def coverage_not_assessable(ranking: Ranking, coverage: Mapping[str, Any]) -> list[dict[str, str]]:
    """Best phenotype genes outside the analysed regions (one item), then each listed gene
    whose coverage is not assessable."""
    genes = {g["gene"]: g for g in coverage.get("genes", [])}
    why = listed_genes(ranking)
    outside = [
        g
        for g, reasons in why.items()
        if g not in genes and any(r.startswith("phenotype") for r in reasons)
    ]
    na = []
    if outside:
        top = len(ranking.phenotype_genes[:PHENOTYPE_GENES])
        na.append(
            {
                "what": f"{len(outside)} of the {top} genes that best match the phenotype",
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
    return na


# --------------------------------------------------------------------------------------------
# phenotype
# --------------------------------------------------------------------------------------------


def phenotype_section(
    family: Family, index: PhenotypeIndex | None, ranking: Ranking, method: str
) -> dict[str, Any]:
    """The patient's HPO terms (used and excluded) and how they were scored."""
    names = dict(zip(index.term_ids, index.term_names, strict=True)) if index else {}
    rows: list[list[Any]] = [[t, names.get(t, ""), "used"] for t in family.hpo]
    rows += [[t, names.get(t, ""), "excluded (phenopacket)"] for t in family.hpo_excluded]
    top = ranking.phenotype_genes[:PHENOTYPE_GENES]
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


def phenotype_not_assessable(family: Family, index: PhenotypeIndex | None) -> list[dict[str, str]]:
    """Why the ranking could not use the phenotype, if it could not."""
    if index is not None and index.term_indices(family.hpo):
        return []
    reason = (
        "no HPO terms for the proband"
        if index is not None
        else "no HPO sources configured (knowledge.sources.hpo_*)"
    )
    return [{"what": "phenotype-driven ranking", "reason": reason}]


# --------------------------------------------------------------------------------------------
# ACMG secondary findings
# --------------------------------------------------------------------------------------------

SecondaryHit = tuple[Mapping[str, Any], acmg.Classification, known.Decision]


def _decision(
    v: Mapping[str, Any], c: acmg.Classification, doc: Mapping[str, Any]
) -> known.Decision:
    """The known-variant decision on a call (:func:`~bigmed.pilots.rare_disease.ranking.
    classify_in_genes` puts it on; a plain engine class is decided here at the default
    ClinVar threshold)."""
    if isinstance(c, Classified):
        return c.decision
    return known.decide(c.cls, c.points, known.known_variant(v, doc["sources"]))


def _sf_carried(
    doc: Mapping[str, Any],
    sites: Mapping[str, Site],
    proband: str,
    classes: Mapping[str, acmg.Classification],
) -> list[SecondaryHit]:
    """Classified calls the proband carries in an ACMG SF gene, with their decisions."""
    out = []
    for v in doc["variants"]:
        c = classes.get(v["id"])
        sf = doc["genes"].get(v.get("gene") or "", {}).get("acmg_sf")
        s = sites.get(v["id"])
        call = s.calls.get(proband) if s else None
        if c and sf and call and call.carrier:
            out.append((v, c, _decision(v, c, doc)))
    return out


def _secondary_hits(
    doc: Mapping[str, Any],
    sites: Mapping[str, Site],
    proband: str,
    classes: Mapping[str, acmg.Classification],
) -> dict[str, list[SecondaryHit]]:
    """gene -> variants the proband carries in an ACMG SF gene whose reported class (the
    lab's, an expert panel's, ClinVar's at the threshold, else the engine's) is P/LP."""
    hits: dict[str, list[SecondaryHit]] = {}
    for v, c, d in _sf_carried(doc, sites, proband, classes):
        if d.reported in SF_CLASSES:
            hits.setdefault(v["gene"], []).append((v, c, d))
    return hits


def _reportable(
    sf: Sequence[Mapping[str, Any]],
    found: list[SecondaryHit],
    sites: Mapping[str, Site],
    proband: str,
) -> bool:
    """A recessive SF gene is reported only when biallelic (two variants or homozygous)."""
    recessive = all("AR" in str(e.get("inheritance", "")).upper() for e in sf)
    biallelic = len(found) > 1 or any(
        sites[v["id"]].calls[proband].is_hom_alt for v, _c, _d in found
    )
    return biallelic or not recessive


SecondaryRow = tuple[str, Mapping[str, Any], acmg.Classification, known.Decision, str]


def _secondary_reportable(
    doc: Mapping[str, Any],
    sites: Mapping[str, Site],
    proband: str,
    classes: Mapping[str, acmg.Classification],
) -> list[SecondaryRow]:
    """(gene, variant, engine class, decision, ACMG SF condition) of every reportable
    secondary finding."""
    out = []
    for gene, found in sorted(_secondary_hits(doc, sites, proband, classes).items()):
        sf = doc["genes"][gene]["acmg_sf"]
        if _reportable(sf, found, sites, proband):
            condition = "; ".join(e["disease"] for e in sf)
            out += [(gene, v, c, d, condition) for v, c, d in found]
    return out


def _engine_text(c: acmg.Classification) -> str:
    labels = ", ".join(x.label for x in c.met) or "none met"
    return f"engine: {c.cls}, {c.points} points: {labels}"


def secondary_findings(
    doc: Mapping[str, Any],
    sites: Mapping[str, Site],
    proband: str,
    classes: Mapping[str, acmg.Classification],
) -> list[dict[str, Any]]:
    """The opt-in ACMG secondary findings as findings: they are P/LP, so they count as
    findings like every other P/LP variant (flagged ``secondary``). The class is the
    known-variant path's (see :func:`_secondary_hits`); what it rests on and the engine's own
    class are kept beside it."""
    out = []
    for gene, v, c, d, condition in _secondary_reportable(doc, sites, proband, classes):
        summary = (
            f"Secondary finding (ACMG SF, opt-in): {d.reported} in {gene}, rests on "
            f"{d.rests_on} ({_engine_text(c)}); condition: {condition}"
        )
        if d.known.rests_on_known:
            summary += f". {known.summary(d)}"
        out.append(
            {
                "variant_id": v["id"],
                "gene": gene,
                "hgvs_c": v.get("hgvs_c"),
                "hgvs_p": v.get("hgvs_p"),
                "classification": d.reported,
                "summary": summary,
                "secondary": True,
                "evidence": [
                    {"code": x.label, "strength": x.strength, "evidence": x.evidence} for x in c.met
                ],
                **known_fields(d),
            }
        )
    return out


def _sf_withheld(
    doc: Mapping[str, Any],
    sites: Mapping[str, Site],
    proband: str,
    classes: Mapping[str, acmg.Classification],
) -> str:
    """Carried SF-gene calls whose P/LP the lab's own B/LB/VUS keeps out: named, not silent."""
    named = [
        f"{v['gene']} {v.get('hgvs_c') or v['id']}: {d.note}"
        for v, _c, d in _sf_carried(doc, sites, proband, classes)
        if d.withheld
    ]
    if not named:
        return ""
    return " Not reported because of the lab's own classification: " + "; ".join(named) + "."


def secondary_section(
    doc: Mapping[str, Any],
    sites: Mapping[str, Site],
    proband: str,
    classes: Mapping[str, acmg.Classification],
) -> dict[str, Any]:
    """The opt-in ACMG secondary findings (``classes``: every PASS call in a gene)."""
    rows = [
        [gene, v.get("hgvs_c"), v.get("hgvs_p"), d.reported, ", ".join(x.label for x in c.met),
         cond, d.rests_on, f"{c.cls} ({c.points} points)"]
        for gene, v, c, d, cond in _secondary_reportable(doc, sites, proband, classes)
    ]  # fmt: skip
    src = doc["sources"].get("acmg_sf", {})
    return {
        "id": "secondary-findings",
        "title": "ACMG secondary findings",
        "note": (
            f"Opt-in (rare_disease.secondary_findings). P/LP variants the proband carries in "
            f"the ACMG SF genes ({src.get('name', 'ACMG SF')} {src.get('version', '')}); "
            "recessive genes only when biallelic; each is also listed under Findings. The "
            "class is the lab's own where it has one, else a ClinGen expert panel's, else "
            "ClinVar's at the review-status threshold, else the ACMG/AMP engine's ('rests "
            "on'; the engine's own class beside it). "
            + ("None found." if not rows else f"{len(rows)} found.")
            + _sf_withheld(doc, sites, proband, classes)
        ),
        "columns": [
            "gene",
            "HGVS c.",
            "HGVS p.",
            "class",
            "criteria",
            "ACMG SF condition",
            "rests on",
            "engine (points)",
        ],
        "rows": rows,
    }
