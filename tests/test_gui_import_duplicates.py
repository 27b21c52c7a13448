"""After File › Import, the new records are scanned against the library in the background (not the whole library
again); their groups join the Duplicates queue and the sidebar count, and the import's report says how many there
are. Removing the import takes its groups away, Ctrl+Z brings them back, Ctrl+Shift+Z takes them away again; each
time the queue is checked against SQLite and a scan of its own."""

from __future__ import annotations


import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from paperdesk.core import dupqueue, merging
from conftest import disk


def shape(groups):
    return sorted((g.confidence, tuple(g.records)) for g in groups)


@pytest.fixture
def scans(monkeypatch):
    """Which scans the window's workers ran (not the test's own, on the main thread): full scans, and the records
    each incremental scan was given."""
    import threading

    ran = {"full": 0, "new": []}
    full, new = merging.scan_pairs, merging.scan_new_pairs

    def counted_full(*args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            ran["full"] += 1
        return full(*args, **kwargs)

    def counted_new(library, ids, *args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            ran["new"].append(sorted(ids))
        return new(library, ids, *args, **kwargs)

    monkeypatch.setattr(merging, "scan_pairs", counted_full)
    monkeypatch.setattr(merging, "scan_new_pairs", counted_new)
    return ran


def import_through_the_menu(window, qtbot, path, monkeypatch, shortcut=False):
    """File › Import dumps… (or Ctrl+I), the capture-date question answered, then the import and the scan of its
    new records awaited. Returns the import dialog."""
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(path)], "")))
    action = window.actions_by_name["import_dialog_open"]
    if shortcut:
        assert action.shortcut().toString() == "Ctrl+I"
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=5000)
        qtbot.keyClick(window, Qt.Key_I, Qt.ControlModifier)
    else:
        action.trigger()
    window.capture_question.accept()
    qtbot.waitUntil(lambda: window.import_dialog is not None and window.import_dialog.results is not None,
                    timeout=30000)
    dialog = window.import_dialog
    qtbot.waitUntil(lambda: not dialog.duplicates_line.text().startswith("Looking"), timeout=30000)
    qtbot.waitUntil(lambda: window.duplicates.worker is None, timeout=30000)
    return dialog


def new_records(library):
    return [r[0] for r in disk(library, "SELECT id FROM papers WHERE id > 154 AND merged_into IS NULL"
                                        " AND trashed_at IS NULL ORDER BY id")]


def sidebar_count(window):
    return next(i.text(0) for i in window.sidebar._all_items() if i.text(0).startswith("Duplicates"))


def test_an_import_adds_its_new_records_groups_to_the_last_full_scan_and_undo_follows(
        window, qtbot, duplicating_dump, monkeypatch, scans):
    window.actions_by_name["show_duplicates"].trigger()  # Ctrl+D: a full scan, as today
    qtbot.waitUntil(lambda: window.duplicates.worker is None and bool(window.duplicates.groups), timeout=30000)
    page = window.duplicates
    before = list(page.groups)
    assert scans["full"] == 1 and len(before) == 8
    path, copied = duplicating_dump(window.library)

    dialog = import_through_the_menu(window, qtbot, path, monkeypatch)
    new = new_records(window.library)
    assert len(new) == 4 and dialog.new_records == new
    assert scans == {"full": 1, "new": [new]}  # the new records against the library, not a full scan again
    mine = merging.scan_new(window.library, new)
    assert shape(page.groups) == shape(dupqueue.combine(before, mine)) == shape(merging.scan(window.library))
    for original, copy in zip(copied, new):  # each copy with the record it copies, as SQLite holds them
        assert any({original, copy} <= set(g.records) for g in page.groups)
    assert sidebar_count(window) == f"Duplicates  ({len(page.groups)})"
    marked = [page.list.text(i).startswith("NEW") for i in range(page.list.count())]
    assert marked == [bool(set(g.records) & set(new)) for g in page.groups] and sum(marked) == 3
    assert dialog.duplicates_line.text() == (dupqueue.summary(mine, new) +
                                             " The Duplicates view (Ctrl+D) lists them.")
    assert dialog.duplicates_line.text().startswith("Possible duplicates: 3 of the 4 new records, in 3 candidate")
    assert "3 with new records" in page.title.text()

    # Removing the import (one undoable step) takes its records and their groups away …
    source = disk(window.library, "SELECT id FROM sources WHERE file_name = ?", path.name)[0][0]
    assert window.remove_import(source, confirm=False)
    assert new_records(window.library) == []
    assert shape(page.groups) == shape(before) == shape(merging.scan(window.library))
    assert sidebar_count(window) == "Duplicates  (8)"
    # … Ctrl+Z brings the records back, and their groups with a scan of those records alone …
    window.undo_action.trigger()
    assert new_records(window.library) == new
    qtbot.waitUntil(lambda: page.worker is None and page.covers(new) and len(page.groups) > 8, timeout=30000)
    assert scans == {"full": 1, "new": [new, new]}
    assert shape(page.groups) == shape(merging.scan(window.library))
    assert sidebar_count(window) == f"Duplicates  ({len(page.groups)})"
    # … and Ctrl+Shift+Z takes them away again
    window.redo_action.trigger()
    assert new_records(window.library) == []
    assert shape(page.groups) == shape(before)
    assert sidebar_count(window) == "Duplicates  (8)"


def test_before_any_full_scan_the_queue_holds_the_new_records_groups_and_not_duplicates_holds(
        window, qtbot, duplicating_dump, monkeypatch, scans):
    page = window.duplicates
    path, copied = duplicating_dump(window.library)
    dialog = import_through_the_menu(window, qtbot, path, monkeypatch, shortcut=True)  # Ctrl+I
    qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)  # "Close": back to the window
    assert not dialog.isVisible()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=5000)
    new = new_records(window.library)
    assert scans == {"full": 0, "new": [new]}
    assert shape(page.groups) == shape(merging.scan_new(window.library, new))
    assert sidebar_count(window) == "Duplicates  (3)"
    # the scan finished behind the table: the detail pane still shows the record selected in the table
    assert window.stack.currentWidget() is window.table
    assert window.detail.paper_id == window.current_id() and window.current_id() in new
    # Ctrl+D opens the queue on those groups without scanning the whole library, and says so
    qtbot.keyClick(window, Qt.Key_D, Qt.ControlModifier)
    assert window.stack.currentWidget() is page
    assert window.detail.paper_id == page.current_group().records[0]
    assert page.worker is None and scans["full"] == 0
    assert "only the new records were scanned" in page.title.text()
    # N: not duplicates, for good: not back after the import is removed and put back
    row = next(i for i, g in enumerate(page.groups) if set(g.records) == {copied[1], new[1]})
    page.list.setCurrentRow(row)
    qtbot.keyClick(page.list, Qt.Key_N)
    assert disk(window.library, "SELECT a, b FROM decisions WHERE decision = 'distinct'") == [(copied[1], new[1])]
    assert len(page.groups) == 2
    source = disk(window.library, "SELECT id FROM sources WHERE file_name = ?", path.name)[0][0]
    assert window.remove_import(source, confirm=False) and page.groups == []
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: page.worker is None and page.covers(new) and len(page.groups) == 2, timeout=30000)
    assert not any({copied[1], new[1]} <= set(g.records) for g in page.groups)
    assert shape(page.groups) == shape(merging.scan_new(window.library, new))
    assert sidebar_count(window) == "Duplicates  (2)"


def test_stop_looking_for_duplicates_keeps_the_import(window, qtbot, duplicating_dump, monkeypatch):
    """The scan is stopped from the import's report; the import stays, the queue says the scan was cancelled."""
    import threading

    started = threading.Event()
    real = merging.scan_new_pairs

    def held(library, ids, preset="balanced", progress=None, cancel=None, stats=None):
        started.set()
        progress("Reading titles", 0, 1)
        assert cancel.wait(20)  # held until Stop is pressed
        return real(library, ids, preset, progress=progress, cancel=cancel, stats=stats)

    monkeypatch.setattr(merging, "scan_new_pairs", held)
    path, _ = duplicating_dump(window.library)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(path)], "")))
    window.actions_by_name["import_dialog_open"].trigger()
    window.capture_question.accept()
    qtbot.waitUntil(lambda: window.import_dialog is not None and window.import_dialog.stop_scan.isVisible(),
                    timeout=30000)
    dialog = window.import_dialog
    qtbot.waitUntil(started.is_set, timeout=20000)
    assert dialog.duplicates_line.text().startswith("Looking for duplicates of the 4 new")
    qtbot.mouseClick(dialog.stop_scan, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.duplicates.worker is None, timeout=30000)
    assert dialog.duplicates_line.text().startswith("Stopped looking for duplicates")
    assert not dialog.stop_scan.isVisible()
    assert len(new_records(window.library)) == 4
    assert "cancelled" in window.duplicates.title.text()
    assert window.duplicates.needs_full_scan()  # opening the queue scans the library then


def test_dump_files_dropped_on_an_empty_library_are_its_first_full_scan(library, tmp_path, qtbot, seed_paths,
                                                                         scans):
    """The first import into an empty library: its new records are the whole library, so their scan is the
    library's full scan (no "only the new records" note, no second scan when the queue opens)."""
    from PySide6.QtCore import QMimeData, QPointF, QSettings, QUrl
    from PySide6.QtGui import QDropEvent

    from paperdesk.gui.main_window import MainWindow

    w = MainWindow(library, QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    w.show()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in seed_paths])
    w.dropEvent(QDropEvent(QPointF(20, 20), Qt.CopyAction, mime, Qt.LeftButton, Qt.NoModifier))
    w.capture_question.accept()
    qtbot.waitUntil(lambda: w.import_dialog is not None and w.import_dialog.results is not None, timeout=30000)
    dialog = w.import_dialog
    qtbot.waitUntil(lambda: not dialog.duplicates_line.text().startswith("Looking"), timeout=30000)
    assert disk(library, "SELECT COUNT(*) FROM papers") == [(154,)]
    assert scans == {"full": 0, "new": [list(range(1, 155))]}
    page = w.duplicates
    assert page.scanned and not page.needs_full_scan()
    assert shape(page.groups) == shape(merging.scan(library)) and len(page.groups) == 8
    assert dialog.duplicates_line.text() == ("Possible duplicates: 16 of the 154 new records, in 8 candidate groups"
                                             " (8 certain). The Duplicates view (Ctrl+D) lists them.")
    w.show_duplicates()
    assert page.worker is None and scans["full"] == 0
    assert page.title.text() == "Duplicates — 8 candidate groups (8 certain)"
    assert sidebar_count(w) == "Duplicates  (8)"


def test_the_detail_pane_keeps_the_tables_record_while_an_import_refills_the_duplicates(
        window, qtbot, duplicating_dump, monkeypatch):
    """A new user's finding: with the table on screen, an import's scan refilled the Duplicates list, whose
    current-row signal put a duplicate group's record in the detail pane; an edit typed there went to that record,
    not the one selected in the table."""
    window.actions_by_name["show_duplicates"].trigger()  # a full scan first, so the list has rows to refill
    qtbot.waitUntil(lambda: window.duplicates.worker is None and bool(window.duplicates.groups), timeout=30000)
    window.actions_by_name["show_records"].trigger()
    path, _ = duplicating_dump(window.library)
    import_through_the_menu(window, qtbot, path, monkeypatch)
    assert window.stack.currentWidget() is window.table
    in_groups = {pid for g in window.duplicates.groups for pid in g.records}
    row = next(r for r in range(window.model.rowCount()) if window.model.ids[r] not in in_groups)
    window.select_row(row)
    chosen = window.selected_ids()
    assert len(chosen) == 1 and window.detail.paper_id == chosen[0]
    # an undo refills the list once more (the groups come back); the pane stays with the table's record
    source = disk(window.library, "SELECT id FROM sources WHERE file_name = ?", path.name)[0][0]
    assert window.remove_import(source, confirm=False)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: window.duplicates.worker is None, timeout=30000)
    window.select_row(window.model.ids.index(chosen[0]))
    assert window.detail.paper_id == chosen[0] == window.selected_ids()[0]
    window.detail.org.setFocus()
    window.detail.org.setText("Typed Here Org")
    qtbot.keyClick(window.detail.org, Qt.Key_Return)
    assert disk(window.library, "SELECT id FROM papers WHERE org = 'Typed Here Org'") == [(chosen[0],)]
    # and on the Duplicates page the pane follows the page's group
    window.actions_by_name["show_duplicates"].trigger()
    assert window.detail.paper_id == window.duplicates.current_group().records[0]
