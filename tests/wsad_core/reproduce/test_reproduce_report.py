"""The report from a handcrafted results file: means, sample stds and the ratio computed by hand."""

import json
import math

import pytest

from wsad_core.reproduce.report import closing_lines, write_report
from wsad_core.reproduce.summary import converged, flat, mean_std, paired_gap, summarize, t_quantile_975

# (frame AP seed 0, seed 1), (video AP seed 0, seed 1)
NUMBERS = {
    "naive": ((0.2, 0.4), (0.1, 0.3)),
    "mil_lse": ((0.40, 0.44), (0.2, 0.2)),
    "mil_mean": ((0.41, 0.45), (0.2, None)),
    "mil_max": ((0.45, 0.55), (0.3, 0.3)),
    "mil_max_unc": ((0.5, 0.6), (0.3, 0.5)),
    "full": ((0.6, 0.8), (0.5, 0.5)),
}
PLAN = {"name": "handmade", "preset": "tiny", "model": "cpu-tiny", "seeds": [0, 1], "epochs": 8, "lr": 0.05,
        "bags_per_batch": 4, "tubelets_per_bag": 4}


def _curve(values):
    return [{"epoch": i + 1, "step": 2 * (i + 1), "seconds": 1.0, "train_loss": 0.5, "val_frame_ap": v}
            for i, v in enumerate(values)]


def _entry(study, point, seed, variant, frame, video, info=None):
    return {"study": study, "point": point, "seed": seed, "variant": variant, "frame_ap": frame,
            "video_ap": video, "info": info or {}, "steps": 16,
            "curve": _curve([0.1, 0.2, 0.3, 0.3, 0.31, 0.31, 0.31, 0.31])}


@pytest.fixture
def results():
    entries = {}
    for name, (frames, videos) in NUMBERS.items():
        for seed in (0, 1):
            entries[f"table/{name}/seed{seed}"] = _entry("table", name, seed, name, frames[seed], videos[seed])
    for seed, ap in ((0, 0.7), (1, 0.5)):
        entries[f"subclip/1s/seed{seed}"] = _entry(
            "subclip", "1s", seed, "mil_max_unc", ap, None,
            {"reference_seconds": 1.0, "seconds": 0.5, "clips": 20, "labels_per_clip": 1.5})
    entries["noise/recall0.50-mil_max/seed0"] = _entry("noise", "recall0.50-mil_max", 0, "mil_max", 0.3, None,
                                                       {"recall": 0.5})
    return {"plan": PLAN, "entries": entries}


def test_mean_and_sample_std():
    assert mean_std([0.2, 0.4]) == pytest.approx((0.3, math.sqrt(0.02), 2))
    assert mean_std([0.5, None]) == (0.5, None, 1)
    assert mean_std([]) == (None, None, 0)


def test_t_quantiles():
    assert t_quantile_975(1) == 12.706 and t_quantile_975(10) == 2.228
    for degrees, table in ((11, 2.201), (15, 2.131), (20, 2.086), (30, 2.042), (120, 1.980)):
        assert t_quantile_975(degrees) == pytest.approx(table, abs=1e-3)
    with pytest.raises(ValueError):
        t_quantile_975(0)


def test_paired_gap_uses_only_seeds_both_variants_have():
    low = [{"seed": 0, "frame_ap": 0.2}, {"seed": 1, "frame_ap": 0.3}, {"seed": 2, "frame_ap": None}]
    high = [{"seed": 0, "frame_ap": 0.5}, {"seed": 2, "frame_ap": 0.9}, {"seed": 3, "frame_ap": 0.9}]
    assert paired_gap(low, high) == {"paired_seeds": 1, "paired_gap": pytest.approx(0.3), "gap_std": None,
                                     "gap_ci95": None, "resolved": None}
    flipping = [{"seed": s, "frame_ap": 0.5 + d} for s, d in enumerate((0.02, -0.01, 0.03))]
    result = paired_gap([{"seed": s, "frame_ap": 0.5} for s in range(3)], flipping)
    assert result["paired_seeds"] == 3 and result["resolved"] is False


def test_converged():
    assert converged(_curve([0.1, 0.2, 0.3, 0.3, 0.31, 0.31, 0.31, 0.31])) is True
    assert converged(_curve([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8])) is False
    assert converged(_curve([0.1, 0.2])) is None


def test_a_curve_that_never_rose_is_flat_not_converged():
    """The weak variants on the H100 (session 6): a plateau at the class priors from epoch 1."""
    never = _curve([0.10, 0.116, 0.105, 0.11, 0.11, 0.119, 0.11, 0.105, 0.106, 0.11])
    assert flat(never) is True and converged(never) is False
    assert flat(_curve([0.1, 0.2, 0.3, 0.3, 0.31, 0.31, 0.31, 0.31])) is False
    assert flat(_curve([0.1, 0.1])) is None


def test_report_numbers(results, tmp_path):
    out_json = tmp_path / "elsewhere" / "OUT.json"
    document = write_report(results, tmp_path / "report", out_json)
    data = json.loads(out_json.read_text())
    assert data == json.loads(json.dumps(document))
    for name in NUMBERS:
        assert set(data) >= {"frame_ap", "frame_ap_std", "video_ap", "ratio_weak_full"}
    assert data["frame_ap"]["naive"] == pytest.approx(0.3)
    assert data["frame_ap_std"]["naive"] == pytest.approx(0.141421356)
    assert data["frame_ap"]["mil_max_unc"] == pytest.approx(0.55)
    assert data["frame_ap_std"]["mil_max_unc"] == pytest.approx(0.070710678)
    assert data["frame_ap"]["full"] == pytest.approx(0.7)
    assert data["ratio_weak_full"] == pytest.approx(0.55 / 0.7)
    assert data["video_ap"]["mil_mean"] == pytest.approx(0.2)  # the seed without Video AP is left out
    assert data["video_ap_std"]["mil_mean"] is None  # one value: no std
    assert data["video_ap"]["mil_max_unc"] == pytest.approx(0.4)
    assert data["ratio_weak_full_video"] == pytest.approx(0.8)
    assert data["subclip"][0]["frame_ap"] == pytest.approx(0.6)
    assert data["table"]["full"]["converged"] == 2
    claims = {c["claim"]: c for c in data["claims"]}
    assert claims["max pooling is the best aggregation"]["holds"] is True
    assert claims["the uncertainty loss improves MIL max"]["gap"] == pytest.approx(0.05)
    # The variants' stds (0.0707) exceed the gap, but each world seed gives +0.05: paired, it is resolved.
    assert claims["the uncertainty loss improves MIL max"]["paired_gap"] == pytest.approx(0.05)
    assert claims["the uncertainty loss improves MIL max"]["resolved"] is True
    assert claims["the uncertainty loss improves MIL max"]["beyond_spread"] is False
    # Gaps +0.25 and +0.15: std 0.0707, 95 % interval 12.706 * 0.0707 / sqrt(2) = 0.635 > 0.2.
    naive_max = claims["naive < MIL max"]
    assert naive_max["gap_std"] == pytest.approx(0.070710678)
    assert naive_max["gap_ci95"] == pytest.approx(12.706 * 0.05)
    assert naive_max["resolved"] is False
    assert claims["MIL max + uncertainty >= 85 % of full supervision"]["holds"] is False

    report = tmp_path / "report"
    for name in ("table1.png", "learning_curves.png", "subclip.png", "sweeps.png", "report.md"):
        assert (report / name).stat().st_size > 0
    markdown = (report / "report.md").read_text()
    assert "| Naive (video label on every tubelet) | 0.300 ± 0.141 | 0.200 ± 0.141 |" in markdown
    assert "| MIL, max pooling + uncertainty | 0.550 ± 0.071 | 0.400 ± 0.141 |" in markdown
    assert "Frame AP 79 %" in markdown
    assert ("naive < MIL max: holds (gap +0.200, beyond the variants' seed spread 0.141; per world seed "
            "+0.200 ± 0.071 over 2 seeds, 95 % interval ±0.635: within seed noise)") in markdown

    lines = closing_lines(document)
    assert lines[0].startswith("Frame AP (test, mean ± std over seeds): naive 0.300 ± 0.141")
    assert lines[-1] == ("MIL max + uncertainty reaches 79 % of fully supervised Frame AP "
                         "(ratio_weak_full = 0.786).")


def test_the_table_on_the_tuned_detector_is_reported_over_the_entries_that_have_it(results, tmp_path):
    assert write_report(results, tmp_path / "without")["tuned_detector"] is None
    assert "tuned on the annotated actors" not in (tmp_path / "without" / "report.md").read_text()
    results["entries"]["table/naive/seed1"]["tuned_detector"] = {"recall": 0.9, "precision": 0.9, "frame_ap": 0.3}
    alone = write_report(results, tmp_path / "naive-only")
    assert closing_lines(alone)[0].startswith("On the tuned detector's boxes: no world seed has both")
    tuned = {("mil_max_unc", 0): (0.6, 0.4), ("mil_max_unc", 1): (0.7, 0.5), ("full", 0): (0.8, 0.6),
             ("naive", 1): (0.3, None)}  # full on seed 1 recorded before the tuned evaluation existed
    for (name, seed), (frame, video) in tuned.items():
        results["entries"][f"table/{name}/seed{seed}"]["tuned_detector"] = {
            "recall": 0.9, "precision": 0.9, "detection_set": "precomputed-x", "frame_ap": frame, "video_ap": video}
    document = write_report(results, tmp_path / "with")
    summary = document["tuned_detector"]
    assert summary["frame_ap"] == {"naive": 0.3, "mil_max_unc": pytest.approx(0.65), "full": 0.8}
    assert summary["frame_ap_std"]["mil_max_unc"] == pytest.approx(0.070710678)
    assert summary["seeds"] == {"naive": [1], "mil_max_unc": [0, 1], "full": [0]}
    assert summary["ratio_seeds"] == [0] and summary["ratio_weak_full"] == pytest.approx(0.6 / 0.8)
    assert summary["ratio_weak_full_video"] == pytest.approx(0.4 / 0.6)
    markdown = (tmp_path / "with" / "report.md").read_text()
    assert "| MIL, max pooling + uncertainty | 0.650 ± 0.071 | 0.450 ± 0.071 | 0, 1 |" in markdown
    assert "(world seeds 0): Frame AP 75 %, Video AP 67 %." in markdown
    lines = closing_lines(document)
    assert lines[0].startswith("On the tuned detector's boxes") and "75 %" in lines[0]
    assert lines[-1].startswith("MIL max + uncertainty reaches 79 %")


def test_bench_report_command(results, tmp_path, capsys):
    from wsad_core.cli import main

    path = tmp_path / "results-handmade.json"
    path.write_text(json.dumps({"format": 1, **results}))
    assert main(["bench", "report", str(path), "--out", str(tmp_path / "again")]) == 0
    assert json.loads((tmp_path / "again" / "OUT.json").read_text())["frame_ap"]["full"] == pytest.approx(0.7)
    assert capsys.readouterr().out.strip().splitlines()[-1].endswith("(ratio_weak_full = 0.786).")
    assert main(["bench", "report", str(tmp_path / "missing.json"), "--out", str(tmp_path)]) == 1


def test_sweep_rows_come_in_the_order_of_the_papers_tables(results):
    """Most bags a batch first and recall falling, whatever order the runs finished in, so the
    sweeps plot's categorical axis and its lines follow one order for both losses."""
    entries = results["entries"]
    for variant in ("mil_max_unc", "mil_max"):
        for bags, tubelets in ((1, 16), (4, 4), (2, 8)):
            point = f"{bags}x{tubelets}-{variant}"
            entries[f"bags/{point}/seed0"] = _entry("bags", point, 0, variant, 0.1 * bags, None,
                                                    {"bags_per_batch": bags, "tubelets_per_bag": tubelets})
        for recall in (0.5, 0.9):
            point = f"recall{recall:.2f}-{variant}"
            entries[f"noise/{point}/seed0"] = _entry("noise", point, 0, variant, recall, None, {"recall": recall})
    summary = summarize(entries)
    assert [(r["bags_per_batch"], r["variant"]) for r in summary["bags"]] == [
        (b, v) for b in (4, 2, 1) for v in ("mil_max", "mil_max_unc")]
    assert [(r["recall"], r["variant"]) for r in summary["noise"]] == [
        (0.9, "mil_max"), (0.9, "mil_max_unc"), (0.5, "mil_max"), (0.5, "mil_max_unc")]


def test_the_setup_says_when_mil_runs_start_naively(results, tmp_path):
    write_report(results, tmp_path / "plain", None)
    assert "naively" not in (tmp_path / "plain" / "report.md").read_text()
    results["plan"] = {**PLAN, "mil_naive_warmup": 0.25}
    write_report(results, tmp_path / "warm", None)
    assert "first 25 % of epochs naively" in (tmp_path / "warm" / "report.md").read_text()


def test_the_setup_names_the_backbone_and_a_pretrained_plan_has_files_of_its_own(results, tmp_path):
    from wsad_core.reproduce import quick_plan
    from wsad_core.reproduce.plan import with_pretraining
    from wsad_core.reproduce.run import results_path

    write_report(results, tmp_path / "plain", None)
    assert "random backbone" in (tmp_path / "plain" / "report.md").read_text()
    results["plan"] = {**PLAN, "pretrain": "actor-clips", "pretrain_seed": 100, "pretrain_epochs": 16}
    write_report(results, tmp_path / "pre", None)
    text = (tmp_path / "pre" / "report.md").read_text()
    assert "pretrained backbone: actor-clips" in text.splitlines()[0]
    assert "pretrained 16 epochs on the annotated actors' action clips of world seed 100" in text
    plan = quick_plan(0)
    pretrained = with_pretraining(plan, "actor-clips")
    assert results_path(tmp_path, plan).name == "results-quick.json"
    assert results_path(tmp_path, pretrained).name == "results-quick-pretrained-actor-clips.json"
