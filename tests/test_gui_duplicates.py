"""The duplicates queue and the merge dialog, driven offscreen, checked against the SQLite file."""

from __future__ import annotations


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
    assert window.model.rowCount() == 155 - 2
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
    assert window.model.rowCount() == 154 - 7
    window.undo_action.trigger()
    assert disk(window.library, "SELECT COUNT(*) FROM papers WHERE merged_into IS NOT NULL") == [(0,)]


def test_word_diff_highlights_only_the_differing_words():
    out = word_diff_html("Graph based framework", "Graph-based framework")
    assert "framework" in out and "background" in out and out.count("background") == 1
