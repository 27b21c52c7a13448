"""The detail pane edits the record it shows, which is the records table's current record, after every kind of
reset of the table (search, sort, view, tag, source, the whole hit list arriving, a change elsewhere, undo/redo).

The new-user trial's defect: on a library big enough that a search's count arrives late, a header click while
"counting…" showed row 1's record in the pane; when the whole list arrived, the table went back by itself to the
record of before the search (far down the list) and the pane with it, under the librarian's cursor, so that the
typing meant for the record on screen was saved to another. The whole list is held back here (Gate) so that the
steps meet it deterministically; every check compares the pane, the table and SQLite.
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from paperdesk.core import curation, query, trash
from paperdesk.core.library import Library
from test_search_first_screen import Gate, big, built, small_screen, type_search, window  # noqa: F401


def click_header(window, qtbot, key: str) -> None:
    column = query.COLUMN_KEYS.index(key)
    header = window.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(header.sectionViewportPosition(column) + 5, 5))


def org(library, pid):
    return library.conn.execute("SELECT org FROM papers WHERE id = ?", (pid,)).fetchone()[0]


def authors(library, pid) -> list[str]:
    return curation.paper_detail(library, pid)["authors"]


def one_record(window) -> int:
    """The record the pane shows is the one it edits and the table's current (selected) record."""
    shown = window.detail.paper_id
    assert shown is not None and window.detail.detail["id"] == shown
    assert window.current_id() == shown and shown in window.selected_ids()
    assert window.detail.title.toPlainText() == curation.paper_detail(window.library, shown)["title"]
    return shown


def test_the_trial_steps_an_edit_after_a_sort_while_counting_lands_on_the_shown_record(window, qtbot, monkeypatch):
    gate = Gate(monkeypatch)
    start = one_record(window)  # row 1, chosen by the app at start; no row is ever clicked
    type_search(window, qtbot, "l")
    click_header(window, qtbot, "year")
    assert window.model.filter.sort == "date" and not window.model.complete
    assert start not in window.model.ids  # the record of before the sort is further down: "wanted" back
    shown = one_record(window)
    assert shown != start
    qtbot.mouseClick(window.detail.org, Qt.LeftButton)  # the librarian takes up the record on screen
    assert window.detail.org.hasFocus()
    with qtbot.waitSignal(window.model.completed, timeout=30000):
        gate.open()  # the count arrives under the cursor
    qtbot.wait(50)
    assert window.model.complete and start in window.model.ids
    assert one_record(window) == shown  # the table did not go back to the start record
    qtbot.keyClicks(window.detail.org, "Trial Org")
    qtbot.keyClick(window.detail.org, Qt.Key_Return)
    assert org(window.library, shown) == "Trial Org" and org(window.library, start) is None
    assert window.undo_stack.undoText() == f"Edit org of record {shown}"
    assert one_record(window) == shown and window.detail.org.text() == "Trial Org"
    # Ctrl+Z / Ctrl+Shift+Z typed in the field just saved (the cursor is still there) undo and redo that edit.
    assert window.detail.org.hasFocus()
    qtbot.keyClick(window.detail.org, Qt.Key_Z, Qt.ControlModifier)
    assert org(window.library, shown) is None and org(window.library, start) is None
    assert one_record(window) == shown and window.detail.org.text() == ""
    qtbot.keyClick(window.detail.org, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert org(window.library, shown) == "Trial Org" and org(window.library, start) is None
    assert one_record(window) == shown and window.detail.org.text() == "Trial Org"


def test_the_authors_typed_after_a_sort_while_counting_go_to_the_shown_record(window, qtbot, monkeypatch):
    gate = Gate(monkeypatch)
    start = one_record(window)
    before_start = authors(window.library, start)
    type_search(window, qtbot, "l")
    click_header(window, qtbot, "year")
    shown = one_record(window)
    qtbot.mouseClick(window.detail.authors, Qt.LeftButton)
    qtbot.keyClick(window.detail.authors, Qt.Key_End, Qt.ControlModifier)
    qtbot.keyClick(window.detail.authors, Qt.Key_Return)
    qtbot.keyClicks(window.detail.authors, "Tao Hutrial")  # typed, not saved yet, when the count arrives
    with qtbot.waitSignal(window.model.completed, timeout=30000):
        gate.open()
    qtbot.keyClick(window.detail.authors, Qt.Key_Return, Qt.ControlModifier)
    assert authors(window.library, shown)[-1] == "Tao Hutrial"
    assert authors(window.library, start) == before_start
    assert one_record(window) == shown


def test_typing_is_never_written_to_another_record_when_the_record_on_screen_changes(window, qtbot):
    first = one_record(window)
    other = window.model.id_at(5)
    before = {pid: authors(window.library, pid) for pid in (first, other)}
    qtbot.mouseClick(window.detail.authors, Qt.LeftButton)
    qtbot.keyClick(window.detail.authors, Qt.Key_End, Qt.ControlModifier)
    qtbot.keyClick(window.detail.authors, Qt.Key_Return)
    qtbot.keyClicks(window.detail.authors, "Half Typed")
    window.select_row(5)  # the rows move under the cursor (what a reset does), the focus stays in the field
    assert one_record(window) == other
    assert window.detail.authors.toPlainText() == "\n".join(before[other])
    assert "kept for that record" in window.statusBar().currentMessage()
    qtbot.keyClick(window.detail.authors, Qt.Key_Return, Qt.ControlModifier)  # nothing typed for this one
    window.detail.authors.clearFocus()
    assert {pid: authors(window.library, pid) for pid in (first, other)} == before
    assert window.undo_stack.count() == 0
    window.select_row(0)  # back to the record it was typed for: the typing is back, still unsaved
    assert one_record(window) == first
    assert window.detail.authors.toPlainText().endswith("\nHalf Typed")
    assert window.detail.draft_note.isVisibleTo(window) and authors(window.library, first) == before[first]
    window.detail.authors.setFocus()
    qtbot.keyClick(window.detail.authors, Qt.Key_Return, Qt.ControlModifier)
    assert authors(window.library, first) == before[first] + ["Half Typed"]
    assert authors(window.library, other) == before[other]


def test_esc_discards_the_typing_kept_for_a_record(window, qtbot):
    first = one_record(window)
    qtbot.mouseClick(window.detail.org, Qt.LeftButton)
    qtbot.keyClicks(window.detail.org, "Kept")
    window.select_row(3)
    window.select_row(0)
    assert window.detail.org.text() == "Kept"
    qtbot.keyClick(window.detail.org, Qt.Key_Escape)
    assert window.detail.org.text() == "" and not window.detail.draft_note.isVisibleTo(window)
    window.select_row(3)
    window.select_row(0)
    assert window.detail.org.text() == "" and org(window.library, first) is None


def test_ctrl_z_in_a_field_with_typing_of_its_own_undoes_the_typing_not_the_library(window, qtbot):
    shown = one_record(window)
    window.detail.org.setFocus()
    qtbot.keyClicks(window.detail.org, "Saved Org")
    qtbot.keyClick(window.detail.org, Qt.Key_Return)
    assert org(window.library, shown) == "Saved Org"
    qtbot.keyClicks(window.detail.org, " more")
    qtbot.keyClick(window.detail.org, Qt.Key_Z, Qt.ControlModifier)  # the field's own undo: its typing goes
    assert window.detail.org.text() == "Saved Org" and org(window.library, shown) == "Saved Org"
    assert window.undo_stack.count() == 1 and window.undo_stack.index() == 1
    window.detail.authors.setFocus()  # a multi-line field, untouched: Ctrl+Z is the library's
    qtbot.keyClick(window.detail.authors, Qt.Key_Z, Qt.ControlModifier)
    assert org(window.library, shown) is None and window.detail.org.text() == ""


def test_after_every_kind_of_reset_the_pane_shows_and_edits_the_tables_current_record(window, qtbot, monkeypatch):
    library = window.library
    tag = curation.create_tag(library, "checked")
    curation.add_tag(library, [window.model.id_at(i) for i in (2, 7, 9)], tag)
    window.refresh_all()
    one_record(window)
    gate = Gate(monkeypatch)
    type_search(window, qtbot, "l")  # search (first screen)
    one_record(window)
    click_header(window, qtbot, "year")  # sort while counting
    one_record(window)
    click_header(window, qtbot, "year")  # and back the other way
    one_record(window)
    with qtbot.waitSignal(window.model.completed, timeout=30000):
        gate.open()  # the count arriving
    qtbot.wait(50)
    one_record(window)
    window.search.clear()
    type_search(window, qtbot, "")
    one_record(window)
    window.sidebar.select("tag", tag)  # a tag
    assert window.model.filter.view == "tags"
    one_record(window)
    source = library.conn.execute("SELECT MIN(id) FROM sources").fetchone()[0]
    window.sidebar.select("source", source)  # a source
    assert window.model.filter.view == "source"
    one_record(window)
    window.sidebar.select("all")  # a view
    shown = one_record(window)
    # A change elsewhere (another program on the same library) that moves the current record out of the view.
    other = Library(library.path)
    try:
        trash.trash(other, [shown])
    finally:
        other.close()
    window.refresh_all()
    moved = one_record(window)
    assert moved != shown
    # An edit, its undo and its redo from the keyboard in the table: the pane follows and SQLite agrees.
    qtbot.mouseClick(window.detail.org, Qt.LeftButton)
    qtbot.keyClicks(window.detail.org, "After Resets")
    qtbot.keyClick(window.detail.org, Qt.Key_Return)
    assert org(library, moved) == "After Resets"
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)
    assert org(library, moved) is None and one_record(window) == moved and window.detail.org.text() == ""
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert org(library, moved) == "After Resets" and one_record(window) == moved
    assert window.detail.org.text() == "After Resets"


def test_a_citation_key_saved_while_counting_shows_in_the_pane_and_is_the_shown_records(window, qtbot, monkeypatch):
    gate = Gate(monkeypatch)
    start = one_record(window)
    type_search(window, qtbot, "l")
    click_header(window, qtbot, "year")
    shown = one_record(window)
    qtbot.mouseClick(window.detail.citekey, Qt.LeftButton)
    qtbot.keyClicks(window.detail.citekey, "trial2026")
    qtbot.keyClick(window.detail.citekey, Qt.Key_Return)
    assert not window.model.complete  # still counting
    key_of = lambda pid: window.library.conn.execute(  # noqa: E731
        "SELECT citekey FROM papers WHERE id = ?", (pid,)).fetchone()[0]
    assert key_of(shown) == "trial2026" and key_of(start) is None
    assert one_record(window) == shown and window.detail.citekey.text() == "trial2026"
    with qtbot.waitSignal(window.model.completed, timeout=30000):
        gate.open()
    qtbot.wait(50)
    assert one_record(window) == shown and window.detail.citekey.text() == "trial2026"
