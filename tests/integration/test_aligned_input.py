"""Aligned input: a CRAM made from the demo's own BAM enters through units.tsv `bam`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import Batch, job_counts, make_batch

pytestmark = pytest.mark.integration

READ_RULES = {"map_reads", "mark_duplicates"}


def _variants(b: Batch) -> list[tuple[str, int, str, str]]:
    report = json.loads((b.workdir / "results/HG001/report.json").read_text())
    return sorted((v["chrom"], v["pos"], v["ref"], v["alt"]) for v in report["variants"])


@pytest.fixture(scope="module")
def fastq_run(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    b = make_batch(tmp_path_factory.mktemp("from_fastq"), patients=["HG001"])
    b.edit(report__pdf=False)
    proc = b.run("results/HG001/report.json")
    if proc.returncode != 0:
        pytest.fail(proc.stderr[-4000:])
    return b


def _cram_batch(fastq_run: Batch, workdir: Path) -> Batch:
    src = fastq_run.workdir
    cram = workdir / "HG001.cram"
    workdir.mkdir(parents=True, exist_ok=True)
    ref = src / "results/reference/genome.fa"
    subprocess.run(
        [
            "samtools",
            "view",
            "-C",
            "-T",
            str(ref),
            "-o",
            str(cram),
            str(src / "results/alignments/HG001.bam"),
        ],
        check=True,
    )
    b = make_batch(workdir, patients=["HG001"])
    b.sheet("units.tsv").write_text(f"sample\tunit\tbam\nHG001\tL001\t{cram}\n")
    b.edit(report__pdf=False)
    return b


def test_cram_is_used_as_it_is(fastq_run: Batch, tmp_path: Path):
    b = _cram_batch(fastq_run, tmp_path / "from_cram")
    jobs = job_counts(b.run("-n", "results/HG001/report.json").stdout)
    assert jobs.get("import_alignment") == 1
    assert not READ_RULES & set(jobs), jobs
    proc = b.run("results/HG001/report.json")
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert _variants(b) == _variants(fastq_run)
    # duplicates were marked by the demo (samtools markdup @PG): not marked again
    log = (b.workdir / "results/qc/markdup/HG001.txt").read_text()
    assert "duplicates marked upstream" in log
    report = json.loads((b.workdir / "results/HG001/report.json").read_text())
    assert report["samples"][0]["qc"]["reads"] > 0


def test_realign_takes_the_fastq_path(fastq_run: Batch, tmp_path: Path):
    b = _cram_batch(fastq_run, tmp_path / "realign")
    b.edit(inputs__realign=True)
    jobs = job_counts(b.run("-n", "results/HG001/report.json").stdout)
    assert {"extract_reads", "map_reads", "mark_duplicates"} <= set(jobs)
    assert "import_alignment" not in jobs


def test_bam_without_markdup_is_marked(fastq_run: Batch, tmp_path: Path):
    """A BAM whose header has no markdup @PG goes through fixmate and samtools markdup."""
    workdir = tmp_path / "unmarked"
    workdir.mkdir()
    bam = workdir / "HG001.bam"
    src = fastq_run.workdir / "results/alignments/HG001.bam"
    header = subprocess.run(
        ["samtools", "view", "-H", str(src)], capture_output=True, text=True, check=True
    ).stdout
    hdr = workdir / "header.sam"
    hdr.write_text("".join(ln + "\n" for ln in header.splitlines() if not ln.startswith("@PG")))
    with open(bam, "wb") as out:
        subprocess.run(["samtools", "reheader", "-P", str(hdr), str(src)], stdout=out, check=True)
    b = make_batch(workdir, patients=["HG001"])
    b.sheet("units.tsv").write_text(f"sample\tunit\tbam\nHG001\tL001\t{bam}\n")
    b.edit(report__pdf=False)
    proc = b.run("results/HG001/report.json")
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "DUPLICATE TOTAL" in (workdir / "results/qc/markdup/HG001.txt").read_text()
    assert _variants(b) == _variants(fastq_run)
