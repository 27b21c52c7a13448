"""QApplication set-up and the GUI entry point (``paperdesk`` with no arguments)."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

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
    icon = Path(__file__).resolve().parents[3] / "resources" / "paperdesk.svg"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    return app


def run(db: str | None = None) -> int:
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
    return app.exec()
