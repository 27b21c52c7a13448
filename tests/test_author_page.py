"""The author page: charts agree with the core's figures, a bar click filters the table, a clean exit."""

from __future__ import annotations

import subprocess
import sys


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
    assert names == sorted(names, key=str.lower)
    view._open(names.index("Fajie Yuan"))
    assert window.stack.currentWidget() is window.author_page and window.author_page.name == "Fajie Yuan"
