"""GFF3 gene models: checks, transcript models for HGVS, and exon regions for coverage.

Expects the Ensembl-style layout that bcftools csq reads: ``gene`` records with
``ID=gene:...`` and ``biotype``, transcripts (mRNA/transcript) with ``ID=transcript:...``
and ``Parent=gene:...``, exon and CDS records whose ``Parent`` is a transcript.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import unquote

from bigmed.base.errors import InputError
from bigmed.base.textio import open_text

TRANSCRIPT_TYPES = {"mRNA", "transcript"}


@dataclass
class Transcript:
    id: str  # without the "transcript:" prefix, e.g. NM_004333.6
    gene: str
    contig: str
    strand: str
    exons: list[tuple[int, int]] = field(default_factory=list)  # 1-based inclusive, genomic order
    cds: list[tuple[int, int]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    biotype: str = ""

    @property
    def mane_select(self) -> bool:
        return "MANE_Select" in self.tags

    @property
    def cds_length(self) -> int:
        return sum(e - s + 1 for s, e in self.cds)


def _attrs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for part in text.strip().strip(";").split(";"):
        if "=" in part:
            key, value = part.split("=", 1)
            out[key.strip()] = unquote(value.strip())
    return out


@dataclass(frozen=True)
class _Record:
    """One feature line of a GFF3, columns checked."""

    line: int
    seqid: str
    ftype: str
    start: int
    end: int
    strand: str
    attrs: dict[str, str]


def read_gff3(path: str, contigs: dict[str, int] | None = None) -> dict[str, Transcript]:
    """Parse and check a GFF3; return transcripts with a CDS, keyed by id."""
    if not os.path.isfile(path):
        raise InputError(path, "annotation GFF3 not found")
    genes: dict[str, str] = {}  # gene ID -> gene name
    transcripts: dict[str, Transcript] = {}  # transcript ID -> model
    tx_line: dict[str, int] = {}
    children: list[tuple[_Record, str]] = []  # exon/CDS records and one parent each
    with open_text(path, errors="strict") as handle:
        for rec in _records(path, handle, contigs):
            fid = rec.attrs.get("ID", "")
            if rec.ftype == "gene":
                genes[fid] = rec.attrs.get("Name", fid.split(":", 1)[-1])
            elif rec.ftype in TRANSCRIPT_TYPES:
                transcripts[fid] = _transcript(path, rec, genes)
                tx_line[fid] = rec.line
            elif rec.ftype in ("exon", "CDS"):
                children += [(rec, parent) for parent in rec.attrs.get("Parent", "").split(",")]
    _attach_children(path, transcripts, children)
    return _coding_transcripts(path, transcripts, tx_line)


def _records(path: str, handle: Iterable[str], contigs: dict[str, int] | None) -> Iterator[_Record]:
    """The feature lines up to ``##FASTA``; the header, columns and contigs checked."""
    for n, line in enumerate(handle, 1):
        if n == 1 and not line.startswith("##gff-version 3"):
            raise InputError(path, "first line must be '##gff-version 3'", line=1)
        if line.startswith("#") or not line.strip():
            if line.startswith("##FASTA"):
                return
            continue
        cols = line.rstrip("\n").split("\t")
        if len(cols) != 9:
            raise InputError(path, f"expected 9 tab-separated columns, found {len(cols)}", line=n)
        seqid, _, ftype, start, end, _, strand, _, attr_text = cols
        if not (start.isdigit() and end.isdigit()) or int(start) > int(end):
            raise InputError(path, f"bad start/end '{start}'/'{end}'", line=n)
        if contigs is not None:
            _check_contig(path, n, seqid, int(end), contigs)
        yield _Record(n, seqid, ftype, int(start), int(end), strand, _attrs(attr_text))


def _check_contig(path: str, n: int, seqid: str, end: int, contigs: dict[str, int]) -> None:
    """The feature's contig is in the reference and the feature ends inside it."""
    if seqid not in contigs:
        raise InputError(
            path,
            f"contig '{seqid}' is not in the reference FASTA (are the "
            "annotation and the reference the same build and naming?)",
            line=n,
            field="seqid",
        )
    if end > contigs[seqid]:
        raise InputError(
            path,
            f"feature ends at {end}, past the end of '{seqid}' ({contigs[seqid]} bp)",
            line=n,
            field="end",
        )


def _transcript(path: str, rec: _Record, genes: dict[str, str]) -> Transcript:
    """A transcript record's model (no exons yet); its gene must precede it."""
    fid = rec.attrs.get("ID", "")
    parent = rec.attrs.get("Parent", "")
    if parent not in genes:
        raise InputError(
            path,
            f"transcript '{fid}' has Parent '{parent}' but no gene with that ID precedes it",
            line=rec.line,
            field="Parent",
        )
    return Transcript(
        fid.split(":", 1)[-1],
        genes[parent],
        rec.seqid,
        rec.strand,
        tags=[t for t in rec.attrs.get("tag", "").split(",") if t],
        biotype=rec.attrs.get("biotype", ""),
    )


def _attach_children(
    path: str, transcripts: dict[str, Transcript], children: list[tuple[_Record, str]]
) -> None:
    """Add exon and CDS records to their transcripts (which may come after them)."""
    for rec, parent in children:
        tx = transcripts.get(parent)
        if tx is None:
            raise InputError(
                path,
                f"{rec.ftype} has Parent '{parent}' but no transcript has that ID",
                line=rec.line,
                field="Parent",
            )
        if rec.seqid != tx.contig:
            raise InputError(
                path,
                f"{rec.ftype} is on '{rec.seqid}' but its transcript is on '{tx.contig}'",
                line=rec.line,
            )
        (tx.exons if rec.ftype == "exon" else tx.cds).append((rec.start, rec.end))


def _coding_transcripts(
    path: str, transcripts: dict[str, Transcript], tx_line: dict[str, int]
) -> dict[str, Transcript]:
    """Transcripts with a CDS (and exons), keyed by id without the 'transcript:' prefix."""
    out: dict[str, Transcript] = {}
    for fid, tx in transcripts.items():
        tx.exons.sort()
        tx.cds.sort()
        if tx.cds:
            if not tx.exons:
                raise InputError(
                    path, f"transcript '{fid}' has CDS but no exon records", line=tx_line[fid]
                )
            out[tx.id] = tx
    if not out:
        raise InputError(
            path,
            "no transcript with a CDS found (bcftools csq needs gene, "
            "transcript, exon and CDS records)",
        )
    return out


def preferred_transcripts(transcripts: dict[str, Transcript]) -> dict[str, Transcript]:
    """One transcript per gene: MANE Select, else Ensembl canonical, else longest CDS."""
    best: dict[str, Transcript] = {}
    for tx in transcripts.values():
        cur = best.get(tx.gene)
        if cur is None or _rank(tx) > _rank(cur):
            best[tx.gene] = tx
    return best


def _rank(tx: Transcript) -> tuple[int, int, int, str]:
    return (int(tx.mane_select), int("Ensembl_canonical" in tx.tags), tx.cds_length, tx.id)


def coding_exons_bed(
    transcripts: dict[str, Transcript], padding: int
) -> list[tuple[str, int, int, str]]:
    """Coding part of each exon of each preferred transcript, padded, as 0-based BED rows.

    Name is GENE:TRANSCRIPT:exonN with exons numbered in transcript order.
    """
    rows: list[tuple[str, int, int, str]] = []
    for tx in preferred_transcripts(transcripts).values():
        order = tx.exons if tx.strand == "+" else list(reversed(tx.exons))
        for number, (es, ee) in enumerate(order, 1):
            for cs, ce in tx.cds:
                s, e = max(es, cs), min(ee, ce)
                if s <= e:
                    rows.append(
                        (
                            tx.contig,
                            max(0, s - 1 - padding),
                            e + padding,
                            f"{tx.gene}:{tx.id}:exon{number}",
                        )
                    )
    rows.sort()
    return rows


def dump_transcripts(transcripts: dict[str, Transcript], path: str) -> None:
    from bigmed.base.atomic import write_text

    write_text(path, json.dumps({k: asdict(v) for k, v in sorted(transcripts.items())}, indent=1))


def load_transcripts(path: str) -> dict[str, Transcript]:
    with open(path) as handle:
        data: dict[str, Any] = json.load(handle)
    out = {}
    for k, v in data.items():
        v["exons"] = [tuple(x) for x in v["exons"]]
        v["cds"] = [tuple(x) for x in v["cds"]]
        out[k] = Transcript(**v)
    return out
