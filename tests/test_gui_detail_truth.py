"""The detail pane never shows a record the table does not list: after the shown record leaves the view
(Trash, a search that no longer matches) and after its undo, it follows the table's selection."""

from __future__ import annotations

from PySide6.QtCore import Qt


def _search(window, qtbot, text: str) -> None:
    window.search.clear()
    qtbot.keyClicks(window.search, text)
    qtbot.keyClick(window.search, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.model.filter.search == text, timeout=3000)


def _select_first_hit(window, qtbot, text: str, *, only: bool = True) -> int:
    """Search for ``text``, wait for its hit (``only``: exactly one), select the first row; its id."""
    _search(window, qtbot, text)
    qtbot.waitUntil(lambda: window.model.rowCount() == 1 if only else window.model.rowCount() >= 1, timeout=3000)
    window.table.setFocus()
    window.select_row(0)
    return window.selected_ids()[0]


def _pane_agrees_with_table(window) -> None:
    shown = window.detail.paper_id
    if window.model.rowCount() == 0:
        assert shown is None
    else:
        assert shown in window.model.ids
        assert shown in window.selected_ids()


def test_deleting_the_only_record_a_search_shows_empties_the_detail_pane(window, qtbot):
    title = window.library.conn.execute("SELECT title FROM visible_papers ORDER BY id LIMIT 1 OFFSET 40").fetchone()[0]
    chosen = _select_first_hit(window, qtbot, f'"{title}"')
    assert window.detail.paper_id == chosen
    qtbot.keyClick(window.table, Qt.Key_Delete)
    assert window.model.rowCount() == 0
    _pane_agrees_with_table(window)
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)
    assert list(window.model.ids) == [chosen]
    _pane_agrees_with_table(window)


def test_deleting_a_record_in_a_longer_list_moves_the_pane_to_a_listed_record(window, qtbot):
    window.table.setFocus()
    window.select_row(3)
    chosen = window.selected_ids()[0]
    qtbot.keyClick(window.table, Qt.Key_Delete)
    assert chosen not in window.model.ids
    _pane_agrees_with_table(window)
    assert window.detail.paper_id != chosen


def test_a_search_that_hides_the_shown_record_moves_the_pane_with_the_table(window, qtbot):
    window.table.setFocus()
    window.select_row(10)
    before = window.detail.paper_id
    other = window.library.conn.execute("SELECT title FROM visible_papers WHERE id != ? ORDER BY id LIMIT 1 OFFSET 60",
                                        (before,)).fetchone()[0]
    _search(window, qtbot, f'"{other}"')
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=3000)
    assert before not in window.model.ids
    _pane_agrees_with_table(window)
    _search(window, qtbot, "zzzzqqqq-nothing-matches")
    qtbot.waitUntil(lambda: window.model.rowCount() == 0, timeout=3000)
    _pane_agrees_with_table(window)


def test_the_sidebar_switching_view_moves_the_pane_with_the_table(window, qtbot):
    window.table.setFocus()
    window.select_row(5)
    window.sidebar.select("trash")
    qtbot.waitUntil(lambda: window.model.filter.view == "trash", timeout=3000)
    _pane_agrees_with_table(window)


def test_trashing_a_merged_record_found_by_its_absorbed_title_empties_the_pane(window, qtbot):
    from paperdesk.core import merging

    group = next(g for g in merging.scan(window.library) if g.confidence == "certain")
    survivor, absorbed = group.records[0], group.records[1]
    merging.merge(window.library, survivor, [absorbed])
    words = window.library.conn.execute("SELECT title FROM papers WHERE id = ?", (absorbed,)).fetchone()[0].split()[:4]
    _select_first_hit(window, qtbot, '"' + " ".join(words) + '"', only=False)
    qtbot.keyClick(window.table, Qt.Key_Delete)
    _pane_agrees_with_table(window)


def test_an_edit_in_another_window_that_drops_the_shown_record_from_the_search_clears_the_pane(window, qtbot):
    from paperdesk.core import curation
    from paperdesk.core.library import Library

    title = window.library.conn.execute("SELECT title FROM visible_papers ORDER BY id LIMIT 1 OFFSET 20").fetchone()[0]
    _select_first_hit(window, qtbot, f'"{title}"')
    chosen = window.detail.paper_id
    other = Library(window.library.path)  # another window's connection
    try:
        curation.update_fields(other, chosen, {"title": "Something Else Entirely"})
    finally:
        other.close()
    window.ops.check_elsewhere(force=True)
    assert window.model.rowCount() == 0
    _pane_agrees_with_table(window)
