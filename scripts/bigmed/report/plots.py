"""Inline SVG plots of the report page: coverage per gene and the VAF histogram.

Inline SVG keeps the page self-contained (its CSP allows no external image); numbers are
formatted here once so the page and its PDF show the same values.
"""

from __future__ import annotations

import html
from typing import Any

E = html.escape


def pct(x: float) -> str:
    """A fraction as a percentage with one decimal, as every table and plot shows it."""
    return f"{100 * x:.1f}%"


def _bar_color(frac: float) -> str:
    """Green when every base is covered, amber from 90%, red below: the gene status bands."""
    return "#2e8b57" if frac >= 1 else ("#d9a400" if frac >= 0.9 else "#c0392b")


def coverage_svg(genes: list[dict[str, Any]], min_depth: int) -> str:
    """Horizontal bars: share of coding bases at min_depth per gene (inline SVG)."""
    if not genes:
        return ""
    bar_h, width, label_w = 14, 420, 90
    height = bar_h * len(genes) + 24
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + width + 60}" '
        f'height="{height}" role="img" aria-label="coverage per gene">'
    ]
    for i, g in enumerate(genes):
        y = i * bar_h + 4
        frac = float(g["fraction_at_min_depth"])
        parts.append(
            f'<text x="{label_w - 4}" y="{y + 10}" font-size="10" text-anchor="end">'
            f"{E(g['gene'])}</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{width * frac:.1f}" height="{bar_h - 3}" '
            f'fill="{_bar_color(frac)}"/>'
        )
        parts.append(
            f'<text x="{label_w + width * frac + 4:.1f}" y="{y + 10}" font-size="10">'
            f"{pct(frac)}</text>"
        )
    parts.append(
        f'<text x="{label_w}" y="{height - 4}" font-size="10">share of coding bases '
        f"at &gt;= {min_depth}x</text></svg>"
    )
    return "".join(parts)


def vaf_svg(vafs: list[float], bins: int = 20) -> str:
    """Histogram of variant allele fractions (inline SVG)."""
    counts = [0] * bins
    for x in vafs:
        counts[min(bins - 1, int(x * bins))] += 1
    top = max(counts) or 1
    w, h, bw = 440, 120, 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + 40}" height="{h + 34}" '
        'role="img" aria-label="VAF histogram">'
    ]
    for i, n in enumerate(counts):
        bh = h * n / top
        parts.append(
            f'<rect x="{30 + i * bw + 1}" y="{h - bh + 4:.1f}" width="{bw - 2}" '
            f'height="{bh:.1f}" fill="#1f3a5f"><title>{i / bins:.2f}-{(i + 1) / bins:.2f}: '
            f"{n}</title></rect>"
        )
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        parts.append(
            f'<text x="{30 + tick * bins * bw:.0f}" y="{h + 18}" font-size="10" '
            f'text-anchor="middle">{tick:g}</text>'
        )
    parts.append(
        f'<text x="2" y="12" font-size="10">{top}</text>'
        f'<text x="{30 + w / 2:.0f}" y="{h + 32}" font-size="10" text-anchor="middle">'
        f"VAF of PASS calls (n={len(vafs)})</text></svg>"
    )
    return "".join(parts)
