"""Opening the store: URL resolution, migrations, the schema-version guard.

``store.url`` is a SQLite file (a path, or ``sqlite:///path``) or a PostgreSQL server
(``postgresql://user@host:port/db``; the password comes from libpq's usual places,
``PGPASSWORD`` or ``~/.pgpass``, never from the config). Both run the same SQLAlchemy Core
statements; the one dialect branch is PostgreSQL's COPY for bulk inserts
(:func:`insert_rows`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from sqlalchemy import Connection, Engine, Table, create_engine, event, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

from bigmed.base.errors import InputError
from bigmed.store import schema

DEFAULT_PATH = "results/store/bigmed.sqlite"
SQLITE_BUSY_S = 120  # a second batch loading at the same time waits, never fails at once
WRITE_LOCK = 0x6269676D  # PostgreSQL advisory lock key of bigmed's store writers ("bigm")


def engine_url(url: str | None) -> str:
    """The SQLAlchemy URL of a ``store.url`` value (None: the default SQLite file)."""
    if not url:
        url = DEFAULT_PATH
    if "://" not in url:
        return f"sqlite:///{url}"
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def display_url(url: str | None) -> str:
    """The URL as reports and messages show it: the password, if any, masked."""
    try:
        shown = make_url(engine_url(url)).render_as_string(hide_password=True)
        return unquote(shown).replace("postgresql+psycopg://", "postgresql://", 1)
    except ArgumentError:
        return str(url)


def now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # pysqlite would open transactions only before DML and run DDL outside them: take
    # transactions over (see _sqlite_begin) so that a migration is atomic too
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_begin(conn: Connection) -> None:
    # IMMEDIATE: the writer's lock is taken at BEGIN, so two jobs opening or loading the
    # same file at once queue (busy timeout) instead of failing to upgrade a read lock
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def _parse(url: str | None) -> URL:
    """The SQLAlchemy URL of ``store.url``, checked for a supported backend."""
    try:
        parsed = make_url(engine_url(url))
    except ArgumentError:
        raise InputError(
            str(url),
            "not a store URL (sqlite:///FILE, a file path or postgresql://...)",
            field="store.url",
        ) from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(
            display_url(url),
            f"store backend '{parsed.get_backend_name()}' is not supported (sqlite, postgresql)",
            field="store.url",
        )
    return parsed


def _engine(url: str | None) -> Engine:
    parsed = _parse(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        eng = create_engine(parsed, connect_args={"timeout": SQLITE_BUSY_S})
        event.listen(eng, "connect", _sqlite_connect)
        event.listen(eng, "begin", _sqlite_begin)
        return eng
    return create_engine(parsed, pool_pre_ping=True)


def stored_version(conn: Connection) -> int:
    """The schema version a database records (0: an empty database)."""
    if not conn.dialect.has_table(conn, "store_meta"):
        return 0
    row = conn.execute(
        select(schema.store_meta.c.value).where(schema.store_meta.c.key == "schema_version")
    ).first()
    return int(row[0]) if row else 0


def _set_version(conn: Connection, version: int, old: int) -> None:
    meta = schema.store_meta
    if old == 0:
        conn.execute(meta.insert().values(key="created", value=now()))
        conn.execute(meta.insert().values(key="schema_version", value=str(version)))
    else:
        conn.execute(meta.update().where(meta.c.key == "schema_version").values(value=str(version)))


def lock_for_writing(conn: Connection) -> None:
    """Serialise writers of one store: two batches loading (or migrating) at once queue.

    SQLite does it at BEGIN IMMEDIATE; PostgreSQL takes a transaction-level advisory lock
    (released at commit or rollback).
    """
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK})


def migrate(conn: Connection, url: str, target: int = schema.SCHEMA_VERSION) -> int:
    """Bring the database to ``target`` (one transaction); refuse a newer one."""
    current = stored_version(conn)
    if current < target:
        lock_for_writing(conn)
        current = stored_version(conn)  # another job may have migrated meanwhile
    if current > schema.SCHEMA_VERSION:
        raise InputError(
            url,
            f"the store has schema version {current}, newer than this bigmed supports "
            f"({schema.SCHEMA_VERSION}): upgrade bigmed before using this store",
        )
    for version in range(current + 1, target + 1):
        schema.MIGRATIONS[version](conn)
        _set_version(conn, version, version - 1)
    return max(current, target)


@dataclass
class Store:
    """An open store: the engine, the URL as shown, its schema version."""

    engine: Engine
    url: str
    version: int

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction: everything inside commits together or not at all."""
        with self.engine.begin() as conn:
            yield conn

    def close(self) -> None:
        self.engine.dispose()


def open_store(url: str | None, target: int = schema.SCHEMA_VERSION) -> Store:
    """Open (and if needed create or migrate) the store at ``url``.

    Errors are one line naming the store: a newer schema, an unreachable server.
    """
    shown = display_url(url)
    eng = _engine(url)
    try:
        with eng.begin() as conn:
            version = migrate(conn, shown, target)
    except InputError:
        eng.dispose()
        raise
    except (DBAPIError, SQLAlchemyError) as err:
        eng.dispose()
        first = str(getattr(err, "orig", err) or err).strip().splitlines()
        raise InputError(shown, f"cannot open the store: {first[0] if first else err}") from None
    return Store(eng, shown, version)


def _copy_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL's COPY, inside the connection's transaction: a batch's observations go
    in at COPY speed instead of one statement per row."""
    cols = list(rows[0])
    raw: Any = conn.connection.driver_connection
    quote = conn.dialect.identifier_preparer.quote
    sql = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in cols)}) FROM STDIN"
    with raw.cursor() as cur, cur.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[c] for c in cols])


def insert_rows(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows: PostgreSQL by COPY, SQLite by one executemany. Callers hold the store's
    write lock (:func:`lock_for_writing`), so no other writer adds the same keys meanwhile."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        _copy_rows(conn, table, rows)
    else:
        conn.execute(table.insert(), rows)


def check_store(url: str | None) -> int:
    """Start-up check, read only: the store is reachable and not of a newer schema.

    A SQLite file that does not exist yet is fine (the first load creates it). Returns the
    schema version found (0: none yet).
    """
    full = _parse(url)
    missing = not full.database or not Path(full.database).exists()
    if full.get_backend_name() == "sqlite" and missing:
        return 0
    shown = display_url(url)
    eng = _engine(url)
    try:
        with eng.connect() as conn:
            version = stored_version(conn)
    except (DBAPIError, SQLAlchemyError) as err:
        first = str(getattr(err, "orig", err) or err).strip().splitlines()
        raise InputError(shown, f"cannot open the store: {first[0] if first else err}") from None
    finally:
        eng.dispose()
    if version > schema.SCHEMA_VERSION:
        raise InputError(
            shown,
            f"the store has schema version {version}, newer than this bigmed supports "
            f"({schema.SCHEMA_VERSION}): upgrade bigmed before using this store",
        )
    return version
