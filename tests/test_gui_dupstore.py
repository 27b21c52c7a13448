"""The Duplicates queue survives closing and reopening the window (core/dupstore.py keeps it in the library), and
stays true through a merge, its undo, an import and an edit and its undo: after each, the page and the sidebar's count are compared
with what the library stores (read on a connection of its own) and with a full scan of the library then."""

from __future__ import annotations

import threading

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from paperdesk.core import curation, dupstore, merging
from paperdesk.core.library import Library
from paperdesk.gui.dialogs.merge import MergeDialog
from paperdesk.gui.main_window import MainWindow
from test_gui_import_duplicates import import_through_the_menu


def shape(groups):
    return sorted((g.confidence, tuple(g.records)) for g in groups)


def sidebar_count(window):
    return next(i.text(0) for i in window.sidebar._all_items() if i.text(0).startswith("Duplicates"))


def settled(window, qtbot):
    page = window.duplicates
    qtbot.waitUntil(lambda: page.worker is None and not page.pending and not page.full_wanted
                    and not page.catch_up_wanted, timeout=30000)


def check(window):
    """The page shows what the library stores, which is what a full scan finds now; the sidebar says as many."""
    page = window.duplicates
    with Library(window.library.path) as own:
        stored = dupstore.load(own)
        scanned = merging.scan(own)
    assert shape(page.groups) == shape(stored.groups) == shape(scanned)
    assert page.list.count() == len(page.groups)
    assert sidebar_count(window) == f"Duplicates  ({len(page.groups):,})"
    return shape(page.groups)


def open_window(path, tmp_path, qtbot, name):
    w = MainWindow(Library(path), QSettings(str(tmp_path / f"{name}.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    w.show()
    return w


def test_the_queue_comes_back_after_a_restart_and_follows_merge_undo_and_import(
        seeded, tmp_path, qtbot, duplicating_dump, monkeypatch):
    path = seeded.path
    scans = []
    real = merging.scan_pairs

    def counted(*args, **kwargs):  # the window's workers' full scans, not the test's own
        if threading.current_thread() is not threading.main_thread():
            scans.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(merging, "scan_pairs", counted)
    window = open_window(path, tmp_path, qtbot, "first")
    window.actions_by_name["show_duplicates"].trigger()  # Ctrl+D: nothing stored yet, so a full scan
    settled(window, qtbot)
    assert window.duplicates.scanned and window.duplicates.groups
    check(window)
    # a merge from the queue (M, then the merge dialog's Merge)
    page = window.duplicates
    page.list.setCurrentRow(0)
    merged = page.groups[0].records
    qtbot.keyClick(page.list, Qt.Key_M)
    dialog = next(d for d in QApplication.topLevelWidgets() if isinstance(d, MergeDialog) and d.isVisible())
    dialog._accept()
    settled(window, qtbot)
    after_merge = check(window)
    assert not any(set(merged[1:]) & set(records) for _, records in after_merge)
    # its undo (Ctrl+Z)
    window.undo_action.trigger()
    settled(window, qtbot)
    assert any(set(merged) <= set(records) for _, records in check(window))
    # an import through the menu: its new records' groups join the queue
    dump, copied = duplicating_dump(window.library)
    import_through_the_menu(window, qtbot, dump, monkeypatch)
    settled(window, qtbot)
    check(window)
    # an edit of a title in the detail pane takes the record out of its pair; Ctrl+Z puts it back
    pair = next(g.records for g in page.groups if len(g.records) == 2
                and sum(1 for h in page.groups if set(h.records) & set(g.records)) == 1)
    window.show_duplicates()  # the pane edits the record it shows: the pair's first, its group chosen
    page.list.setCurrentRow(next(i for i, g in enumerate(page.groups) if g.records == pair))
    assert window.detail.paper_id == pair[0]
    window.detail.editRequested.emit(pair[0], {"title": "A Title Nothing Else In This Library Resembles"})
    settled(window, qtbot)
    assert not any(set(pair) <= set(records) for _, records in check(window))
    window.undo_action.trigger()
    settled(window, qtbot)
    assert any(set(pair) <= set(records) for _, records in check(window))
    # an author-name merge from an author page: the queue catches up from the library, no full scan
    member = page.groups[0].records[0]
    name = curation.authors_of(window.library, member)[0]
    keep = next(n for g in page.groups[1:] for n in curation.authors_of(window.library, g.records[0])[:1] if n != name)
    full_before = page.scanned
    window.author_page.mergeNamesRequested.emit(keep, [name])
    settled(window, qtbot)
    assert curation.authors_of(window.library, member)[0] == keep
    assert not page.stale and page.scanned == full_before and scans == [1]  # Ctrl+D's, no other
    before_restart = check(window)
    assert "new records" in page.title.text()
    window.close()
    # reopened: the same groups, read from the library without a scan
    again = open_window(path, tmp_path, qtbot, "second")
    qtbot.waitUntil(lambda: again.duplicates.loaded, timeout=30000)
    settled(again, qtbot)
    assert sidebar_count(again) == f"Duplicates  ({len(before_restart):,})"
    again.actions_by_name["show_duplicates"].trigger()
    settled(again, qtbot)
    assert check(again) == before_restart and scans == [1]  # none since the first window's
    assert again.duplicates.scanned and "new records" in again.duplicates.title.text()
    again.close()
