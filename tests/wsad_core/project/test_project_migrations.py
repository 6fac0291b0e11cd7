import sqlite3

import pytest

from wsad_core.errors import ProjectError
from wsad_core.project import Project
from wsad_core.project.database import create_project_engine
from wsad_core.project.migrate import current_revision, head_revision, upgrade


def make_old_project(root):
    """A project as the first schema revision wrote it, with a label and a clip."""
    root.mkdir()
    engine = create_project_engine(root / "project.db")
    upgrade(engine, "0001")
    engine.dispose()
    db = sqlite3.connect(root / "project.db")
    db.executescript(
        """
        INSERT INTO labels(id, name, external_id, created_at) VALUES (1, 'wave', 1, '2026-01-01');
        INSERT INTO videos(id, name, status, added_at) VALUES (1, 'v1', 'missing', '2026-01-01');
        INSERT INTO clips(id, video_id, start, "end", kind, created_at, labelled_by, labelled_at)
            VALUES (1, 1, 0, 5, 'interval', '2026-01-01', 'user', '2026-01-01');
        INSERT INTO clip_labels(clip_id, label_id, created_by, created_at)
            VALUES (1, 1, 'user', '2026-01-01');
        INSERT INTO annotated_frames(id, video_id, time, frame, source) VALUES (1, 1, 2.0, NULL, 'ava');
        INSERT INTO gt_boxes(annotated_frame_id, person_id, x1, y1, x2, y2, label_id)
            VALUES (1, 0, 0.1, 0.1, 0.5, 0.5, 1);
        """
    )
    db.commit()
    db.close()


OLD_TABLES = ("labels", "videos", "clips", "clip_labels", "annotated_frames", "gt_boxes")


def row_counts(path):
    db = sqlite3.connect(path)
    counts = {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in OLD_TABLES}
    db.close()
    return counts


def tables(path):
    db = sqlite3.connect(path)
    names = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    db.close()
    return names


def test_an_older_project_is_backed_up_then_upgraded(tmp_path):
    root = tmp_path / "old"
    make_old_project(root)
    assert "runs" not in tables(root / "project.db")
    before = row_counts(root / "project.db")
    assert set(before.values()) == {1}

    with Project.open(root) as project:
        assert project.backup_path is not None and project.backup_path.exists()
        assert current_revision(project.engine) == head_revision()
        assert {"runs", "prediction_sets", "predicted_videos", "predicted_tubes"} <= tables(project.db_path)
        assert "predictions" not in tables(project.db_path)
        clips = project.clips()
        assert [(c.start, c.end, c.labels) for c in clips] == [(0.0, 5.0, ("wave",))]
        assert project.video("v1").split is None
    assert row_counts(root / "project.db") == before

    backup_tables = tables(project.backup_path)
    assert "runs" not in backup_tables and "clip_labels" in backup_tables
    db = sqlite3.connect(project.backup_path)
    assert db.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    db.close()


def test_reopening_an_up_to_date_project_makes_no_backup(tmp_path):
    Project.create(tmp_path / "p").close()
    with Project.open(tmp_path / "p") as project:
        assert project.backup_path is None
    assert not list((tmp_path / "p").glob("project.db.bak-*"))


def test_a_project_from_a_newer_version_is_refused_untouched(tmp_path):
    root = tmp_path / "new"
    Project.create(root).close()
    db = sqlite3.connect(root / "project.db")
    db.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    db.commit()
    db.close()
    before = (root / "project.db").read_bytes()
    with pytest.raises(ProjectError, match="newer wsad-studio"):
        Project.open(root)
    assert (root / "project.db").read_bytes() == before


def test_a_foreign_database_is_not_mistaken_for_a_project(tmp_path):
    root = tmp_path / "foreign"
    root.mkdir()
    db = sqlite3.connect(root / "project.db")
    db.execute("CREATE TABLE something(x)")
    db.commit()
    db.close()
    with pytest.raises(ProjectError, match="not a wsad-studio project"):
        Project.open(root)


def test_upgrading_from_0003_replaces_the_prediction_rows_by_prediction_sets(tmp_path):
    root = tmp_path / "p3"
    root.mkdir()
    engine = create_project_engine(root / "project.db")
    upgrade(engine, "0003")
    engine.dispose()
    db = sqlite3.connect(root / "project.db")
    db.executescript(
        """
        INSERT INTO runs(id, name, kind, status, config, metrics, created_at)
            VALUES (1, 'r', 'train', 'done', '{}', '{"steps": 3}', '2026-01-01');
        INSERT INTO videos(id, name, status, added_at, split) VALUES (1, 'v1', 'missing', '2026-01-01', 'val');
        """
    )
    db.commit()
    db.close()
    assert "predictions" in tables(root / "project.db")
    with Project.open(root) as project:
        assert project.backup_path is not None
        assert project.run(1).metrics == {"steps": 3} and project.video("v1").split == "val"
        assert project.prediction_set(1) is None and project.predicted_tubes(1) == []
    names = tables(root / "project.db")
    assert {"prediction_sets", "predicted_videos", "predicted_tubes"} <= names and "predictions" not in names
