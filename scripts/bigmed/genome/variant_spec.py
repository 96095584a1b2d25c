"""A variant named by the user: GRCh38 chrom/pos/ref/alt, or gene + HGVS c., to the reference.

Used by the cardiac pilot's known-familial-variant mode. Both forms end as a
:class:`Locus`: the allele on the reference contig (what BAMs and calling use) and on
GRCh38 (what reports show), left-aligned like the normalised calls, so that the id
``chrom-pos-ref-alt`` matches the call set's ids.

HGVS c. forms understood (on the named transcript, or the gene's preferred transcript of
the annotation): substitution ``c.1130G>A``, deletion ``c.100_102del`` / ``c.100del``,
duplication ``c.100_101dup``, insertion ``c.100_101insAG``, deletion-insertion
``c.100_102delinsT``; positions may be intronic (``c.123+5``, ``c.124-2``) or UTR
(``c.-12``, ``c.*30``). Reference bases stated in the description are checked.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from bigmed.genome.gff import Transcript, preferred_transcripts
from bigmed.genome.hgvs import TranscriptMap, revcomp
from bigmed.genome.reference import ContigSlice, locate, slices_by_chrom, to_grch38

SeqFn = Callable[[str, int, int], str]  # (contig, start, end) 1-based inclusive -> uppercase

_POS = r"[-*]?\d+(?:[+-]\d+)?"
_HGVS_C = re.compile(
    rf"^(?:(?P<tx>[\w.]+):)?c\.(?P<start>{_POS})(?:_(?P<end>{_POS}))?"
    r"(?:(?P<sub>[ACGT])>(?P<alt>[ACGT])|(?P<kind>delins|del|dup|ins)(?P<seq>[ACGT]*))$"
)
_CPOS = re.compile(r"^(?P<anchor>[-*]?)(?P<n>\d+)(?P<off>[+-]\d+)?$")


class VariantSpecError(ValueError):
    """The description cannot be placed on the reference (message says why)."""


@dataclass(frozen=True)
class Locus:
    contig: str  # reference contig
    pos: int  # 1-based on the contig
    ref: str
    alt: str
    chrom: str  # GRCh38
    grch38_pos: int

    @property
    def id(self) -> str:
        return f"{self.chrom}-{self.grch38_pos}-{self.ref}-{self.alt}"


def from_grch38(
    chrom: str, pos: int, cmap: Mapping[str, ContigSlice] | None, contigs: Mapping[str, int]
) -> tuple[str, int]:
    """(contig, position) of a GRCh38 position; VariantSpecError outside the reference."""
    if not cmap:
        if chrom in contigs and 1 <= pos <= contigs[chrom]:
            return chrom, pos
        raise VariantSpecError(f"{chrom}:{pos} is not in the reference")
    hit = locate(chrom, pos, slices_by_chrom(cmap))
    if hit is not None:
        return hit
    raise VariantSpecError(f"{chrom}:{pos} is not in any reference contig (contig map)")


def normalize_allele(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """Minimal representation: trim the common suffix, then the common prefix (one base
    kept), as VCF alleles are written (an indel keeps its anchor base)."""
    while len(ref) > 1 and len(alt) > 1 and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        pos, ref, alt = pos + 1, ref[1:], alt[1:]
    return pos, ref, alt


def left_align(contig: str, pos: int, ref: str, alt: str, seq: SeqFn) -> tuple[int, str, str]:
    """Trim to a minimal allele and shift an indel left (bcftools norm's representation)."""
    pos, ref, alt = normalize_allele(pos, ref, alt)
    if len(ref) == len(alt):
        return pos, ref, alt
    # an indel with one anchor base: roll left while the last bases agree
    while pos > 1 and ref[-1] == alt[-1]:
        before = seq(contig, pos - 1, pos - 1)
        ref, alt, pos = before + ref[:-1], before + alt[:-1], pos - 1
    return pos, ref, alt


def _genomic(tm: TranscriptMap, text: str) -> int:
    m = _CPOS.match(text)
    if m is None:
        raise VariantSpecError(f"'{text}' is not an HGVS c. position")
    n = int(m["n"])
    anchor = m["anchor"]
    if anchor == "" and n == 0:
        raise VariantSpecError("c.0 does not exist (numbering starts at c.1 and c.-1)")
    if anchor == "-":
        t = tm.t_cds_start - n
    elif anchor == "*":
        t = tm.t_cds_end + n
    else:
        t = tm.t_cds_start + n - 1
    if not 1 <= t <= tm.t_length:
        raise VariantSpecError(f"c.{text} is outside transcript {tm.tx.id}")
    g = _g_of_t(tm, t)
    off = int(m["off"]) if m["off"] else 0
    if off:
        exon = next(e for e in tm.exons_g if e[0] <= g <= e[1])
        edge = exon[1] if (off > 0) == tm.plus else exon[0]
        if g != edge:
            raise VariantSpecError(
                f"c.{text}: c.{text.rsplit(m['off'], 1)[0]} is not at an exon edge"
            )
    return g + off if tm.plus else g - off


def _g_of_t(tm: TranscriptMap, t: int) -> int:
    for s, e in tm.exons_t:
        length = e - s + 1
        if t <= length:
            return s + t - 1 if tm.plus else e - t + 1
        t -= length
    raise VariantSpecError(f"transcript position {t} is beyond {tm.tx.id}")


def pick_transcript(
    transcripts: Mapping[str, Transcript], gene: str, transcript: str | None = None
) -> Transcript:
    """The named transcript (version optional), or the gene's preferred one."""
    if transcript:
        base = transcript.split(".")[0]
        for tx in transcripts.values():
            if tx.id == transcript or tx.id.split(".")[0] == base:
                if tx.gene != gene:
                    raise VariantSpecError(
                        f"transcript {transcript} belongs to {tx.gene}, not {gene}"
                    )
                return tx
        raise VariantSpecError(f"transcript {transcript} is not in the annotation")
    best = preferred_transcripts(dict(transcripts)).get(gene)
    if best is None:
        raise VariantSpecError(f"gene {gene} has no coding transcript in the annotation")
    return best


def parse_hgvs_c(
    tx: Transcript, text: str, seq: SeqFn, cmap: Mapping[str, ContigSlice] | None = None
) -> Locus:
    """Place an HGVS c. description of ``tx`` on the reference (left-aligned allele)."""
    m = _HGVS_C.match(text.strip().replace(" ", ""))
    if m is None:
        raise VariantSpecError(
            f"'{text}' is not an HGVS c. substitution, del, dup, ins or delins description"
        )
    tm = TranscriptMap(tx)
    g1 = _genomic(tm, m["start"])
    g2 = _genomic(tm, m["end"]) if m["end"] else g1
    lo, hi = min(g1, g2), max(g1, g2)
    if hi - lo > 10_000:
        raise VariantSpecError(f"'{text}' spans {hi - lo + 1} bp; only small variants are placed")
    if m["sub"]:
        pos, r, a = _substitution(tm, text, m, lo, seq)
    else:
        pos, r, a = _edit(tm, text, m, lo, hi, seq)
    pos, r, a = left_align(tx.contig, pos, r, a, seq)
    chrom, gpos = to_grch38(tx.contig, pos, cmap)
    return Locus(tx.contig, pos, r, a, chrom, gpos)


def _on_genome(tm: TranscriptMap, bases: str) -> str:
    """Bases written on the transcript strand, on the genome's forward strand."""
    return bases if tm.plus else revcomp(bases)


def _substitution(
    tm: TranscriptMap, text: str, m: re.Match[str], lo: int, seq: SeqFn
) -> tuple[int, str, str]:
    """VCF-style allele of ``c.NX>Y``; the stated reference base is checked."""
    if m["end"]:
        raise VariantSpecError(f"'{text}': a substitution names one position")
    ref = seq(tm.tx.contig, lo, lo)
    if ref != _on_genome(tm, m["sub"]):
        raise VariantSpecError(
            f"'{text}': the reference base at c.{m['start']} is {_on_genome(tm, ref)}, "
            f"not {m['sub']}"
        )
    return lo, ref, _on_genome(tm, m["alt"])


def _edit(
    tm: TranscriptMap, text: str, m: re.Match[str], lo: int, hi: int, seq: SeqFn
) -> tuple[int, str, str]:
    """VCF-style allele (with an anchor base where one side is empty) of a del, dup, ins
    or delins on genomic bases lo..hi; stated deleted or duplicated bases are checked."""
    contig, kind, ins = tm.tx.contig, m["kind"], m["seq"]
    span = seq(contig, lo, hi)
    if kind in ("del", "dup") and ins and _on_genome(tm, ins) != span:
        what = "deleted" if kind == "del" else "duplicated"
        raise VariantSpecError(f"'{text}': the {what} bases are {_on_genome(tm, span)}, not {ins}")
    if kind == "del":
        anchor = seq(contig, lo - 1, lo - 1)
        return lo - 1, anchor + span, anchor
    if kind == "dup":
        last = seq(contig, hi, hi)
        return hi, last, last + span
    if kind == "ins" and (not m["end"] or hi != lo + 1):
        raise VariantSpecError(f"'{text}': an insertion names two adjacent positions")
    if not ins:
        raise VariantSpecError(f"'{text}': the inserted bases are missing")
    if kind == "ins":
        first = seq(contig, lo, lo)
        return lo, first, first + _on_genome(tm, ins)
    r, a = span, _on_genome(tm, ins)  # delins
    if len(r) != len(a) or len(r) == 1:
        anchor = seq(contig, lo - 1, lo - 1)
        return lo - 1, anchor + r, anchor + a
    return lo, r, a


def parse_grch38(
    chrom: str,
    pos: int,
    ref: str,
    alt: str,
    seq: SeqFn,
    contigs: Mapping[str, int],
    cmap: Mapping[str, ContigSlice] | None = None,
) -> Locus:
    """Place a GRCh38 allele on the reference; the reference bases must match."""
    ref, alt = ref.upper(), alt.upper()
    if not re.fullmatch(r"[ACGTN]+", ref) or not re.fullmatch(r"[ACGTN]+", alt) or ref == alt:
        raise VariantSpecError(f"ref '{ref}' / alt '{alt}' are not two different allele strings")
    contig, cpos = from_grch38(chrom, pos, cmap, contigs)
    found = seq(contig, cpos, cpos + len(ref) - 1)
    if found != ref:
        raise VariantSpecError(
            f"{chrom}:{pos} has reference {found or '(nothing)'}, not {ref}: check the build "
            "(GRCh38) and the position"
        )
    p, r, a = left_align(contig, cpos, ref, alt, seq)
    gchrom, gpos = to_grch38(contig, p, cmap)
    return Locus(contig, p, r, a, gchrom, gpos)
