"""From finished entries to the numbers the report states: means and sample standard
deviations over world seeds, the weak/full ratio, the sweeps, and the paper's claims checked
(each gap paired by world seed, with a 95 % interval).

Undefined numbers (a standard deviation from one seed, a variant not run yet) are ``None``,
never 0, so a one-seed table does not pass for a noiseless one.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from wsad_core.reproduce.variants import VARIANTS, WEAK_BEST

METRICS = ("frame_ap", "video_ap")

#: A curve counts as converged when its last quarter improved on the quarter before by less,
#: judged on curves of at least this many epochs (shorter ones are noise).
CONVERGED_GAIN = 0.02
CONVERGED_MIN_EPOCHS = 8
#: A curve whose best point never rose this far above its first has not started to learn: flat,
#: not converged (the weak variants on a hard world look "converged" at their class priors).
LEARNED_GAIN = 0.05


def mean_std(values: Iterable[float | None]) -> tuple[float | None, float | None, int]:
    """Mean, sample standard deviation (n - 1) and count of the defined values."""
    defined = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not defined:
        return None, None, 0
    std = statistics.stdev(defined) if len(defined) > 1 else None
    return statistics.fmean(defined), std, len(defined)


def _val_curve(curve: list[dict[str, Any]]) -> list[float]:
    return [point["val_frame_ap"] for point in curve if point.get("val_frame_ap") is not None]


def flat(curve: list[dict[str, Any]]) -> bool | None:
    """Whether validation Frame AP never rose :data:`LEARNED_GAIN` above its first point
    (None: too few epochs to tell)."""
    values = _val_curve(curve)
    if len(values) < CONVERGED_MIN_EPOCHS:
        return None
    return max(values) - values[0] < LEARNED_GAIN


def converged(curve: list[dict[str, Any]]) -> bool | None:
    """Whether validation Frame AP rose and then stopped rising (None: too few epochs to tell;
    False for a :func:`flat` curve, which has not started)."""
    values = _val_curve(curve)
    if len(values) < CONVERGED_MIN_EPOCHS:
        return None
    if flat(curve):
        return False
    quarter = len(values) // 4
    last, before = values[-quarter:], values[-2 * quarter : -quarter]
    return statistics.fmean(last) - statistics.fmean(before) < CONVERGED_GAIN


def _by_point(entries: Mapping[str, dict[str, Any]], study: str) -> dict[str, list[dict[str, Any]]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in entries.values():
        if entry["study"] == study:
            grouped[entry["point"]].append(entry)
    return grouped


def _stats(entries: list[dict[str, Any]]) -> dict[str, Any]:
    row: dict[str, Any] = {"seeds": sorted(e["seed"] for e in entries)}
    for metric in METRICS:
        mean, std, _ = mean_std(e.get(metric) for e in entries)
        row[metric], row[f"{metric}_std"] = mean, std
    finals = [e["curve"][-1]["val_frame_ap"] for e in entries if e.get("curve")]
    row["val_frame_ap_final"], _, _ = mean_std(finals)
    flags = [converged(e.get("curve") or []) for e in entries]
    row["converged"] = sum(flag is True for flag in flags)
    row["convergence_known"] = sum(flag is not None for flag in flags)
    row["flat"] = sum(flat(e.get("curve") or []) is True for e in entries)
    row["steps"] = [e.get("steps") for e in entries]
    return row


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


#: Two-sided 95 % quantiles of Student's t for 1–10 degrees of freedom (a benchmark has few
#: seeds, where 2 standard errors would be far too lenient); beyond, a Cornish–Fisher expansion.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228)


def t_quantile_975(degrees: int) -> float:
    """The 97.5 % quantile of Student's t with ``degrees`` degrees of freedom (3 decimals)."""
    if degrees < 1:
        raise ValueError(f"degrees of freedom must be at least 1, got {degrees}")
    if degrees <= len(_T975):
        return _T975[degrees - 1]
    z = 1.959964
    return (z + (z**3 + z) / (4 * degrees) + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * degrees**2)
            + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * degrees**3))


def paired_gap(low: list[dict[str, Any]], high: list[dict[str, Any]], metric: str = "frame_ap") -> dict[str, Any]:
    """``high`` minus ``low`` on each world seed both were scored on, and whether the mean gap
    is beyond seed noise.

    Both variants of one seed are trained and scored on the same world, so a world that is hard
    for both moves both (in session 8, `bench` world seed 1 scored 0.08 test Frame AP below seed
    0 with the same fully supervised schedule): the per-seed
    gaps carry only the noise of the comparison, where the variants' own spreads carry the
    worlds' differences too. ``resolved``: the 95 % confidence interval of the mean gap
    (Student's t over the seeds) excludes 0; None with fewer than two paired seeds.
    """
    by_seed = {e["seed"]: e.get(metric) for e in low}
    gaps = [float(e[metric]) - float(by_seed[e["seed"]]) for e in high
            if e.get(metric) is not None and by_seed.get(e["seed"]) is not None]
    mean, std, count = mean_std(gaps)
    out: dict[str, Any] = {"paired_seeds": count, "paired_gap": mean, "gap_std": std, "gap_ci95": None,
                           "resolved": None}
    if std is not None:
        out["gap_ci95"] = t_quantile_975(count - 1) * std / math.sqrt(count)
        out["resolved"] = abs(mean) > out["gap_ci95"]
    return out


def _claims(
    table: dict[str, dict[str, Any]], grouped: Mapping[str, list[dict[str, Any]]], ratio: float | None
) -> list[dict[str, Any]]:
    """The paper's Table 1 claims, each held or not on Frame AP; a gap is set against the
    larger of the two variants' seed spreads (as the issue states the aim) and paired by seed."""

    def gap(low: str, high: str) -> dict[str, Any] | None:
        a, b = table.get(low), table.get(high)
        if not a or not b or a["frame_ap"] is None or b["frame_ap"] is None:
            return None
        spread = max((s for s in (a["frame_ap_std"], b["frame_ap_std"]) if s is not None), default=None)
        diff = b["frame_ap"] - a["frame_ap"]
        return {"gap": diff, "holds": diff > 0, "spread": spread,
                "beyond_spread": None if spread is None else diff > spread,
                **paired_gap(grouped[low], grouped[high])}

    claims = []
    mil = [name for name in ("mil_lse", "mil_mean", "mil_max") if table.get(name, {}).get("frame_ap") is not None]
    best_mil = max(mil, key=lambda name: table[name]["frame_ap"], default=None)
    if best_mil:
        claims.append({"claim": "MIL beats the naive baseline", **(gap("naive", best_mil) or {})})
        top = table[best_mil]["frame_ap"]
        holds = "mil_max" in mil and table["mil_max"]["frame_ap"] >= top  # a tie counts for max
        claims.append({"claim": "max pooling is the best aggregation", "holds": holds,
                       "best": "mil_max" if holds else best_mil})
    for low, high, text in (("naive", "mil_max", "naive < MIL max"),
                            ("mil_max", WEAK_BEST, "the uncertainty loss improves MIL max")):
        result = gap(low, high)
        if result is not None:
            claims.append({"claim": text, **result})
    if ratio is not None:
        claims.append({"claim": "MIL max + uncertainty >= 85 % of full supervision", "holds": ratio >= 0.85,
                       "ratio": ratio})
    return claims


def summarize(entries: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """OUT.json: the table's means/stds per variant, the ratio, the sweeps and the claims."""
    grouped = _by_point(entries, "table")
    table = {name: _stats(grouped[name]) for name in VARIANTS if name in grouped}
    out: dict[str, Any] = {}
    for metric in METRICS:
        out[metric] = {name: row[metric] for name, row in table.items()}
        out[f"{metric}_std"] = {name: row[f"{metric}_std"] for name, row in table.items()}
    weak, full = table.get(WEAK_BEST, {}), table.get("full", {})
    out["ratio_weak_full"] = _ratio(weak.get("frame_ap"), full.get("frame_ap"))
    out["ratio_weak_full_video"] = _ratio(weak.get("video_ap"), full.get("video_ap"))
    out["table"] = table
    out["subclip"] = _sweep(entries, "subclip", ("reference_seconds", "seconds", "clips", "labels_per_clip", "epochs"))
    # Ordered as the paper's tables and the plots' axes: most bags a batch first, recall falling.
    bags = _sweep(entries, "bags", ("bags_per_batch", "tubelets_per_bag", "epochs"))
    out["bags"] = sorted(bags, key=lambda r: (-(r["bags_per_batch"] or 0), r["variant"]))
    noise = _sweep(entries, "noise", ("recall",))
    out["noise"] = sorted(noise, key=lambda r: (-(r["recall"] or 0), r["variant"]))
    out["claims"] = _claims(table, grouped, out["ratio_weak_full"])
    out["tuned_detector"] = _tuned(grouped)
    return out


def _tuned(grouped: Mapping[str, list[dict[str, Any]]]) -> dict[str, Any] | None:
    """The table on the evaluation detector's boxes (entries that have it: those recorded
    before it existed do not), with the weak/full ratio; None when no entry has it."""
    scored = {name: [e["tuned_detector"] | {"seed": e["seed"]} for e in grouped[name] if e.get("tuned_detector")]
              for name in VARIANTS if name in grouped}
    scored = {name: rows for name, rows in scored.items() if rows}
    if not scored:
        return None
    first = next(iter(scored.values()))[0]
    out: dict[str, Any] = {"recall": first.get("recall"), "precision": first.get("precision"),
                           "seeds": {name: sorted(r["seed"] for r in rows) for name, rows in scored.items()}}
    for metric in METRICS:
        stats = {name: mean_std(r.get(metric) for r in rows) for name, rows in scored.items()}
        out[metric] = {name: stat[0] for name, stat in stats.items()}
        out[f"{metric}_std"] = {name: stat[1] for name, stat in stats.items()}
    # Over the seeds both were scored on, so that a seed missing on one side does not tilt it.
    weak = {r["seed"]: r for r in scored.get(WEAK_BEST, [])}
    full = {r["seed"]: r for r in scored.get("full", [])}
    both = sorted(set(weak) & set(full))
    out["ratio_seeds"] = both
    for metric, key in (("frame_ap", "ratio_weak_full"), ("video_ap", "ratio_weak_full_video")):
        out[key] = _ratio(mean_std(weak[s].get(metric) for s in both)[0], mean_std(full[s].get(metric) for s in both)[0])
    return out


def _sweep(entries: Mapping[str, dict[str, Any]], study: str, keys: tuple[str, ...]) -> list[dict[str, Any]]:
    rows = []
    for point, group in _by_point(entries, study).items():
        info = group[0].get("info", {})
        rows.append({"point": point, "variant": group[0]["variant"],
                     **{key: info.get(key) for key in keys}, **_stats(group)})
    return rows
