"""The written report: a Markdown table, the figures, OUT.json and closing lines in words."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from wsad_core.reproduce.summary import summarize
from wsad_core.reproduce.variants import VARIANT_TITLES, VARIANTS, WEAK_BEST


def _num(value: float | None, std: float | None = None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if std is None else f"{value:.3f} ± {std:.3f}"


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.0f} %"


def _warmup_sentence(plan: Mapping[str, Any]) -> str:
    fraction = plan.get("mil_naive_warmup")
    if not fraction:
        return ""
    return (f" Every MIL run trains its first {_percent(fraction)} of epochs naively (each tubelet takes "
            "its video's labels), then with MIL; the naive and fully supervised runs are unchanged.")


def _pretrained_title(plan: Mapping[str, Any]) -> str:
    return f", pretrained backbone: {plan['pretrain']}" if plan.get("pretrain") else ""


def _backbone_sentence(plan: Mapping[str, Any]) -> str:
    if not plan.get("pretrain"):
        return " Every run starts from a random backbone."
    return (f" Every run starts from a backbone pretrained {plan['pretrain_epochs']} epochs on the annotated "
            f"actors' action clips of world seed {plan['pretrain_seed']} (`{plan['pretrain']}`: clip labels, "
            "no negatives, the counterpart of the paper's Kinetics start); the heads start new.")


def markdown(summary: Mapping[str, Any], plan: Mapping[str, Any]) -> str:
    """The report as Markdown: setup, Table 1, the sweeps and which claims held."""
    seeds = ", ".join(str(s) for s in plan["seeds"])
    lines = [
        f"# Reproduction on the synthetic world ({plan['name']} plan{_pretrained_title(plan)})",
        "",
        f"World preset `{plan['preset']}`{_subclip_world(plan)}, world seeds {seeds}; model `{plan['model']}`, "
        f"{plan['epochs']} epochs per run, lr {plan['lr']:g}, {plan['bags_per_batch']} bags x "
        f"{plan['tubelets_per_bag']} tubelets per batch. Sweep points with more bags (shorter "
        "sub-clips) or smaller batches get proportionally fewer epochs, so that every run takes "
        f"as many steps.{_backbone_sentence(plan)}{_warmup_sentence(plan)} Test split; mean ± sample std over seeds (no std from one seed).",
        "",
        "## Table 1",
        "",
        "| variant | Frame AP | Video AP@0.5 | final val Frame AP | converged runs |",
        "|---|---|---|---|---|",
    ]
    for name in VARIANTS:
        row = summary["table"].get(name)
        if row is None:
            continue
        lines.append(
            f"| {VARIANT_TITLES[name]} | {_num(row['frame_ap'], row['frame_ap_std'])} | "
            f"{_num(row['video_ap'], row['video_ap_std'])} | {_num(row['val_frame_ap_final'])} | "
            f"{_converged(row)} |"
        )
    lines += [
        "",
        f"MIL max + uncertainty / fully supervised: Frame AP {_percent(summary['ratio_weak_full'])}, "
        f"Video AP {_percent(summary['ratio_weak_full_video'])} (the paper: 80 % Video AP on UCF101-24).",
        "",
        "![Table 1](table1.png)",
        "",
        "![Learning curves](learning_curves.png)",
        "",
    ]
    lines += _tuned_table(summary.get("tuned_detector"))
    lines += _sweep_tables(summary)
    lines += ["## Claims", ""]
    for claim in summary["claims"]:
        verdict = "holds" if claim.get("holds") else "does not hold"
        detail = ""
        if claim.get("gap") is not None:
            detail = f" (gap {claim['gap']:+.3f}{_noise(claim)})"
        elif "ratio" in claim:
            detail = f" ({_percent(claim['ratio'])})"
        elif "best" in claim:
            detail = f" (best: {claim['best']})"
        lines.append(f"- {claim['claim']}: {verdict}{detail}")
    return "\n".join(lines) + "\n"


def _tuned_table(tuned: Mapping[str, Any] | None) -> list[str]:
    """Table 1 scored on the evaluation detector's boxes, as the paper scores UCF101-24."""
    if not tuned:
        return []
    seeds = tuned["ratio_seeds"]
    lines = [
        "## Table 1 on the boxes of a detector tuned on the annotated actors",
        "",
        "The same runs, scored on another simulated detector's boxes: it never fires on bystanders, with "
        f"recall {tuned['recall']:g} and precision {tuned['precision']:g} over the actors. The runs trained "
        "on the world's own detector (the COCO-like one, which finds bystanders too), as the paper trains "
        "UCF101-24 on a COCO detector's tubelets but evaluates on a detector fine-tuned on UCF101-24 "
        "(section 4.2).",
        "",
        "| variant | Frame AP | Video AP@0.5 | world seeds |",
        "|---|---|---|---|",
    ]
    for name in VARIANTS:
        if name not in tuned["frame_ap"]:
            continue
        lines.append(f"| {VARIANT_TITLES[name]} | {_num(tuned['frame_ap'][name], tuned['frame_ap_std'][name])} | "
                     f"{_num(tuned['video_ap'][name], tuned['video_ap_std'][name])} | "
                     f"{', '.join(map(str, tuned['seeds'][name]))} |")
    over = f"world seeds {', '.join(map(str, seeds))}" if seeds else "no world seed with both"
    lines += ["", f"MIL max + uncertainty / fully supervised on these boxes ({over}): Frame AP "
                  f"{_percent(tuned['ratio_weak_full'])}, Video AP {_percent(tuned['ratio_weak_full_video'])}.", ""]
    return lines


def _noise(claim: Mapping[str, Any]) -> str:
    """How the gap compares with seed noise: the variants' spread over seeds, and the per-seed
    gaps' spread and 95 % interval."""
    if claim.get("resolved") is None:
        return "; one world seed, so no noise estimate"
    spread = "beyond" if claim["beyond_spread"] else "within"
    verdict = "beyond seed noise" if claim["resolved"] else "within seed noise"
    return (f", {spread} the variants' seed spread {claim['spread']:.3f}; per world seed "
            f"{claim['paired_gap']:+.3f} ± {claim['gap_std']:.3f} over {claim['paired_seeds']} seeds, "
            f"95 % interval ±{claim['gap_ci95']:.3f}: {verdict}")


def _subclip_world(plan: Mapping[str, Any]) -> str:
    other = plan.get("subclip_preset")
    return "" if not other or "subclip" not in plan.get("studies", ()) else f" (`{other}` for the sub-clip sweep)"


def _epochs(row: Mapping[str, Any]) -> str:
    return "as the table" if row.get("epochs") is None else str(row["epochs"])


def _converged(row: Mapping[str, Any]) -> str:
    """Runs whose validation curve had risen and flattened, of those long enough to tell, and
    how many never rose at all."""
    known = row.get("convergence_known", 0)
    if not known:
        return "n/a (too few epochs)"
    never = f", {row['flat']} never rose" if row.get("flat") else ""
    return f"{row['converged']}/{known}{never}"


def _sweep_tables(summary: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    if summary["subclip"]:
        lines += ["## Sub-clip duration (Table 4), MIL max + uncertainty", "",
                  "| sub-clip | seconds here | labels per clip | epochs | Frame AP | Video AP@0.5 |",
                  "|---|---|---|---|---|---|"]
        rows = sorted(summary["subclip"], key=lambda r: float("inf") if r["reference_seconds"] is None
                      else r["reference_seconds"])
        for r in rows:
            name = "whole video" if r["reference_seconds"] is None else f"{r['reference_seconds']:g} s of 8"
            lines.append(f"| {name} | {_num(r['seconds'])} | {_num(r['labels_per_clip'])} | {_epochs(r)} | "
                         f"{_num(r['frame_ap'], r['frame_ap_std'])} | {_num(r['video_ap'], r['video_ap_std'])} |")
        lines += ["", "![Sub-clip duration](subclip.png)", ""]
    for study, title, columns in (
        ("bags", "Bag sampling (Table 2)", ("bags_per_batch", "tubelets_per_bag")),
        ("noise", "Detector noise", ("recall",)),
    ):
        if not summary[study]:
            continue
        lines += [f"## {title}", "", f"| {' | '.join(columns)} | loss | epochs | Frame AP | Video AP@0.5 |",
                  "|" + "---|" * (len(columns) + 4)]
        for r in summary[study]:
            loss = "uncertainty" if r["variant"] == WEAK_BEST else "BCE"
            lines.append(f"| {' | '.join(f'{r[c]:g}' for c in columns)} | {loss} | {_epochs(r)} | "
                         f"{_num(r['frame_ap'], r['frame_ap_std'])} | {_num(r['video_ap'], r['video_ap_std'])} |")
        lines.append("")
    if summary["bags"] or summary["noise"]:
        lines += ["![Sweeps](sweeps.png)", ""]
    return lines


def closing_lines(summary: Mapping[str, Any]) -> list[str]:
    """What OUT.json says, for people: the last lines a reproduction prints."""
    def listing(metric: str) -> str:
        return ", ".join(
            f"{name} {_num(summary[metric][name], summary[f'{metric}_std'][name])}" for name in summary[metric]
        )

    tuned = summary.get("tuned_detector")
    extra = []
    if tuned and tuned["ratio_seeds"]:
        extra = [f"On the tuned detector's boxes (the paper's evaluation protocol), it reaches "
                 f"{_percent(tuned['ratio_weak_full'])} of fully supervised Frame AP and "
                 f"{_percent(tuned['ratio_weak_full_video'])} of its Video AP@0.5."]
    elif tuned:
        extra = ["On the tuned detector's boxes: no world seed has both MIL max + uncertainty and full "
                 "supervision scored yet."]
    return extra + [
        f"Frame AP (test, mean ± std over seeds): {listing('frame_ap')}",
        f"Video AP@0.5: {listing('video_ap')}",
        f"MIL max + uncertainty reaches {_percent(summary['ratio_weak_full'])} of fully supervised Frame AP "
        f"(ratio_weak_full = {_num(summary['ratio_weak_full'])}).",
    ]


def write_report(results: Mapping[str, Any], out_dir: Path, json_path: Path | None = None) -> dict[str, Any]:
    """Write ``report.md``, the PNGs and OUT.json (``json_path``, default ``out_dir/OUT.json``)
    from a results file's contents; returns the summary."""
    from wsad_core.reproduce import plots

    out_dir.mkdir(parents=True, exist_ok=True)
    entries, plan = results["entries"], results["plan"]
    summary = summarize(entries)
    files = {"table1": plots.bar_chart(summary, out_dir / "table1.png"),
             "learning_curves": plots.learning_curves(entries, out_dir / "learning_curves.png")}
    if summary["subclip"]:
        files["subclip"] = plots.subclip_curve(summary, out_dir / "subclip.png")
    if summary["bags"] or summary["noise"]:
        files["sweeps"] = plots.sweeps(summary, out_dir / "sweeps.png")
    (out_dir / "report.md").write_text(markdown(summary, plan), encoding="utf-8")
    files["report"] = out_dir / "report.md"
    document = {**summary, "plan": plan, "files": {k: v.name for k, v in files.items()}}  # next to report.md
    json_path = json_path or out_dir / "OUT.json"
    json_path.parent.mkdir(parents=True, exist_ok=True)
    json_path.write_text(json.dumps(document, indent=2), encoding="utf-8")
    return document
