"""`wsad detect` and `wsad tubelets` on real files."""


def make_project(wsad, tmp_path, make_video):
    project = tmp_path / "proj"
    wsad("init", project, "--label-map", "ava-v2.2")
    make_video("v.mp4", frames=40, fps=10, size=(160, 120))
    wsad("import", "videos", tmp_path / "videos", "-p", project)
    return project


def test_hog_detection_is_cached_on_rerun(wsad, tmp_path, make_video):
    project = make_project(wsad, tmp_path, make_video)
    status, out, _ = wsad("detect", "-p", project, "-d", "hog", "--stride", 10)
    assert status == 0 and "1 video(s) processed, 0 cached" in out
    status, out, _ = wsad("detect", "-p", project, "-d", "hog", "--stride", 10)
    assert status == 0 and "0 video(s) processed, 1 cached" in out


def test_missing_weights_is_a_one_line_error_before_any_work(wsad, tmp_path, make_video, monkeypatch):
    project = make_project(wsad, tmp_path, make_video)
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    status, _, err = wsad("detect", "-p", project, "-d", "frcnn-r50-fpn-v2")
    assert status == 1 and len(err.strip().splitlines()) == 1
    assert "--weights" in err and "hog, precomputed" in err
    assert not (project / "cache" / "detections").exists()


def test_precomputed_boxes_then_tubelets_and_bags(wsad, tmp_path, make_video):
    project = make_project(wsad, tmp_path, make_video)
    boxes = tmp_path / "boxes.csv"
    boxes.write_text("".join(f"v,{f / 10:.1f},0.1,0.1,0.4,0.9,,0.9\n" for f in range(40)))
    gt = tmp_path / "gt.csv"
    gt.write_text("".join(f"v,{s},0.1,0.1,0.4,0.9,14,0\n" for s in range(4)))
    assert wsad("import", "ava", gt, "-p", project)[0] == 0
    assert wsad("clips", "split", "--from-gt", "-s", 2, "-p", project)[0] == 0
    status, out, _ = wsad("detect", "-p", project, "-d", "precomputed", "--boxes", boxes)
    assert status == 0 and "40 boxes" in out
    status, out, _ = wsad("tubelets", "-p", project, "-k", 8)
    assert status == 0
    assert "bags (labelled clips)" in out and "tubelet recall @0.5" in out and "100.0%" in out


def test_json_events_report_progress_then_the_set(wsad, tmp_path, make_video):
    import json

    project = make_project(wsad, tmp_path, make_video)
    status, out, _ = wsad("detect", "-p", project, "-d", "hog", "--stride", 10, "--events")
    events = [json.loads(line) for line in out.splitlines()]
    assert status == 0 and [e["event"] for e in events] == ["progress", "done"]
    assert events[0]["frames"] == events[0]["total"] == 4 and events[0]["video"] == "v"
    assert events[-1]["set"].startswith("hog-") and events[-1]["processed"] == 1
    assert (project / "cache" / "detections" / events[-1]["set"]).is_dir()


def test_sets_lists_what_each_detection_set_covers(wsad, tmp_path, make_video):
    project = make_project(wsad, tmp_path, make_video)
    status, out, _ = wsad("detect", "-p", project, "--sets")
    assert status == 0 and "no detection sets yet" in out
    wsad("detect", "-p", project, "-d", "hog", "--stride", 10)
    make_video("w.mp4", frames=20, fps=10, size=(160, 120), seed=1)
    assert wsad("import", "videos", tmp_path / "videos", "-p", project)[0] == 0
    status, out, _ = wsad("detect", "-p", project, "--sets")
    assert status == 0 and "1/2" in out and "w" in out.split("1/2")[1]
