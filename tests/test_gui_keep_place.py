"""Del on a record far down the list keeps the table where it was (the next record current, the same rows on
screen), and so do its undo and redo: a long list no longer jumps back to its top. Checked against SQLite."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView

from conftest import disk
from paperdesk.core.schema import VISIBLE


def shown(window):
    return [window.model.id_at(r) for r in range(window.model.rowCount())]


def test_del_and_its_undo_and_redo_keep_the_tables_place(window, qtbot):
    window.resize(1000, 500)
    table = window.table
    qtbot.waitUntil(lambda: window.model.rowCount() > 100)
    row = 100
    window.select_row(row)
    table.scrollTo(window.model.index(row, 0), QAbstractItemView.PositionAtCenter)  # mid-screen, as a reader leaves it
    table.setFocus()
    qtbot.waitUntil(lambda: table.verticalScrollBar().value() > 0)
    ids, scroll = shown(window), table.verticalScrollBar().value()
    gone, after = ids[row], ids[row + 1]
    qtbot.keyClick(table, Qt.Key_Delete)  # the Move to Trash shortcut
    assert disk(window.library, f"SELECT COUNT(*) FROM papers WHERE id = ? AND {VISIBLE}", gone) == [(0,)]
    assert shown(window) == [i for i in ids if i != gone]
    assert table.verticalScrollBar().value() == scroll  # the same rows on screen
    assert table.current_id() == after and table.selected_ids() == [after]  # the next record, not the first
    window.undo_action.trigger()
    assert disk(window.library, f"SELECT COUNT(*) FROM papers WHERE id = ? AND {VISIBLE}", gone) == [(1,)]
    assert shown(window) == ids and table.verticalScrollBar().value() == scroll
    assert table.current_id() == after
    window.redo_action.trigger()
    assert shown(window) == [i for i in ids if i != gone] and table.verticalScrollBar().value() == scroll
    assert table.current_id() == after
    # the last record: the one above it becomes current
    last = window.model.rowCount() - 1
    window.select_row(last)
    before_last = window.model.id_at(last - 1)
    qtbot.keyClick(table, Qt.Key_Delete)
    assert table.current_id() == before_last
    assert disk(window.library, f"SELECT COUNT(*) FROM papers WHERE {VISIBLE}")[0][0] == window.model.rowCount()
