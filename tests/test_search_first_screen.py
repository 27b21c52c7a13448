"""Search as you type on a library too big to order every hit at once: the first screen of hits first
(core.hits), the whole ordered list and its count behind it in a thread (gui.hit_list), cancelled by the next
keystroke. Everything the table shows is compared with SQLite's own ordered result for the same search.

A few thousand generated records stand in for a million: the first screen is made smaller (FIRST_SCREEN) so
that the same ways are taken, and the whole list is held back (a gate around its query) where a test needs
to look at the table before it arrives.
"""

from __future__ import annotations

import shutil
import sqlite3
import threading

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt

from paperdesk.core import hits, query
from paperdesk.core.library import Library
from paperdesk.gui import hit_list

RECORDS = 3000


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """One generated library for the module; each test works on a copy."""
    from generate import generate

    work = tmp_path_factory.mktemp("first-screen")
    result = generate(work / "dumps", RECORDS, seed=11)
    db = work / "built.sqlite"
    library = Library(db)
    library.import_files(sorted(result.files))
    library.close()
    return db


@pytest.fixture
def big(built, tmp_path):
    path = tmp_path / "library.sqlite"
    shutil.copy(built, path)
    library = Library(path)
    yield library
    library.close()


@pytest.fixture
def small_screen(monkeypatch):
    monkeypatch.setattr(hits, "FIRST_SCREEN", 40)


def ordered(library, **f) -> list[int]:
    return list(query.ordered_ids(library.conn, query.RecordFilter(**f)))


def hit_count(library, search: str) -> int:
    return query.count_matching(library.conn, query.RecordFilter(search=search))


# --- core: each way finds SQLite's own first hits, and continues in its order -------------------------------

@pytest.mark.parametrize("sort,descending", [("title", False), ("first_author", True), ("date", False),
                                             ("sources_count", True)])
@pytest.mark.parametrize("search,way", [("l", "walk"), ("re th", "walk"), ("author:a", "walk"),
                                        ("learning", "probe"), ("zzqqxx", "whole")])
def test_first_hits_and_more_are_sqlites_ordered_hits(big, small_screen, monkeypatch, sort, descending, search,
                                                      way):
    if way == "probe":  # a moderate search: the first records hold few hits and its hit list is not tiny
        monkeypatch.setattr(hits, "WALK_BUDGET", 50)
        monkeypatch.setattr(hits, "WHOLE_LIST_AT", 10)
    f = query.RecordFilter(search=search, sort=sort, descending=descending)
    expected = list(query.ordered_ids(big.conn, f))
    found = hits.Hits(big.conn, f)
    ids = list(found.first())
    assert found.way == way
    assert ids == expected[:len(ids)]
    assert found.complete == (len(ids) == len(expected))
    while not found.complete and len(ids) < 400:
        ids += found.more(37)
        assert ids == expected[:len(ids)]
    if found.complete:
        assert ids == expected
    found.close()
    # The whole list read off the sort index (as built behind a walk's first screen) is the same list.
    assert list(query.ordered_ids(big.conn, f, dense=True)) == expected


def test_the_dense_whole_list_keeps_the_views_and_other_conditions(big):
    tagged = tuple(r[0] for r in big.conn.execute("SELECT id FROM papers WHERE id % 7 = 0"))
    for f in (query.RecordFilter(search="e year:>=2020 -survey", sort="category"),
              query.RecordFilter(search="a", view="ids", ids=tagged, sort="first_author", descending=True),
              query.RecordFilter(search="author:a is:review"),
              query.RecordFilter(search="t", view="trash")):
        assert list(query.ordered_ids(big.conn, f, dense=True)) == list(query.ordered_ids(big.conn, f))


def test_the_walk_reaches_the_end_of_a_narrow_view_and_is_complete(big, small_screen):
    tagged = big.conn.execute("SELECT id FROM papers ORDER BY id LIMIT 30").fetchall()
    f = query.RecordFilter(search="e", view="ids", ids=tuple(r[0] for r in tagged))
    found = hits.Hits(big.conn, f)
    assert list(found.first()) == list(query.ordered_ids(big.conn, f)) and found.complete


# --- the window --------------------------------------------------------------------------------------------

class Gate:
    """Holds the whole hit list's query until ``open()``; counts the lists built."""

    def __init__(self, monkeypatch):
        self.opened = threading.Event()
        self.started = threading.Event()
        self.built: list[str] = []
        real = hit_list.ordered_ids

        def held(conn, f, dense=False):
            self.started.set()
            assert self.opened.wait(30)
            ids = real(conn, f, dense)
            self.built.append(f.search)
            return ids

        monkeypatch.setattr(hit_list, "ordered_ids", held)

    def open(self):
        self.opened.set()


@pytest.fixture
def window(big, tmp_path, qtbot, small_screen):
    from paperdesk.gui.main_window import MainWindow

    w = MainWindow(big, QSettings(str(tmp_path / "window-settings.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    yield w
    w.shutdown()


def type_search(window, qtbot, text: str) -> None:
    window.search.setFocus()
    qtbot.keyClicks(window.search, text)
    qtbot.waitUntil(lambda: window.model.filter.search == window.search.text(), timeout=5000)


def test_the_first_screen_shows_sqlites_first_hits_then_the_count_arrives(window, qtbot, monkeypatch):
    gate = Gate(monkeypatch)
    type_search(window, qtbot, "l")
    expected = ordered(window.library, search="l")
    assert len(expected) > 2 * hits.FIRST_SCREEN
    assert not window.model.complete
    assert list(window.model.ids) == expected[:hits.FIRST_SCREEN]
    assert "counting…" in window.count_label.text()
    # What is painted is the records' own values.
    first = window.model.index(0, 0).data()
    assert first == window.library.conn.execute("SELECT title FROM papers WHERE id = ?", (expected[0],)).fetchone()[0]
    assert window.detail.paper_id == window.current_id() == expected[0]
    with qtbot.waitSignal(window.model.completed, timeout=30000):
        gate.open()
    assert window.model.complete
    assert list(window.model.ids) == expected
    assert window.model.rowCount() == hit_count(window.library, "l")
    assert window.count_label.text().startswith(f"{len(expected):,} of ")
    assert window.detail.paper_id == window.current_id() == expected[0]


def test_scrolling_past_the_first_screen_before_the_count_shows_the_next_hits_in_order(window, qtbot, monkeypatch):
    gate = Gate(monkeypatch)
    type_search(window, qtbot, "re")
    expected = ordered(window.library, search="re")
    for _ in range(3):
        window.table.scrollToBottom()  # the view asks for more rows at the bottom (fetchMore)
        qtbot.wait(50)
    shown = list(window.model.ids)
    assert len(shown) > hits.FIRST_SCREEN and not window.model.complete
    assert shown == expected[:len(shown)]
    qtbot.keyClick(window.table, Qt.Key_End, Qt.ControlModifier)  # the keyboard too
    with qtbot.waitSignal(window.model.completed, timeout=30000):
        gate.open()
    assert list(window.model.ids) == expected


def test_the_next_keystroke_cancels_the_first_searchs_hit_list(window, qtbot, monkeypatch):
    """The first search's whole list is a query that only an interrupt ends: the next keystroke must interrupt
    it (sqlite3_interrupt on the worker's connection), and the table ends up with the second search only."""
    real = hit_list.ordered_ids
    interrupted, emitted = [], []

    def first_never_ends(conn, f, dense=False):
        if f.search == "l":
            try:
                conn.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n)"
                             " SELECT COUNT(*) FROM n").fetchone()
            except sqlite3.OperationalError as exc:
                interrupted.append(str(exc))
                raise
        return real(conn, f, dense)

    monkeypatch.setattr(hit_list, "ordered_ids", first_never_ends)
    type_search(window, qtbot, "l")
    worker = window.model._worker
    worker.finished.connect(lambda generation, ids: emitted.append(generation))
    qtbot.waitUntil(lambda: worker._running is not None, timeout=5000)
    first_generation = window.model._generation
    type_search(window, qtbot, "e")
    qtbot.waitUntil(lambda: window.model.complete and not worker.busy(), timeout=30000)
    assert interrupted and "interrupt" in interrupted[0]
    assert first_generation not in emitted
    assert window.model.filter.search == "le"
    assert list(window.model.ids) == ordered(window.library, search="le")
    assert window.detail.paper_id in window.model.ids


def test_a_result_built_for_an_earlier_keystroke_is_never_shown(window, qtbot, monkeypatch):
    gate = Gate(monkeypatch)
    type_search(window, qtbot, "l")
    assert gate.started.wait(10)
    type_search(window, qtbot, "a")
    with qtbot.waitSignal(window.model.completed, timeout=30000):
        gate.open()
    qtbot.wait(200)  # anything else queued arrives
    assert window.model.filter.search == "la"
    assert list(window.model.ids) == ordered(window.library, search="la")
    assert "counting…" not in window.count_label.text()


def test_sorting_by_another_column_while_counting(window, qtbot, monkeypatch):
    gate = Gate(monkeypatch)
    type_search(window, qtbot, "l")
    year = query.COLUMN_KEYS.index("year")
    window.table.sortByColumn(year, Qt.DescendingOrder)
    expected = ordered(window.library, search="l", sort="date", descending=True)
    assert window.model.filter.sort == "date" and not window.model.complete
    assert list(window.model.ids) == expected[:hits.FIRST_SCREEN]
    # The detail pane shows the table's current record, one the first screen lists.
    assert window.detail.paper_id == window.current_id() and window.current_id() in window.model.ids
    with qtbot.waitSignal(window.model.completed, timeout=30000):
        gate.open()
    qtbot.wait(200)
    assert list(window.model.ids) == expected
    assert window.detail.paper_id == window.current_id() and window.current_id() in window.model.ids


def test_select_all_while_counting_selects_every_hit(window, qtbot, monkeypatch):
    Gate(monkeypatch)  # never opened: Ctrl+A builds the whole list itself
    type_search(window, qtbot, "l")
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key_A, Qt.ControlModifier)
    expected = ordered(window.library, search="l")
    assert window.model.complete and window.table.selected_ids() == expected


def test_a_header_click_while_counting_keeps_the_current_record_or_finds_it_when_counted(window, qtbot,
                                                                                         monkeypatch):
    gate = Gate(monkeypatch)
    type_search(window, qtbot, "l")
    window.table.setFocus()
    window.select_row(3)
    chosen = window.current_id()
    year = query.COLUMN_KEYS.index("year")
    header = window.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=header.viewport().rect().topLeft()
                     + QPoint(header.sectionViewportPosition(year) + 5, 5))
    assert window.model.filter.sort == "date" and not window.model.complete
    expected = ordered(window.library, search="l", sort="date", descending=window.model.filter.descending)
    assert list(window.model.ids) == expected[:hits.FIRST_SCREEN]
    assert chosen not in window.model.ids  # (this library's 4th title is far down by year)
    assert window.current_id() == expected[0]
    assert window.detail.paper_id == window.current_id()
    with qtbot.waitSignal(window.model.completed, timeout=30000):
        gate.open()
    assert list(window.model.ids) == expected
    assert window.current_id() == chosen and window.detail.paper_id == chosen


def test_the_previous_record_is_selected_again_when_the_whole_list_finds_it(window, qtbot, monkeypatch):
    expected = ordered(window.library, search="l")
    far = expected[-1]  # a hit beyond the first screen
    window.select_row(window.model.row_of(far))
    assert window.current_id() == far
    gate = Gate(monkeypatch)
    type_search(window, qtbot, "l")
    assert window.current_id() == expected[0]  # the first screen does not hold it yet
    with qtbot.waitSignal(window.model.completed, timeout=30000):
        gate.open()
    assert window.current_id() == far and window.detail.paper_id == far


def _title(library, pid):
    return library.conn.execute("SELECT title FROM papers WHERE id = ?", (pid,)).fetchone()[0]


def test_undo_and_redo_of_an_edit_while_a_search_is_counting_keep_the_table_true(window, qtbot, monkeypatch):
    gate = Gate(monkeypatch)
    type_search(window, qtbot, "l")
    gate.open()
    qtbot.waitUntil(lambda: window.model.complete, timeout=30000)
    # An edit of the third hit's title (the window's own edit, the detail pane's path), then Ctrl+Z and
    # Ctrl+Shift+Z on the table; each while the whole list is held back.
    victim = list(window.model.ids)[2]
    gate.opened.clear()
    old_title = _title(window.library, victim)
    window.edit_record(victim, {"title": "Zzz"})  # sorted by title: it moves to the end, if still a hit
    assert _title(window.library, victim) == "Zzz"
    still_hit = victim in ordered(window.library, search="l")  # its authors or abstract may hold an l-word

    def table_is_true():
        gate.open()
        qtbot.waitUntil(lambda: window.model.complete, timeout=30000)
        assert list(window.model.ids) == ordered(window.library, search="l")
        assert window.model.rowCount() == hit_count(window.library, "l")
        assert window.detail.paper_id in window.model.ids and window.detail.paper_id == window.current_id()
        gate.opened.clear()

    table_is_true()
    assert (victim in window.model.ids) == still_hit
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)
    assert _title(window.library, victim) == old_title
    table_is_true()
    assert victim in window.model.ids
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    assert _title(window.library, victim) == "Zzz"
    table_is_true()


def test_trash_and_undo_while_counting_keep_the_table_and_the_pane_true(window, qtbot, monkeypatch):
    gate = Gate(monkeypatch)
    type_search(window, qtbot, "l")
    window.table.setFocus()
    window.select_row(1)
    chosen = window.current_id()
    qtbot.keyClick(window.table, Qt.Key_Delete)  # while the whole list is still held back
    assert chosen not in window.model.ids
    assert list(window.model.ids) == ordered(window.library, search="l")[:len(window.model.ids)]
    assert window.detail.paper_id == window.current_id() and window.detail.paper_id in window.model.ids
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)
    assert chosen in window.model.ids
    with qtbot.waitSignal(window.model.completed, timeout=30000):
        gate.open()
    assert list(window.model.ids) == ordered(window.library, search="l")
    assert window.detail.paper_id == window.current_id() and window.detail.paper_id in window.model.ids


def test_export_of_the_view_while_counting_takes_every_hit(window, qtbot, monkeypatch):
    Gate(monkeypatch)  # never opened
    type_search(window, qtbot, "l")
    window.table.clearSelection()
    dialog = window.open_export(show=False)
    assert list(dialog.view_ids) == ordered(window.library, search="l")
    dialog.close()


def _click_row(window, qtbot, row: int) -> None:
    """A click on ``row`` as the librarian makes it (on the table's viewport, in the row's first cell)."""
    rect = window.table.visualRect(window.model.index(row, 0))
    qtbot.mouseClick(window.table.viewport(), Qt.LeftButton, pos=rect.center())


@pytest.mark.parametrize("row", [0, 3])
def test_a_row_chosen_while_counting_stays_chosen_when_the_count_arrives(window, qtbot, monkeypatch, row):
    """Seen on a 100,000-record library: a record current before the search, a 1-letter search typed, a row
    clicked while the count is on its way; when the count arrived the selection jumped back to the record of
    before the search. The librarian's choice stands: the table, the detail pane and the status bar stay on it.
    Row 0 is the first hit the table made current itself: clicking it is a choice all the same."""
    expected = ordered(window.library, search="l")
    far = expected[-1]  # current before the search, a hit beyond the first screen
    window.select_row(window.model.row_of(far))
    gate = Gate(monkeypatch)
    type_search(window, qtbot, "l")
    assert not window.model.complete and far not in window.model.ids
    _click_row(window, qtbot, row)
    chosen = expected[row]
    assert window.current_id() == chosen == window.detail.paper_id
    with qtbot.waitSignal(window.model.completed, timeout=30000):
        gate.open()
    qtbot.wait(100)  # anything queued behind the count arrives
    assert list(window.model.ids) == expected
    assert window.current_id() == chosen and window.table.selected_ids() == [chosen]
    assert window.detail.paper_id == chosen
    # The status bar: the whole count, no 'counting…', no multi-selection left over from anything else.
    assert window.count_label.text() == f"{len(expected):,} of {_visible(window):,} records"


def test_a_key_moving_the_selection_while_counting_is_a_choice_too(window, qtbot, monkeypatch):
    expected = ordered(window.library, search="l")
    far = expected[-1]
    window.select_row(window.model.row_of(far))
    gate = Gate(monkeypatch)
    type_search(window, qtbot, "l")
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key_Down)
    qtbot.keyClick(window.table, Qt.Key_Up)  # back on the first hit, by the librarian's hand
    assert window.current_id() == expected[0]
    with qtbot.waitSignal(window.model.completed, timeout=30000):
        gate.open()
    qtbot.wait(100)
    assert window.current_id() == expected[0] == window.detail.paper_id


def _visible(window) -> int:
    return window.library.conn.execute("SELECT COUNT(*) FROM visible_papers").fetchone()[0]


# --- a big tag: its first screen off the sort index, its whole list behind it ------------------------------

def _tag_every(library, n: int) -> int:
    from paperdesk.core import curation

    tag = curation.create_tag(library, "reading-list")
    with library.transaction() as conn:
        conn.execute("INSERT INTO paper_tags(paper_id, tag_id) SELECT id, ? FROM papers WHERE id % ? = 0", (tag, n))
    return tag


def _sqlites_own(library, f) -> list[int]:
    """The tag view's ids as SQLite orders them when left to itself (each tagged row fetched, then sorted)."""
    compiled = query.compile_filter(f, query.recent_since(library.conn))
    assert "+p.id" not in compiled.sql_where
    return [r[0] for r in library.conn.execute(
        f"SELECT p.id FROM {query.relation(f)} p WHERE {compiled.sql_where} ORDER BY {query.order_by(f)}",
        compiled.params)]


@pytest.mark.parametrize("sort,descending", [("title", False), ("first_author", True), ("date", False),
                                             ("sources_count", True), ("category", False)])
def test_a_big_tag_is_read_in_the_sort_indexs_order_with_the_same_result(big, small_screen, monkeypatch, sort,
                                                                         descending):
    monkeypatch.setattr(query, "MANY_MEMBERS", 100)
    tag = _tag_every(big, 7)  # 428 of 3,000: "many" here
    f = query.RecordFilter(view="tags", tag_ids=(tag,), sort=sort, descending=descending)
    expected = _sqlites_own(big, f)
    assert len(expected) > 2 * hits.FIRST_SCREEN
    found = hits.Hits(big.conn, f)
    ids = list(found.first())
    assert found.way == "members" and not found.complete and ids == expected[:hits.FIRST_SCREEN]
    while not found.complete:
        ids += found.more(37)
    assert ids == expected
    found.close()
    assert list(query.ordered_ids(big.conn, f)) == expected
    # The reason for it: the sort column's index is walked in order, no tagged row is fetched to be sorted.
    compiled = query.compile_filter(f, query.recent_since(big.conn), walk_members=True)
    plan = " | ".join(r[3] for r in big.conn.execute(
        f"EXPLAIN QUERY PLAN SELECT p.id FROM visible_papers p WHERE {compiled.sql_where}"
        f" ORDER BY {query.order_by(f)}", compiled.params))
    assert "USING INDEX idx_papers_" in plan and "TEMP B-TREE" not in plan, plan


def test_a_small_tag_and_every_tags_mode_keep_sqlites_own_result(big, monkeypatch):
    monkeypatch.setattr(query, "MANY_MEMBERS", 100)
    small = _tag_every(big, 101)  # 29 records: fetched and sorted, complete at once
    found = hits.Hits(big.conn, query.RecordFilter(view="tags", tag_ids=(small,)))
    assert list(found.first()) == _sqlites_own(big, found.filter) and found.complete and found.way == "whole"
    from paperdesk.core import curation

    other = curation.create_tag(big, "second")
    with big.transaction() as conn:
        conn.execute("INSERT INTO paper_tags(paper_id, tag_id) SELECT id, ? FROM papers WHERE id % 3 = 0", (other,))
    for mode in ("all", "any"):
        f = query.RecordFilter(view="tags", tag_ids=(small, other), tag_mode=mode, sort="date")
        assert query.many_members(big.conn, f)
        assert list(query.ordered_ids(big.conn, f)) == _sqlites_own(big, f)


def test_a_big_tag_in_the_window_shows_its_first_screen_then_every_record(window, qtbot, monkeypatch):
    monkeypatch.setattr(query, "MANY_MEMBERS", 100)
    tag = _tag_every(window.library, 7)
    window.sidebar.rebuild()
    gate = Gate(monkeypatch)
    item = window.sidebar.tag_items[tag]  # clicked as the librarian clicks it
    tree = window.sidebar.tree
    tree.scrollToItem(item)
    qtbot.mouseClick(tree.viewport(), Qt.LeftButton, pos=tree.visualItemRect(item).center())
    assert window.model.filter.view == "tags" and window.model.filter.tag_ids == (tag,)
    f = window.model.filter
    expected = _sqlites_own(window.library, f)
    assert not window.model.complete and list(window.model.ids) == expected[:hits.FIRST_SCREEN]
    assert window.detail.paper_id == window.current_id() == expected[0]
    assert "counting…" in window.count_label.text()
    with qtbot.waitSignal(window.model.completed, timeout=30000):
        gate.open()
    assert list(window.model.ids) == expected
    assert window.count_label.text().startswith(f"{len(expected):,} of ")


def test_a_sign_stands_while_a_typed_search_waits_for_its_first_screen(window, qtbot, monkeypatch):
    """The previous search's rows stay on screen until the new search's first screen is in: meanwhile the count
    says that a search is on its way, never the previous search's count as if it were this one's."""
    type_search(window, qtbot, "learning")
    qtbot.waitUntil(lambda: window.model.complete, timeout=30000)
    before = list(window.model.ids)
    assert before == ordered(window.library, search="learning")
    seen = []  # what the window showed while each first screen was fetched
    real_first = hits.Hits.first

    def first(self):
        seen.append(window.count_label.text())
        return real_first(self)

    monkeypatch.setattr(hits.Hits, "first", first)
    window.search.setFocus()
    window.search.end(False)
    qtbot.keyClicks(window.search, " model")  # the real line edit, key by key; the pause has not run out yet
    assert window.count_label.text() == "Searching for ‘learning model’…"
    assert list(window.model.ids) == before  # still the previous rows, now marked as such
    qtbot.waitUntil(lambda: window.model.filter.search == "learning model", timeout=5000)
    assert seen == ["Searching for ‘learning model’…"]  # the sign stood while the first screen was fetched
    qtbot.waitUntil(lambda: window.model.complete, timeout=30000)
    expected = ordered(window.library, search="learning model")
    assert expected and expected != before
    assert list(window.model.ids) == expected
    assert window.count_label.text() == f"{len(expected):,} of {_visible(window):,} records"
    # typed and taken back before the pause ran out: the count of the search shown, at once
    qtbot.keyClicks(window.search, "s")
    assert window.count_label.text() == "Searching for ‘learning models’…"
    qtbot.keyClick(window.search, Qt.Key_Backspace)
    assert window.count_label.text() == f"{len(expected):,} of {_visible(window):,} records"
    # emptied: every record, said as such until they are shown
    window.search.selectAll()
    qtbot.keyClick(window.search, Qt.Key_Delete)
    assert window.count_label.text() == "Showing every record…"
    qtbot.waitUntil(lambda: window.model.filter.search == "", timeout=5000)
    assert window.count_label.text() == f"{_visible(window):,} of {_visible(window):,} records"
