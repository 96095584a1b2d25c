"""Aligned input: @SQ against the reference (names, lengths, M5), @RG SM, markdup @PG."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from bigmed.base.errors import InputError
from bigmed.genome.reference import fasta_contigs
from bigmed.intake.aligned import check_header, read_header, reference_md5s
from conftest import ROOT

REF = str(ROOT / "resources" / "reference" / "minigenome.fa.gz")
CONTIGS = fasta_contigs(REF)
C1, C2 = list(CONTIGS)[:2]
MARKDUP = "@PG\tID:samtools.3\tPN:samtools\tCL:samtools markdup -@ 2 - out.bam"

needs_samtools = pytest.mark.skipif(shutil.which("samtools") is None, reason="no samtools")


@pytest.fixture(scope="module")
def md5s(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    cache = tmp_path_factory.mktemp("md5") / "reference_md5.json"
    first = reference_md5s(REF, str(cache))
    assert cache.is_file()
    assert reference_md5s(REF, str(cache)) == first  # from the cache
    return first


def _bam(tmp: Path, sq: list[str], rg: str = "@RG\tID:L1\tSM:S1", pg: str = MARKDUP) -> str:
    lines = ["@HD\tVN:1.6\tSO:coordinate", *sq]
    lines += [x for x in (rg, pg) if x]
    read = f"r1\t0\t{C1}\t100\t60\t10M\t*\t0\t0\tACGTACGTAC\tIIIIIIIIII"
    if rg:
        read += "\tRG:Z:L1"
    sam = tmp / "in.sam"
    sam.write_text("\n".join([*lines, read]) + "\n")
    out = tmp / "in.bam"
    subprocess.run(["samtools", "view", "-b", "-o", str(out), str(sam)], check=True)
    return str(out)


def _sq(name: str, length: int, m5: str = "") -> str:
    return f"@SQ\tSN:{name}\tLN:{length}" + (f"\tM5:{m5}" if m5 else "")


@needs_samtools
def test_good_bam_and_its_cram(tmp_path, md5s):
    bam = _bam(tmp_path, [_sq(C1, CONTIGS[C1], md5s[C1]), _sq(C2, CONTIGS[C2])])
    info = check_header(bam, read_header(bam), CONTIGS, "S1", md5s)
    assert (info.sorted, info.duplicates_marked, info.indexed) == (True, True, False)
    cram = str(tmp_path / "in.cram")
    subprocess.run(["samtools", "view", "-C", "-T", REF, "-o", cram, bam], check=True)
    subprocess.run(["samtools", "index", cram], check=True)
    info = check_header(cram, read_header(cram), CONTIGS, "S1", md5s)
    assert info.indexed and info.duplicates_marked


@needs_samtools
def test_without_markdup_pg_duplicates_are_not_marked(tmp_path, md5s):
    pg = "@PG\tID:bwa\tPN:bwa\tCL:bwa mem ref.fa results/qc/markdup/x.fq"
    bam = _bam(tmp_path, [_sq(C1, CONTIGS[C1])], pg=pg)
    assert not check_header(bam, read_header(bam), CONTIGS, "S1", md5s).duplicates_marked
    picard = "@PG\tID:MarkDuplicates\tPN:MarkDuplicates\tCL:MarkDuplicates INPUT=a.bam"
    bam = _bam(tmp_path, [_sq(C1, CONTIGS[C1])], pg=picard)
    assert check_header(bam, read_header(bam), CONTIGS, "S1", md5s).duplicates_marked


@needs_samtools
@pytest.mark.parametrize(
    "case,message",
    [
        ("length", "@SQ '{c1}' has length {bad} but the reference has {n}"),
        ("name", "@SQ 'chr7_1_100' is not in the reference"),
        ("m5", "@SQ '{c1}' has M5 0123456789abcdef0123456789abcdef but the reference's"),
        ("sm", "read group 'L1' has SM 'NA12878' but the sample id is 'S1'"),
        ("no_rg", "has no @RG read group (expected SM:S1)"),
    ],
)
def test_header_mismatch_is_one_line(tmp_path, md5s, case, message):
    n = CONTIGS[C1]
    sq = [_sq(C1, n)]
    rg = "@RG\tID:L1\tSM:S1"
    if case == "length":
        sq = [_sq(C1, n + 7)]
    elif case == "name":
        sq = [_sq(C1, n), _sq("chr7_1_100", 100)]
    elif case == "m5":
        sq = [_sq(C1, n, "0123456789abcdef0123456789abcdef")]
    elif case == "sm":
        rg = "@RG\tID:L1\tSM:NA12878"
    elif case == "no_rg":
        rg = ""
    bam = _bam(tmp_path, sq, rg=rg)
    with pytest.raises(InputError) as err:
        check_header(bam, read_header(bam), CONTIGS, "S1", md5s)
    assert str(err.value).startswith(f"{bam}: ")
    assert message.format(c1=C1, n=n, bad=n + 7) in str(err.value)


def test_missing_alignment_file(tmp_path):
    with pytest.raises(InputError, match="alignment file not found"):
        read_header(str(tmp_path / "nope.bam"))


def test_reference_path_too_long_to_exist_is_not_found() -> None:
    """Path.is_file raises OSError (ENAMETOOLONG) for such a name; the check says 'not found'."""
    with pytest.raises(InputError, match="reference FASTA not found"):
        fasta_contigs("r" * 5000 + ".fa")
