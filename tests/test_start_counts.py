"""What the window counts at start-up, read off small indexes (a cold start at a million records must not read
the papers table), checked against plain SQL over the same library: the sidebar's view counts, the tag counts
with tagged records merged away and in the Trash, a large library's source counts arriving after the first rows,
and the per-author figures written a batch of authors at a time."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt

from paperdesk.core import authors, curation, merging, query, trash
from paperdesk.core.schema import VISIBLE


def _plain(lib, sql, *params):
    return lib.conn.execute(sql, params).fetchone()[0]


def _some_ids(lib, n, offset=0):
    return [r[0] for r in lib.conn.execute(f"SELECT id FROM papers WHERE {VISIBLE} ORDER BY id LIMIT ? OFFSET ?",
                                           (n, offset))]


def test_view_and_tag_counts_agree_with_sqlite_after_merges_and_the_trash(seeded):
    lib = seeded
    ids = _some_ids(lib, 12)
    red = curation.create_tag(lib, "red")
    blue = curation.create_tag(lib, "blue")
    curation.add_tag(lib, ids[:8], red)
    curation.add_tag(lib, ids[4:], blue)
    merging.merge(lib, ids[0], [ids[1], ids[5]])  # a tagged survivor keeps its tags; the merged ones are hidden
    trash.trash(lib, [ids[2], ids[9]])
    with lib.transaction() as conn:
        conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('recent_from_id', ?)", (str(ids[6]),))

    counts = query.view_counts(lib.conn)
    assert counts["all"] == _plain(lib, f"SELECT COUNT(*) FROM papers WHERE {VISIBLE}")
    assert counts["recent"] == _plain(lib, f"SELECT COUNT(*) FROM papers WHERE {VISIBLE} AND id >= ?", ids[6])
    assert counts["trash"] == 2 and counts["all"] == _plain(lib, "SELECT COUNT(*) FROM papers") - 4
    assert query.count_visible(lib.conn) == counts["all"]
    for tag in curation.tags(lib):
        assert tag["count"] == _plain(
            lib, "SELECT COUNT(*) FROM paper_tags pt JOIN papers p ON p.id = pt.paper_id"
                 f" WHERE pt.tag_id = ? AND p.{VISIBLE.replace(' AND ', ' AND p.')}", tag["id"])
    # red: 8 less two merged away and one trashed; blue: 8 less one merged and one trashed, plus the survivor,
    # which took the merged record's tag
    assert {t["name"]: t["count"] for t in curation.tags(lib)} == {"red": 5, "blue": 7}


def test_a_large_librarys_source_counts_wait_for_the_first_rows_then_match_sqlite(seeded, tmp_path, qtbot,
                                                                                  monkeypatch):
    from paperdesk.gui import main_window, sidebar as sidebar_mod

    monkeypatch.setattr(sidebar_mod, "SOURCE_COUNTS_IN_BACKGROUND", 1)  # the seeds count as a large library
    monkeypatch.setattr(main_window, "SOURCE_COUNTS_DELAY_MS", 300)
    trash.trash(seeded, _some_ids(seeded, 3))
    window = main_window.MainWindow(seeded, QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(window)

    def source_labels():
        return {i.data(0, Qt.UserRole + 1): i.text(0) for i in window.sidebar._all_items()
                if i.data(0, Qt.UserRole) == "source"}

    # Built with the window: no count yet, and none pretended.
    assert window.sidebar._counting is None
    assert source_labels() and all(label.endswith("(…)") for label in source_labels().values())
    window.show()
    qtbot.waitUntil(lambda: not any(label.endswith("(…)") for label in source_labels().values()), timeout=10000)
    expected = query.source_counts(seeded.conn)
    for source_id, label in source_labels().items():
        assert label.endswith(f"({expected.get(source_id, 0)})")
    assert sum(expected.values()) > 0


def test_the_window_keeps_a_small_page_cache(window):
    from paperdesk.gui.main_window import WINDOW_CACHE_MB

    assert _plain(window.library, "PRAGMA cache_size") == -1024 * WINDOW_CACHE_MB


def test_top_categories_written_a_batch_at_a_time_equal_those_written_at_once(seeded, monkeypatch):
    rows = "SELECT author_id, name, papers, first_author, year_min, year_max, coauthors, categories" \
           " FROM author_stats ORDER BY author_id"
    authors.refresh_stats(seeded)
    at_once = seeded.conn.execute(rows).fetchall()
    assert sum(1 for r in at_once if r[7] and ", " in r[7]) > 1  # authors with several categories
    monkeypatch.setattr(authors, "TOP_CATEGORIES_BATCH", 2)
    with seeded.transaction() as conn:
        conn.execute("UPDATE author_stats SET categories = NULL")
    authors.refresh_stats(seeded)
    assert seeded.conn.execute(rows).fetchall() == at_once
