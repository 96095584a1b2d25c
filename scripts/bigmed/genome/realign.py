"""Soft-clip aware realignment of reads around long insertions and deletions.

Why: bwa mem scores a 16-50 bp gap (open 6 + 1 per base) worse than clipping the read (5),
so most reads that cross a long indel near one of their ends are soft-clipped there, and the
callers (which only see an indel in a read's CIGAR) miss the allele or call it with too few
reads. This step recovers those reads before calling, on any BAM/CRAM (the pipeline's own or
an imported one):

1. **Candidates.** Every indel of at least ``MIN_CANDIDATE`` bp in a CIGAR, and every soft
   clip of at least ``MIN_CLIP`` bases whose clipped sequence continues in the reference a few
   bases further on (a deletion) or after some inserted bases (an insertion), up to
   ``MAX_EVENT`` bp. A candidate needs ``MIN_SUPPORT`` reads (summed over the patient's
   samples); equivalent placements in a repeat are merged by left-shifting.
2. **Rescue.** A read that crosses a candidate without it in its CIGAR (soft-clipped there or
   aligned with mismatches) is placed, whole and ungapped, on the candidate haplotype,
   anchored on either side of the event. It is rewritten with the event in its CIGAR when
   that explains at least ``MIN_GAIN`` more of its bases than its current alignment and
   leaves at most ``MAX_MISMATCH`` mismatches. The original CIGAR and position are kept in
   the SAM tags ``OC``/``OP``. Reads with another indel, hard clips, secondary or
   supplementary alignments are left as they are.

The callers then genotype the event from every read; nothing is called here. Measured with
``benchmarks/germline_accuracy``."""

from __future__ import annotations

import os
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

import pysam

from bigmed.genome.reference import read_bed

MIN_CANDIDATE = 5  # CIGAR indels shorter than this are aligned well already
MIN_CLIP = 10  # shortest soft clip that can name a candidate
ANCHOR = 10  # bases of a clip that must continue in the reference
MAX_EVENT = 100  # longest event looked for (bcftools' --indel-size is 110)
MIN_SUPPORT = 2  # reads that must name a candidate
MIN_GAIN = 2  # mismatches the rewritten placement must save
MAX_MISMATCH_RATE = 0.04  # mismatches allowed on the candidate haplotype, per read base
FLANK = 160  # a read this close to a candidate may cross it

CIGAR_M, CIGAR_I, CIGAR_D, CIGAR_S, CIGAR_H = 0, 1, 2, 4, 5


class Reference(Protocol):
    """What realignment needs of a reference: one contig's sequence, upper case."""

    def __call__(self, contig: str) -> str: ...


@dataclass(frozen=True, order=True)
class Event:
    """Replace ``dlen`` reference bases from 0-based ``start`` by ``ins`` (one of them empty)."""

    contig: str
    start: int
    dlen: int
    ins: str

    @property
    def shift(self) -> int:
        """Length change of the haplotype: inserted minus deleted bases."""
        return len(self.ins) - self.dlen


def left_shift(event: Event, seq: str) -> Event:
    """The leftmost equivalent placement in a repeat (what bcftools norm would write)."""
    start, ins = event.start, event.ins
    if event.dlen:
        while start > 0 and seq[start - 1] == seq[start + event.dlen - 1]:
            start -= 1
        return Event(event.contig, start, event.dlen, "")
    while start > 0 and seq[start - 1] == ins[-1]:
        ins = seq[start - 1] + ins[:-1]
        start -= 1
    return Event(event.contig, start, 0, ins)


def cigar_events(read: pysam.AlignedSegment, contig: str) -> Iterator[Event]:
    """Indels of at least MIN_CANDIDATE bp in the read's CIGAR."""
    rpos, qpos = read.reference_start, 0
    seq = read.query_sequence or ""
    for op, n in read.cigartuples or []:
        if op == CIGAR_D and n >= MIN_CANDIDATE:
            yield Event(contig, rpos, n, "")
        elif op == CIGAR_I and n >= MIN_CANDIDATE:
            yield Event(contig, rpos, 0, seq[qpos : qpos + n].upper())
        if op in (0, 2, 3, 7, 8):
            rpos += n
        if op in (0, 1, 4, 7, 8):
            qpos += n


def right_clip_events(clip: str, point: int, ref: str, contig: str) -> Iterator[Event]:
    """Events that explain a clip starting at reference position ``point`` (0-based)."""
    head = clip[:ANCHOR]
    for d in range(1, MAX_EVENT + 1):
        if ref[point + d : point + d + ANCHOR] == head:
            yield Event(contig, point, d, "")
            break
    target = ref[point : point + ANCHOR]
    for i in range(1, min(MAX_EVENT, len(clip) - ANCHOR) + 1):
        if clip[i : i + ANCHOR] == target:
            yield Event(contig, point, 0, clip[:i])
            break


def left_clip_events(clip: str, point: int, ref: str, contig: str) -> Iterator[Event]:
    """Events that explain a clip ending just before reference position ``point``."""
    tail = clip[-ANCHOR:]
    for d in range(1, min(MAX_EVENT, point - ANCHOR) + 1):
        if ref[point - d - ANCHOR : point - d] == tail:
            yield Event(contig, point - d, d, "")
            break
    target = ref[point - ANCHOR : point]
    for i in range(1, min(MAX_EVENT, len(clip) - ANCHOR) + 1):
        if clip[len(clip) - i - ANCHOR : len(clip) - i] == target:
            yield Event(contig, point, 0, clip[len(clip) - i :])
            break


def usable(read: pysam.AlignedSegment) -> bool:
    """Primary, mapped, with its whole sequence (no hard clips)."""
    if read.is_unmapped or read.is_secondary or read.is_supplementary or not read.cigartuples:
        return False
    return read.query_sequence is not None and all(op != CIGAR_H for op, _ in read.cigartuples)


def read_events(read: pysam.AlignedSegment, contig: str, ref: str) -> set[Event]:
    """The candidates one read names (CIGAR indels and explained soft clips), left-shifted."""
    if not usable(read):
        return set()
    found = set(cigar_events(read, contig))
    cig = read.cigartuples or []
    seq = (read.query_sequence or "").upper()
    if cig[-1][0] == CIGAR_S and cig[-1][1] >= MIN_CLIP:
        found.update(right_clip_events(seq[-cig[-1][1] :], read.reference_end or 0, ref, contig))
    if cig[0][0] == CIGAR_S and cig[0][1] >= MIN_CLIP:
        found.update(left_clip_events(seq[: cig[0][1]], read.reference_start, ref, contig))
    return {left_shift(e, ref) for e in found}


def find_candidates(
    reads: Iterable[tuple[str, pysam.AlignedSegment]], reference: Reference
) -> list[Event]:
    """Events named by at least MIN_SUPPORT reads, sorted."""
    support: Counter[Event] = Counter()
    for contig, read in reads:
        support.update(read_events(read, contig, reference(contig)))
    return sorted(e for e, n in support.items() if n >= MIN_SUPPORT)


def mismatches(read_seq: str, hap: str, offset: int) -> int:
    """Mismatches of the read placed ungapped at ``offset`` of ``hap`` (overhang counts)."""
    n = 0
    for i, base in enumerate(read_seq):
        j = offset + i
        if j < 0 or j >= len(hap) or hap[j] != base:
            n += base != "N"
    return n


def current_mismatches(read: pysam.AlignedSegment, ref: str) -> int:
    """Mismatches of the read's alignment as it is, every soft-clipped base counted as one."""
    seq = (read.query_sequence or "").upper()
    n, qpos, rpos = 0, 0, read.reference_start
    for op, length in read.cigartuples or []:
        if op == CIGAR_S:
            n += length
            qpos += length
        elif op in (CIGAR_M, 7, 8):
            n += sum(
                1 for k in range(length) if seq[qpos + k] != ref[rpos + k] and seq[qpos + k] != "N"
            )
            qpos += length
            rpos += length
        elif op == CIGAR_I:
            n += length
            qpos += length
        elif op == CIGAR_D:
            n += length
            rpos += length
    return n


@dataclass(frozen=True)
class Placement:
    """A read placed ungapped on an event's haplotype at haplotype offset ``start``."""

    event: Event
    start: int
    mismatches: int


def haplotype(event: Event, ref: str, lo: int, hi: int) -> str:
    """Reference [lo, hi) with the event applied (lo <= start, start + dlen <= hi)."""
    return ref[lo : event.start] + event.ins + ref[event.start + event.dlen : hi]


def hap_coord(event: Event, x: int) -> int:
    """Haplotype coordinate of reference position ``x`` (reference frame before the event)."""
    after = x >= event.start + event.dlen if event.dlen else x >= event.start
    return x + event.shift if after else x


def best_placement(read: pysam.AlignedSegment, event: Event, ref: str) -> Placement:
    """The read on the event's haplotype, anchored at its left or its right aligned end."""
    seq = (read.query_sequence or "").upper()
    cig = read.cigartuples or []
    lead = cig[0][1] if cig[0][0] == CIGAR_S else 0
    trail = cig[-1][1] if cig[-1][0] == CIGAR_S else 0
    lo = max(0, event.start - len(seq) - FLANK)
    hi = min(len(ref), event.start + event.dlen + len(seq) + FLANK)
    hap = haplotype(event, ref, lo, hi)
    left = hap_coord(event, read.reference_start) - lead
    right = hap_coord(event, (read.reference_end or 1) - 1) + 1 + trail - len(seq)
    best = Placement(event, left, mismatches(seq, hap, left - lo))
    if right != left:
        mm = mismatches(seq, hap, right - lo)
        if mm < best.mismatches:
            best = Placement(event, right, mm)
    return best


def crosses(read: pysam.AlignedSegment, event: Event, placement: Placement) -> bool:
    """Whether the placed read has bases on both sides of the event (a read that ends inside
    an insertion would need a partial insertion allele, which the callers take for another
    allele)."""
    first = placement.start
    last = placement.start + (read.query_length or 0) - 1
    return first < event.start and last >= event.start + len(event.ins)


def placement_cigar(placement: Placement, length: int) -> tuple[int, list[tuple[int, int]]]:
    """Reference start and CIGAR of a read placed across the event on its haplotype
    (haplotype coordinates: reference before the event, then the inserted bases, then the
    reference shifted by the length change)."""
    e = placement.event
    before = e.start - placement.start  # read bases left of the event
    after = length - before - len(e.ins)
    cig = [(CIGAR_M, before), (CIGAR_I, len(e.ins)) if e.ins else (CIGAR_D, e.dlen)]
    return placement.start, [*cig, (CIGAR_M, after)]


def has_other_indel(read: pysam.AlignedSegment) -> bool:
    return any(op in (CIGAR_I, CIGAR_D) for op, _ in read.cigartuples or [])


def rescue(read: pysam.AlignedSegment, events: list[Event], ref: str) -> bool:
    """Rewrite the read on the candidate that explains it best (see the module docstring);
    True when it was rewritten."""
    if not usable(read) or has_other_indel(read):
        return False
    seq_len = read.query_length or 0
    current = current_mismatches(read, ref)
    best: Placement | None = None
    for event in events:
        p = best_placement(read, event, ref)
        if crosses(read, event, p) and (best is None or p.mismatches < best.mismatches):
            best = p
    if (
        best is None
        or best.mismatches > MAX_MISMATCH_RATE * seq_len
        or (current - best.mismatches < MIN_GAIN)
    ):
        return False
    start, cigar = placement_cigar(best, seq_len)
    read.set_tag("OC", read.cigarstring, "Z")
    read.set_tag("OP", read.reference_start + 1, "i")
    for tag in ("MD", "NM"):
        if read.has_tag(tag):
            read.set_tag(tag, None)
    read.reference_start = start
    read.cigartuples = cigar
    return True


def near(events: list[Event], starts: list[int], read: pysam.AlignedSegment) -> list[Event]:
    """Candidates within FLANK of the read's aligned span (``starts``: the events' starts)."""
    lo = bisect_left(starts, read.reference_start - FLANK)
    hi = bisect_right(starts, (read.reference_end or read.reference_start) + FLANK)
    return events[lo:hi]


Region = tuple[str, int, int]


def merge_regions(regions: Iterable[Region]) -> list[Region]:
    """Sorted, overlapping or touching intervals merged (0-based, half-open)."""
    out: list[Region] = []
    for contig, start, end in sorted(regions):
        if out and out[-1][0] == contig and start <= out[-1][2]:
            out[-1] = (contig, out[-1][1], max(out[-1][2], end))
        else:
            out.append((contig, start, end))
    return out


def region_reads(
    aln: pysam.AlignmentFile, regions: list[Region]
) -> Iterator[tuple[str, pysam.AlignedSegment]]:
    """Every read overlapping the (merged) regions once, in coordinate order."""
    prev: Region | None = None
    for region in regions:
        contig, start, end = region
        for read in aln.fetch(contig, start, end):
            if prev is not None and prev[0] == contig and read.reference_start < prev[2]:
                continue  # already given for the previous region
            yield contig, read
        prev = region


class ContigCache:
    """One contig's sequence at a time (a whole-genome shard walks contigs in order)."""

    def __init__(self, fasta: pysam.FastaFile) -> None:
        self.fasta = fasta
        self.name = ""
        self.seq = ""

    def __call__(self, contig: str) -> str:
        if contig != self.name:
            self.name, self.seq = contig, self.fasta.fetch(contig).upper()
        return self.seq


def open_alignments(path: str, reference: str) -> pysam.AlignmentFile:
    return pysam.AlignmentFile(
        path, "rc" if path.endswith(".cram") else "rb", reference_filename=reference
    )


def rewrite(
    aln: pysam.AlignmentFile,
    out_path: str,
    regions: list[Region],
    events: list[Event],
    reference: Reference,
) -> int:
    """The reads of the regions, rescued where a candidate explains them better, sorted and
    indexed into ``out_path``; returns the number of rewritten reads."""
    by_contig: dict[str, list[Event]] = {}
    for e in events:
        by_contig.setdefault(e.contig, []).append(e)
    starts = {c: [e.start for e in evs] for c, evs in by_contig.items()}
    unsorted = f"{out_path}.unsorted.bam"
    rescued = 0
    with pysam.AlignmentFile(unsorted, "wb", template=aln) as out:
        for contig, read in region_reads(aln, regions):
            nearby = near(by_contig.get(contig, []), starts.get(contig, []), read)
            if nearby and rescue(read, nearby, reference(contig)):
                rescued += 1
            out.write(read)
    pysam.sort("-o", out_path, unsorted)
    pysam.index(out_path)
    os.remove(unsorted)
    return rescued


def realign(
    bams: list[str], outs: list[str], reference_fasta: str, regions: list[Region]
) -> tuple[list[Event], list[int]]:
    """Candidates from all of a patient's alignments together (a parent's reads support the
    child's event), then each alignment rewritten; returns the candidates and the number
    of rescued reads per alignment."""
    merged = merge_regions(regions)
    with pysam.FastaFile(reference_fasta) as fasta:
        reference = ContigCache(fasta)
        alns = [open_alignments(b, reference_fasta) for b in bams]
        try:
            events = find_candidates(
                (pair for aln in alns for pair in region_reads(aln, merged)), reference
            )
            counts = [
                rewrite(aln, out, merged, events, reference)
                for aln, out in zip(alns, outs, strict=True)
            ]
        finally:
            for aln in alns:
                aln.close()
    return events, counts


def shard_regions(bed: str, reference_fasta: str) -> list[Region]:
    """A calling shard's BED, checked against the reference's contigs."""
    with pysam.FastaFile(reference_fasta) as fasta:
        contigs = dict(zip(fasta.references, fasta.lengths, strict=True))
    return read_bed(bed, contigs)
