"""The one opener for text inputs that may be plain, gzip or BGZF compressed.

Compression is recognised by the file's magic bytes, never by its name: a ``.gz`` that is
plain text and a plain-named gzip file both open. Every reader in bigmed goes through
:func:`open_text` (or :func:`open_bytes` for byte-level parsers such as the FASTQ check).
"""

from __future__ import annotations

import gzip
import io
import os
from typing import IO, cast

GZIP_MAGIC = b"\x1f\x8b"


def is_gzip(path: str | os.PathLike[str]) -> bool:
    """True when the file starts with the gzip magic bytes (gzip or BGZF)."""
    with open(path, "rb") as raw:
        return raw.read(2) == GZIP_MAGIC


def is_bgzf(path: str | os.PathLike[str]) -> bool:
    """gzip with the BGZF 'BC' extra field (what tabix needs)."""
    with open(path, "rb") as raw:
        head = raw.read(18)
    return len(head) >= 14 and head[:4] == b"\x1f\x8b\x08\x04" and head[12:14] == b"BC"


def open_text(
    path: str | os.PathLike[str], errors: str = "replace", encoding: str = "utf-8"
) -> IO[str]:
    """Open a text file, gzip/BGZF or plain, for reading.

    ``errors`` is passed to the decoder: ``"replace"`` (default) for knowledge sources
    whose odd bytes must not stop a run, ``"strict"`` where a bad byte is an input error.
    """
    if is_gzip(path):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding=encoding, errors=errors)
    return open(path, encoding=encoding, errors=errors)


def open_bytes(path: str | os.PathLike[str]) -> IO[bytes]:
    """Open a file, gzip/BGZF or plain, for reading decompressed bytes."""
    if is_gzip(path):
        return cast(IO[bytes], gzip.open(path, "rb"))
    return open(path, "rb")
