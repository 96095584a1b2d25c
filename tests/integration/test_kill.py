"""SIGKILL at five random points, restart each time: the final outputs are the same as an
uninterrupted run's (the report's timestamp aside)."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, Batch, make_batch

pytestmark = pytest.mark.integration

KILLS = 5
SEED = 20261128


def _cmd(b: Batch, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(ROOT / "Snakefile"),
        "--directory",
        str(b.workdir),
        "--configfile",
        str(b.config_path),
        "--cores",
        "2",
        *extra,
    ]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    return env


def _stable_report(path: Path) -> dict:
    report = json.loads(path.read_text())
    report.pop("generated")
    report["provenance"].pop("config_hash")  # the sheets' paths differ between the two batches
    return report


def _records(path: Path) -> list[str]:
    with gzip.open(path, "rt") as handle:
        return [ln for ln in handle if not ln.startswith("#")]


def test_killed_runs_resume_to_identical_outputs(tmp_path: Path):
    reference = make_batch(tmp_path / "uninterrupted", patients=["HG001"])
    reference.edit(report__pdf=False)
    assert reference.run().returncode == 0

    b = make_batch(tmp_path / "killed", patients=["HG001"])
    b.edit(report__pdf=False)
    rng = random.Random(SEED)
    kills = 0
    for _ in range(KILLS):
        subprocess.run(_cmd(b, "--unlock"), capture_output=True, env=_env(), check=False)
        proc = subprocess.Popen(
            _cmd(b, "--rerun-incomplete"),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_env(),
            start_new_session=True,
        )
        time.sleep(rng.uniform(1.5, 7.0))
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 3, "the run finished before most kill points; the test proves little"
    subprocess.run(_cmd(b, "--unlock"), capture_output=True, env=_env(), check=False)
    final = subprocess.run(
        _cmd(b, "--rerun-incomplete"), capture_output=True, text=True, env=_env(), check=False
    )
    assert final.returncode == 0, final.stderr[-3000:]

    a_dir = reference.workdir / "results" / "HG001"
    b_dir = b.workdir / "results" / "HG001"
    assert _stable_report(a_dir / "report.json") == _stable_report(b_dir / "report.json")
    assert (a_dir / "variants.tsv").read_bytes() == (b_dir / "variants.tsv").read_bytes()
    assert _records(a_dir / "calls.vcf.gz") == _records(b_dir / "calls.vcf.gz")
    leftovers = [p for p in (b.workdir / "results").rglob("*") if ".tmp" in p.name]
    assert leftovers == []
