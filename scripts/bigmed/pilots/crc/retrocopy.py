"""Is a germline call made of reads from a processed pseudogene (a retrocopy)?

A processed pseudogene (PTENP1 for PTEN, for example) is a spliced copy of the gene's mRNA
elsewhere in the genome. Where the reference lacks it (a panel or slice reference, or an
insertion private to the person), its reads align to the gene's exons and stop exactly at the
exon boundaries, the rest of the read soft-clipped: the next exon follows, not the intron.
Its differences from the gene then look like germline variants, often several in one gene.
The sign is in the reads that carry the allele: most are clipped at an exon boundary, while
the reference reads run on into the intron. Such a call is not assessable, never a finding
(clinical labs confirm these genes by long-range PCR).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pysam

from bigmed.pilots.crc.reads import usable_read

MIN_CLIP = 5  # soft-clipped bases that count as a clip (shorter: adapter or quality trimming)
SLACK = 2  # bases between the clip point and the exon boundary (aligner placement)
MIN_ALT_CLIPPED = 3  # alt reads clipped at a boundary before the sign is read at all
MIN_ALT_FRACTION = 0.5  # share of the alt reads clipped at a boundary
MAX_REF_FRACTION = 0.2  # share of the reference reads clipped there (a real allele's reads are
# clipped no more often than the reference reads around it)


@dataclass(frozen=True)
class JunctionClips:
    """Reads at a site: how many show each allele, and how many of those are soft-clipped at
    an exon boundary of the gene."""

    alt_reads: int
    alt_clipped: int
    ref_reads: int
    ref_clipped: int

    @property
    def retrocopy(self) -> bool:
        if self.alt_clipped < MIN_ALT_CLIPPED or not self.alt_reads:
            return False
        ref_share = self.ref_clipped / self.ref_reads if self.ref_reads else 0.0
        return (
            self.alt_clipped / self.alt_reads >= MIN_ALT_FRACTION and ref_share <= MAX_REF_FRACTION
        )

    def reason(self) -> str:
        return (
            f"{self.alt_clipped} of {self.alt_reads} reads with the variant end soft-clipped at "
            f"an exon boundary ({self.ref_clipped} of {self.ref_reads} reference reads): reads "
            "of a processed pseudogene or retrocopy, not a germline variant of the gene"
        )


def _clip_points(read: pysam.AlignedSegment) -> list[int]:
    """1-based reference positions where the read's alignment stops at a soft clip."""
    cigar = read.cigartuples or []
    out = []
    if cigar and cigar[0][0] == pysam.CSOFT_CLIP and cigar[0][1] >= MIN_CLIP:
        out.append(read.reference_start + 1)
    if cigar and cigar[-1][0] == pysam.CSOFT_CLIP and cigar[-1][1] >= MIN_CLIP:
        out.append(int(read.reference_end or 0))
    return out


def _at_boundary(read: pysam.AlignedSegment, boundaries: Sequence[int]) -> bool:
    return any(abs(p - b) <= SLACK for p in _clip_points(read) for b in boundaries)


def junction_clips(
    bam_path: str,
    contig: str,
    pos: int,
    ref: str,
    alt: str,
    boundaries: Sequence[int],
    *,
    min_mapq: int,
    min_baseq: int,
    reference: str | None = None,
) -> JunctionClips:
    """Count the reads showing REF and ALT at an SNV (other alleles: first base only) and
    those clipped at one of ``boundaries`` (exon starts and ends, 1-based, on ``contig``);
    ``reference``: the FASTA a CRAM needs."""
    counts = {"alt": [0, 0], "ref": [0, 0]}
    with pysam.AlignmentFile(bam_path, reference_filename=reference) as bam:
        if contig not in bam.references:
            return JunctionClips(0, 0, 0, 0)
        for col in bam.pileup(
            contig, pos - 1, pos, truncate=True, min_base_quality=min_baseq, stepper="nofilter",
            ignore_orphans=False,
        ):  # fmt: skip
            for pr in col.pileups:
                if pr.is_del or pr.is_refskip or not usable_read(pr.alignment, min_mapq):
                    continue
                assert pr.query_position is not None
                base = (pr.alignment.query_sequence or "")[pr.query_position].upper()
                key = "alt" if base == alt[0].upper() else "ref" if base == ref[0].upper() else ""
                if key:
                    counts[key][0] += 1
                    counts[key][1] += _at_boundary(pr.alignment, boundaries)
    return JunctionClips(counts["alt"][0], counts["alt"][1], counts["ref"][0], counts["ref"][1])


def exon_boundaries(exons: Sequence[tuple[int, int]]) -> list[int]:
    """Each exon's first and last base (1-based)."""
    return sorted({p for start, end in exons for p in (start, end)})
