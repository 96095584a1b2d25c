"""A private, throwaway PostgreSQL server (initdb + pg_ctl in a temporary folder).

For the tests, the store benchmark and trying the PostgreSQL backend without a DBA: the
server listens on a Unix socket inside its own folder (no TCP port, nothing shared), trusts
only that socket, and is stopped and deleted when the ``with`` block ends, also on an
error. Running as root, the server runs as the ``postgres`` user Debian's package creates
(PostgreSQL refuses to run as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

DB = "bigmed"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL cannot be started here (the message says why)."""


def find_bindir() -> Path | None:
    """The folder holding initdb/pg_ctl: on PATH, else Debian's /usr/lib/postgresql/N/bin."""
    on_path = shutil.which("initdb")
    if on_path:
        return Path(on_path).resolve().parent
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    return Path(found[-1]).parent if found else None


def _as_user() -> dict[str, Any]:
    """subprocess arguments to run the server as 'postgres' when we are root."""
    if os.geteuid() != 0:
        return {}
    try:
        pw = pwd.getpwnam("postgres")
    except KeyError:
        raise PostgresUnavailable("running as root and there is no 'postgres' user") from None
    return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}


def _run(cmd: list[str], cwd: Path, who: dict[str, Any]) -> None:
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False, **who)
    if proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        raise PostgresUnavailable(f"{Path(cmd[0]).name} failed: {' | '.join(tail)}")


def _start(bindir: Path, tmp: Path, who: dict[str, Any], durable: bool) -> None:
    """initdb, start the server on a socket in ``tmp``, create the database."""
    data = str(tmp / "data")
    initdb = [str(bindir / "initdb"), "-D", data, "-A", "trust", "-U", DB, "-E", "UTF8"]
    _run([*initdb, "--no-sync"], tmp, who)
    opts = f"-k {tmp} -c listen_addresses=''"
    if not durable:
        opts += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off"
    pg_ctl = [str(bindir / "pg_ctl"), "-D", data, "-l", str(tmp / "server.log"), "-o", opts]
    _run([*pg_ctl, "-w", "-t", "60", "start"], tmp, who)
    _run([str(bindir / "createdb"), "-h", str(tmp), "-U", DB, DB], tmp, who)


def _stop(bindir: Path, tmp: Path, who: dict[str, Any]) -> None:
    cmd = [str(bindir / "pg_ctl"), "-D", str(tmp / "data"), "-m", "fast", "-w", "stop"]
    subprocess.run(cmd, cwd=tmp, capture_output=True, check=False, **who)


@contextmanager
def local_postgres(durable: bool = False) -> Iterator[str]:
    """Start a server, yield the store URL of its empty database ``bigmed``, stop it.

    ``durable=False`` turns fsync off (tests); benchmarks keep the default durability so
    that load times compare with SQLite's.
    """
    bindir = find_bindir()
    if bindir is None:
        raise PostgresUnavailable(
            "PostgreSQL is not installed (no initdb on PATH or in /usr/lib/postgresql/*/bin)"
        )
    who = _as_user()
    tmp = Path(tempfile.mkdtemp(prefix="bigmed-pg-"))
    try:
        if who:
            os.chown(tmp, who["user"], who["group"])
        try:
            _start(bindir, tmp, who, durable)
            yield f"postgresql://{DB}@/{DB}?host={tmp}"
        finally:
            _stop(bindir, tmp, who)  # also after a failed start: pg_ctl may have started it
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
