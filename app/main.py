"""`wsad-studio [PROJECT]`: the desktop studio."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from wsad_core.errors import WsadError
from wsad_studio.main_window import MainWindow
from wsad_studio.state import AppState

SCREENSHOT_WAIT_S = 20.0


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="wsad-studio", description="wsad-studio desktop app")
    parser.add_argument("project", nargs="?", type=Path, help="project folder to open")
    parser.add_argument(
        "--screenshot", type=Path, help="render the window to this PNG and exit (documentation, tests)"
    )
    parser.add_argument("--video", help="show this video (name or id)")
    parser.add_argument("--frame", type=int, default=0, help="with --video: put the playhead on this frame")
    parser.add_argument("--run", help="draw this run's predicted tubes (id or name)")
    parser.add_argument("--panel", choices=["train", "results"], help="open the Train or Results panel")
    return parser.parse_args(argv)


def wait_for_frame(app: QApplication, window: MainWindow, frame: int, timeout: float) -> bool:
    """Let the decoder deliver ``frame`` (screenshots must show it, not the previous one);
    False when it cannot (the file is missing or damaged: the player says so) or is late."""
    failed: list[int] = []
    window.player.source.frame_failed.connect(lambda index, _message: failed.append(index))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not failed:
        app.processEvents()
        if window.player.shown_frame == frame:
            return True
        time.sleep(0.005)
    return False


def wait_for_training_panel(app: QApplication, window: MainWindow, timeout: float) -> None:
    """Let the panel draw the runs it read and learn the device (asked of a child process)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and window.training.device.itemText(0) == "auto":
        app.processEvents()
        time.sleep(0.01)
    end = time.monotonic() + 0.3
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("wsad-studio")
    app.setOrganizationName("wsad-studio")
    state = AppState()
    window = MainWindow(state, None if args.screenshot is not None else QSettings())
    project = args.project
    if project is None and args.screenshot is None:
        last = window.last_project()
        project = Path(last) if last and (Path(last) / "project.db").is_file() else None
    try:
        if project is not None:
            state.open_project(project)
            if args.run is not None:
                window.show_run(int(args.run) if args.run.isdigit() else args.run)
            if args.video is not None:
                state.select_video(args.video)
                state.set_frame(args.frame)
    except WsadError as exc:
        print(f"wsad-studio: {exc}", file=sys.stderr)
        window.close()
        return 2
    window.show()
    if args.panel is not None:
        window.show_dock(args.panel.title())
        window.resizeDocks([window.docks[args.panel.title()]], [window.height() // 2], Qt.Orientation.Vertical)
    if args.screenshot is not None:
        app.processEvents()
        if args.panel == "train":
            wait_for_training_panel(app, window, SCREENSHOT_WAIT_S)
        if state.video is not None and not wait_for_frame(app, window, state.frame, SCREENSHOT_WAIT_S):
            print(f"wsad-studio: frame {state.frame} could not be shown", file=sys.stderr)
        deadline = time.monotonic() + SCREENSHOT_WAIT_S
        while window.library.thumbnails.pending() and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)
        app.processEvents()
        window.grab().save(str(args.screenshot))
        window.close()
        state.close()
        return 0
    status = app.exec()
    state.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
