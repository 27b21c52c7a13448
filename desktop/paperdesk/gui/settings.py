"""Every per-user setting the window keeps (QSettings), declared once with its type and default (as Picard's
options.py does). Widgets read and write settings only through ``Settings``; library-specific settings
(saved searches, the citation-key pattern, the last view and search) live in the library file instead
(core/libraries.py, core/curation.py, core/export/keys.py).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QTimer

from ..core import libraries
from ..core.library import LibraryError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Option:
    key: str
    type: type
    default: object
    doc: str


OPTIONS = {o.key: o for o in (
    Option("window/geometry", QByteArray, None, "main window position and size"),
    Option("window/state", QByteArray, None, "toolbars and docks"),
    Option("window/splitter", QByteArray, None, "sidebar / table / detail widths"),
    Option("table/header", QByteArray, None, "records table: column order, widths, hidden columns, sort"),
    # Before several libraries, the last view and search were kept per user: they are moved into the first
    # library opened (its settings table, core/libraries.py) and removed from here.
    Option("view/kind", str, "all", "legacy: sidebar entry shown at the last close (moved into the library)"),
    Option("view/value", str, None, "legacy: its tag or source id (moved into the library)"),
    Option("view/search", str, "", "legacy: search text at the last close (moved into the library)"),
    Option("library/recent", str, "[]", "File › Open recent: the libraries opened last, newest first (JSON list)"),
    Option("library/last", str, None, "the library open at the last close: the app starts on it (no --db given)"),
    Option("import/last_folder", str, None, "folder of the last imported dump (None: the home folder)"),
    Option("export/format", str, "bibtex", "export format chosen last"),
    Option("export/ascii", bool, False, "export: LaTeX escapes instead of UTF-8"),
    Option("export/folder", str, None, "folder of the last export (None: the home folder)"),
    Option("charts/folder", str, None, "folder a chart was last saved in (None: Pictures, else home)"),
    Option("copy/style", str, "apa", "Copy citation: the CSL style (apa, ieee, chicago-author-date)"),
)}


def app_settings() -> QSettings:
    """The user's settings file (ini, per user). Tests never reach it: conftest points it into tmp."""
    return QSettings(QSettings.IniFormat, QSettings.UserScope, "Paperdesk", "Paperdesk")


class Settings:
    """Typed access to the declared options; an undeclared key is a programming error (KeyError)."""

    def __init__(self, qsettings: QSettings | None = None):
        self.q = qsettings if qsettings is not None else app_settings()

    def get(self, key: str):
        option = OPTIONS[key]
        value = self.q.value(key, None)
        if value is None or value == "":
            if option.type is str and value == "" and option.default == "":
                return ""
            return _default(option)
        try:
            if option.type is bool:
                return value if isinstance(value, bool) else str(value).lower() in ("true", "1", "yes")
            if option.type is QByteArray:
                return value if isinstance(value, QByteArray) else QByteArray(value)
            return option.type(value)
        except (TypeError, ValueError):
            return _default(option)  # an odd value in the file: the default, never a crash

    def set(self, key: str, value) -> None:
        option = OPTIONS[key]
        if option.type is bool:
            value = "true" if value else "false"
        self.q.setValue(key, value)

    def sync(self) -> None:
        self.q.sync()


def _default(option: Option):
    if option.key in ("import/last_folder", "export/folder"):
        return str(Path.home())
    return option.default


def bring_onto_screen(window) -> None:
    """A remembered place that no longer fits a screen (a monitor unplugged, a smaller one, another resolution)
    is brought back wholly onto the screen it most overlaps (else the primary one), shrunk where it must be."""
    from PySide6.QtGui import QGuiApplication

    from .libraries import onto_screen

    if window.isMaximized() or window.isFullScreen():
        return  # the system places those
    frame = window.frameGeometry()
    screens = QGuiApplication.screens()
    best = max(screens, key=lambda s: _overlap(frame, s.availableGeometry()), default=None)
    if best is None:
        return
    if _overlap(frame, best.availableGeometry()) == 0:
        best = QGuiApplication.primaryScreen() or best
    available = best.availableGeometry()
    if available.contains(frame):
        return
    fitted = onto_screen(frame, available)
    extra_w, extra_h = frame.width() - window.width(), frame.height() - window.height()
    window.move(fitted.topLeft())
    window.resize(fitted.width() - extra_w, fitted.height() - extra_h)


def _overlap(a, b) -> int:
    both = a.intersected(b)
    return max(both.width(), 0) * max(both.height(), 0) if not both.isEmpty() else 0


def restore_window(window, settings: Settings) -> None:
    """Geometry, splitter, columns and the view the librarian left; odd values fall back to the defaults."""
    geometry = settings.get("window/geometry")
    if geometry is None or not window.restoreGeometry(geometry):
        screen = window.screen().availableGeometry()  # never larger than the screen (a 1024-pixel one, say)
        window.resize(min(1500, screen.width()), min(860, screen.height()))
    else:
        bring_onto_screen(window)
    state = settings.get("window/state")
    if state is not None:
        window.restoreState(state)
    splitter = settings.get("window/splitter")
    if splitter is not None:
        window.splitter.restoreState(splitter)
    header_state = settings.get("table/header")
    if header_state is not None:
        window.table.horizontalHeader().restoreState(header_state)
        window.table.sync_column_actions()
    header = window.table.horizontalHeader()
    sort_column, order = header.sortIndicatorSection(), header.sortIndicatorOrder()
    view = library_view(window.library, settings)
    search, kind, value = view["search"], view["kind"], view["value"]
    if search:
        window._set_search_text(search)
    if kind in ("review", "recent", "trash"):
        window.sidebar.select(kind)
    elif kind in ("source", "tag") and value is not None:
        window.sidebar.select(kind, value)
    window.model.sort(sort_column, order)
    window._set_filter(search=search)
    window.restored_record = view.get("record")  # chosen again once the rows are read (MainWindow.__init__)
    if kind == "duplicates":  # a page: opened once the window is up (it reads the stored queue)
        QTimer.singleShot(0, window, window.show_duplicates)
    elif kind == "authors":
        QTimer.singleShot(0, window, window.show_authors)


def save_window(window, settings: Settings) -> None:
    settings.set("window/geometry", window.saveGeometry())
    settings.set("window/state", window.saveState())
    settings.set("window/splitter", window.splitter.saveState())
    settings.set("table/header", window.table.horizontalHeader().saveState())
    settings.sync()
    kind, value = window.sidebar.current_entry()
    try:
        libraries.remember_view(window.library, kind, value, window.search.text(), window.current_id())
    except LibraryError as exc:  # the library is busy or gone: the view is not worth a message
        log.warning("the last view was not kept with the library: %s", exc)


LEGACY_VIEW = ("view/kind", "view/value", "view/search")


def library_view(library, settings: Settings) -> dict:
    """The view to restore: the library's own; for a library that has none, the view an older Paperdesk kept per
    user (moved into this library, once: the first library opened after the update is the one it belonged to)."""
    view = libraries.last_view(library)
    legacy = any(settings.q.contains(key) for key in LEGACY_VIEW)
    if view is None and legacy:
        kind, value, search = (settings.get(k) for k in LEGACY_VIEW)
        try:
            value = int(value) if value is not None else None
        except (TypeError, ValueError):
            value = None
        try:
            libraries.remember_view(library, kind, value, search or "")
        except LibraryError as exc:
            log.warning("the last view was not moved into the library: %s", exc)
        view = libraries.last_view(library) or {"kind": kind, "value": value, "search": search or ""}
    if legacy:
        for key in LEGACY_VIEW:
            settings.q.remove(key)
    return view or {"kind": "all", "value": None, "search": ""}
