"""The author page: charts agree with the core's figures, a bar click filters the table, a clean exit."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt

from paperdesk.core import authors




def test_author_page_charts_match_the_figures_and_a_bar_click_filters_the_table(window, tmp_path):
    window.show_author("Hao Gu")
    page = window.author_page
    data = authors.figures(window.library, "Hao Gu")
    assert page.data == data and "22 papers" in page.summary.text() and "h-index 30" in page.summary.text()
    per_year = page.charts["per_year"]
    drawn = {}
    for x0, x1, y0, y1, tip, sel in per_year.bars:
        drawn[str(sel["year"])] = drawn.get(str(sel["year"]), 0) + round(y1 - y0)
    assert drawn == {y: sum(c.values()) for y, c in data["per_year"].items()}
    positions = page.charts["positions"]
    assert [round(b[3] - b[2]) for b in positions.bars] == [data["positions"][k] for k in
                                                             ("first", "second", "third", "beyond")]
    # click the "beyond the shown names" bar: the table shows exactly the profile-only papers
    positions.click_bar(3)
    assert window.stack.currentWidget() is window.table
    assert sorted(window.model.ids) == sorted(authors.paper_ids(window.library, "Hao Gu", position="beyond"))
    assert window.model.rowCount() == data["positions"]["beyond"] == 11
    for kind in ("png", "svg"):
        page.charts["categories"].export(str(tmp_path / f"c.{kind}"))
        assert (tmp_path / f"c.{kind}").stat().st_size > 500


def test_snapshot_of_an_author_page_exits_cleanly(seeded, tmp_path):
    out = tmp_path / "author.png"
    done = subprocess.run([sys.executable, "-m", "paperdesk", "snapshot", str(out), "--db", str(seeded.path),
                           "--view", "author:Hao Gu"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Fatal" not in done.stderr and out.stat().st_size > 10000


def test_authors_view_counts_in_the_background_then_opens_an_author(window, qtbot):
    window.show_authors()
    view = window.authors_view
    qtbot.waitUntil(lambda: view.worker is None and view.model.rowCount() > 0, timeout=20000)
    assert view.model.rows[0]["name"] == "Hao Gu" and view.model.rows[0]["papers"] == 22  # profile papers count
    assert view.model.total == window.library.conn.execute(
        "SELECT COUNT(DISTINCT author_id) FROM paper_authors").fetchone()[0]
    view.search.setText("yuan")
    view._search()
    assert all("yuan" in r["name"].lower() for r in view.model.rows) and view.model.rows
    view.table.sortByColumn(0, Qt.AscendingOrder)
    names = [r["name"] for r in view.model.rows]
    assert names == sorted(names, key=lambda n: (n.split()[-1].lower(), n.lower()))  # by surname, then name
    view._open(names.index("Fajie Yuan"))
    assert window.stack.currentWidget() is window.author_page and window.author_page.name == "Fajie Yuan"


def test_merge_two_name_variants_from_the_author_page_and_undo(window):
    window.show_author("Xiaoxiao Xu")
    page = window.author_page
    before = page.data["papers"]
    variants = authors.name_variants(window.library, "Xiaoxiao Xu")
    assert [v["name"] for v in variants] == ["XiaoXiao Xu"]
    buttons = [page.variants.itemAt(i).widget() for i in range(page.variants.count())
               if page.variants.itemAt(i).widget() is not None]
    next(b for b in buttons if b.text() == "Merge into Xiaoxiao Xu").click()
    assert authors.figures(window.library, "Xiaoxiao Xu")["papers"] == before + 1 == page.data["papers"]
    assert authors.figures(window.library, "XiaoXiao Xu")["papers"] == 0
    assert window.library.events("author-merge")
    window.undo_action.trigger()
    assert authors.figures(window.library, "Xiaoxiao Xu")["papers"] == before
    assert authors.figures(window.library, "XiaoXiao Xu")["papers"] == 1


def test_homonyms_marked_as_different_people_are_not_proposed_again(window):
    window.show_author("Xiaoxiao Xu")
    window.different_people("Xiaoxiao Xu", "XiaoXiao Xu")
    assert authors.name_variants(window.library, "Xiaoxiao Xu") == []
    window.undo_action.trigger()
    assert authors.name_variants(window.library, "Xiaoxiao Xu")


def test_compare_two_authors_on_the_same_axes(window, qtbot):
    window.show_authors()
    view = window.authors_view
    qtbot.waitUntil(lambda: view.worker is None and view.model.rowCount() > 0, timeout=20000)
    from PySide6.QtCore import QItemSelection, QItemSelectionModel

    names = [view.model.name_at(0), view.model.name_at(1)]
    selection = QItemSelection()
    for row in (0, 1):
        selection.select(view.model.index(row, 0), view.model.index(row, view.model.columnCount() - 1))
    view.table.selectionModel().select(selection, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
    view.compare_button.click()
    compare = window.compare_view
    assert window.stack.currentWidget() is compare and compare.names == names
    for name in names:
        figures = authors.figures(window.library, name)
        xs, ys = compare.curves[name][0].getData()
        drawn = {int(x): int(y) for x, y in zip(xs, ys) if y == y}  # NaN: a year without papers, left empty
        assert drawn == {int(y): sum(c.values()) for y, c in figures["per_year"].items()}


def test_a_listing_without_header_gets_its_subject_author_confirmed_from_the_sidebar(window):
    source = next(s for s in window.library.sources() if s["file_name"].startswith("001"))
    proposal = authors.propose_subject(window.library, source["id"])
    assert proposal == {"name": "Fajie Yuan", "records": 17, "of": 22}
    before = authors.figures(window.library, "Fajie Yuan")["papers"]
    window.decide_subject(source["id"], "Fajie Yuan", True)
    after = authors.figures(window.library, "Fajie Yuan")
    assert after["papers"] == 22 and after["from_profile_papers"] == 22 - before and after["profile"] is None
    assert any("— Fajie Yuan" in i.text(0) for i in window.sidebar._all_items())
    window.undo_action.trigger()
    assert authors.figures(window.library, "Fajie Yuan")["papers"] == before
    window.decide_subject(source["id"], "Fajie Yuan", False)
    assert authors.figures(window.library, "Fajie Yuan")["papers"] == before


def test_author_page_opens_from_the_records_table(window):
    window.search.setText("leanvae")
    window._apply_search()
    window.select_row(0)
    assert window.detail.detail["authors"] == ["Yu Cheng", "Fajie Yuan"]
    window.open_author_of_current(1)
    assert window.stack.currentWidget() is window.author_page and window.author_page.name == "Fajie Yuan"


def test_authors_view_follows_an_edit_and_its_undo_without_a_full_recount(window, qtbot):
    from paperdesk.core import curation

    window.show_authors()
    view = window.authors_view
    qtbot.waitUntil(lambda: view.worker is None and view.model.rowCount() > 0, timeout=20000)
    total = view.model.total
    pid = window.model.id_at(0)
    names = curation.authors_of(window.library, pid)
    full_rebuilds = []
    real = authors.refresh_stats
    authors.refresh_stats = lambda library: full_rebuilds.append(1) or real(library)
    try:
        window.edit_record(pid, {"authors": names + ["Zed Newname"]})
        qtbot.waitUntil(lambda: view.worker is None and view.model.total == total + 1, timeout=20000)
        assert authors.authors_page(window.library, "Zed Newname")[1][0]["papers"] == 1
        assert view.title.text() == f"Authors — {total + 1:,}"
        counting = view._counting_library  # the background counts' connection, kept warm between them
        assert counting is not None and counting.conn is not window.library.conn
        window.undo_action.trigger()
        qtbot.waitUntil(lambda: view.worker is None and view.model.total == total, timeout=20000)
        assert authors.authors_page(window.library, "Zed Newname")[0] == 0
        assert view._counting_library is counting
    finally:
        authors.refresh_stats = real
    assert full_rebuilds == []  # caught up on the touched authors only
    assert authors.stats_are_current(window.library)
    view.stop()  # as when the window closes: the kept connection is closed
    assert view._counting_library is None
    with pytest.raises(sqlite3.ProgrammingError):
        counting.conn.execute("SELECT 1")
