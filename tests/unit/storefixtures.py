"""Store backends for the store tests: a SQLite file and a real PostgreSQL server.

The PostgreSQL server is Debian's (initdb/pg_ctl) on a private Unix socket in a temporary
folder, started once per test module that uses it and stopped afterwards, also when a test
fails. Where it is not installed it is installed with apt-get when running as root (as
bin/bootstrap does); only without root and without PostgreSQL are the tests skipped.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pysam
import pytest
from bigmed.store.localpg import PostgresUnavailable, find_bindir, local_postgres

BACKENDS = ["sqlite", "postgresql"]


def _install_postgres() -> str | None:
    """None when PostgreSQL is (now) installed, else the reason it cannot be."""
    if find_bindir() is not None:
        return None
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        return "PostgreSQL is not installed and installing it needs root and apt-get"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], env=env, check=False, capture_output=True)
    proc = subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"],
        env=env,
        check=False,
        capture_output=True,
        text=True,
    )
    if find_bindir() is None:
        return f"apt-get could not install postgresql: {proc.stderr.strip()[-300:]}"
    return None


@pytest.fixture(scope="module")
def pg_server() -> Iterator[str]:
    why = _install_postgres()
    if why:
        pytest.skip(why)
    try:
        with local_postgres() as url:
            yield url
    except PostgresUnavailable as err:  # installed but does not start: a failure, not a skip
        pytest.fail(f"PostgreSQL is installed but the test server did not start: {err}")


def _fresh_pg(server: str, name: str) -> str:
    """A new empty database on the module's server (one per test)."""
    import sqlalchemy as sa
    from bigmed.store.db import engine_url

    eng = sa.create_engine(engine_url(server), isolation_level="AUTOCOMMIT")
    with eng.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    eng.dispose()
    base, query = server.split("?", 1)
    return f"{base.rsplit('/', 1)[0]}/{name}?{query}"


@pytest.fixture(params=BACKENDS)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty store on each backend."""
    if request.param == "sqlite":
        return str(tmp_path / "store.sqlite")
    server = request.getfixturevalue("pg_server")
    return _fresh_pg(server, f"t{abs(hash(request.node.nodeid)) % 10**9}")


@pytest.fixture
def other_store_url(request: pytest.FixtureRequest, store_url: str, tmp_path: Path) -> str:
    """A second empty store on the other backend (exchange round trips cross backends)."""
    if store_url.startswith("postgresql"):
        return str(tmp_path / "other.sqlite")
    server = request.getfixturevalue("pg_server")
    return _fresh_pg(server, f"o{abs(hash(request.node.nodeid)) % 10**9}")


HEADER_CONTIGS = {"chr1": 248956422, "chr7": 159345973, "chr17": 83257441}


def write_vcf(path: Path, samples: list[str], records: list[tuple]) -> str:
    """A small GRCh38 VCF: records are (chrom, pos, ref, alt, filter, {sample: (gt, ad)},
    info dict)."""
    header = pysam.VariantHeader()
    for c, n in HEADER_CONTIGS.items():
        header.contigs.add(c, length=n)
    header.add_meta("FILTER", items=[("ID", "LowQual"), ("Description", "low quality")])
    for key in ("GENE", "TRANSCRIPT", "HGVSc", "HGVSp"):
        header.add_meta(
            "INFO", items=[("ID", key), ("Number", "1"), ("Type", "String"), ("Description", key)]
        )
    header.add_meta(
        "FORMAT",
        items=[("ID", "GT"), ("Number", "1"), ("Type", "String"), ("Description", "Genotype")],
    )
    header.add_meta(
        "FORMAT",
        items=[
            ("ID", "AD"),
            ("Number", "R"),
            ("Type", "Integer"),
            ("Description", "Allele depths"),
        ],
    )
    for s in samples:
        header.add_sample(s)
    with pysam.VariantFile(str(path), "w", header=header) as out:
        for chrom, pos, ref, alt, filt, calls, *rest in records:
            rec = out.new_record(contig=chrom, start=pos - 1, alleles=(ref, alt), filter=filt)
            for k, v in (rest[0] if rest else {}).items():
                rec.info[k] = v
            for s, (gt, ad) in calls.items():
                rec.samples[s]["GT"] = gt
                rec.samples[s]["AD"] = ad
            out.write(rec)
    return str(path)
