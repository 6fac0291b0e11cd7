"""Every importer checks its whole input first: a bad file changes no byte of project.db."""

import hashlib
import os
import pickle

import numpy as np
import pytest

from wsad_core.cli import main


class _Exploit:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


@pytest.fixture
def populated(tmp_path, make_video):
    """A project with videos, labels, clip labels and AVA ground truth."""
    root = tmp_path / "proj"
    assert main(["init", str(root), "--label-map", "ava-v2.2"]) == 0
    make_video("a.mp4", frames=100, fps=25)  # 4 s
    assert main(["import", "videos", str(tmp_path / "videos"), "-p", str(root)]) == 0
    labels = tmp_path / "ok_labels.csv"
    labels.write_text("a,0,2,stand\n")
    assert main(["import", "labels", str(labels), "-p", str(root)]) == 0
    gt = tmp_path / "ok_gt.csv"
    gt.write_text("a,0001,0.1,0.1,0.5,0.5,12,0\n")
    assert main(["import", "ava", str(gt), "-p", str(root)]) == 0
    return root


def snapshot(root):
    digest = hashlib.sha256((root / "project.db").read_bytes()).hexdigest()
    files = sorted(p.name for p in root.iterdir())
    return digest, files


def bad_file(tmp_path, name, content):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


GOOD_AVA = "a,0002,0.1,0.1,0.5,0.5,12,0\nb,0002,0.1,0.1,0.5,0.5,14,1\n"

CASES = {
    "ava coordinate out of range": (
        ["import", "ava"], "gt.csv", GOOD_AVA + "a,0003,0.1,0.1,1.5,0.5,12,0\n", "row 3, field 'x2'"),
    "ava unknown action": (
        ["import", "ava"], "gt.csv", GOOD_AVA + "a,0003,0.1,0.1,0.5,0.5,99,0\n", "row 3, field 'action_id'"),
    "ava wrong column count": (
        ["import", "ava"], "gt.csv", GOOD_AVA + "a,0003,0.1,0.1\n", "row 3"),
    "labels unknown video": (
        ["import", "labels"], "labels.csv", "a,0,1,stand\nnope,0,1,stand\n", "row 2, field 'video'"),
    "labels unknown label": (
        ["import", "labels"], "labels.csv", "a,0,1,stand\na,1,2,flying\n", "row 2, field 'labels'"),
    "labels span after the end": (
        ["import", "labels"], "labels.csv", "a,0,1,stand\na,3,9,stand\n", "row 2, field 'end'"),
    "labels end before start": (
        ["import", "labels"], "labels.csv", "a,0,1,stand\na,3,2,stand\n", "row 2"),
    "ucf wrong structure": (
        ["import", "ucf24"], "ucf.pkl", pickle.dumps({"labels": 3}, protocol=2), "ucf.pkl"),
    "ucf frame outside the video": (
        ["import", "ucf24"], "ucf.pkl",
        pickle.dumps({"v/x": {"label": 0, "numf": 5, "annotations": [
            {"label": 0, "sf": 3, "ef": 9, "boxes": np.zeros((6, 4))}]}}, protocol=2),
        "ucf.pkl"),
    "label map broken": (
        ["labels", "add", "--label-map"], "map.pbtxt", 'item { name: "x" id: 1 }\nitem { name: "y" }\n', "map.pbtxt"),
    "vocabulary duplicate": (
        ["labels", "add", "--from-file"], "vocab.txt", "fly\nswim\nfly\n", "row 3"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_leaves_the_database_byte_for_byte_unchanged(case, populated, tmp_path, capsys):
    command, name, content, where = CASES[case]
    path = bad_file(tmp_path, name, content)
    before = snapshot(populated)
    status = main([*command, str(path), "-p", str(populated)])
    err = capsys.readouterr().err
    assert status == 1
    assert err.startswith("error:") and name in err and where in err
    assert snapshot(populated) == before


def test_a_malicious_pickle_is_refused_and_never_runs(populated, tmp_path, capsys):
    marker = tmp_path / "pwned"
    path = bad_file(tmp_path, "evil.pkl", pickle.dumps({"labels": _Exploit(marker)}, protocol=2))
    before = snapshot(populated)
    status = main(["import", "ucf24", str(path), "-p", str(populated)])
    err = capsys.readouterr().err
    assert status == 1 and "evil.pkl" in err and "system" in err
    assert not marker.exists()
    assert snapshot(populated) == before
