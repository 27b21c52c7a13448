"""The window's menus, actions and shortcuts, declared in one table.

Each entry names the window method it runs. Actions connect through a lambda that drops QAction's ``checked``
argument: a slot with an optional first parameter (``open_export(show=True)``) would otherwise receive
``False`` and open nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QToolBar


@dataclass(frozen=True)
class Entry:
    text: str
    method: str  # a MainWindow method, called without arguments
    shortcut: object = None  # str, QKeySequence.StandardKey, or None
    tip: str = ""
    kwargs: tuple = ()  # (name, value) pairs passed to the method


SEPARATOR = None
UNDO_REDO = "undo/redo"  # Operations.undo_actions: Ctrl+Z, Ctrl+Shift+Z / Ctrl+Y
COLUMNS = "columns"  # the View › Columns submenu
RECENT = "recent"  # the File › Open recent submenu, filled each time it opens (gui/libraries.py)

MENUS: dict[str, list] = {
    "&File": [
        Entry("New &library…", "new_library", None, "Create an empty library file and open it"),
        Entry("&Open library…", "open_library", QKeySequence.Open, "Open another library in this window"),
        RECENT,
        Entry("New &window", "new_window", "Ctrl+Shift+N", "This library once more, in a window beside this one"),
        SEPARATOR,
        Entry("&New record…", "new_record", "Ctrl+N", "Enter a record by hand"),
        Entry("&Import dumps…", "import_dialog_open", "Ctrl+I", "Import dump files into the library"),
        Entry("&Export…", "open_export", "Ctrl+E", "Write records to BibTeX, CSL-JSON, RIS, CSV…"),
        Entry("&Keep a .bib in sync…", "pin_export", "Ctrl+Shift+E",
              "Pin a BibTeX file of what the table shows: rewritten whenever the library changes"),
        Entry("&Refresh", "refresh_all", QKeySequence.Refresh, "Show changes made elsewhere"),
        SEPARATOR,
        Entry("&Back up now", "backup_now", None, "Copy the library into its backups folder"),
        Entry("Restore from &backup…", "restore_backup", None, "List the backups; restore one"),
        SEPARATOR,
        Entry("&Close window", "close_window", "Ctrl+W", "Close this window; the others stay open"),
        Entry("&Quit", "quit_app", QKeySequence.Quit, "Close every Paperdesk window"),
    ],
    "&Edit": [
        UNDO_REDO,
        Entry("&History…", "show_history", "Ctrl+H", "Every change of this session, undoable"),
        SEPARATOR,
        Entry("&Tag selection…", "tag_selection", "T", "Add a tag to the selected records"),
        Entry("Remove tag from selection…", "tag_selection", "Shift+T", "Remove a tag from the selected records",
              (("remove", True),)),
        Entry("Tag &manager…", "open_tag_manager", "Ctrl+Shift+T", "Rename, recolour, merge and delete tags"),
        Entry("&Batch edit…", "batch_edit", "Ctrl+Shift+B", "One change to the selected (or shown) records"),
        SEPARATOR,
        Entry("&Copy BibTeX", "copy_bibtex", "Ctrl+Shift+C", "The selected records' BibTeX to the clipboard"),
        Entry("Copy ci&tation", "copy_citation", "Ctrl+Alt+C", "Formatted references (APA unless chosen otherwise)"),
        SEPARATOR,
        Entry("Move to T&rash", "trash_selection", QKeySequence.Delete, "Ctrl+Z undoes; the Trash restores"),
        Entry("Restore from Trash", "restore_selection", None, "In the Trash: bring the selected records back"),
        Entry("Empty Trash…", "empty_trash", None, "Delete the records in the Trash for good (asks first)"),
        SEPARATOR,
        Entry("&Find", "focus_search", QKeySequence.Find),
        Entry("&Save this search…", "save_current_search", "Ctrl+Shift+S"),
        SEPARATOR,
        Entry("&Preferences…", "open_preferences", QKeySequence.Preferences),
    ],
    "&View": [
        Entry("Needs &review queue", "show_review", "Ctrl+R"),
        Entry("&Duplicates", "show_duplicates", "Ctrl+D", "Find and merge duplicate records"),
        Entry("&Authors", "show_authors", "Ctrl+U", "Every author with their figures"),
        Entry("&Records", "show_records", "Ctrl+1"),
        Entry("&Back", "go_back", "Alt+Left", "Back to the page you came from (the author page of a chart's bar)"),
        COLUMNS,
    ],
    "&Help": [
        Entry("&Getting started", "show_guide", "F1", "A short guide: importing, search, tags, duplicates, backups"),
        Entry("&Keyboard shortcuts", "show_shortcuts", "Ctrl+/"),
        Entry("&About Paperdesk", "show_about"),
    ],
}


def _connect(action: QAction, window, entry: Entry) -> None:
    kwargs = dict(entry.kwargs)
    action.triggered.connect(lambda *_: getattr(window, entry.method)(**kwargs))


def build(window) -> dict[str, QAction]:
    """Create the menus on ``window``; returns the actions by method name (+ "undo", "redo")."""
    bar = window.menuBar()
    actions: dict[str, QAction] = {}
    for title, entries in MENUS.items():
        menu = bar.addMenu(title)
        for entry in entries:
            if entry is SEPARATOR:
                menu.addSeparator()
            elif entry == UNDO_REDO:
                undo, redo = window.ops.undo_actions(window)  # bulk steps run in a worker (operations.py)
                for action in (undo, redo):
                    menu.addAction(action)
                    window.addAction(action)
                actions["undo"], actions["redo"] = undo, redo
            elif entry == RECENT:
                recent = menu.addMenu("Open r&ecent")
                recent.setObjectName("recent-menu")
                recent.aboutToShow.connect(lambda m=recent: window.fill_recent_menu(m))
                window.recent_menu = recent
                window.fill_recent_menu(recent)
            elif entry == COLUMNS:
                columns = menu.addMenu("&Columns")
                for action in window.table.column_actions:
                    columns.addAction(action)
            else:
                action = QAction(entry.text, window)
                if entry.shortcut:
                    action.setShortcut(QKeySequence(entry.shortcut))
                if entry.tip:
                    action.setStatusTip(entry.tip)
                _connect(action, window, entry)
                menu.addAction(action)
                window.addAction(action)
                key = entry.method + ("_remove" if entry.kwargs else "")
                actions[key] = action
    toolbar = QToolBar("Search")
    toolbar.setObjectName("search-toolbar")
    toolbar.setMovable(False)
    toolbar.addWidget(window.search)
    save = QAction("Save search", window)
    save.triggered.connect(lambda *_: window.save_current_search())
    toolbar.addAction(save)
    window.addToolBar(toolbar)
    return actions


SEARCH_KEYS = (("Enter", "search now (even one or two letters)"),)
TABLE_KEYS = (("Enter or double-click", "edit the record's title in the detail pane"),
              ("Tab", "on to the detail pane"))


def page_keys() -> list[tuple[str, tuple]]:
    """The keys each part of the window answers itself, declared beside the code that handles them."""
    from .authors_view import AuthorsView
    from .detail_pane import DetailPane
    from .duplicates_page import DuplicatesPage
    from .review_page import ReviewPage
    from .sidebar import Sidebar

    return [("In the search box", SEARCH_KEYS), ("In the records table", TABLE_KEYS),
            ("In the detail pane", DetailPane.KEYS), ("In the sidebar", Sidebar.KEYS),
            ("In the needs-review queue", ReviewPage.KEYS), ("In the duplicates queue", DuplicatesPage.KEYS),
            ("In the Authors list", AuthorsView.KEYS)]


def shortcut_lines() -> list[str]:
    """Every shortcut, for Help › Keyboard shortcuts (Ctrl+/): the menus' (always in step with them) and the keys
    each page answers (their KEYS)."""
    lines = ["Ctrl+Z  Undo        Ctrl+Shift+Z (or Ctrl+Y)  Redo"]
    for entries in MENUS.values():
        for entry in entries:
            if isinstance(entry, Entry) and entry.shortcut:
                key = QKeySequence(entry.shortcut).toString(QKeySequence.NativeText)
                if key:
                    lines.append(f"{key}  {entry.text.replace('&', '').rstrip('…')}")
    for where, keys in page_keys():
        lines.append("")
        lines.append(f"{where}:")
        lines += [f"    {key}  {what}" for key, what in keys]
    return lines
