"""The report sections of a crc interpretation: biomarker card, therapy lines, the tiered
somatic variants and the evidence behind the therapy lines (columns and rows as the report
renders them)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bigmed.pilots.crc.tiers import TieredVariants
from bigmed.pilots.crc.variants import SomaticVariant

VARIANT_COLUMNS = [
    "Gene",
    "HGVSp",
    "HGVSc",
    "GRCh38",
    "Consequence",
    "Tumor VAF",
    "Tumor alt/depth",
    "Normal depth",
    "Tier",
    "Why",
]
THERAPY_EVIDENCE_COLUMNS = [
    "Therapy line",
    "Source",
    "Version",
    "Id",
    "Level",
    "Tumor type",
    "Therapy",
    "Significance",
]


def _value_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    if isinstance(value, list):
        return "; ".join(str(x) for x in value)
    return str(value)


def _ev_text(ev: Sequence[dict[str, Any]], n: int = 3) -> str:
    return "; ".join(
        f"{e['source']} {e['id']} level {e['level']} ({e['source_level']})" for e in ev[:n]
    )


def biomarker_card_section(card: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "biomarker-card",
        "title": "Biomarker card",
        "note": "Negative only when every codon is covered in the tumor at the depth that "
        "detects the limit-of-detection allele fraction; otherwise not evaluable.",
        "columns": ["Biomarker", "Status", "Value", "Reason"],
        "rows": [[n, b["status"], _value_text(b["value"]), b["reason"]] for n, b in card.items()],
    }


def therapy_lines_section(lines: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "therapy-lines",
        "title": "Therapy lines",
        "note": "Follow the tiers and the biomarker card; evidence restricted to this tumor "
        "type (OncoTree lineage) or tumor-agnostic approvals.",
        "columns": ["Therapy", "Status", "Basis", "Evidence"],
        "rows": [
            [ln["therapy"], ln["status"], ln["basis"], _ev_text(ln["evidence"])] for ln in lines
        ],
    }


def _variant_row(v: SomaticVariant, label: str, why: str) -> list[Any]:
    return [
        v.gene,
        v.hgvs_p,
        v.hgvs_c,
        f"{v.chrom}:{v.pos} {v.ref}>{v.alt}",
        v.consequence,
        v.tumor_vaf,
        f"{v.tumor_alt}/{v.tumor_depth}",
        v.normal_depth,
        label,
        why,
    ]


def somatic_variants_section(
    tiered: TieredVariants, variants: dict[str, SomaticVariant], tumor_only: bool
) -> dict[str, Any]:
    return {
        "id": "somatic-variants",
        "title": "Somatic variants (PASS, protein-altering)",
        "note": "AMP/ASCO/CAP tiers (Li et al. 2017) from MOAlmanac, CIViC and cancer hotspots."
        + (" Tumor-only: germline not excluded." if tumor_only else ""),
        "columns": list(VARIANT_COLUMNS),
        "rows": [_variant_row(variants[vid], t.label, t.why) for vid, t in tiered.ranked()],
    }


def therapy_evidence_section(lines: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "therapy-evidence",
        "title": "Evidence behind the therapy lines",
        "columns": list(THERAPY_EVIDENCE_COLUMNS),
        "rows": [
            [
                ln["therapy"],
                e["source"],
                e["source_version"],
                e["id"],
                e["level"],
                e["disease"],
                e["therapy"],
                e["significance"],
            ]
            for ln in lines
            for e in ln["evidence"]
        ],
    }


def sections(
    card: dict[str, dict[str, Any]],
    lines: Sequence[dict[str, Any]],
    tiered: TieredVariants,
    variants: dict[str, SomaticVariant],
    tumor_only: bool,
) -> list[dict[str, Any]]:
    return [
        biomarker_card_section(card),
        therapy_lines_section(lines),
        somatic_variants_section(tiered, variants, tumor_only),
        therapy_evidence_section(lines),
    ]
