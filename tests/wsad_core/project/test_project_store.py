import sqlite3
import threading
import time

import pytest
from sqlalchemy import text

from wsad_core.errors import ProjectError
from wsad_core.project import Project


def test_create_makes_the_project_folder(tmp_path):
    with Project.create(tmp_path / "p") as project:
        names = {p.name for p in project.root.iterdir()}
        assert {"project.db", "cache", "runs", "exports"} <= names
        assert project.summary()["videos"] == 0


def test_create_refuses_an_existing_project(tmp_path):
    Project.create(tmp_path / "p").close()
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(tmp_path / "p")


def test_open_without_a_project_says_how_to_make_one(tmp_path):
    with pytest.raises(ProjectError, match="wsad init"):
        Project.open(tmp_path)


def test_database_uses_wal_foreign_keys_and_a_busy_timeout(project):
    with project.reading() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_a_failed_transaction_changes_nothing(project):
    project.add_label("walk")
    with pytest.raises(RuntimeError):
        with project.transaction() as session:
            session.execute(text("DELETE FROM labels"))
            raise RuntimeError("boom")
    assert [label.name for label in project.labels()] == ["walk"]


def test_a_second_writer_waits_for_the_first(project):
    """BEGIN IMMEDIATE plus the busy timeout: concurrent writers queue instead of failing."""
    other = Project.open(project.root)
    order = []

    def slow_writer():
        with project.transaction() as session:
            session.execute(text("INSERT INTO labels(name, external_id, created_at) VALUES ('a', 1, '2026-01-01 00:00:00')"))
            order.append("first in")
            time.sleep(0.5)
            order.append("first out")

    thread = threading.Thread(target=slow_writer)
    thread.start()
    while not order:
        time.sleep(0.01)
    other.add_label("b")
    order.append("second done")
    thread.join()
    other.close()
    assert order == ["first in", "first out", "second done"]
    assert sorted(label.name for label in project.labels()) == ["a", "b"]


def test_readers_see_committed_data_while_a_writer_holds_the_lock(project):
    project.add_label("walk")
    with project.transaction() as session:
        session.execute(text("INSERT INTO labels(name, external_id, created_at) VALUES ('run', 9, '2026-01-01 00:00:00')"))
        reader = sqlite3.connect(project.db_path, timeout=0.1)
        names = [row[0] for row in reader.execute("SELECT name FROM labels")]
        reader.close()
    assert names == ["walk"]
