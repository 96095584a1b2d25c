"""Lynch syndrome: the tumor's mismatch-repair status read with the germline MMR result.

Universal screening of colorectal cancers (NCCN, ESMO) tests the tumor for microsatellite
instability (MSI) or loss of MMR proteins by immunohistochemistry (IHC). What follows:

- MSI-H or dMMR with a germline pathogenic / likely pathogenic MMR variant (MLH1, MSH2,
  MSH6, PMS2): *consistent with Lynch syndrome*.
- MSI-H or dMMR without one: the usual next steps, MLH1 promoter methylation testing (with
  BRAF V600E, which points to a sporadic methylated tumor) and, if unmethylated, tumor
  testing for double somatic MMR hits; germline testing for what this test cannot detect.
- A germline MMR variant with a stable tumor, or a tumor MSI that could not be evaluated:
  said as such, with the test that would settle it.

MSI comes from the biomarker card; IHC is the lab's result, given per patient in
``crc.mmr_ihc`` (this pipeline does not measure protein).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from bigmed.pilots.crc.germline import LYNCH_GENES, GermlineResult

NEXT_UNEXPLAINED = (
    "MLH1 promoter methylation testing of the tumor (where MLH1/PMS2 are lost or MSI-H){braf}; "
    "if unmethylated, tumor testing for double somatic MMR hits (two somatic variants, or one "
    "with loss of heterozygosity); germline MMR testing for what this test does not detect "
    "(exon deletions and duplications, EPCAM 3' deletions, the MSH2 inversion)"
)
NEXT_CARRIER = (
    "genetic counselling; confirm the variant in an independent germline sample; cascade "
    "testing of relatives; Lynch syndrome surveillance"
)
UNIVERSAL = "MSI or MMR immunohistochemistry of the tumor (universal Lynch screening)"


MMR_COLUMNS = [
    "Tumor",
    "MMR immunohistochemistry",
    "Germline MMR genes",
    "Interpretation",
    "Next steps",
]


@dataclass(frozen=True)
class MmrAssessment:
    """One row of the MSI/MMR section and the short note a Lynch finding carries."""

    tumor: str
    ihc: str
    germline: str
    interpretation: str
    next_steps: str
    finding_note: str = ""

    @property
    def mentions_lynch(self) -> bool:
        return "Lynch" in self.interpretation


def _tumor(msi: Mapping[str, Any], ihc: str | None) -> tuple[str, bool, bool]:
    """(text, unstable: MSI-H or dMMR, known: the tumor's status is measured)."""
    status = msi.get("status")
    if status == "positive":
        text = "MSI-H"
    elif status == "negative":
        text = "microsatellite stable"
    else:
        text = f"MSI not evaluable ({msi.get('reason') or 'no reason given'})"
    unstable = status == "positive" or ihc == "deficient"
    if ihc == "deficient" and status != "positive":
        text = f"dMMR by immunohistochemistry; {text}"
    return text, unstable, status in ("positive", "negative") or ihc is not None


def _germline(res: GermlineResult) -> str:
    if not res.analysed:
        return f"not analysed ({res.settings.reason_off or 'crc.germline_findings is off'})"
    found = res.lynch_findings()
    if found:
        return "; ".join(
            f"{f['gene']} {f.get('hgvs_p') or f.get('hgvs_c')} ({f['classification']})"
            for f in found
        )
    short = res.lynch_genes_short()
    text = f"no P/LP variant in {', '.join(LYNCH_GENES)}"
    return text + (f" (not fully covered: {', '.join(short)})" if short else "")


def _carrier_case(tumor: str, unstable: bool, known: bool, res: GermlineResult) -> MmrAssessment:
    """A germline P/LP MMR variant: consistent with Lynch syndrome, or what would settle it."""
    germ = _germline(res)
    cond = " if germline (tumor-only analysis)" if res.settings.tumor_only else ""
    if unstable:
        return MmrAssessment(
            tumor, "", germ,
            f"Consistent with Lynch syndrome{cond}: {tumor} tumor with a germline pathogenic "
            f"or likely pathogenic mismatch-repair variant ({germ}).",
            NEXT_CARRIER, f"consistent with Lynch syndrome ({tumor} tumor){cond}",
        )  # fmt: skip
    if known:
        return MmrAssessment(
            tumor, "", germ,
            f"Germline pathogenic mismatch-repair variant ({germ}): Lynch syndrome{cond}; this "
            "tumor is microsatellite stable and may not be Lynch-associated.",
            NEXT_CARRIER + "; MMR immunohistochemistry of the tumor",
            f"Lynch syndrome{cond}; the tumor is microsatellite stable",
        )  # fmt: skip
    return MmrAssessment(
        tumor, "", germ,
        f"Germline pathogenic mismatch-repair variant ({germ}): Lynch syndrome{cond}; the "
        f"tumor's status could not be measured here ({tumor}).",
        f"{UNIVERSAL}; {NEXT_CARRIER}", f"Lynch syndrome{cond}; tumor MSI not evaluable",
    )  # fmt: skip


def _braf_text(braf_status: str | None) -> str:
    if braf_status == "positive":
        return " — BRAF V600E is present here, which points to a sporadic MLH1-methylated tumor"
    return ""


def assess(
    msi: Mapping[str, Any],
    ihc: str | None,
    res: GermlineResult,
    braf_status: str | None = None,
) -> MmrAssessment:
    """The Lynch syndrome reading of this patient (see the module docstring)."""
    tumor, unstable, known = _tumor(msi, ihc)
    ihc_text = ihc or "not given (crc.mmr_ihc)"
    if res.lynch_findings():
        return replace(_carrier_case(tumor, unstable, known, res), ihc=ihc_text)
    germ = _germline(res)
    if unstable:
        reason = (
            "without a germline pathogenic or likely pathogenic mismatch-repair variant in "
            "the analysed genes: Lynch syndrome is not shown by this test"
            if res.analysed
            else "germline not analysed here"
        )
        return MmrAssessment(
            tumor, ihc_text, germ, f"{tumor} tumor {reason}.",
            NEXT_UNEXPLAINED.format(braf=_braf_text(braf_status)),
        )  # fmt: skip
    if known:
        return MmrAssessment(tumor, ihc_text, germ, f"{tumor} tumor; germline MMR: {germ}.", "")
    return MmrAssessment(tumor, ihc_text, germ, f"Tumor {tumor}; germline MMR: {germ}.", UNIVERSAL)


def mmr_section(a: MmrAssessment) -> dict[str, Any]:
    return {
        "id": "mmr-lynch",
        "title": "Tumor MSI/MMR and germline mismatch-repair genes (Lynch syndrome)",
        "note": "Universal Lynch screening of colorectal cancers (NCCN, ESMO): MSI from the "
        "biomarker card; MMR immunohistochemistry is the lab's result (crc.mmr_ihc), not "
        "measured by this pipeline.",
        "columns": list(MMR_COLUMNS),
        "rows": [[a.tumor, a.ihc, a.germline, a.interpretation, a.next_steps]],
    }
