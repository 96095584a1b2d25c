"""bigmed's own MultiQC sections (custom content ``*_mqc.tsv``), written from the reports:
each sample's QC status over its patient's analysed regions, and per patient the coverage
of those regions. ``workflow/multiqc/multiqc_config.yaml`` names and describes them."""

from __future__ import annotations

from typing import Any

SAMPLE_COLUMNS = [
    "Sample", "patient", "role", "status", "mapped %", "duplicates %",
    "analysed regions at min depth %", "mean depth (analysed regions)", "reasons",
]  # fmt: skip
COVERAGE_COLUMNS = [
    "Sample", "patient", "pilot", "analysed genes", "analysed bases",
    "genes fully assessable", "exons below min depth", "min depth",
]  # fmt: skip


def _clean(x: Any) -> str:
    return str(x).replace("\t", " ").replace("\n", " ")


def _table(rows: list[list[Any]], columns: list[str]) -> str:
    lines = ["\t".join(columns)] + ["\t".join(_clean(c) for c in r) for r in rows]
    return "\n".join(lines) + "\n"


def sample_checks_tsv(reports: list[dict[str, Any]]) -> str:
    """One row per sample of the batch, in patient then sheet order."""
    rows = []
    for r in sorted(reports, key=lambda x: x["patient"]):
        for s in r["samples"]:
            q = s["qc"]
            rows.append(
                [s["sample"], r["patient"], s["role"], q["status"],
                 round(100 * q["mapped_fraction"], 1), round(100 * q["duplicate_fraction"], 1),
                 round(100 * q["fraction_target_at_min_depth"], 1), q["mean_coverage"],
                 "; ".join(q["reasons"]) or "-"]
            )  # fmt: skip
    return _table(rows, SAMPLE_COLUMNS)


def coverage_tsv(reports: list[dict[str, Any]]) -> str:
    """One row per patient: its analysed regions and how much of them is assessable."""
    rows = []
    for r in sorted(reports, key=lambda x: x["patient"]):
        cov, reg = r["coverage"], r.get("analysed_regions") or {}
        full = sum(1 for g in cov["genes"] if g["status"] == "assessable")
        rows.append(
            [cov.get("sample") or r["patient"], r["patient"], r["pilot"], reg.get("genes", 0),
             reg.get("bases", 0), f"{full} of {len(cov['genes'])}", len(cov["gaps"]),
             cov["min_depth"]]
        )  # fmt: skip
    return _table(rows, COVERAGE_COLUMNS)
