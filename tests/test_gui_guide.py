"""Help › Getting started (F1): the guide opens from the key itself, and every menu command and key it names is
one the window has (a guide that promises a missing command would mislead a new librarian)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog

from paperdesk.core.backup import backups_dir
from paperdesk.core.logfile import log_path
from paperdesk.gui import actions
from paperdesk.gui.guide import guide_html


def _plain(text: str) -> str:
    return text.replace("&", "").rstrip()


def menu_commands(window) -> dict[str, set[str]]:
    """The window's menus as they stand: menu title -> command texts (without the & of their mnemonics)."""
    out = {}
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        commands = set()
        for action in menu.actions():
            if action.menu():
                commands.add(_plain(action.text()))
            elif not action.isSeparator():
                commands.add(_plain(action.text()))
        out[_plain(menu_action.text())] = commands
    return out


def window_keys(window) -> set[str]:
    keys = set()
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            keys.add(sequence.toString(QKeySequence.NativeText))
    for shortcut in window.findChildren(QShortcut):
        keys.add(shortcut.key().toString(QKeySequence.NativeText))
    for _where, page_keys in actions.page_keys():  # the keys a page answers (M, N, S in the duplicates queue)
        for key, _what in page_keys:
            keys.update(k.strip() for k in re.split(r" or |,", key))
    keys.discard("")
    return keys


def test_f1_opens_the_guide(window, qtbot):
    window.activateWindow()
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key_F1)
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()
             and w.objectName() == "guide-box"]
    assert len(boxes) == 1
    text = boxes[0].text.toPlainText()
    for heading in ("Importing dumps", "Searching", "Tags", "Duplicates and merging", "Undo", "Exports", "Backups",
                    "Where things are"):
        assert heading in text
    # this window's own library, its backups and the log, where they really are
    assert str(window.library.path) in text
    assert str(backups_dir(window.library.path)) in text
    assert str(log_path()) in text
    boxes[0].accept()


def test_every_menu_command_and_key_the_guide_names_exists(window):
    page = guide_html(window.library.path)
    named_commands = re.findall(r"<b>([^<]+)</b>", page)
    named_keys = re.findall(r"<kbd>([^<]+)</kbd>", page)
    assert len(named_commands) >= 15 and len(named_keys) >= 15  # the guide does name them this way
    menus = menu_commands(window)
    for path in named_commands:
        menu, command = (part.strip() for part in path.replace("&rsaquo;", "›").split("›"))
        assert menu in menus, path
        # Undo and Redo carry the step's name after them ("Undo Tag 3 records")
        assert any(c == command or c.startswith(command + " ") for c in menus[menu]), (path, sorted(menus[menu]))
    keys = window_keys(window)
    missing = [k for k in named_keys if k not in keys]
    assert missing == []


def test_the_search_syntax_the_guide_teaches_is_the_search_boxs(window):
    """Each example in the guide's search section is understood by the search box (no 'unknown field')."""
    from paperdesk.core.search import parse_search

    page = guide_html(window.library.path)
    section = page.split("<h3>Searching</h3>")[1].split("<h3>")[0]
    examples = [re.sub(r"&[a-z]+;", lambda m: {"&gt;": ">", "&quot;": '"', "&lt;": "<"}[m.group(0)], e)
                for e in re.findall(r"<code>([^<]+)</code>", section)]
    assert len(examples) >= 10
    for example in examples:
        assert parse_search(example).problems == [], example
