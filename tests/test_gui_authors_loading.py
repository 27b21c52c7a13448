"""The Authors view says it is counting, at once, while the per-author figures are brought up to date (also when
the count began behind the first screen before the view was opened), and shows SQLite's figures after."""

from __future__ import annotations

from paperdesk.core import authors
from conftest import disk


def test_the_authors_view_shows_a_counting_sign_until_the_figures_arrive(window, qtbot):
    view = window.authors_view
    assert not authors.stats_are_current(window.library)  # a library fresh from its import: nothing counted yet
    view.prepare()  # the count the window starts behind its first screen
    assert view.worker is not None
    window.actions_by_name["show_authors"].trigger()
    # before the count's result is delivered (the event loop has not run): the sign is there, not a bare table
    assert window.stack.currentWidget() is view and view.model.rowCount() == 0
    assert "counting" in view.title.text() and view.busy.isVisible()
    qtbot.waitUntil(lambda: view.worker is None and not view.busy.isVisible(), timeout=30000)
    total = disk(window.library, "SELECT COUNT(*) FROM author_stats WHERE papers > 0")[0][0]
    assert total > 0 and view.title.text() == f"Authors — {total:,}"
    first = disk(window.library, "SELECT name FROM author_stats WHERE papers > 0 ORDER BY papers DESC, author_id LIMIT 1")
    assert view.model.rowCount() > 0 and view.model.name_at(0) == first[0][0]
