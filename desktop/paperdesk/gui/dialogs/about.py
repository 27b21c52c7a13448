"""Help > About: which Paperdesk this is, on which Qt and Python, and where its library file lives."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import QMessageBox, QWidget

from ... import __version__


def about_text(library_path: Path) -> str:
    bundle = "standalone bundle" if getattr(sys, "frozen", False) else f"Python at {sys.prefix}"
    return (
        f"<h3>Paperdesk {__version__}</h3>"
        "<p>Curate paper records from listing dumps.</p>"
        f"<p>Library file:<br><code>{library_path}</code></p>"
        f"<p>Qt {qVersion()} · PySide6 {PySide6.__version__} · Python {platform.python_version()}<br>{bundle}</p>"
    )


def make_about_box(library_path: Path, parent: QWidget | None = None) -> QMessageBox:
    box = QMessageBox(parent)
    box.setWindowTitle("About Paperdesk")
    box.setTextFormat(Qt.RichText)
    box.setText(about_text(library_path))
    box.setTextInteractionFlags(Qt.TextSelectableByMouse)  # the path is there to be copied
    if parent is not None and not parent.windowIcon().isNull():
        box.setIconPixmap(parent.windowIcon().pixmap(64, 64))
    return box
