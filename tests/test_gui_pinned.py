"""A pinned .bib in the desktop app (issue 14): File › Keep a .bib in sync, then the file follows an edit, a
merge and an undo, written in the background; the sidebar lists it with its last write. Each step waits for the
file itself (a condition, with room for a loaded machine: a write spawns processes), never for a time."""

from __future__ import annotations

import bibtexparser
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog

from paperdesk.gui.dialogs.merge import MergeDialog


LOADED = 60_000  # ms: how long a step may take on a machine busy with other work before the test gives up


def entries(path) -> dict:
    parsed = bibtexparser.parse_string(path.read_text("utf-8"))
    assert parsed.failed_blocks == []
    return {e.key: e for e in parsed.entries}


def test_pinned_bib_follows_an_edit_a_merge_and_an_undo(window, qtbot, tmp_path, monkeypatch):
    target = tmp_path / "refs.bib"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), "BibTeX (*.bib)"))
    window.actions_by_name["pin_export"].trigger()
    qtbot.waitUntil(lambda: target.exists() and len(entries(target)) == 154, timeout=LOADED)

    def label():  # the sidebar shows the write when the worker's signal arrives, a moment after the rename
        found = [i.text(0) for i in window.sidebar._all_items() if i.text(0).startswith("refs.bib")]
        return found[0] if found else ""

    qtbot.waitUntil(lambda: "154" in label(), timeout=LOADED)

    # An edit (the citation key, by hand in the detail pane): in the file soon after.
    window.select_row(0)
    pid = window.current_id()
    window.detail.citekey.setText("pinnedEdit2026")
    window.detail.citekey.editingFinished.emit()
    qtbot.waitUntil(lambda: "pinnedEdit2026" in entries(target), timeout=LOADED)

    # Its undo: the old key is back in the file.
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: "pinnedEdit2026" not in entries(target) and len(entries(target)) == 154, timeout=LOADED)

    # A merge (M in the duplicates queue): the merged-away record leaves the file; undo brings it back.
    window.show_duplicates()
    qtbot.waitUntil(lambda: window.duplicates.worker is None and bool(window.duplicates.groups), timeout=LOADED)
    window.duplicates.list.setCurrentRow(0)
    merged = len(window.duplicates.groups[0].records) - 1
    qtbot.keyClick(window.duplicates.list, Qt.Key_M)
    dialog = next(d for d in QApplication.topLevelWidgets() if isinstance(d, MergeDialog) and d.isVisible())
    dialog._accept()
    qtbot.waitUntil(lambda: len(entries(target)) == 154 - merged, timeout=LOADED)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: len(entries(target)) == 154, timeout=LOADED)
    assert pid in [r[0] for r in window.library.conn.execute("SELECT id FROM papers")]
    qtbot.waitUntil(lambda: window.pinned.thread is None, timeout=LOADED)
    pins = window.pinned.pins()
    assert len(pins) == 1 and pins[0].last_error is None and pins[0].last_count == 154
