"""The `wsad` commands end to end on real files."""

import json
import subprocess
import sys

from wsad_core.formats import read_clip_labels_csv


def test_help_everywhere(wsad):
    for command in ([], ["import"], ["labels"], ["clips"], ["export"], ["videos"]):
        status, out, _ = wsad(*command, "--help")
        assert status == 0 and "Usage" in out


def test_init_import_label_split_export(wsad, tmp_path, make_video):
    project = tmp_path / "proj"
    make_video("a.mp4", frames=250, fps=25, seed=1)
    make_video("b.mp4", frames=100, fps=25, seed=2)
    vocab = tmp_path / "vocab.txt"
    vocab.write_text("# actions\nwalk\nwave\n\njump\n")

    assert wsad("init", project, "--vocabulary", vocab)[0] == 0
    status, out, _ = wsad("import", "videos", tmp_path / "videos", "-p", project)
    assert status == 0 and "2 added" in out
    status, out, _ = wsad("clips", "split", "--seconds", 5, "-p", project)
    assert status == 0 and "3 sub-clip(s)" in out

    labels_csv = tmp_path / "labels.csv"
    labels_csv.write_text("video,start,end,labels\na,0,5,walk;wave\na,5,10,\nb,0,4,jump\n")
    status, out, _ = wsad("import", "labels", labels_csv, "-p", project)
    assert status == 0 and "labelled 3 clip(s)" in out

    status, out, _ = wsad("clips", "list", "-p", project, "--label", "walk")
    assert status == 0 and "walk" in out

    out_csv = tmp_path / "exported.csv"
    assert wsad("export", "labels", out_csv, "-p", project)[0] == 0
    rows = {(r.video, r.start, r.end): set(r.labels) for r in read_clip_labels_csv(out_csv)}
    assert rows == {("a", 0, 5): {"walk", "wave"}, ("a", 5, 10): set(), ("b", 0, 4): {"jump"}}

    status, out, _ = wsad("info", "-p", project, "--json")
    summary = json.loads(out)
    assert summary["videos"] == 2 and summary["labelled_clips"] == 3 and summary["labels"] == 3


def test_project_from_the_environment(wsad, tmp_path, monkeypatch):
    wsad("init", tmp_path / "proj")
    monkeypatch.setenv("WSAD_PROJECT", str(tmp_path / "proj"))
    assert wsad("labels", "add", "walk", "run")[0] == 0
    status, out, _ = wsad("labels", "list")
    assert "walk" in out and "run" in out


def test_ava_import_and_derived_labels(wsad, tmp_path):
    project = tmp_path / "proj"
    wsad("init", project, "--label-map", "ava-v2.2")
    gt = tmp_path / "gt.csv"
    gt.write_text("v1,0902,0.1,0.1,0.4,0.9,12,0\nv1,0907,0.1,0.1,0.4,0.9,14,0\nv1,0908\n")
    status, out, _ = wsad("import", "ava", gt, "-p", project)
    assert status == 0 and "2 boxes on 3 keyframes of 1 videos" in out
    status, out, _ = wsad("clips", "split", "--from-gt", "-s", 5, "-p", project)
    assert status == 0 and "2 sub-clip(s) labelled" in out
    out_gt = tmp_path / "out.csv"
    assert wsad("export", "ava-gt", out_gt, "-p", project)[0] == 0
    assert out_gt.read_text().splitlines()[-1].startswith("v1,0908")


def test_errors_are_one_line_without_traceback(wsad, tmp_path):
    status, out, err = wsad("info", "-p", tmp_path / "nowhere")
    assert status == 1
    assert err.strip().startswith("error:") and len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_debug_shows_the_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "wsad_core", "--debug", "info", "-p", str(tmp_path / "nowhere")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0 and "Traceback" in result.stderr


def test_usage_errors_exit_with_2(wsad):
    status, _, err = wsad("clips", "split", "--seconds", "abc")
    assert status == 2 and "--seconds" in err


def test_the_installed_entry_point_runs(tmp_path):
    import shutil

    exe = shutil.which("wsad") or str(__import__("pathlib").Path(sys.executable).parent / "wsad")
    result = subprocess.run([exe, "init", str(tmp_path / "p")], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    again = subprocess.run([exe, "init", str(tmp_path / "p")], capture_output=True, text=True, timeout=120)
    assert again.returncode == 1 and again.stderr.startswith("error:") and "already exists" in again.stderr


def test_an_unknown_label_map_names_the_built_in_ones(wsad, tmp_path):
    status, _, err = wsad("init", tmp_path / "p", "--label-map", "kinetics")
    assert status == 1 and "ava-v2.2" in err and "ucf101-24" in err
    assert not (tmp_path / "p").exists()
