"""The workspace driven as a librarian would, offscreen, every step checked against the SQLite file."""

from __future__ import annotations

import json
import sqlite3

import pytest
from PySide6.QtCore import QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QApplication

from paperdesk.core import curation, query
from paperdesk.core.library import Library
from paperdesk.gui.dialogs.tag_picker import TagPicker
from paperdesk.gui.main_window import MainWindow
from paperdesk.gui.records_model import RecordsModel

from conftest import SEED_CAPTURED


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat)


@pytest.fixture
def window(seeded, settings, qtbot):
    w = MainWindow(seeded, settings)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def db_value(library, sql, *params):
    """Read through a separate connection: what is on disk, not what the window's connection holds."""
    conn = sqlite3.connect(library.path)
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def titles_shown(w):
    return [w.model.index(r, 0).data() for r in range(w.model.rowCount())]


def test_records_model_obeys_qt_model_rules(seeded, qtmodeltester):
    qtmodeltester.check(RecordsModel(seeded), force_py=True)


def test_import_the_seeds_through_the_dialog(tmp_path, settings, qtbot, seed_paths):
    library = Library(tmp_path / "fresh.sqlite")
    w = MainWindow(library, settings)
    qtbot.addWidget(w)
    assert w.model.rowCount() == 0
    dialog = w.import_files(seed_paths, SEED_CAPTURED)
    with qtbot.waitSignal(dialog.done_importing, timeout=30000) as done:
        pass
    results = done.args[0]
    assert [r["added"] for r in results] == [22, 22, 36, 24, 50]
    assert "5 files read: 154 records added from 5" in dialog.status.text()
    assert "000_5a68bbb2f97f349e.txt: 22 records added" in dialog.report.toPlainText()
    assert w.model.rowCount() == 154 and w.count_label.text() == "154 of 154 records"
    assert db_value(library, "SELECT COUNT(*) FROM papers") == 154
    dialog.grab().save(str(tmp_path / "import-report.png"))
    # the sidebar now lists the sources and selects what was just imported
    assert w.sidebar.current_entry()[0] == "recent"
    assert any("Hao Gu — profile  (22)" in i.text(0) for i in w.sidebar._all_items())


def test_cancel_during_import_keeps_the_library_as_before(tmp_path, settings, qtbot, seed_paths, monkeypatch):
    """Cancel clicked once the first file is in: the others are not imported, the library holds that one file.
    The worker waits after its first file until Cancel is clicked (on a loaded machine it could otherwise import
    every file before the test gets to the button)."""
    import threading

    first_in = threading.Event()
    real = Library.import_parsed

    def first_then_wait(self, parsed, *args, cancel=None, **kwargs):
        result = real(self, parsed, *args, cancel=cancel, **kwargs)
        if not first_in.is_set():
            first_in.set()
            assert cancel is not None and cancel.wait(60), "Cancel was never clicked"
        return result

    monkeypatch.setattr(Library, "import_parsed", first_then_wait)
    library = Library(tmp_path / "fresh.sqlite")
    w = MainWindow(library, settings)
    qtbot.addWidget(w)
    dialog = w.import_files(seed_paths, SEED_CAPTURED)
    qtbot.waitUntil(first_in.is_set, timeout=60000)
    with qtbot.waitSignal(dialog.done_importing, timeout=60000):
        qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)
    assert db_value(library, "SELECT COUNT(*) FROM sources") == 1
    assert db_value(library, "SELECT COUNT(*) FROM papers") == db_value(library, "SELECT SUM(record_count) FROM sources")
    assert "Cancelled: 4 files not imported, the library is as before them." in dialog.status.text()


def test_search_is_debounced_and_full_text(window, qtbot):
    qtbot.keyClicks(window.search, "deepfm")
    assert window.model.rowCount() == 154  # not yet: the search waits for typing to pause
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=3000)
    assert window.count_label.text().endswith("3 of 154 records")
    window.search.setText('author:"Fajie Yuan" year:2021..2023')
    qtbot.waitUntil(lambda: window.model.rowCount() == 6, timeout=3000)
    expected = db_value(window.library, "SELECT COUNT(*) FROM papers WHERE authors LIKE '%Fajie Yuan%'"
                                        " AND year BETWEEN 2021 AND 2023")
    assert window.model.rowCount() == expected


def test_sort_by_clicking_headers(window, qtbot):
    year_column = query.COLUMN_KEYS.index("year")
    window.table.sortByColumn(year_column, Qt.DescendingOrder)
    years = [window.model.index(r, year_column).data() for r in range(window.model.rowCount())]
    assert years == sorted(years, reverse=True) and years[0] == 2026
    window.table.sortByColumn(0, Qt.AscendingOrder)
    shown = titles_shown(window)
    assert shown == [r[0] for r in window.library.conn.execute(
        "SELECT title FROM papers ORDER BY title COLLATE NOCASE, id")]


def select_rows(w, rows):
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    selection = QItemSelection()
    for r in rows:
        selection.select(w.model.index(r, 0), w.model.index(r, w.model.columnCount() - 1))
    w.table.selectionModel().select(selection, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)


def pick_tag(qtbot, name):
    """Answer the tag picker (opened by T) by typing a name and Enter."""
    def answer():
        picker = next(d for d in QApplication.topLevelWidgets() if isinstance(d, TagPicker) and d.isVisible())
        qtbot.keyClicks(picker.edit, name)
        picker.accept()
    QTimer.singleShot(50, answer)


def test_tag_a_multi_selection_with_t_then_filter_by_the_tag_and_undo(window, qtbot):
    select_rows(window, [0, 1, 2, 5])
    ids = window.selected_ids()
    assert len(ids) == 4 and window.count_label.text().startswith("4 selected")
    window.table.setFocus()
    pick_tag(qtbot, "to-read")
    qtbot.keyClick(window.table, Qt.Key_T)
    tag_id = db_value(window.library, "SELECT id FROM tags WHERE name = 'to-read'")
    assert db_value(window.library, "SELECT COUNT(*) FROM paper_tags WHERE tag_id = ?", tag_id) == 4
    tag_item = window.sidebar.tag_items[tag_id]
    assert tag_item.text(0) == "to-read  (4)"
    tags_column = query.COLUMN_KEYS.index("tags")
    assert window.model.index(window.model.row_of(ids[0]), tags_column).data() == "to-read"
    # click the tag in the sidebar: the table shows exactly those records
    window.sidebar.tree.setCurrentItem(tag_item)
    assert sorted(window.model.ids) == sorted(ids)
    # one Ctrl+Z removes the tag from all four and the new tag itself (one step for the librarian)
    window.undo_action.trigger()
    assert db_value(window.library, "SELECT COUNT(*) FROM tags") == 0
    assert db_value(window.library, "SELECT COUNT(*) FROM paper_tags") == 0
    window.redo_action.trigger()
    assert db_value(window.library, "SELECT COUNT(*) FROM paper_tags WHERE tag_id = ?", tag_id) == 4
    assert window.sidebar.tag_items[tag_id].text(0) == "to-read  (4)"


def test_tags_all_of_and_any_of(window, qtbot):
    a = curation.create_tag(window.library, "a")
    b = curation.create_tag(window.library, "b")
    curation.add_tag(window.library, [1, 2, 3], a)
    curation.add_tag(window.library, [3, 4], b)
    window.sidebar.rebuild()
    window.sidebar.tree.clearSelection()
    window.sidebar.tag_items[a].setSelected(True)
    window.sidebar.tag_items[b].setSelected(True)
    assert sorted(window.model.ids) == [3]
    window.sidebar.tag_mode.setCurrentIndex(1)
    assert sorted(window.model.ids) == [1, 2, 3, 4]


def test_drag_records_onto_a_tag(window, qtbot):
    tag = curation.create_tag(window.library, "dragged")
    window.sidebar.rebuild()
    item = window.sidebar.tag_items[tag]
    tree = window.sidebar.tree
    rect = tree.visualItemRect(item)
    mime = window.model.mimeData([window.model.index(0, 0), window.model.index(1, 0)])
    event = QDropEvent(QPointF(rect.center()), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier)
    tree.dropEvent(event)
    assert db_value(window.library, "SELECT COUNT(*) FROM paper_tags WHERE tag_id = ?", tag) == 2
    assert window.sidebar.tag_items[tag].text(0) == "dragged  (2)"


def test_edit_a_field_undo_and_redo(window, qtbot):
    window.select_row(0)
    pid = window.current_id()
    old_title = db_value(window.library, "SELECT title FROM papers WHERE id = ?", pid)
    window.detail.title.setFocus()
    window.detail.title.selectAll()
    qtbot.keyClicks(window.detail.title, "A Better Title")
    window.detail.date.setFocus()  # leaving the field saves it
    assert db_value(window.library, "SELECT title FROM papers WHERE id = ?", pid) == "A Better Title"
    event = json.loads(db_value(window.library, "SELECT details FROM events WHERE kind = 'edit' ORDER BY id DESC"))
    assert event["changes"]["title"] == [old_title, "A Better Title"]
    assert window.model.index(window.model.row_of(pid), 0).data() == "A Better Title"
    qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    assert db_value(window.library, "SELECT title FROM papers WHERE id = ?", pid) == old_title
    assert window.detail.title.toPlainText() == old_title
    qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert db_value(window.library, "SELECT title FROM papers WHERE id = ?", pid) == "A Better Title"
    assert [e[0] for e in window.library.conn.execute(
        "SELECT kind FROM events WHERE paper_id = ? ORDER BY id", (pid,))] == ["edit", "undo", "redo"]


def test_invalid_edits_are_refused_with_the_reason(window, qtbot):
    window.select_row(0)
    pid = window.current_id()
    before = db_value(window.library, "SELECT date FROM papers WHERE id = ?", pid)
    window.detail.date.setText("2024-13-45")
    window.detail.date.editingFinished.emit()
    assert "is not a date" in window.detail.error.text() and window.detail.error.isVisible()
    assert db_value(window.library, "SELECT date FROM papers WHERE id = ?", pid) == before
    assert window.undo_stack.count() == 0


def test_resolve_a_needs_review_record(tmp_path, settings, qtbot, write_dump):
    library = Library(tmp_path / "review.sqlite")
    text = ("LGMay 28\nReasoning Traces with DeepSeekChen Wei, Hao Sun et al.\nAn abstract on reasoning.\n"
            "CLMay 27\nScaling Laws for Graph TransformersMing Li\nAn abstract about scaling.\n")
    library.import_file(write_dump(text, "r.txt"))
    w = MainWindow(library, settings)
    qtbot.addWidget(w)
    w.show()
    flagged = db_value(library, "SELECT COUNT(*) FROM papers WHERE needs_review = 1")
    assert flagged == 1
    w.show_review()
    assert "1 record left" in w.review.counter.text()
    assert "DeepSeekChen Wei" in w.review.raw.toPlainText()
    deepseek = next(i for i, r in enumerate(w.review.readings) if r["title"].endswith("DeepSeek"))
    qtbot.keyClick(w.review, Qt.Key_1 + deepseek)
    assert db_value(library, "SELECT COUNT(*) FROM papers WHERE needs_review = 1") == 0
    assert db_value(library, "SELECT title FROM papers WHERE title LIKE 'Reasoning%'") == "Reasoning Traces with DeepSeek"
    assert db_value(library, "SELECT first_author FROM papers WHERE title LIKE 'Reasoning%'") == "Chen Wei"
    assert w.review.counter.text() == "Nothing needs review."
    w.undo_action.trigger()
    assert db_value(library, "SELECT COUNT(*) FROM papers WHERE needs_review = 1") == 1


def test_split_by_hand_at_the_cursor(tmp_path, settings, qtbot, write_dump):
    library = Library(tmp_path / "review.sqlite")
    library.import_file(write_dump("LGMay 28\nReasoning Traces with DeepSeekChen Wei, Hao Sun et al.\nAbstract.\n"))
    w = MainWindow(library, settings)
    qtbot.addWidget(w)
    w.show_review()
    line = w.review.line.text()
    w.review.line.setCursorPosition(line.index("Chen"))
    w.review.split_at_cursor()
    assert db_value(library, "SELECT title FROM papers") == "Reasoning Traces with DeepSeek"
    assert db_value(library, "SELECT authors FROM papers") == "Chen Wei, Hao Sun"


def test_layout_and_last_view_are_remembered(seeded, settings, qtbot):
    w = MainWindow(seeded, settings)
    qtbot.addWidget(w)
    w.show()
    w.resize(781, 533)  # the offscreen screen is 800x600
    year_column = query.COLUMN_KEYS.index("year")
    w.table.setColumnWidth(year_column, 77)  # the title column stretches over the rest: the others keep widths
    w.table.sortByColumn(year_column, Qt.DescendingOrder)
    w.search.setText("recommendation")
    w._apply_search()
    w.sidebar.select("source", seeded.sources()[1]["id"])
    w.close()
    again = MainWindow(seeded, settings)
    qtbot.addWidget(again)
    again.show()
    assert again.size().width() == 781
    assert again.table.columnWidth(year_column) == 77
    assert again.model.filter.sort == "date" and again.model.filter.descending  # year sorts by date
    assert again.search.text() == "recommendation"
    assert again.model.filter.view == "source" and again.model.filter.source_id == seeded.sources()[1]["id"]


def test_a_second_window_on_the_same_library_sees_changes_after_refresh(seeded, settings, qtbot, tmp_path):
    other = Library(seeded.path)
    first, second = MainWindow(seeded, settings), MainWindow(other, QSettings(str(tmp_path / "b.ini"),
                                                                               QSettings.IniFormat))
    qtbot.addWidget(first)
    qtbot.addWidget(second)
    first.select_row(0)
    pid = first.current_id()
    first.edit_record(pid, {"title": "Changed In The First Window"})
    second._check_outside_changes()  # the 2-second poll, without the wait
    assert second.model.index(second.model.row_of(pid), 0).data() == "Changed In The First Window"
    second.edit_record(pid, {"has_code": True})
    assert db_value(seeded, "SELECT title FROM papers WHERE id = ?", pid) == "Changed In The First Window"


def test_snapshot_command_writes_each_view_and_leaves_no_copy_behind(seeded, tmp_path, monkeypatch):
    import tempfile

    from paperdesk.gui.snapshot import snapshot

    scratch = tmp_path / "scratch"  # the snapshot's copy of the library goes here, and must go away
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    for view in ("main", "review", "tags"):
        out = snapshot(tmp_path / f"{view}.png", str(seeded.path), view)
        assert out.stat().st_size > 5000
        assert list(scratch.iterdir()) == []


def test_dropping_dump_files_on_the_window_imports_them(tmp_path, settings, qtbot, seed_paths):
    from PySide6.QtCore import QMimeData, QUrl

    library = Library(tmp_path / "drop.sqlite")
    w = MainWindow(library, settings)
    qtbot.addWidget(w)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in seed_paths[:2]])
    w.dropEvent(QDropEvent(QPointF(10, 10), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    assert w.capture_question.isVisible()  # when were they captured? the files' own dates, as offered
    w.capture_question.accept()
    with qtbot.waitSignal(w.import_dialog.done_importing, timeout=30000):
        pass
    assert db_value(library, "SELECT COUNT(*) FROM papers") == 44


def test_history_lists_every_step_of_the_session(window, qtbot):
    window.select_row(0)
    pid = window.current_id()
    window.edit_record(pid, {"title": "First Change"})
    window.edit_record(pid, {"title": "Second Change"})
    assert [window.undo_stack.text(i) for i in range(window.undo_stack.count())] == [
        f"Edit title of record {pid}", f"Edit title of record {pid}"]
    window.undo_stack.setIndex(0)  # what clicking the first line of Edit > History does
    assert db_value(window.library, "SELECT title FROM papers WHERE id = ?", pid) not in ("First Change",
                                                                                          "Second Change")


def test_one_letter_is_searched_as_typed(window, qtbot):
    """No minimum length: a one-letter prefix is searched as typed (its first screen comes first at any size,
    tests/test_search_first_screen.py), then narrowed by the next letter."""
    qtbot.keyClicks(window.search, "g")
    qtbot.waitUntil(lambda: window.model.filter.search == "g" and window.model.complete, timeout=5000)
    expected = db_value(window.library, "SELECT COUNT(*) FROM papers WHERE merged_into IS NULL AND trashed_at IS NULL"
                                        " AND id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH 'g*')")
    assert 0 < window.model.rowCount() == expected
    qtbot.keyClicks(window.search, "ra")
    qtbot.waitUntil(lambda: window.model.filter.search == "gra" and window.model.complete, timeout=5000)
    assert 0 < window.model.rowCount() <= expected
