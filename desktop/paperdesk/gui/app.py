"""QApplication set-up and the GUI entry point (``paperdesk`` with no arguments)."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from .. import __version__
from ..bundled import resource
from ..core.library import Library, LibraryError, default_db_path, resolve_db_path
from ..core.seeds import load_seeds


def open_library_for_gui(db: str | None) -> tuple[Library, str]:
    """Open the library; on a first start at the default location, load the bundled seeds and say so."""
    path = resolve_db_path(db)
    library = Library(path)
    message = f"Library: {path}"
    if library.count_papers() == 0 and not library.sources() and path == default_db_path():
        results = load_seeds(library)
        added = sum(r.added for r in results)
        if added:
            message = f"First start: loaded the bundled sample library ({added} records from {len(results)} dumps)"
    return library, message


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("Paperdesk")
    app.setOrganizationName("Paperdesk")
    app.setApplicationDisplayName("Paperdesk")
    app.setApplicationVersion(__version__)
    icon = resource("paperdesk.svg")
    if icon:
        app.setWindowIcon(QIcon(str(icon)))
    return app


def seconds_since_process_start() -> float | None:
    """Wall time since the OS started this process (Linux), so a start-up figure includes the interpreter's
    own start and, in a bundle, the bootloader's."""
    try:
        with open("/proc/self/stat") as stat, open("/proc/uptime") as uptime:
            start_ticks = int(stat.read().rsplit(")", 1)[1].split()[19])
            return float(uptime.read().split()[0]) - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def _report_shown_and_quit(app: QApplication) -> None:
    elapsed = seconds_since_process_start()
    print(f"window shown after {elapsed:.2f} s" if elapsed is not None else "window shown", flush=True)
    app.quit()


def run(db: str | None = None, exit_when_shown: bool = False) -> int:
    app = make_app()
    try:
        library, message = open_library_for_gui(db)
    except LibraryError as exc:
        QMessageBox.critical(None, "Paperdesk", f"Cannot open the library.\n\n{exc}")
        return 1
    from .main_window import MainWindow

    window = MainWindow(library)
    app.aboutToQuit.connect(window.save_settings)
    window.statusBar().showMessage(message, 15000)
    window.show()
    if exit_when_shown:
        # Zero-delay timer: runs once the event loop has shown and painted the window.
        QTimer.singleShot(0, lambda: _report_shown_and_quit(app))
    return app.exec()
