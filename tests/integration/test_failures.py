"""Failures mid-run: a tool killed mid-write, a full disk. Nothing half-written survives."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, make_batch

pytestmark = pytest.mark.integration


def _snakemake_cmd(workdir: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(ROOT / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(workdir / "config.yaml"),
        "--cores",
        "2",
    ]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    return env


def _all_logs(workdir: Path) -> str:
    logs = workdir / "logs"
    return (
        "".join(p.read_text(errors="replace") for p in logs.rglob("*.log")) if logs.exists() else ""
    )


def test_tool_killed_mid_write_leaves_no_output_and_rerun_completes(tmp_path: Path):
    b = make_batch(tmp_path / "batch", patients=["HG001"])
    b.edit(report__pdf=False)
    # RLIMIT_FSIZE: the kernel kills a process with SIGXFSZ when a file it writes passes 1 MiB;
    # the reference copy (5 MiB) dies half-written.
    cmd = " ".join(f"'{c}'" for c in _snakemake_cmd(b.workdir))
    proc = subprocess.run(
        ["bash", "-c", f"ulimit -f 2048; exec {cmd}"],
        capture_output=True,
        text=True,
        env=_env(),
        check=False,
        timeout=600,
    )
    assert proc.returncode != 0
    # the first job to write past the limit dies (a large reference or index file)
    seen = _all_logs(b.workdir) + proc.stderr
    assert "Error in" in proc.stderr
    # Python raises EFBIG ("File too large"); a C tool dies of SIGXFSZ (status 128+25)
    assert any(m in seen for m in ("File too large", "File size limit exceeded", "status 153"))
    assert not (b.workdir / "results" / "HG001" / "report.json").exists()
    # A plain re-run (no --rerun-incomplete) succeeds only if nothing half-written was kept
    proc = b.run()
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (b.workdir / "results" / "reference" / "genome.fa").stat().st_size > 5_000_000
    assert (b.workdir / "results" / "HG001" / "report.json").exists()


def test_disk_full_fails_cleanly(tmp_path: Path):
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mnt = tmp_path / "small"
    mnt.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mnt)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        b = make_batch(mnt / "batch", patients=["HG001"])
        b.edit(report__pdf=False)
        proc = b.run()
        assert proc.returncode != 0
        logs = "".join(p.read_text(errors="replace") for p in (b.workdir / "logs").rglob("*.log"))
        assert "No space left on device" in logs + proc.stderr
        assert not (b.workdir / "results" / "HG001" / "report.json").exists()
        # Whatever was half-written is marked incomplete: with space again, the run redoes it
        # instead of building on a truncated file.
        subprocess.run(["mount", "-o", "remount,size=300m", str(mnt)], check=True)
        proc = b.run("--rerun-incomplete")
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
        fai = (b.workdir / "results" / "reference" / "genome.fa.fai").read_text().splitlines()
        shipped = (ROOT / "resources" / "reference" / "minigenome.fa.gz.fai").read_text()
        assert [ln.split("\t")[:2] for ln in fai] == [
            ln.split("\t")[:2] for ln in shipped.splitlines()
        ]
        assert (b.workdir / "results" / "HG001" / "report.json").exists()
    finally:
        subprocess.run(["umount", str(mnt)], check=False)
