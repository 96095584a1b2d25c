"""The report sections of a crc interpretation: therapy lines, the tiered somatic variants,
the germline tables and the evidence behind the therapy lines (columns and rows as the
report renders them; the biomarker card is the document's ``biomarkers``, shown once, with
:func:`biomarker_note`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bigmed.pilots.crc.biomarkers import CrcInputs
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
    "Citation",
]


def _ev_text(ev: Sequence[dict[str, Any]], n: int = 3) -> str:
    return "; ".join(
        f"{e['source']} {e['id']} level {e['level']} ({e['source_level']})" for e in ev[:n]
    )


FOCUS_GENES = ("KRAS", "NRAS", "BRAF", "PIK3CA", "ERBB2", "POLE")  # the biomarker card's genes


def biomarker_note(inp: CrcInputs) -> str:
    """What "negative" means on the biomarker card (the limit of detection), and the purity
    the allele fractions are read against."""
    depth = max((c.min_depth for c in inp.coverage.values()), default=0)
    vaf = f"{inp.detection_vaf:.0%}" if inp.detection_vaf else "the detection"
    reads = inp.min_alt_reads or "the minimum number of"
    note = (
        f"Limit of detection: KRAS, NRAS, BRAF V600E, PIK3CA and POLE are negative only when "
        f"every base of their codons has >= {depth}x in the tumor, the depth at which a "
        f"variant at {vaf} allele fraction gives >= {reads} supporting reads with 95 % "
        "probability (crc.detection_vaf, somatic.min_alt_reads); below it they are not "
        "evaluable, never negative."
    )
    if inp.purity is None:
        return note + (
            " Tumor purity: unknown (not given in the samples sheet); allele fractions are not "
            "corrected for it, and a low purity lowers a clonal variant's allele fraction "
            "towards the limit of detection."
        )
    return note + f" Tumor purity: {inp.purity:.0%} (samples sheet)."


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


PMID = re.compile(r"PMID:?\s*(\d+)", re.IGNORECASE)


def _link(text: str, url: str | None) -> Any:
    """A cell the report renders as a link (plain text without a web address)."""
    return {"text": text, "href": url} if url and url.startswith("https://") else text


def _citation(e: dict[str, Any]) -> Any:
    """The evidence's citation, linked to PubMed when it names a PMID."""
    text = e.get("citation") or ""
    m = PMID.search(text)
    return _link(text, f"https://pubmed.ncbi.nlm.nih.gov/{m.group(1)}/" if m else None)


def therapy_evidence_section(lines: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": "therapy-evidence",
        "title": "Evidence behind the therapy lines",
        "note": "Each id links to its source (CIViC evidence item, MOAlmanac assertion, FDA "
        "label); citations link to PubMed where they name a PMID.",
        "columns": list(THERAPY_EVIDENCE_COLUMNS),
        "rows": [
            [
                ln["therapy"],
                e["source"],
                e["source_version"],
                _link(e["id"], e.get("url")),
                e["level"],
                e["disease"],
                e["therapy"],
                e["significance"],
                _citation(e),
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
    germline: Sequence[dict[str, Any]] = (),
) -> list[dict[str, Any]]:
    """The tables in report order; ``germline``: the MSI/MMR and germline predisposition
    tables (:mod:`bigmed.pilots.crc.germline`, :mod:`bigmed.pilots.crc.mmr`), after the
    somatic variants."""
    return [
        therapy_lines_section(lines),
        somatic_variants_section(tiered, variants, tumor_only),
        *germline,
        therapy_evidence_section(lines),
    ]
