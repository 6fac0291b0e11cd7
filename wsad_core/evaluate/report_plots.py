"""Report figures of an evaluation (matplotlib, Agg: no display needed).

- :func:`plot_per_class_ap`: per-class AP bars, classes ranked by the first series, one bar
  per series (runs, or Frame/Video AP) side by side, as the paper's Fig. 5.
- :func:`plot_pr_curves`: one precision-recall curve per class.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from wsad_core.evaluate.pr_curves import PrCurve  # noqa: E402


def plot_per_class_ap(
    series: Mapping[str, Mapping[str, float | None]], out: Path, *, title: str = "Per-class AP", top: int = 30
) -> Path:
    """``series`` maps a legend name to {class name: AP or None}; the ``top`` classes of the
    first series (by AP) are shown, as in the paper."""
    if not series:
        raise ValueError("nothing to plot")
    first = next(iter(series.values()))
    valued = [(name, ap) for name, ap in first.items() if ap is not None and not math.isnan(ap)]
    classes = [name for name, _ in sorted(valued, key=lambda item: -item[1])][:top]
    width = 0.8 / len(series)
    figure, axes = plt.subplots(figsize=(max(6.0, 0.45 * len(classes) * max(1, len(series)) ** 0.5 + 2), 4.5))
    for index, (legend, values) in enumerate(series.items()):
        heights = [values.get(name) or 0.0 for name in classes]
        positions = [c + (index - (len(series) - 1) / 2) * width for c in range(len(classes))]
        axes.bar(positions, heights, width=width, label=legend)
    axes.set_xticks(range(len(classes)))
    axes.set_xticklabels(classes, rotation=60, ha="right", fontsize=8)
    axes.set_ylim(0, 1)
    axes.set_ylabel("AP")
    axes.set_title(title)
    axes.grid(axis="y", alpha=0.3)
    if len(series) > 1:
        axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(out, dpi=120, format="png")
    plt.close(figure)
    return out


def plot_pr_curves(curves: Mapping[str, PrCurve], out: Path, *, title: str = "Precision-recall") -> Path:
    """One curve per class (``curves`` keyed by class name), AP-style axes in [0, 1]."""
    figure, axes = plt.subplots(figsize=(6.5, 5))
    for name, curve in curves.items():
        recall = [0.0, *curve.recall.tolist()]
        precision = [1.0, *curve.precision.tolist()]
        axes.plot(recall, precision, label=f"{name} ({curve.n_gt} GT)", linewidth=1.2)
    axes.set_xlim(0, 1)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel("recall")
    axes.set_ylabel("precision")
    axes.set_title(title)
    axes.grid(alpha=0.3)
    if curves:
        axes.legend(fontsize=7, loc="lower left")
    figure.tight_layout()
    figure.savefig(out, dpi=120, format="png")
    plt.close(figure)
    return out
