"""Therapy lines of metastatic colorectal cancer that follow from the biomarker card and the
tiers: anti-EGFR, encorafenib + cetuximab, KRAS G12C inhibitors, immune checkpoint blockade
and HER2-directed therapy, each with the evidence of this tumor type behind it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bigmed.pilots.crc.evidence import Knowledge
from bigmed.pilots.crc.tiers import Match, biomarker_matches, evidence_json, sorted_matches
from bigmed.pilots.crc.variants import SomaticVariant

ANTI_EGFR = ("cetuximab", "panitumumab")
G12C_INHIBITORS = ("sotorasib", "adagrasib")
RAS_BRAF = ("KRAS", "NRAS", "BRAF V600E")

Card = dict[str, dict[str, Any]]
Line = dict[str, Any]


def therapy_evidence(
    matches: Iterable[Match], words: Sequence[str], significance: Sequence[str]
) -> list[dict[str, Any]]:
    """Evidence of this tumor type with that significance whose therapy names every word."""
    out = []
    for m in sorted_matches(list(matches)):
        t = m.evidence.therapy.lower()
        if (
            m.relation == "same"
            and m.evidence.significance in significance
            and all(w in t for w in words)
        ):
            out.append(evidence_json(m))
    return out


def _naming(evidence: list[dict[str, Any]], drugs: Sequence[str]) -> list[dict[str, Any]]:
    """The evidence whose therapy names one of the drugs."""
    return [e for e in evidence if any(w in (e["therapy"] or "").lower() for w in drugs)]


def _line(therapy: str, status: str, basis: str, evidence: list[dict[str, Any]]) -> Line:
    """A line that follows one biomarker: a candidate when it is positive."""
    text = {
        "positive": ("candidate", f"{basis} present"),
        "negative": ("no indication", f"{basis} absent"),
        "not evaluable": ("cannot be assessed", f"{basis} not evaluable"),
    }[status]
    return {
        "therapy": therapy,
        "status": text[0],
        "basis": text[1],
        "evidence": evidence if status == "positive" else [],
    }


def anti_egfr_line(status: dict[str, str], all_matches: list[Match]) -> Line:
    """Anti-EGFR only with RAS and BRAF wild type and covered."""
    positive = [k for k in RAS_BRAF if status[k] == "positive"]
    unknown = [k for k in RAS_BRAF if status[k] == "not evaluable"]
    if positive:
        verdict = "not a candidate"
        basis = f"{', '.join(positive)} mutated: resistance to anti-EGFR antibodies"
    elif unknown:
        verdict = "cannot be assessed"
        basis = (
            f"{', '.join(unknown)} not evaluable; anti-EGFR needs RAS and BRAF wild type "
            "and covered"
        )
    else:
        verdict = "candidate"
        basis = "KRAS, NRAS and BRAF V600E wild type with every codon covered"
    resist = _naming(therapy_evidence(all_matches, [], ["resistance"]), ANTI_EGFR)
    return {
        "therapy": "Anti-EGFR antibody (cetuximab or panitumumab)",
        "status": verdict,
        "basis": basis,
        "evidence": resist if positive else [],
    }


def kras_g12c_line(
    variant_matches: dict[str, list[Match]], variants: dict[str, SomaticVariant]
) -> Line | None:
    """A line only when a PASS KRAS G12C is called."""
    g12c = [v for v in variants.values() if v.gene == "KRAS" and v.protein == "G12C" and v.passed]
    if not g12c:
        return None
    ev = therapy_evidence(variant_matches.get(g12c[0].id, []), [], ["sensitivity"])
    return _line(
        "KRAS G12C inhibitor + anti-EGFR (sotorasib + panitumumab, adagrasib + cetuximab)",
        "positive",
        "KRAS G12C",
        _naming(ev, G12C_INHIBITORS),
    )


def checkpoint_line(status: dict[str, str], kb: Knowledge, tumor_type: str) -> Line:
    """MSI-H; else TMB-high; else a POLE exonuclease-domain mutation (inferential)."""
    msi_ev = therapy_evidence(
        biomarker_matches("msi_high", "", kb, tumor_type), [], ["sensitivity"]
    )
    tmb_ev = therapy_evidence(
        biomarker_matches("tmb_high", "", kb, tumor_type), [], ["sensitivity"]
    )
    verdict, basis, ev = status["MSI"], "MSI-H", msi_ev
    if status["MSI"] != "positive" and status["TMB"] == "positive":
        verdict, basis, ev = "positive", "TMB-high (>= 10 mutations/Mb)", tmb_ev
    elif status["MSI"] != "positive" and status["POLE exonuclease domain"] == "positive":
        verdict, basis, ev = "positive", "POLE exonuclease-domain mutation (inferential)", []
    return _line(
        "Immune checkpoint blockade (pembrolizumab; nivolumab +/- ipilimumab)", verdict, basis, ev
    )


def her2_line(status: dict[str, str], kb: Knowledge, tumor_type: str) -> Line:
    ev = therapy_evidence(
        biomarker_matches("amplification", "ERBB2", kb, tumor_type), [], ["sensitivity"]
    )
    return _line(
        "HER2-directed (trastuzumab + tucatinib)",
        status["ERBB2 amplification"],
        "ERBB2 amplification",
        ev,
    )


def therapy_lines(
    card: Card,
    variant_matches: dict[str, list[Match]],
    variants: dict[str, SomaticVariant],
    kb: Knowledge,
    tumor_type: str,
) -> list[Line]:
    """Therapy lines that follow from the biomarker card and the tiers."""
    status = {k: card[k]["status"] for k in card}
    all_matches = [m for ms in variant_matches.values() for m in ms]
    braf = therapy_evidence(all_matches, ["encorafenib", "cetuximab"], ["sensitivity"])
    lines = [
        anti_egfr_line(status, all_matches),
        _line("Encorafenib + cetuximab", status["BRAF V600E"], "BRAF V600E", braf),
    ]
    g12c = kras_g12c_line(variant_matches, variants)
    if g12c is not None:
        lines.append(g12c)
    lines.append(checkpoint_line(status, kb, tumor_type))
    lines.append(her2_line(status, kb, tumor_type))
    return lines
