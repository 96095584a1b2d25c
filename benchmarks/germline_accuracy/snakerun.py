"""Run the bigmed pipeline in a scratch working directory.

``snakemake -s PROJECT/Snakefile --directory WORKDIR --cores N --configfile
WORKDIR/config.yaml TARGET...``, the config being the default config/config.yaml with
absolute paths and the benchmark's overrides.
"""

from __future__ import annotations

import os
import resource
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[2]
SNAKEFILE = REPO / "Snakefile"
DEFAULT_CONFIG = REPO / "config" / "config.yaml"
REF_FASTA = REPO / "resources" / "reference" / "minigenome.fa.gz"
ANNOTATION = REPO / "resources" / "annotation" / "minigenome.gff3"
CONTIG_MAP = REPO / "resources" / "reference" / "contigs.tsv"


def check_workdir(path: Path, marker: str) -> Path:
    """A scratch directory outside the repository (results/ there belongs to others) that is
    new, empty, or made by an earlier run of the same benchmark (marker file)."""
    path = path.resolve()
    if path == REPO or REPO in path.parents:
        raise SystemExit(f"error: workdir {path} is inside the repository {REPO}; use /tmp/...")
    if path.exists() and any(path.iterdir()) and not (path / marker).exists():
        raise SystemExit(f"error: {path} is not empty and was not made by this benchmark; "
                         "give a new --workdir")
    path.mkdir(parents=True, exist_ok=True)
    (path / marker).touch()
    return path


# config values that name something the pipeline writes: never pointed into the repository
OUTPUT_KEYS = {("knowledge", "dir")}


def absolutize(node: Any, path: tuple[str, ...] = ()) -> Any:
    """Relative paths of the default config that exist in the repository, made absolute
    (the run directory is a scratch directory); output locations stay relative."""
    if isinstance(node, dict):
        return {k: absolutize(v, (*path, k)) for k, v in node.items()}
    if isinstance(node, list):
        return [absolutize(v, path) for v in node]
    if (isinstance(node, str) and path not in OUTPUT_KEYS and "/" in node
            and not os.path.isabs(node) and (REPO / node).exists()):
        return str(REPO / node)
    return node


def default_config() -> dict[str, Any]:
    with open(DEFAULT_CONFIG) as handle:
        cfg: dict[str, Any] = yaml.safe_load(handle)
    return cfg


def make_config(samples: Path, units: Path, targets: Path | None = None,
                calling: dict[str, Any] | None = None, with_knowledge: bool = False
                ) -> dict[str, Any]:
    """The default config with absolute paths and the given overrides."""
    cfg: dict[str, Any] = absolutize(default_config())
    cfg["samples"] = str(samples)
    cfg["units"] = str(units)
    cfg["reference"].update(fasta=str(REF_FASTA), annotation=str(ANNOTATION),
                            contig_map=str(CONTIG_MAP))
    cfg["targets"] = str(targets) if targets else None
    cfg["calls"] = None  # the demo's calls sheet names demo patients
    if not with_knowledge:  # calls only: no source is read, none needs to exist
        cfg["knowledge"]["sources"] = {}
    cfg.get("cardiac", {})["targeted"] = []
    cfg.get("crc", {})["notes"] = {}
    cfg["calling"].update(calling or {})
    return cfg


@dataclass
class RunResult:
    rc: int
    wall_s: float
    cpu_s: float
    load_before: float
    load_after: float
    log: Path


def run_pipeline(workdir: Path, cfg: dict[str, Any], targets: list[str], cores: int = 2,
                 log_name: str = "snakemake.log") -> RunResult:
    """Write WORKDIR/config.yaml and run snakemake for ``targets``; times the whole command."""
    workdir.mkdir(parents=True, exist_ok=True)
    with open(workdir / "config.yaml", "w") as handle:
        yaml.safe_dump(cfg, handle, sort_keys=False)
    # targets first: --configfile takes several values
    cmd = ["snakemake", *targets, "-s", str(SNAKEFILE), "--directory", str(workdir),
           "--cores", str(cores), "--configfile", str(workdir / "config.yaml")]
    log = workdir / log_name
    load_before = os.getloadavg()[0]
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    with open(log, "w") as handle:
        handle.write(" ".join(cmd) + "\n")
        handle.flush()
        rc = subprocess.run(cmd, stdout=handle, stderr=subprocess.STDOUT).returncode
    wall = time.monotonic() - t0
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return RunResult(rc, wall, cpu, load_before, os.getloadavg()[0], log)
