"""Shared fixtures: the project root, scratch batches built from the demo, a runner."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))


@dataclass
class Batch:
    """A scratch working directory with its own config, sheets and (optionally) inputs."""

    workdir: Path

    @property
    def config_path(self) -> Path:
        return self.workdir / "config.yaml"

    def config(self) -> dict:
        return yaml.safe_load(self.config_path.read_text())

    def write_config(self, cfg: dict) -> None:
        self.config_path.write_text(yaml.safe_dump(cfg, sort_keys=False))

    def edit(self, **changes: object) -> None:
        cfg = self.config()
        for dotted, value in changes.items():
            node = cfg
            keys = dotted.split("__")
            for k in keys[:-1]:
                node = node.setdefault(k, {})
            node[keys[-1]] = value
        self.write_config(cfg)

    def sheet(self, name: str) -> Path:
        return self.workdir / name

    def run(self, *args: str, timeout: int = 1800) -> subprocess.CompletedProcess[str]:
        return run_snakemake(self.workdir, self.config_path, *args, timeout=timeout)


def run_snakemake(
    workdir: Path, configfile: Path, *args: str, timeout: int = 1800
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(ROOT / "Snakefile"),
        "--directory",
        str(workdir),
        "--configfile",
        str(configfile),
        "--cores",
        "2",
        *args,
    ]
    return subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False
    )


def job_counts(output: str) -> dict[str, int]:
    """The 'Job stats' table of a Snakemake (dry) run: rule -> job count; {} without one."""
    counts: dict[str, int] = {}
    lines = output.splitlines()
    if "Job stats:" not in lines:
        return counts
    for ln in lines[lines.index("Job stats:") + 3 :]:
        cells = ln.split()
        if len(cells) != 2 or cells[0] == "total":
            break
        counts[cells[0]] = int(cells[1])
    return counts


def make_batch(workdir: Path, patients: list[str] | None = None, copy_reads: bool = False) -> Batch:
    """Demo config and sheets with absolute paths, optionally limited to some patients."""
    workdir.mkdir(parents=True, exist_ok=True)
    cfg = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    for key in ("fasta", "annotation", "contig_map"):
        if cfg["reference"].get(key):
            cfg["reference"][key] = str(ROOT / cfg["reference"][key])
    for key, src in (cfg.get("knowledge", {}).get("sources") or {}).items():
        if isinstance(src, str):
            cfg["knowledge"]["sources"][key] = str(ROOT / src)
        elif isinstance(src, dict) and src.get("path"):
            src["path"] = str(ROOT / src["path"])
    samples = (ROOT / "config" / "samples.tsv").read_text().splitlines()
    units = (ROOT / "config" / "units.tsv").read_text().splitlines()
    if patients is not None:
        samples = [samples[0]] + [ln for ln in samples[1:] if ln.split("\t")[0] in patients]
        keep = {ln.split("\t")[1] for ln in samples[1:]}
        units = [units[0]] + [ln for ln in units[1:] if ln.split("\t")[0] in keep]
        # the demo's known-familial-variant reports name demo samples
        cardiac = cfg.get("cardiac") or {}
        if cardiac.get("targeted"):
            cardiac["targeted"] = [t for t in cardiac["targeted"] if t["sample"] in keep]
    out_units = [units[0]]
    for ln in units[1:]:
        cols = ln.split("\t")
        for i in (2, 3):
            src = ROOT / cols[i]
            if copy_reads:
                dst = workdir / "reads" / src.name
                dst.parent.mkdir(exist_ok=True)
                shutil.copyfile(src, dst)
                cols[i] = str(dst)
            else:
                cols[i] = str(src)
        out_units.append("\t".join(cols))
    (workdir / "samples.tsv").write_text("\n".join(samples) + "\n")
    (workdir / "units.tsv").write_text("\n".join(out_units) + "\n")
    cfg["samples"] = str(workdir / "samples.tsv")
    cfg["units"] = str(workdir / "units.tsv")
    if cfg.get("calls"):  # patients entering as a VCF: absolute paths, the kept patients
        kept = {ln.split("\t")[0] for ln in samples[1:]}
        calls = (ROOT / cfg["calls"]).read_text().splitlines()
        rows = [calls[0]]
        for ln in calls[1:]:
            cols = ln.split("\t")
            if cols[0] in kept:
                cols[2] = str(ROOT / cols[2])
                rows.append("\t".join(cols))
        if len(rows) > 1:
            (workdir / "calls.tsv").write_text("\n".join(rows) + "\n")
            cfg["calls"] = str(workdir / "calls.tsv")
        else:
            cfg["calls"] = None
    batch = Batch(workdir)
    batch.write_config(cfg)
    return batch


@pytest.fixture
def batch(tmp_path: Path) -> Batch:
    return make_batch(tmp_path / "batch", patients=["HG001"])


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    """The whole demo, run once per test session in a scratch directory."""
    b = make_batch(tmp_path_factory.mktemp("demo"))
    proc = b.run()
    if proc.returncode != 0:
        pytest.fail(f"demo run failed:\n{proc.stderr[-5000:]}")
    return b
