"""variants.tsv and coverage_gaps.tsv: the report's long tables for spreadsheets and scripts
(the page summarises them; report.json has them too)."""

from __future__ import annotations

from typing import Any

TSV_COLUMNS = [
    "id",
    "chrom",
    "pos",
    "ref",
    "alt",
    "filter",
    "qual",
    "gene",
    "transcript",
    "mane_select",
    "consequence",
    "hgvs_c",
    "hgvs_p",
    "classification",
    "rank",
    "genotypes",
    "origin",
]


def _genotypes(v: dict[str, Any]) -> str:
    """``sample=GT:DP`` of every sample, ';'-separated (``.`` for an unknown depth)."""
    return ";".join(
        f"{s}={g['gt']}:{g['dp'] if g['dp'] is not None else '.'}"
        for s, g in v["genotypes"].items()
    )


def _cell(v: dict[str, Any], col: str) -> str:
    """One cell; a tab inside a value becomes a space so that every row keeps its columns."""
    if col == "genotypes":
        value = _genotypes(v)
    else:
        x = v.get(col)
        value = "" if x is None else str(x)
    return value.replace("\t", " ")


def variants_tsv(report: dict[str, Any]) -> str:
    """The whole TSV text: header line, then one line per variant."""
    lines = ["\t".join(TSV_COLUMNS)]
    lines += ["\t".join(_cell(v, col) for col in TSV_COLUMNS) for v in report["variants"]]
    return "\n".join(lines) + "\n"


GAP_COLUMNS = ["gene", "transcript", "exon", "chrom", "start", "end", "fraction_at_min_depth"]


def gaps_tsv(report: dict[str, Any]) -> str:
    """Every exon below the depth threshold (GRCh38, 1-based inclusive), in report order."""
    lines = ["\t".join(GAP_COLUMNS)]
    lines += [
        "\t".join(str(g[c]).replace("\t", " ") for c in GAP_COLUMNS)
        for g in report["coverage"]["gaps"]
    ]
    return "\n".join(lines) + "\n"
