"""Metastatic colorectal cancer pilot: the interpretation document of one tumor.

The steps, one module each: the somatic calls (:mod:`~bigmed.pilots.crc.variants`), the
evidence (:mod:`~bigmed.pilots.crc.evidence`), the biomarker card
(:mod:`~bigmed.pilots.crc.biomarkers`, on codon depth from :mod:`~bigmed.pilots.crc.codons`),
AMP/ASCO/CAP tiers (:mod:`~bigmed.pilots.crc.tiers`), therapy lines
(:mod:`~bigmed.pilots.crc.therapy`), then the document's findings
(:mod:`~bigmed.pilots.crc.findings`) and sections (:mod:`~bigmed.pilots.crc.sections`).
Germline predisposition in the normal (:mod:`~bigmed.pilots.crc.germline`, analysed by the
rule script) joins them, read with the tumor's MSI/MMR status for Lynch syndrome
(:mod:`~bigmed.pilots.crc.mmr`).
"""

from __future__ import annotations

from typing import Any

from bigmed.pilots.crc import germline as germ
from bigmed.pilots.crc.biomarkers import CrcInputs, biomarker_card
from bigmed.pilots.crc.evidence import Knowledge
from bigmed.pilots.crc.findings import (
    biomarker_findings,
    merge_entries,
    not_assessable,
    variant_entries,
    variant_findings,
    with_lynch_note,
)
from bigmed.pilots.crc.mmr import MmrAssessment, assess, mmr_section
from bigmed.pilots.crc.sections import FOCUS_GENES, biomarker_note, sections
from bigmed.pilots.crc.therapy import therapy_lines
from bigmed.pilots.crc.tiers import TieredVariants, tier_variants


def _germline_note(res: germ.GermlineResult, mmr: MmrAssessment) -> str:
    st = res.settings
    if not res.analysed:
        text = f" Germline predisposition: not analysed ({st.reason_off or 'switched off'})."
    else:
        text = (
            f" Germline predisposition ({st.sample}): {len(res.findings)} P/LP finding(s) in "
            "hereditary cancer genes"
            + (" (tumor-only: possibly somatic)." if st.tumor_only else ".")
        )
    return text + (f" {mmr.interpretation}" if mmr.mentions_lynch else "")


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


def interpret(
    inp: CrcInputs,
    kb: Knowledge,
    germline: germ.GermlineResult | None = None,
    *,
    mmr_ihc: str | None = None,
    min_stars: int | None = None,
) -> dict[str, Any]:
    """The crc interpretation document (workflow/schemas/interpretation.schema.json).

    ``germline``: :func:`bigmed.pilots.crc.germline.analyse` of the patient's germline calls
    (None: not analysed, and the document says so); ``mmr_ihc``: the lab's MMR
    immunohistochemistry result (deficient | proficient); ``min_stars``: the ClinVar review
    status the known-variant path required (for the section's note).
    """
    res = germline or germ.not_analysed(
        germ.GermlineSettings(False, "", inp.tumor_only, 0, reason_off="no germline calls given")
    )
    card = biomarker_card(inp)
    mmr = assess(card["MSI"], mmr_ihc, res, card["BRAF V600E"]["status"])
    tiered = tier_variants(inp.variants, inp.transcripts, kb, inp.tumor_type)
    variants = {v.id: v for v in inp.variants}
    findings = variant_findings(tiered, variants) + biomarker_findings(card, kb, inp.tumor_type)
    findings.sort(key=lambda f: f["classification"])
    findings += with_lynch_note(res.findings, germ.LYNCH_GENES, mmr.finding_note)
    lines = therapy_lines(card, tiered.matches, variants, kb, inp.tumor_type)
    somatic_genes = [variants[v].gene for v in tiered.tiers]
    germline_genes = [f["gene"] for f in res.findings]
    germline_tables = [mmr_section(mmr), *germ.sections(res, min_stars)]
    return {
        "status": "complete",
        "note": _note(inp, tiered) + _germline_note(res, mmr),
        "findings": findings,
        "biomarkers": list(card.values()),
        "biomarker_note": biomarker_note(inp),
        "focus": {
            "genes": list(dict.fromkeys([*FOCUS_GENES, *somatic_genes, *germline_genes])),
            "label": "the biomarker genes, the genes of the tiered somatic variants and of the "
            "germline findings",
        },
        "variants": merge_entries(variant_entries(tiered), res.variants),
        "knowledge_bases": _knowledge_bases(kb.sources, res.knowledge_bases),
        "sections": sections(card, lines, tiered, variants, inp.tumor_only, germline_tables),
        "not_assessable": not_assessable(card) + res.not_assessable,
    }


def _knowledge_bases(*lists: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each source once (name and version), in the order first listed."""
    out: dict[tuple[Any, Any], dict[str, Any]] = {}
    for kbs in lists:
        for k in kbs:
            out.setdefault((k.get("name"), k.get("version")), k)
    return list(out.values())
