"""HGVS c./p. descriptions (bigmed.genome.hgvs) against real annotations and independent checks.

Four kinds of test:

* a table of real variants (tests/unit/data/hgvs/real_variants.tsv) whose expected c. and p.
  come from published annotation of the same RefSeq/Ensembl transcript (VEP, curated
  phenopackets, CIViC, cancer hotspots; the file's header names each source file);
* known, deliberate differences from those sources, each with its reason;
* hand-checked edge cases (stop loss, start loss, in-frame stops, UTRs, introns);
* Hypothesis properties checked against code written here independently of the engine:
  a c. description applied back to the reference must give the same sequence as the VCF
  allele; a transcript and its mirror image (contig reverse-complemented, strand flipped)
  must get the same description; every VCF representation of an indel in a repeat must
  get the same (3'-shifted) description; the p. description applied to the reference
  protein must give the protein translated from the variant mRNA.

Resources: the shipped mini-genome (resources/reference/minigenome.fa.gz) and its gene
models (resources/annotation/minigenome.gff3); contig ``chrom_start_end`` position p is
GRCh38 ``chrom:start+p-1``.
"""

from __future__ import annotations

import csv
import itertools
import re
from dataclasses import dataclass, replace
from functools import cache, lru_cache

import pysam
import pytest
from bigmed.genome.gff import Transcript, preferred_transcripts, read_gff3
from bigmed.genome.hgvs import AA3, CODON_TABLE, describe, revcomp, translate
from conftest import ROOT
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

RES = ROOT / "resources"
FASTA = RES / "reference" / "minigenome.fa.gz"
GFF = RES / "annotation" / "minigenome.gff3"
CONTIGS = RES / "reference" / "contigs.tsv"
REAL = ROOT / "tests" / "unit" / "data" / "hgvs" / "real_variants.tsv"


# ---------------------------------------------------------------- shared resources


@lru_cache(maxsize=1)
def _transcripts() -> dict[str, Transcript]:
    return read_gff3(str(GFF))


@lru_cache(maxsize=1)
def _fasta() -> pysam.FastaFile:
    return pysam.FastaFile(str(FASTA))


@lru_cache(maxsize=1)
def _contigs() -> list[tuple[str, str, int, int]]:
    with open(CONTIGS) as handle:
        return [
            (r["contig"], r["chrom"], int(r["start"]), int(r["end"]))
            for r in csv.DictReader(handle, delimiter="\t")
        ]


def _contig_length(contig: str) -> int:
    return _fasta().get_reference_length(contig)


@cache
def _contig_seq(contig: str) -> str:
    return _fasta().fetch(contig).upper()


def seqfn(contig: str):  # type: ignore[no-untyped-def]
    whole = _contig_seq(contig)

    def fetch(start: int, end: int) -> str:
        if end < start:
            return ""
        return whole[max(start, 1) - 1 : end]

    return fetch


def to_contig(chrom: str, pos: int) -> tuple[str, int]:
    for contig, ch, start, end in _contigs():
        if ch == chrom and start <= pos <= end:
            return contig, pos - start + 1
    raise KeyError(f"{chrom}:{pos} is outside the mini-genome")


def describe_grch38(txid: str, chrom: str, pos: int, ref: str, alt: str):  # type: ignore[no-untyped-def]
    tx = _transcripts()[txid]
    contig, cpos = to_contig(chrom, pos)
    assert contig == tx.contig
    seq = seqfn(contig)
    assert seq(cpos, cpos + len(ref) - 1) == ref, "REF does not match the mini-genome"
    return describe(tx, cpos, ref, alt, seq)


# ---------------------------------------------------------------- notation helpers

AA1 = {three: one for one, three in AA3.items()}
_AA3_RE = "|".join(sorted(set(AA3.values()), key=len, reverse=True))


def canonical_p(p: str) -> str:
    """A published p. (1- or 3-letter, with or without parentheses, '*' or Ter, '%3D'
    for '=') in the engine's form: 3-letter codes, Ter, predicted change in parentheses."""
    p = p.replace("%3D", "=").split(":")[-1].strip()
    if p in ("", "p.?"):
        return p
    body = p[2:].strip("()")
    if not re.search(_AA3_RE, body):  # one-letter form
        out = []
        for ch in body:
            if ch == "*":
                out.append("Ter")
            elif ch.isalpha() and ch.isupper() and ch in AA3:
                out.append(AA3[ch])
            else:
                out.append(ch)
        body = "".join(out)
    body = body.replace("*", "Ter")
    return f"p.({body})"


def canonical_c(c: str) -> str:
    """A published c. without its accession and without optional deleted/duplicated bases."""
    c = c.split(":")[-1].strip()
    c = re.sub(r"(del)[ACGT]+(?=$|ins)", r"\1", c)
    return re.sub(r"(dup)[ACGT]+$", r"\1", c)


def test_canonical_p_normalises_published_notations():
    assert canonical_p("p.V600E") == "p.(Val600Glu)"
    assert canonical_p("ENSP00000350195.2:p.Asn622Lys") == "p.(Asn622Lys)"
    assert canonical_p("NP_000129.3:p.(Cys639Tyr)") == "p.(Cys639Tyr)"
    assert canonical_p("p.L2842Pfs*7") == "p.(Leu2842ProfsTer7)"
    assert canonical_p("p.His65%3D") == "p.(His65=)"
    assert canonical_p("p.Y935*") == "p.(Tyr935Ter)"
    assert canonical_p("p.E110_K111dup") == "p.(Glu110_Lys111dup)"
    assert canonical_c("NM_004333.4:c.1799_1800delTGinsAT") == "c.1799_1800delinsAT"


# ---------------------------------------------------------------- real variants

SOURCES = {}  # key -> file, from the fixture header


def _real_rows() -> list[dict[str, str]]:
    rows = []
    with open(REAL) as handle:
        lines = []
        for line in handle:
            if line.startswith("##"):
                key, _, value = line[2:].strip().partition("=")
                SOURCES[key] = value
            else:
                lines.append(line)
    for row in csv.DictReader(lines, delimiter="\t"):
        rows.append(row)
    return rows


REAL_ROWS = _real_rows()


def _row_id(row: dict[str, str]) -> str:
    what = row["hgvs_c"] or canonical_p(row["hgvs_p"])
    return f"{row['gene']}:{what}"


def test_real_table_covers_the_cases_it_claims():
    rows = REAL_ROWS
    assert len(rows) >= 40
    strands = {_transcripts()[r["transcript"]].strand for r in rows}
    assert strands == {"+", "-"}
    cs = [r["hgvs_c"] for r in rows if r["hgvs_c"]]
    for pattern in (
        r"\d[ACGT]>[ACGT]$",
        r"del$",
        r"dup$",
        r"ins[ACGT]+$",
        r"delins[ACGT]+$",
        r"\d[+-]\d",
        r"c\.-\d",
        r"c\.-\d+-\d",
    ):
        assert any(re.search(pattern, c) for c in cs), pattern
    ps = [canonical_p(r["hgvs_p"]) for r in rows if r["hgvs_p"]]
    for pattern in (
        r"\d[A-Z][a-z]{2}\)$",
        r"Ter\)$",
        r"=\)$",
        r"fsTer\d+\)$",
        r"del\)$",
        r"dup\)$",
        r"ins[A-Za-z]+\)$",
    ):
        assert any(re.search(pattern, p) for p in ps), pattern
    assert set(r["source"].split(",")[0] for r in rows) <= set(SOURCES)


@pytest.mark.parametrize("row", REAL_ROWS, ids=_row_id)
def test_real_variant(row: dict[str, str]):
    h = describe_grch38(row["transcript"], row["chrom"], int(row["pos"]), row["ref"], row["alt"])
    if row["hgvs_c"]:
        assert h.c == canonical_c(row["hgvs_c"])
    if row["hgvs_p"]:
        assert h.p == canonical_p(row["hgvs_p"])
    elif row["hgvs_c"] and re.search(r"\d[+-]\d+[ACGT]", row["hgvs_c"]):
        # intronic: VEP gives no HGVSp and neither do we (see KNOWN_DIFFERENCES for p.?)
        assert h.p is None


def test_braf_v600e_on_the_contig():
    tx = _transcripts()["NM_004333.4"]
    h = describe(tx, 36010, "A", "T", seqfn(tx.contig))
    assert (h.c, h.p) == ("c.1799T>A", "p.(Val600Glu)")


# ---------------------------------------------------------------- known differences

# (transcript, GRCh38 chrom, pos, ref, alt, source value, our value, why)
KNOWN_DIFFERENCES = [
    # phenopacket-store (cases/phenopackets/*.json, hgvs.p from VariantValidator) writes
    # p.? for intronic splice-region variants; VEP writes no HGVSp there, and neither do
    # we: describe() returns p=None for a change that touches no coding base.
    (
        "NM_000138.4",
        "chr15",
        48456636,
        "C",
        "T",
        "p.?",
        None,
        "FBN1 c.5422+1G>A: intronic, no protein prediction (VEP convention)",
    ),
    (
        "NM_000218.2",
        "chr11",
        2528019,
        "G",
        "A",
        "p.?",
        None,
        "KCNQ1 c.477+1G>A: intronic, no protein prediction (VEP convention)",
    ),
    (
        "NM_170707.2",
        "chr1",
        156137033,
        "G",
        "C",
        "p.?",
        None,
        "LMNA c.1488+5G>C: intronic, no protein prediction (VEP convention)",
    ),
    # CIViC (kb/civic/variants.json.gz) "BRCA2 M1I": NP_000050.2:p.Met1Ile. HGVS asks
    # for p.(Met1?) when the initiation codon is changed and the effect is predicted.
    (
        "NM_000059.3",
        "chr13",
        32316463,
        "G",
        "T",
        "p.Met1Ile",
        "p.(Met1?)",
        "start codon change: HGVS p.(Met1?)",
    ),
    # CIViC "EGFR D770_N771insSVD": c.2303_2311dup inserts Ser-Val-Asp after Asp770,
    # a copy of the three residues before it, so HGVS makes it a duplication.
    (
        "NM_005228.3",
        "chr7",
        55181309,
        "C",
        "CCAGCGTGGA",
        "p.Asp770_Asn771insSerValAsp",
        "p.(Ser768_Asp770dup)",
        "insertion copying the preceding residues is a dup",
    ),
    # CIViC "ERBB2 L755_T759del": NM_004448.3:c.2263_2277del is not 3'-shifted; c.2263 and
    # c.2278 are the same base, so the HGVS 3' rule gives c.2264_2278del (same allele).
    (
        "NM_004448.3",
        "chr17",
        39723965,
        "GTTGAGGGAAAACACAT",
        "GT",
        "c.2263_2277del",
        "c.2264_2278del",
        "3' rule",
    ),
]


@pytest.mark.parametrize("case", KNOWN_DIFFERENCES, ids=lambda c: c[-1][:40])
def test_known_difference(case):  # type: ignore[no-untyped-def]
    txid, chrom, pos, ref, alt, theirs, ours, _why = case
    h = describe_grch38(txid, chrom, pos, ref, alt)
    got = h.c if theirs.startswith("c.") else h.p
    assert got == ours
    assert got != (canonical_c(theirs) if theirs.startswith("c.") else canonical_p(theirs))


def test_erbb2_deletion_is_the_3prime_representation():
    tx = _transcripts()["NM_004448.3"]
    contig, cpos = to_contig("chr17", 39723965)
    seq = seqfn(contig)
    # the same 15-bp deletion written one base further 5' (CIViC's c.2263_2277del)
    left = describe(tx, cpos, seq(cpos, cpos + 15), seq(cpos, cpos), seq)
    right = describe(tx, cpos + 1, seq(cpos + 1, cpos + 16), seq(cpos + 1, cpos + 1), seq)
    assert left == right
    assert left.c == "c.2264_2278del"


# ---------------------------------------------------------------- independent model


@dataclass(frozen=True)
class Model:
    """Transcript coordinates computed here, without bigmed.genome.hgvs.TranscriptMap."""

    tx: Transcript
    bases: tuple[int, ...]  # genomic position of every exonic base, in transcript order
    cds_first: int  # index in bases of c.1
    cds_last: int  # index in bases of the last base of the stop codon

    @property
    def step(self) -> int:
        return 1 if self.tx.strand == "+" else -1


def model(tx: Transcript) -> Model:
    plus = tx.strand == "+"
    bases: list[int] = []
    for s, e in sorted(tx.exons, reverse=not plus):
        bases.extend(range(s, e + 1) if plus else range(e, s - 1, -1))
    cds_g = [g for s, e in tx.cds for g in range(s, e + 1)]
    first = min(cds_g) if plus else max(cds_g)
    last = max(cds_g) if plus else min(cds_g)
    return Model(tx, tuple(bases), bases.index(first), bases.index(last))


_CPOS = re.compile(r"^([-*]?)(\d+)(?:([+-])(\d+))?$")


def genomic_of_c(md: Model, text: str) -> int:
    """Genomic position of a c. position such as 123, -20, *30, 123+5, -19-115, *7-3."""
    m = _CPOS.match(text)
    assert m, text
    kind, num, sign, off = m.group(1), int(m.group(2)), m.group(3), m.group(4)
    if kind == "":
        assert num >= 1
        t = md.cds_first + num - 1
    elif kind == "-":
        t = md.cds_first - num
    else:
        t = md.cds_last + num
    if t < 0:
        g = md.bases[0] - md.step * (-t)
    elif t >= len(md.bases):
        g = md.bases[-1] + md.step * (t - len(md.bases) + 1)
    else:
        g = md.bases[t]
    if sign:
        g += md.step * int(off) * (1 if sign == "+" else -1)
    return g


_CDESC = re.compile(
    r"^c\.(?P<a>[-*]?\d+(?:[+-]\d+)?)(?:_(?P<b>[-*]?\d+(?:[+-]\d+)?))?"
    r"(?:(?P<sub>[ACGT])>(?P<to>[ACGT])|(?P<op>delins|del|dup|ins)(?P<seq>[ACGT]*))$"
)


def apply_c(md: Model, desc: str, seq) -> tuple[int, int, str]:  # type: ignore[no-untyped-def]
    """The genomic edit (first, last, replacement; last = first-1 for an insertion) that a
    c. description means."""
    m = _CDESC.match(desc)
    assert m, desc
    ga = genomic_of_c(md, m.group("a"))
    gb = genomic_of_c(md, m.group("b")) if m.group("b") else ga
    lo, hi = min(ga, gb), max(ga, gb)
    if md.tx.strand == "+":
        assert ga <= gb, desc  # positions are written 5'->3' in the transcript
    else:
        assert ga >= gb, desc
    orient = (lambda s: s) if md.tx.strand == "+" else revcomp
    if m.group("sub"):
        assert ga == gb
        assert orient(seq(ga, ga)) == m.group("sub"), f"{desc}: reference base differs"
        return ga, ga, orient(m.group("to"))
    op, ins = m.group("op"), m.group("seq")
    if op == "del":
        assert not ins
        return lo, hi, ""
    if op == "dup":
        assert not ins
        return hi + 1, hi, seq(lo, hi)
    if op == "ins":
        assert hi == lo + 1, f"{desc}: insertion flanks must be adjacent"
        return hi, lo, orient(ins)
    return lo, hi, orient(ins)


def edited(seq, first: int, last: int, replacement: str, lo: int, hi: int) -> str:  # type: ignore[no-untyped-def]
    """Sequence of [lo, hi] after replacing [first, last] (empty when last < first)."""
    return seq(lo, first - 1) + replacement + seq(last + 1, hi)


def assert_c_roundtrip(tx: Transcript, pos: int, ref: str, alt: str, seq, c: str) -> None:  # type: ignore[no-untyped-def]
    md = model(tx)
    first, last, rep = apply_c(md, c, seq)
    lo = min(pos, first) - 60
    hi = max(pos + len(ref) - 1, last) + 60
    lo = max(lo, 1)
    want = edited(seq, pos, pos + len(ref) - 1, alt, lo, hi)
    got = edited(seq, first, last, rep, lo, hi)
    assert got == want, f"{c} does not describe {pos} {ref}>{alt}"


# ---------------------------------------------------------------- protein check

# The standard genetic code as the engine once wrote it by hand (TCAG order of the three
# codon positions); kept here as the independent table the engine's is checked against.
_TCAG = "TCAG"
_TCAG_AAS = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
HAND_CODON_TABLE = {
    a + b + c: _TCAG_AAS[16 * i + 4 * j + k]
    for i, a in enumerate(_TCAG)
    for j, b in enumerate(_TCAG)
    for k, c in enumerate(_TCAG)
}


def test_codon_table_matches_the_hand_written_one() -> None:
    assert len(HAND_CODON_TABLE) == 64
    assert CODON_TABLE == HAND_CODON_TABLE
    for codon, aa in HAND_CODON_TABLE.items():
        assert translate(codon) == aa, codon
    assert translate("TAN") == "X"  # an ambiguous codon stays unknown


def test_three_letter_names() -> None:
    hand = dict(zip("ARNDCQEGHILKMFPSTWYV*X", re.findall("...", _HAND_AA3), strict=True))
    assert hand == AA3
    assert set(AA3) >= set(HAND_CODON_TABLE.values())


_HAND_AA3 = "AlaArgAsnAspCysGlnGluGlyHisIleLeuLysMetPheProSerThrTrpTyrValTerXaa"


def translate1(s: str) -> str:
    out = []
    for i in range(0, len(s) - 2, 3):
        aa = HAND_CODON_TABLE.get(s[i : i + 3], "X")
        out.append(aa)
        if aa == "*":
            break
    return "".join(out)


def equivalent_span(seq, pos: int, ref: str, alt: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Genomic bases an indel may touch in any of its equivalent positions (an insertion
    touches both flanking bases); for a substitution or delins, its own bases."""
    while ref and alt and ref[0] == alt[0]:
        pos, ref, alt = pos + 1, ref[1:], alt[1:]
    while ref and alt and ref[-1] == alt[-1]:
        ref, alt = ref[:-1], alt[:-1]
    if ref and alt:
        return pos, pos + len(ref) - 1
    body, n = (ref or alt), len(ref)
    left, unit = pos, body
    while seq(left - 1, left - 1) == unit[-1]:
        left, unit = left - 1, unit[-1] + unit[:-1]
    right, unit = pos, body
    while seq(right + n, right + n) == unit[0]:
        right, unit = right + 1, unit[1:] + unit[0]
    return (left, right + n - 1) if ref else (left - 1, right)


def proteins(tx: Transcript, pos: int, ref: str, alt: str, seq) -> tuple[str, str] | None:  # type: ignore[no-untyped-def]
    """Reference and variant protein for a change inside one exon, in all its equivalent
    positions, and after c.3 (so that neither splicing nor the start of translation
    moves); None otherwise."""
    first, last = equivalent_span(seq, pos, ref, alt)
    exon = [(s, e) for s, e in tx.exons if s <= first - 1 and last + 1 <= e]
    if len(exon) != 1:
        return None
    md = model(tx)
    cds1 = md.bases[md.cds_first]
    if (tx.strand == "+" and first <= cds1 + 2) or (tx.strand == "-" and last >= cds1 - 2):
        return None
    delta = len(alt) - len(ref)
    parts_ref, parts_alt = [], []
    for s, e in sorted(tx.exons):
        parts_ref.append(seq(s, e))
        if (s, e) == exon[0]:
            parts_alt.append(seq(s, pos - 1) + alt + seq(pos + len(ref), e))
        else:
            parts_alt.append(seq(s, e))
    mrna_ref, mrna_alt = "".join(parts_ref), "".join(parts_alt)
    if tx.strand == "-":
        mrna_ref, mrna_alt = revcomp(mrna_ref), revcomp(mrna_alt)
    assert len(mrna_alt) == len(mrna_ref) + delta
    start = md.cds_first
    ref_p = translate1(mrna_ref[start:])
    alt_p = translate1(mrna_alt[start:])
    return ref_p, alt_p


_P = re.compile(
    rf"^p\.\((?:(?P<a>{_AA3_RE})(?P<n>\d+)(?:_(?P<b>{_AA3_RE})(?P<m>\d+))?)"
    rf"(?P<rest>=|\?|del|dup|ins(?P<ins>(?:{_AA3_RE})+)|delins(?P<dins>(?:{_AA3_RE})+)"
    rf"|(?P<fs>{_AA3_RE})fsTer(?P<fsn>\d+|\?)|(?P<ext>{_AA3_RE})extTer(?P<extn>\d+|\?)"
    rf"|(?P<sub>{_AA3_RE}))\)$"
)


def one(three: str) -> str:
    return "".join(AA1[three[i : i + 3]] for i in range(0, len(three), 3))


def assert_p_semantics(p: str | None, ref_p: str, alt_p: str, delta: int) -> None:
    """The p. description, applied to the reference protein, gives the variant protein."""
    if p is None:  # a change outside the coding sequence (3' UTR just after the stop)
        assert alt_p == ref_p
        return
    m = _P.match(p)
    assert m, p
    n = int(m.group("n"))
    mm = int(m.group("m")) if m.group("m") else n
    a = AA1[m.group("a")]
    assert ref_p[n - 1] == a, f"{p}: residue {n} is {ref_p[n - 1]}"
    if m.group("b"):
        assert ref_p[mm - 1] == AA1[m.group("b")]
    rest = m.group("rest")
    if rest == "=":
        assert alt_p == ref_p
        return
    assert alt_p != ref_p
    if rest == "?":
        assert n == 1 and alt_p[:1] != ref_p[:1]
        return
    assert alt_p[: n - 1] == ref_p[: n - 1], f"{p}: residues before {n} changed"
    if m.group("fs"):
        assert delta % 3 != 0
        new = AA1[m.group("fs")]
        assert alt_p[n - 1] == new != ref_p[n - 1] and new != "*"
        if m.group("fsn") == "?":
            assert not alt_p.endswith("*")
        else:
            assert alt_p.endswith("*") and len(alt_p) == n - 1 + int(m.group("fsn"))
        return
    if m.group("ext"):
        assert ref_p[n - 1] == "*"
        assert alt_p[n - 1] == AA1[m.group("ext")]
        if m.group("extn") == "?":
            assert not alt_p.endswith("*")
        else:
            assert alt_p.endswith("*") and len(alt_p) == n - 1 + int(m.group("extn"))
        return
    if m.group("sub"):
        new = AA1[m.group("sub")]
        if new == "*":  # nonsense, from any kind of DNA change
            assert alt_p == ref_p[: n - 1] + "*"
        else:
            assert delta % 3 == 0
            assert alt_p == ref_p[: n - 1] + new + ref_p[n:]
        return
    assert delta % 3 == 0, f"{p} for a frameshifting change"
    if rest == "del":
        assert alt_p == ref_p[: n - 1] + ref_p[mm:]
        assert ref_p[mm] != ref_p[n - 1], f"{p} is not the most C-terminal deletion"
    elif rest == "dup":
        assert alt_p == ref_p[:mm] + ref_p[n - 1 : mm] + ref_p[mm:]
        assert ref_p[mm] != ref_p[n - 1], f"{p} is not the most C-terminal duplication"
    elif m.group("ins"):
        ins = one(m.group("ins"))
        assert mm == n + 1
        if ins.endswith("*"):
            assert alt_p == ref_p[:n] + ins
        else:
            assert alt_p == ref_p[:n] + ins + ref_p[n:]
            assert ref_p[n - len(ins) : n] != ins, f"{p} should be a dup"
    else:
        ins = one(m.group("dins"))
        if ins.endswith("*"):
            assert alt_p == ref_p[: n - 1] + ins
        else:
            assert alt_p == ref_p[: n - 1] + ins + ref_p[mm:]


# ---------------------------------------------------------------- hand-checked edge cases


def _tx(txid: str) -> tuple[Transcript, Model]:
    tx = _transcripts()[txid]
    return tx, model(tx)


@pytest.mark.parametrize("txid", ["NM_000038.4", "NM_004333.4"])  # APC (+), BRAF (-)
def test_edge_cases_round_trip_and_protein(txid: str):
    tx, md = _tx(txid)
    seq = seqfn(tx.contig)
    orient = (lambda s: s) if tx.strand == "+" else revcomp

    def at(c: str) -> int:
        return genomic_of_c(md, c)

    cds_len = md.cds_last - md.cds_first + 1
    cases = []
    # stop codon SNVs: extension, e.g. p.(Ter2844GlnextTer28)
    g = at(str(cds_len - 2))
    for b in "ACG":
        cases.append((g, seq(g, g), orient(b)))
    # start codon, 3' UTR, downstream, upstream
    cases += [(at("1"), seq(at("1"), at("1")), "C" if seq(at("1"), at("1")) != "C" else "G")]
    for c in ("*1", "*10", "*40", "-1", "-30"):
        g = at(c)
        cases.append((g, seq(g, g), "A" if seq(g, g) != "A" else "C"))
    for g in (md.bases[-1] + 7 * md.step, md.bases[0] - 7 * md.step):
        cases.append((g, seq(g, g), "A" if seq(g, g) != "A" else "C"))
    for pos, ref, alt in cases:
        h = describe(tx, pos, ref, alt, seq)
        assert_c_roundtrip(tx, pos, ref, alt, seq, h.c)
        if h.c.startswith(("c.*", "c.-")):
            assert h.p is None
    # 7 bases past the end of the transcript: c.* counts on from the last exonic base
    utr3 = len(md.bases) - 1 - md.cds_last
    g = md.bases[-1] + 7 * md.step
    h = describe(tx, g, seq(g, g), "A" if seq(g, g) != "A" else "C", seq)
    assert h.c.startswith(f"c.*{utr3 + 7}") and h.p is None
    # 7 bases before its start: c.- counts on from the first
    g = md.bases[0] - 7 * md.step
    h = describe(tx, g, seq(g, g), "A" if seq(g, g) != "A" else "C", seq)
    assert h.c.startswith(f"c.-{md.cds_first + 7}") and h.p is None


def test_stop_loss_start_loss_and_inframe_stops():
    tx, md = _tx("NM_000038.4")  # APC, + strand
    seq = seqfn(tx.contig)

    def at(c: str) -> int:
        return genomic_of_c(md, c)

    cds_len = md.cds_last - md.cds_first + 1
    g = at(str(cds_len - 2))  # first base of the TAA/TAG/TGA stop codon
    assert describe(tx, g, "T", "C", seq).p == "p.(Ter2844GlnextTer28)"
    assert describe(tx, at("1"), "A", "C", seq).p == "p.(Met1?)"
    # an in-frame TAA right after c.30 ends the protein at residue 11: nonsense
    g30 = at("30")
    b = seq(g30, g30)
    assert describe(tx, g30, b, b + "TAA", seq).p == "p.(Lys11Ter)"
    # GGG TAA: Gly then Ter inserted between Leu10 and Lys11 (HGVS: insertion ending in
    # Ter, not a deletion of the C terminus)
    assert describe(tx, g30, b, b + "GGGTAA", seq).p == "p.(Leu10_Lys11insGlyTer)"
    # one base more: a frameshift
    assert describe(tx, g30, b, b + "GGGTAAC", seq).p == "p.(Lys11GlyfsTer2)"
    # deletion from the 5' UTR into the start codon
    g = at("-3")
    h = describe(tx, g, seq(g, at("2")), seq(g, g), seq)
    assert h.p == "p.(Met1?)"


def test_minus_strand_start_codon_deletion_and_stop_loss():
    tx, md = _tx("NM_004333.4")  # BRAF, - strand
    seq = seqfn(tx.contig)
    g1, gm2 = genomic_of_c(md, "2"), genomic_of_c(md, "-2")
    # VCF: pad base at g1-1, delete c.2 .. c.-2 (genomic g1 .. gm2)
    h = describe(tx, g1 - 1, seq(g1 - 1, gm2), seq(g1 - 1, g1 - 1), seq)
    assert (h.c, h.p) == ("c.-2_2del", "p.(Met1?)")
    g = genomic_of_c(md, "2299")  # T of the TGA stop
    assert describe(tx, g, "A", "T", seq).p == "p.(Ter767ArgextTer4)"


def test_stop_codon_deletion_reads_through_into_the_3prime_utr():
    # BRAF c.2296_2301del removes His766 and the stop codon; translation continues into
    # the 3' UTR (Asn, Lys, stop). VariantValidator and Mutalyzer give
    # p.(His766delinsAsnLys) (HGVS discussion forum, "Simple in frame deletions involving
    # the stop codon", Oct 2024: NC_000007.13:g.140434397_140434402del on NM_004333.6,
    # same coding sequence as NM_004333.4); HGVS itself has no settled rule for this.
    h = describe_grch38("NM_004333.4", "chr7", 140734596, "TTCAGTG", "T")
    assert (h.c, h.p) == ("c.2296_2301del", "p.(His766delinsAsnLys)")


def test_stop_codon_kept_by_a_deletion_reaching_into_the_utr():
    # LAMP2 (- strand) ...TAG|AAT: deleting AG from the stop leaves TAA, a stop again
    tx = _transcripts()["NM_002294.2"]
    seq = seqfn(tx.contig)
    assert seq(7175, 7177) == "TCT"
    h = describe(tx, 7175, "TCT", "T", seq)
    assert (h.c, h.p) == ("c.1233_*1del", "p.(Ter411=)")


def test_ref_equal_to_alt_is_no_change():
    tx = _transcripts()["NM_004333.4"]
    assert describe(tx, 36010, "A", "A", seqfn(tx.contig)) == describe(
        tx, 36010, "a", "A", seqfn(tx.contig)
    )
    assert describe(tx, 36010, "A", "A", seqfn(tx.contig)).c == "c.1799="


def test_deletion_across_an_intron_is_not_predicted_as_an_in_frame_change():
    tx, _ = _tx("NM_000038.4")
    seq = seqfn(tx.contig)
    # from the last 2 bases of a coding exon to the first 2 bases of the next one
    exons = sorted(tx.exons)
    _, e1 = exons[3]
    s2, _e2 = exons[4]
    h = describe(tx, e1 - 2, seq(e1 - 2, s2 + 1), seq(e1 - 2, e1 - 2), seq)
    assert h.p == "p.?"
    assert_c_roundtrip(tx, e1 - 2, seq(e1 - 2, s2 + 1), seq(e1 - 2, e1 - 2), seq, h.c)


def test_middle_of_intron_rule():
    # HGVS: in an intron of odd length the central base is the last one numbered with '+'
    for txid in ("NM_000038.4", "NM_004333.4"):
        tx, _ = _tx(txid)
        seq = seqfn(tx.contig)
        exons = sorted(tx.exons)
        for (_, e1), (s2, _) in itertools.pairwise(exons):
            length = s2 - e1 - 1
            if length % 2 == 1 and length > 3:
                mid = e1 + (length + 1) // 2
                b = seq(mid, mid)
                h = describe(tx, mid, b, "A" if b != "A" else "C", seq)
                assert f"+{(length + 1) // 2}" in h.c
                break


# ---------------------------------------------------------------- properties

MANE = sorted(t.id for t in preferred_transcripts(_transcripts()).values())
_BASES = st.sampled_from("ACGT")


@st.composite
def variants(draw, coding_only: bool = False):  # type: ignore[no-untyped-def]
    """(transcript, VCF pos, ref, alt): SNV, deletion, insertion, duplication or delins,
    in or near a preferred transcript (in its coding sequence when coding_only)."""
    tx = _transcripts()[draw(st.sampled_from(MANE))]
    md = model(tx)
    if coding_only:
        where = draw(st.sampled_from(["cds", "cds", "near_start", "near_stop"]))
        lo, hi = {
            "cds": (md.cds_first + 3, md.cds_last - 3),
            "near_start": (md.cds_first + 1, md.cds_first + 15),
            "near_stop": (md.cds_last - 20, md.cds_last + 1),
        }[where]
        g = md.bases[draw(st.integers(lo, hi))]
    else:
        where = draw(st.sampled_from(["exon", "near_exon", "anywhere"]))
        idx = draw(st.integers(0, len(md.bases) - 1))
        g = md.bases[idx]
        if where == "near_exon":
            g += draw(st.integers(-25, 25))
        elif where == "anywhere":
            lo, hi = min(md.bases), max(md.bases)
            g = draw(st.integers(max(lo - 300, 2), min(hi + 300, _contig_length(tx.contig) - 30)))
    seq = seqfn(tx.contig)
    kind = draw(st.sampled_from(["snv", "del", "ins", "dup", "delins"]))
    if kind == "snv":
        ref = seq(g, g)
        alt = draw(_BASES.filter(lambda b: b != ref))
        return tx, g, ref, alt
    n = draw(st.integers(1, 12))
    pad = seq(g - 1, g - 1)
    if kind == "del":
        return tx, g - 1, pad + seq(g, g + n - 1), pad
    if kind == "ins":
        ins = "".join(draw(st.lists(_BASES, min_size=n, max_size=n)))
        return tx, g - 1, pad, pad + ins
    if kind == "dup":
        return tx, g - 1, pad, pad + seq(g - n, g - 1)
    k = draw(st.integers(1, 6))
    ins = "".join(draw(st.lists(_BASES, min_size=k, max_size=k)))
    ref = seq(g, g + n - 1)
    assume(ins != ref and ins[0] != ref[0] and ins[-1] != ref[-1])
    return tx, g, ref, ins


PROPS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(variants())
def test_c_description_applied_to_the_reference_gives_the_variant(v):  # type: ignore[no-untyped-def]
    tx, pos, ref, alt = v
    seq = seqfn(tx.contig)
    h = describe(tx, pos, ref, alt, seq)
    assert_c_roundtrip(tx, pos, ref, alt, seq, h.c)


@st.composite
def cds_bases(draw):  # type: ignore[no-untyped-def]
    """(transcript, genomic position of a coding base, alternative base)."""
    tx = _transcripts()[draw(st.sampled_from(MANE))]
    md = model(tx)
    pos = md.bases[draw(st.integers(md.cds_first, md.cds_last))]
    ref = seqfn(tx.contig)(pos, pos)
    return tx, pos, draw(_BASES.filter(lambda b: b != ref))


@PROPS
@given(cds_bases())
def test_snv_in_cds_maps_back_to_its_genomic_position(v):  # type: ignore[no-untyped-def]
    tx, pos, alt = v
    seq = seqfn(tx.contig)
    ref = seq(pos, pos)
    h = describe(tx, pos, ref, alt, seq)
    m = re.match(r"^c\.(\d+)([ACGT])>([ACGT])$", h.c)
    assert m, h.c
    md = model(tx)
    assert genomic_of_c(md, m.group(1)) == pos
    assert md.bases.index(pos) - md.cds_first + 1 == int(m.group(1))
    codon = (int(m.group(1)) + 2) // 3
    assert h.p is not None
    assert h.p == "p.(Met1?)" or re.match(rf"^p\.\([A-Z][a-z]{{2}}{codon}", h.p), h.p


def mirrored(tx: Transcript):  # type: ignore[no-untyped-def]
    """The transcript on the reverse complement of its contig: same transcript, other strand."""
    length = _contig_length(tx.contig)
    flip = [(length - e + 1, length - s + 1) for s, e in tx.exons]
    flip_cds = [(length - e + 1, length - s + 1) for s, e in tx.cds]
    mtx = replace(
        tx, strand="-" if tx.strand == "+" else "+", exons=sorted(flip), cds=sorted(flip_cds)
    )
    seq = seqfn(tx.contig)

    def mseq(s: int, e: int) -> str:
        if e < s:
            return ""
        return revcomp(seq(length - e + 1, length - s + 1))

    return mtx, mseq, length


@PROPS
@given(variants())
def test_other_strand_gives_the_same_description(v):  # type: ignore[no-untyped-def]
    tx, pos, ref, alt = v
    seq = seqfn(tx.contig)
    mtx, mseq, length = mirrored(tx)
    mpos = length - (pos + len(ref) - 1) + 1
    assert mseq(mpos, mpos + len(ref) - 1) == revcomp(ref)
    assert describe(mtx, mpos, revcomp(ref), revcomp(alt), mseq) == describe(tx, pos, ref, alt, seq)


@PROPS
@given(variants())
def test_every_representation_of_an_indel_gets_one_description(v):  # type: ignore[no-untyped-def]
    tx, pos, ref, alt = v
    assume(len(ref) != len(alt) and (ref[0] == alt[0]))
    seq = seqfn(tx.contig)
    want = describe(tx, pos, ref, alt, seq)
    # the indel proper: deleted/inserted sequence after the shared pad base
    body = ref[1:] if len(ref) > len(alt) else alt[1:]
    is_del = len(ref) > len(alt)
    start = pos + 1
    # all positions at which the same indel gives the same sequence: slide left and right
    reps = []
    left = start
    unit = body
    while left - 1 > 1 and seq(left - 1, left - 1) == unit[-1]:
        unit = unit[-1] + unit[:-1]
        left -= 1
        reps.append((left, unit))
    right, unit = start, body
    while (
        seq(right + (len(body) if is_del else 0), right + (len(body) if is_del else 0)) == unit[0]
    ):
        unit = unit[1:] + unit[0]
        right += 1
        reps.append((right, unit))
        if len(reps) > 60:
            break
    for s, u in reps[:20]:
        p = seq(s - 1, s - 1)
        if is_del:
            assert seq(s, s + len(u) - 1) == u
            got = describe(tx, s - 1, p + u, p, seq)
        else:
            got = describe(tx, s - 1, p, p + u, seq)
        assert got == want, (s, u)
    # and the description is the 3'-most one in the transcript
    if want.c.endswith("del") or want.c.endswith("dup"):
        md = model(tx)
        m = _CDESC.match(want.c)
        assert m
        a = genomic_of_c(md, m.group("a"))
        b = genomic_of_c(md, m.group("b")) if m.group("b") else a
        after = b + md.step
        assert seq(after, after) != seq(a, a), f"{want.c} can move 3'"
    m = _CDESC.match(want.c)
    assert m
    if m.group("op") == "ins":
        # an insertion is neither a copy of the sequence just 5' of it (that is a dup)
        # nor able to move 3'
        md = model(tx)
        orient = (lambda s: s) if tx.strand == "+" else revcomp
        ins = orient(m.group("seq"))
        g5, g3 = genomic_of_c(md, m.group("a")), genomic_of_c(md, m.group("b"))
        k = len(ins)
        before = seq(g5 - k + 1, g5) if tx.strand == "+" else seq(g5, g5 + k - 1)
        assert before != ins, f"{want.c} is a dup"
        first_ins = ins[0] if tx.strand == "+" else ins[-1]
        assert seq(g3, g3) != first_ins, f"{want.c} can move 3'"


@PROPS
@given(variants(coding_only=True))
def test_p_description_applied_to_the_reference_protein_gives_the_variant_protein(v):  # type: ignore[no-untyped-def]
    tx, pos, ref, alt = v
    seq = seqfn(tx.contig)
    both = proteins(tx, pos, ref, alt, seq)
    assume(both is not None)
    assert both is not None
    ref_p, alt_p = both
    h = describe(tx, pos, ref, alt, seq)
    assert_p_semantics(h.p, ref_p, alt_p, len(alt) - len(ref))
