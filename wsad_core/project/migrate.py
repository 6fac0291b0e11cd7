"""Bring a project database to the schema this version of wsad-studio writes.

Called on every open: a new database is created at the newest revision; an older one is
copied to ``project.db.bak-<revision>`` and upgraded; one written by a newer wsad-studio is
refused, because downgrading could lose data this version does not know about.
"""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from wsad_core.errors import ProjectError


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option(
        "script_location", str(resources.files("wsad_core.project") / "migrations")
    )
    return config


def head_revision() -> str:
    """The schema revision this version of wsad-studio writes."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision stored in the database, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to ``revision`` (tests use older revisions to build old projects).

    SQLite alters a table by copying it, dropping the old one and renaming the copy; with
    foreign keys enforced, the drop would cascade and delete every clip of every video. So
    enforcement is off while migrating, and the result is checked before it is committed.
    """
    config = _alembic_config()
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise ProjectError(
                        f"schema upgrade to {revision} would break {len(broken)} references "
                        f"(first: {broken[0]}); the project was left as it was"
                    )
        finally:
            raw.execute("PRAGMA foreign_keys=ON")


def _backup(db_path: Path, revision: str) -> Path:
    """Copy the database with SQLite's online backup, which includes a pending WAL."""
    target = db_path.with_name(f"{db_path.name}.bak-{revision}")
    counter = 1
    while target.exists():
        target = db_path.with_name(f"{db_path.name}.bak-{revision}.{counter}")
        counter += 1
    source = sqlite3.connect(db_path)
    try:
        destination = sqlite3.connect(target)
        try:
            source.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    return target


def ensure_schema(engine: Engine, db_path: Path) -> Path | None:
    """Create or upgrade the schema; return the backup made before an upgrade, if any."""
    script = ScriptDirectory.from_config(_alembic_config())
    head = head_revision()
    current = current_revision(engine)
    if current == head:
        return None
    if current is None:
        if inspect(engine).get_table_names():
            raise ProjectError(
                f"{db_path}: not a wsad-studio project database (it has tables but no schema version)"
            )
        upgrade(engine)
        return None
    known = {rev.revision for rev in script.walk_revisions()}
    if current not in known:
        raise ProjectError(
            f"{db_path}: written by a newer wsad-studio (schema revision {current!r}; this "
            f"version knows up to {head!r}). Upgrade wsad-studio to open it."
        )
    backup = _backup(db_path, current)
    upgrade(engine)
    return backup
