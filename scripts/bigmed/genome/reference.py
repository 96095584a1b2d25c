"""Reference contigs, the slice-to-GRCh38 contig map, targets and calling shards."""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from bigmed.base.errors import InputError
from bigmed.base.textio import open_bytes

# GRCh38 primary assembly lengths (GRC, GCA_000001405.15), for VCF headers after mapping.
GRCH38_LENGTHS: dict[str, int] = {
    "chr1": 248956422,
    "chr2": 242193529,
    "chr3": 198295559,
    "chr4": 190214555,
    "chr5": 181538259,
    "chr6": 170805979,
    "chr7": 159345973,
    "chr8": 145138636,
    "chr9": 138394717,
    "chr10": 133797422,
    "chr11": 135086622,
    "chr12": 133275309,
    "chr13": 114364328,
    "chr14": 107043718,
    "chr15": 101991189,
    "chr16": 90338345,
    "chr17": 83257441,
    "chr18": 80373285,
    "chr19": 58617616,
    "chr20": 64444167,
    "chr21": 46709983,
    "chr22": 50818468,
    "chrX": 156040895,
    "chrY": 57227415,
    "chrM": 16569,
}


@dataclass(frozen=True)
class ContigSlice:
    contig: str
    chrom: str
    start: int  # 1-based GRCh38 position of the contig's first base
    end: int


def fasta_contigs(path: str) -> dict[str, int]:
    """Contig name -> length, from the .fai when present, else by reading the FASTA."""
    # os.path.isfile, not Path.is_file: a name too long to exist is False, not an OSError
    if not os.path.isfile(path):
        raise InputError(path, "reference FASTA not found")
    fai = Path(f"{path}.fai")
    if os.path.isfile(fai):
        contigs: dict[str, int] = {}
        with open(fai) as handle:
            for n, line in enumerate(handle, 1):
                cols = line.rstrip("\n").split("\t")
                if len(cols) < 2 or not cols[1].isdigit():
                    raise InputError(str(fai), "malformed FASTA index line", line=n)
                contigs[cols[0]] = int(cols[1])
        return contigs
    contigs = {}
    try:
        for name, raw in fasta_lines(path):
            # a sequence line is decoded strictly: a non-UTF-8 byte is an input error
            contigs[name] = 0 if raw is None else contigs[name] + len(raw.decode().strip())
    except (OSError, EOFError, UnicodeDecodeError) as err:
        raise InputError(path, f"reference FASTA cannot be read ({err})") from err
    if not contigs:
        raise InputError(path, "reference FASTA has no sequences")
    return contigs


def fasta_lines(path: str) -> Iterator[tuple[str, bytes | None]]:
    """The one FASTA reader (plain or gzip): ``(name, None)`` at each header line, then
    ``(name, line)`` for each of its sequence lines as raw bytes, line break included.

    Bytes, not text: the reference MD5s of a whole genome (:mod:`bigmed.intake.aligned`)
    hash the lines without decoding them. Lines before the first header are skipped.
    """
    name: str | None = None
    with open_bytes(path) as handle:
        for line in handle:
            if line.startswith(b">"):
                name = line[1:].split()[0].decode()
                yield name, None
            elif name is not None:
                yield name, line


def read_contig_map(path: str, contigs: dict[str, int] | None = None) -> dict[str, ContigSlice]:
    """Read 'contig chrom start end' (header required); check it against the reference."""
    if not os.path.isfile(path):
        raise InputError(path, "contig map not found")
    out: dict[str, ContigSlice] = {}
    with open(path) as handle:
        header = handle.readline().rstrip("\n").split("\t")
        if header[:4] != ["contig", "chrom", "start", "end"]:
            raise InputError(path, "header must be 'contig<TAB>chrom<TAB>start<TAB>end'", line=1)
        for n, line in enumerate(handle, 2):
            if not line.strip():
                continue
            sl = _contig_slice(path, n, line.rstrip("\n").split("\t"), contigs)
            out[sl.contig] = sl
    if contigs is not None:
        missing = [c for c in contigs if c not in out]
        if missing:
            raise InputError(path, f"reference contig '{missing[0]}' is not in the contig map")
    return out


def _contig_slice(
    path: str, n: int, cols: list[str], contigs: dict[str, int] | None
) -> ContigSlice:
    """One contig map row, checked against GRCh38 and the reference's contig length."""
    if len(cols) < 4:
        raise InputError(path, "expected 4 tab-separated columns", line=n)
    contig, chrom, start, end = cols[:4]
    if not (start.isdigit() and end.isdigit()) or int(start) < 1 or int(end) < int(start):
        raise InputError(
            path,
            f"start/end '{start}'/'{end}' are not 1-based positions with start <= end",
            line=n,
            field="start",
        )
    if chrom not in GRCH38_LENGTHS:
        raise InputError(
            path,
            f"'{chrom}' is not a GRCh38 chromosome name (chr1..chr22, chrX, chrY, chrM)",
            line=n,
            field="chrom",
        )
    if int(end) > GRCH38_LENGTHS[chrom]:
        raise InputError(
            path, f"end {end} is beyond the GRCh38 length of {chrom}", line=n, field="end"
        )
    sl = ContigSlice(contig, chrom, int(start), int(end))
    if contigs is not None and contig in contigs and contigs[contig] != sl.end - sl.start + 1:
        raise InputError(
            path,
            f"contig '{contig}' spans {sl.end - sl.start + 1} bp here but "
            f"{contigs[contig]} bp in the reference",
            line=n,
            field="end",
        )
    return sl


def canonical_chrom(name: str) -> str:
    """The GRCh38 chromosome name of a contig name: '1' -> 'chr1', 'MT' -> 'chrM',
    'chr7' -> 'chr7'."""
    if name.startswith("chr"):
        return "chrM" if name == "chrMT" else name
    return "chrM" if name in ("M", "MT") else f"chr{name}"


def to_grch38(contig: str, pos: int, cmap: Mapping[str, ContigSlice] | None) -> tuple[str, int]:
    """GRCh38 (chrom, position) of a reference position; unchanged without a contig map
    or for a contig the map does not name (the reference is then GRCh38 itself)."""
    if not cmap or contig not in cmap:
        return contig, pos
    sl = cmap[contig]
    return sl.chrom, sl.start + pos - 1


def slices_by_chrom(cmap: Mapping[str, ContigSlice] | None) -> dict[str, list[ContigSlice]]:
    """The contig map's slices per GRCh38 chromosome, in map order (for :func:`locate`)."""
    by_chrom: dict[str, list[ContigSlice]] = {}
    for sl in (cmap or {}).values():
        by_chrom.setdefault(sl.chrom, []).append(sl)
    return by_chrom


def locate(
    chrom: str, pos: int, by_chrom: Mapping[str, list[ContigSlice]], span: int = 1
) -> tuple[str, int] | None:
    """(slice contig, position in it) of GRCh38 chrom:pos, the ``span`` bases from pos
    all inside the slice; None outside every slice. ``by_chrom`` from :func:`slices_by_chrom`.
    """
    for sl in by_chrom.get(chrom, []):
        if sl.start <= pos and pos + span - 1 <= sl.end:
            return sl.contig, pos - sl.start + 1
    return None


def read_bed(path: str, contigs: dict[str, int]) -> list[tuple[str, int, int]]:
    """Read a BED (0-based half-open); every contig must be in the reference and in range."""
    if not os.path.isfile(path):
        raise InputError(path, "targets BED not found")
    regions: list[tuple[str, int, int]] = []
    with open(path) as handle:
        for n, line in enumerate(handle, 1):
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 3 or not cols[1].isdigit() or not cols[2].isdigit():
                raise InputError(path, "expected tab-separated chrom, start, end", line=n)
            chrom, start, end = cols[0], int(cols[1]), int(cols[2])
            if chrom not in contigs:
                raise InputError(
                    path, f"contig '{chrom}' is not in the reference", line=n, field="chrom"
                )
            if end > contigs[chrom] or start >= end:
                raise InputError(
                    path,
                    f"region {chrom}:{start}-{end} is empty or past the contig "
                    f"end ({contigs[chrom]})",
                    line=n,
                )
            regions.append((chrom, start, end))
    if not regions:
        raise InputError(path, "targets BED has no regions")
    return regions


def merge_regions(
    regions: list[tuple[str, int, int]], order: list[str]
) -> list[tuple[str, int, int]]:
    rank = {c: i for i, c in enumerate(order)}
    merged: list[tuple[str, int, int]] = []
    for chrom, start, end in sorted(regions, key=lambda r: (rank[r[0]], r[1], r[2])):
        if merged and merged[-1][0] == chrom and start <= merged[-1][2]:
            merged[-1] = (chrom, merged[-1][1], max(end, merged[-1][2]))
        else:
            merged.append((chrom, start, end))
    return merged


def split_shards(regions: list[tuple[str, int, int]], n: int) -> list[list[tuple[str, int, int]]]:
    """Split sorted regions into ``n`` contiguous shards of near-equal size.

    Shards keep reference order, so concatenating shard outputs in index order gives a
    sorted file without a sort step. A region larger than its share is cut.
    """
    total = sum(e - s for _, s, e in regions)
    target = max(1, -(-total // n))
    shards: list[list[tuple[str, int, int]]] = [[] for _ in range(n)]
    idx, filled = 0, 0
    for chrom, start, end in regions:
        pos = start
        while pos < end:
            room = target - filled
            if room <= 0 and idx < n - 1:
                idx, filled = idx + 1, 0
                room = target
            take = end - pos if idx == n - 1 else min(room, end - pos)
            shards[idx].append((chrom, pos, pos + take))
            filled += take
            pos += take
    return shards
