"""The workflow profiles: every rule they name exists, and their resources resolve."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, make_batch

PROFILES = ROOT / "workflow" / "profiles"


def _profile(name: str) -> dict:
    return yaml.safe_load((PROFILES / name / "config.yaml").read_text())


@pytest.fixture(scope="module")
def rule_names(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    batch = make_batch(tmp_path_factory.mktemp("profiles"), ["HG001"])
    proc = batch.run("--list-rules", timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return set(proc.stdout.split())


def test_default_profile_sets_local_run_options():
    prof = _profile("default")
    assert prof["rerun-incomplete"] is True
    assert prof["printshellcmds"] is True
    assert prof["keep-going"] is False
    assert prof["latency-wait"] > 0
    assert "executor" not in prof


def test_slurm_profile_names_only_existing_rules(rule_names):
    """Snakemake silently ignores unknown rule names in a profile: a renamed rule would
    lose its resources and its group without any message."""
    prof = _profile("slurm")
    named = set(prof["set-resources"]) | set(prof["set-threads"]) | set(prof["groups"])
    # interpretation rules of pilots that are not in this batch still exist in the workflow
    assert named <= rule_names, f"not rules of the workflow: {sorted(named - rule_names)}"


def test_slurm_profile_memory_and_runtime_grow_with_attempt():
    prof = _profile("slurm")
    assert prof["executor"] == "slurm"
    assert prof["retries"] >= 2
    for rule, res in prof["set-resources"].items():
        for key in ("mem_mb", "runtime"):
            values = [eval(str(res[key]), {"attempt": a}) for a in (1, 2, 3)]
            assert values[0] > 0 and values == sorted(values) and values[2] > values[0], (
                f"{rule}.{key}: {values}"
            )


def test_slurm_profile_reads_account_and_partition_from_environment(tmp_path):
    batch = make_batch(tmp_path / "b", ["HG001"])
    env = dict(
        os.environ,
        BIGMED_SLURM_ACCOUNT="lab_acct",
        BIGMED_SLURM_PARTITION="short",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "snakemake",
            "-s",
            str(ROOT / "Snakefile"),
            "--directory",
            str(batch.workdir),
            "--configfile",
            str(batch.config_path),
            "--workflow-profile",
            str(PROFILES / "slurm"),
            "-n",
            "--forceall",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    block = out[out.index("rule map_reads:") :]
    block = block[: block.index("\n\n")]
    assert re.search(r"\bmem_mb=16000\b", block), block
    assert "slurm_account=lab_acct" in block and "slurm_partition=short" in block
    assert re.search(r"\bruntime=720\b", block), block
