"""Opening, creating and closing a project folder, and its database transactions."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from wsad_core.errors import ProjectError
from wsad_core.project.database import create_project_engine
from wsad_core.project.migrate import ensure_schema

DB_NAME = "project.db"
SUBFOLDERS = ("cache", "runs", "exports")


def project_cache_dir(root: Path) -> Path:
    """Where a project folder keeps its caches (detections, thumbnails), without opening it."""
    return root / "cache"


class ProjectStore:
    """A project folder: ``project.db`` plus ``cache/``, ``runs/`` and ``exports/``.

    Every mutation goes through :meth:`transaction`, which commits everything or nothing.
    """

    def __init__(self, root: Path, engine: Engine, backup: Path | None) -> None:
        self.root = root
        self.engine = engine
        self.backup_path = backup
        self._sessions = sessionmaker(engine, expire_on_commit=False)

    @property
    def db_path(self) -> Path:
        return self.root / DB_NAME

    @property
    def cache_dir(self) -> Path:
        return project_cache_dir(self.root)

    @property
    def runs_dir(self) -> Path:
        return self.root / "runs"

    @property
    def exports_dir(self) -> Path:
        return self.root / "exports"

    @classmethod
    def create(cls, root: str | Path):
        """Create a new project; refuses a folder that already holds one."""
        root = Path(root).expanduser().resolve()
        if (root / DB_NAME).exists():
            raise ProjectError(f"{root}: a project already exists here")
        if root.exists() and not root.is_dir():
            raise ProjectError(f"{root}: exists and is not a folder")
        root.mkdir(parents=True, exist_ok=True)
        return cls._open_folder(root)

    @classmethod
    def open(cls, root: str | Path, *, create: bool = False):
        """Open an existing project (upgrading an older schema after a backup)."""
        root = Path(root).expanduser().resolve()
        if not (root / DB_NAME).is_file():
            if create:
                return cls.create(root)
            raise ProjectError(f"{root}: no project here (no {DB_NAME}); create one with `wsad init`")
        return cls._open_folder(root)

    @classmethod
    def _open_folder(cls, root: Path):
        for name in SUBFOLDERS:
            (root / name).mkdir(exist_ok=True)
        engine = create_project_engine(root / DB_NAME)
        try:
            backup = ensure_schema(engine, root / DB_NAME)
        except Exception:
            engine.dispose()
            raise
        return cls(root, engine, backup)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: holds SQLite's write lock, commits on success, else rolls back."""
        with self._sessions() as session:
            session.connection(execution_options={"sqlite_immediate": True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only snapshot of the database."""
        with self._sessions() as session:
            try:
                yield session
            finally:
                session.rollback()
