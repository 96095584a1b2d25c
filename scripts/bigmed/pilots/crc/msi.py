"""Microsatellite instability from repeat-length distributions (MSIsensor-pro style).

1. :func:`find_microsatellites` scans the reference inside the targets for repeats of a
   1-5 bp unit (mononucleotide >= 10 copies, di- to pentanucleotide >= 5 copies), with
   unique flanks.
2. :func:`repeat_lengths` counts, per site and sample, the repeat length of every read
   that spans the repeat and both flanks: the number of read bases between the last left
   flank base and the first right flank base, read off the alignment (so insertions and
   deletions inside the repeat change it, wherever the aligner placed them).
3. A site is *unstable* when the tumor's lengths differ from the normal's
   (:func:`paired_site`: Pearson chi-square on reads shorter than / at / longer than the
   normal's modal length, p < alpha) and at least ``min_shift`` more tumor reads than normal
   reads are off that mode. Without a normal (:func:`tumor_only_site`), the tumor's off-mode
   fraction is compared with a baseline built from normals (:func:`build_baseline`).
4. :func:`classify`: the share of unstable sites among evaluable ones; MSI-H at or above
   ``threshold`` (20 %, MSIsensor's cut-off for panels), MSS below, "not evaluable" when
   fewer than ``min_sites`` sites have ``min_reads`` spanning reads in every sample used.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import pysam

from bigmed.pilots.crc.reads import usable_read

# unit length -> minimum copies (mono >= 10 and di >= 5 as in MSIsensor's panel defaults)
MIN_COPIES: dict[int, int] = {1: 10, 2: 5, 3: 5, 4: 5, 5: 5}
FLANK = 5  # bases each side that a read must align over (and that must not be repetitive)
MAX_REPEAT_BP = 60  # a 150 bp read must span the repeat and both flanks with room to spare


@dataclass(frozen=True)
class Microsatellite:
    contig: str
    start: int  # 1-based first repeat base
    end: int  # 1-based last repeat base
    unit: str
    copies: int

    @property
    def id(self) -> str:
        return f"{self.contig}:{self.start}:{self.unit}x{self.copies}"

    @property
    def length(self) -> int:
        return self.end - self.start + 1


def _primitive(unit: str) -> bool:
    """A unit that is not itself a repeat of a shorter unit (AT yes, AA no, ATAT no)."""
    k = len(unit)
    return not any(k % d == 0 and unit[:d] * (k // d) == unit for d in range(1, k))


def _repeats(seq: str, contig: str, min_copies: dict[int, int]) -> list[Microsatellite]:
    """Every run of a primitive 1-5 bp unit with at least its minimum copies, by position."""
    found: list[Microsatellite] = []
    for k, n in sorted(min_copies.items()):
        pattern = re.compile(rf"([ACGT]{{{k}}})\1{{{n - 1},}}")
        for m in pattern.finditer(seq):
            unit = m.group(1)
            if not _primitive(unit):
                continue
            copies = (m.end() - m.start()) // k
            found.append(
                Microsatellite(contig, m.start() + 1, m.start() + copies * k, unit, copies)
            )
    found.sort(key=lambda s: (s.start, s.end))
    return found


def _clashes(spans: Sequence[tuple[int, int]], i: int, lo: int, hi: int, reach: int) -> bool:
    """Whether another repeat (starting within ``reach`` of repeat i) overlaps lo..hi, the
    repeat and its flanks: its reads would have ambiguous anchors."""
    start = spans[i][0]
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(spans) and abs(spans[j][0] - start) <= reach:
            os_, oe = spans[j]
            if (os_, oe) != spans[i] and os_ <= hi and oe >= lo:
                return True
            j += step
    return False


def find_microsatellites(
    seq: str,
    contig: str,
    regions: Iterable[tuple[int, int]] | None = None,
    min_copies: dict[int, int] | None = None,
    flank: int = FLANK,
    max_bp: int = MAX_REPEAT_BP,
) -> list[Microsatellite]:
    """Microsatellites of ``seq`` whose repeat and flanks lie inside ``regions``.

    ``regions`` are 0-based half-open (BED); None means the whole sequence. Sites whose
    flanks overlap another repeat or contain N are dropped: their reads could not be
    anchored unambiguously.
    """
    seq = seq.upper()
    found = _repeats(seq, contig, min_copies or MIN_COPIES)
    spans = [(s.start, s.end) for s in found]
    regs = sorted(regions) if regions is not None else [(0, len(seq))]
    out = []
    for i, s in enumerate(found):
        lo, hi = s.start - flank, s.end + flank  # 1-based inclusive span with flanks
        if (
            s.length > max_bp
            or lo < 1
            or hi > len(seq)
            or not any(rs < lo and hi <= re_ for rs, re_ in regs)
            or "N" in seq[lo - 1 : hi]
        ):
            continue
        if not _clashes(spans, i, lo, hi, max_bp + 2 * flank):
            out.append(s)
    return out


def write_sites(sites: Sequence[Microsatellite]) -> str:
    lines = ["#contig\tstart\tend\tunit\tcopies"]
    lines += [f"{s.contig}\t{s.start}\t{s.end}\t{s.unit}\t{s.copies}" for s in sites]
    return "\n".join(lines) + "\n"


def read_sites(path: str) -> list[Microsatellite]:
    out = []
    with open(path) as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            c, s, e, u, n = line.rstrip("\n").split("\t")[:5]
            out.append(Microsatellite(c, int(s), int(e), u, int(n)))
    return out


# ---------------------------------------------------------------------------- reads

_CONSUMES_REF = {0, 2, 3, 7, 8}  # M D N = X
_CONSUMES_QUERY = {0, 1, 4, 7, 8}  # M I S = X


def query_positions(
    ref_start: int, cigar: Sequence[tuple[int, int]], wanted: Sequence[int]
) -> list[int | None]:
    """Query offset aligned to each 0-based reference position in ``wanted`` (None if the
    position is deleted, skipped or outside the alignment)."""
    out: list[int | None] = [None] * len(wanted)
    r, q = ref_start, 0
    for op, length in cigar:
        cref, cq = op in _CONSUMES_REF, op in _CONSUMES_QUERY
        if cref and cq:
            for i, w in enumerate(wanted):
                if r <= w < r + length:
                    out[i] = q + (w - r)
        if cref:
            r += length
        if cq:
            q += length
    return out


def read_repeat_length(
    ref_start: int, cigar: Sequence[tuple[int, int]], site: Microsatellite, flank: int = FLANK
) -> int | None:
    """Read bases between the flanks of ``site``, or None if the read does not span it.

    The read must be aligned (match/mismatch) on the outermost and innermost flank base on
    each side, so it covers both flanks entirely.
    """
    s0, e0 = site.start - 1, site.end - 1  # 0-based repeat span
    wanted = [s0 - flank, s0 - 1, e0 + 1, e0 + flank]
    q = query_positions(ref_start, cigar, wanted)
    if any(x is None for x in q):
        return None
    left, right = q[1], q[2]
    assert left is not None and right is not None
    return right - left - 1


def repeat_lengths(
    bam_path: str, sites: Sequence[Microsatellite], min_mapq: int, flank: int = FLANK
) -> dict[str, Counter[int]]:
    """Per site id: Counter of repeat lengths (bp) over the usable reads spanning the site
    (:func:`bigmed.pilots.crc.reads.usable_read`)."""
    out: dict[str, Counter[int]] = {}
    with pysam.AlignmentFile(bam_path) as bam:
        contigs = set(bam.references)
        for site in sites:
            counts: Counter[int] = Counter()
            if site.contig in contigs:
                for read in bam.fetch(site.contig, site.start - 1 - flank, site.end + flank):
                    if not usable_read(read, min_mapq) or read.cigartuples is None:
                        continue
                    n = read_repeat_length(read.reference_start, read.cigartuples, site, flank)
                    if n is not None:
                        counts[n] += 1
            out[site.id] = counts
    return out


def write_lengths(lengths: dict[str, Counter[int]]) -> str:
    lines = ["#site\tlengths"]
    for sid, c in lengths.items():
        lines.append(f"{sid}\t" + ",".join(f"{k}:{v}" for k, v in sorted(c.items())))
    return "\n".join(lines) + "\n"


def read_lengths(path: str) -> dict[str, Counter[int]]:
    out: dict[str, Counter[int]] = {}
    with open(path) as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            sid, _, text = line.rstrip("\n").partition("\t")
            c: Counter[int] = Counter()
            for item in filter(None, text.split(",")):
                k, v = item.split(":")
                c[int(k)] = int(v)
            out[sid] = c
    return out


# ---------------------------------------------------------------------------- statistics


def _gammainc_upper(a: float, x: float) -> float:
    """Regularised upper incomplete gamma Q(a, x) (series / continued fraction)."""
    if x <= 0:
        return 1.0
    gln = math.lgamma(a)
    if x < a + 1:
        term = total = 1.0 / a
        ap = a
        for _ in range(1000):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(-x + a * math.log(x) - gln))
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 1000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return min(1.0, math.exp(-x + a * math.log(x) - gln) * h)


def chi2_sf(x: float, df: int) -> float:
    """Survival function of the chi-square distribution."""
    if df <= 0:
        return 1.0
    return _gammainc_upper(df / 2.0, x / 2.0)


def chi2_contingency_p(table: Sequence[Sequence[int]]) -> float:
    """Pearson chi-square p-value of an R x C table (empty rows/columns dropped)."""
    rows = [list(r) for r in table if sum(r) > 0]
    if len(rows) < 2:
        return 1.0
    cols = [j for j in range(len(rows[0])) if sum(r[j] for r in rows) > 0]
    if len(cols) < 2:
        return 1.0
    rows = [[r[j] for j in cols] for r in rows]
    total = sum(sum(r) for r in rows)
    rsum = [sum(r) for r in rows]
    csum = [sum(r[j] for r in rows) for j in range(len(cols))]
    stat = 0.0
    for i, r in enumerate(rows):
        for j, obs in enumerate(r):
            exp = rsum[i] * csum[j] / total
            stat += (obs - exp) ** 2 / exp
    return chi2_sf(stat, (len(rows) - 1) * (len(cols) - 1))


def modal_length(c: Counter[int]) -> int:
    """Most frequent length (the longer one on ties: deletions are the MSI signal)."""
    return max(c.items(), key=lambda kv: (kv[1], kv[0]))[0]


def split_by_mode(c: Counter[int], mode: int) -> tuple[int, int, int]:
    shorter = sum(v for k, v in c.items() if k < mode)
    longer = sum(v for k, v in c.items() if k > mode)
    return shorter, c.get(mode, 0), longer


def off_mode_fraction(c: Counter[int], mode: int) -> float:
    n = sum(c.values())
    return 1.0 - c.get(mode, 0) / n if n else 0.0


@dataclass(frozen=True)
class MsiParams:
    min_reads: int = 20  # spanning reads per sample for a site to be evaluable
    min_sites: int = 20  # evaluable sites below this: "not evaluable"
    threshold: float = 0.20  # unstable share for MSI-H (MSIsensor, panels)
    alpha: float = 0.01  # chi-square p-value of a paired site
    min_shift: float = 0.10  # tumor off-mode fraction minus the normal's (or baseline's)
    baseline_z: float = 3.0  # tumor-only: z of the tumor's excess over the baseline


@dataclass(frozen=True)
class SiteCall:
    site: str
    tumor_reads: int
    reference_reads: int
    mode: int
    tumor_off_mode: float
    reference_off_mode: float
    p_value: float | None
    evaluable: bool
    unstable: bool


def paired_site(site: str, tumor: Counter[int], normal: Counter[int], p: MsiParams) -> SiteCall:
    nt, nn = sum(tumor.values()), sum(normal.values())
    if nt < p.min_reads or nn < p.min_reads:
        return SiteCall(site, nt, nn, 0, 0.0, 0.0, None, False, False)
    mode = modal_length(normal)
    ft, fn = off_mode_fraction(tumor, mode), off_mode_fraction(normal, mode)
    pv = chi2_contingency_p([split_by_mode(tumor, mode), split_by_mode(normal, mode)])
    unstable = pv < p.alpha and ft - fn >= p.min_shift
    return SiteCall(site, nt, nn, mode, round(ft, 4), round(fn, 4), pv, True, unstable)


@dataclass(frozen=True)
class BaselineSite:
    site: str
    mode: int
    mean_off_mode: float
    sd_off_mode: float
    normals: int


def build_baseline(
    normals: Sequence[dict[str, Counter[int]]], min_reads: int, max_off_mode: float = 0.3
) -> list[BaselineSite]:
    """Per site: the pooled modal length and the mean/sd of the normals' off-mode fraction.

    A site enters the baseline when at least one normal has ``min_reads`` spanning reads;
    sites where a normal has more than ``max_off_mode`` of its reads off the pooled mode are
    left out (germline length polymorphism would read as instability in a tumor alone).
    """
    ids = sorted({sid for n in normals for sid in n})
    out = []
    for sid in ids:
        usable = [n[sid] for n in normals if sum(n.get(sid, Counter()).values()) >= min_reads]
        if not usable:
            continue
        pooled: Counter[int] = Counter()
        for c in usable:
            pooled.update(c)
        mode = modal_length(pooled)
        fracs = [off_mode_fraction(c, mode) for c in usable]
        if max(fracs) > max_off_mode:
            continue
        mean = sum(fracs) / len(fracs)
        sd = (
            math.sqrt(sum((f - mean) ** 2 for f in fracs) / (len(fracs) - 1))
            if len(fracs) > 1
            else 0.0
        )
        out.append(BaselineSite(sid, mode, round(mean, 5), round(sd, 5), len(usable)))
    return out


def write_baseline(sites: Sequence[BaselineSite]) -> str:
    lines = ["#site\tmode\tmean_off_mode\tsd_off_mode\tnormals"]
    lines += [f"{b.site}\t{b.mode}\t{b.mean_off_mode}\t{b.sd_off_mode}\t{b.normals}" for b in sites]
    return "\n".join(lines) + "\n"


def read_baseline(path: str) -> dict[str, BaselineSite]:
    out = {}
    with open(path) as handle:
        for line in handle:
            if line.startswith("#") or not line.strip():
                continue
            s, m, mean, sd, n = line.rstrip("\n").split("\t")[:5]
            out[s] = BaselineSite(s, int(m), float(mean), float(sd), int(n))
    return out


def tumor_only_site(site: str, tumor: Counter[int], base: BaselineSite, p: MsiParams) -> SiteCall:
    nt = sum(tumor.values())
    if nt < p.min_reads:
        return SiteCall(
            site, nt, base.normals, base.mode, 0.0, base.mean_off_mode, None, False, False
        )
    ft = off_mode_fraction(tumor, base.mode)
    m = base.mean_off_mode
    # binomial sampling of the tumor's reads plus the normals' own spread (floor 0.02)
    sd = math.sqrt(max(m * (1 - m), 0.01) / nt + max(base.sd_off_mode, 0.02) ** 2)
    z = (ft - m) / sd
    unstable = ft - m >= p.min_shift and z >= p.baseline_z
    return SiteCall(site, nt, base.normals, base.mode, round(ft, 4), m, None, True, unstable)


def classify(calls: Sequence[SiteCall], p: MsiParams, mode: str) -> dict[str, Any]:
    """The MSI result: status, score (unstable share), counts and the rule applied."""
    evaluable = [c for c in calls if c.evaluable]
    unstable = [c for c in evaluable if c.unstable]
    result: dict[str, Any] = {
        "mode": mode,
        "sites_total": len(calls),
        "sites_evaluable": len(evaluable),
        "sites_unstable": len(unstable),
        "threshold": p.threshold,
        "min_sites": p.min_sites,
        "min_reads": p.min_reads,
    }
    if len(evaluable) < p.min_sites:
        result.update(
            status="not evaluable",
            call=None,
            score=None,
            reason=f"{len(evaluable)} of {len(calls)} microsatellites have >= {p.min_reads} "
            f"spanning reads ({'tumor and normal' if mode == 'paired' else 'tumor'}); "
            f"at least {p.min_sites} are needed",
        )
        return result
    share = len(unstable) / len(evaluable)
    call = "MSI-H" if share >= p.threshold else "MSS"
    result.update(
        status="positive" if call == "MSI-H" else "negative",
        call=call,
        score=round(share, 4),
        reason=f"{len(unstable)} of {len(evaluable)} evaluable microsatellites unstable "
        f"({share:.1%}; MSI-H at >= {p.threshold:.0%})",
    )
    return result
