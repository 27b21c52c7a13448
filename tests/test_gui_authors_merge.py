"""The Authors view after a merge from the merge dialog, its Ctrl+Z and its redo: the figures it shows are what
SQLite holds, what the author page counts from the records, and what a full rebuild gives; no full recount."""

from __future__ import annotations

from PySide6.QtCore import Qt

from paperdesk.core import authors, merging

from conftest import disk

COLUMNS = "name, papers, first_author, year_min, year_max, coauthors, categories"


def view_rows(view) -> dict[str, tuple]:
    """Every row the view shows (all pages fetched), by name."""
    while view.model.canFetchMore():
        view.model.fetchMore()
    keys = COLUMNS.split(", ")
    return {row["name"]: tuple(row[k] for k in keys) for row in view.model.rows}


def assert_view_is_current(window, names):
    view = window.authors_view
    shown = view_rows(view)
    on_disk = {r[0]: r for r in disk(window.library, f"SELECT {COLUMNS} FROM author_stats")}
    assert shown == on_disk
    assert view.model.total == len(on_disk)
    for name in names:  # the author page counts from the records themselves
        data = authors.figures(window.library, name)
        assert shown[name][1:5] == (data["papers"], data["first_author_papers"], *data["years"]), name
        assert shown[name][6] == ", ".join(list(data["categories"])[:3]), name
    return shown


def wait_for_count(view, qtbot):
    qtbot.waitUntil(lambda: view.worker is None and view.model.rowCount() > 0, timeout=30000)


def test_authors_view_follows_a_merge_its_undo_and_redo(window, qtbot):
    window.show_duplicates()
    qtbot.waitUntil(lambda: window.duplicates.worker is None and bool(window.duplicates.groups), timeout=30000)
    group = window.duplicates.groups[0]
    names = sorted({n for (n,) in disk(window.library, "SELECT DISTINCT a.name FROM paper_authors pa JOIN authors a"
                                       " ON a.id = pa.author_id WHERE pa.paper_id IN (%s)"
                                       % ",".join(map(str, group.records)))})
    window.show_authors()
    view = window.authors_view
    wait_for_count(view, qtbot)  # the first count: a full build
    before = assert_view_is_current(window, names)
    full_rebuilds = []
    real = authors.refresh_stats
    authors.refresh_stats = lambda library: full_rebuilds.append(1) or real(library)
    try:
        window.show_duplicates()
        dialog = window.open_merge(group.records, [], show=False)
        dialog._accept()  # the dialog's Merge button
        survivor = disk(window.library, "SELECT id FROM papers WHERE id IN (%s) AND merged_into IS NULL"
                        % ",".join(map(str, group.records)))
        assert len(survivor) == 1
        window.show_authors()  # the view catches up on the merge when it comes on screen
        wait_for_count(view, qtbot)
        merged = assert_view_is_current(window, names)
        assert merged != before  # the copies count once now
        assert any(merged[n][1] < before[n][1] for n in names)
        assert authors.LAST_CATCH_UP["followed"] > 0  # by the merge's difference, not by recounting
        qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier)  # undo the merge, the view on screen
        assert disk(window.library, "SELECT COUNT(*) FROM papers WHERE merged_into IS NOT NULL") == [(0,)]
        qtbot.waitUntil(lambda: view.worker is None and view_rows(view) == before, timeout=30000)
        assert_view_is_current(window, names)
        window.redo_action.trigger()
        qtbot.waitUntil(lambda: view.worker is None and view_rows(view) == merged, timeout=30000)
        assert_view_is_current(window, names)
    finally:
        authors.refresh_stats = real
    assert full_rebuilds == []  # each change caught up on the touched authors only
    assert merging.merges_of(window.library, survivor[0][0])
    incremental = disk(window.library, f"SELECT {COLUMNS} FROM author_stats ORDER BY author_id")
    authors.refresh_stats(window.library)
    assert disk(window.library, f"SELECT {COLUMNS} FROM author_stats ORDER BY author_id") == incremental
