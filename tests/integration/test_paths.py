"""Paths with spaces and quotes reach the shell commands safely (FASTQ, reference FASTA)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, make_batch

pytestmark = pytest.mark.integration


def test_fastq_and_reference_paths_with_spaces_and_quotes(tmp_path: Path):
    b = make_batch(tmp_path / "lab's batch", patients=["HG001"], copy_reads=True)
    ref_dir = b.workdir / "my ref"
    ref_dir.mkdir()
    for ext in ("", ".fai", ".gzi"):
        name = f"minigenome.fa.gz{ext}"
        shutil.copy(ROOT / "resources" / "reference" / name, ref_dir / name)
    b.edit(reference__fasta=str(ref_dir / "minigenome.fa.gz"), calls=None)
    assert " " in b.sheet("units.tsv").read_text() and "'" in b.sheet("units.tsv").read_text()
    target = "results/qc/fastp/HG001/L001.fastp.json"
    proc = b.run(target)
    assert proc.returncode == 0, proc.stderr[-3000:]
    reads = json.loads((b.workdir / target).read_text())["summary"]["before_filtering"]
    assert reads["total_reads"] == 2 * 9862  # every read of the FASTQ pair was read
