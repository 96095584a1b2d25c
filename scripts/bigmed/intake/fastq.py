"""Pre-flight FASTQ checks: readable, intact gzip, well-formed records, paired mates.

The structural checks look at the first ``HEAD_RECORDS`` records of each file; the full
pass (decompress to the end, count reads) catches truncation and R1/R2 count mismatches.
Full-pass results are cached by path, size and mtime so a re-run or a dry run of a large
batch pays for each file once.
"""

from __future__ import annotations

import json
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from bigmed.base.errors import InputError
from bigmed.base.textio import is_gzip, open_bytes

HEAD_RECORDS = 2000  # enough to catch a wrong format or encoding, cheap on any file
CHUNK = 1 << 22
# Phred+33 spans '!'..'~'; Illumina 1.8+ tops out at 'J' (41). A file whose lowest quality
# character is '@' (31 in +33) or higher while its highest exceeds 'J' by a margin is Phred+64.
PHRED64_MIN_CHAR = ord("@")
PHRED33_MAX_TYPICAL = ord("J") + 5


@dataclass(frozen=True)
class FastqSummary:
    path: str
    reads: int


def _read_lines(path: str, limit: int) -> list[bytes]:
    lines: list[bytes] = []
    try:
        with open_bytes(path) as handle:
            for raw in handle:
                lines.append(raw.rstrip(b"\r\n"))
                if len(lines) >= limit:
                    break
    except (OSError, EOFError, zlib.error) as err:
        raise InputError(path, f"corrupt gzip data ({err})") from err
    return lines


def _mate_name(header: bytes) -> bytes:
    name = header[1:].split(maxsplit=1)[0] if len(header) > 1 else b""
    if name.endswith((b"/1", b"/2")):
        name = name[:-2]
    return name


def check_head(path: str) -> list[bytes]:
    """Check existence, readability and the first records; return their read names."""
    p = Path(path)
    if not os.path.exists(path):  # False, not OSError, for a name too long to exist
        raise InputError(path, "FASTQ file not found")
    if not os.access(path, os.R_OK) or not p.is_file():
        raise InputError(path, "FASTQ file is not readable")
    if p.stat().st_size == 0:
        raise InputError(path, "FASTQ file is empty")
    if str(path).endswith(".gz") and not is_gzip(path):
        raise InputError(path, "name ends in .gz but the file is not gzip-compressed")
    lines = _read_lines(path, HEAD_RECORDS * 4)
    if not lines or all(not ln for ln in lines):
        raise InputError(path, "FASTQ file has no reads")
    if len(lines) % 4 and len(lines) < HEAD_RECORDS * 4:
        raise InputError(
            path, f"has {len(lines)} lines, not a multiple of 4 (truncated record)", line=len(lines)
        )
    names: list[bytes] = []
    qmin, qmax = 255, 0
    for i in range(0, len(lines) - len(lines) % 4, 4):
        head, seq, plus, qual = lines[i : i + 4]
        if not head.startswith(b"@"):
            raise InputError(path, "record header does not start with '@'", line=i + 1)
        if not plus.startswith(b"+"):
            raise InputError(path, "separator line does not start with '+'", line=i + 3)
        if len(seq) != len(qual):
            raise InputError(
                path,
                f"sequence has {len(seq)} bases but quality has {len(qual)} characters",
                line=i + 4,
            )
        if qual:
            qmin = min(qmin, min(qual))
            qmax = max(qmax, max(qual))
        names.append(_mate_name(head))
    if qmin < 33 or qmax > 126:
        raise InputError(path, "quality string has characters outside Phred+33 ('!'..'~')")
    if qmin >= PHRED64_MIN_CHAR and qmax > PHRED33_MAX_TYPICAL:
        raise InputError(
            path,
            "qualities look Phred+64 (old Illumina); convert to Phred+33 (e.g. seqtk seq -Q64 -V)",
        )
    return names


def count_reads(path: str) -> int:
    """Decompress to the end and count records; raises on truncation or corrupt data."""
    newlines = 0
    last = b"\n"
    try:
        with open_bytes(path) as handle:
            while chunk := handle.read(CHUNK):
                newlines += chunk.count(b"\n")
                last = chunk[-1:]
    except EOFError as err:
        raise InputError(
            path, "gzip stream is truncated (file ends before the end-of-stream marker)"
        ) from err
    except (OSError, zlib.error) as err:
        raise InputError(path, f"corrupt gzip data ({err})") from err
    if last != b"\n":
        newlines += 1
    if newlines % 4:
        raise InputError(path, f"has {newlines} lines, not a multiple of 4 (truncated record)")
    return newlines // 4


class FastqCache:
    """Full-pass read counts keyed by (absolute path, size, mtime)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.data: dict[str, int] = {}
        self.pairs: dict[str, tuple[int | None, int | None]] = {}
        if path and os.path.exists(path):
            try:
                with open(path) as handle:
                    stored = json.load(handle)
                self.data = stored.get("files", {})
                self.pairs = {k: (v[0], v[1]) for k, v in stored.get("pairs", {}).items()}
            except (OSError, ValueError, AttributeError, TypeError, IndexError):
                self.data, self.pairs = {}, {}

    @staticmethod
    def key(fastq: str) -> str:
        st = os.stat(fastq)
        return f"{os.path.abspath(fastq)}\t{st.st_size}\t{st.st_mtime_ns}"

    def get(self, fastq: str) -> int | None:
        return self.data.get(self.key(fastq))

    def put(self, fastq: str, reads: int) -> None:
        self.data[self.key(fastq)] = reads

    def save(self) -> None:
        if not self.path:
            return
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        tmp = f"{self.path}.{os.getpid()}.tmp"
        with open(tmp, "w") as handle:
            json.dump({"files": self.data, "pairs": self.pairs}, handle)
        os.replace(tmp, self.path)


def check_pair(
    fq1: str, fq2: str, *, full: bool = True, cache: FastqCache | None = None
) -> tuple[int | None, int | None]:
    """Check one read pair; return read counts (None when the full pass is off).

    A pair that passed before with the same files (path, size, mtime) is not read again:
    a 1,000-patient batch re-parses in seconds.
    """
    pair_key = None
    if cache is not None and _readable(fq1) and _readable(fq2):
        pair_key = f"pair\t{int(full)}\t{cache.key(fq1)}\t{cache.key(fq2)}"
        hit = cache.pairs.get(pair_key)
        if hit is not None:
            return hit[0], hit[1]
    counts = _check_pair(fq1, fq2, full=full, cache=cache)
    if cache is not None and pair_key is not None:
        cache.pairs[pair_key] = counts
    return counts


def _readable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.R_OK)


def _check_pair(
    fq1: str, fq2: str, *, full: bool, cache: FastqCache | None
) -> tuple[int | None, int | None]:
    names1 = check_head(fq1)
    names2 = check_head(fq2)
    for i, (a, b) in enumerate(zip(names1, names2, strict=False)):
        if a != b:
            raise InputError(
                fq2,
                f"read {i + 1} is '{b.decode(errors='replace')}' but its mate in "
                f"{fq1} is '{a.decode(errors='replace')}' (mates out of order or "
                "files from different runs)",
                line=4 * i + 1,
            )
    if not full:
        return None, None
    counts: list[int] = []
    for fq in (fq1, fq2):
        cached = cache.get(fq) if cache else None
        n = cached if cached is not None else count_reads(fq)
        if cache and cached is None:
            cache.put(fq, n)
        counts.append(n)
    if counts[0] != counts[1]:
        raise InputError(fq2, f"has {counts[1]} reads but its mate {fq1} has {counts[0]}")
    return counts[0], counts[1]
