"""Germline interpretation for the rare-disease and cardiac pilots: ACMG/AMP on joined calls.

:func:`interpret` takes the knowledge join of a patient (:func:`bigmed.knowledge.join.annotate`) and
optional family evidence per variant, classifies every PASS call in a gene with
:func:`bigmed.germline.acmg.classify`, and returns the parts of an interpretation document
(``workflow/schemas/interpretation.schema.json``): the ``variants`` map (id ->
classification, rank, evidence), ``findings`` (P/LP only), a classification section and the
``knowledge_bases`` list; each pilot wraps them into its document with its own family
evidence (:mod:`bigmed.pilots.rare_disease.interpret`, :mod:`bigmed.pilots.cardiac.interpret`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bigmed.germline import acmg, known
from bigmed.germline.acmg import (
    ClinVarEntry,
    FamilyEvidence,
    GeneFacts,
    Overrides,
    Population,
    TranscriptFacts,
    VariantFacts,
)
from bigmed.knowledge.join import PREDICTORS, coverage

FINDING_CLASSES = ("Pathogenic", "Likely pathogenic")
SECTION_ROWS = 100  # classified calls listed in the report section (all are in variants)


def _gene_facts(symbol: str | None, genes: Mapping[str, Any]) -> GeneFacts | None:
    if not symbol:
        return None
    g = genes.get(symbol)
    if g is None:
        return GeneFacts(symbol)
    return GeneFacts(
        symbol=symbol,
        lof_mechanism=g.get("lof_mechanism"),
        mechanism_source=g.get("mechanism_source"),
        inheritance=tuple(g.get("inheritance", ())),
        acmg_sf=bool(g.get("acmg_sf")),
    )


def _hotspot_text(hot: Mapping[str, Any] | None, name: str) -> str | None:
    if not hot:
        return None
    parts = []
    for h in hot.get("allele", []):
        parts.append(f"allele {h['gene']} {h['change']} ({h['type']})")
    for h in hot.get("residue", []):
        parts.append(f"residue {h['residue']} ({h['type']})")
    for h in hot.get("indel", []):
        parts.append(f"in-frame indel hotspot residues {h['residues']} ({h['type']})")
    for h in hot.get("splice", []):
        parts.append(f"splice-site hotspot {h['position']} ({h['type']})")
    return f"{name} (somatic cancer hotspots): " + "; ".join(parts) if parts else None


def facts_from_annotation(v: Mapping[str, Any], doc: Mapping[str, Any]) -> VariantFacts:
    """The ACMG facts of one joined call (``doc`` is the whole join document)."""
    sources = doc["sources"]
    pop = None
    if sources["gnomad"]["configured"]:
        p = v.get("population")
        pop = Population(
            found=p is not None,
            af=p["af"] if p else None,
            af_popmax=p["af_popmax"] if p else None,
            popmax_group=p["popmax_group"] if p else None,
            source_complete=sources["gnomad"]["complete"],
            source=sources["gnomad"]["name"],
        )
    own = v.get("clinvar")
    codon = v.get("clinvar_codon")
    configured = [k for k in PREDICTORS if sources.get(k, {}).get("configured")]
    hotspot_assessed = (
        sources["hotspots"]["configured"] or sources["hotspots_residues"]["configured"]
    )
    tf = v.get("transcript_facts")
    return VariantFacts(
        variant_id=v["id"],
        gene=v.get("gene"),
        consequence=v.get("consequence") or "intergenic",
        hgvs_c=v.get("hgvs_c"),
        hgvs_p=v.get("hgvs_p"),
        population=pop,
        cohorts=acmg.cohort_facts(v, sources),
        clinvar=ClinVarEntry(own["variation_id"], own["class"], own["stars"]) if own else None,
        clinvar_codon=None
        if codon is None
        else tuple(
            ClinVarEntry(
                e["variation_id"],
                e["class"],
                e["stars"],
                e["hgvs_p"],
                e["relation"],
                e.get("source", "ClinVar"),
            )
            for e in codon
        ),
        hotspot=_hotspot_text(v.get("hotspot"), sources["hotspots"]["name"]),
        hotspot_assessed=hotspot_assessed,
        gene_facts=_gene_facts(v.get("gene"), doc["genes"]),
        transcript=TranscriptFacts(
            **{k: tf[k] for k in TranscriptFacts.__dataclass_fields__ if k in tf}
        )
        if tf
        else None,
        predictors={k: (v.get("predictors") or {}).get(k) for k in configured}
        if configured
        else None,
        codon_coverage=coverage(sources.get("clinvar", {}), v.get("gene")),
    )


ASSERTION_KEYS = ("source", "id", "disease", "therapy", "significance", "evidence_level")


def _acmg_evidence(c: acmg.Classification) -> list[dict[str, Any]]:
    """The class, every evaluated criterion, and the criteria not evaluated (with the reasons
    specific to this variant; the general ones are in the ACMG section)."""
    ev: list[dict[str, Any]] = [
        {
            "type": "acmg",
            "class": c.cls,
            "points": c.points,
            "criteria_met": [x.label for x in c.met],
            "engine": "bigmed.acmg (Richards 2015, ClinGen SVI, Tavtigian 2020 points)",
        }
    ]
    for x in c.criteria:
        ev.append(
            {"type": "criterion", "code": x.code, "label": x.label, "strength": x.strength,
             "met": x.met, "points": x.points, "evidence": x.evidence}
        )  # fmt: skip
    specific = {
        n.code: n.reason for n in c.not_evaluated if n.code not in acmg.ALWAYS_NOT_EVALUATED
    }
    ev.append(
        {
            "type": "not_evaluated",
            "codes": [n.code for n in c.not_evaluated],
            "reasons": specific,
            "note": "criteria needing data outside the bundle are listed in the ACMG section",
        }
    )
    return ev


def _source_evidence(v: Mapping[str, Any], sources: Mapping[str, Any]) -> list[dict[str, Any]]:
    """What the knowledge sources say about the variant: ClinVar and the expert panels (the
    known-variant path uses them, the engine's criteria never do), population frequency,
    predictor scores and curated assertions."""
    ev: list[dict[str, Any]] = []
    if v.get("clinvar"):
        cv = v["clinvar"]
        ev.append(
            {"type": "clinvar", "variation_id": cv["variation_id"],
             "significance": cv["significance"], "review_status": cv["review_status"],
             "stars": cv["stars"], "conditions": cv.get("conditions", []),
             "source": f"{sources['clinvar']['name']} {sources['clinvar']['version']}",
             "note": "used by the known-variant path, not by the engine's criteria "
                     "(PP5/BP6 retired)"}
        )  # fmt: skip
    if v.get("expert_panel"):
        ev.append({"type": "expert_panel", **v["expert_panel"]})
    if v.get("population"):
        ev.append(
            {"type": "population", **v["population"],
             "source": f"{sources['gnomad']['name']} {sources['gnomad']['version']}"}
        )  # fmt: skip
    if v.get("predictors"):
        ev.append({"type": "predictors", "scores": v["predictors"]})
    for a in v.get("assertions", []):
        ev.append({"type": "assertion", **{k: a[k] for k in ASSERTION_KEYS}})
    return ev


def _known_evidence(d: known.Decision) -> dict[str, Any]:
    return {
        "type": "known_variant",
        "status": d.known.status,
        "reported_class": d.reported,
        "engine_class": d.engine,
        "engine_points": d.engine_points,
        "rests_on": d.rests_on,
        "note": d.note,
        "known": d.known.as_dict(),
    }


def _evidence(
    v: Mapping[str, Any], c: acmg.Classification, d: known.Decision, doc: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The engine's evidence first (pilots read its points), then the known-variant status,
    then the sources."""
    return [*_acmg_evidence(c), _known_evidence(d), *_source_evidence(v, doc["sources"])]


def _classify_calls(
    doc: Mapping[str, Any],
    family: Mapping[str, FamilyEvidence] | None,
    overrides: Overrides | None,
) -> list[tuple[Mapping[str, Any], acmg.Classification, known.Decision]]:
    """Every PASS call in a gene with the engine's class and the reported one (the known
    class where it qualifies), most pathogenic reported class first (then points, id)."""
    min_stars = overrides.clinvar_min_stars if overrides else acmg.CLINVAR_MIN_STARS
    results = []
    for v in doc["variants"]:
        if (
            v.get("filter") != "PASS"
            or not v.get("gene")
            or v.get("consequence") in ("intergenic", None)
        ):
            continue
        facts = facts_from_annotation(v, doc)
        fam = (family or {}).get(v["id"])
        c = acmg.classify(facts, fam, overrides)
        k = known.known_variant(v, doc["sources"], min_stars)
        results.append((v, c, known.decide(c.cls, c.points, k)))
    results.sort(key=lambda r: (-acmg.CLASS_RANK[r[2].reported], -r[1].points, r[0]["id"]))
    return results


def _disease_gene(symbol: str, facts: Mapping[str, Any]) -> bool:
    """The default finding gene: any curated disease (HPO, G2P, GenCC or ACMG SF)."""
    return bool(
        facts.get("hpo_diseases") or facts.get("g2p") or facts.get("gencc") or facts.get("acmg_sf")
    )


def known_fields(d: known.Decision) -> dict[str, Any]:
    """What a finding says of the known-variant path: the known record, the engine's own
    class and what the reported class rests on (for pilots that build their own findings)."""
    k = d.known
    return {
        "engine_classification": d.engine,
        "engine_points": d.engine_points,
        "known_classification": k.as_dict() if k.status not in ("no_source",) else None,
        "rests_on": d.rests_on,
    }


def with_known(finding: Mapping[str, Any], d: known.Decision) -> dict[str, Any]:
    """A pilot's own finding with the reported class and the known-variant fields; its
    summary starts with the known record when the class rests on one."""
    summary = str(finding.get("summary", ""))
    if d.known.rests_on_known:
        summary = f"{known.summary(d)} {summary}".strip()
    return {**finding, "classification": d.reported, **known_fields(d), "summary": summary}


def _finding(
    v: Mapping[str, Any], c: acmg.Classification, d: known.Decision, labels: str
) -> dict[str, Any]:
    engine = f"engine: {c.cls}, {c.points} points: {labels}"
    return {
        "variant_id": v["id"],
        "gene": v["gene"],
        "hgvs_c": v.get("hgvs_c"),
        "hgvs_p": v.get("hgvs_p"),
        "classification": d.reported,
        "summary": known.summary(d)
        if d.known.rests_on_known
        else f"{d.reported} ({c.points} points: {labels}). Rests on {d.rests_on}.",
        "evidence": [
            {"code": x.label, "strength": x.strength, "evidence": x.evidence} for x in c.met
        ],
        **known_fields(d),
        "engine_summary": engine,
    }


def _section(classified: int, rows: list[list[Any]]) -> dict[str, Any]:
    return {
        "id": "acmg-classification",
        "title": "ACMG/AMP classification",
        "note": (
            f"{classified} PASS call(s) in genes classified; points: very strong 8, strong 4, "
            "moderate 2, supporting 1 (benign negative); P >= 10, LP 6-9, VUS 0-5, LB -1 to -6, "
            "B <= -7, BA1 stand-alone. 'reported' is the class the report gives: the lab's "
            "own newest classification where it has one, else an expert-panel or ClinVar "
            "(review status at the threshold) classification, else the engine's. Never "
            "evaluated here: "
            + "; ".join(f"{k} ({r})" for k, r in acmg.ALWAYS_NOT_EVALUATED.items())
        ),
        "columns": [
            "variant", "gene", "HGVS c.", "HGVS p.", "engine class", "points", "criteria met",
            "reported class", "rests on",
        ],
        "rows": rows,
    }  # fmt: skip


KNOWN_SHOWN = ("lab", "expert_panel", "clinvar", "review", "conflicting", "below_threshold")


def _known_note(k: known.Known) -> str:
    """The row's note: the lab's criteria and differences, partner labs' classes (shown,
    never used)."""
    parts = [k.note] if k.note else []
    if k.status == "lab":
        parts.insert(0, f"criteria: {', '.join(k.criteria) or 'none recorded'}")
    return "; ".join(parts + list(k.partners))


def _known_row(v: Mapping[str, Any], d: known.Decision) -> list[Any]:
    k = d.known
    source = f"{k.source} (version {k.version}, {k.reviewer})" if k.status == "lab" else k.source
    return [
        v["id"], v["gene"], v.get("hgvs_c"), known.STATUS_TEXT[k.status],
        "conflicting" if k.status == "conflicting" else k.cls, source,
        k.stars, k.review_status, k.date, "; ".join(k.conditions), _known_note(k),
        f"{d.engine} ({d.engine_points})", d.reported, d.rests_on,
    ]  # fmt: skip


WITHHELD_SECTION = "lab-withheld"


def withheld_section(rows: list[list[Any]]) -> dict[str, Any]:
    """The variants a lab B/LB/VUS keeps out of the findings although the engine, ClinVar
    or an expert panel gives P/LP: the report renders it inside the findings, so such a
    disagreement is never silent."""
    return {
        "id": WITHHELD_SECTION,
        "title": "Not reported as findings because of the lab's own classification",
        "note": (
            "The lab's newest own classification takes precedence over the ACMG/AMP engine, "
            "ClinGen expert panels and ClinVar. These variants would be findings on the "
            "classes in 'P/LP from'; the report rests on the lab's class instead. Review "
            "the disagreement."
        ),
        "columns": [
            "variant", "gene", "HGVS c.", "HGVS p.", "lab class", "condition", "version",
            "reviewer", "date", "criteria", "P/LP from", "rests on",
        ],
        "rows": rows,
    }  # fmt: skip


def _withheld_row(v: Mapping[str, Any], d: known.Decision) -> list[Any]:
    k = d.known
    return [
        v["id"], v["gene"], v.get("hgvs_c"), v.get("hgvs_p"), k.cls, "; ".join(k.conditions),
        k.version, k.reviewer, k.date, ", ".join(k.criteria) or "none recorded",
        "; ".join(d.withheld), d.rests_on,
    ]  # fmt: skip


def known_sections(
    results: list[tuple[Mapping[str, Any], acmg.Classification, known.Decision]],
    min_stars: int,
) -> list[dict[str, Any]]:
    """Known variants (expert panels and ClinVar, findings and records for review), and the
    submissions behind conflicting ClinVar records."""
    rows = [_known_row(v, d) for v, _c, d in results if d.known.status in KNOWN_SHOWN]
    subs = [
        [v["id"], v["gene"], s.get("scv"), s.get("classification"), s.get("submitter"),
         s.get("date"), s.get("condition")]
        for v, _c, d in results
        if d.known.status == "conflicting"
        for s in d.known.submissions
    ]  # fmt: skip
    out = [
        {
            "id": "known-variants",
            "title": "Known variants (the lab, ClinGen expert panels, ClinVar)",
            "note": (
                "The lab's newest own classification takes precedence (with its version, "
                "reviewer, date and where other sources differ), then an expert-panel "
                f"classification; a ClinVar classification with >= {min_stars} stars is "
                "reported as such; one-star P/LP records are listed for review, not as "
                "findings. Partner labs' classes are shown, never used. The engine's own "
                "class is shown beside the known one; 'rests on' says which the report follows."
            ),
            "columns": [
                "variant", "gene", "HGVS c.", "status", "known class", "source", "stars",
                "review status", "date", "conditions", "note", "engine class (points)",
                "reported class", "rests on",
            ],
            "rows": rows,
        }
    ]  # fmt: skip
    if subs:
        out.append(
            {
                "id": "clinvar-submissions",
                "title": "ClinVar submissions of conflicting records",
                "columns": [
                    "variant", "gene", "SCV", "classification", "submitter", "date", "condition",
                ],
                "rows": subs,
            }
        )  # fmt: skip
    return out


def interpret(
    doc: Mapping[str, Any],
    *,
    family: Mapping[str, FamilyEvidence] | None = None,
    overrides: Overrides | None = None,
    finding_gene: Callable[[str, Mapping[str, Any]], bool] | None = None,
    carriers: set[str] | None = None,
) -> dict[str, Any]:
    """Classify the PASS calls in genes; return variants, findings, sections, knowledge_bases.

    ``finding_gene(symbol, gene_facts)`` limits which genes can give a finding (default: a
    gene with any curated disease); ``carriers`` limits findings to variants the patient
    (proband/index) carries. A variant's ``classification`` is the reported class (the known
    one where it qualifies, :mod:`bigmed.germline.known`); the engine's stays in its evidence.
    """
    results = _classify_calls(doc, family, overrides)
    relevant = finding_gene or _disease_gene
    variants: dict[str, Any] = {}
    findings: list[dict[str, Any]] = []
    rows: list[list[Any]] = []
    withheld: list[list[Any]] = []
    for rank, (v, c, d) in enumerate(results, 1):
        variants[v["id"]] = {
            "classification": d.reported,
            "rank": rank,
            "evidence": _evidence(v, c, d, doc),
        }
        labels = ", ".join(x.label for x in c.met) or "none"
        if len(rows) < SECTION_ROWS:
            rows.append(
                [v["id"], v["gene"], v.get("hgvs_c"), v.get("hgvs_p"), c.cls, c.points, labels,
                 d.reported, d.rests_on]
            )  # fmt: skip
        carried = carriers is None or v["id"] in carriers
        if not (relevant(v["gene"], doc["genes"].get(v["gene"], {})) and carried):
            continue
        if d.finding:
            findings.append(_finding(v, c, d, labels))
        elif d.withheld:
            withheld.append(_withheld_row(v, d))
    min_stars = overrides.clinvar_min_stars if overrides else acmg.CLINVAR_MIN_STARS
    lab = [withheld_section(withheld)] if withheld else []
    return {
        "variants": variants,
        "findings": findings,
        "sections": [*lab, _section(len(results), rows), *known_sections(results, min_stars)],
        "knowledge_bases": list(doc.get("knowledge_bases", [])),
        "classified": len(results),
        "decisions": {v["id"]: d for v, _c, d in results},
    }


def _call_genes(doc: Mapping[str, Any]) -> list[str]:
    """Genes of the PASS calls the classification looks at."""
    return sorted(
        {
            v["gene"]
            for v in doc["variants"]
            if v.get("filter") == "PASS"
            and v.get("gene")
            and v.get("consequence") not in ("intergenic", None)
        }
    )


def _clinvar_limits(doc: Mapping[str, Any]) -> list[dict[str, str]]:
    """Per gene: where the ClinVar source is a subset that holds the gene partly or not."""
    cv = doc["sources"].get("clinvar") or {}
    if not cv.get("configured"):
        return [
            {"what": "ClinVar (known variants, PS1, PM5)", "reason": "no ClinVar source configured"}
        ]
    release = f"{cv['name']} {cv['version']}"
    held = {g: coverage(cv, g) for g in _call_genes(doc)}
    out = [
        {
            "what": f"ClinVar known-variant lookup and PS1/PM5 in {g}",
            "reason": f"{release} here holds {g} only partly ({h[len('partial') :].strip('()')}): "
            "absence from it is not evidence",
        }
        for g, h in held.items()
        if h.startswith("partial")
    ]
    missing = [g for g, h in held.items() if h == "none"]
    if missing:
        out.append(
            {
                "what": f"ClinVar known-variant lookup and PS1/PM5 in {', '.join(missing)}",
                "reason": f"{release} here is a subset that does not hold these genes",
            }
        )
    return out


def _predictor_limits(doc: Mapping[str, Any]) -> list[dict[str, str]]:
    s = doc["sources"]
    configured = [k for k in PREDICTORS if (s.get(k) or {}).get("configured")]
    if not configured:
        return [{"what": "in-silico predictions (PP3, BP4, BP7, BP1)", "reason": acmg.NO_PREDICTOR}]
    if "spliceai" not in configured:
        return [
            {
                "what": "splicing predictions (BP7, BP1, splicing PP3/BP4)",
                "reason": "no splice predictor configured (knowledge.sources.spliceai)",
            }
        ]
    return []


def not_assessable(doc: Mapping[str, Any]) -> list[dict[str, str]]:
    """What the sources could not settle, per source and per gene, for the report's
    'not assessable' list."""
    out = []
    s = doc["sources"]
    if not s["gnomad"]["configured"]:
        out.append(
            {
                "what": "population frequency (BA1, BS1, PM2)",
                "reason": "no population source configured",
            }
        )
    elif not s["gnomad"]["complete"]:
        genes = _call_genes(doc)
        where = f" in {', '.join(genes)}" if genes else ""
        out.append(
            {
                "what": "frequency of variants absent from the population source (BA1, BS1, "
                f"PM2){where}",
                "reason": f"{s['gnomad']['name']} is a subset here ({s['gnomad']['version']}): "
                "absence is not evidence of rarity",
            }
        )
    out += _clinvar_limits(doc)
    vcep = s.get("clingen_vcep") or {}
    if vcep.get("configured"):
        out.append(
            {
                "what": "ClinGen expert-panel classifications",
                "reason": f"{vcep['name']} ({vcep['version']}) holds the variants its panels "
                "have classified: absence from it says nothing",
            }
        )
    return out + _predictor_limits(doc)
