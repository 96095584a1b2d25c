"""FASTQ pre-flight checks and their cache."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from bigmed.base.errors import InputError
from bigmed.intake.fastq import FastqCache, check_pair, count_reads


def records(n: int, mate: int, qual: str = "I") -> bytes:
    out = []
    for i in range(n):
        out.append(f"@read{i}/{mate} comment\nACGTACGTAC\n+\n{qual * 10}\n")
    return "".join(out).encode()


def pair(tmp_path: Path, n1: int = 10, n2: int = 10) -> tuple[str, str]:
    a, b = tmp_path / "r1.fq.gz", tmp_path / "r2.fq.gz"
    a.write_bytes(gzip.compress(records(n1, 1)))
    b.write_bytes(gzip.compress(records(n2, 2)))
    return str(a), str(b)


def test_good_pair_counts_and_caches(tmp_path: Path):
    fq1, fq2 = pair(tmp_path, 7, 7)
    cache = FastqCache(str(tmp_path / "cache.json"))
    assert check_pair(fq1, fq2, cache=cache) == (7, 7)
    cache.save()
    again = FastqCache(str(tmp_path / "cache.json"))
    assert again.get(fq1) == 7


def test_cache_invalidated_when_file_changes(tmp_path: Path):
    fq1, fq2 = pair(tmp_path, 7, 7)
    cache = FastqCache(None)
    check_pair(fq1, fq2, cache=cache)
    Path(fq1).write_bytes(gzip.compress(records(8, 1)))
    with pytest.raises(InputError, match="has 7 reads but its mate"):
        check_pair(fq1, fq2, cache=cache)


def test_plain_fastq_and_no_trailing_newline(tmp_path: Path):
    p = tmp_path / "r.fq"
    p.write_bytes(records(3, 1).rstrip(b"\n"))
    assert count_reads(str(p)) == 3


def test_truncated_record(tmp_path: Path):
    p = tmp_path / "r.fq"
    p.write_bytes(records(3, 1) + b"@x\nAC\n")
    with pytest.raises(InputError, match="not a multiple of 4"):
        check_pair(str(p), str(p))


def test_mate_names_compared_without_suffix(tmp_path: Path):
    fq1, fq2 = pair(tmp_path)
    assert check_pair(fq1, fq2, full=False) == (None, None)


def test_quality_outside_phred33(tmp_path: Path):
    a = tmp_path / "a.fq"
    a.write_bytes(records(3, 1, qual="\x1f"))
    with pytest.raises(InputError, match="outside Phred\\+33"):
        check_pair(str(a), str(a))


def test_pair_result_cached_until_a_file_changes(tmp_path: Path):
    fq1, fq2 = pair(tmp_path, 5, 5)
    cache = FastqCache(str(tmp_path / "c.json"))
    assert check_pair(fq1, fq2, cache=cache) == (5, 5)
    cache.save()
    cache = FastqCache(str(tmp_path / "c.json"))
    assert len(cache.pairs) == 1
    # same size and mtime: the cached answer is used without reading the files
    Path(fq1).chmod(0o644)
    assert check_pair(fq1, fq2, cache=cache) == (5, 5)
    Path(fq2).write_bytes(gzip.compress(records(4, 2)))
    with pytest.raises(InputError, match="has 4 reads but its mate"):
        check_pair(fq1, fq2, cache=cache)
    Path(fq2).unlink()
    with pytest.raises(InputError, match="FASTQ file not found"):
        check_pair(fq1, fq2, cache=cache)
