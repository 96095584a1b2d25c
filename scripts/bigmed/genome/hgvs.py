"""HGVS c. and p. descriptions from a transcript model and the reference sequence.

Positions are 1-based on the reference contig. Variants are shifted 3' in the
transcript's orientation before description (the HGVS 3' rule, applied on the genomic
sequence, so an indel may move from an exon into the next intron as VEP and Mutalyzer do
with a genomic reference), insertions that copy the preceding sequence are written as dup,
and protein changes are predicted from the translated reference and variant coding
sequences, in parentheses as HGVS asks for predicted consequences.

Protein conventions (checked against VEP, VariantValidator and curated annotation in
tests/unit/test_hgvs.py):

* ``p`` is None when no coding base changes (UTR, intron, splice site): VEP writes no
  HGVSp there either (VariantValidator writes ``p.?`` for splice sites);
* ``p.(Met1?)`` for any change of the initiation codon, ``p.?`` for a change that joins
  coding sequence with an intron;
* a change whose first altered residue is a stop is a nonsense ``p.(Tyr935Ter)``, also
  when the DNA change is a frameshift or an in-frame insertion/deletion;
* an in-frame insertion carrying a stop: ``p.(Leu10_Lys11insGlyTer)``;
* a lost stop: ``p.(Ter2844GlnextTer28)`` (``extTer?`` when no new stop is reached);
* a silent change: ``p.(Leu54=)``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from Bio.Data import CodonTable, IUPACData

from bigmed.genome.gff import Transcript

SeqFn = Callable[[int, int], str]  # (start, end) 1-based inclusive -> uppercase sequence

_COMP = str.maketrans("ACGTNacgtn", "TGCANtgcan")

# One-letter -> three-letter amino-acid names (Biopython's IUPAC table), plus the HGVS
# names of a stop (Ter) and an unknown residue (Xaa) that translation writes as * and X.
AA3: dict[str, str] = {**IUPACData.protein_letters_1to3, "*": "Ter", "X": "Xaa"}
# The standard genetic code (NCBI table 1) as codon -> one letter, stop codons as "*".
_STANDARD = CodonTable.unambiguous_dna_by_id[1]
CODON_TABLE: dict[str, str] = {
    **_STANDARD.forward_table,
    **dict.fromkeys(_STANDARD.stop_codons, "*"),
}


def revcomp(seq: str) -> str:
    return seq.translate(_COMP)[::-1]


def translate(seq: str, to_stop: bool = False) -> str:
    out = []
    for i in range(0, len(seq) - 2, 3):
        aa = CODON_TABLE.get(seq[i : i + 3], "X")
        out.append(aa)
        if to_stop and aa == "*":
            break
    return "".join(out)


@dataclass(frozen=True)
class Hgvs:
    c: str  # e.g. "c.1799T>A" (no transcript prefix)
    p: str | None  # e.g. "p.(Val600Glu)"; None when not coding


class TranscriptMap:
    """Genomic <-> transcript coordinates of one transcript."""

    def __init__(self, tx: Transcript) -> None:
        self.tx = tx
        self.plus = tx.strand == "+"
        exons = sorted(tx.exons)
        self.exons_g = exons
        self.exons_t = exons if self.plus else list(reversed(exons))
        cds = sorted(tx.cds)
        self.cds_first_g = cds[0][0] if self.plus else cds[-1][1]
        self.cds_last_g = cds[-1][1] if self.plus else cds[0][0]
        self.t_cds_start = self.t_of(self.cds_first_g)
        self.t_cds_end = self.t_of(self.cds_last_g)
        self.t_length = sum(e - s + 1 for s, e in exons)
        self.tx_start, self.tx_end = exons[0][0], exons[-1][1]

    def t_of(self, g: int) -> int:
        """Transcript position (1-based from the first transcribed base) of an exonic base."""
        t = 0
        for s, e in self.exons_t:
            if s <= g <= e:
                return t + (g - s + 1 if self.plus else e - g + 1)
            t += e - s + 1
        raise ValueError(f"{g} is not exonic in {self.tx.id}")

    def _c_of_t(self, t: int) -> str:
        if t < self.t_cds_start:
            return f"-{self.t_cds_start - t}"
        if t > self.t_cds_end:
            return f"*{t - self.t_cds_end}"
        return str(t - self.t_cds_start + 1)

    def exonic(self, g: int) -> bool:
        return any(s <= g <= e for s, e in self.exons_g)

    def c_pos(self, g: int) -> str:
        if self.exonic(g):
            return self._c_of_t(self.t_of(g))
        if g < self.tx_start or g > self.tx_end:
            before = g < self.tx_start
            dist = self.tx_start - g if before else g - self.tx_end
            upstream = before == self.plus
            if upstream:
                return f"-{self.t_cds_start - 1 + dist}"
            return f"*{self.t_length - self.t_cds_end + dist}"
        left = max(e for s, e in self.exons_g if e < g)
        right = min(s for s, e in self.exons_g if s > g)
        d_left, d_right = g - left, right - g
        if self.plus:
            if d_left <= d_right:
                return f"{self._c_of_t(self.t_of(left))}+{d_left}"
            return f"{self._c_of_t(self.t_of(right))}-{d_right}"
        if d_right <= d_left:
            return f"{self._c_of_t(self.t_of(right))}+{d_right}"
        return f"{self._c_of_t(self.t_of(left))}-{d_left}"

    def cds_index(self, g: int) -> int | None:
        """0-based index of a genomic base in the coding sequence, None if not coding."""
        if not self.exonic(g):
            return None
        t = self.t_of(g)
        if self.t_cds_start <= t <= self.t_cds_end:
            return t - self.t_cds_start
        return None

    def spliced(self, seq: SeqFn) -> str:
        """Mature transcript sequence in transcript orientation."""
        parts = [seq(s, e) for s, e in self.exons_g]
        joined = "".join(parts)
        return joined if self.plus else revcomp(joined)


def _trim(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    while ref and alt and ref[0] == alt[0]:
        ref, alt, pos = ref[1:], alt[1:], pos + 1
    return pos, ref, alt


def _shift(
    plus: bool, start: int, ref: str, alt: str, seq: SeqFn, limit: tuple[int, int]
) -> tuple[int, str, str]:
    """Shift a pure insertion or deletion 3' in transcript orientation."""
    lo, hi = limit
    if ref and not alt:  # deletion of [start, start+len-1]
        end = start + len(ref) - 1
        if plus:
            while end + 1 <= hi and seq(end + 1, end + 1) == seq(start, start):
                start, end = start + 1, end + 1
        else:
            while start - 1 >= lo and seq(start - 1, start - 1) == seq(end, end):
                start, end = start - 1, end - 1
        return start, seq(start, end), ""
    if alt and not ref:  # insertion between start-1 and start
        if plus:
            while start <= hi and seq(start, start) == alt[0]:
                alt = alt[1:] + alt[0]
                start += 1
        else:
            while start - 1 >= lo and seq(start - 1, start - 1) == alt[-1]:
                alt = alt[-1] + alt[:-1]
                start -= 1
    return start, ref, alt


def describe(tx: Transcript, pos: int, ref: str, alt: str, seq: SeqFn) -> Hgvs:
    """HGVS c. and p. for a VCF-style allele (pos, ref, alt) on ``tx``."""
    m = TranscriptMap(tx)
    start, r, a = _trim(pos, ref.upper(), alt.upper())
    if not r and not a:  # REF == ALT: no change
        return Hgvs(f"c.{_range(m, pos, pos + max(len(ref), 1) - 1)}=", None)
    limit = (max(1, m.tx_start - 5000), m.tx_end + 5000)
    start, r, a = _shift(m.plus, start, r, a, seq, limit)
    c = _describe_c(m, start, r, a, seq)
    p = _describe_p(m, start, r, a, seq)
    return Hgvs(c, p)


def _oriented(m: TranscriptMap, s: str) -> str:
    return s if m.plus else revcomp(s)


def _range(m: TranscriptMap, g1: int, g2: int) -> str:
    first, last = (g1, g2) if m.plus else (g2, g1)
    if first == last:
        return m.c_pos(first)
    return f"{m.c_pos(first)}_{m.c_pos(last)}"


def _describe_c(m: TranscriptMap, start: int, r: str, a: str, seq: SeqFn) -> str:
    if len(r) == 1 and len(a) == 1:
        return f"c.{m.c_pos(start)}{_oriented(m, r)}>{_oriented(m, a)}"
    if r and not a:
        return f"c.{_range(m, start, start + len(r) - 1)}del"
    if a and not r:
        k = len(a)
        if m.plus and start - k >= 1 and seq(start - k, start - 1) == a:
            return f"c.{_range(m, start - k, start - 1)}dup"
        if not m.plus and seq(start, start + k - 1) == a:
            return f"c.{_range(m, start, start + k - 1)}dup"
        left, right = (start - 1, start) if m.plus else (start, start - 1)
        return f"c.{m.c_pos(left)}_{m.c_pos(right)}ins{_oriented(m, a)}"
    return f"c.{_range(m, start, start + len(r) - 1)}delins{_oriented(m, a)}"


def _aa(seq: str, i: int) -> str:
    return AA3.get(seq[i], "Xaa") if i < len(seq) else "Ter"


def _three(seq: str) -> str:
    return "".join(AA3.get(x, "Xaa") for x in seq)


def _tail_index(m: TranscriptMap, g: int) -> int | None:
    """0-based index of an exonic base in CDS + 3' UTR (None for 5' UTR or intron)."""
    if not m.exonic(g):
        return None
    t = m.t_of(g)
    return t - m.t_cds_start if t >= m.t_cds_start else None


@dataclass(frozen=True)
class _Proteins:
    """Reference and variant translations of one change, for :func:`_describe_p`."""

    ref: str  # reference protein; ends with "*" (the CDS includes the stop codon)
    alt: str  # variant protein, translated to its first stop
    mutated: str  # variant CDS plus 3' UTR, for reading through a lost stop
    cds_length: int  # reference CDS length in bases


def _describe_p(m: TranscriptMap, start: int, r: str, a: str, seq: SeqFn) -> str | None:
    """Predicted protein consequence; None when no coding base is touched."""
    span = _coding_span(m, start, r)
    if span is None or isinstance(span, str):
        return span
    lo, hi = span
    prot = _translate_change(m, seq, lo, hi, r, a)
    n = _first_difference(prot.ref, prot.alt)
    if n >= len(prot.ref):
        # whole reference protein kept, stop included: synonymous
        return _synonymous(prot.ref, lo, hi, insertion=not r)
    if n == 0:
        return "p.(Met1?)"
    if prot.ref[n] == "*":
        return _extension(prot.alt, n)
    if n < len(prot.alt) and prot.alt[n] == "*":
        # first changed residue is a stop: nonsense, whatever the DNA change (substitution,
        # in-frame deletion/insertion or frameshift) - HGVS describes it as p.(Xaa123Ter)
        return f"p.({_aa(prot.ref, n)}{n + 1}Ter)"
    delta = len(a) - len(r)
    if delta % 3:
        return _frameshift(prot, n)
    return _inframe(prot, n, hi, delta)


def _coding_span(m: TranscriptMap, start: int, r: str) -> tuple[int, int] | str | None:
    """(lo, hi) 0-based CDS(+3' UTR) indices of the change, or the whole answer.

    None when no coding base is touched; ``p.(Met1?)`` or ``p.?`` when the change joins
    coding sequence with 5' UTR or intron. An insertion (``r`` empty) between start-1 and
    start is coding only with both flanks coding; its span is (left, left).
    """
    if not r:
        left, right = m.cds_index(start - 1), m.cds_index(start)
        if left is None or right is None:
            return None
        return min(left, right), min(left, right)
    span = range(start, start + len(r))
    coding = [m.cds_index(g) for g in span]
    if all(x is None for x in coding):
        return None
    tail_idx = [_tail_index(m, g) for g in span]
    if any(x is None for x in coding) and any(x is not None and x < 3 for x in coding):
        return "p.(Met1?)"  # the start codon with 5' UTR or intron
    if any(x is None for x in tail_idx):
        # part of the change is intronic (splice site) or 5' UTR: protein unpredictable
        return "p.?"
    known = [x for x in tail_idx if x is not None]
    return min(known), max(known)


def _translate_change(m: TranscriptMap, seq: SeqFn, lo: int, hi: int, r: str, a: str) -> _Proteins:
    """Translate the reference CDS and the CDS with ``a`` in place of bases lo..hi."""
    mrna = m.spliced(seq)
    cds_from = m.t_cds_start - 1
    coding_seq = mrna[cds_from : m.t_cds_end]
    tail = mrna[cds_from:]  # CDS plus 3' UTR, for reading through a lost stop or a frameshift
    cut = (lo, hi + 1) if r else (lo + 1, lo + 1)
    mutated = tail[: cut[0]] + _oriented(m, a) + tail[cut[1] :]
    return _Proteins(
        translate(coding_seq), translate(mutated, to_stop=True), mutated, len(coding_seq)
    )


def _first_difference(ref_prot: str, alt_prot: str) -> int:
    n = 0
    while n < len(ref_prot) and n < len(alt_prot) and ref_prot[n] == alt_prot[n]:
        n += 1
    return n


def _synonymous(ref_prot: str, lo: int, hi: int, insertion: bool) -> str:
    last = min(hi // 3, len(ref_prot) - 1)  # a change reaching into the 3' UTR: the stop
    first = min(lo // 3, last)
    if first == last or insertion:
        return f"p.({_aa(ref_prot, last)}{last + 1}=)"
    return f"p.({_aa(ref_prot, first)}{first + 1}_{_aa(ref_prot, last)}{last + 1}=)"


def _extension(alt_prot: str, n: int) -> str:
    """Stop lost (or sequence added just before the stop): the new stop is numbered from
    the first residue of the extension (the one replacing Ter)."""
    new_stop = f"Ter{len(alt_prot) - n}" if alt_prot.endswith("*") else "Ter?"
    return f"p.(Ter{n + 1}{_aa(alt_prot, n)}ext{new_stop})"


def _frameshift(prot: _Proteins, n: int) -> str:
    ref_aa = _aa(prot.ref, n)
    if n >= len(prot.alt):  # defensive: read off the end of the transcript
        return f"p.({ref_aa}{n + 1}fsTer?)"
    new = _aa(prot.alt, n)
    if prot.alt.endswith("*"):
        return f"p.({ref_aa}{n + 1}{new}fsTer{len(prot.alt) - n})"
    return f"p.({ref_aa}{n + 1}{new}fsTer?)"


def _inframe(prot: _Proteins, n: int, hi: int, delta: int) -> str:
    """An in-frame change whose first changed residue ``n`` is not a stop.

    A change ending before the stop codon: compare full-length translations (the
    reference stop stays in frame), so that an in-frame stop in the inserted sequence is
    described as an insertion/delins ending in Ter, not as a loss of the C terminus.
    A change of the stop codon itself reads through into the 3' UTR.
    """
    before_stop = hi < prot.cds_length - 3
    alt_full = translate(prot.mutated[: prot.cds_length + delta]) if before_stop else prot.alt
    i, j = len(prot.ref), len(alt_full)
    while i > n and j > n and prot.ref[i - 1] == alt_full[j - 1]:
        i, j = i - 1, j - 1
    inserted = alt_full[n:j]
    if "*" in inserted:
        inserted = inserted[: inserted.index("*") + 1]
    return _inframe_text(prot.ref, n, i, inserted)


def _inframe_text(ref_prot: str, n: int, i: int, inserted: str) -> str:
    """HGVS p. of residues n..i-1 (0-based) of ``ref_prot`` replaced by ``inserted``."""
    deleted = ref_prot[n:i]
    ref_aa = _aa(ref_prot, n)
    if len(deleted) == 1 and len(inserted) == 1:
        return f"p.({ref_aa}{n + 1}{_three(inserted)})"
    if deleted and not inserted:
        if len(deleted) == 1:
            return f"p.({ref_aa}{n + 1}del)"
        return f"p.({ref_aa}{n + 1}_{_aa(ref_prot, i - 1)}{i}del)"
    if inserted and not deleted:
        k = len(inserted)
        if "*" not in inserted and n - k >= 0 and ref_prot[n - k : n] == inserted:
            if k == 1:
                return f"p.({_aa(ref_prot, n - 1)}{n}dup)"
            return f"p.({_aa(ref_prot, n - k)}{n - k + 1}_{_aa(ref_prot, n - 1)}{n}dup)"
        return f"p.({_aa(ref_prot, n - 1)}{n}_{ref_aa}{n + 1}ins{_three(inserted)})"
    if len(deleted) == 1:
        return f"p.({ref_aa}{n + 1}delins{_three(inserted)})"
    return f"p.({ref_aa}{n + 1}_{_aa(ref_prot, i - 1)}{i}delins{_three(inserted)})"
