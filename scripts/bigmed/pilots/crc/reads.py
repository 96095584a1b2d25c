"""The crc pilot's one read filter, and the tumor depth it gives at given positions.

Every read-level measure of the pilot (codon depth behind a negative biomarker, repeat
lengths behind MSI) counts the same reads: mapped, primary, not a duplicate, not QC-failed,
at or above the calling MAPQ. The somatic candidates come from ``bcftools mpileup`` with the
same MAPQ/BQ thresholds (rules/call_somatic.smk).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pysam

DepthFn = Callable[[str, Sequence[int]], list[int]]  # contig, 1-based positions -> depths


def usable_read(read: pysam.AlignedSegment, min_mapq: int) -> bool:
    """A read the pilot counts: mapped, primary, not duplicate or QC-failed, MAPQ >= min."""
    return not (
        read.is_unmapped
        or read.is_secondary
        or read.is_supplementary
        or read.is_duplicate
        or read.is_qcfail
        or read.mapping_quality < min_mapq
    )


def bam_depth_fn(bam_path: str, min_mapq: int, min_baseq: int) -> DepthFn:
    """Depth at positions over :func:`usable_read` reads and bases at or above min_baseq."""

    def keep(read: pysam.AlignedSegment) -> bool:
        return usable_read(read, min_mapq)

    def depth(contig: str, positions: Sequence[int]) -> list[int]:
        if not positions:
            return []
        with pysam.AlignmentFile(bam_path) as bam:
            if contig not in bam.references:
                return [0] * len(positions)
            lo, hi = min(positions), max(positions)
            cov = bam.count_coverage(
                contig, lo - 1, hi, quality_threshold=min_baseq, read_callback=keep
            )
            return [int(sum(c[p - lo] for c in cov)) for p in positions]

    return depth
