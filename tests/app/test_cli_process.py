"""A child's stdout reaches the studio line by line, a bounded amount per event-loop turn, even
when the child prints megabytes and exits before the studio has read them."""

from __future__ import annotations

import sys
from collections import Counter

from PySide6.QtCore import QTimer

from wsad_studio.cli_process import LINES_PER_TURN, CliProcess

FLOOD = "import sys\nfor i in range({n}): print(f'line {{i}} ' + 'x' * 100)\nsys.stdout.write('last, no newline')\n"


def run_child(qtbot, code: str) -> tuple[list[tuple[int, str]], tuple[int, str]]:
    """(turn, line) for each line, and (exit code, stderr tail); a 0 ms timer counts the turns."""
    turns = [0]
    ticker = QTimer()
    ticker.setInterval(0)
    ticker.timeout.connect(lambda: turns.__setitem__(0, turns[0] + 1))
    job = CliProcess([], program=(sys.executable, ["-c", code]))
    lines: list[tuple[int, str]] = []
    job.line.connect(lambda text: lines.append((turns[0], text)))
    ticker.start()
    with qtbot.waitSignal(job.ended, timeout=60_000) as ended:
        job.start()
    ticker.stop()
    return lines, tuple(ended.args)


def test_a_flood_arrives_whole_in_order_and_a_little_per_turn(qtbot):
    count = 20_000
    lines, (code, _) = run_child(qtbot, FLOOD.format(n=count))
    texts = [text for _, text in lines]
    assert code == 0
    assert texts[:-1] == [f"line {i} " + "x" * 100 for i in range(count)] and texts[-1] == "last, no newline"
    # A reading turn and a scheduled drain may fall between the same two ticks: two batches at most.
    assert max(Counter(turn for turn, _ in lines).values()) <= 2 * LINES_PER_TURN


def test_exit_code_and_stderr_of_a_failing_child(qtbot):
    lines, (code, stderr) = run_child(qtbot, "import sys\nprint('partial work')\nsys.exit('it broke')")
    assert [text for _, text in lines] == ["partial work"]
    assert code == 1 and "it broke" in stderr
