"""What the training panel knows of each run, built from its progress events (no Qt drawing).

Events come from a child's stdout (runs the panel started) or from ``runs/<id>/events.jsonl``
(runs started from a terminal or a cluster, and every finished run); :class:`EventsTail` reads
only the bytes a file gained since the last look.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

FINISHED = ("done", "stopped", "failed", "killed")


@dataclass
class RunProgress:
    """One run's curves, progress and status, updated event by event."""

    id: int
    name: str = ""
    status: str = "running"
    total_steps: int = 0
    step: int = 0
    epoch: int = 0
    eta_s: float | None = None
    device: str = ""
    error: str = ""
    checkpoint: str = ""
    steps: list[int] = field(default_factory=list)
    loss: list[float] = field(default_factory=list)
    lr: list[float] = field(default_factory=list)
    clips_per_s: list[float] = field(default_factory=list)
    log: list[str] = field(default_factory=list)

    @property
    def percent(self) -> int:
        if self.status == "done":
            return 100
        return int(100 * self.step / self.total_steps) if self.total_steps else 0

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    def apply(self, event: dict[str, Any]) -> None:
        kind = event.get("event")
        if kind == "start":
            self.name = str(event.get("name", self.name))
            self.total_steps = int(event.get("steps", 0) or 0)
            self.step = int(event.get("resumed_at", 0) or 0)
            self.device = str(event.get("device", ""))
            self.status = "running"
            self.log.append(f"start: {event.get('bags')} bags, {event.get('labels')} labels, "
                            f"{self.total_steps} steps on {self.device}")
        elif kind == "step":
            self.step = int(event.get("step", self.step))
            self.epoch = int(event.get("epoch", self.epoch))
            self.eta_s = _number(event.get("eta_s"))
            self.steps.append(self.step)
            self.loss.append(_number(event.get("loss")) or float("nan"))
            self.lr.append(_number(event.get("lr")) or 0.0)
            self.clips_per_s.append(_number(event.get("clips_per_s")) or 0.0)
        elif kind == "epoch":
            extra = {k: v for k, v in event.items() if k not in ("event", "time", "epoch", "step")}
            self.log.append(f"epoch {event.get('epoch')}: " + ", ".join(f"{k} {_short(v)}" for k, v in extra.items()))
        elif kind == "checkpoint":
            self.checkpoint = str(event.get("path", ""))
            self.log.append(f"checkpoint at step {event.get('step')}")
        elif kind in ("done", "stopped"):
            self.status = kind
            self.eta_s = 0.0 if kind == "done" else self.eta_s
            self.log.append(f"{kind} after {event.get('steps')} steps")
        elif kind == "error":
            self.status = "failed"
            self.error = str(event.get("message", ""))
            self.log.append(f"error: {self.error}")
        elif kind == "cache":
            resized = f", clips resized by the {event['resized_on']}" if "resized_on" in event else ""
            self.log.append(f"videos decoded in memory: {event.get('held')} of {event.get('videos')} "
                            f"({event.get('held_mb')} MB of {event.get('budget_mb')} MB){resized}")
        elif kind == "warning":
            self.log.append(f"warning: {event.get('message')}")


#: Points a curve is drawn with: a plot a few hundred pixels wide shows no more, and redrawing
#: tens of thousands of steps every announcement would cost tens of milliseconds each time.
MAX_CURVE_POINTS = 1000


def curve_points(steps: list[int], values: list[float], limit: int = MAX_CURVE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """At most about ``limit`` points of a curve: each point the mean of a run of consecutive
    steps (all of them, as they are, when there are no more than ``limit``)."""
    x, y = np.asarray(steps, dtype=float), np.asarray(values, dtype=float)
    if len(x) <= limit:
        return x, y
    size = -(-len(x) // limit)
    edges = np.arange(0, len(x), size)
    counts = np.diff(np.append(edges, len(x)))
    return np.add.reduceat(x, edges) / counts, np.add.reduceat(y, edges) / counts


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def parse_event(line: str) -> dict[str, Any] | None:
    """The event on one stdout line, or None for anything else the child printed."""
    line = line.strip()
    if not line.startswith("{"):
        return None
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return None
    return event if isinstance(event, dict) and "event" in event else None


class EventsTail:
    """New complete lines of one ``events.jsonl`` since the last call (a line being written waits)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0
        self._partial = b""

    def read(self, limit: int = 1 << 20) -> list[dict[str, Any]]:
        try:
            if self.path.stat().st_size <= self.offset:  # a stat, not an open, for the many idle runs
                return []
            with self.path.open("rb") as file:
                file.seek(self.offset)
                data = file.read(limit)
        except OSError:
            return []
        self.offset += len(data)
        *lines, self._partial = (self._partial + data).split(b"\n")
        events = (parse_event(line.decode("utf-8", "replace")) for line in lines)
        return [event for event in events if event is not None]
