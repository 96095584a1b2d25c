"""The findings of a crc interpretation: Tier I/II variants and positive biomarkers with the
evidence behind their tier (``origin`` somatic; the germline findings are
:mod:`bigmed.pilots.crc.germline`'s), the ranked variant list, and what could not be
assessed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bigmed.pilots.crc.evidence import Knowledge
from bigmed.pilots.crc.tiers import (
    SAME_TYPE_A_B,
    Match,
    Tiered,
    TieredVariants,
    biomarker_matches,
    evidence_json,
    sorted_matches,
    tier_of,
)
from bigmed.pilots.crc.variants import SomaticVariant

# card entry -> (alteration, gene) of the evidence rows a positive biomarker is tiered with
BIOMARKER_ALTERATIONS = {
    "MSI": ("msi_high", ""),
    "TMB": ("tmb_high", ""),
    "ERBB2 amplification": ("amplification", "ERBB2"),
}


CONTEXT = {"sensitivity": "benefit", "resistance": "resistance"}


def _therapy_key(therapy: str) -> tuple[str, ...]:
    """One key per therapy whatever the order its drugs are named in."""
    return tuple(sorted(d.strip().lower() for d in therapy.split("+")))


def therapies(evidence: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each therapy of level A/B evidence in this tumor type once, with its context.

    A drug can appear in two contexts (cetuximab alone: resistance; encorafenib +
    cetuximab: benefit); the context belongs to the combination, so each combination is one
    line, named as first seen, with its best level and the ids behind it. A combination with
    evidence both ways says "conflicting".
    """
    lines: dict[tuple[str, ...], dict[str, Any]] = {}
    for e in evidence:
        t, sig = e.get("therapy"), e.get("significance")
        if not t or sig not in CONTEXT or e["tumor_type_match"] != "same":
            continue
        if e["level"] not in ("A", "B"):
            continue
        line = lines.setdefault(
            _therapy_key(t),
            {"therapy": t, "contexts": [], "level": e["level"], "evidence": []},
        )
        if CONTEXT[sig] not in line["contexts"]:
            line["contexts"].append(CONTEXT[sig])
        line["level"] = min(line["level"], e["level"])
        line["evidence"].append(f"{e['source']} {e['id']}")
    out = []
    for line in lines.values():
        single = "+" not in line["therapy"] and " or " not in line["therapy"]
        context = "conflicting" if len(line["contexts"]) > 1 else line["contexts"][0]
        name = f"{line['therapy']} (monotherapy)" if single else line["therapy"]
        out.append({**line, "name": name, "context": context})
    out.sort(key=lambda x: (x["context"] != "benefit", x["level"], x["name"]))
    return out


def variant_finding(vid: str, v: SomaticVariant, t: Tiered) -> dict[str, Any]:
    evidence = [evidence_json(m) for m in sorted_matches(t.matches)]
    lines = therapies(evidence)
    summary = (
        f"{v.gene} {v.hgvs_p or v.hgvs_c} somatic, VAF {v.tumor_vaf} "
        f"({v.tumor_alt}/{v.tumor_depth} reads) — {t.label}: {t.why}"
    )
    if lines:
        listed = "; ".join(f"{x['name']}: {x['context']} (level {x['level']})" for x in lines)
        # tier I's reason already is "level A/B evidence in this tumor type": list under it
        lead = "" if t.why == SAME_TYPE_A_B else f"; {SAME_TYPE_A_B}"
        summary += f"{lead}: {listed}"
    if v.tumor_only:
        summary += " (tumor-only: germline not excluded)"
    return {
        "variant_id": vid,
        "gene": v.gene,
        "hgvs_c": v.hgvs_c,
        "hgvs_p": v.hgvs_p,
        "classification": t.label,
        "summary": summary,
        "therapies": lines,
        "evidence": evidence,
        "origin": "somatic",
    }


def variant_findings(
    tiered: TieredVariants, variants: dict[str, SomaticVariant]
) -> list[dict[str, Any]]:
    """Tier I and II variants, by tier and level."""
    return [variant_finding(vid, variants[vid], t) for vid, t in tiered.by_level() if t.tier <= 2]


def _biomarker_evidence(
    key: str, entry: dict[str, Any], kb: Knowledge, tumor_type: str
) -> list[Match]:
    """Evidence rows of a positive biomarker (TMB rows only up to the measured rate)."""
    alteration, gene = BIOMARKER_ALTERATIONS[key]
    bm = biomarker_matches(alteration, gene, kb, tumor_type)
    if alteration == "tmb_high":
        value = (entry["value"] or {}).get("mutations_per_mb", 0)
        bm = [m for m in bm if not m.evidence.min_tmb or float(m.evidence.min_tmb) <= value]
    return bm


def biomarker_findings(
    card: dict[str, dict[str, Any]], kb: Knowledge, tumor_type: str
) -> list[dict[str, Any]]:
    """Positive MSI, TMB and ERBB2 amplification, tiered on their evidence."""
    out = []
    for key, (_, gene) in BIOMARKER_ALTERATIONS.items():
        if card[key]["status"] != "positive":
            continue
        bm = _biomarker_evidence(key, card[key], kb, tumor_type)
        t = tier_of(bm, None, None)
        if t.tier > 2:  # a finding is Tier I/II; the biomarker card still shows it positive
            continue
        out.append(
            {
                "variant_id": None,
                "gene": gene or None,
                "hgvs_c": None,
                "hgvs_p": None,
                "classification": t.label,
                "summary": f"{key} positive ({card[key]['reason']}) — {t.label}: {t.why}",
                "evidence": [evidence_json(m) for m in sorted_matches(bm)],
                "origin": "somatic",
            }
        )
    return out


def variant_entries(tiered: TieredVariants) -> dict[str, Any]:
    """The document's variants: tier, rank and up to 20 evidence rows each."""
    return {
        vid: {
            "classification": t.label,
            "rank": rank,
            "evidence": [evidence_json(m) for m in sorted_matches(t.matches)][:20],
        }
        for rank, (vid, t) in enumerate(tiered.ranked(), 1)
    }


def with_lynch_note(
    findings: Sequence[dict[str, Any]], genes: Sequence[str], note: str
) -> list[dict[str, Any]]:
    """Germline findings, those in the Lynch syndrome genes with the tumor MSI/MMR reading."""
    return [
        {**f, "summary": f"{f['summary']}; {note}"} if note and f["gene"] in genes else f
        for f in findings
    ]


def merge_entries(somatic: dict[str, Any], germline: dict[str, Any]) -> dict[str, Any]:
    """The document's variants: the somatic ones, then the germline classifications ranked
    after them (an allele in both, tumor-only, keeps its tier)."""
    out = dict(somatic)
    offset = len(somatic)
    for vid, entry in germline.items():
        if vid not in out:
            rank = entry.get("rank")
            out[vid] = {**entry, "rank": None if rank is None else rank + offset}
    return out


def not_assessable(card: dict[str, dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"what": f"biomarker {name}", "reason": b["reason"]}
        for name, b in card.items()
        if b["status"] == "not evaluable"
    ]
