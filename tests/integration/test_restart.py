"""Restartability: a run killed mid-way resumes with only its unfinished jobs, and a changed
interpretation-only setting re-runs only the report, not alignment or calling."""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from conftest import ROOT, Batch, job_counts, make_batch

pytestmark = pytest.mark.integration

PATIENT = "HG001"  # one sample of real reads: the smallest patient of the demo
# rules upstream of the report that must never re-run for a report-only setting
UPSTREAM = {
    "prepare_reference",
    "index_bwa",
    "map_reads",
    "mark_duplicates",
    "sample_ploidy",
    "realign_indels",
    "call_variants_bcftools",
    "call_variants_freebayes",
    "call_long_indels_bcftools",
    "merge_long_indels",
    "gather_calls",
    "normalize_calls",
    "annotate_consequences",
    "finalize_calls",
    "sample_qc",
}


def snapshot_workflow(dest: Path) -> Path:
    """A copy of the workflow's code (data linked) to run from: edits to the working tree
    during the test, and the git commit param, cannot change jobs between its runs."""
    for name in ("rules", "scripts", "workflow", "envs", "config"):
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(ROOT / "Snakefile", dest / "Snakefile")
    (dest / "resources").symlink_to(ROOT / "resources")
    return dest / "Snakefile"


def _cmd(snakefile: Path, workdir: Path, configfile: Path, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(snakefile),
        "--directory",
        str(workdir),
        "--configfile",
        str(configfile),
        "--cores",
        "2",
        *args,
    ]


def _run(
    snakefile: Path, workdir: Path, configfile: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _cmd(snakefile, workdir, configfile, *args),
        capture_output=True,
        text=True,
        env=_env(),
        timeout=1800,
        check=False,
    )


def _env() -> dict[str, str]:
    return dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")


def _report(workdir: Path) -> dict:
    report = json.loads((workdir / "results" / PATIENT / "report.json").read_text())
    report.pop("generated")
    return report


def _steps(stderr: str) -> int:
    """Total job count of a run, from snakemake's final 'N of N steps' line."""
    found = re.findall(r"(\d+) of (\d+) steps \(100%\) done", stderr)
    assert found, stderr[-3000:]
    return int(found[-1][1])


def _outputs(workdir: Path) -> dict[str, int]:
    return {
        str(p.relative_to(workdir)): p.stat().st_mtime_ns
        for p in (workdir / "results").rglob("*")
        if p.is_file()
    }


def _incomplete(workdir: Path) -> set[str]:
    """Outputs snakemake had marked as being written (.snakemake/incomplete/<base64 path>)."""
    marks = workdir / ".snakemake" / "incomplete"
    names = set()
    for mark in marks.rglob("*") if marks.exists() else []:
        if mark.is_file():
            try:
                names.add(base64.b64decode(mark.name.encode(), altchars=b"+_").decode())
            except ValueError:
                continue
    return names


@pytest.fixture(scope="module")
def snakefile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return snapshot_workflow(tmp_path_factory.mktemp("workflow"))


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory, snakefile: Path) -> Batch:
    """An uninterrupted run; its config file is shared with the interrupted run."""
    batch = make_batch(tmp_path_factory.mktemp("restart") / "baseline", [PATIENT])
    proc = _run(snakefile, batch.workdir, batch.config_path)
    assert proc.returncode == 0, proc.stderr[-5000:]
    batch.steps = _steps(proc.stderr)  # type: ignore[attr-defined]
    return batch


def test_killed_run_resumes_only_unfinished_jobs(baseline: Batch, snakefile: Path, tmp_path: Path):
    workdir = tmp_path / "killed"
    workdir.mkdir()
    log = workdir / "first.log"
    cmd = _cmd(snakefile, workdir, baseline.config_path)
    env = _env()
    with log.open("w") as fh:
        # own process group: SIGKILL reaches snakemake and every job it started, as when
        # a node dies or the scheduler kills the run
        proc = subprocess.Popen(
            cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True
        )
        deadline = time.monotonic() + 900
        try:
            while time.monotonic() < deadline and proc.poll() is None:
                if len(re.findall(r"Finished jobid", log.read_text())) >= 6:
                    break
                time.sleep(0.1)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, (
        f"the run ended before it could be killed:\n{log.read_text()[-3000:]}"
    )
    time.sleep(1)  # mtime granularity: a re-written file must look different

    before = _outputs(workdir)
    incomplete = _incomplete(workdir)
    finished = {path: mtime for path, mtime in before.items() if path not in incomplete}
    assert finished, "no output was finished before the kill"

    # what a user does after a crash: unlock, then resume
    unlock = _run(snakefile, workdir, baseline.config_path, "--unlock")
    assert unlock.returncode == 0, unlock.stderr[-3000:]
    resumed = _run(snakefile, workdir, baseline.config_path, "--rerun-incomplete")
    assert resumed.returncode == 0, resumed.stderr[-5000:]

    after = _outputs(workdir)
    changed = sorted(p for p, m in finished.items() if p in after and after[p] != m)
    assert not changed, f"finished outputs were redone: {changed}"
    assert _steps(resumed.stderr) < baseline.steps  # type: ignore[attr-defined]
    for path in incomplete:
        assert path not in after or after[path] != before.get(path), path
    assert _report(workdir) == _report(baseline.workdir)


def _dry_run_rules(snakefile: Path, batch: Batch, configfile: Path, *args: str) -> set[str]:
    proc = _run(snakefile, batch.workdir, configfile, "-n", "--quiet", "rules", *args)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout + proc.stderr
    if "Nothing to be done" in out:
        return set()
    assert "Job stats:" in out.splitlines(), out[-3000:]
    return set(job_counts(out))


def test_report_only_setting_reruns_only_the_report(baseline: Batch, snakefile: Path):
    config = yaml.safe_load(baseline.config_path.read_text())
    assert _dry_run_rules(snakefile, baseline, baseline.config_path) == set()

    config.setdefault("report", {})["max_variants_html"] = 17
    changed = baseline.workdir / "config_report_changed.yaml"
    changed.write_text(yaml.safe_dump(config, sort_keys=False))

    # (`--list-changes params` is no help here: Snakemake 9.27 lists every output that has
    # recorded params, changed or not; the dry run below decides as a real run would)
    rules = _dry_run_rules(
        snakefile,
        baseline,
        changed,
        "--rerun-triggers",
        "mtime",
        "params",
        "input",
        "software-env",
        "code",
    )
    assert "build_report" in rules
    assert not rules & UPSTREAM, f"re-run although upstream of the report: {rules & UPSTREAM}"
    # only the report and what is made from it (the PDF, the FHIR bundle, the batch page,
    # and MultiQC's bigmed sections, which are read from the reports)
    downstream = {
        "build_report",
        "export_pdf",
        "export_fhir",
        "summarize_batch",
        "write_multiqc_tables",
        "multiqc",
        "all",
    }
    assert rules <= downstream, f"unexpected re-runs: {sorted(rules - downstream)}"

    # and a real run does only that: outputs other than the report's keep their mtime
    before = _outputs(baseline.workdir)
    time.sleep(1)
    rerun = _run(snakefile, baseline.workdir, changed)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    after = _outputs(baseline.workdir)
    redone = {p for p in before if p in after and after[p] != before[p]}
    assert f"results/{PATIENT}/report.json" in redone
    report_files = re.compile(
        rf"results/({PATIENT}/(report\.|variants\.tsv|coverage_gaps\.tsv)|batch/|qc/(multiqc|bigmed/))"
    )
    assert all(report_files.match(p) for p in redone), sorted(redone)
