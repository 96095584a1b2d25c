"""The ``bigmed`` command: validate a config, run the workflow, compare two reports.

    bigmed validate [--configfile FILE]        start-up checks only (no job runs)
    bigmed run [--configfile FILE] [--profile slurm|default] [-- SNAKEMAKE ARGS...]
    bigmed report-diff PREVIOUS.json CURRENT.json [--json]
    bigmed store info|load|remove-patient|classify|history|export|import ...

``validate`` and ``run`` drive the workflow's own Snakefile: the start-up checks are the
ones every run makes (config and sheet schemas, FASTQ/BAM/VCF headers, reference,
knowledge sources, HPO ids, targeted variants), so ``validate`` can never disagree with
``run``. The workflow is the checkout this package belongs to (``scripts/bigmed`` inside
it), or ``--workflow-dir`` / ``$BIGMED_WORKFLOW``.

``store`` works on the lab's variant store (``bigmed store -h``; :mod:`bigmed.store.commands`).

Exit codes: 0 success; 1 bad input or a failed run (one ``bigmed: error:`` line); 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bigmed import __version__
from bigmed.base.errors import InputError
from bigmed.intake.config import read_config_file
from bigmed.report.changes import compare
from bigmed.store import commands as store_commands

PROFILES = ("default", "slurm")


def workflow_dir(explicit: str | None) -> Path:
    """The checkout holding the Snakefile: flag, then $BIGMED_WORKFLOW, then this package's.

    A folder that was named (flag or variable) but has no Snakefile is an error, never
    silently replaced by another checkout.
    """
    for named, origin in (
        (explicit, "--workflow-dir"),
        (os.environ.get("BIGMED_WORKFLOW"), "BIGMED_WORKFLOW"),
    ):
        if named:
            if not (Path(named) / "Snakefile").is_file():
                raise SystemExit(f"bigmed: error: {named}: no Snakefile here ({origin})")
            return Path(named).resolve()
    home = Path(__file__).resolve().parents[2]
    if not (home / "Snakefile").is_file():
        raise SystemExit(
            "bigmed: error: no bigmed workflow (Snakefile) found: pass --workflow-dir or set "
            "BIGMED_WORKFLOW to the checkout"
        )
    return home


def snakemake_command(
    wdir: Path, configfile: str | None, profile: str | None, extra: Sequence[str]
) -> list[str]:
    """The snakemake command line ``run`` and ``validate`` execute (in the current directory)."""
    exe = shutil.which("snakemake") or str(Path(sys.executable).with_name("snakemake"))
    cmd = [exe, "--snakefile", str(wdir / "Snakefile")]
    if profile:
        cmd += ["--workflow-profile", str(wdir / "workflow" / "profiles" / profile)]
    if configfile:
        if not Path(configfile).is_file():
            raise SystemExit(f"bigmed: error: {configfile}: config file not found")
        try:  # Snakemake parses it before the workflow's checks: one line, not its traceback
            read_config_file(configfile)
        except InputError as err:
            raise SystemExit(f"bigmed: error: {err}") from None
        cmd += ["--configfile", configfile]
    return [*cmd, *extra]


def cmd_validate(args: argparse.Namespace) -> int:
    """Parse the workflow with the config (every start-up check), dry run, no job."""
    wdir = workflow_dir(args.workflow_dir)
    cmd = snakemake_command(wdir, args.configfile, None, ["--dry-run", "--quiet", "rules"])
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    errors = [line for line in proc.stderr.splitlines() if line.startswith("bigmed: error:")]
    for line in proc.stderr.splitlines():
        if line.startswith("bigmed: warning:"):
            print(line, file=sys.stderr)
    if proc.returncode != 0:
        if errors:
            print(errors[0], file=sys.stderr)
        else:
            lines = [x for x in (proc.stderr + proc.stdout).splitlines() if x.strip()]
            tail = lines[0] if lines else f"snakemake exit {proc.returncode}"
            print(f"bigmed: error: workflow did not parse: {tail}", file=sys.stderr)
        return 1
    print(f"bigmed: {args.configfile or 'config/config.yaml'}: valid (start-up checks passed)")
    if proc.stdout.strip():
        print(proc.stdout.strip())
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run the workflow; everything after ``--`` goes to snakemake unchanged."""
    wdir = workflow_dir(args.workflow_dir)
    extra = list(args.snakemake_args)
    if extra and extra[0] == "--":
        extra = extra[1:]
    has_cores = any(a in ("--cores", "-c") or a.startswith("--cores=") for a in extra)
    if not has_cores and args.profile is None:  # a profile sets its own cores/jobs
        extra = ["--cores", str(args.cores), *extra]
    cmd = snakemake_command(wdir, args.configfile, args.profile, extra)
    return subprocess.run(cmd, check=False).returncode


def _load_report(path: str) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except OSError as err:
        raise SystemExit(f"bigmed: error: {path}: cannot read ({err.strerror})") from None
    except json.JSONDecodeError as err:
        raise SystemExit(f"bigmed: error: {path}: not JSON (line {err.lineno})") from None
    if not isinstance(data, dict) or "variants" not in data or "findings" not in data:
        raise SystemExit(f"bigmed: error: {path}: not a bigmed report.json")
    return data


def cmd_report_diff(args: argparse.Namespace) -> int:
    """What changed between two report.json files of a patient (reanalysis)."""
    previous, current = _load_report(args.previous), _load_report(args.current)
    diff = compare(previous, current)
    if args.json:
        print(json.dumps(diff, indent=1, sort_keys=True))
        return 0
    items = diff.get("items", [])
    if not items:
        print("no changes")
    for item in items:
        before = item.get("before") if item.get("before") is not None else "-"
        after = item.get("after") if item.get("after") is not None else "-"
        print(f"{item['change']}\t{item['what']}\t{before}\t{after}")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="bigmed", description=__doc__.split("\n\n")[0])
    top.add_argument("--version", action="version", version=f"bigmed {__version__}")
    sub = top.add_subparsers(dest="command", required=True)
    for name, func, helptext in (
        ("validate", cmd_validate, "run the start-up checks of a config (no job runs)"),
        ("run", cmd_run, "run the workflow (snakemake with the bigmed Snakefile)"),
    ):
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--configfile", help="config YAML (default: config/config.yaml)")
        p.add_argument("--workflow-dir", help="bigmed checkout (default: this package's)")
        p.set_defaults(func=func)
        if name == "run":
            p.add_argument("--profile", choices=PROFILES, help="workflow/profiles/<name>")
            p.add_argument("--cores", type=int, default=os.cpu_count() or 1)
            p.add_argument("snakemake_args", nargs=argparse.REMAINDER)
    d = sub.add_parser("report-diff", help="changes between two report.json of a patient")
    d.add_argument("previous")
    d.add_argument("current")
    d.add_argument("--json", action="store_true", help="the diff as JSON")
    d.set_defaults(func=cmd_report_diff)
    store_commands.add_parser(sub)
    return top


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        if args.command == "store":
            return store_commands.run(args)
        return int(args.func(args))
    except SystemExit as stop:
        if isinstance(stop.code, str):
            print(stop.code, file=sys.stderr)
            return 1
        raise


if __name__ == "__main__":
    sys.exit(main())
