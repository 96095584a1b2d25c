"""Metastatic colorectal cancer pilot: the interpretation document of one tumor.

The steps, one module each: the somatic calls (:mod:`~bigmed.pilots.crc.variants`), the
evidence (:mod:`~bigmed.pilots.crc.evidence`), the biomarker card
(:mod:`~bigmed.pilots.crc.biomarkers`, on codon depth from :mod:`~bigmed.pilots.crc.codons`),
AMP/ASCO/CAP tiers (:mod:`~bigmed.pilots.crc.tiers`), therapy lines
(:mod:`~bigmed.pilots.crc.therapy`), then the document's findings
(:mod:`~bigmed.pilots.crc.findings`) and sections (:mod:`~bigmed.pilots.crc.sections`).
"""

from __future__ import annotations

from typing import Any

from bigmed.pilots.crc.biomarkers import CrcInputs, biomarker_card
from bigmed.pilots.crc.evidence import Knowledge
from bigmed.pilots.crc.findings import (
    biomarker_findings,
    not_assessable,
    variant_entries,
    variant_findings,
)
from bigmed.pilots.crc.sections import FOCUS_GENES, biomarker_note, sections
from bigmed.pilots.crc.therapy import therapy_lines
from bigmed.pilots.crc.tiers import TieredVariants, tier_variants


def _note(inp: CrcInputs, tiered: TieredVariants) -> str:
    n1 = sum(1 for t in tiered.tiers.values() if t.tier == 1)
    note = (
        f"Colorectal pilot rules applied (tumor type {inp.tumor_type}): {n1} Tier I variant(s), "
        f"{len(tiered.tiers)} protein-altering somatic variant(s) tiered"
    )
    note += "; tumor-only analysis: germline variants are not excluded." if inp.tumor_only else "."
    if inp.note:
        note += " " + inp.note
    return note


def interpret(inp: CrcInputs, kb: Knowledge) -> dict[str, Any]:
    """The crc interpretation document (workflow/schemas/interpretation.schema.json)."""
    card = biomarker_card(inp)
    tiered = tier_variants(inp.variants, inp.transcripts, kb, inp.tumor_type)
    variants = {v.id: v for v in inp.variants}
    findings = variant_findings(tiered, variants) + biomarker_findings(card, kb, inp.tumor_type)
    findings.sort(key=lambda f: f["classification"])
    lines = therapy_lines(card, tiered.matches, variants, kb, inp.tumor_type)
    return {
        "status": "complete",
        "note": _note(inp, tiered),
        "findings": findings,
        "biomarkers": list(card.values()),
        "biomarker_note": biomarker_note(inp),
        "focus": {
            "genes": list(dict.fromkeys([*FOCUS_GENES, *(variants[v].gene for v in tiered.tiers)])),
            "label": "the biomarker genes and the genes of the tiered somatic variants",
        },
        "variants": variant_entries(tiered),
        "knowledge_bases": kb.sources,
        "sections": sections(card, lines, tiered, variants, inp.tumor_only),
        "not_assessable": not_assessable(card),
    }
