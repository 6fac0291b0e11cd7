import json


def test_frame_ap_on_files_prints_a_table_and_writes_json(wsad, tmp_path):
    label_map = tmp_path / "map.pbtxt"
    label_map.write_text('item { name: "stand" id: 12 }\nitem { name: "walk" id: 14 }\n')
    gt = tmp_path / "gt.csv"
    gt.write_text("v,0902,0.1,0.1,0.4,0.9,12,0\nv,0903,0.5,0.1,0.9,0.9,14,1\n")
    det = tmp_path / "det.csv"
    det.write_text(
        "v,0902,0.1,0.1,0.4,0.9,12,0.9\n"  # right
        "v,0903,0.1,0.1,0.4,0.9,14,0.8\n"  # wrong place, scored above the right one
        "v,0903,0.5,0.1,0.9,0.9,14,0.7\n"
    )
    out = tmp_path / "result.json"
    status, stdout, _ = wsad("eval", "frame-ap", "-l", label_map, "-g", gt, "-d", det, "--json", out)
    assert status == 0 and "stand" in stdout and "mAP 0.7500" in stdout
    result = json.loads(out.read_text())
    assert result["per_class"] == {"12": 1.0, "14": 0.5} and result["mAP"] == 0.75
    assert result["n_gt"] == 2 and result["n_det"] == 3
    status, _, err = wsad("eval", "frame-ap", "-l", label_map, "-g", gt, "-d", det, "--json", out)
    assert status == 1 and "already exists" in err
