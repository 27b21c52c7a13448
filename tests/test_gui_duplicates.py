"""The duplicates queue and the merge dialog, driven offscreen, checked against the SQLite file."""

from __future__ import annotations


import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from paperdesk.core import merging
from paperdesk.gui.dialogs.bulk_merge import BulkMergeDialog
from paperdesk.gui.dialogs.merge import MergeDialog, word_diff_html
from conftest import disk

VARIANT = ("IRMar 4, 2023\nCompressed interaction graph-based framework for multi-behavior recommendations"
           "Wei Guo, Chang Meng, E. Yuan et al.\nMulti-types of user behavior data are recorded.\n")




def open_queue(w, qtbot):
    w.show_duplicates()
    qtbot.waitUntil(lambda: w.duplicates.worker is None and bool(w.duplicates.groups), timeout=20000)


def test_queue_scans_in_the_background_and_lists_groups_surest_first(window, qtbot):
    open_queue(window, qtbot)
    groups = window.duplicates.groups
    assert [g.confidence for g in groups[:8]] == ["certain"] * 8
    assert "8 certain" in window.duplicates.title.text()
    assert any(f"Duplicates  ({len(groups)})" in i.text(0) for i in window.sidebar._all_items())


def test_n_marks_not_duplicates_for_good(window, qtbot):
    open_queue(window, qtbot)
    first = window.duplicates.groups[0].records
    qtbot.keyClick(window.duplicates.list, Qt.Key_N)
    assert disk(window.library, "SELECT a, b, decision FROM decisions") == [(first[0], first[1], "distinct")]
    assert first not in [g.records for g in window.duplicates.groups]
    assert first not in [g.records for g in merging.scan(window.library)]  # a new scan agrees
    window.undo_action.trigger()
    assert disk(window.library, "SELECT COUNT(*) FROM decisions") == [(0,)]


def test_m_opens_the_merge_dialog_and_a_field_choice_lands_in_sqlite(window, qtbot, write_dump):
    window.library.import_file(write_dump(VARIANT, "variant.txt"))
    open_queue(window, qtbot)
    row = next(i for i, g in enumerate(window.duplicates.groups) if len(g.records) == 3)
    window.duplicates.list.setCurrentRow(row)
    ids = window.duplicates.groups[row].records
    qtbot.keyClick(window.duplicates.list, Qt.Key_M)
    dialog = next(d for d in QApplication.topLevelWidgets() if isinstance(d, MergeDialog) and d.isVisible())
    # take the variant's title (record 3), keep the rest, and edit the result's date by hand
    dialog.choices["title"].button(2).click()
    assert dialog.results["title"].text().startswith("Compressed interaction graph-based")
    dialog.results["date"].setText("2023-03-05")
    dialog.results["date"].textEdited.emit("2023-03-05")
    assert "2023-03-05" in dialog.preview.toHtml() and "@misc{" in dialog.bibtex.toPlainText()
    dialog._accept()
    survivor = ids[0]
    assert disk(window.library, "SELECT title, date FROM papers WHERE id = ?", survivor) == [
        ("Compressed interaction graph-based framework for multi-behavior recommendations", "2023-03-05")]
    assert disk(window.library, "SELECT COUNT(*) FROM papers WHERE merged_into = ?", survivor) == [(2,)]
    # the table, covered by the Duplicates page, reads its rows again when it shows (the count says so meanwhile)
    assert window.table.deferred and "counted again when the records show" in window.count_label.text()
    window.show_records()
    assert not window.table.deferred and window.model.rowCount() == 155 - 2
    assert sorted(window.model.ids) == [r[0] for r in disk(
        window.library, "SELECT id FROM papers WHERE merged_into IS NULL AND trashed_at IS NULL ORDER BY id")]
    assert "counted again" not in window.count_label.text()
    # the survivor's history offers Unmerge, which brings everything back (and is itself undoable)
    window.detail.show_paper(survivor)
    merges = merging.merges_of(window.library, survivor)
    window.unmerge(merges[0]["id"], survivor)
    assert disk(window.library, "SELECT COUNT(*) FROM papers WHERE merged_into IS NOT NULL") == [(0,)]
    assert disk(window.library, "SELECT title FROM papers WHERE id = ?", survivor)[0][0].startswith("Compressed Interaction")
    window.undo_action.trigger()  # undo the unmerge: merged again
    assert disk(window.library, "SELECT COUNT(*) FROM papers WHERE merged_into = ?", survivor) == [(2,)]


def test_merge_then_ctrl_z(window, qtbot):
    open_queue(window, qtbot)
    ids = window.duplicates.groups[0].records
    dialog = window.open_merge(ids, [], show=False)
    dialog._accept()
    assert disk(window.library, "SELECT COUNT(*) FROM papers WHERE merged_into IS NOT NULL") == [(1,)]
    qtbot.keyClick(window, Qt.Key_Z, Qt.ControlModifier)
    assert disk(window.library, "SELECT COUNT(*) FROM papers WHERE merged_into IS NOT NULL") == [(0,)]


def test_bulk_merge_of_certain_groups_with_an_untick_is_one_undo_step(window, qtbot):
    open_queue(window, qtbot)
    certain = [g for g in window.duplicates.groups if g.confidence == "certain"]
    dialog = window.bulk_merge(certain, show=False)
    assert isinstance(dialog, BulkMergeDialog) and dialog.list.count() == 8
    dialog.list.item(0).setCheckState(Qt.Unchecked)
    dialog._accept()
    assert disk(window.library, "SELECT COUNT(*) FROM papers WHERE merged_into IS NOT NULL") == [(7,)]
    window.show_records()
    assert window.model.rowCount() == 154 - 7
    window.undo_action.trigger()
    assert disk(window.library, "SELECT COUNT(*) FROM papers WHERE merged_into IS NOT NULL") == [(0,)]


def test_word_diff_highlights_only_the_differing_words():
    out = word_diff_html("Graph based framework", "Graph-based framework")
    assert "framework" in out and "background" in out and out.count("background") == 1


@pytest.mark.parametrize("in_child", [False, True], ids=["thread", "child process"])
def test_merge_undo_redo_catch_up_only_the_groups_they_reach(window, qtbot, monkeypatch, in_child):
    """M and the dialog's Merge, then Undo and Redo (their actions): after each, the page's catch-up returns only the groups
    of the records the change reached (not the queue), and the page then lists exactly what the library's
    stored queue and a full scan hold. The same with the work in a child process (as at a million records)."""
    from paperdesk.core import dupchild, dupstore
    from paperdesk.core.library import Library

    monkeypatch.setattr(dupchild, "CHILD_FROM", 0 if in_child else 10**9)
    sent = []
    run = dupchild.run
    monkeypatch.setattr(dupchild, "run", lambda *a, **k: sent.append(a[0]) or run(*a, **k))
    open_queue(window, qtbot)
    page = window.duplicates
    page.scan()  # a full scan's queue, stored
    qtbot.waitUntil(lambda: page.worker is None and page.scanned, timeout=20000)
    sent.clear()
    partial = []
    catch_up = dupstore.catch_up
    if not in_child:
        monkeypatch.setattr(dupstore, "catch_up", lambda *a, **k: partial.append(r := catch_up(*a, **k)) or r)
    else:
        monkeypatch.setattr(page, "_replace", lambda stored, f=page._replace: partial.append(stored) or f(stored))

    def settled_and_equal():
        qtbot.waitUntil(lambda: page.worker is None and not page.pending, timeout=20000)
        assert partial and partial[-1].changed is not None
        assert set(sent) == ({"catch-up"} if in_child else set())  # no full scan, no whole-queue read
        sent.clear()
        with Library(window.library.path) as other:
            stored = dupstore.load(other).groups
        assert shape(page.groups) == shape(stored) == shape(merging.scan(window.library))
        assert [g.records for g in page.groups] == [g.records for g in stored]  # in the queue's order
        assert [page.model.data(page.model.index(r)) for r in range(len(stored))] == \
            [page.model.text(r) for r in range(len(stored))]

    row = next(i for i, g in enumerate(page.groups) if len(g.records) == 2)
    page.list.setCurrentRow(row)
    records = page.groups[row].records
    qtbot.keyClick(page.list, Qt.Key_M)
    dialog = next(d for d in QApplication.topLevelWidgets() if isinstance(d, MergeDialog) and d.isVisible())
    dialog._accept()
    assert disk(window.library, "SELECT merged_into FROM papers WHERE id = ?", records[1]) == [(records[0],)]
    settled_and_equal()
    assert records not in [g.records for g in page.groups]
    window.undo_action.trigger()  # Ctrl+Z
    assert disk(window.library, "SELECT merged_into FROM papers WHERE id = ?", records[1]) == [(None,)]
    settled_and_equal()
    assert records in [g.records for g in page.groups]
    window.redo_action.trigger()  # Ctrl+Shift+Z
    assert disk(window.library, "SELECT merged_into FROM papers WHERE id = ?", records[1]) == [(records[0],)]
    settled_and_equal()
    assert records not in [g.records for g in page.groups]


def shape(groups):
    return sorted((g.confidence, tuple(g.records), round(g.score, 6), tuple(g.reasons)) for g in groups)
