"""A real SLURM cluster on this machine runs part of the demo through the slurm profile.

The fixture starts munged, mariadbd, slurmdbd, slurmctld and slurmd (installing them with
apt-get when missing; that needs root), and stops every one of them afterwards, also when
the test fails. The same batch is run locally and through SLURM; calls and reports must
agree (the report's `generated` timestamp aside).
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, make_batch

pytestmark = [pytest.mark.integration, pytest.mark.cluster]

HERE = Path(__file__).parent
# RD01, a trio: three samples through alignment and QC, joint calling over the shards, the
# post-calling group; one patient keeps the test at a few minutes on 2 cores
PATIENTS = ["RD01"]
# the plugin's status polls dominate a run of seconds-long jobs: poll every second
FAST_POLLING = (
    "--slurm-init-seconds-before-status-checks",
    "1",
    "--seconds-between-status-checks",
    "1",
)


def snapshot_workflow(dest: Path) -> Path:
    """A copy of the workflow's code (data linked) to run from: edits to the working tree
    during a long test, and the git commit param, cannot change jobs between its runs."""
    for name in ("rules", "scripts", "workflow", "envs", "config"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "Snakefile", dest / "Snakefile")
    (dest / "resources").symlink_to(ROOT / "resources")
    return dest / "Snakefile"


def _ports_free(base: int) -> bool:
    for port in range(base, base + 4):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                return False
    return True


def _tail(path: Path, n: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


@pytest.fixture(scope="module")
def slurm_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    if os.geteuid() != 0:
        pytest.skip("cluster test needs root: it installs and starts SLURM daemons")
    if shutil.which("apt-get") is None and shutil.which("slurmctld") is None:
        pytest.skip("cluster test needs apt-get (Debian) to install slurm-wlm")
    state = tmp_path_factory.mktemp("slurm")
    base = next(p for p in range(16817, 30000, 10) if _ports_free(p))
    env = dict(os.environ, BIGMED_SLURM_PORT_BASE=str(base))
    try:
        proc = subprocess.run(
            ["bash", str(HERE / "start_cluster.sh"), str(state)],
            capture_output=True,
            text=True,
            env=env,
            timeout=900,
            check=False,
        )
        if proc.returncode == 3:
            pytest.skip(proc.stderr.strip().splitlines()[-1])
        if proc.returncode != 0:
            logs = "\n".join(
                f"--- {p.name}\n{_tail(p)}" for p in sorted((state / "log").glob("*.log"))
            )
            pytest.fail(f"SLURM cluster did not start:\n{proc.stderr[-3000:]}\n{logs}")
        yield {
            "SLURM_CONF": str(state / "slurm.conf"),
            # srun wrapper: the plugin's job step drops SLURM_CONF before its inner srun
            "PATH": f"{state / 'bin'}{os.pathsep}{os.environ['PATH']}",
            "BIGMED_SLURM_ACCOUNT": "bigmed",
            "BIGMED_SLURM_PARTITION": "debug",
        }
    finally:
        subprocess.run(
            ["bash", str(HERE / "stop_cluster.sh"), str(state)], timeout=120, check=False
        )


def _calls(vcf: Path) -> list[tuple]:
    """Every record with its filter and per-sample genotype and depth."""
    out = []
    with gzip.open(vcf, "rt") as fh:
        samples: list[str] = []
        for line in fh:
            if line.startswith("#CHROM"):
                samples = line.rstrip("\n").split("\t")[9:]
            if line.startswith("#"):
                continue
            f = line.rstrip("\n").split("\t")
            fmt = f[8].split(":")
            gts = tuple(
                (s, dict(zip(fmt, v.split(":"), strict=False)).get("GT"))
                for s, v in zip(samples, f[9:], strict=True)
            )
            out.append((f[0], int(f[1]), f[3], f[4], f[5], f[6], f[7], gts))
    return out


def _report(path: Path) -> dict:
    report = json.loads(path.read_text())
    report.pop("generated")
    return report


def test_demo_subset_through_slurm_matches_local_run(slurm_cluster, tmp_path):
    # one config and one set of sheets for both runs: same config hash, same provenance
    shared = make_batch(tmp_path / "batch", PATIENTS)
    local_dir, slurm_dir = tmp_path / "local", tmp_path / "slurm"
    local_dir.mkdir()
    slurm_dir.mkdir()

    snakefile = snapshot_workflow(tmp_path / "workflow")

    def snakemake(workdir: Path) -> list[str]:
        return [
            sys.executable,
            "-m",
            "snakemake",
            "-s",
            str(snakefile),
            "--directory",
            str(workdir),
            "--configfile",
            str(shared.config_path),
        ]

    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    t0 = time.monotonic()
    local = subprocess.run(
        [*snakemake(local_dir), "--cores", "2"],
        capture_output=True,
        text=True,
        env=dict(os.environ, PATH=path),
        timeout=1200,
        check=False,
    )
    assert local.returncode == 0, local.stderr[-5000:]
    t_local = time.monotonic() - t0

    env = dict(os.environ, **slurm_cluster)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{slurm_cluster['PATH']}"
    t0 = time.monotonic()
    proc = subprocess.run(
        [
            *snakemake(slurm_dir),
            "--workflow-profile",
            str(snakefile.parent / "workflow" / "profiles" / "slurm"),
            *FAST_POLLING,
            # the test node has this machine's CPUs, the profile asks up to 16 per job: one
            # thread per job, and --cores caps what all running jobs (and a job group) ask
            "--max-threads",
            "1",
            "--cores",
            str(os.cpu_count() or 1),
            "--latency-wait",
            "5",
            "--jobs",
            "20",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,  # ~4-6 min here; a hung status poll must not eat CI's 90 min
        check=False,
    )
    t_slurm = time.monotonic() - t0
    print(f"local run {t_local:.0f} s, SLURM run {t_slurm:.0f} s")
    assert proc.returncode == 0, proc.stderr[-8000:]
    assert "SLURM run ID" in proc.stderr

    # jobs really went through the scheduler and its accounting (what the plugin reads)
    sacct = subprocess.run(
        ["sacct", "-X", "-n", "-P", "-a", "-o", "JobName,State,Account", "-S", "now-1hours"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.splitlines()
    states = [ln.split("|") for ln in sacct if ln]
    assert len(states) >= 10, sacct
    assert all(state == "COMPLETED" and acct == "bigmed" for _, state, acct in states), sacct
    # the profile's job groups fold the post-calling steps of a patient into one job
    assert "Group job patient" in proc.stderr

    for patient in PATIENTS:
        for name in ("calls.vcf.gz",):
            a = _calls(local_dir / "results" / patient / name)
            b = _calls(slurm_dir / "results" / patient / name)
            assert a, f"{patient}: no calls"
            assert a == b, f"{patient}: calls differ between the local and the SLURM run"
        a_rep = _report(local_dir / "results" / patient / "report.json")
        b_rep = _report(slurm_dir / "results" / patient / "report.json")
        assert a_rep == b_rep, f"{patient}: report.json differs"
        assert (slurm_dir / "results" / patient / "report.html").stat().st_size > 0
