"""Panel coverage: every padded coding exon of every panel gene at ``min_depth`` in the index.

Each exon below ``min_depth`` (or outside the targets BED), and each panel gene the
reference annotation lacks, is *not assessable*. The figures come out shaped like the
report's ``coverage`` (genes with a status band, exon gaps in GRCh38) so the cardiac
document can replace the report's whole-reference one; the mosdepth rows are read by
:func:`bigmed.intake.coverage.read_thresholds`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bigmed.genome.reference import ContigSlice, to_grch38
from bigmed.intake.coverage import read_thresholds
from bigmed.pilots.cardiac.panels import Panel, PanelGene

# the foundation report's gene status bands (bigmed.report.document.coverage_section)
PARTIAL_FRACTION = 0.9
Targets = Mapping[str, Sequence[tuple[int, int]]]  # contig -> 0-based half-open intervals


@dataclass(frozen=True)
class ExonDepth:
    contig: str
    start0: int  # padded coding exon, 0-based half-open (mosdepth region)
    end: int
    gene: str
    transcript: str
    exon: str
    covered: int  # bases at >= min_depth

    @property
    def length(self) -> int:
        return self.end - self.start0

    @property
    def rank(self) -> int:
        """The exon's number (exonN), for listing a gene's exons in order."""
        return int(self.exon.removeprefix("exon") or 0)


def read_exon_depths(path: str, min_depth: int) -> list[ExonDepth]:
    """Rows of a mosdepth ``exons.thresholds.bed.gz`` (names GENE:TRANSCRIPT:exonN)."""
    out = []
    for contig, s, e, name, covered in read_thresholds(path, min_depth):
        gene, tx, exon = name.split(":")
        out.append(ExonDepth(contig, s, e, gene, tx, exon, covered))
    return out


def in_assessed_region(
    contig: str, pos: int, length: int, exons: Sequence[ExonDepth], gene: str
) -> bool:
    """Does the allele touch a padded coding exon of the gene?"""
    return any(
        ex.gene == gene and ex.contig == contig and ex.start0 < pos + length - 1 and pos <= ex.end
        for ex in exons
    )


@dataclass(frozen=True)
class CoverageScope:
    """What the coverage is measured against, and whose it is."""

    annotated: Mapping[str, str]  # gene -> preferred transcript of the reference annotation
    targets: Targets | None  # None: the whole reference
    cmap: Mapping[str, ContigSlice] | None
    min_depth: int
    sample: str


@dataclass
class GeneCoverage:
    """One panel gene's coverage: its report entries and its totals."""

    symbol: str
    entry: dict[str, Any]  # an item of coverage.genes
    row: list[Any]  # a row of the panel section
    gaps: list[dict[str, Any]] = field(default_factory=list)
    # (sort level, item): a whole gene 0.0, an exon 1.0 + its covered fraction
    not_assessable: list[tuple[float, dict[str, str]]] = field(default_factory=list)
    bases: int = 0  # padded coding bases (0: the gene has no coverage row)
    covered: int = 0  # of them at >= min_depth, within the targets
    exons: int = 0
    complete: int = 0  # exons with every base at >= min_depth


def panel_coverage(
    panel: Panel,
    exons: Sequence[ExonDepth],
    *,
    annotated: Mapping[str, str],
    targets: Targets | None,
    cmap: Mapping[str, ContigSlice] | None,
    min_depth: int,
    padding: int,
    sample: str,
) -> dict[str, Any]:
    """Panel coverage: report-shaped ``coverage``, ``summary``, ``not_assessable``, ``rows``.

    ``annotated``: gene -> preferred transcript of the reference annotation; ``targets``:
    contig -> 0-based intervals (None: the whole reference).
    """
    scope = CoverageScope(annotated, targets, cmap, min_depth, sample)
    by_gene: dict[str, list[ExonDepth]] = {}
    for ex in exons:
        if ex.gene in panel.genes:
            by_gene.setdefault(ex.gene, []).append(ex)
    symbols = sorted(panel.genes, key=lambda g: (panel.genes[g].secondary, g))
    genes = {g: gene_coverage(panel.genes[g], by_gene.get(g, []), scope) for g in symbols}
    # the diagnostic panel's figures; the secondary-findings genes apart
    summary = {"sample": sample, **tally([genes[g] for g in panel.diagnostic_genes])}
    if panel.sf_genes:
        summary["secondary_findings"] = tally([genes[g] for g in panel.sf_genes])
    coverage = {
        "min_depth": min_depth,
        "exon_padding": padding,
        "sample": sample,
        "scope": f"panel {panel.name} ({len(panel.genes)} genes)",
        "genes": [gc.entry for gc in genes.values()],
        "gaps": [gap for gc in genes.values() for gap in gc.gaps],
    }
    return {
        "coverage": coverage,
        "summary": summary,
        "not_assessable": _ranked_not_assessable(panel, genes.values()),
        "rows": [gc.row for gc in genes.values()],
    }


def gene_coverage(pg: PanelGene, exons: Sequence[ExonDepth], scope: CoverageScope) -> GeneCoverage:
    """Coverage of one panel gene over its padded coding exons (none: not assessable)."""
    if not exons:
        return _absent_gene(pg, scope)
    tx = exons[0].transcript
    inside = [_in_targets(ex, scope.targets) for ex in exons]
    bases = sum(ex.length for ex in exons)
    covered = sum(ex.covered for ex, ok in zip(exons, inside, strict=True) if ok)
    frac = covered / bases if bases else 0.0
    status = _status(frac)
    gc = GeneCoverage(
        pg.symbol,
        {"gene": pg.symbol, "transcript": tx, "coding_bases": bases,
         "fraction_at_min_depth": round(frac, 4), "status": status},
        [*_gene_info(pg), tx, bases, f"{frac:.1%}", status],
        bases=bases,
        covered=covered,
        exons=len(exons),
    )  # fmt: skip
    ranked = sorted(zip(exons, inside, strict=True), key=lambda p: p[0].rank)
    for ex, ok in ranked:
        ex_frac = ex.covered / ex.length if ok and ex.length else 0.0
        if ex_frac >= 1.0:
            gc.complete += 1
        else:
            _add_exon_gap(gc, pg, tx, ex, ex_frac, ok, scope)
    return gc


def _gene_info(pg: PanelGene) -> list[str]:
    """The panel section's columns gene .. validity."""
    validity = "; ".join(dict.fromkeys(e.validity for e in pg.entries if e.validity))
    return [pg.symbol, ", ".join(pg.lists), pg.diseases, pg.inheritance, pg.mechanism, validity]


def _tag(pg: PanelGene) -> str:
    return " (secondary findings)" if pg.secondary else ""


def _absent_gene(pg: PanelGene, scope: CoverageScope) -> GeneCoverage:
    """A panel gene without coverage rows: not assessable as a whole, never skipped."""
    tx = scope.annotated.get(pg.symbol)
    why = (
        "has coding exons in the annotation but no coverage row (mosdepth)"
        if pg.symbol in scope.annotated
        else "not in the reference annotation (gene absent from the reference or its gene models)"
    )
    return GeneCoverage(
        pg.symbol,
        {"gene": pg.symbol, "transcript": tx, "coding_bases": 0,
         "fraction_at_min_depth": 0.0, "status": "not assessable"},
        [*_gene_info(pg), tx or "-", 0, 0, "not in reference"],
        not_assessable=[
            (0.0, {"what": f"{pg.symbol}{_tag(pg)}: whole gene", "reason": f"{why}: not assessed"})
        ],
    )  # fmt: skip


def _add_exon_gap(
    gc: GeneCoverage,
    pg: PanelGene,
    tx: str,
    ex: ExonDepth,
    ex_frac: float,
    in_targets: bool,
    scope: CoverageScope,
) -> None:
    """An exon below min_depth (or outside the targets): a gap, in GRCh38, not assessable.

    ``tx``: the gene's transcript (that of its first coverage row).
    """
    chrom, start, end = _region(ex, scope.cmap)
    gc.gaps.append(
        {"gene": pg.symbol, "transcript": tx, "exon": ex.exon, "chrom": chrom,
         "start": start, "end": end, "fraction_at_min_depth": round(ex_frac, 4)}
    )  # fmt: skip
    reason = (
        f"{ex_frac:.1%} of its bases at >= {scope.min_depth}x in {scope.sample}: a variant "
        "there may be missed"
        if in_targets
        else "outside the targets BED: not called"
    )
    what = f"{pg.symbol} {ex.exon} ({tx}) {chrom}:{start}-{end}{_tag(pg)}"
    gc.not_assessable.append((1.0 + ex_frac, {"what": what, "reason": reason}))


def _in_targets(ex: ExonDepth, targets: Targets | None) -> bool:
    if targets is None:
        return True
    return any(s < ex.end and ex.start0 < e for s, e in targets.get(ex.contig, ()))


def _status(fraction: float) -> str:
    if fraction >= 1.0:
        return "assessable"
    return "partially assessable" if fraction >= PARTIAL_FRACTION else "not assessable"


def _region(ex: ExonDepth, cmap: Mapping[str, ContigSlice] | None) -> tuple[str, int, int]:
    chrom, start = to_grch38(ex.contig, ex.start0 + 1, cmap)
    _, end = to_grch38(ex.contig, ex.end, cmap)
    return chrom, start, end


def _ranked_not_assessable(panel: Panel, genes: Iterable[GeneCoverage]) -> list[dict[str, str]]:
    """Whole genes first, then exons from the worst covered; secondary-findings genes last.

    The sort is stable: ties keep the genes' order and each gene's exon order.
    """
    items = [
        ((int(panel.genes[gc.symbol].secondary), level), item)
        for gc in genes
        for level, item in gc.not_assessable
    ]
    return [item for _, item in sorted(items, key=lambda p: p[0])]


def tally(genes: Sequence[GeneCoverage]) -> dict[str, Any]:
    """Totals of a set of panel genes (the diagnostic panel, or the secondary-findings genes)."""
    bases = sum(g.bases for g in genes)
    covered = sum(g.covered for g in genes)
    return {
        "genes": len(genes),
        "genes_assessable": sum(1 for g in genes if g.entry["status"] == "assessable"),
        "genes_not_in_reference": [g.symbol for g in genes if g.bases == 0],
        "exons": sum(g.exons for g in genes),
        "exons_assessable": sum(g.complete for g in genes),
        "bases": bases,
        "bases_at_min_depth": covered,
        "fraction_at_min_depth": round(covered / bases, 4) if bases else 0.0,
    }
