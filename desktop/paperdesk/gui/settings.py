"""Every per-user setting the window keeps (QSettings), declared once with its type and default (as Picard's
options.py does). Widgets read and write settings only through ``Settings``; library-specific settings
(saved searches, the citation-key pattern) live in the library file instead (core).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings


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
    Option("view/kind", str, "all", "sidebar entry shown at the last close: all, review, recent, tag, source"),
    Option("view/value", str, None, "its tag or source id"),
    Option("view/search", str, "", "search text at the last close"),
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


def restore_window(window, settings: Settings) -> None:
    """Geometry, splitter, columns and the view the librarian left; odd values fall back to the defaults."""
    geometry = settings.get("window/geometry")
    if geometry is None or not window.restoreGeometry(geometry):
        screen = window.screen().availableGeometry()  # never larger than the screen (a 1024-pixel one, say)
        window.resize(min(1500, screen.width()), min(860, screen.height()))
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
    search = settings.get("view/search") or ""
    kind, value = settings.get("view/kind"), settings.get("view/value")
    if search:
        window._set_search_text(search)
    if kind in ("review", "recent"):
        window.sidebar.select(kind)
    elif kind in ("source", "tag") and value is not None:
        try:
            window.sidebar.select(kind, int(value))
        except (TypeError, ValueError):
            pass
    window.model.sort(sort_column, order)
    window._set_filter(search=search)


def save_window(window, settings: Settings) -> None:
    settings.set("window/geometry", window.saveGeometry())
    settings.set("window/state", window.saveState())
    settings.set("window/splitter", window.splitter.saveState())
    settings.set("table/header", window.table.horizontalHeader().saveState())
    kind, value = window.sidebar.current_entry()
    settings.set("view/kind", kind)
    settings.set("view/value", value)
    settings.set("view/search", window.search.text())
    settings.sync()
