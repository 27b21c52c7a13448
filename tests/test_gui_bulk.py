"""Bulk work off the GUI thread: with the bulk threshold lowered to one record, every library-care command runs
in its worker exactly as 100,000 records would. Each is driven by its real action or key, waited for, and the
table, the sidebar counts and SQLite compared after do, undo, redo, and after Cancel (nothing changed, the
undo stack as it was)."""

from __future__ import annotations

import sqlite3
import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from paperdesk.core import progress as progress_mod
from paperdesk.core import trash
from paperdesk.core.query import RecordFilter, ordered_ids
from paperdesk.gui import operations


@pytest.fixture(autouse=True)
def everything_is_bulk(monkeypatch):
    monkeypatch.setattr(operations, "BULK_RECORDS", 1)


def _sidebar_count(window, kind: str) -> int:
    for item in window.sidebar._all_items():
        if item.data(0, Qt.UserRole) == kind:
            return int(item.text(0).rsplit("(", 1)[1].rstrip(")").replace(",", ""))
    raise AssertionError(f"no sidebar entry {kind}")


def _on_disk(window) -> tuple[int, int]:
    """(visible, trashed) as a separate connection reads the file: what is committed."""
    conn = sqlite3.connect(window.library.path)
    try:
        return (conn.execute("SELECT COUNT(*) FROM visible_papers").fetchone()[0],
                conn.execute("SELECT COUNT(*) FROM papers WHERE trashed_at IS NOT NULL AND merged_into IS NULL")
                .fetchone()[0])
    finally:
        conn.close()


def _agree(window, visible: int, trashed: int) -> None:
    assert _on_disk(window) == (visible, trashed)
    assert window.model.rowCount() == visible == len(ordered_ids(window.library.conn, RecordFilter()))
    assert _sidebar_count(window, "all") == visible
    assert _sidebar_count(window, "trash") == trashed == trash.count_trashed(window.library)


def _wait_idle(window, qtbot, timeout=10000) -> None:
    qtbot.waitUntil(lambda: window.ops.job is None, timeout=timeout)


def _select_rows(window, count: int) -> list[int]:
    window.table.setFocus()
    window.select_row(0)
    selection = window.table.selectionModel()
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    block = QItemSelection(window.model.index(0, 0), window.model.index(count - 1, 0))
    selection.select(block, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
    ids = window.selected_ids()
    assert len(ids) == count
    return ids


def _active(window, qtbot):
    """A closed modal dialog leaves no window active on the offscreen platform: the keys need one."""
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)


def _undo(window, qtbot):
    _active(window, qtbot)
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)


def _redo(window, qtbot):
    _active(window, qtbot)
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)


@pytest.fixture
def held(monkeypatch):
    """Core operations made to work in chunks of 3 records and to stop after their first chunk until the
    librarian has pressed Cancel (or 10 s pass): a bulk operation caught mid-way, deterministically."""
    from paperdesk.core import batch, trash as trash_mod

    real = progress_mod.checkpoint
    gate = type("Gate", (), {"active": True})()

    def held_checkpoint(cancelled, progress, done, total, what="the operation"):
        if gate.active and 0 < done < total:
            deadline = time.monotonic() + 10
            while cancelled is not None and not cancelled() and time.monotonic() < deadline:
                time.sleep(0.01)
        real(cancelled, progress, done, total, what)

    for module in (trash_mod, batch):
        monkeypatch.setattr(module, "checkpoint", held_checkpoint)
    monkeypatch.setattr(trash_mod, "chunks", lambda ids, size=3: progress_mod.chunks(ids, 3))
    monkeypatch.setattr(batch, "_BATCH", 3)
    return gate


def test_delete_runs_in_a_worker_and_undo_redo_too(window, qtbot):
    chosen = _select_rows(window, 5)
    qtbot.keyClick(window.table, Qt.Key_Delete)
    assert window.ops.job is not None, "five records are 'bulk' here: a worker moves them"
    assert window.bulk_progress.isVisible()
    _wait_idle(window, qtbot)
    assert not window.bulk_progress.isVisible()
    assert not set(chosen) & set(window.model.ids)
    _agree(window, 149, 5)
    assert window.undo_stack.count() == 1 and window.undo_stack.index() == 1
    assert "Moved 5 records to the Trash" in window.statusBar().currentMessage()
    _undo(window, qtbot)
    assert window.ops.job is not None
    _wait_idle(window, qtbot)
    _agree(window, 154, 0)
    assert window.undo_stack.index() == 0
    _redo(window, qtbot)
    _wait_idle(window, qtbot)
    _agree(window, 149, 5)
    assert window.undo_stack.index() == 1
    # Restore from the Trash, in the worker as well
    window.sidebar.select("trash")
    assert sorted(window.model.ids) == sorted(chosen)
    _select_rows(window, 5)
    window.actions_by_name["restore_selection"].trigger()
    _wait_idle(window, qtbot)
    assert window.model.rowCount() == 0
    window.sidebar.select("all")
    _agree(window, 154, 0)
    _undo(window, qtbot)
    _wait_idle(window, qtbot)
    _agree(window, 149, 5)


def test_cancel_mid_trash_changes_nothing(window, qtbot, held):
    _select_rows(window, 10)
    qtbot.keyClick(window.table, Qt.Key_Delete)
    qtbot.waitUntil(lambda: window.bulk_progress.bar.maximum() == 10, timeout=5000)
    assert window.bulk_progress.isVisible()
    qtbot.mouseClick(window.bulk_progress.cancel_button, Qt.LeftButton)
    _wait_idle(window, qtbot)
    _agree(window, 154, 0)
    assert window.undo_stack.count() == 0
    assert "Cancelled" in window.statusBar().currentMessage()
    assert "nothing was changed" in window.statusBar().currentMessage()


def test_cancel_mid_undo_leaves_the_step_done_and_the_stack_where_it_was(window, qtbot, held):
    held.active = False
    _select_rows(window, 10)
    qtbot.keyClick(window.table, Qt.Key_Delete)  # the move itself goes through
    _wait_idle(window, qtbot)
    _agree(window, 144, 10)
    held.active = True
    _undo(window, qtbot)
    qtbot.waitUntil(lambda: window.bulk_progress.isVisible(), timeout=5000)
    window.bulk_progress.cancel_button.click()
    _wait_idle(window, qtbot)
    _agree(window, 144, 10)
    assert window.undo_stack.index() == 1 and window.undo_stack.canUndo()
    assert window.undo_action.isEnabled()


def test_other_changes_wait_while_a_job_runs(window, qtbot, held):
    _select_rows(window, 10)
    qtbot.keyClick(window.table, Qt.Key_Delete)
    qtbot.waitUntil(lambda: window.bulk_progress.isVisible(), timeout=5000)
    assert not window.undo_action.isEnabled()
    window.edit_record(window.model.ids[-1], {"title": "Changed while busy"})
    assert window.statusBar().currentMessage().startswith("Wait until")
    window.actions_by_name["backup_now"].trigger()
    assert window.statusBar().currentMessage().startswith("Wait until")
    assert window.import_files([]) is None and window.restore_backup(show=False) is None
    assert window.statusBar().currentMessage().startswith("Wait until")
    _undo(window, qtbot)  # disabled while the job runs
    assert window.undo_stack.count() == 0 and window.ops.job is not None
    window.bulk_progress.cancel_button.click()
    _wait_idle(window, qtbot)
    assert window.library.conn.execute("SELECT COUNT(*) FROM papers WHERE title = 'Changed while busy'"
                                       ).fetchone()[0] == 0
    _agree(window, 154, 0)


def test_closing_the_window_mid_operation_half_applies_nothing(window, qtbot, held):
    _select_rows(window, 10)
    qtbot.keyClick(window.table, Qt.Key_Delete)
    qtbot.waitUntil(lambda: window.bulk_progress.bar.maximum() == 10, timeout=5000)
    window.close()
    assert window.ops.job is None or not window.ops.job.worker.thread.is_alive()
    conn = sqlite3.connect(window.library.path)
    try:
        trashed = conn.execute("SELECT COUNT(*) FROM papers WHERE trashed_at IS NOT NULL").fetchone()[0]
    finally:
        conn.close()
    assert trashed == 0


def test_empty_trash_in_the_worker(window, qtbot, monkeypatch):
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.Discard)
    _select_rows(window, 4)
    qtbot.keyClick(window.table, Qt.Key_Delete)
    _wait_idle(window, qtbot)
    _agree(window, 150, 4)
    window.actions_by_name["empty_trash"].trigger()
    assert window.ops.job is not None
    _wait_idle(window, qtbot)
    _agree(window, 150, 0)
    assert window.library.conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0] == 150
    assert window.undo_stack.count() == 0


def test_remove_an_import_in_the_worker_undo_redo(window, qtbot, monkeypatch):
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.Ok)
    source = next(s for s in window.sidebar._all_items()
                  if s.data(0, Qt.UserRole) == "source" and s.text(0).startswith("004"))
    window.sidebar.removeImportRequested.emit(source.data(0, Qt.UserRole + 1))
    assert window.ops.job is not None
    _wait_idle(window, qtbot)
    _agree(window, 104, 50)
    assert not [s for s in window.sidebar._all_items() if s.text(0).startswith("004")]
    _undo(window, qtbot)
    _wait_idle(window, qtbot)
    _agree(window, 154, 0)
    assert [s for s in window.sidebar._all_items() if s.text(0).startswith("004")]
    _redo(window, qtbot)
    _wait_idle(window, qtbot)
    _agree(window, 104, 50)


def test_cancel_mid_remove_import_changes_nothing(window, qtbot, monkeypatch, held):
    monkeypatch.setattr(QMessageBox, "exec", lambda self: QMessageBox.Ok)
    source = next(s for s in window.sidebar._all_items()
                  if s.data(0, Qt.UserRole) == "source" and s.text(0).startswith("004"))
    window.sidebar.removeImportRequested.emit(source.data(0, Qt.UserRole + 1))
    qtbot.waitUntil(lambda: window.bulk_progress.bar.maximum() > 0, timeout=5000)
    window.bulk_progress.cancel_button.click()
    _wait_idle(window, qtbot)
    _agree(window, 154, 0)
    assert window.undo_stack.count() == 0
    assert window.library.conn.execute("SELECT COUNT(*) FROM sources WHERE removed_at IS NOT NULL").fetchone()[0] == 0


def _titles(window) -> dict[int, str]:
    return dict(window.library.conn.execute("SELECT id, title FROM papers"))


def test_batch_edit_preview_paged_in_a_worker_apply_undo_redo(window, qtbot, monkeypatch):
    from paperdesk.gui.dialogs import batch_edit

    monkeypatch.setattr(batch_edit.PreviewModel, "PAGE", 4)
    monkeypatch.setattr(batch_edit.PreviewModel, "PAGES_KEPT", 2)
    before = _titles(window)
    qtbot.keyClick(window.table, Qt.Key_B, Qt.ControlModifier | Qt.ShiftModifier)
    dialog = window.batch_dialog
    dialog.replace_field.setCurrentText("title")
    dialog.find.setText("Learning")
    dialog.replacement.setText("Qqlearning")
    dialog.preview_button.click()
    assert dialog.worker is not None and dialog.bar.isVisible()
    qtbot.waitUntil(lambda: dialog.worker is None and dialog.model is not None, timeout=10000)
    expected = [pid for pid, title in sorted(before.items()) if "Learning" in title]
    model = dialog.model
    assert sorted(model.ids) == sorted(i for i in expected if i in set(window.model.ids))
    assert len(model.ids) > 8
    assert len(model._pages) <= 2, "only the pages on screen are read, not every row"
    rows = [model.row(i) for i in range(model.rowCount())]
    assert len(model._pages) <= 2
    assert all("Learning" in r.before and "Qqlearning" in r.after for r in rows)
    model.setData(model.index(0, 0), Qt.Unchecked, Qt.CheckStateRole)
    left_alone = model.ids[0]
    dialog.apply_button.click()
    assert window.ops.job is not None
    _wait_idle(window, qtbot, timeout=20000)
    titles = _titles(window)
    changed = model.ids[1:]
    assert all("Qqlearning" in titles[i] for i in changed) and "Qqlearning" not in titles[left_alone]
    assert window.undo_stack.count() == 1
    _undo(window, qtbot)
    _wait_idle(window, qtbot)
    assert window.undo_stack.index() == 0, window.statusBar().currentMessage()
    assert _titles(window) == before
    _redo(window, qtbot)
    _wait_idle(window, qtbot)
    assert _titles(window) == titles
    row = list(window.model.ids).index(changed[0])
    assert "Qqlearning" in window.model.data(window.model.index(row, 0))


def test_cancel_mid_batch_edit_changes_nothing(window, qtbot, held):
    before = _titles(window)
    qtbot.keyClick(window.table, Qt.Key_B, Qt.ControlModifier | Qt.ShiftModifier)
    dialog = window.batch_dialog
    dialog.find.setText("Learning")
    dialog.replacement.setText("Qqlearning")
    held.active = False
    dialog.preview_button.click()
    qtbot.waitUntil(lambda: dialog.worker is None and dialog.model is not None, timeout=10000)
    held.active = True
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: window.bulk_progress.bar.maximum() > 0, timeout=5000)
    window.bulk_progress.cancel_button.click()
    _wait_idle(window, qtbot)
    assert _titles(window) == before
    assert window.undo_stack.count() == 0


def test_history_steps_through_bulk_commands_in_the_worker(window, qtbot):
    for count in (3, 2):
        _select_rows(window, count)
        qtbot.keyClick(window.table, Qt.Key_Delete)
        _wait_idle(window, qtbot)
    _agree(window, 149, 5)
    dialog = window.show_history()
    assert dialog.view.count() == 3
    dialog.view.itemClicked.emit(dialog.view.item(0))  # back to the library as opened: two steps in the worker
    qtbot.waitUntil(lambda: window.undo_stack.index() == 0 and window.ops.job is None, timeout=10000)
    _agree(window, 154, 0)
    assert dialog.view.currentRow() == 0
    dialog.view.itemClicked.emit(dialog.view.item(2))
    qtbot.waitUntil(lambda: window.undo_stack.index() == 2 and window.ops.job is None, timeout=10000)
    _agree(window, 149, 5)
    dialog.close()


def test_a_large_librarys_source_counts_are_recounted_off_the_gui_thread(window, qtbot, monkeypatch):
    from paperdesk.gui import sidebar as sidebar_mod

    monkeypatch.setattr(sidebar_mod, "SOURCE_COUNTS_IN_BACKGROUND", 1)
    source = next(s for s in window.sidebar._all_items()
                  if s.data(0, Qt.UserRole) == "source" and s.text(0).startswith("004"))
    before = int(source.text(0).rsplit("(", 1)[1].rstrip(")").replace(",", ""))
    source_id = source.data(0, Qt.UserRole + 1)
    window.sidebar.select("all")
    ids = [r[0] for r in window.library.conn.execute(
        "SELECT paper_id FROM provenance WHERE source_id = ? ORDER BY paper_id LIMIT 3", (source_id,))]
    command_ids = list(ids)
    from paperdesk.gui.care import TrashRecords

    window._push(TrashRecords(window.library, command_ids))
    _wait_idle(window, qtbot)

    def shown():
        item = next(s for s in window.sidebar._all_items()
                    if s.data(0, Qt.UserRole) == "source" and s.data(0, Qt.UserRole + 1) == source_id)
        return int(item.text(0).rsplit("(", 1)[1].rstrip(")").replace(",", ""))

    qtbot.waitUntil(lambda: shown() == before - 3, timeout=10000)
    assert window.sidebar._counting is None
