"""SQLite engine for a project: WAL journal, foreign keys, a busy timeout.

WAL lets the studio read while a training child writes; the busy timeout makes a writer
wait for another instead of failing at once; foreign keys are off by default in SQLite
and the schema relies on them (cascades, no label ever deleted while in use).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event

BUSY_TIMEOUT_MS = 10_000


def _configure_connection(dbapi_connection, _record) -> None:  # noqa: ANN001 (DB-API types)
    # The sqlite3 driver's own transaction handling would run BEGIN lazily; let SQLAlchemy
    # issue BEGIN so that a transaction covers the reads that a mutation validates against.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin(connection) -> None:  # noqa: ANN001
    # Writers take the write lock up front (BEGIN IMMEDIATE): a transaction that read first
    # and upgraded to a write later could fail with "database is locked" without waiting.
    immediate = connection.get_execution_options().get("sqlite_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def create_project_engine(db_path: Path) -> Engine:
    engine = create_engine(f"sqlite:///{db_path}", future=True)
    event.listen(engine, "connect", _configure_connection)
    event.listen(engine, "begin", _begin)
    return engine
