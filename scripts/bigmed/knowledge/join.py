"""The knowledge join: every call of a patient against the bundle, by indexed lookups.

:func:`annotate` reads ``results/{patient}/calls.vcf.gz`` (GRCh38, normalised: split and
left-aligned) and returns a JSON-ready document (written to
``results/knowledge/{patient}.annotated.json``)::

    {"bundle": {...}, "sources": {key: {configured, complete, name, version}},
     "genes": {symbol: gene facts (see bigmed.knowledge.bundle)},
     "variants": [{
        "id", "chrom", "pos", "ref", "alt", "filter", "gene", "transcript", "mane_select",
        "consequence", "hgvs_c", "hgvs_p",
        "population":  {af, af_popmax, popmax_group, nhomalt, filter} | null (not found),
        "cohort_frequencies": [{cohort, release, af, allele_number, alleles}] | null (no
                        AF_* on a matching record); the key only when the source is set,
        "clinvar":     {variation_id, significance, class, review_status, stars, conditions,
                        conflicts, submissions (null: no submissions source)} | null,
        "expert_panel": {panel, class, criteria_met, criteria_not_met, disease,
                        approval_date, ...} | null (ClinGen VCEP classification of the allele),
        "clinvar_codon": [{source, variation_id, hgvs_p, class, stars, relation}] | null
                        (not assessed): ClinVar and expert-panel alleles at the codon,
        "predictors":  {revel|cadd|alphamissense|spliceai: score | null} (configured ones),
        "hotspot":     {"allele": [...], "residue": [...], "indel": [...], "splice": [...]} | null,
        "assertions":  [CIViC / MOAlmanac assertions for this protein change],
        "transcript_facts": {exon, exon_count, nmd_escape, fraction_removed, ...} | null,
        "notes": [...]}]}

Exact-allele matches compare minimal representations
(:func:`bigmed.knowledge.sources.normalize_allele`) of the call and of every source record
returned by a tabix fetch over the call's span. Nearby calls share one fetch (clusters of
calls less than ``MAX_GAP`` bp apart).

``clinvar_codon`` lists ClinVar records and ClinGen expert-panel classifications at the
call's codon (other alleles than the call itself), translated on the transcript model:
``same_aa`` (PS1) or ``different_aa`` (PM5). The call's own ClinVar record and expert-panel
classification are reported in ``clinvar`` / ``expert_panel`` (the known-variant path of
:mod:`bigmed.germline.known`) and are never evidence for the engine's own criteria.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

import pysam

from bigmed.genome.gff import Transcript
from bigmed.genome.hgvs import AA3, TranscriptMap, translate
from bigmed.genome.reference import ContigSlice
from bigmed.genome.vcf import NULL_CONSEQUENCES
from bigmed.knowledge.bundle import Bundle
from bigmed.knowledge.sources import (
    SPECS,
    gene_coverage,
    normalize_allele,
    protein_key,
    residue_of,
)
from bigmed.knowledge.variants import (
    ClinVarRecord,
    ExpertPanelRecord,
    VcfSource,
    parse_clinvar,
    parse_cohort_frequencies,
    parse_hotspot,
    parse_population,
    parse_score,
)

PREDICTORS = ("revel", "cadd", "alphamissense", "spliceai")  # user-supplied score sources
MAX_GAP = 200  # calls closer than this are looked up together
ALLELE_PAD = 10  # a source may pad an allele with up to this many leading bases
FETCH_COST_RECORDS = 150  # one tabix fetch (seek + block inflate) ~ reading 150 records
NMD_RULE_NT = 50  # a PTC less than 50 nt 5' of the last exon-exon junction escapes NMD
INFRAME_TERMS = {"inframe_insertion", "inframe_deletion", "inframe_altering"}
# a source's record parser: (alt, payload) for each ALT (bigmed.knowledge.variants.parse_*)
Parse = Callable[[Any], list[tuple[str, Any]]]


@dataclass
class Call:
    index: int
    chrom: str
    pos: int
    ref: str
    alt: str

    @property
    def key(self) -> tuple[int, str, str]:
        return normalize_allele(self.pos, self.ref, self.alt)

    @property
    def end(self) -> int:
        return self.pos + max(len(self.ref), 1) - 1


def _clusters(group: list[Call]) -> list[tuple[int, int]]:
    """(first position, last position) of runs of calls less than MAX_GAP bp apart."""
    spans: list[tuple[int, int]] = []
    for c in group:
        if spans and c.pos - spans[-1][1] <= MAX_GAP:
            spans[-1] = (spans[-1][0], max(spans[-1][1], c.end))
        else:
            spans.append((c.pos, c.end))
    return spans


@dataclass
class _Density:
    """Records pulled per bp passed over so far: how dense the source is."""

    records: int = 0
    covered: int = 0


class Indexed(Protocol):
    """What lookup() needs of a source: records by GRCh38 position (VcfSource, ScoreSource)."""

    def fetch(self, chrom: str, start0: int, end: int | None) -> Iterator[Any]: ...


class _Cursor:
    """One chromosome's open iterator over a source, kept between clusters of calls.

    A tabix fetch costs about as much as reading ``FETCH_COST_RECORDS`` records, so from
    one cluster to the next the iterator keeps reading when the records expected in the
    gap (from the density seen so far) cost less than a new fetch.
    """

    def __init__(self, source: Indexed, chrom: str, density: _Density) -> None:
        self.source, self.chrom, self.density = source, chrom, density
        self.it: Iterator[pysam.VariantRecord] | None = None
        self.peek: pysam.VariantRecord | None = None  # read past the last cluster's end
        self.last = self.seen = -1  # last record used / last record pulled from ``it``

    def _stream(self, lo: int) -> bool:
        """Keep reading the open iterator up to ``lo`` rather than fetch again?"""
        if self.it is None or self.last > lo:
            return False
        if self.peek is not None and self.peek.pos >= lo:
            return True  # nothing to skip
        d = self.density
        if d.records >= 20 and d.covered > 0:
            return (lo - self.seen) * d.records / d.covered < FETCH_COST_RECORDS
        return lo - self.seen <= 10 * MAX_GAP

    def _next(self) -> pysam.VariantRecord | None:
        assert self.it is not None
        rec = self.peek if self.peek is not None else next(self.it, None)
        if rec is not None and self.peek is None:
            self.density.records += 1
            self.seen = rec.pos
        self.peek = None
        return rec

    def records(self, lo: int, end: int) -> Iterator[pysam.VariantRecord]:
        """The source's records from ``lo`` to ``end``; read to the end before the next call."""
        if not self._stream(lo):
            self.it, self.peek = iter(self.source.fetch(self.chrom, max(0, lo - 1), None)), None
            self.last = self.seen = lo
        first = self.seen
        while True:
            rec = self._next()
            if rec is None:
                self.last = 1 << 62  # chromosome exhausted: fetch again if needed
                break
            if rec.pos > end:
                self.peek = rec
                break
            self.last = rec.pos
            if rec.pos >= lo:
                yield rec
        self.density.covered += max(1, self.seen - first)


def lookup(source: Indexed, parse: Parse, calls: Iterable[Call]) -> dict[int, list[Any]]:
    """call index -> payloads of the source records that are the same allele.

    Calls are visited in order, cluster by cluster (:func:`_clusters`): a sparse source
    (ClinVar, a panel) is streamed, a dense one (gnomAD genomes) is fetched cluster by
    cluster (:class:`_Cursor`).
    """
    by_chrom: dict[str, list[Call]] = {}
    for c in calls:
        by_chrom.setdefault(c.chrom, []).append(c)
    out: dict[int, list[Any]] = {}
    density = _Density()
    for chrom, group in by_chrom.items():
        group.sort(key=lambda c: c.pos)
        wanted: dict[tuple[int, str, str], list[int]] = {}
        for q in group:
            wanted.setdefault(q.key, []).append(q.index)
        cursor = _Cursor(source, chrom, density)
        for start, end in _clusters(group):
            for rec in cursor.records(start - ALLELE_PAD, end):
                for alt, payload in parse(rec):
                    for i in wanted.get(normalize_allele(rec.pos, rec.ref or "", alt), ()):
                        out.setdefault(i, []).append(payload)
    return out


class Genome:
    """GRCh38 <-> reference-contig coordinates (identity without a contig map) and sequence."""

    def __init__(self, fasta: str | None, contig_map: dict[str, ContigSlice] | None) -> None:
        self.fa = pysam.FastaFile(fasta) if fasta else None
        self.cmap = contig_map
        self.by_chrom: dict[str, list[ContigSlice]] = {}
        for sl in (contig_map or {}).values():
            self.by_chrom.setdefault(sl.chrom, []).append(sl)

    def to_contig(self, chrom: str, pos: int) -> tuple[str, int] | None:
        if self.cmap is None:
            return chrom, pos
        for sl in self.by_chrom.get(chrom, ()):
            if sl.start <= pos <= sl.end:
                return sl.contig, pos - sl.start + 1
        return None

    def to_grch38(self, contig: str, pos: int) -> tuple[str, int]:
        if self.cmap is None:
            return contig, pos
        sl = self.cmap[contig]
        return sl.chrom, sl.start + pos - 1

    def base(self, contig: str, pos: int) -> str:
        if self.fa is None:
            return "N"
        return str(self.fa.fetch(contig, pos - 1, pos)).upper()


class TranscriptModels:
    """Transcript models (contig coordinates) with cached CDS position lists."""

    def __init__(self, transcripts: dict[str, Transcript] | None) -> None:
        self.tx = transcripts or {}
        self._cds: dict[str, tuple[list[int], dict[int, int]]] = {}

    def get(self, tx_id: str | None) -> Transcript | None:
        return self.tx.get(tx_id) if tx_id else None

    def cds(self, tx: Transcript) -> tuple[list[int], dict[int, int]]:
        """(genomic positions of the CDS in coding order, position -> coding index)."""
        if tx.id not in self._cds:
            pos = [p for s, e in sorted(tx.cds) for p in range(s, e + 1)]
            if tx.strand == "-":
                pos.reverse()
            self._cds[tx.id] = (pos, {p: i for i, p in enumerate(pos)})
        return self._cds[tx.id]


# --------------------------------------------------------------------------------------------
# per-call facts from the transcript model
# --------------------------------------------------------------------------------------------


def transcript_facts(tx: Transcript, pos: int, ref: str, alt: str, term: str) -> dict[str, Any]:
    """Exon, NMD and skipped-exon facts of a null variant (contig coordinates)."""
    tmap = TranscriptMap(tx)
    exons = sorted(tx.exons) if tx.strand == "+" else sorted(tx.exons, reverse=True)
    n = len(exons)
    cds_len = tx.cds_length
    # first affected base: after the anchor base of an indel
    g = pos + 1 if len(ref) != len(alt) and ref[:1] == alt[:1] else pos
    facts: dict[str, Any] = {"exon_count": n, "cds_length": cds_len}
    last_exon_t0 = sum(e - s + 1 for s, e in exons[:-1])  # transcript bases before the last exon
    if term in ("stop_gained", "frameshift", "start_lost"):
        if not tmap.exonic(g):
            g = pos
        if tmap.exonic(g):
            number = next(i for i, (s, e) in enumerate(exons, 1) if s <= g <= e)
            t = tmap.t_of(g)
            facts["exon"] = number
            facts["nmd_escape"] = n == 1 or t > last_exon_t0 - NMD_RULE_NT
            ci = tmap.cds_index(g)
            if ci is not None and cds_len:
                facts["fraction_removed"] = round((cds_len - ci) / cds_len, 4)
        return facts
    # splice donor / acceptor: which exon loses its site
    for i, (s, e) in enumerate(exons, 1):
        plus = tx.strand == "+"
        after_exon = (e < g <= e + 3) if plus else (s - 3 <= g < s)  # 5' end of the next intron
        before_exon = (s - 3 <= g < s) if plus else (e < g <= e + 3)  # 3' end of the previous
        if (term == "splice_donor" and after_exon) or (term == "splice_acceptor" and before_exon):
            coding = sum(max(0, min(e, ce) - max(s, cs) + 1) for cs, ce in tx.cds)
            facts["skipped_exon"] = i
            facts["skipped_exon_coding"] = coding > 0
            facts["skipped_exon_in_frame"] = coding % 3 == 0
            facts["skipped_exon_fraction"] = round(coding / cds_len, 4) if cds_len else None
            # skipping the last or penultimate exon leaves no junction downstream of the PTC
            facts["nmd_escape"] = n == 1 or i >= n - 1
            facts["exon"] = i
            break
    return facts


_COMPLEMENT = str.maketrans("ACGTN", "TGCAN")


@dataclass(frozen=True)
class _Codon:
    """The call's reference codon on its transcript model (contig coordinates)."""

    contig: str
    number: int  # residue number, 1-based
    positions: list[int]  # its three genomic positions in coding order
    plus: bool
    ref_bases: dict[int, str]

    def amino_acid(self, bases: dict[int, str]) -> str:
        """The codon's translation with these bases (the minus strand complemented)."""
        seq = "".join(bases[p] for p in self.positions)
        return translate(seq if self.plus else seq.translate(_COMPLEMENT))


def _call_codon(
    call: Call, tx: Transcript, models: TranscriptModels, genome: Genome
) -> tuple[_Codon | None, str | None]:
    """The call's codon, or (None, why it cannot be assessed)."""
    where = genome.to_contig(call.chrom, call.pos)
    if where is None:
        return None, "position outside the reference contigs"
    contig, cpos = where
    positions, index = models.cds(tx)
    if cpos not in index:
        return None, "call is not in the coding sequence of its transcript"
    k = index[cpos] // 3
    codon_g = positions[3 * k : 3 * k + 3]
    if len(codon_g) < 3:
        return None, "incomplete codon"
    ref_bases = {p: genome.base(contig, p) for p in codon_g}
    return _Codon(contig, k + 1, codon_g, tx.strand == "+", ref_bases), None


def _substituted(
    codon: _Codon, chrom: str, key: tuple[int, str, str], genome: Genome
) -> dict[int, str] | None:
    """The codon's bases with a ClinVar substitution applied; None when it leaves the codon
    or its REF disagrees with the reference."""
    bases = dict(codon.ref_bases)
    for offset, (r, a) in enumerate(zip(key[1], key[2], strict=True)):
        cp = genome.to_contig(chrom, key[0] + offset)
        if cp is None or cp[1] not in bases or bases[cp[1]] != r:
            return None
        bases[cp[1]] = a
    return bases


@dataclass(frozen=True)
class CodonAllele:
    """A classified allele that may sit at a call's codon (ClinVar or an expert panel)."""

    source: str  # 'ClinVar' | 'ClinGen VCEP'
    variation_id: str
    chrom: str
    pos: int
    ref: str
    alt: str
    significance: str
    clinical_class: str | None
    review_status: str | None
    stars: int | None


EXPERT_PANEL_STARS = 3  # ClinVar's stars for 'reviewed by expert panel'


class PanelIndex:
    """ClinGen expert-panel classifications by allele and by position (small: in memory)."""

    def __init__(self, records: Iterable[ExpertPanelRecord]) -> None:
        self.by_allele: dict[tuple[str, int, str, str], ExpertPanelRecord] = {}
        self.by_chrom: dict[str, list[ExpertPanelRecord]] = {}
        for r in records:
            self.by_allele[(r.chrom, *normalize_allele(r.pos, r.ref, r.alt))] = r
            self.by_chrom.setdefault(r.chrom, []).append(r)

    def get(self, call: Call) -> ExpertPanelRecord | None:
        return self.by_allele.get((call.chrom, *call.key))

    def span(self, chrom: str, lo: int, hi: int) -> Iterator[CodonAllele]:
        for r in self.by_chrom.get(chrom, ()):
            if lo <= r.pos <= hi:
                yield CodonAllele(
                    "ClinGen VCEP", r.variation_id or r.uuid or ".", r.chrom, r.pos, r.ref, r.alt,
                    r.clinical_class, r.clinical_class, f"reviewed by expert panel ({r.panel})",
                    EXPERT_PANEL_STARS,
                )  # fmt: skip


def _codon_records(
    call: Call,
    codon: _Codon,
    genome: Genome,
    clinvar: VcfSource | None,
    panels: PanelIndex | None,
) -> Iterator[CodonAllele]:
    """ClinVar records and expert-panel classifications over the codon's GRCh38 span."""
    grch = sorted(genome.to_grch38(codon.contig, p)[1] for p in codon.positions)
    if clinvar is not None:
        for rec in clinvar.fetch(call.chrom, grch[0] - 1, grch[-1]):
            for cv in parse_clinvar(rec, call.chrom):
                yield CodonAllele(
                    "ClinVar", cv.variation_id, cv.chrom, cv.pos, cv.ref, cv.alt,
                    cv.significance, cv.clinical_class, cv.review_status, cv.stars,
                )  # fmt: skip
    if panels is not None:
        yield from panels.span(call.chrom, grch[0] - 1, grch[-1])


def _codon_entry(
    cv: CodonAllele, key: tuple[int, str, str], codon: _Codon, alt_aa: str, mine: str
) -> dict[str, Any]:
    return {
        "source": cv.source,
        "variation_id": cv.variation_id,
        "allele": f"{cv.chrom}-{key[0]}-{key[1]}-{key[2]}",
        "hgvs_p": f"p.({AA3[mine[0]]}{codon.number}{AA3[alt_aa]})",
        "significance": cv.significance,
        "class": cv.clinical_class,
        "review_status": cv.review_status,
        "stars": cv.stars,
        "relation": "same_aa" if alt_aa == mine[-1] else "different_aa",
    }


def codon_clinvar(
    call: Call,
    hgvs_p: str | None,
    tx: Transcript,
    models: TranscriptModels,
    genome: Genome,
    clinvar: VcfSource | None,
    panels: PanelIndex | None = None,
) -> tuple[list[dict[str, Any]] | None, str | None]:
    """ClinVar and expert-panel alleles at the call's codon, translated: (entries, note when
    not assessed)."""
    mine = protein_key(hgvs_p)
    if mine is None:
        return None, "no protein substitution to compare"
    codon, note = _call_codon(call, tx, models, genome)
    if codon is None:
        return None, note
    ref_aa = codon.amino_acid(codon.ref_bases)
    if ref_aa != mine[0]:
        return None, f"reference codon translates to {ref_aa}, HGVSp says {mine[0]}"
    entries = []
    seen: set[tuple[str, tuple[int, str, str]]] = set()
    for cv in _codon_records(call, codon, genome, clinvar, panels):
        key = normalize_allele(cv.pos, cv.ref, cv.alt)
        if key == call.key or (cv.source, key) in seen or len(key[1]) != len(key[2]):
            continue  # the call itself, duplicates, indels
        seen.add((cv.source, key))
        bases = _substituted(codon, call.chrom, key, genome)
        if bases is None:
            continue
        alt_aa = codon.amino_acid(bases)
        if alt_aa in (ref_aa, "*"):
            continue
        entries.append(_codon_entry(cv, key, codon, alt_aa, mine))
    return entries, None


def _hotspot_matches(
    tables: dict[str, Any], gene: str | None, term: str, hgvs_c: str | None, hgvs_p: str | None
) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    if not gene:
        return out
    residue = residue_of(hgvs_p)
    if residue and term == "missense":
        hits = tables.get("residues", {}).get(gene, {}).get(str(residue[1]), [])
        if hits:
            out["residue"] = [
                {"type": h["type"], "residue": f"{residue[0]}{residue[1]}"} for h in hits
            ]
    if term in INFRAME_TERMS and hgvs_p:
        nums = [int(x) for x in re.findall(r"[A-Z][a-z]{2}(\d+)", hgvs_p)]
        if nums:
            lo, hi = min(nums), max(nums)
            rows = [r for r in tables.get("indels", {}).get(gene, []) if r[0] <= hi and lo <= r[1]]
            if rows:
                out["indel"] = [{"type": r[2], "residues": f"{r[0]}-{r[1]}"} for r in rows]
    if term in ("splice_donor", "splice_acceptor", "splice_region") and hgvs_c:
        m = re.match(r"c\.([-*]?\d+)[+-]\d+", hgvs_c)
        if m:
            hit = tables.get("splice", {}).get(gene, {}).get(f"c.{m.group(1)}")
            if hit:
                out["splice"] = [{"type": hit, "position": f"c.{m.group(1)}"}]
    return out


def _text(info: Any, key: str) -> str | None:
    value = info.get(key) if key in info else None
    if value is None:
        return None
    return ",".join(value) if isinstance(value, tuple) else str(value)


def _variant_row(rec: pysam.VariantRecord, alt: str) -> dict[str, Any]:
    """The call's own fields (INFO from bigmed's annotation); the join adds the rest."""
    info = rec.info
    return {
        "id": f"{rec.chrom}-{rec.pos}-{rec.ref}-{alt}",
        "chrom": rec.chrom,
        "pos": rec.pos,
        "ref": rec.ref,
        "alt": alt,
        "filter": ";".join(str(k) for k in rec.filter) or ".",
        "gene": _text(info, "GENE"),
        "transcript": _text(info, "TRANSCRIPT"),
        "mane_select": (_text(info, "MANE") == "yes") if "MANE" in info else None,
        "consequence": _text(info, "CONSEQUENCE") or "intergenic",
        "hgvs_c": _text(info, "HGVSc"),
        "hgvs_p": _text(info, "HGVSp"),
        "notes": [],
    }


def read_calls(calls_vcf: str) -> tuple[list[dict[str, Any]], list[Call]]:
    """(one row per record and ALT, the calls to look up: ALTs that are alleles)."""
    variants: list[dict[str, Any]] = []
    calls: list[Call] = []
    with pysam.VariantFile(calls_vcf) as vf:
        for rec in vf:
            for alt in rec.alts or ():
                variants.append(_variant_row(rec, alt))
                if alt not in (".", "*") and not alt.startswith("<"):
                    calls.append(Call(len(variants) - 1, rec.chrom, rec.pos, rec.ref or "", alt))
    return variants, calls


JOINED_SOURCES = (
    "gnomad",
    "cohort_frequencies",
    "clinvar",
    "clingen_vcep",
    "clinvar_submissions",
    "hotspots",
    "hotspots_residues",
    "civic",
    "moalmanac",
    *PREDICTORS,
)


def source_status(bundle: Bundle) -> dict[str, dict[str, Any]]:
    """Whether each source the join uses is configured and complete, with its release."""
    out: dict[str, dict[str, Any]] = {}
    for key in JOINED_SOURCES:
        s = bundle.source(key)
        out[key] = {
            "configured": s is not None,
            "complete": bool(s and s.get("complete")),
            "name": (s or {}).get("name", SPECS[key].label),
            "version": (s or {}).get("version"),
        }
        if s and s.get("genes"):
            out[key]["genes"] = s["genes"]
    return out


def coverage(status: dict[str, Any], gene: str | None) -> str:
    """How much of ``gene`` a joined source holds: 'complete', 'partial(...)', 'none'
    (a source that is not configured holds nothing)."""
    if not status.get("configured"):
        return "none"
    note = None if status.get("complete") else "subset"
    return gene_coverage(note, status.get("genes") or {}, gene)


def _clinvar_alleles(rec: pysam.VariantRecord) -> list[tuple[str, ClinVarRecord]]:
    return [(cv.alt, cv) for cv in parse_clinvar(rec)]


@dataclass
class _Context:
    """What annotating a call needs: the lookups' hits, the bundle's tables, the models."""

    population: dict[int, list[Any]]
    cohorts: dict[int, list[Any]] | None  # None: no cohort_frequencies source
    clinvar: dict[int, list[Any]]
    hotspot_alleles: dict[int, list[Any]]
    scores: dict[str, dict[int, list[Any]]]  # predictor key -> call index -> scores
    by_protein: dict[tuple[str, str], list[dict[str, Any]]]
    hotspots: dict[str, Any]
    genome: Genome
    models: TranscriptModels
    clinvar_src: VcfSource | None  # open: codon-level ClinVar reads it per call
    panels: PanelIndex | None  # ClinGen expert-panel classifications
    submissions: dict[str, list[Any]] | None  # ClinVar variation id -> its submissions


def _indexed_hits(source: Any | None, parse: Parse, calls: list[Call]) -> dict[int, list[Any]]:
    """lookup() through a source that is closed afterwards; nothing when not configured."""
    if source is None:
        return {}
    with source:
        return lookup(source, parse, calls)


def _assertions_by_protein(bundle: Bundle) -> dict[tuple[str, str], list[dict[str, Any]]]:
    by_protein: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for source_rows in bundle.assertions.values():
        for a in source_rows:
            if a.get("protein_key"):
                by_protein.setdefault((a["gene"], a["protein_key"]), []).append(a)
    return by_protein


def _clinvar_fact(hits: list[Any] | None, ctx: _Context) -> dict[str, Any] | None:
    """The call's ClinVar record, with its submissions where a submissions source is set."""
    if not hits:
        return None
    cv: dict[str, Any] = hits[0].as_dict()
    if ctx.submissions is not None:
        cv["submissions"] = [s.as_dict() for s in ctx.submissions.get(cv["variation_id"], [])]
    return cv


def _source_facts(v: dict[str, Any], call: Call, ctx: _Context) -> None:
    """Population, ClinVar, expert-panel, hotspot, assertion and predictor matches of one
    call (in this key order)."""
    term, gene = v["consequence"], v["gene"]
    pop = ctx.population.get(call.index)
    v["population"] = pop[0].as_dict() if pop else None
    if ctx.cohorts is not None:
        found = ctx.cohorts.get(call.index)
        v["cohort_frequencies"] = [c.as_dict() for c in found[0]] if found else None
    v["clinvar"] = _clinvar_fact(ctx.clinvar.get(call.index), ctx)
    panel = ctx.panels.get(call) if ctx.panels is not None else None
    v["expert_panel"] = panel.as_dict() if panel else None
    hot = _hotspot_matches(ctx.hotspots, gene, term, v["hgvs_c"], v["hgvs_p"])
    if call.index in ctx.hotspot_alleles:
        hot["allele"] = ctx.hotspot_alleles[call.index]
    v["hotspot"] = hot or None
    key = protein_key(v["hgvs_p"])
    v["assertions"] = ctx.by_protein.get((gene, key), []) if gene and key else []
    v["predictors"] = {
        name: max((x for x in hits.get(call.index, []) if x is not None), default=None)
        for name, hits in ctx.scores.items()
    }


def _transcript_evidence(v: dict[str, Any], call: Call, ctx: _Context) -> None:
    """Transcript facts of a null call, codon-level ClinVar / expert-panel alleles of a
    missense call."""
    term = v["consequence"]
    tx = ctx.models.get(v["transcript"])
    v["transcript_facts"] = None
    v["clinvar_codon"] = None
    if tx is None or not (term in NULL_CONSEQUENCES or term == "missense"):
        return
    where = ctx.genome.to_contig(call.chrom, call.pos)
    if where is None:
        v["notes"].append("call outside the reference contigs: no transcript facts")
    elif term in NULL_CONSEQUENCES:
        v["transcript_facts"] = transcript_facts(tx, where[1], call.ref, call.alt, term)
    elif (ctx.clinvar_src or ctx.panels) is not None and ctx.genome.fa is not None:
        entries, note = codon_clinvar(
            call, v["hgvs_p"], tx, ctx.models, ctx.genome, ctx.clinvar_src, ctx.panels
        )
        v["clinvar_codon"] = entries
        if note:
            v["notes"].append(f"codon-level ClinVar not assessed: {note}")


def _context(
    bundle: Bundle,
    calls: list[Call],
    genome: Genome,
    models: TranscriptModels,
) -> _Context:
    """Every indexed lookup of the calls, and the small sources read whole."""
    clinvar_src = bundle.vcf("clinvar")
    clinvar = lookup(clinvar_src, _clinvar_alleles, calls) if clinvar_src else {}
    panels = bundle.expert_panels()
    wanted = {r.variation_id for hits in clinvar.values() for r in hits}
    return _Context(
        population=_indexed_hits(bundle.vcf("gnomad"), parse_population, calls),
        cohorts=_indexed_hits(bundle.vcf("cohort_frequencies"), parse_cohort_frequencies, calls)
        if bundle.source("cohort_frequencies") is not None
        else None,
        hotspot_alleles=_indexed_hits(bundle.vcf("hotspots"), parse_hotspot, calls),
        clinvar=clinvar,
        scores={
            key: _indexed_hits(bundle.scores(key), partial(parse_score, key=key), calls)
            for key in PREDICTORS
            if bundle.source(key) is not None
        },
        by_protein=_assertions_by_protein(bundle),
        hotspots=bundle.hotspots,
        genome=genome,
        models=models,
        clinvar_src=clinvar_src,
        panels=PanelIndex(panels) if panels is not None else None,
        submissions=bundle.submissions(wanted),
    )


def annotate(
    calls_vcf: str,
    bundle: Bundle,
    *,
    transcripts: dict[str, Transcript] | None = None,
    fasta: str | None = None,
    contig_map: dict[str, ContigSlice] | None = None,
) -> dict[str, Any]:
    """Join every record of a GRCh38 call set with the bundle (see the module docstring)."""
    variants, calls = read_calls(calls_vcf)
    ctx = _context(bundle, calls, Genome(fasta, contig_map), TranscriptModels(transcripts))
    genes_seen: set[str] = set()
    for call in calls:
        v = variants[call.index]
        if v["gene"]:
            genes_seen.add(v["gene"])
        _source_facts(v, call, ctx)
        _transcript_evidence(v, call, ctx)
    if ctx.clinvar_src is not None:
        ctx.clinvar_src.close()
    return {
        "bundle": {"dir": bundle.dir, "build": bundle.manifest.get("build")},
        "knowledge_bases": bundle.knowledge_bases(),
        "sources": source_status(bundle),
        "genes": {g: bundle.genes[g] for g in sorted(genes_seen) if g in bundle.genes},
        "variants": variants,
    }
