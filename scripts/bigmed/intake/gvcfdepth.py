"""Coverage from a germline gVCF, for a patient who entered without reads.

A gVCF (GATK HaplotypeCaller ``-ERC GVCF``, DRAGEN, DeepVariant, Strelka2, freebayes
``--gvcf``, bcftools ``call -g``) states the depth at every base it covers: reference
blocks (``<NON_REF>``/``<*>``/``.`` ALT, ``END``) carry the block's minimum depth
(``MIN_DP``; else the block's ``DP``) and variant records their ``DP``. That is what the
report would otherwise have to call "no reads": :func:`exon_depth` turns it into the form
of mosdepth's ``thresholds.bed.gz`` over the coding exons (bases at >= each threshold per
exon), with one more column, the exon's bases inside any gVCF record, so that bases no
record covers stay "not assessable (no gVCF block)" rather than reading as depth 0.

A VCF without reference blocks (not a gVCF; :func:`is_gvcf` decides at start) says
nothing of the bases it has no record for: its patient's coverage stays "no reads".
A block's MIN_DP is a lower bound of the depth over the block, so "covered at >= N" from
it is conservative; what a block does not give (mapping quality of the reads, duplicates)
is not assessed, and the report says the coverage came from the gVCF, not from reads.
"""

from __future__ import annotations

import gzip
import zlib
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from bigmed.base.textio import open_text
from bigmed.intake import vcfrecords as rec
from bigmed.intake.vcfimport import Placement, allele_depths, vcf_records
from bigmed.intake.vcfinput import NO_READS, CallSet, read_header

BLOCK_COLUMN = "in_gvcf_block"
SNIFF_RECORDS = 5000  # a gVCF has a reference block among its first records
NO_BLOCK = "not assessable (no gVCF block)"
EXONS_SHOWN = 12  # exons named in the not-assessable item, then a count


@dataclass(frozen=True)
class Interval:
    """Depth over [start, end) (0-based, reference coordinates) from one gVCF record."""

    chrom: str
    start: int
    end: int
    depth: int


@dataclass
class DepthStats:
    """What the records gave, by where the depth came from (for the rule's log)."""

    blocks: int = 0  # reference-block records
    by_field: Counter[str] = field(default_factory=Counter)
    no_depth: int = 0  # records without any depth for the sample
    outside: int = 0  # records outside every reference contig or slice

    def lines(self) -> list[str]:
        return [
            f"{self.blocks} gVCF reference blocks",
            *(f"{n} records with depth from {k}" for k, n in sorted(self.by_field.items())),
            f"{self.no_depth} records without a depth for the sample (no coverage from them)",
            f"{self.outside} records outside every reference contig or slice",
        ]


def _info(text: str) -> dict[str, str]:
    return dict(kv.partition("=")[::2] for kv in text.split(";") if kv and kv != ".")


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def record_depth(cols: Sequence[str], column: int) -> tuple[int, int, str, bool] | None:
    """(span, depth, field it came from, is a reference block) of one record for the
    sample in ``column`` (0-based among the sample columns); None without a depth.

    Blocks: FORMAT MIN_DP, else FORMAT DP; INFO MIN_DP (bcftools writes it there: the
    minimum over the block and all samples, a lower bound for each) where it is lower or
    the only one. Variant records: FORMAT DP, else the sum of the allelic depths."""
    alts = cols[4].split(",")
    block = all(a in rec.NON_REF_ALLELES or a == "." for a in alts)
    info = _info(cols[7])
    end = _int(info.get("END")) if block else None
    span = end - int(cols[1]) + 1 if end is not None else len(cols[3])
    keys = cols[8].split(":") if len(cols) > 9 + column else []
    values = cols[9 + column].split(":") if keys else []
    fmt = {k: v for k, v in zip(keys, values, strict=False) if v not in (".", "")}
    found = _block_depth(fmt, info) if block else _variant_depth(fmt, cols[3], alts)
    if found is None or span < 1:
        return None
    return span, found[0], found[1], block


def _block_depth(fmt: dict[str, str], info: dict[str, str]) -> tuple[int, str] | None:
    found: tuple[int, str] | None = None
    for value, name in ((fmt.get("MIN_DP"), "MIN_DP"), (fmt.get("DP"), "DP")):
        depth = _int(value)
        if depth is not None:
            found = (depth, name)
            break
    floor = _int(info.get("MIN_DP"))
    if floor is not None and (found is None or floor < found[0]):
        return floor, "INFO/MIN_DP"
    return found


def _variant_depth(fmt: dict[str, str], ref: str, alts: list[str]) -> tuple[int, str] | None:
    if _int(fmt.get("DP")) is not None:
        return int(fmt["DP"]), "DP"
    ad = allele_depths(fmt, ref, alts)  # <NON_REF> has its AD count too
    return (sum(ad), "AD") if ad is not None else None


def _spans(place: Placement, chrom: str, pos: int, span: int) -> Iterator[tuple[str, int, int]]:
    """(reference contig, start, end) 0-based half-open of GRCh38 chrom:pos..pos+span-1:
    a block is clipped to each slice it overlaps (with a contig map) or to the contig."""
    name = place.chrom(chrom)
    last = pos + span - 1
    if place.by_chrom is None:
        length = place.ref_contigs.get(name)
        if length is not None and pos <= length:
            yield name, pos - 1, min(last, length)
        return
    for sl in place.by_chrom.get(name, []):
        start, end = max(pos, sl.start), min(last, sl.end)
        if start <= end:
            yield sl.contig, start - sl.start, end - sl.start + 1


def intervals(
    callset: CallSet, sample: str, place: Placement, stats: DepthStats
) -> Iterator[Interval]:
    """The depth intervals of the sheet's ``sample`` from every VCF of the germline call
    set that has it (a VCF without the sample gives none)."""
    for vcf in callset.vcfs:
        header = read_header(vcf)
        ids = [callset.sheet_id(n) for n in header.samples]
        if sample not in ids:
            continue
        column = ids.index(sample)
        for cols in vcf_records(vcf):
            found = record_depth(cols, column)
            if found is None:
                stats.no_depth += 1
                continue
            span, depth, name, block = found
            stats.blocks += block
            stats.by_field[name] += 1
            placed = list(_spans(place, cols[0], int(cols[1]), span))
            stats.outside += not placed
            for contig, start, end in placed:
                yield Interval(contig, start, end, depth)


@dataclass(frozen=True)
class Exon:
    chrom: str
    start: int
    end: int
    name: str


def read_exons(path: str) -> list[Exon]:
    """The coding exons BED (results/reference/coding_exons.bed), in file order."""
    out = []
    with open_text(path, errors="strict") as handle:
        for line in handle:
            f = line.rstrip("\n").split("\t")
            if len(f) >= 4 and not line.startswith("#"):
                out.append(Exon(f[0], int(f[1]), int(f[2]), f[3]))
    return out


class ExonDepth:
    """Per-base depth over the exons (-1: no gVCF record there); the deepest record wins
    where records overlap (a deletion's record and the block after it)."""

    def __init__(self, exons: list[Exon]) -> None:
        self.exons = exons
        self.depth: list[npt.NDArray[np.int32]] = [
            np.full(e.end - e.start, -1, dtype=np.int32) for e in exons
        ]
        self._by_chrom: dict[str, list[int]] = {}
        for i in sorted(range(len(exons)), key=lambda k: exons[k].start):
            self._by_chrom.setdefault(exons[i].chrom, []).append(i)
        self._starts = {c: [exons[i].start for i in ix] for c, ix in self._by_chrom.items()}
        self._longest = max((e.end - e.start for e in exons), default=0)

    def add(self, iv: Interval) -> None:
        index = self._by_chrom.get(iv.chrom)
        if not index:
            return
        starts = self._starts[iv.chrom]
        lo = bisect_left(starts, iv.start - self._longest)
        for k in index[lo : bisect_right(starts, iv.end - 1)]:
            e = self.exons[k]
            a, b = max(iv.start, e.start) - e.start, min(iv.end, e.end) - e.start
            if a < b:
                view = self.depth[k][a:b]
                np.maximum(view, iv.depth, out=view)

    def rows(self, thresholds: Sequence[int]) -> Iterator[list[object]]:
        """chrom, start, end, name, bases at >= each threshold, bases in a gVCF record."""
        for e, d in zip(self.exons, self.depth, strict=True):
            counts = [int(np.count_nonzero(d >= t)) for t in thresholds]
            yield [e.chrom, e.start, e.end, e.name, *counts, int(np.count_nonzero(d >= 0))]


def exon_depth(
    callset: CallSet,
    sample: str,
    place: Placement,
    exons_bed: str,
    thresholds: Sequence[int],
    out: str,
) -> DepthStats:
    """Write ``out`` (gzip): the exons' thresholds table from the sample's gVCF records
    (every exon in it; a base no record covers is in no column)."""
    stats = DepthStats()
    table = ExonDepth(read_exons(exons_bed))
    for iv in intervals(callset, sample, place, stats):
        table.add(iv)
    with gzip.open(out, "wt") as handle:
        cols = ["#chrom", "start", "end", "region", *(f"{t}X" for t in thresholds)]
        handle.write("\t".join([*cols, BLOCK_COLUMN]) + "\n")
        for row in table.rows(thresholds):
            handle.write("\t".join(map(str, row)) + "\n")
    return stats


def is_gvcf(vcfs: Sequence[str]) -> bool:
    """Whether a call set is a gVCF: a reference block among the first
    :data:`SNIFF_RECORDS` records of one of its VCFs: only ``<NON_REF>``/``<*>``/``.`` ALT
    and an ``END`` (without one, a ``.`` site is a plain VCF's monomorphic record and
    ``<*>`` the raw likelihoods of ``bcftools mpileup``). A file that cannot be read that
    far is left to the import, which says what is wrong with it."""
    for path in vcfs:
        try:
            with open_text(path, errors="replace") as handle:
                if _has_block(handle):
                    return True
        except (OSError, EOFError, zlib.error):
            continue
    return False


def _has_block(lines: Iterable[str]) -> bool:
    seen = 0
    for line in lines:
        if line.startswith("#") or not line.strip():
            continue
        cols = line.split("\t", 9)
        alts = cols[4].split(",") if len(cols) > 7 else ["A"]
        if all(a in rec.NON_REF_ALLELES or a == "." for a in alts) and "END" in _info(cols[7]):
            return True
        seen += 1
        if seen >= SNIFF_RECORDS:
            break
    return False


@dataclass(frozen=True)
class Summary:
    """A gVCF sample's coding exons in the targets: their bases, those at >= the minimum
    depth, and (exon name, bases in no gVCF record, exon bases) of each exon that has
    such bases."""

    bases: int
    covered: int
    outside: list[tuple[str, int, int]]
    gene_bases: dict[str, int] = field(default_factory=dict)  # coding bases per gene


def _read_targets(path: str) -> dict[str, list[tuple[int, int]]]:
    targets: dict[str, list[tuple[int, int]]] = {}
    with open_text(path, errors="strict") as handle:
        for line in handle:
            f = line.rstrip("\n").split("\t")
            if len(f) >= 3 and f[1].isdigit() and f[2].isdigit():
                targets.setdefault(f[0], []).append((int(f[1]), int(f[2])))
    return targets


def summarise(path: str, targets_bed: str, min_depth: int) -> Summary:
    """The :class:`Summary` of a file of :func:`exon_depth` over the exons that overlap
    the targets (the exons the report's coverage section counts)."""
    targets = _read_targets(targets_bed)
    bases = covered = 0
    outside = []
    genes: Counter[str] = Counter()
    with open_text(path, errors="strict") as handle:
        header = handle.readline().lstrip("#").rstrip("\n").split("\t")
        at, inside = header.index(f"{min_depth}X"), header.index(BLOCK_COLUMN)
        for line in handle:
            f = line.rstrip("\n").split("\t")
            s, e = int(f[1]), int(f[2])
            if not any(ts < e and s < te for ts, te in targets.get(f[0], [])):
                continue
            bases += e - s
            genes[f[3].split(":")[0]] += e - s
            covered += int(f[at])
            if e - s > int(f[inside]):
                outside.append((f[3], e - s - int(f[inside]), e - s))
    return Summary(bases, covered, outside, dict(genes))


def coverage_items(sample: str, summary: Summary, min_depth: int) -> list[dict[str, str]]:
    """The report's not-assessable rows of a sample whose coverage came from its gVCF:
    no read QC; where the coverage came from, and what it covers; then what no gVCF
    record covers: the exons partly outside every record (named), and the genes with no
    record at all (a gVCF of some regions only leaves most genes there)."""
    items = [
        {"what": f"sample {sample}: read QC", "reason": NO_READS},
        {
            "what": f"sample {sample}: coverage of coding exons",
            "reason": f"from the gVCF, not reads: covered at >= {min_depth}x in "
            f"{summary.covered} of {summary.bases} coding bases (from gVCF reference blocks, "
            "MIN_DP; else DP; variant records, DP); the rest is a gap or in no gVCF block",
        },
    ]
    missing: Counter[str] = Counter()
    for name, k, _ in summary.outside:
        missing[name.split(":")[0]] += k
    partly = [r for r in summary.outside if r[1] < r[2]]
    if partly:
        names = [f"{n} ({k} of {n_bp} bp)" for n, k, n_bp in partly]
        items.append(
            {
                "what": f"sample {sample}: {len(partly)} coding exon(s) partly in no gVCF "
                f"record: {_listed(names)}",
                "reason": NO_BLOCK,
            }
        )
    wholly = [g for g, k in missing.items() if k == summary.gene_bases.get(g)]
    if wholly:
        items.append(
            {
                "what": f"sample {sample}: {len(wholly)} gene(s) with no coding base in any "
                f"gVCF record ({sum(missing[g] for g in wholly)} bases): {_listed(wholly)}",
                "reason": NO_BLOCK,
            }
        )
    rest = [r for r in summary.outside if r[1] == r[2] and r[0].split(":")[0] not in wholly]
    if rest:
        items.append(
            {
                "what": f"sample {sample}: {len(rest)} further coding exon(s) in no gVCF "
                f"record: {_listed([n for n, _, _ in rest])}",
                "reason": NO_BLOCK,
            }
        )
    return items


def _listed(names: Sequence[str]) -> str:
    shown = ", ".join(names[:EXONS_SHOWN])
    return shown + (f" and {len(names) - EXONS_SHOWN} more" if len(names) > EXONS_SHOWN else "")
