"""Several libraries, through the real window: File › New library…, Open library…, Open recent and New window
are triggered as QActions (only the file dialogs' static calls are answered by the test); after each switch
every view is compared with the new library's SQLite, the title bar names the library, the library's own
settings (view, search, saved searches, key pattern) come back with it, the undo history never reaches another
library, and a library that cannot be opened leaves the current one open with one sentence."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QPoint, QRect, QSettings, QSize, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from conftest import SEED_CAPTURED
from paperdesk.core import backup, curation, libraries, libfile, merging
from paperdesk.core.export import keys
from paperdesk.core.library import Library
from paperdesk.gui import libraries as gui_libraries
from paperdesk.gui.libraries import place_among, place_beside
from paperdesk.gui.main_window import MainWindow
from test_gui_bulk import _select_rows, held  # noqa: F401  (held: a fixture, a bulk change caught mid-way)
from test_gui_views import check_consistent, sidebar_count


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "user.ini"), QSettings.IniFormat)


@pytest.fixture
def library_b(tmp_path, seed_paths, write_dump):
    """A second library, smaller than the seeded one: two of the five dumps, a record that needs review, a tag."""
    lib = Library(tmp_path / "thesis-library.sqlite")
    for path in seed_paths[:2]:
        assert lib.import_file(path, SEED_CAPTURED).status == "imported"
    glued = ("LGMay 28\nReasoning Traces with DeepSeekChen Wei, Hao Sun et al.\nAn abstract on reasoning.\n"
             "CLMay 27\nScaling Laws for Graph TransformersMing Li\nAn abstract about scaling.\n")
    assert lib.import_file(write_dump(glued, "glued.txt"), SEED_CAPTURED).status == "imported"
    tag = curation.create_tag(lib, "chapter-2")
    curation.add_tag(lib, [r[0] for r in sql(lib, "SELECT id FROM papers ORDER BY id LIMIT 7")], tag)
    assert sql(lib, "SELECT COUNT(*) FROM papers WHERE needs_review = 1")[0][0] == 1
    lib.close()
    return tmp_path / "thesis-library.sqlite"


@pytest.fixture
def keep(library):
    """Windows to close after the test (before the test's libraries are closed). Not qtbot.addWidget: a window switched to another library is deleted
    (deleteLater), which pytest-qt's own clean-up does not expect."""
    kept = []
    yield kept.append
    for w in kept:
        if shiboken6.isValid(w):
            w.close()
            w.deleteLater()


@pytest.fixture
def first(seeded, settings, keep):
    w = MainWindow(seeded, settings)
    keep(w)
    w.show()
    return w


def answer_open(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(path), "")))


def answer_save(monkeypatch, path):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))


def current_window(keep) -> MainWindow:
    shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
    assert len(shown) == 1, shown
    keep(shown[0])
    return shown[0]


def trigger(window, name):
    window.actions_by_name[name].trigger()


def sql(path_or_library, query, *params):
    if isinstance(path_or_library, Library):
        return path_or_library.conn.execute(query, params).fetchall()
    with sqlite3.connect(path_or_library) as conn:
        return conn.execute(query, params).fetchall()


def check_every_view(window, qtbot):
    """Table, status bar and sidebar (check_consistent), and the detail pane, review queue, duplicates and
    authors views, each against the window's library in SQLite."""
    lib = window.library
    check_consistent(window)
    assert window.windowTitle() == libraries.display_name(lib.path)
    shown = window.detail.paper_id
    if shown is not None:
        assert sql(lib, "SELECT title FROM papers WHERE id = ?", shown)[0][0] == window.detail.title.toPlainText()
    review = sql(lib, "SELECT COUNT(*) FROM visible_papers WHERE needs_review = 1")[0][0]
    window.show_review()
    text = window.review.counter.text()
    assert text.startswith(f"Needs review: {review} record") if review else text == "Nothing needs review."
    if review:
        assert window.review.paper_id in {r[0] for r in sql(lib, "SELECT id FROM papers WHERE needs_review = 1")}
    window.show_authors()
    qtbot.waitUntil(lambda: window.authors_view.worker is None, timeout=20000)
    names = sql(lib, "SELECT COUNT(DISTINCT author_id) FROM paper_authors pa JOIN visible_papers p ON p.id = pa.paper_id")
    assert window.authors_view.model.total == names[0][0]
    window.show_duplicates()
    qtbot.waitUntil(lambda: window.duplicates.worker is None and window.duplicates.scanned, timeout=20000)
    expected = merging.scan(lib, window.duplicates.preset.currentData())
    assert [g.records for g in window.duplicates.groups] == [g.records for g in expected]
    window.show_records()


# --- new, open, title bar --------------------------------------------------------------------------------

def test_new_library_creates_an_empty_library_and_the_window_shows_it(keep, first, tmp_path, qtbot, monkeypatch):
    target = tmp_path / "projects" / "thesis-library"
    target.parent.mkdir()
    answer_save(monkeypatch, target)  # typed without .sqlite, as people do
    old_library = first.library
    trigger(first, "new_library")
    window = current_window(keep)
    assert window is not first and not first.isVisible()
    created = target.with_name("thesis-library.sqlite")
    assert window.library.path == created and created.is_file()
    assert sql(created, "PRAGMA application_id")[0][0] == libfile.APPLICATION_ID
    assert window.windowTitle() == "thesis-library"  # Qt adds " — Paperdesk" (the display name, make_app)
    assert window.library_label.text() == "thesis-library" and window.library_label.toolTip() == str(created)
    assert str(created) in window.show_about(show=False).text()
    assert window.model.rowCount() == 0 and window.model.total == 0
    assert sidebar_count(window, "all") == 0 and window.detail.paper_id is None
    assert "0 of 0 records" in window.count_label.text()
    assert "New empty library" in window.statusBar().currentMessage()
    assert window.table.empty_hint().startswith("This library is empty")  # says what to do next
    window.grab().save(str(tmp_path / "new-library.png"))
    assert old_library.count_papers() == 154  # the window was given it: left open for its owner
    recent = gui_libraries.recent_libraries(window.settings)
    assert recent[:2] == [str(created), str(old_library.path)]
    check_every_view(window, qtbot)


def test_new_library_never_replaces_a_file(keep, first, tmp_path, qtbot, monkeypatch, library_b):
    notes = tmp_path / "notes.sqlite"
    notes.write_text("my notes, not a library\n")
    other = tmp_path / "other-app.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE papers (id INTEGER PRIMARY KEY, doi TEXT)")
    before = {p: p.read_bytes() for p in (notes, other)}
    for path, words in ((notes, "not an SQLite database"), (other, "not a Paperdesk library")):
        answer_save(monkeypatch, path)
        trigger(first, "new_library")
        box = first.library_refused_box
        assert box.isVisible() and words in box.text() and box.informativeText() == "library is still open."
        assert first.isVisible() and current_window(keep) is first and first.library.count_papers() == 154
        box.close()
    assert {p: p.read_bytes() for p in (notes, other)} == before
    answer_save(monkeypatch, first.library.path)  # the library open here: nothing happens to it
    trigger(first, "new_library")
    assert current_window(keep) is first and "is the library open here" in first.statusBar().currentMessage()
    # An existing library chosen as "new" is opened as it is, never emptied.
    answer_save(monkeypatch, library_b)
    count = sql(library_b, "SELECT COUNT(*) FROM papers")[0][0]
    trigger(first, "new_library")
    window = current_window(keep)
    assert window.library.path == library_b and window.model.total == count > 0
    assert "opened as it is" in window.statusBar().currentMessage()


def test_open_library_switches_every_view_to_the_new_library(keep, seeded, settings, tmp_path, qtbot, monkeypatch,
                                                             library_b):
    a = MainWindow(Library(seeded.path), settings, owns_library=True)
    keep(a)
    a.show()
    curation.save_search(a.library, "graphs in A", "graph")
    a.show_duplicates()
    qtbot.waitUntil(lambda: a.duplicates.scanned, timeout=20000)
    assert a.duplicates.groups
    old = a.library
    a.daily_backups = True  # as in the app: each library opened gets its daily backup when one is due
    a.setGeometry(QRect(30, 40, 1000, 700))
    answer_open(monkeypatch, library_b)
    trigger(a, "open_library")
    b = current_window(keep)
    assert b.geometry() == QRect(30, 40, 1000, 700)  # in the old window's place, to the pixel
    assert b.library.path == library_b and b.windowTitle() == "thesis-library"
    with pytest.raises(sqlite3.ProgrammingError):  # the old window opened its library, and closed it
        old.conn.execute("SELECT 1")
    assert b.model.total == sql(library_b, "SELECT COUNT(*) FROM visible_papers")[0][0] < 154
    assert "graphs in A" not in [i.text(0) for i in b.sidebar._all_items()]
    assert b.stack.currentWidget() is b.table  # not A's duplicates page
    assert "Opened thesis-library" in b.statusBar().currentMessage()
    b.select_row(0)
    check_every_view(b, qtbot)
    # (a backup being written is listed as "unknown" until it is complete)
    qtbot.waitUntil(lambda: [b.reason for b in backup.list_backups(library_b)] == ["daily"], timeout=20000)


def test_open_ctrl_o_and_a_library_already_open(keep, first, qtbot, monkeypatch):
    answer_open(monkeypatch, first.library.path)
    first.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is first, timeout=3000)
    qtbot.keyClick(first.table, Qt.Key_O, Qt.ControlModifier)
    assert current_window(keep) is first
    assert "is open already" in first.statusBar().currentMessage()


def damaged(tmp_path, seeded):
    path = tmp_path / "damaged.sqlite"
    seeded.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(seeded.path, path)
    data = bytearray(path.read_bytes())
    page = 4096
    for i in range(page * 2, min(len(data), page * 40)):
        data[i] = 0x5A
    path.write_bytes(bytes(data))
    return path


def newer(tmp_path):
    path = tmp_path / "newer.sqlite"
    Library(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA user_version = 999")
    return path


def foreign(tmp_path):
    path = tmp_path / "zotero.sqlite"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE items (itemID INTEGER PRIMARY KEY)")
    return path


def test_a_library_that_cannot_be_opened_leaves_the_current_one_open(keep, first, seeded, tmp_path, qtbot,
                                                                     monkeypatch):
    first.select_row(3)
    shown = first.detail.paper_id
    cases = {
        damaged(tmp_path, seeded): "damaged",
        newer(tmp_path): "newer Paperdesk",
        foreign(tmp_path): "not a Paperdesk library",
        tmp_path / "gone.sqlite": "no library here",
        tmp_path: "folder",
    }
    for path, words in cases.items():
        before = path.read_bytes() if path.is_file() else None
        answer_open(monkeypatch, path)
        trigger(first, "open_library")
        box = first.library_refused_box
        assert box.isVisible() and words in box.text(), box.text()
        assert "\n" not in box.text() and box.text().count(". ") <= 2  # a sentence, not a traceback
        assert box.informativeText() == "library is still open."
        assert current_window(keep) is first and first.library.path == seeded.path
        assert first.detail.paper_id == shown and first.model.total == 154
        assert (path.read_bytes() if path.is_file() else None) == before  # not a byte changed
        assert not (tmp_path / "gone.sqlite").exists()
        box.close()
    first.edit_record(shown, {"title": "Still Working Here"})
    assert sql(seeded, "SELECT title FROM papers WHERE id = ?", shown)[0][0] == "Still Working Here"


def test_a_locked_library_leaves_the_current_one_open(keep, first, seeded, tmp_path, qtbot, monkeypatch):
    monkeypatch.setenv("PAPERDESK_BUSY_TIMEOUT_MS", "300")
    locked = tmp_path / "locked.sqlite"
    Library(locked).close()
    holder = sqlite3.connect(locked, isolation_level=None)  # another program holding it for itself
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    holder.execute("INSERT INTO settings(key, value) VALUES ('theirs', 'x')")
    try:
        answer_open(monkeypatch, locked)
        trigger(first, "open_library")
        box = first.library_refused_box
        assert box.text() == f"{locked}: another program holds the library file locked; try again in a moment"
        assert current_window(keep) is first and first.model.total == 154
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    trigger(first, "open_library")  # once it is free, it opens
    assert current_window(keep).library.path == locked


# --- what belongs to a library comes back with it ------------------------------------------------------------

def test_library_settings_stay_with_their_library(keep, seeded, settings, tmp_path, qtbot, monkeypatch, library_b):
    a = MainWindow(Library(seeded.path), settings, owns_library=True)
    keep(a)
    a.show()
    keys.set_pattern(a.library, "[auth][year]")
    curation.save_search(a.library, "in A", "agent")
    source_a = a.library.sources()[2]["id"]
    a.sidebar.select("source", source_a)
    a.search.setText("learning")
    a._apply_search()
    rows_a = a.model.rowCount()
    answer_open(monkeypatch, library_b)
    trigger(a, "open_library")
    b = current_window(keep)
    assert b.search.text() == "" and b.model.filter.view == "all" and b.model.filter.source_id is None
    assert keys.get_pattern(b.library) == keys.DEFAULT_PATTERN
    b.sidebar.select("review")
    b.search.setText("model")
    b._apply_search()
    curation.save_search(b.library, "in B", "year:2024")
    b.recent_menu.aboutToShow.emit()  # the menu as the librarian opens it
    entry = next(x for x in b.recent_menu.actions() if x.data() == str(seeded.path))
    entry.trigger()
    a2 = current_window(keep)
    assert a2.library.path == seeded.path
    assert a2.search.text() == "learning"
    assert a2.model.filter.view == "source" and a2.model.filter.source_id == source_a
    assert a2.model.rowCount() == rows_a
    saved = [i.text(0) for i in a2.sidebar._all_items()]
    assert any(t.startswith("in A") for t in saved) and not any(t.startswith("in B") for t in saved)
    assert keys.get_pattern(a2.library) == "[auth][year]"
    a2.recent_menu.aboutToShow.emit()
    next(x for x in a2.recent_menu.actions() if x.data() == str(library_b)).trigger()
    b2 = current_window(keep)
    assert b2.search.text() == "model" and b2.model.filter.view == "review"
    # kept in the library file, not in the user's settings
    view = libraries.last_view(b2.library)
    assert {k: view[k] for k in ("kind", "value", "search")} == {"kind": "review", "value": None, "search": "model"}
    assert not any(k.startswith("view/") for k in settings.allKeys())


def test_the_old_per_user_view_moves_into_the_first_library_opened(keep, seeded, settings, qtbot):
    source = seeded.sources()[1]["id"]
    settings.setValue("view/kind", "source")
    settings.setValue("view/value", str(source))
    settings.setValue("view/search", "graph")
    w = MainWindow(seeded, settings)
    keep(w)
    assert w.search.text() == "graph" and w.model.filter.source_id == source
    assert libraries.last_view(seeded) == {"kind": "source", "value": source, "search": "graph", "record": None}
    assert not any(settings.contains(k) for k in ("view/kind", "view/value", "view/search"))


# --- undo stays with its library -----------------------------------------------------------------------------

def test_the_undo_history_never_reaches_another_library(keep, first, seeded, qtbot, monkeypatch, library_b):
    first.select_row(0)
    pid = first.current_id()
    first.edit_record(pid, {"title": "Edited In Library A"})
    assert first.undo_action.isEnabled()
    a_stack = first.undo_stack
    titles_b = sql(library_b, "SELECT id, title FROM papers ORDER BY id")
    answer_open(monkeypatch, library_b)
    trigger(first, "open_library")
    b = current_window(keep)
    assert b.undo_stack.count() == 0 and not b.undo_action.isEnabled()
    b.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is b, timeout=3000)
    b.table.setFocus()
    qtbot.keyClick(b.table, Qt.Key_Z, Qt.ControlModifier)  # the Undo shortcut, in B
    assert sql(library_b, "SELECT id, title FROM papers ORDER BY id") == titles_b
    assert sql(seeded, "SELECT title FROM papers WHERE id = ?", pid)[0][0] == "Edited In Library A"
    qtbot.waitUntil(lambda: not shiboken6.isValid(a_stack), timeout=3000)  # A's step went with A's window
    history = b.show_history(show=False).view
    assert [history.item(i).text() for i in range(history.count())] == ["<library as opened>"]


# --- open recent -----------------------------------------------------------------------------------------------

def test_open_recent_lists_marks_missing_and_clears(keep, first, seeded, tmp_path, qtbot, monkeypatch, library_b):
    gone = tmp_path / "moved-away.sqlite"
    Library(gone).close()
    for path in (gone, library_b):
        answer_open(monkeypatch, path)
        trigger(current_window(keep), "open_library")
    w = current_window(keep)
    assert w.library.path == library_b
    gone.unlink()
    menu = w.recent_menu
    menu.aboutToShow.emit()
    entries = [a for a in menu.actions() if a.data()]
    assert [a.data() for a in entries] == [str(library_b), str(gone), str(seeded.path)]
    assert entries[0].isChecked() and not entries[0].isEnabled()  # the open one
    assert entries[1].objectName() == "recent-missing" and "missing" in entries[1].text()
    assert entries[2].text() == f"&3 library\t{seeded.path.parent}" and entries[2].toolTip() == str(seeded.path)
    entries[1].trigger()  # a missing library: taken off the list, nothing else happens
    assert current_window(keep) is w and not gone.exists()
    assert "no longer there" in w.statusBar().currentMessage()
    menu.aboutToShow.emit()
    assert [a.data() for a in menu.actions() if a.data()] == [str(library_b), str(seeded.path)]
    clear = next(a for a in menu.actions() if a.objectName() == "recent-clear")
    clear.trigger()
    menu.aboutToShow.emit()
    assert [a.data() for a in menu.actions() if a.data()] == [str(library_b)]
    assert not next(a for a in menu.actions() if a.objectName() == "recent-clear").isEnabled()


def test_recent_list_keeps_ten(settings):
    from paperdesk.gui.settings import Settings

    s = Settings(settings)
    for i in range(14):
        gui_libraries.remember_recent(s, f"/nowhere/lib{i}.sqlite")
    gui_libraries.remember_recent(s, "/nowhere/lib5.sqlite")
    recent = gui_libraries.recent_libraries(s)
    assert len(recent) == 10 and recent[0] == "/nowhere/lib5.sqlite" and recent.count("/nowhere/lib5.sqlite") == 1


def test_the_app_starts_on_the_library_used_last(tmp_path, settings, monkeypatch, library_b):
    from paperdesk.gui.app import start_library
    from paperdesk.gui.settings import Settings

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    s = Settings(settings)
    gui_libraries.remember_recent(s, library_b)
    library, message = start_library(None, s)
    assert library.path == library_b and message == f"Library: {library_b}"
    library.close()
    library, _ = start_library(str(tmp_path / "explicit.sqlite"), s)  # --db wins
    assert library.path == tmp_path / "explicit.sqlite"
    library.close()
    library_b.write_bytes(b"garbage, not a library any more" * 10)
    library, message = start_library(None, s)
    assert library.path == tmp_path / "data" / "Paperdesk" / "library.sqlite"
    assert message.startswith("The last library could not be opened, so the default one is open: ")
    library.close()


# --- switching stops the old window's work ---------------------------------------------------------------------

def test_switching_stops_the_old_windows_work(keep, seeded, settings, tmp_path, qtbot, monkeypatch, library_b,
                                              seed_paths):
    a = MainWindow(Library(seeded.path), settings, owns_library=True)
    keep(a)
    a.show()
    bib = tmp_path / "pinned.bib"
    a.pinned.pin(bib)
    qtbot.waitUntil(lambda: a.pinned.writes >= 1, timeout=10000)
    a.select_row(0)
    pid = a.current_id()
    a.edit_record(pid, {"title": "Last Edit Before Switching"})  # its pinned rewrite is still waiting
    a.show_duplicates()  # a scan starts
    dialog = a.import_files(seed_paths)  # and an import is running: held after its first file until cancelled
    dialog.worker.progress.connect(lambda *_: dialog.worker.cancel.wait(20), Qt.DirectConnection)
    asked = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: asked.append(self.text()) or QMessageBox.Ok)
    answer_open(monkeypatch, library_b)
    trigger(a, "open_library")
    b = current_window(keep)
    assert b.library.path == library_b
    assert asked and "An import is still running in library" in asked[0]
    from PySide6.QtCore import QThread

    assert not [t for t in a.findChildren(QThread) if t.isRunning()]
    assert not a.import_dialog.isVisible()  # the old window's dialogs went with it
    assert dialog.cancelled and dialog.worker.cancel.is_set()
    assert a.duplicates.worker is None or not a.duplicates.thread.isRunning()
    assert "Last Edit Before Switching" in bib.read_text(encoding="utf-8")  # the last write was not lost
    assert Library(seeded.path).check(full=False) == []


def test_a_refused_confirmation_keeps_the_library_and_its_import(keep, first, seeded, qtbot, monkeypatch, library_b,
                                                                 seed_paths, tmp_path):
    target = Library(tmp_path / "empty.sqlite")
    w = MainWindow(target, QSettings(str(tmp_path / "w.ini"), QSettings.IniFormat))
    keep(w)
    w.show()
    first.close()
    writer = sqlite3.connect(target.path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another program writing: the import waits its turn, so it is running
    dialog = w.import_files(seed_paths)
    asked = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: asked.append(self.text()) or QMessageBox.Cancel)
    answer_open(monkeypatch, library_b)
    trigger(w, "open_library")
    assert asked == ["An import is still running in empty. Stop it and open thesis-library?"]
    assert current_window(keep) is w and w.library is target and dialog.results is None
    writer.execute("ROLLBACK")
    writer.close()
    qtbot.waitUntil(lambda: dialog.results is not None, timeout=30000)
    assert target.count_papers() == 154  # the import went on to the end


# --- a second window goes beside the first ------------------------------------------------------------------

SCREEN = QRect(0, 0, 2560, 1440)


@pytest.mark.parametrize("other, expected, moved", [
    (QRect(0, 0, 1200, 900), QRect(1200, 0, 1200, 900), None),  # room on the right
    (QRect(1300, 100, 1200, 900), QRect(100, 100, 1200, 900), None),  # room on the left only
    (QRect(700, 0, 1200, 900), QRect(0, 0, 700, 900), None),  # narrowed into the wider strip (left)
    (QRect(600, 0, 1200, 900), QRect(1800, 0, 760, 900), None),  # (right)
    (QRect(0, 0, 2560, 1440), QRect(1280, 0, 1280, 1440), QRect(0, 0, 1280, 1440)),  # full screen: halves
    (QRect(1000, 700, 1200, 900), QRect(0, 540, 1000, 900), None),  # kept on the screen
    (QRect(0, 0, 2400, 1440), QRect(1280, 0, 1280, 1440), QRect(0, 0, 1280, 1440)),  # strip too narrow
])
def test_place_beside(other, expected, moved):
    new, other_moves = place_beside(QSize(1200, 900), other, SCREEN, QSize(300, 300))
    assert (new, other_moves) == (expected, moved)
    assert not new.intersects(other) or other_moves is not None
    assert SCREEN.contains(new)


def test_a_third_window_finds_a_free_place_or_cascades_never_on_top_of_another():
    minimum = QSize(300, 300)
    left, right = QRect(0, 0, 1200, 900), QRect(1200, 0, 1200, 900)
    # room below the two: the third goes where it covers neither
    new, which, moved = place_among(QSize(1200, 500), [right, left], SCREEN, minimum)
    assert new == QRect(1200, 900, 1200, 500)  # below the newest
    assert moved is None and which is None and SCREEN.contains(new)
    assert not new.intersects(left) and not new.intersects(right)
    # no free place at all: a cascade from the newest, on the screen, not exactly on top of it
    full_left, full_right = QRect(0, 0, 1280, 1440), QRect(1280, 0, 1280, 1440)
    new, which, moved = place_among(QSize(1200, 900), [full_right, full_left], SCREEN, minimum)
    assert moved is None and SCREEN.contains(new)
    assert new.topLeft() == full_right.topLeft() + QPoint(32, 32) and new.topLeft() != full_left.topLeft()
    # one other window: today's rule (beside it; halves when it fills the screen)
    assert place_among(QSize(1200, 900), [QRect(0, 0, 2560, 1440)], SCREEN, minimum) == (
        QRect(1280, 0, 1280, 1440), 0, QRect(0, 0, 1280, 1440))


def test_new_window_opens_beside_this_one_on_the_same_library(keep, first, qtbot, monkeypatch):
    monkeypatch.setattr(gui_libraries, "available_geometry", lambda window, point: SCREEN)
    first.move(40, 40)
    first.resize(1000, 700)
    first._note_place()  # what the window records once it rests
    trigger(first, "new_window")
    second = next(w for w in gui_libraries.live_windows() if w is not first and w.library.path == first.library.path)
    keep(second)
    assert second.library.path == first.library.path and second.library is not first.library
    assert second.isVisible() and second.windowTitle() == first.windowTitle()
    assert not second.frameGeometry().intersects(first.frameGeometry())
    assert second.frameGeometry().left() == first.frameGeometry().right() + 1
    second_library = second.library
    assert "Ctrl+W" in [k.toString() for k in second.actions_by_name["close_window"].shortcuts()]
    trigger(second, "close_window")  # File › Close window: this one only
    assert not second.isVisible()
    assert first.isVisible() and first.library.count_papers() == 154
    third = first.new_window()
    keep(third)
    trigger(third, "quit_app")  # File › Quit closes every window, not only the one it was chosen in
    assert not third.isVisible() and not first.isVisible()
    with pytest.raises(sqlite3.ProgrammingError):  # a window that opened its library closed it
        second_library.conn.execute("SELECT 1")


HOLDER = textwrap.dedent("""
    import sys, time
    from PySide6.QtCore import QLockFile
    lock = QLockFile(sys.argv[1])
    lock.setStaleLockTime(0)
    assert lock.tryLock(0)
    print("locked", flush=True)
    time.sleep(60)
""")


def test_a_second_instance_opens_beside_the_first(keep, seeded, settings, tmp_path, qtbot, monkeypatch):
    """Another process's window (its registry entry, with the lock it holds) is avoided; a window of a process
    that died (its lock stale) is not."""
    monkeypatch.setattr(gui_libraries, "available_geometry", lambda window, point: SCREEN)
    folder = Path(settings.fileName()).parent / "windows"
    folder.mkdir()
    (folder / "dead.json").write_text('{"library": "%s", "pid": 999999, "rect": [1200, 0, 1000, 800]}'
                                      % seeded.path)
    crashed = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder / "dead.lock")], stdout=subprocess.PIPE,
                               text=True)
    assert crashed.stdout.readline().strip() == "locked"
    crashed.kill()  # dies holding its lock, as a crashed Paperdesk would
    crashed.wait()
    assert (folder / "dead.lock").exists()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(folder / "alive.lock")], stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        (folder / "alive.json").write_text('{"library": "%s", "pid": %d, "rect": [0, 0, 1000, 800]}'
                                           % (seeded.path, holder.pid))
        w = MainWindow(Library(seeded.path), settings, owns_library=True)
        keep(w)
        w.resize(900, 700)
        assert w.place_beside_others()
        assert w.frameGeometry().left() == 1000 and w.pos().y() == 0
        assert not (folder / "dead.json").exists()  # cleared on the way
        w.show()
        qtbot.waitUntil(lambda: (folder / f"{w.window_id}.json").exists(), timeout=3000)
        w.close()
        assert not (folder / f"{w.window_id}.json").exists()
    finally:
        holder.kill()
        holder.wait()


def test_onto_screen_keeps_every_edge_on_the_screen():
    from paperdesk.gui.libraries import onto_screen

    small = QRect(0, 0, 1024, 768)
    assert onto_screen(QRect(800, 0, 1500, 860), small) == QRect(0, 0, 1024, 768)  # larger: shrunk to it
    assert onto_screen(QRect(800, 100, 600, 500), small) == QRect(424, 100, 600, 500)  # past the right edge
    assert onto_screen(QRect(-300, -50, 600, 500), small) == QRect(0, 0, 600, 500)
    assert onto_screen(QRect(5000, 5000, 600, 500), small) == QRect(424, 268, 600, 500)  # a screen gone
    assert onto_screen(QRect(10, 10, 600, 500), small) == QRect(10, 10, 600, 500)  # already on it: unchanged


def test_a_second_instance_beside_a_full_screen_window_shares_the_screen_half_and_half(
        keep, seeded, settings, tmp_path, qtbot, monkeypatch):
    """The trial's case (a second `paperdesk` beside a first that fills the screen): the new window takes one
    half, and the first window (another process) is asked to take the other half, and does."""
    monkeypatch.setattr(gui_libraries, "available_geometry", lambda window, point: SCREEN)
    a = MainWindow(Library(seeded.path), settings, owns_library=True)
    keep(a)
    a.move(0, 0)
    a.resize(SCREEN.size())
    a.show()
    a.move_into(SCREEN)  # the whole screen, frame included (known once shown)
    assert a.frameGeometry() == SCREEN
    qtbot.waitUntil(lambda: (Path(settings.fileName()).parent / "windows" / f"{a.window_id}.json").exists(),
                    timeout=3000)
    # The new window's process does not know ``a`` as one of its own windows: it writes a request for it.
    monkeypatch.setattr(gui_libraries, "OPEN_WINDOWS", [])
    b = MainWindow(Library(seeded.path), settings, owns_library=True)
    keep(b)
    assert b.place_beside_others()
    b.show()
    half = SCREEN.width() // 2
    left, right = QRect(0, 0, half, SCREEN.height()), QRect(half, 0, half, SCREEN.height())
    assert b.frameGeometry() in (left, right)
    other_half = left if b.frameGeometry() == right else right
    qtbot.waitUntil(lambda: a.frameGeometry() == other_half, timeout=5000)
    assert not a.frameGeometry().intersects(b.frameGeometry())
    assert not list((Path(settings.fileName()).parent / "windows").glob("*.move"))  # the request was taken


def test_a_window_whose_minimum_is_wider_than_its_half_stays_wholly_on_a_small_screen(
        keep, first, seeded, settings, qtbot, monkeypatch):
    small = QRect(0, 0, 1000, 700)  # each half (500) is narrower than the window's minimum (about 700)
    monkeypatch.setattr(gui_libraries, "available_geometry", lambda window, point: small)
    first.move(0, 0)
    first.resize(small.size())
    first._note_place()
    second = first.new_window()
    keep(second)
    minimum = second.minimumSizeHint().expandedTo(second.minimumSize())
    assert minimum.width() > small.width() // 2
    for w in (first, second):
        assert small.contains(w.frameGeometry()), w.frameGeometry()  # never reaching past the screen's edge
        assert w.width() >= minimum.width()
    edges = sorted((w.frameGeometry().left(), w.frameGeometry().right()) for w in (first, second))
    assert edges[0][0] == small.left() and edges[1][1] == small.right()  # one at each edge, overlapping in the middle


def test_a_remembered_place_off_the_screen_is_brought_back_onto_it(keep, seeded, settings, qtbot):
    from paperdesk.gui.settings import Settings, save_window

    w = MainWindow(seeded, settings)
    keep(w)
    w.show()
    screen = QApplication.primaryScreen().availableGeometry()
    w.resize(screen.width() * 3 // 4, screen.height() * 3 // 4)
    w.move(screen.right() - 200, screen.top() + 40)  # a monitor to the right, since unplugged: mostly off
    assert not screen.contains(w.frameGeometry())
    save_window(w, Settings(settings))
    w.close()
    again = MainWindow(seeded, settings)
    keep(again)
    again.show()
    assert screen.contains(again.frameGeometry()), (again.frameGeometry(), screen)


# --- the command line ----------------------------------------------------------------------------------------

def test_cli_new_creates_an_empty_library_and_refuses_to_replace(tmp_path, capsys):
    from paperdesk.cli import main

    assert main(["new", str(tmp_path / "group-reading")]) == 0
    created = tmp_path / "group-reading.sqlite"
    assert f"New empty library: {created}" in capsys.readouterr().out
    with Library(created, create=False) as lib:
        assert lib.count_papers() == 0
    assert main(["new", str(created)]) == 1
    assert "is a Paperdesk library already" in capsys.readouterr().err
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me")
    assert main(["new", str(notes)]) == 1
    assert "not a Paperdesk library" in capsys.readouterr().err and notes.read_text() == "keep me"
    assert main(["new", str(tmp_path / "no-such-folder" / "x.sqlite")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_switching_mid_bulk_change_asks_and_rolls_it_back(keep, first, seeded, qtbot, monkeypatch, library_b,
                                                          held):
    from paperdesk.gui import operations

    monkeypatch.setattr(operations, "BULK_RECORDS", 1)
    chosen = _select_rows(first, 10)
    first.table.setFocus()
    qtbot.keyClick(first.table, Qt.Key_Delete)  # ten records to the Trash, in a worker, held mid-way
    qtbot.waitUntil(lambda: first.bulk_progress.bar.maximum() == 10, timeout=5000)
    asked = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: asked.append(self.text()) or QMessageBox.Ok)
    answer_open(monkeypatch, library_b)
    trigger(first, "open_library")
    assert asked == ["“Move 10 records to the Trash” is still running in library. Stop it and open thesis-library?"]
    b = current_window(keep)
    assert b.library.path == library_b
    with sqlite3.connect(seeded.path) as conn:  # what is committed: nothing of the half-done change
        assert conn.execute("SELECT COUNT(*) FROM papers WHERE trashed_at IS NOT NULL").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM visible_papers").fetchone()[0] == 154
    assert len(chosen) == 10
    check_every_view(b, qtbot)


def test_dropping_a_library_file_on_the_window_opens_it(keep, first, qtbot, library_b, seed_paths):
    from PySide6.QtCore import QMimeData, QPoint, QUrl
    from PySide6.QtGui import QDropEvent

    def drop(paths):
        data = QMimeData()
        data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
        event = QDropEvent(QPoint(10, 10), Qt.CopyAction, data, Qt.LeftButton, Qt.NoModifier)
        first.dropEvent(event)

    drop([library_b])
    qtbot.waitUntil(lambda: not first.isVisible(), timeout=5000)
    b = current_window(keep)
    assert b.library.path == library_b and first.import_dialog is None  # opened, not imported


def test_preferences_say_they_belong_to_the_library(keep, first, qtbot):
    from PySide6.QtWidgets import QLabel

    dialog = first.open_preferences(show=False)
    scope = dialog.findChild(QLabel, "preferences-scope")
    assert "<b>library</b>" in scope.text() and scope.toolTip() == str(first.library.path)
