"""Sample QC from fastp JSON, samtools stats, samtools markdup and mosdepth outputs."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from bigmed.intake.coverage import read_mosdepth_mean


@dataclass
class SampleQC:
    sample: str
    reads: int = 0  # read count before trimming, both mates
    reads_after_trimming: int = 0
    mapped_fraction: float = 0.0
    duplicate_fraction: float = 0.0
    mean_coverage: float = 0.0
    fraction_target_at_min_depth: float = 0.0  # of the patient's analysed regions
    status: str = "pass"
    reasons: list[str] = field(default_factory=list)


def read_fastp(paths: list[str]) -> tuple[int, int]:
    before = after = 0
    for path in paths:
        with open(path) as handle:
            data = json.load(handle)
        before += int(data["summary"]["before_filtering"]["total_reads"])
        after += int(data["summary"]["after_filtering"]["total_reads"])
    return before, after


def read_samtools_stats(path: str) -> dict[str, float]:
    out: dict[str, float] = {}
    with open(path) as handle:
        for line in handle:
            if line.startswith("SN\t"):
                _, key, value = line.rstrip("\n").split("\t")[:3]
                out[key.rstrip(":")] = float(value)
    return out


# QC thresholds, documented in the README; a sample outside them is flagged, not dropped.
# Each warning says what the user should do about it: a warning nobody acts on is noise.
MIN_MAPPED_FRACTION = 0.90  # below this, contamination or a wrong reference is likely
MAX_DUPLICATE_FRACTION = 0.30  # above this, library complexity limits the usable depth
MIN_TARGET_FRACTION = 0.90  # share of the analysed regions' bases at the assessable depth
NOT_ASSESSABLE = "not assessable"  # a sample without reads (it entered as a VCF)


def sample_qc(
    sample: str,
    fastp: list[str],
    stats: str,
    mosdepth_summary: str,
) -> SampleQC:
    """Read counts, mapped and duplicate shares of one sample. Depth and the status come
    later (:func:`judge`), over the patient's analysed regions, which only the report knows."""
    before, after = read_fastp(fastp)
    sn = read_samtools_stats(stats)
    total = sn.get("raw total sequences", 0.0)
    if not fastp:  # aligned input (BAM/CRAM as it is): no trimming, reads from samtools stats
        before = after = int(total)
    qc = SampleQC(sample, reads=before, reads_after_trimming=after)
    if total:
        qc.mapped_fraction = sn.get("reads mapped", 0.0) / total
        qc.duplicate_fraction = sn.get("reads duplicated", 0.0) / total
    qc.mean_coverage = read_mosdepth_mean(mosdepth_summary)
    if after == 0 or total == 0:
        qc.status, qc.reasons = "fail", ["no reads left after trimming: nothing can be assessed"]
    return qc


def judge(qc: SampleQC, analysed_bases: int, min_depth: int) -> SampleQC:
    """The status of a sample with its depth over the analysed regions already set.

    ``warn`` names each problem with what to do about it; ``fail`` is a sample with no
    usable reads. ``analysed_bases`` 0: no analysed region, so depth is not judged.
    """
    if qc.status in ("fail", NOT_ASSESSABLE):
        return qc
    reasons = []
    if qc.mapped_fraction < MIN_MAPPED_FRACTION:
        reasons.append(
            f"mapped {qc.mapped_fraction:.1%} < {MIN_MAPPED_FRACTION:.0%}: check for "
            "contamination or a wrong reference before relying on the calls"
        )
    if qc.duplicate_fraction > MAX_DUPLICATE_FRACTION:
        reasons.append(
            f"duplicates {qc.duplicate_fraction:.1%} > {MAX_DUPLICATE_FRACTION:.0%}: low "
            "library complexity; consider a new library"
        )
    if analysed_bases and qc.fraction_target_at_min_depth < MIN_TARGET_FRACTION:
        reasons.append(
            f"{qc.fraction_target_at_min_depth:.1%} of the analysed regions at >= {min_depth}x "
            f"< {MIN_TARGET_FRACTION:.0%}: what is below is listed as not assessable; "
            "re-sequence or test those regions another way"
        )
    qc.reasons = reasons
    qc.status = "warn" if reasons else "pass"
    return qc
