"""Final call set: consequence pick, HGVS, and slice-to-GRCh38 coordinates.

Reads the bcftools csq output, picks for every allele the most severe consequence on
the gene's preferred transcript (MANE Select where the annotation marks it), adds HGVS
c./p. computed by :mod:`bigmed.genome.hgvs`, moves every record to GRCh38 coordinates through
the contig map (keeping the slice position in SRC_CONTIG/SRC_POS) and writes a sorted,
bgzipped, tabix-indexed VCF.
"""

from __future__ import annotations

import bisect
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pysam

from bigmed.genome.gff import Transcript, preferred_transcripts
from bigmed.genome.hgvs import describe
from bigmed.genome.reference import GRCH38_LENGTHS, ContigSlice, to_grch38

# Most to least severe; bcftools csq terms (and intron/intergenic, added here).
SEVERITY = [
    "stop_gained",
    "frameshift",
    "splice_acceptor",
    "splice_donor",
    "start_lost",
    "stop_lost",
    "inframe_insertion",
    "inframe_deletion",
    "inframe_altering",
    "missense",
    "splice_region",
    "start_retained",
    "stop_retained",
    "synonymous",
    "5_prime_utr",
    "3_prime_utr",
    "non_coding",
    "intron",
    "intergenic",
]
INFO_TYPES = {"SRC_POS": "Integer"}
RANK = {term: i for i, term in enumerate(SEVERITY)}
# consequences that change the protein (or its splicing): the terms down to missense
PROTEIN_ALTERING = frozenset(SEVERITY[: SEVERITY.index("missense") + 1])
# predicted null (loss-of-function) consequences: PVS1 candidates, truncating in panels
NULL_CONSEQUENCES = frozenset(
    {"stop_gained", "frameshift", "splice_donor", "splice_acceptor", "start_lost"}
)
CHROM_ORDER = {c: i for i, c in enumerate(GRCH38_LENGTHS)}

NEW_INFO = [
    ("GENE", "Gene symbol of the picked consequence"),
    ("TRANSCRIPT", "Transcript of the picked consequence (MANE Select where annotated)"),
    ("MANE", "Picked transcript is MANE Select (yes/no)"),
    ("CONSEQUENCE", "Most severe consequence on the picked transcript (bcftools csq terms)"),
    ("HGVSc", "HGVS coding DNA change on TRANSCRIPT"),
    ("HGVSp", "HGVS predicted protein change on TRANSCRIPT"),
    ("SRC_CONTIG", "Reference contig the call was made on"),
    ("SRC_POS", "Position on SRC_CONTIG"),  # Integer, see INFO_TYPES
]


@dataclass(frozen=True)
class Csq:
    consequence: str
    gene: str
    transcript: str
    aa_change: str


def parse_bcsq(values: Iterable[str] | None) -> list[Csq]:
    out = []
    for value in values or ():
        if value.startswith("@"):
            continue  # reference to a compound consequence reported at another record
        parts = value.split("|")
        if len(parts) < 3:
            continue
        terms = [t.lstrip("*") for t in parts[0].split("&")]
        term = min(terms, key=lambda t: RANK.get(t, len(SEVERITY)))
        out.append(Csq(term, parts[1], parts[2], parts[5] if len(parts) > 5 else ""))
    return out


def severity(term: str) -> int:
    return RANK.get(term, len(SEVERITY))


class TranscriptIndex:
    """Preferred transcripts by contig, for the genes a position falls in."""

    def __init__(self, transcripts: dict[str, Transcript], flank: int = 5000) -> None:
        self.all = transcripts
        self.preferred = preferred_transcripts(transcripts)
        self.flank = flank
        self.by_contig: dict[str, list[tuple[int, int, Transcript]]] = {}
        for tx in self.preferred.values():
            s, e = tx.exons[0][0], tx.exons[-1][1]
            self.by_contig.setdefault(tx.contig, []).append((s, e, tx))
        for rows in self.by_contig.values():
            rows.sort(key=lambda r: r[0])
        self.starts = {c: [r[0] for r in rows] for c, rows in self.by_contig.items()}

    def overlapping(self, contig: str, pos: int) -> list[Transcript]:
        rows = self.by_contig.get(contig, [])
        hi = bisect.bisect_right(self.starts.get(contig, []), pos)
        return [tx for s, e, tx in rows[:hi] if s <= pos <= e]


def pick(
    record_csq: list[Csq], index: TranscriptIndex, contig: str, pos: int
) -> tuple[Transcript | None, str]:
    """Most severe consequence, preferring the gene's preferred transcript."""
    preferred_ids = {tx.id for tx in index.preferred.values()}
    on_preferred = [c for c in record_csq if c.transcript in preferred_ids]
    pool = on_preferred or record_csq
    if pool:
        best = min(pool, key=lambda c: severity(c.consequence))
        tx = index.all.get(best.transcript) or index.preferred.get(best.gene)
        if tx is not None and tx.id not in preferred_ids and best.gene in index.preferred:
            tx = index.preferred[best.gene]
        return tx, best.consequence
    overlapping = index.overlapping(contig, pos)
    if overlapping:
        return overlapping[0], "intron"
    return None, "intergenic"


def contig_header(lengths: Mapping[str, int], assembly: str | None = None) -> list[str]:
    """The ``##contig`` lines of a VCF header, in the order of ``lengths``."""
    tail = f",assembly={assembly}" if assembly else ""
    return [f"##contig=<ID={c},length={n}{tail}>" for c, n in lengths.items()]


def _header_lines(
    header: pysam.VariantHeader,
    contig_map: dict[str, ContigSlice] | None,
    contig_lengths: dict[str, int],
    extra: list[str],
) -> list[str]:
    lines = []
    for line in str(header).splitlines():
        if line.startswith("##contig="):
            continue
        if line.startswith("#CHROM"):
            if contig_map:
                chroms = sorted(
                    {s.chrom for s in contig_map.values()}, key=lambda c: CHROM_ORDER.get(c, 99)
                )
                lines += contig_header({c: GRCH38_LENGTHS[c] for c in chroms}, assembly="GRCh38")
            else:
                lines += contig_header(contig_lengths)
            lines += [
                f'##INFO=<ID={k},Number=1,Type={INFO_TYPES.get(k, "String")},Description="{d}">'
                for k, d in NEW_INFO
            ]
            lines += extra
        lines.append(line)
    return lines


def finalize(
    bcf: str,
    fasta: str,
    transcripts: dict[str, Transcript],
    contig_map: dict[str, ContigSlice] | None,
    out_vcf_gz: str,
    extra_header: list[str] | None = None,
) -> int:
    """Write the final call set; returns the number of records."""
    index = TranscriptIndex(transcripts)
    ref = pysam.FastaFile(fasta)
    contig_lengths = dict(zip(ref.references, ref.lengths, strict=True))
    rows: list[tuple[int, int, str]] = []
    with pysam.VariantFile(bcf) as vf:
        header = _header_lines(vf.header, contig_map, contig_lengths, extra_header or [])
        has_bcsq = "BCSQ" in vf.header.info
        for rec in vf:
            csq = parse_bcsq(rec.info.get("BCSQ") if has_bcsq else None)
            info = _annotation(rec, csq, index, ref)
            chrom, gpos = to_grch38(rec.chrom, rec.pos, contig_map)
            cols = str(rec).rstrip("\n").split("\t")
            cols[0], cols[1] = chrom, str(gpos)
            added = ";".join(f"{k}={v}" for k, v in info.items())
            cols[7] = added if cols[7] == "." else f"{cols[7]};{added}"
            rows.append((CHROM_ORDER.get(chrom, 10_000), gpos, "\t".join(cols)))
    rows.sort(key=lambda r: (r[0], r[1]))
    _write_indexed(out_vcf_gz, [*header, *(line for _, _, line in rows)])
    return len(rows)


def _annotation(
    rec: pysam.VariantRecord, csq: list[Csq], index: TranscriptIndex, ref: pysam.FastaFile
) -> dict[str, Any]:
    """The INFO keys added to one record: the picked consequence, its transcript and
    HGVS, and the record's position on the reference contig."""
    contig, pos = rec.chrom, rec.pos
    tx, term = pick(csq, index, contig, pos)
    info: dict[str, Any] = {"CONSEQUENCE": term, "SRC_CONTIG": contig, "SRC_POS": pos}
    alt = rec.alts[0] if rec.alts else "."
    if tx is not None:
        info.update(GENE=tx.gene, TRANSCRIPT=tx.id, MANE="yes" if tx.mane_select else "no")
        if alt not in (".", "*") and not alt.startswith("<"):
            h = describe(tx, pos, rec.ref or "", alt, _seqfn(ref, contig))
            info["HGVSc"] = h.c
            if h.p:
                info["HGVSp"] = h.p
    return info


def _write_indexed(out_vcf_gz: str, lines: Iterable[str]) -> None:
    """Write the VCF bgzipped with its tabix index, both replaced in one step at the end."""
    tmp_txt = f"{out_vcf_gz}.tmp.vcf"
    with open(tmp_txt, "w") as handle:
        for line in lines:
            handle.write(line + "\n")
    tmp_gz = f"{out_vcf_gz}.tmp.gz"
    pysam.tabix_compress(tmp_txt, tmp_gz, force=True)
    os.unlink(tmp_txt)
    pysam.tabix_index(tmp_gz, preset="vcf", force=True)
    os.replace(f"{tmp_gz}.tbi", f"{out_vcf_gz}.tbi")
    os.replace(tmp_gz, out_vcf_gz)


def _seqfn(ref: pysam.FastaFile, contig: str):  # type: ignore[no-untyped-def]
    length = ref.get_reference_length(contig)

    def fetch(start: int, end: int) -> str:
        start, end = max(1, start), min(length, end)
        if end < start:
            return ""
        return str(ref.fetch(contig, start - 1, end)).upper()

    return fetch
