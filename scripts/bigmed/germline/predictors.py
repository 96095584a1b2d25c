"""In-silico predictor calibrations for PP3/BP4 (and the splicing side of BP7 and BP1).

A score becomes evidence only through a calibration: ClinGen SVI (Pejaver et al. 2022,
Am J Hum Genet 109:2163, Table 2) maps REVEL and CADD scores to PP3/BP4 strengths; the SVI
splicing subgroup (Walker et al. 2023, Am J Hum Genet 110:1046) sets SpliceAI's maximum delta
score at >= 0.2 for PP3 and <= 0.1 for BP4/BP7. AlphaMissense has no calibration here: a user
who wants it supplies one in the ACMG overrides (``defaults.predictors.alphamissense``).

The scores themselves are never shipped (non-commercial licences); :mod:`bigmed.knowledge`
reads the user's files and :mod:`bigmed.germline.acmg` applies the levels below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Level = Literal["very_strong", "strong", "moderate", "supporting"]
LEVELS: tuple[Level, ...] = ("very_strong", "strong", "moderate", "supporting")  # strongest first
MISSENSE_TOOLS = ("revel", "cadd", "alphamissense")  # tried in this order (one tool, not a vote)
SPLICE_TOOL = "spliceai"
LABELS = {
    "revel": "REVEL",
    "cadd": "CADD",
    "alphamissense": "AlphaMissense",
    "spliceai": "SpliceAI",
}


@dataclass(frozen=True)
class Calibration:
    """Score thresholds per strength: PP3 at or above ``pp3[level]``, BP4 at or below
    ``bp4[level]`` (the strongest level whose threshold the score passes)."""

    pp3: Mapping[str, float]
    bp4: Mapping[str, float]
    source: str


CALIBRATIONS: dict[str, Calibration] = {
    "revel": Calibration(
        pp3={"strong": 0.932, "moderate": 0.773, "supporting": 0.644},
        bp4={"very_strong": 0.003, "strong": 0.016, "moderate": 0.183, "supporting": 0.290},
        source="Pejaver et al. 2022 (ClinGen SVI calibration)",
    ),
    "cadd": Calibration(
        pp3={"moderate": 28.1, "supporting": 25.3},
        bp4={"strong": 0.15, "moderate": 17.3, "supporting": 22.7},
        source="Pejaver et al. 2022 (ClinGen SVI calibration)",
    ),
    "spliceai": Calibration(
        pp3={"supporting": 0.2},
        bp4={"supporting": 0.1},
        source="Walker et al. 2023 (ClinGen SVI splicing recommendations)",
    ),
}


@dataclass(frozen=True)
class Call:
    """What one tool's score says: PP3 or BP4 at a level, or neither (indeterminate)."""

    tool: str
    score: float
    code: Literal["PP3", "BP4"] | None
    level: Level | None
    text: str


def call(tool: str, score: float, calib: Calibration) -> Call:
    """The strongest PP3 or BP4 level the score reaches under the calibration."""
    name = LABELS.get(tool, tool)
    for level in LEVELS:
        threshold = calib.pp3.get(level)
        if threshold is not None and score >= threshold:
            return Call(tool, score, "PP3", level, f"{name} {score:.3g} >= {threshold:g}")
    for level in LEVELS:
        threshold = calib.bp4.get(level)
        if threshold is not None and score <= threshold:
            return Call(tool, score, "BP4", level, f"{name} {score:.3g} <= {threshold:g}")
    low = max(calib.bp4.values(), default=None)
    high = min(calib.pp3.values(), default=None)
    return Call(
        tool, score, None, None, f"{name} {score:.3g} between BP4 (<= {low}) and PP3 (>= {high})"
    )


def calibrations(
    overrides: Mapping[str, Mapping[str, Mapping[str, float]]] | None,
) -> dict[str, Calibration]:
    """The shipped calibrations with the user's (ACMG overrides ``defaults.predictors``)."""
    out = dict(CALIBRATIONS)
    for tool, spec in (overrides or {}).items():
        out[tool] = Calibration(
            pp3=dict(spec.get("pp3", {})),
            bp4=dict(spec.get("bp4", {})),
            source="ACMG overrides (defaults.predictors)",
        )
    return out


def missense_tool(
    scores: Mapping[str, float | None], calib: Mapping[str, Calibration]
) -> str | None:
    """The one missense tool used: the first configured and calibrated of REVEL, CADD,
    AlphaMissense (ClinGen recommends a single tool, never a vote of several)."""
    return next((t for t in MISSENSE_TOOLS if t in scores and t in calib), None)
