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
            return int(re.search(r"\((\d+)\)\s*$", item.text(0)).group(1))
    raise AssertionError(f"no sidebar entry {kind} {value}")


def check_consistent(window):
    lib = window.library
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
        shown = int(re.search(r"\((\d+)\)\s*$", item.text(0)).group(1))
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
    count = window.undo_stack.count()
    window._merge(a, [b], {})  # b is already merged away: refused
    assert window.undo_stack.count() == count
    assert window.undo_stack.undoText().startswith("Merge 2 records")


def test_own_changes_are_not_reported_as_made_elsewhere(window, qtbot):
    a = first_ids(window, 1)[0]
    window.edit_record(a, {"title": "Mine"})
    changes, foreign = window.ops.check_elsewhere(force=True)
    assert not foreign and not changes
