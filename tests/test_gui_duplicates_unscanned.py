"""A library never scanned for duplicates says so in the sidebar ("not scanned yet"), never a count of 0 that no
scan found; opening the Duplicates page (Ctrl+D) scans it, and the count is then the groups SQLite holds."""

from __future__ import annotations

from paperdesk.core import dupstore


def duplicates_entry(window) -> str:
    item = window.sidebar.duplicates_item
    return item.text(0)


def test_a_library_never_scanned_says_so_until_its_scan(window, qtbot):
    assert not dupstore.has_results(window.library)  # the seeded library: imported, never scanned
    qtbot.waitUntil(lambda: window.duplicates.load_tried, timeout=10000)
    assert duplicates_entry(window) == "Duplicates  (not scanned yet)"
    assert "not been looked through for duplicates yet" in window.sidebar.duplicates_item.toolTip(0)
    window.actions_by_name["show_duplicates"].trigger()  # Ctrl+D: the page scans the library
    assert window.stack.currentWidget() is window.duplicates
    qtbot.waitUntil(lambda: window.duplicates.scanned and window.duplicates.worker is None, timeout=60000)
    stored = dupstore.load(window.library)  # what the library now holds, read on its own
    assert stored is not None and stored.whole
    assert len(stored.groups) > 0
    qtbot.waitUntil(lambda: duplicates_entry(window) == f"Duplicates  ({len(stored.groups):,})", timeout=10000)
    assert window.duplicates.model.rowCount() == len(stored.groups)


def test_a_scan_under_way_says_looking_and_a_cancelled_one_says_not_scanned(window, qtbot):
    qtbot.waitUntil(lambda: window.duplicates.load_tried, timeout=10000)
    window.actions_by_name["show_duplicates"].trigger()
    assert window.duplicates.worker is not None and window.duplicates.worker.whole
    assert duplicates_entry(window) == "Duplicates  (looking…)"
    window.duplicates.cancel_scan()
    qtbot.waitUntil(lambda: window.duplicates.worker is None, timeout=60000)
    if not window.duplicates.scanned:  # the scan may have finished before the cancel reached it
        assert duplicates_entry(window) == "Duplicates  (not scanned yet)"
        assert not dupstore.has_results(window.library)
    else:
        assert duplicates_entry(window) == f"Duplicates  ({len(dupstore.load(window.library).groups):,})"


def test_a_library_scanned_before_shows_its_count_at_start(seeded, tmp_path, qtbot):
    from PySide6.QtCore import QSettings

    from paperdesk.gui.main_window import MainWindow

    stored = dupstore.scan_all(seeded)
    w = MainWindow(seeded, QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: duplicates_entry(w) == f"Duplicates  ({len(stored.groups):,})", timeout=30000)
