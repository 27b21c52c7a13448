"""The detail pane's Unmerge button asks where the merge and a later edit changed the same field, and the
answer, the undo and the redo land in SQLite."""

from __future__ import annotations


from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from paperdesk.gui.detail_pane import UnmergeConflictDialog
from conftest import disk


def unmerge_buttons(window):
    """The Unmerge buttons of the rows the history list shows now."""
    rows = [window.detail.history.itemAt(i).widget() for i in range(window.detail.history.count())]
    return [b for row in rows if row for b in row.findChildren(QPushButton) if b.text() == "Unmerge"]


def test_unmerge_button_asks_about_a_field_edited_after_the_merge(window, qtbot):
    original = disk(window.library, "SELECT title FROM papers WHERE id = 1")[0][0]
    window._merge(1, [2], {"title": "Chosen In The Merge"})
    window.edit_record(1, {"title": "Edited By Hand"})
    window.detail.show_paper(1)
    buttons = unmerge_buttons(window)
    assert len(buttons) == 1
    buttons[0].click()
    dialog = window.detail.conflict_dialog
    assert isinstance(dialog, UnmergeConflictDialog) and dialog.isVisible()
    assert disk(window.library, "SELECT merged_into FROM papers WHERE id = 2") == [(1,)]  # nothing yet
    dialog.groups["title"].button(1).click()  # restore the value from before the merge
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()
    assert disk(window.library, "SELECT title FROM papers WHERE id = 1") == [(original,)]
    assert disk(window.library, "SELECT merged_into FROM papers WHERE id = 2") == [(None,)]
    window.undo_action.trigger()  # the merge is in force again, with the hand edit
    assert disk(window.library, "SELECT title FROM papers WHERE id = 1") == [("Edited By Hand",)]
    assert disk(window.library, "SELECT merged_into FROM papers WHERE id = 2") == [(1,)]
    window.redo_action.trigger()
    assert disk(window.library, "SELECT title FROM papers WHERE id = 1") == [(original,)]
    assert disk(window.library, "SELECT merged_into FROM papers WHERE id = 2") == [(None,)]


def test_unmerge_button_without_conflict_does_not_ask_and_cancel_does_nothing(window, qtbot):
    window._merge(1, [2], {"title": "Chosen In The Merge"})
    window._merge(3, [1], None)  # 1 (holding 2) into 3
    window.edit_record(3, {"title": "Edited By Hand"})
    window.detail.show_paper(3)
    assert len(unmerge_buttons(window)) == 2  # both merges can be undone from the visible record
    # the earlier merge first (out of order): record 2 comes out of 3, record 1 stays inside
    window.detail.request_unmerge(disk(window.library, "SELECT MIN(id) FROM merges")[0][0], 1)
    assert disk(window.library, "SELECT id, merged_into FROM papers WHERE id IN (1, 2) ORDER BY id") == [
        (1, 3), (2, None)]
    assert disk(window.library, "SELECT sources_count FROM papers WHERE id = 3") == [(2,)]
