"""The studio survives long sessions under PySide6 builds that drop references to None/True."""

import os
import subprocess
import sys
import textwrap


def test_a_long_session_of_qt_calls_does_not_free_none_or_true():
    calls = textwrap.dedent(
        """
        import wsad_studio
        from PySide6.QtCore import QObject, Signal
        from PySide6.QtWidgets import QApplication, QWidget
        app = QApplication([])
        class Source(QObject):
            changed = Signal(int)
        source, widget = Source(), QWidget()
        source.changed.connect(lambda value: None)
        for value in range(30_000):
            app.processEvents()
            widget.update()
            source.changed.emit(value)
        print("alive")
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", calls], capture_output=True, text=True, timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "alive" in result.stdout
