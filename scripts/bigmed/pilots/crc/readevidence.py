"""Per-read evidence for somatic candidates: which fragments show the ref or the alt allele,
how likely each call is an error, and where and how the read shows it.

``bcftools mpileup`` finds the candidates; it gives allele counts only, and a sequencing
error at 100x (three low-quality bases) then looks like a 3 % subclone. The somatic model
(:mod:`bigmed.pilots.crc.somatic`) needs each read: its base quality (the error
probability of the allele call), its mapping quality, its strand, its pair orientation
(F1R2/F2R1, for oxidation and deamination artefacts), the variant's distance from the read
end, and the fragment it belongs to (mates overlapping the site count once). Reads are the
pilot's usable reads (:func:`bigmed.pilots.crc.reads.usable_read`) in proper pairs and
bases at or above the calling BQ, as for mpileup.

Alleles are matched on the read's alignment: substitutions (SNVs and MNVs) base by base;
indels wherever the aligner placed them inside the repeat they can slide in (a deletion of
the same length starting anywhere in that span, an insertion of the same rotated sequence),
so that a read with the indel shifted right still counts as alt. A read counts when its
aligned bases span the event and one base either side, or, for an indel, when it is
soft-clipped at the event and the clipped bases spell the indel's haplotype (bwa mem clips
reads near the ends of a long indel rather than open a gap). The pipeline's realignment
(:mod:`bigmed.genome.realign`, ``calling.realign_indels``) rewrites many such reads with
the indel; this covers alignments read without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pysam

from bigmed.pilots.crc.reads import usable_read

REF, ALT, OTHER = 0, 1, 2
# A read whose event lies within END_WINDOW bases of an aligned end counts only if its
# last TERMINAL bases there are clean (no other mismatch, indel or soft clip): reads that
# end in a germline indel are aligned with its bases as mismatches (at 100x a few such
# reads per site look like a subclone; benchmarks/somatic_accuracy).
END_WINDOW = 15
TERMINAL = 30
# A read soft-clipped at an indel supports it when its clipped bases (at least CLIP_MIN)
# spell the indel's haplotype: bwa clips reads near the ends of long indels instead of
# opening a gap, so without this a 30 bp germline insertion shows in a few reads only.
CLIP_MIN = 5
CLIP_SLACK = 10  # the clip may start this far before the event (aligner's choice)
# CIGAR operations
_MATCH = (0, 7, 8)
_INS, _DEL, _SKIP, _SOFT = 1, 2, 3, 4


class Reference:
    """Reference bases by 0-based interval, read in blocks and cached (a whole GRCh38
    chromosome is never loaded)."""

    BLOCK = 1 << 16

    def __init__(self, fasta: str) -> None:
        self.fasta = pysam.FastaFile(fasta)
        self.lengths = dict(zip(self.fasta.references, self.fasta.lengths, strict=True))
        self._blocks: dict[tuple[str, int], str] = {}

    def get(self, contig: str, start: int, end: int) -> str:
        """Upper-case bases start..end (0-based, half-open), clipped to the contig."""
        start, end = max(0, start), min(end, self.lengths.get(contig, 0))
        parts = []
        for b in range(start // self.BLOCK, (end - 1) // self.BLOCK + 1 if end > start else 0):
            key = (contig, b)
            if key not in self._blocks:
                if len(self._blocks) > 64:
                    self._blocks.clear()
                self._blocks[key] = self.fasta.fetch(
                    contig, b * self.BLOCK, (b + 1) * self.BLOCK
                ).upper()
            parts.append(self._blocks[key])
        text = "".join(parts)
        off = (start // self.BLOCK) * self.BLOCK
        return text[start - off : end - off]

    def close(self) -> None:
        self.fasta.close()


@dataclass(frozen=True)
class Candidate:
    contig: str
    pos: int  # 1-based, VCF convention (indels carry the anchor base)
    ref: str
    alt: str

    @property
    def is_substitution(self) -> bool:
        return len(self.ref) == len(self.alt)


@dataclass
class ReadCall:
    """One fragment's call at one candidate."""

    allele: int  # REF or ALT
    error: float  # probability that this allele call is a sequencing/indel error
    mapq: int
    reverse: bool
    f1r2: bool  # read 1 forward or read 2 reverse (pair orientation)
    end_dist: int  # aligned read bases between the event and the nearer aligned read end


@dataclass
class SampleEvidence:
    """Parallel arrays over the informative fragments of many candidates: ``idx`` is the
    candidate each fragment belongs to."""

    idx: npt.NDArray[np.int64]
    alt: npt.NDArray[np.bool_]
    error: npt.NDArray[np.float64]
    mapq: npt.NDArray[np.int64]
    reverse: npt.NDArray[np.bool_]
    f1r2: npt.NDArray[np.bool_]
    end_dist: npt.NDArray[np.int64]
    n: int  # number of candidates
    alt_names: list[set[str]] = field(default_factory=list)  # fragments showing alt

    def count(self, mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
        """Fragments per candidate where ``mask`` holds."""
        return np.bincount(self.idx[mask], minlength=self.n).astype(np.int64)


@dataclass(frozen=True)
class ReadSettings:
    """Which reads and bases count, and the error floors of their allele calls."""

    min_mapq: int = 20
    min_baseq: int = 13
    error_floor: float = 1e-4  # a base's error probability is never taken below this
    indel_error: float = 1e-4  # a read's indel error outside repeats (x repeat copies)


@dataclass(frozen=True)
class EventShape:
    """Where an event can be read: the reference span a read must cover (0-based,
    inclusive) and, for indels, the first and last equivalent placement."""

    lo: int
    hi: int
    first: int = 0
    last: int = 0
    units: int = 1  # repeat copies of an indel's unit (slippage raises its error)


MAX_SLIDE = 1000  # a repeat longer than this is longer than any read: no read spans it


def indel_shape(ref: Reference, cand: Candidate) -> EventShape:
    """Span of a left-aligned indel: how far right it can slide in the reference."""
    anchor = cand.pos - 1
    n = abs(len(cand.ref) - len(cand.alt))
    seq = ref.get(cand.contig, anchor + 1, anchor + 1 + n + MAX_SLIDE)
    shift = 0
    if len(cand.ref) > len(cand.alt):  # deletion of the n bases after the anchor
        while n + shift < len(seq) and seq[shift] == seq[n + shift]:
            shift += 1
        return EventShape(
            anchor, anchor + n + shift + 1, anchor + 1, anchor + 1 + shift, 1 + shift // n
        )
    ins = cand.alt[len(cand.ref) :]
    while shift < len(seq) and seq[shift] == ins[shift % n]:
        shift += 1
    return EventShape(anchor, anchor + shift + 1, anchor, anchor + shift, 1 + shift // n)


def _walk(
    cigar: Sequence[tuple[int, int]], ref_start: int, lo: int, hi: int
) -> tuple[list[int], list[tuple[int, int, int, int]]]:
    """Query position of each reference position lo..hi (-1 where not aligned) and the
    indels touching it as (op, reference position, length, query position): an insertion
    sits after its reference position, a deletion starts at its first deleted base."""
    qmap = [-1] * (hi - lo + 1)
    indels: list[tuple[int, int, int, int]] = []
    r, q = ref_start, 0
    for op, n in cigar:
        if op in _MATCH:
            for rp in range(max(r, lo), min(r + n, hi + 1)):
                qmap[rp - lo] = q + rp - r
            r += n
            q += n
        elif op == _INS:
            if lo <= r - 1 <= hi:
                indels.append((op, r - 1, n, q))
            q += n
        elif op in (_DEL, _SKIP):
            if r <= hi and r + n - 1 >= lo:
                indels.append((op, r, n, q))
            r += n
        elif op == _SOFT:
            q += n
        if r > hi + 1:
            break
    return qmap, indels


def _substitution(
    read: pysam.AlignedSegment, cand: Candidate, rs: ReadSettings
) -> tuple[int, float, int] | None:
    """(allele, error, query position) of a read at an SNV/MNV, None if not informative."""
    lo = cand.pos - 1
    hi = lo + len(cand.ref) - 1
    qmap, indels = _walk(read.cigartuples or [], read.reference_start, lo, hi)
    if min(qmap) < 0 or any(op == _INS and r < hi for op, r, _, _ in indels):
        return None
    quals = read.query_qualities
    seq = read.query_sequence
    if quals is None or seq is None:
        return None
    q = [quals[i] for i in qmap]
    if min(q) < rs.min_baseq:
        return None
    bases = "".join(seq[i] for i in qmap).upper()
    allele = REF if bases == cand.ref else ALT if bases == cand.alt else OTHER
    # the allele call is wrong if the worst base is: /3 for the one wrong base it became
    return allele, max(10.0 ** (-min(q) / 10.0), rs.error_floor) / 3.0, qmap[0]


def _indel(
    read: pysam.AlignedSegment, cand: Candidate, shape: EventShape
) -> tuple[int, int] | None:
    """(allele, query position of the anchor) of a read at an indel, None if the read's
    aligned bases do not span the event's repeat and one base either side."""
    qmap, indels = _walk(read.cigartuples or [], read.reference_start, shape.lo, shape.hi)
    if qmap[0] < 0 or qmap[-1] < 0:
        return None
    if not indels:
        return REF, qmap[0]
    if len(indels) > 1:
        return OTHER, qmap[0]
    op, rpos, n, qpos = indels[0]
    deletion = len(cand.ref) > len(cand.alt)
    if deletion and op == _DEL and n == len(cand.ref) - 1 and shape.first <= rpos <= shape.last:
        return ALT, qmap[0]
    if not deletion and op == _INS and shape.first <= rpos <= shape.last:
        ins = cand.alt[1:]
        k = (rpos - shape.first) % len(ins)
        read_seq = read.query_sequence or ""
        if n == len(ins) and read_seq[qpos : qpos + n].upper() == ins[k:] + ins[:k]:
            return ALT, qmap[0]
    return OTHER, qmap[0]


def _clip_matches(clip: str, hap: str, plain: str) -> bool:
    """The clipped bases spell the indel's haplotype (at most one mismatch per 10 bases) and
    clearly not the reference (3 mismatches more)."""
    n = len(clip)
    m_hap, m_ref = _mismatches(clip, hap[:n]), _mismatches(clip, plain[:n])
    return len(hap) >= n and m_hap <= n // 10 and m_ref >= m_hap + 3


def _unrivalled(bases: str, hap: str, others: Sequence[str]) -> bool:
    """``hap`` matches ``bases`` strictly better than every other haplotype."""
    mine = _mismatches(bases, hap)
    return all(_mismatches(bases, o) > mine for o in others)


def _other_indel_explains(
    read: pysam.AlignedSegment, cand: Candidate, near: Sequence[Candidate], ref: Reference
) -> bool:
    """An alt read of an indel whose bases around the event (whatever the aligner made of
    them) match a nearby indel's haplotype at least as well as the candidate's: a germline
    insertion written as another insertion plus a mismatch must not count as a second
    allele."""
    lo = cand.pos - 1 - TERMINAL // 2
    qmap, _ = _walk(read.cigartuples or [], read.reference_start, lo, lo)
    if qmap[0] < 0 or not near:
        return False
    n = TERMINAL + max(len(cand.ref), len(cand.alt))
    bases = (read.query_sequence or "").upper()[qmap[0] : qmap[0] + n]
    hi = lo + n + 2 * TERMINAL + 60
    mine = _haplotype(ref, cand.contig, lo, hi, [cand])
    others = [_haplotype(ref, cand.contig, lo, hi, [x]) for x in near]
    return not _unrivalled(bases, mine, others)


def _clipped_indel(
    read: pysam.AlignedSegment,
    cand: Candidate,
    shape: EventShape,
    ref: Reference,
    near: Sequence[Candidate] = (),
) -> int | None:
    """Distance of the breakpoint from the read's own end when the read is soft-clipped at
    the indel and its clip spells the indel's haplotype, and no nearby indel's haplotype
    as well; None otherwise."""
    cigar = read.cigartuples or []
    if len(cigar) < 2:
        return None
    seq, contig = (read.query_sequence or "").upper(), cand.contig
    d = len(cand.ref) - 1  # deleted bases (0 for an insertion)
    ins = cand.alt[1:]
    span = read.query_alignment_end - read.query_alignment_start
    if cigar[-1][0] == _SOFT and cigar[-1][1] >= CLIP_MIN:
        end = (read.reference_end or 0) - 1  # last aligned base (0-based)
        last = shape.last  # the event at its rightmost placement
        k = (last - shape.first) % len(ins) if ins else 0
        if shape.lo - CLIP_SLACK <= end < last + (1 if ins else 0):
            clip = seq[read.query_alignment_end :][:TERMINAL]
            after = last + 1 if ins else last + d
            hap = ref.get(contig, end + 1, last + (1 if ins else 0)) + ins[k:] + ins[:k]
            hap += ref.get(contig, after, after + TERMINAL)
            others = [
                _haplotype(ref, contig, end + 1, end + 1 + 2 * TERMINAL + 60, [x]) for x in near
            ]
            plain = ref.get(contig, end + 1, end + 1 + TERMINAL)
            if _clip_matches(clip, hap, plain) and _unrivalled(clip, hap, others):
                return min(cigar[-1][1], span)
    if cigar[0][0] == _SOFT and cigar[0][1] >= CLIP_MIN:
        start = read.reference_start  # first aligned base
        changed = shape.first + (1 if ins else 0)  # first base the leftmost event changes
        resume = changed + d  # first reference base after it
        if resume <= start <= shape.hi + CLIP_SLACK:
            clip = seq[: read.query_alignment_start][-TERMINAL:][::-1]
            before = ref.get(contig, changed - TERMINAL, changed)
            hap = (before + ins + ref.get(contig, resume, start))[::-1]
            plain = ref.get(contig, start - TERMINAL, start)[::-1]
            others = [
                _haplotype(ref, contig, start - 2 * TERMINAL - 60, start, [x])[::-1] for x in near
            ]
            if _clip_matches(clip, hap, plain) and _unrivalled(clip, hap, others):
                return min(cigar[0][1], span)
    return None


def _clean_ends(
    read: pysam.AlignedSegment, qpos: int, own: tuple[int, int], ref: Reference
) -> bool:
    """False when the event at query position ``qpos`` is near an aligned read end whose
    terminal bases hold another mismatch, an indel or a soft clip (reference positions in
    ``own`` belong to the event itself)."""
    qs, qe = read.query_alignment_start, read.query_alignment_end
    ranges = []
    cigar = read.cigartuples or []
    if qpos - qs <= END_WINDOW:
        if cigar and cigar[0][0] in (_SOFT, 5):
            return False
        ranges.append((qs, qs + TERMINAL))
    if qe - 1 - qpos <= END_WINDOW:
        if cigar and cigar[-1][0] in (_SOFT, 5):
            return False
        ranges.append((qe - TERMINAL, qe))
    if not ranges:
        return True
    seq = (read.query_sequence or "").upper()
    start = read.reference_start
    bases = ref.get(read.reference_name or "", start, read.reference_end or start)
    last_q, last_r = qs, start
    for q, r in read.get_aligned_pairs():
        at = last_q if q is None else q
        inside = any(lo <= at < hi for lo, hi in ranges)
        mine = own[0] <= (last_r if r is None else r) <= own[1]
        if inside and not mine:
            if q is None or r is None:
                return False
            if r - start < len(bases) and seq[q] != bases[r - start]:
                return False
        last_q, last_r = (last_q if q is None else q), (last_r if r is None else r)
    return True


def _mismatches(a: str, b: str) -> int:
    return sum(x != y for x, y in zip(a, b, strict=False))


def _edit(c: Candidate) -> tuple[int, int, str]:
    """A candidate as a reference edit (0-based start, end, replacement)."""
    if c.is_substitution:
        return c.pos - 1, c.pos - 1 + len(c.ref), c.alt
    return c.pos, c.pos - 1 + len(c.ref), c.alt[1:]


def _haplotype(ref: Reference, contig: str, start: int, end: int, edits: list[Candidate]) -> str:
    """Reference start..end (0-based) with the edits that lie inside it applied."""
    out, at = [], start
    for e0, e1, rep in sorted(_edit(c) for c in edits):
        if e0 < at or e1 > end:
            continue
        out += [ref.get(contig, at, e0), rep]
        at = e1
    out.append(ref.get(contig, at, end))
    return "".join(out)


def _explained_by_indel(
    read: pysam.AlignedSegment, cand: Candidate, indel: Candidate, ref: Reference
) -> bool:
    """True when the read ends in a nearby indel and its bases from the indel to that end
    (whatever the aligner made of them) match the indel's haplotype better than the
    reference and no worse than the candidate's haplotype, the candidate lying in that end:
    the candidate's allele in this read is (or may be) the aligner's rendering of the other
    indel."""
    anchor = indel.pos - 1
    after = anchor + len(indel.ref)  # first reference base after the indel (0-based)
    qmap, _ = _walk(read.cigartuples or [], read.reference_start, anchor, after)
    seq = (read.query_sequence or "").upper()
    contig, pad = indel.contig, 80
    qa, qb = qmap[0], qmap[-1]
    qs, qe = read.query_alignment_start, read.query_alignment_end
    c0, c1, _ = _edit(cand)
    if qa >= 0 and qe - 1 - qa <= TERMINAL and c0 > anchor:
        tail = seq[qa + 1 : qe]
        n, lo, hi = len(tail), anchor + 1, anchor + 1 + len(tail) + pad
        haps = [_haplotype(ref, contig, lo, hi, e)[:n] for e in ([indel], [], [cand])]
        if _better(tail, haps):
            return True
    if qb >= 0 and qb - qs <= TERMINAL and c1 <= after:
        head = seq[qs:qb]
        n, lo, hi = len(head), after - len(head) - pad, after
        haps = [_haplotype(ref, contig, lo, hi, e)[-n:] for e in ([indel], [], [cand])]
        if n and _better(head, haps):
            return True
    return False


def _better(bases: str, haps: list[str]) -> bool:
    """The indel's haplotype (first) matches ``bases`` better than the reference (second)
    and at least as well as the candidate's (third): a tie leaves the read ambiguous."""
    m = [_mismatches(bases, h) for h in haps]
    return m[0] < m[1] and m[0] <= m[2]


def _read_call(
    read: pysam.AlignedSegment,
    cand: Candidate,
    shape: EventShape | None,
    rs: ReadSettings,
    ref: Reference,
    near: Sequence[Candidate] = (),
) -> ReadCall | None:
    if shape is None:
        got = _substitution(read, cand, rs)
        if got is None:
            return None
        allele, error, qpos = got
    else:
        got2 = _indel(read, cand, shape)
        if got2 is None:
            return None
        allele, qpos = got2
        error = rs.indel_error * shape.units
    if allele == OTHER:
        return None
    own = (cand.pos - 1, cand.pos + len(cand.ref) - 2) if shape is None else (shape.lo, shape.hi)
    if not _clean_ends(read, qpos, own, ref):
        return None
    if any(_explained_by_indel(read, cand, indel, ref) for indel in near):
        return None
    if shape is not None and allele == ALT and _other_indel_explains(read, cand, near, ref):
        return None
    mapq = read.mapping_quality
    # a mismapped read shows either allele by chance: a third of its error budget
    error = min(0.5, error + 10.0 ** (-mapq / 10.0) / 3.0)
    first = read.is_read1 or not read.is_paired
    return ReadCall(
        allele,
        error,
        mapq,
        read.is_reverse,
        first != read.is_reverse,
        min(qpos - read.query_alignment_start, read.query_alignment_end - 1 - qpos),
    )


def _clipped_call(
    read: pysam.AlignedSegment,
    cand: Candidate,
    shape: EventShape,
    rs: ReadSettings,
    ref: Reference,
    near: Sequence[Candidate],
) -> ReadCall | None:
    """The alt call of a read clipped at the indel (its clip spells the indel)."""
    dist = _clipped_indel(read, cand, shape, ref, near)
    if dist is None:
        return None
    mapq = read.mapping_quality
    first = read.is_read1 or not read.is_paired
    error = min(0.5, rs.indel_error * shape.units + 10.0 ** (-mapq / 10.0) / 3.0)
    return ReadCall(ALT, error, mapq, read.is_reverse, first != read.is_reverse, dist)


def fragment_calls(
    bam: pysam.AlignmentFile,
    cand: Candidate,
    ref: Reference,
    rs: ReadSettings,
    near: Sequence[Candidate] = (),
) -> dict[str, ReadCall]:
    """The call of every usable fragment at a candidate (a fragment's two overlapping mates
    count once, by the mate with the lower error); ``near``: indel candidates close by,
    whose misaligned read ends must not count as alleles of this one."""
    shape = None if cand.is_substitution else indel_shape(ref, cand)
    lo = cand.pos - 1 if shape is None else shape.lo
    hi = lo + len(cand.ref) - 1 if shape is None else shape.hi
    out: dict[str, ReadCall] = {}
    if cand.contig not in bam.references:
        return out
    for read in bam.fetch(cand.contig, lo, hi + 1):
        if not usable_read(read, rs.min_mapq) or read.reference_end is None:
            continue
        if read.is_paired and not read.is_proper_pair:
            continue  # anomalous pairs (chimeras, mismapped mates): mpileup skips them too
        if read.reference_start > lo or read.reference_end <= hi:
            call = None if shape is None else _clipped_call(read, cand, shape, rs, ref, near)
        else:
            call = _read_call(read, cand, shape, rs, ref, near)
        if call is None:
            continue
        name = read.query_name or ""
        seen = out.get(name)
        if seen is None or call.error < seen.error:
            out[name] = call
    return out


def nearby_indels(cands: Sequence[Candidate]) -> list[list[Candidate]]:
    """For each candidate, the other indel candidates within TERMINAL bases of it."""
    indels: dict[str, list[Candidate]] = {}
    for c in cands:
        if not c.is_substitution:
            indels.setdefault(c.contig, []).append(c)
    out = []
    for c in cands:
        end = c.pos + len(c.ref)
        out.append(
            [
                d
                for d in indels.get(c.contig, [])
                if d != c and d.pos - TERMINAL <= end and c.pos <= d.pos + len(d.ref) + TERMINAL
            ]
        )
    return out


def collect(
    bam_path: str,
    cands: Sequence[Candidate],
    ref: Reference,
    rs: ReadSettings,
    keep_names: bool = False,
) -> SampleEvidence:
    """Evidence of one sample over all candidates, flattened into parallel arrays."""
    rows: list[tuple[int, ReadCall]] = []
    names: list[set[str]] = []
    with pysam.AlignmentFile(bam_path) as bam:
        near = nearby_indels(cands)
        for i, cand in enumerate(cands):
            calls = fragment_calls(bam, cand, ref, rs, near[i])
            rows += [(i, c) for c in calls.values()]
            if keep_names:
                names.append({k for k, c in calls.items() if c.allele == ALT})
    return SampleEvidence(
        np.asarray([i for i, _ in rows], dtype=np.int64),
        np.asarray([c.allele == ALT for _, c in rows], dtype=bool),
        np.asarray([c.error for _, c in rows], dtype=np.float64),
        np.asarray([c.mapq for _, c in rows], dtype=np.int64),
        np.asarray([c.reverse for _, c in rows], dtype=bool),
        np.asarray([c.f1r2 for _, c in rows], dtype=bool),
        np.asarray([c.end_dist for _, c in rows], dtype=np.int64),
        len(cands),
        names,
    )


def merge_mnvs(
    cands: Sequence[Candidate], alt_names: Sequence[set[str]], min_shared: float
) -> list[Candidate]:
    """Adjacent SNV candidates whose alt reads are the same fragments, merged into one
    MNV (a codon change read as one event, as the reads show it). Two neighbours merge when
    the fragments showing both are at least ``min_shared`` of the smaller alt read set (a
    read may miss one base to low quality) and the smaller set is at least half the larger
    (a somatic SNV beside a germline one shares its reads but not their number); a run of
    three merges when the third shares the MNV's reads. Returns the MNVs only."""
    snv = {
        (c.contig, c.pos): i
        for i, c in sorted(enumerate(cands), key=lambda x: len(alt_names[x[0]]))
        if len(c.ref) == 1 and len(c.alt) == 1
    }
    out: list[Candidate] = []
    used: set[tuple[str, int]] = set()
    for contig, pos in sorted(snv):
        if (contig, pos) in used:
            continue
        reads = alt_names[snv[(contig, pos)]]
        end = pos
        while (contig, end + 1) in snv:
            nxt = alt_names[snv[(contig, end + 1)]]
            shared = reads & nxt
            small, large = sorted((len(reads), len(nxt)))
            if not shared or len(shared) < min_shared * small or small < large / 2:
                break
            reads, end = shared, end + 1
        if end > pos:
            used.update((contig, p) for p in range(pos, end + 1))
            ref = "".join(cands[snv[(contig, p)]].ref for p in range(pos, end + 1))
            alt = "".join(cands[snv[(contig, p)]].alt for p in range(pos, end + 1))
            out.append(Candidate(contig, pos, ref, alt))
    return out
