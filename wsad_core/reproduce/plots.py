"""The report's figures, drawn with matplotlib's Agg backend (no display needed)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from wsad_core.reproduce.variants import VARIANTS  # noqa: E402


def _value(x: float | None) -> float:
    return float("nan") if x is None else x


def _error(x: float | None) -> float:
    return 0.0 if x is None else x


def bar_chart(summary: Mapping[str, Any], path: Path) -> Path:
    """Frame AP and Video AP per variant, mean ± std over seeds (Table 1 as bars)."""
    names = [name for name in VARIANTS if name in summary["table"]]
    rows = [summary["table"][name] for name in names]
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.38
    # One seed has no spread: no error bars, rather than bars of zero that look like agreement.
    spread = any(r[f"{m}_std"] is not None for r in rows for m in ("frame_ap", "video_ap"))
    for offset, metric, label in ((-width / 2, "frame_ap", "Frame AP"), (width / 2, "video_ap", "Video AP@0.5")):
        errors = [_error(r[f"{metric}_std"]) for r in rows] if spread else None
        ax.bar([i + offset for i in range(len(names))], [_value(r[metric]) for r in rows], width,
               yerr=errors, capsize=3, label=label)
    ax.set_xticks(range(len(names)), names, rotation=20)
    ax.set_ylabel("AP (test split)")
    ax.set_ylim(0, 1)
    ax.set_title("Table 1 on the synthetic world (" + ("mean ± std over world seeds" if spread else "one world seed") + ")")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def learning_curves(entries: Mapping[str, dict[str, Any]], path: Path) -> Path:
    """Validation Frame AP of each table variant (mean over seeds) against epochs and against
    training minutes: a variant still rising at the end is compared before convergence, and
    full supervision's epochs hold more steps than MIL's."""
    by_epoch: dict[str, dict[int, list[tuple[float, float]]]] = defaultdict(lambda: defaultdict(list))
    for entry in entries.values():
        if entry["study"] != "table":
            continue
        for point in entry.get("curve") or []:
            if point.get("val_frame_ap") is not None:
                minutes = (point.get("seconds") or 0.0) / 60
                by_epoch[entry["point"]][point["epoch"]].append((point["val_frame_ap"], minutes))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    for name in VARIANTS:
        if name not in by_epoch:
            continue
        epochs = sorted(by_epoch[name])
        ap = [sum(a for a, _ in by_epoch[name][e]) / len(by_epoch[name][e]) for e in epochs]
        minutes = [sum(m for _, m in by_epoch[name][e]) / len(by_epoch[name][e]) for e in epochs]
        left.plot(epochs, ap, marker=".", label=name)
        right.plot(minutes, ap, marker=".", label=name)
    left.set_xlabel("epoch")
    right.set_xlabel("training minutes (with validation)")
    left.set_ylabel("validation Frame AP")
    left.set_title("Learning curves (mean over seeds)")
    if by_epoch:
        right.legend(fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def subclip_curve(summary: Mapping[str, Any], path: Path) -> Path:
    """Frame AP against the labelled sub-clip's length, as the paper's Table 4, with the
    fully supervised baseline as a line."""
    rows = sorted(summary["subclip"], key=lambda r: float("inf") if r["reference_seconds"] is None
                  else r["reference_seconds"])
    fig, ax = plt.subplots(figsize=(6, 4))
    labels = ["whole video" if r["reference_seconds"] is None else f"{r['seconds']:g} s" for r in rows]
    ax.errorbar(range(len(rows)), [_value(r["frame_ap"]) for r in rows],
                yerr=[_error(r["frame_ap_std"]) for r in rows], marker="o", capsize=3, label="MIL max + uncertainty")
    full = summary["table"].get("full", {}).get("frame_ap")
    if full is not None:
        ax.axhline(full, color="gray", linestyle="--", label="fully supervised")
    ax.set_xticks(range(len(rows)), labels)
    ax.set_xlabel("sub-clip duration of the weak labels")
    ax.set_ylabel("Frame AP (test split)")
    ax.set_title("Weaker labels from longer sub-clips (Table 4)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def sweeps(summary: Mapping[str, Any], path: Path) -> Path:
    """Bag sampling (Table 2) and detector noise, each with and without uncertainty."""
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for variant, label in (("mil_max", "BCE"), ("mil_max_unc", "uncertainty")):
        bags = [r for r in summary["bags"] if r["variant"] == variant]
        left.errorbar([f"{r['bags_per_batch']}x{r['tubelets_per_bag']}" for r in bags],
                      [_value(r["frame_ap"]) for r in bags], yerr=[_error(r["frame_ap_std"]) for r in bags],
                      marker="o", capsize=3, label=label)
        noise = sorted((r for r in summary["noise"] if r["variant"] == variant), key=lambda r: -r["recall"])
        right.errorbar([r["recall"] for r in noise], [_value(r["frame_ap"]) for r in noise],
                       yerr=[_error(r["frame_ap_std"]) for r in noise], marker="o", capsize=3, label=label)
    left.set_xlabel("bags per batch x tubelets per bag")
    left.set_ylabel("Frame AP (test split)")
    left.set_title("Bag sampling (Table 2)")
    right.set_xlabel("simulated detector recall")
    right.invert_xaxis()
    right.set_title("Detector noise")
    for ax in (left, right):
        ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
