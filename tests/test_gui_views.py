"""Every view tells the truth after do, undo and redo: what the table, the status bar's "N of M", the sidebar
and the duplicates queue show is compared with SQLite. The actions are triggered themselves (Ctrl+Z is the
Undo action's shortcut, Ctrl+Shift+Z Redo's)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt

from paperdesk.gui import commands


def sql(library, query, *params):
    return library.conn.execute(query, params).fetchall()


def undo(window, qtbot):
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)


def redo(window, qtbot):
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)


def sidebar_count(window, kind, value=None) -> int:
    for item in window.sidebar._all_items():
        if item.data(0, Qt.UserRole) == kind and (value is None or item.data(0, Qt.UserRole + 1) == value):
            return int(re.search(r"\(([\d,]+)\)\s*$", item.text(0)).group(1).replace(",", ""))
    raise AssertionError(f"no sidebar entry {kind} {value}")


def check_consistent(window):
    lib = window.library
    if window.table.deferred:
        # changed while another page (the Duplicates queue) covered the table: the count says it is from
        # before, and the table reads its rows again when it shows
        assert "counted again when the records show" in window.count_label.text()
        page = window.stack.currentWidget()
        window.show_records()
        assert not window.table.deferred and "counted again" not in window.count_label.text()
        check_consistent(window)
        if page is window.duplicates:
            window.show_duplicates()
        return
    visible = sql(lib, "SELECT COUNT(*) FROM papers WHERE merged_into IS NULL")[0][0]
    assert window.model.total == visible
    assert window.model.rowCount() == len(window.model.ids)
    if window.model.filter.view == "all" and not window.model.filter.search:
        assert window.model.rowCount() == visible
        assert sorted(window.model.ids) == [r[0] for r in sql(
            lib, "SELECT id FROM papers WHERE merged_into IS NULL ORDER BY id")]
    assert f"of {visible:,} records" in window.count_label.text()
    assert f"{window.model.rowCount():,} of" in window.count_label.text()
    assert sidebar_count(window, "all") == visible
    assert sidebar_count(window, "review") == sql(
        lib, "SELECT COUNT(*) FROM papers WHERE merged_into IS NULL AND needs_review = 1")[0][0]
    for tag_id, item in window.sidebar.tag_items.items():
        shown = int(re.search(r"\(([\d,]+)\)\s*$", item.text(0)).group(1).replace(",", ""))
        assert shown == sql(lib, "SELECT COUNT(*) FROM paper_tags pt JOIN papers p ON p.id = pt.paper_id"
                                 " WHERE pt.tag_id = ? AND p.merged_into IS NULL", tag_id)[0][0]
    assert set(window.sidebar.tag_items) == {r[0] for r in sql(lib, "SELECT id FROM tags")}
    for (source_id,) in sql(lib, "SELECT id FROM sources"):
        listed = {r[0] for r in sql(lib, "SELECT DISTINCT COALESCE(p.merged_into, p.id) FROM provenance pv"
                                         " JOIN papers p ON p.id = pv.paper_id WHERE pv.source_id = ?", source_id)}
        assert sidebar_count(window, "source", source_id) == len(listed)
    # every row the table shows is a visible record, showing its stored title and tags
    for row in range(min(window.model.rowCount(), 40)):
        pid = window.model.id_at(row)
        title, merged = sql(lib, "SELECT title, merged_into FROM papers WHERE id = ?", pid)[0]
        assert merged is None
        assert window.model.index(row, 0).data() == title
        tags = ", ".join(r[0] for r in sql(lib, "SELECT t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id"
                                                 " WHERE pt.paper_id = ? ORDER BY t.name COLLATE NOCASE", pid))
        assert (window.model.index(row, 6).data() or "") == tags


def first_ids(window, n):
    return [window.model.id_at(r) for r in range(n)]


def test_merge_undo_redo_keeps_table_count_and_sidebar_true(window, qtbot):
    a, b = first_ids(window, 2)
    window._merge(a, [b], {})
    check_consistent(window)
    assert window.model.row_of(b) < 0
    undo(window, qtbot)
    check_consistent(window)  # was "153 of 153" while the library had 154
    assert window.model.row_of(b) >= 0
    redo(window, qtbot)
    check_consistent(window)
    assert window.model.row_of(b) < 0


def test_export_tag_manager_and_preferences_open_from_the_menu_and_the_shortcut(window, qtbot):
    from PySide6.QtWidgets import QApplication

    from paperdesk.gui.dialogs.export_dialog import ExportDialog
    from paperdesk.gui.dialogs.preferences import PreferencesDialog
    from paperdesk.gui.dialogs.tag_manager import TagManager

    def shown(kind):
        return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]

    for name, kind in (("open_export", ExportDialog), ("open_tag_manager", TagManager),
                       ("open_preferences", PreferencesDialog)):
        window.actions_by_name[name].trigger()
        qtbot.waitUntil(lambda: len(shown(kind)) == 1, timeout=3000)
        for dialog in shown(kind):
            dialog.close()
    window.activateWindow()
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key_E, Qt.ControlModifier)
    qtbot.waitUntil(lambda: len(shown(ExportDialog)) == 1, timeout=3000)
    qtbot.keyClick(window.table, Qt.Key_T, Qt.ControlModifier | Qt.ShiftModifier)
    qtbot.waitUntil(lambda: len(shown(TagManager)) == 1, timeout=3000)
    for d in shown(ExportDialog) + shown(TagManager):
        d.close()


def test_a_command_that_fails_on_its_first_apply_is_not_in_history(window, qtbot):
    a, b = first_ids(window, 2)
    window._merge(a, [b], {})
    assert window.statusBar().currentMessage() == f"Merged record {b} into record {a}"
    count = window.undo_stack.count()
    window._merge(a, [b], {})  # b is already merged away: refused
    assert window.undo_stack.count() == count
    # It says what happened: b went into a (not "2 records into record a", which counts a as merged).
    assert window.undo_stack.undoText() == f"Merge record {b} into record {a}"
    assert window.library.conn.execute("SELECT merged_into FROM papers WHERE id = ?", (b,)).fetchone()[0] == a


def test_own_changes_are_not_reported_as_made_elsewhere(window, qtbot):
    a = first_ids(window, 1)[0]
    window.edit_record(a, {"title": "Mine"})
    changes, foreign = window.ops.check_elsewhere(force=True)
    assert not foreign and not changes


def do_undo_redo(window, qtbot, do, after_do, after_undo):
    """Run ``do``, then Ctrl+Z, then Ctrl+Shift+Z; after each, every view is compared with SQLite."""
    do()
    check_consistent(window)
    after_do()
    undo(window, qtbot)
    check_consistent(window)
    after_undo()
    redo(window, qtbot)
    check_consistent(window)
    after_do()


def test_edit(window, qtbot):
    pid = first_ids(window, 1)[0]
    old = sql(window.library, "SELECT title FROM papers WHERE id = ?", pid)[0][0]
    shown = lambda: window.model.index(window.model.row_of(pid), 0).data()  # noqa: E731
    do_undo_redo(window, qtbot, lambda: window.edit_record(pid, {"title": "Zzz edited title"}),
                 lambda: shown() == "Zzz edited title" or pytest_fail(shown()),
                 lambda: shown() == old or pytest_fail(shown()))


def pytest_fail(value):
    raise AssertionError(value)


def tag(window, name="reading"):
    return window.library.conn.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()


def test_tag_add_and_remove(window, qtbot):
    from paperdesk.core import curation

    ids = first_ids(window, 3)
    tag_id = curation.create_tag(window.library, "reading")
    window.ops.check_elsewhere(force=True)
    window.sidebar.rebuild()
    do_undo_redo(window, qtbot, lambda: window.apply_tag(ids, tag_id, "reading"), lambda: None, lambda: None)
    assert sql(window.library, "SELECT COUNT(*) FROM paper_tags WHERE tag_id = ?", tag_id)[0][0] == 3
    do_undo_redo(window, qtbot, lambda: window.apply_tag(ids[:2], tag_id, "reading", remove=True),
                 lambda: None, lambda: None)


def test_tag_rename_recolour_merge_delete(window, qtbot):
    from paperdesk.core import curation

    ids = first_ids(window, 7)
    a = curation.create_tag(window.library, "alpha")
    b = curation.create_tag(window.library, "beta")
    curation.add_tag(window.library, ids[:5], a)
    curation.add_tag(window.library, ids[3:], b)
    window.refresh_all()
    check_consistent(window)
    lib = window.library
    for command in (commands.RenameTag(lib, a, "gamma"), commands.RecolorTag(lib, a, "#123456"),
                    commands.MergeTags(lib, b, a, "Merge tags"), commands.DeleteTag(lib, a, "gamma")):
        do_undo_redo(window, qtbot, lambda c=command: window._push(c), lambda: None, lambda: None)
        undo(window, qtbot)  # back to where the next command expects
        check_consistent(window)
    assert window.sidebar.tag_items[a].text(0).startswith("alpha")


def test_bulk_merge_and_unmerge(window, qtbot):
    a, b, c, d = first_ids(window, 4)
    do_undo_redo(window, qtbot, lambda: window._bulk_merge([(a, [b]), (c, [d])]),
                 lambda: None, lambda: None)
    merge_id = sql(window.library, "SELECT id FROM merges WHERE survivor = ? ORDER BY id DESC", a)[0][0]
    do_undo_redo(window, qtbot, lambda: window.unmerge(merge_id, a), lambda: None, lambda: None)


def test_review_resolution_and_the_queue_works_on_the_record_as_it_is_now(window, qtbot):
    lib = window.library
    pid = sql(lib, "SELECT id FROM visible_papers WHERE needs_review = 1 ORDER BY id LIMIT 1")
    if not pid:
        lib.conn.execute("UPDATE papers SET needs_review = 1 WHERE id = ?", (first_ids(window, 1)[0],))
        window.refresh_all()
        pid = sql(lib, "SELECT id FROM visible_papers WHERE needs_review = 1 ORDER BY id LIMIT 1")
    pid = pid[0][0]
    lib.conn.execute("UPDATE papers SET review = NULL WHERE id = ?", (pid,))  # no alternatives: "Keep as it is"
    window.show_review()
    assert window.review.paper_id == pid
    # the librarian fixes the authors in the detail pane while the queue is open ...
    window.edit_record(pid, {"authors": ["Ada Lovelace", "Charles Babbage"]})
    # ... then presses 1, "Keep as it is": the authors just typed stay
    qtbot.keyClick(window.review, Qt.Key_1)
    assert [r[0] for r in sql(lib, "SELECT a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id"
                                   " WHERE pa.paper_id = ? ORDER BY pa.position", pid)] == \
        ["Ada Lovelace", "Charles Babbage"]
    assert sql(lib, "SELECT needs_review FROM papers WHERE id = ?", pid)[0][0] == 0
    window.show_records()
    check_consistent(window)
    undo(window, qtbot)
    check_consistent(window)
    redo(window, qtbot)
    check_consistent(window)


def test_not_duplicates_and_the_queue(window, qtbot):
    window.show_duplicates()
    qtbot.waitUntil(lambda: window.duplicates.scanned, timeout=30000)
    groups = len(window.duplicates.groups)
    assert groups > 0
    first = window.duplicates.groups[0].records
    window.mark_distinct(first)
    assert len(window.duplicates.groups) == groups - 1
    assert not any(g.records == first for g in window.duplicates.groups)
    undo(window, qtbot)  # the pair may be proposed again: the queue scans again and finds it
    qtbot.waitUntil(lambda: window.duplicates.worker is None and any(
        g.records == first for g in window.duplicates.groups), timeout=30000)
    assert f"({len(window.duplicates.groups)})" in next(
        i.text(0) for i in window.sidebar._all_items() if i.data(0, Qt.UserRole) == "duplicates")


def test_unmerged_group_comes_back_without_scan_again(window, qtbot):
    window.show_duplicates()
    qtbot.waitUntil(lambda: window.duplicates.scanned, timeout=30000)
    group = window.duplicates.groups[0].records
    window._merge(group[0], list(group[1:]), {})
    assert not any(set(g.records) & set(group[1:]) for g in window.duplicates.groups)
    check_consistent(window)
    undo(window, qtbot)
    qtbot.waitUntil(lambda: window.duplicates.worker is None and any(
        g.records == group for g in window.duplicates.groups), timeout=30000)
    check_consistent(window)


def test_cancelled_scan_does_not_claim_zero_groups(window, qtbot):
    window.duplicates.scan()
    window.duplicates.cancel_scan()
    qtbot.waitUntil(lambda: window.duplicates.worker is None, timeout=30000)
    if window.duplicates.scanned:  # the scan finished before the cancel arrived: nothing to check
        return
    assert "0 candidate" not in window.duplicates.title.text()
    label = next(i.text(0) for i in window.sidebar._all_items() if i.data(0, Qt.UserRole) == "duplicates")
    assert "(0)" not in label




def test_import_through_the_dialog_updates_every_view(window, qtbot, write_dump):
    from test_gui_duplicates import VARIANT

    before = window.model.total
    dialog = window.import_files([write_dump(VARIANT, "variant.txt")])
    qtbot.waitUntil(lambda: dialog.results is not None, timeout=30000)
    qtbot.waitUntil(lambda: window.model.total > before, timeout=5000)
    window.sidebar.select("all")
    check_consistent(window)
    changes, foreign = window.ops.check_elsewhere(force=True)
    assert not foreign  # the window's own import is not "changed elsewhere"


def test_another_window_is_reported_and_shown(window, qtbot):
    from paperdesk.core import curation
    from paperdesk.core.library import Library

    other = Library(window.library.path)
    try:
        pid = first_ids(window, 1)[0]
        curation.update_fields(other, pid, {"title": "Changed in another window"})
    finally:
        other.close()
    window._check_outside_changes()
    assert "changed elsewhere" in window.statusBar().currentMessage()
    assert window.model.index(window.model.row_of(pid), 0).data() == "Changed in another window"
    check_consistent(window)


def test_sidebar_counts_group_their_thousands_as_the_status_bar_does(window):
    window.sidebar.duplicate_count = 1234567  # the Duplicates entry's count, as a scan reports it
    window.sidebar.rebuild()
    labels = [item.text(0) for item in window.sidebar._all_items()]
    assert "Duplicates  (1,234,567)" in labels
    assert "All records  (154)" in labels
