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

from bigmed.germline import acmg
from bigmed.germline.acmg import (
    ClinVarEntry,
    FamilyEvidence,
    GeneFacts,
    Overrides,
    Population,
    TranscriptFacts,
    VariantFacts,
)

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
        clinvar=ClinVarEntry(own["variation_id"], own["class"], own["stars"]) if own else None,
        clinvar_codon=None
        if codon is None
        else tuple(
            ClinVarEntry(e["variation_id"], e["class"], e["stars"], e["hgvs_p"], e["relation"])
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
    """What the knowledge sources say about the variant: ClinVar (shown, not used),
    population frequency and curated assertions."""
    ev: list[dict[str, Any]] = []
    if v.get("clinvar"):
        cv = v["clinvar"]
        ev.append(
            {"type": "clinvar", "variation_id": cv["variation_id"],
             "significance": cv["significance"], "review_status": cv["review_status"],
             "stars": cv["stars"],
             "source": f"{sources['clinvar']['name']} {sources['clinvar']['version']}",
             "note": "shown for reference; not used as evidence (PP5/BP6 retired)"}
        )  # fmt: skip
    if v.get("population"):
        ev.append(
            {"type": "population", **v["population"],
             "source": f"{sources['gnomad']['name']} {sources['gnomad']['version']}"}
        )  # fmt: skip
    for a in v.get("assertions", []):
        ev.append({"type": "assertion", **{k: a[k] for k in ASSERTION_KEYS}})
    return ev


def _evidence(
    v: Mapping[str, Any], c: acmg.Classification, doc: Mapping[str, Any]
) -> list[dict[str, Any]]:
    return _acmg_evidence(c) + _source_evidence(v, doc["sources"])


def _classify_calls(
    doc: Mapping[str, Any],
    family: Mapping[str, FamilyEvidence] | None,
    overrides: Overrides | None,
) -> list[tuple[Mapping[str, Any], acmg.Classification]]:
    """Every PASS call in a gene with its class, most pathogenic first (then points, id)."""
    results: list[tuple[Mapping[str, Any], acmg.Classification]] = []
    for v in doc["variants"]:
        if (
            v.get("filter") != "PASS"
            or not v.get("gene")
            or v.get("consequence") in ("intergenic", None)
        ):
            continue
        facts = facts_from_annotation(v, doc)
        fam = (family or {}).get(v["id"])
        results.append((v, acmg.classify(facts, fam, overrides)))
    results.sort(key=lambda r: (-acmg.CLASS_RANK[r[1].cls], -r[1].points, r[0]["id"]))
    return results


def _disease_gene(symbol: str, facts: Mapping[str, Any]) -> bool:
    """The default finding gene: any curated disease (HPO, G2P, GenCC or ACMG SF)."""
    return bool(
        facts.get("hpo_diseases") or facts.get("g2p") or facts.get("gencc") or facts.get("acmg_sf")
    )


def _finding(v: Mapping[str, Any], c: acmg.Classification, labels: str) -> dict[str, Any]:
    return {
        "variant_id": v["id"],
        "gene": v["gene"],
        "hgvs_c": v.get("hgvs_c"),
        "hgvs_p": v.get("hgvs_p"),
        "classification": c.cls,
        "summary": f"{c.cls} ({c.points} points: {labels})",
        "evidence": [
            {"code": x.label, "strength": x.strength, "evidence": x.evidence} for x in c.met
        ],
    }


def _section(classified: int, rows: list[list[Any]]) -> dict[str, Any]:
    return {
        "id": "acmg-classification",
        "title": "ACMG/AMP classification",
        "note": (
            f"{classified} PASS call(s) in genes classified; points: very strong 8, strong 4, "
            "moderate 2, supporting 1 (benign negative); P >= 10, LP 6-9, VUS 0-5, LB -1 to -6, "
            "B <= -7, BA1 stand-alone. Never evaluated here: "
            + "; ".join(f"{k} ({r})" for k, r in acmg.ALWAYS_NOT_EVALUATED.items())
        ),
        "columns": ["variant", "gene", "HGVS c.", "HGVS p.", "class", "points", "criteria met"],
        "rows": rows,
    }


def interpret(
    doc: Mapping[str, Any],
    *,
    family: Mapping[str, FamilyEvidence] | None = None,
    overrides: Overrides | None = None,
    finding_gene: Callable[[str, Mapping[str, Any]], bool] | None = None,
    carriers: set[str] | None = None,
) -> dict[str, Any]:
    """Classify the PASS calls in genes; return variants, findings, section, knowledge_bases.

    ``finding_gene(symbol, gene_facts)`` limits which genes can give a finding (default: a
    gene with any curated disease); ``carriers`` limits findings to variants the patient
    (proband/index) carries.
    """
    results = _classify_calls(doc, family, overrides)
    relevant = finding_gene or _disease_gene
    variants: dict[str, Any] = {}
    findings: list[dict[str, Any]] = []
    rows: list[list[Any]] = []
    for rank, (v, c) in enumerate(results, 1):
        variants[v["id"]] = {
            "classification": c.cls,
            "rank": rank,
            "evidence": _evidence(v, c, doc),
        }
        labels = ", ".join(x.label for x in c.met) or "none"
        if len(rows) < SECTION_ROWS:
            rows.append(
                [v["id"], v["gene"], v.get("hgvs_c"), v.get("hgvs_p"), c.cls, c.points, labels]
            )
        carried = carriers is None or v["id"] in carriers
        if (
            c.cls in FINDING_CLASSES
            and relevant(v["gene"], doc["genes"].get(v["gene"], {}))
            and carried
        ):
            findings.append(_finding(v, c, labels))
    return {
        "variants": variants,
        "findings": findings,
        "sections": [_section(len(results), rows)],
        "knowledge_bases": list(doc.get("knowledge_bases", [])),
        "classified": len(results),
    }


def not_assessable(doc: Mapping[str, Any]) -> list[dict[str, str]]:
    """What the sources could not settle, for the report's 'not assessable' list."""
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
        out.append(
            {
                "what": "frequency of variants absent from the population source (BA1, BS1, PM2)",
                "reason": f"{s['gnomad']['name']} is a subset here ({s['gnomad']['version']}): "
                "absence is not evidence of rarity",
            }
        )
    if not s["clinvar"]["configured"]:
        out.append({"what": "ClinVar (PS1, PM5)", "reason": "no ClinVar source configured"})
    return out
