"""Uncaught exceptions in the window or a worker: the traceback goes to the log file, the librarian gets one
sentence and a button that opens the log (after Anki's aqt/errors.py)."""

from __future__ import annotations

import sys
import threading

from PySide6.QtCore import QObject, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget

from ..core.logfile import log_exception, log_path, setup

__all__ = ["log_exception", "install", "ErrorReporter", "show_error"]


def show_error(parent: QWidget | None, sentence: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Warning, "Paperdesk", sentence, QMessageBox.Ok, parent)
    box.setObjectName("error-box")
    box.setInformativeText(f"The details are in the log file:\n{log_path()}")
    open_log = box.addButton("Open the log", QMessageBox.ActionRole)
    open_log.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(log_path()))))
    box.open()
    return box


class ErrorReporter(QObject):
    """Receives exceptions from any thread; shows them on the GUI thread, one box at a time."""

    reported = Signal(str)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.parent_widget = parent
        self.box: QMessageBox | None = None
        self.reported.connect(self._show)

    def handle(self, exc_type, exc, tb) -> None:
        if exc is None:
            exc = exc_type()
        exc.__traceback__ = tb
        log_exception(exc, "uncaught")
        self.reported.emit(f"Something went wrong: {exc_type.__name__}: {exc}. Nothing else was changed.")

    def _show(self, sentence: str) -> None:
        if self.box is not None and self.box.isVisible():
            return
        self.box = show_error(self.parent_widget, sentence)


def install(parent: QWidget | None = None) -> ErrorReporter:
    """Route sys.excepthook and threading.excepthook through the log and one sentence."""
    setup()
    reporter = ErrorReporter(parent)
    sys.excepthook = reporter.handle
    threading.excepthook = lambda args: reporter.handle(args.exc_type, args.exc_value, args.exc_traceback)
    return reporter
