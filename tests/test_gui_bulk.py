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
            return int(item.text(0).rsplit("(", 1)[1].rstrip(")"))
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


def _undo(window, qtbot):
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)


def _redo(window, qtbot):
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
    window.new_record(show=False)
    window.actions_by_name["backup_now"].trigger()
    assert window.statusBar().currentMessage().startswith("Wait until")
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
