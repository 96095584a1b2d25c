"""Synthetic batches for the scale benchmarks: N patients copied from demo patients.

Each synthetic patient is a demo patient (the *template*) under a new id; its samples get
new ids too, and its units point at the template's FASTQs (absolute paths, shared, never
copied), so any number of patients costs no disk and the FASTQ checks hit the cache.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from conftest import Batch, make_batch  # noqa: E402

# one patient per pilot shape: trio, cardiac family, tumor/normal (10 lanes), singleton
MIXED = ["RD01", "CARD01", "CRC01", "HG001"]


def _rows(path: Path) -> tuple[str, list[list[str]]]:
    lines = path.read_text().splitlines()
    return lines[0], [ln.split("\t") for ln in lines[1:] if ln.strip()]


def synth_batch(workdir: Path, n: int, templates: list[str] | None = None) -> Batch:
    """A scratch batch of ``n`` patients cycling through ``templates`` (default MIXED)."""
    templates = templates or MIXED
    batch = make_batch(workdir, patients=sorted(set(templates)))
    s_head, samples = _rows(batch.sheet("samples.tsv"))
    u_head, units = _rows(batch.sheet("units.tsv"))
    out_samples, out_units = [s_head], [u_head]
    copies: dict[str, list[str]] = {}
    for i in range(n):
        template = templates[i % len(templates)]
        patient = f"P{i + 1:04d}{template}"
        renamed = {}
        for row in samples:
            if row[0] != template:
                continue
            old = row[1]
            new = patient + old[len(template) :] if old.startswith(template) else f"{patient}-{old}"
            renamed[old] = new
            copies.setdefault(old, []).append(new)
            out_samples.append("\t".join([patient, new, *row[2:]]))
        for row in units:
            if row[0] in renamed:
                out_units.append("\t".join([renamed[row[0]], *row[1:]]))
    batch.sheet("samples.tsv").write_text("\n".join(out_samples) + "\n")
    batch.sheet("units.tsv").write_text("\n".join(out_units) + "\n")
    _rename_sample_keys(batch, copies)
    return batch


def _rename_sample_keys(batch: Batch, copies: dict[str, list[str]]) -> None:
    """Config entries naming demo samples (cardiac.targeted) follow them to every copy."""
    cfg = batch.config()
    targeted = (cfg.get("cardiac") or {}).get("targeted")
    if targeted:
        cfg["cardiac"]["targeted"] = [
            {**entry, "sample": new}
            for entry in targeted
            for new in copies.get(entry.get("sample", ""), [])
        ]
        batch.write_config(cfg)


def snakemake_cmd(batch: Batch, *args: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "snakemake",
        "-s",
        str(ROOT / "Snakefile"),
        "--directory",
        str(batch.workdir),
        "--configfile",
        str(batch.config_path),
        *args,
    ]


def run_timed(batch: Batch, *args: str, log_name: str = "run.log") -> tuple[float, float]:
    """Run snakemake in the batch directory: (wall seconds, CPU seconds of snakemake and every
    job it ran). Exits with the end of the log on failure."""
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    log = batch.workdir / log_name
    t0 = time.monotonic()
    with log.open("w") as fh:
        proc = subprocess.Popen(
            snakemake_cmd(batch, *args), stdout=fh, stderr=subprocess.STDOUT, env=env
        )
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"snakemake failed in {batch.workdir}:\n{log.read_text()[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime
