"""QApplication set-up and the GUI entry point (``paperdesk`` with no arguments)."""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFont, QFontDatabase, QFontInfo, QIcon
from PySide6.QtWidgets import QApplication

from .. import __version__, bundled
from ..bundled import resource
from ..core.library import Library, LibraryError, default_db_path, resolve_db_path
from ..core.seeds import load_seeds
from ..core.wording import count


def open_library_for_gui(db: str | None) -> tuple[Library, str]:
    """Open the library; on a first start at the default location, load the bundled seeds and say so."""
    path = resolve_db_path(db)
    library = Library(path)
    message = f"Library: {path}"
    if library.count_papers() == 0 and not library.sources() and path == default_db_path():
        results = load_seeds(library)
        added = sum(r.added for r in results)
        if added:
            message = f"First start: loaded the bundled sample library ({count(added, 'record')} from {count(len(results), 'dump')})"
    return library, message


def ensure_fonts(app: QApplication, system_has_fonts: bool | None = None) -> list[str]:
    """Load the bundle's own fonts when the system has none, and return their families.

    A bare system (a minimal container, a thin client) can lack fonts entirely; Qt then draws every letter
    as a box. The Linux bundle carries DejaVu for that case only: on a normal desktop its fonts stay unused.
    """
    if system_has_fonts is None:
        # Fontconfig still lists its generic names (Sans Serif, Monospace…) with no font behind them; what
        # tells is whether the default font resolves to a real family.
        system_has_fonts = bool(QFontInfo(app.font()).family())
    if system_has_fonts:
        return []
    directory = bundled.data_dir(bundled.FONTS, "*.ttf")
    families: list[str] = []
    for path in sorted(directory.glob("*.ttf")) if directory else []:
        font_id = QFontDatabase.addApplicationFont(str(path))
        if font_id >= 0:
            families += [f for f in QFontDatabase.applicationFontFamilies(font_id) if f not in families]
    if families:
        app.setFont(QFont("DejaVu Sans" if "DejaVu Sans" in families else families[0], 10))
        if "DejaVu Sans Mono" in families:
            # No fontconfig aliases on such a system: say what "monospace" (raw dump text) means.
            QFont.insertSubstitution("monospace", "DejaVu Sans Mono")
    return families


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setApplicationName("Paperdesk")
    app.setOrganizationName("Paperdesk")
    app.setApplicationDisplayName("Paperdesk")
    # Wayland's app id and the link to the menu entry (resources/paperdesk.desktop) for the icon in docks.
    app.setDesktopFileName("paperdesk")
    app.setApplicationVersion(__version__)
    ensure_fonts(app)
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


def start_library(db: str | None, settings) -> tuple[Library, str]:
    """The library the app starts on: ``--db``, else ``$PAPERDESK_DB``, else the library open when the app was
    last closed (File › Open library… switched to it), else the per-user default. A last library that cannot be
    opened any more (damaged, moved away half-way) gives way to the default, and the window says why."""
    from .libraries import last_library

    if db or os.environ.get("PAPERDESK_DB"):
        return open_library_for_gui(db)
    last = last_library(settings)
    if last is not None and last != default_db_path():
        try:
            return Library(last, create=False), f"Library: {last}"
        except LibraryError as exc:
            library, _ = open_library_for_gui(None)
            return library, f"The last library could not be opened, so the default one is open: {exc}"
    return open_library_for_gui(None)


def run(db: str | None = None, exit_when_shown: bool = False) -> int:
    app = make_app()
    from .settings import Settings

    try:
        library, message = start_library(db, Settings())
    except LibraryError as exc:
        # Not a dead end: restore its backup, open another library, or quit (only then does the app end).
        from .refused_start import RefusedStart

        opened = RefusedStart(resolve_db_path(db), str(exc)).choose()
        if opened is None:
            return 1
        library, message = opened
    from .libraries import save_all_windows
    from .main_window import MainWindow

    window = MainWindow(library, owns_library=True)
    from .errors import install

    window.error_reporter = install(window)  # uncaught exceptions: traceback to the log, a sentence on screen
    app.aboutToQuit.connect(save_all_windows)  # every window open at the end (a switch replaces the first)
    window.statusBar().showMessage(message, 15000)
    window.place_beside_others()  # a second Paperdesk opens beside the first, not on top of it
    window.show()
    if not exit_when_shown:
        window.schedule_daily_backup()  # after the first paint, in the background (and for each library opened)
    if exit_when_shown:
        # Zero-delay timer: runs once the event loop has shown and painted the window.
        QTimer.singleShot(0, lambda: _report_shown_and_quit(app))
    return app.exec()
