"""The mosdepth readers: one copy of each, for every pilot and the report.

- ``*.mosdepth.summary.txt``: :func:`read_mosdepth_mean`
- ``*.regions.bed.gz`` (``--by`` a BED with names): :func:`read_regions`
- ``*.thresholds.bed.gz``: :func:`read_thresholds`

Exon names in the panel BEDs are ``GENE:TRANSCRIPT:exonN``.
"""

from __future__ import annotations

from typing import NamedTuple

from bigmed.base.textio import open_text


class RegionDepth(NamedTuple):
    """One row of a mosdepth ``regions.bed.gz``: 0-based half-open interval, mean depth."""

    chrom: str
    start: int
    end: int
    name: str
    depth: float


def read_regions(path: str) -> list[RegionDepth]:
    """Rows of a mosdepth ``regions.bed.gz``; the name is empty when the BED had none."""
    out = []
    with open_text(path, errors="strict") as handle:
        for line in handle:
            f = line.rstrip("\n").split("\t")
            if len(f) < 4:
                continue
            name = f[3] if len(f) >= 5 else ""
            out.append(RegionDepth(f[0], int(f[1]), int(f[2]), name, float(f[-1])))
    return out


def read_mosdepth_mean(path: str) -> float:
    """Mean depth over the target regions (the *_region row), else over the whole genome."""
    total = region = None
    with open_text(path, errors="strict") as handle:
        for line in handle:
            cols = line.rstrip("\n").split("\t")
            if cols[0] == "total_region":
                region = float(cols[3])
            elif cols[0] == "total":
                total = float(cols[3])
    value = region if region is not None else total
    return value or 0.0


def read_thresholds(path: str, min_depth: int) -> list[tuple[str, int, int, str, int]]:
    """Rows of a mosdepth thresholds.bed.gz: (chrom, start, end, name, bases >= min_depth)."""
    rows = []
    with open_text(path, errors="strict") as handle:
        header = handle.readline().lstrip("#").rstrip("\n").split("\t")
        col = header.index(f"{min_depth}X")
        for line in handle:
            cols = line.rstrip("\n").split("\t")
            rows.append((cols[0], int(cols[1]), int(cols[2]), cols[3], int(cols[col])))
    return rows


def fraction_at_depth(rows: list[tuple[str, int, int, str, int]]) -> float:
    total = sum(e - s for _, s, e, _, _ in rows)
    return sum(n for *_, n in rows) / total if total else 0.0
