"""Uncaught exceptions: the traceback goes to the (rotating) log file, the librarian sees one sentence with a
button to open the log; workers keep their tracebacks too."""

from __future__ import annotations

import logging.handlers
import os
from pathlib import Path

from PySide6.QtWidgets import QApplication, QMessageBox

from paperdesk.core import logfile


def log_text() -> str:
    path = logfile.log_path()
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_an_exception_in_a_slot_is_logged_with_traceback_and_shown_as_a_sentence(window, qtbot, monkeypatch):
    import sys

    from paperdesk.gui.errors import install

    old_hook = sys.excepthook
    reporter = install(window)
    try:
        def broken():
            raise ValueError("the wheel came off")

        monkeypatch.setattr(window, "show_about", broken)
        window.actions_by_name["show_about"].trigger()  # PySide hands the exception to sys.excepthook
        qtbot.waitUntil(lambda: reporter.box is not None and reporter.box.isVisible(), timeout=3000)
    finally:
        sys.excepthook = old_hook
    assert "ValueError: the wheel came off" in reporter.box.text()
    assert "\n" not in reporter.box.text()
    assert any(b.text() == "Open the log" for b in reporter.box.buttons())
    text = log_text()
    assert "Traceback (most recent call last)" in text and "def broken" not in text and "in broken" in text
    assert str(Path(os.environ["PAPERDESK_LOG_DIR"])) in str(logfile.log_path())


def test_the_log_rotates_at_its_size_cap():
    logfile.setup()
    handler = logfile._handler
    assert isinstance(handler, logging.handlers.RotatingFileHandler)
    assert handler.maxBytes == logfile.MAX_BYTES and handler.backupCount == logfile.BACKUPS
    big = "x" * 1000
    for _ in range(logfile.MAX_BYTES // 1000 + 50):
        logging.getLogger("paperdesk").error(big)
    handler.flush()
    assert logfile.log_path().stat().st_size <= logfile.MAX_BYTES
    assert Path(str(logfile.log_path()) + ".1").exists()


def test_a_failing_import_worker_logs_its_traceback(tmp_path, qtbot, monkeypatch):
    from paperdesk.core.library import Library
    from paperdesk.gui.workers import ImportWorker

    Library(tmp_path / "lib.sqlite").close()
    monkeypatch.setattr(Library, "import_files", lambda *a, **k: 1 / 0)
    worker = ImportWorker(tmp_path / "lib.sqlite", [tmp_path / "x.txt"])
    with qtbot.waitSignal(worker.failed, timeout=5000) as blocker:
        worker.run()
    assert blocker.args[0].startswith("The import stopped: division by zero")
    assert "ZeroDivisionError" in log_text() and "Traceback" in log_text()


def test_cli_user_error_prints_one_sentence(tmp_path):
    import subprocess
    import sys

    from paperdesk.core.library import Library

    Library(tmp_path / "lib.sqlite").close()
    done = subprocess.run([sys.executable, "-m", "paperdesk", "keys", "--set", "99999", "abc", "--db",
                           str(tmp_path / "lib.sqlite")], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1 and "99999" in done.stderr
