"""The Duplicates queue follows an edit made in the detail pane while the window is still reading (and catching
up) the queue the library holds: the edited record's pair is scored again, and the page shows its new score and
reasons, not those of the last scan. After the edit, its undo and its redo the page is compared with what the
library stores (read on a connection of its own) and with a full scan then, scores and reasons included. While
the reading catches up, the page's heading and its bar tell the same story."""

from __future__ import annotations

import threading

from PySide6.QtCore import QSettings, Qt

from conftest import SEED_CAPTURED
from paperdesk.core import dupstore, merging
from paperdesk.core.library import Library
from paperdesk.gui.duplicates_page import CATCHING_UP
from paperdesk.gui.main_window import MainWindow


def shape(groups):
    return sorted((g.confidence, tuple(g.records), round(g.score, 6), tuple(g.reasons)) for g in groups)


def settled(window, qtbot):
    page = window.duplicates
    qtbot.waitUntil(lambda: page.loaded and page.worker is None and not page.pending and not page.full_wanted
                    and not page.catch_up_wanted, timeout=60000)


def check(window):
    """What the page shows (scores and reasons too) is what the library stores, and what a full scan finds now."""
    page = window.duplicates
    with Library(window.library.path) as own:
        stored = dupstore.load(own)
        scanned = merging.scan(own)
    assert shape(page.groups) == shape(stored.groups) == shape(scanned)
    assert shape(page.model.groups) == shape(page.groups) and page.list.count() == len(page.groups)
    return page.groups


def header(window, records):
    """The list's own line for the group holding ``records`` (None: no such group shown)."""
    page = window.duplicates
    for row in range(page.list.count()):
        if set(records) <= set(page.model.groups[row].records):
            return page.model.text(row).splitlines()[0]
    return None


def test_an_edit_made_while_the_stored_queue_is_read_is_scored_again(seeded, tmp_path, qtbot, duplicating_dump,
                                                                     monkeypatch, request):
    stored = dupstore.scan_all(seeded)
    pair = next(g.records for g in stored.groups if len(g.records) == 2 and g.score == 100
                and sum(1 for h in stored.groups if set(h.records) & set(g.records)) == 1)
    # records arrive after the scan (another window's import): the window's reading of the queue catches up
    path, _ = duplicating_dump(seeded)
    seeded.import_file(path, SEED_CAPTURED)
    # the catch-up stops at its first step until the test lets it go on (a large library's seconds)
    gate, reached = threading.Event(), threading.Event()
    request.addfinalizer(gate.set)  # never a worker left waiting
    real = merging.scan_new_pairs

    def slow(library, ids, *args, progress=None, **kwargs):
        def held(stage, done, total):
            if progress is not None:
                progress(stage, done, total)
            if threading.current_thread() is not threading.main_thread() and not gate.is_set():
                reached.set()
                assert gate.wait(60)
        return real(library, ids, *args, progress=held, **kwargs)

    monkeypatch.setattr(merging, "scan_new_pairs", slow)
    window = MainWindow(Library(seeded.path), QSettings(str(tmp_path / "w.ini"), QSettings.IniFormat))
    qtbot.addWidget(window)
    window.show()
    page = window.duplicates
    headings = []  # what each scan the page starts says it does
    start = page._start
    monkeypatch.setattr(page, "_start", lambda ids, title, load=False: (headings.append(title),
                                                                       start(ids, title, load)))
    qtbot.waitUntil(reached.is_set, timeout=30000)
    # the heading and the bar tell the same story: the groups are being brought up to date, records compared
    qtbot.waitUntil(lambda: page.bar.format() not in ("", "Starting…"), timeout=10000)
    assert page.title.text() == CATCHING_UP and "changed since" in page.title.text()

    # meanwhile the librarian edits one record of the pair in the detail pane: title and one author
    edited = pair[0]
    window.select_row(window.model.row_of(edited))
    qtbot.waitUntil(lambda: window.detail.detail is not None and window.detail.detail["id"] == edited)
    old_title = window.detail.title.toPlainText()
    window.detail.title.setFocus()
    qtbot.keyClick(window.detail.title, Qt.Key_End, Qt.ControlModifier)
    qtbot.keyClicks(window.detail.title, " Edited")
    qtbot.keyClick(window.detail.title, Qt.Key_Return)
    assert seeded.conn.execute("SELECT title FROM papers WHERE id = ?", (edited,)).fetchone()[0] == \
        old_title + " Edited"
    gate.set()
    settled(window, qtbot)
    check(window)
    # the scan that followed the reading said what it did: an edited record is not a new one
    assert headings[-1] == "Duplicates — looking for duplicates of 1 changed record…", headings
    after_edit = header(window, pair)
    assert after_edit is not None and "title 100%" not in after_edit  # the new score, not the last scan's
    assert "edited" in after_edit  # the reason against: one title adds a word

    # Ctrl+Z: the pair as the last scan had it; Ctrl+Shift+Z: as edited again
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)
    assert seeded.conn.execute("SELECT title FROM papers WHERE id = ?", (edited,)).fetchone()[0] == old_title
    settled(window, qtbot)
    check(window)
    assert "title 100%" in header(window, pair)
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)
    settled(window, qtbot)
    check(window)
    assert header(window, pair) == after_edit

    # an export elsewhere writes the citation keys records lack: the queue stays current (no full scan due)
    from paperdesk.core.export import keys

    shown = shape(page.groups)
    with Library(seeded.path) as other:
        assert keys.ensure_keys(other, None, keys.DEFAULT_PATTERN) > 0
    window._check_outside_changes()  # the window's poll for changes made elsewhere
    assert not page.stale and not page.full_wanted and not (page.worker is not None and page.worker.whole)
    settled(window, qtbot)
    assert not page.stale and shape(check(window)) == shown
    assert "Scan again brings them up to date" not in page.title.text()
    window.close()
