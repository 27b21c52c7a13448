"""Every action of every menu, triggered as the librarian triggers it (QAction.trigger(), and every shortcut
as a key press), opens the dialog or page it promises or makes its change. A new menu entry without a check
here fails the walk."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QInputDialog, QMessageBox

from paperdesk.core import backup, trash
from paperdesk.gui.dialogs.about import make_about_box  # noqa: F401  (the About box's module loads)
from paperdesk.gui.dialogs.export_dialog import ExportDialog
from paperdesk.gui.dialogs.preferences import PreferencesDialog
from paperdesk.gui.dialogs.tag_manager import TagManager
from paperdesk.gui.dialogs.tag_picker import TagPicker


def visible_of(kind, name=None):
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()
            and (name is None or w.objectName() == name)]


def close_all(window=None):
    """Close the dialogs an action opened, and a second main window (File › New window)."""
    from paperdesk.gui.libraries import live_windows

    for w in QApplication.topLevelWidgets():
        if isinstance(w, QDialog) and w.isVisible():
            w.close()
    for w in live_windows():
        if w is not window and w.isVisible():
            w.close()


def second_windows(window):
    from paperdesk.gui.libraries import live_windows

    return [w for w in live_windows() if w is not window and w.isVisible() and w.library.path == window.library.path]


def test_every_menu_action_does_what_it_says(window, qtbot, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([], "")))
    opened = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (opened.append(a) or ("", ""))))
    asked, saved_to = [], []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (saved_to.append(a) or ("", ""))))
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: (asked.append(a) or ("", False))))
    pickers = []

    def cancel_picker():  # the tag picker is modal: note it and cancel it
        for w in visible_of(TagPicker):
            pickers.append(w)
            w.reject()

    def is_page(page):
        return lambda: window.stack.currentWidget() is page

    boxes = []  # modal questions (Empty Trash asks first): noted and answered Cancel
    monkeypatch.setattr(QMessageBox, "exec", lambda self: boxes.append(self.objectName()) or QMessageBox.Cancel)
    closer = QTimer(window, interval=50)  # modal pickers are noted and cancelled whenever they appear
    closer.timeout.connect(cancel_picker)
    closer.start()
    window.search.setText("graph")
    clipboard = QApplication.clipboard()
    checks = {
        "&Import dumps…": lambda: True,  # the (patched) file dialog was asked; nothing chosen, nothing imported
        "&Export…": lambda: len(visible_of(ExportDialog)) == 1,
        "&Refresh": lambda: window.model.rowCount() > 0,
        "&Keep a .bib in sync…": lambda: [a[1] for a in saved_to][-1:] == ["Keep a .bib in sync"],  # cancelled
        # File › New library… and Open library… ask where (answered: cancelled, the library stays); the library
        # files themselves are tested in test_gui_libraries.py
        "New &library…": lambda: [a[1] for a in saved_to][-1:] == ["New library"],
        "&Open library…": lambda: [a[1] for a in opened] == ["Open library"],
        "New &window": lambda: len(second_windows(window)) == 1,
        "&Quit": lambda: not window.isVisible(),
        "&Close window": lambda: True,  # walked in a second window below: it closes, this one stays
        "&Undo": lambda: True, "&Redo": lambda: True,  # disabled with an empty history: checked below
        "&History…": lambda: len(visible_of(QDialog, "history-dialog")) == 1,
        "&Tag selection…": lambda: len(pickers) == 1,
        "Remove tag from selection…": lambda: len(pickers) == 2,
        "Tag &manager…": lambda: len(visible_of(TagManager)) == 1,
        "&Find": lambda: window.search.selectedText() == "graph",
        "&Save this search…": lambda: len(asked) == 1,
        "&Preferences…": lambda: len(visible_of(PreferencesDialog)) == 1,
        "Needs &review queue": is_page(window.review),
        "&Duplicates": is_page(window.duplicates),
        "&Authors": is_page(window.authors_view),
        "&Records": is_page(window.table),
        "&Back": is_page(window.authors_view),  # the page left for the records just before
        "&Keyboard shortcuts": lambda: len(visible_of(QDialog, "shortcuts-box")) == 1,
        "&Getting started": lambda: len(visible_of(QDialog, "guide-box")) == 1,
        "&New record…": lambda: len(visible_of(QDialog, "new-record-dialog")) == 1,
        "&Back up now": lambda: len(backup.list_backups(window.library.path)) == 1,
        "Restore from &backup…": lambda: len(visible_of(QDialog, "backups-dialog")) == 1,
        "&Batch edit…": lambda: len(visible_of(QDialog, "batch-edit-dialog")) == 1,
        "&Copy BibTeX": lambda: "@misc{" in clipboard.text(),
        "Copy ci&tation": lambda: clipboard.text() and "@misc{" not in clipboard.text(),
        "Move to T&rash": lambda: trash.count_trashed(window.library) == 1,
        "Restore from Trash": lambda: "Trash" in window.statusBar().currentMessage(),  # not in the Trash view
        "Empty Trash…": lambda: boxes == ["empty-trash-box"] and trash.count_trashed(window.library) == 1,
        "&About Paperdesk": lambda: any(w.isVisible() and "Paperdesk" in w.windowTitle()
                                        for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)),
    }
    unchecked: set[str] = set()
    walked = []
    quit_action = None
    for menu_action in window.menuBar().actions():
        for action in menu_action.menu().actions():
            if action.isSeparator() or action.menu() is not None:
                continue
            text = action.text()
            if text in unchecked:
                continue
            assert text in checks, f"no check for menu entry {text!r}"
            if text == "&Quit":
                quit_action = action
                continue
            if text in ("&Undo", "&Redo"):
                assert not action.isEnabled()
                walked.append(text)
                continue
            if text == "&Close window":
                other = window.new_window()
                other.actions_by_name["close_window"].trigger()
                qtbot.waitUntil(lambda: not other.isVisible(), timeout=5000)
                assert window.isVisible()
                walked.append(text)
                continue
            window.show_records()
            window.table.setFocus()
            window.search.deselect()
            action.trigger()
            qtbot.waitUntil(checks[text], timeout=5000)
            walked.append(text)
            close_all(window)
    recent = window.recent_menu  # File › Open recent: the open library, ticked, and Clear list
    recent.aboutToShow.emit()
    assert [a.data() for a in recent.actions() if a.data()] == [str(window.library.path)]
    assert [a.objectName() for a in recent.actions() if a.objectName()] == ["recent-library", "recent-clear"]
    columns = next(a.menu() for m in window.menuBar().actions() for a in m.menu().actions()
                   if a.menu() and a.menu() is not recent)
    title_column = columns.actions()[0]
    assert not title_column.isEnabled()
    for column, action in enumerate(columns.actions()[1:], start=1):
        was_hidden = window.table.isColumnHidden(column)
        action.trigger()
        assert window.table.isColumnHidden(column) != was_hidden
    quit_action.trigger()
    qtbot.waitUntil(checks["&Quit"], timeout=3000)
    assert len(walked) == len(checks) - 1


def test_every_shortcut_reaches_its_action(window, qtbot, monkeypatch):
    """The key sequence itself, pressed in the window, opens the same thing as the menu."""
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([], "")))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: ("", "")))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    fired = []
    for action in window.actions():
        if action.menu() is None and not action.shortcut().isEmpty() and action.text() not in ("&Quit",
                                                                                               "&Close window"):
            action.triggered.connect(lambda *_, t=action.text(): fired.append(t))
    expected = []
    closer = QTimer(window, interval=50)  # the tag pickers are modal: cancel them whenever they appear
    closer.timeout.connect(lambda: [w.reject() for w in visible_of(TagPicker)])
    closer.start()
    for action in window.actions():
        text, keys = action.text(), action.shortcut()
        skip = ("&Quit", "&Close window")  # they end the window: pressed in a second window below
        if action.menu() is not None or keys.isEmpty() or text in skip or not action.isEnabled():
            continue
        window.show_records()
        window.activateWindow()  # a closed modal dialog leaves no window active on the offscreen platform
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
        window.table.setFocus()
        combo = keys[0]
        qtbot.keyClick(window.table, combo.key(), combo.keyboardModifiers())
        expected.append(text)
        qtbot.waitUntil(lambda: fired[-1:] == [text], timeout=3000)
        close_all(window)
    assert fired == expected
    other = window.new_window()  # Ctrl+W closes the window it is pressed in, and only that one
    other.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is other, timeout=3000)
    qtbot.keyClick(other.table, Qt.Key_W, Qt.ControlModifier)
    qtbot.waitUntil(lambda: not other.isVisible(), timeout=3000)
    assert window.isVisible()
    assert {"&Export…", "Tag &manager…", "&Open library…", "New &window"} <= set(fired)
    assert QKeySequence("Ctrl+O") == window.actions_by_name["open_library"].shortcut()
    assert QKeySequence("Ctrl+E") == window.actions_by_name["open_export"].shortcut()
