"""`wsad-studio [PROJECT]`: the desktop studio."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from PySide6.QtWidgets import QApplication

from wsad_core.errors import WsadError
from wsad_studio.main_window import MainWindow
from wsad_studio.state import AppState


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="wsad-studio", description="wsad-studio desktop app")
    parser.add_argument("project", nargs="?", type=Path, help="project folder to open")
    parser.add_argument(
        "--screenshot", type=Path, help="render the window to this PNG and exit (documentation, tests)"
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("wsad-studio")
    app.setOrganizationName("wsad-studio")
    state = AppState()
    window = MainWindow(state)
    if args.project is not None:
        try:
            state.open_project(args.project)
        except WsadError as exc:
            print(f"wsad-studio: {exc}", file=sys.stderr)
            return 2
    window.show()
    if args.screenshot is not None:
        app.processEvents()
        window.grab().save(str(args.screenshot))
        state.close()
        return 0
    status = app.exec()
    state.close()
    return status


if __name__ == "__main__":
    sys.exit(main())
