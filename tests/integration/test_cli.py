"""`bigmed validate` runs the workflow's own start-up checks: the demo passes, a broken
sheet gives one error line naming the file, row and field, and no job runs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Batch

pytestmark = pytest.mark.integration

BIGMED = str(Path(sys.executable).with_name("bigmed"))


def _bigmed(b: Batch, *args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(
        [BIGMED, *args], cwd=b.workdir, capture_output=True, text=True, env=env, check=False
    )


def test_validate_accepts_the_demo_and_runs_no_job(batch: Batch) -> None:
    proc = _bigmed(batch, "validate", "--configfile", str(batch.config_path))
    assert proc.returncode == 0, proc.stderr
    assert "valid (start-up checks passed)" in proc.stdout
    assert not (batch.workdir / "results").exists()


def test_validate_names_the_bad_cell(batch: Batch) -> None:
    sheet = batch.sheet("samples.tsv")
    lines = sheet.read_text().splitlines()
    header = lines[0].split("\t")
    cells = lines[1].split("\t")
    cells[header.index("sex")] = "mle"
    lines[1] = "\t".join(cells)
    sheet.write_text("\n".join(lines) + "\n")
    proc = _bigmed(batch, "validate", "--configfile", str(batch.config_path))
    assert proc.returncode == 1
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("bigmed: error:")]
    assert len(errors) == 1, proc.stderr
    assert str(sheet) in errors[0] and "sex" in errors[0] and "line 2" in errors[0]
    assert "Traceback" not in proc.stderr
    assert not (batch.workdir / "results").exists()
