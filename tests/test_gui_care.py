"""Looking after the library through the real window: each step by its action or key, then SQLite and the views
compared after it, after Ctrl+Z and after Ctrl+Shift+Z."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from paperdesk.core import backup, hand_entry, trash
from paperdesk.core.query import RecordFilter, ordered_ids


def _visible_count(window) -> int:
    return window.library.conn.execute("SELECT COUNT(*) FROM visible_papers").fetchone()[0]


def _shown_ids(window) -> list[int]:
    return list(window.model.ids)


def _sidebar_count(window, kind: str) -> int:
    for item in window.sidebar._all_items():
        if item.data(0, Qt.UserRole) == kind:
            return int(item.text(0).rsplit("(", 1)[1].rstrip(")").replace(",", ""))
    raise AssertionError(f"no sidebar entry {kind}")


def _undo(window, qtbot):
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier)


def _redo(window, qtbot):
    qtbot.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier | Qt.ShiftModifier)


def _agree(window, trashed: int) -> None:
    visible = _visible_count(window)
    assert window.model.rowCount() == visible == len(set(ordered_ids(window.library.conn, RecordFilter())))
    assert _sidebar_count(window, "all") == visible
    assert _sidebar_count(window, "trash") == trashed == trash.count_trashed(window.library)


def test_delete_key_trashes_the_selection_and_undo_redo_follow(window, qtbot):
    window.table.setFocus()
    window.select_row(0)
    chosen = window.selected_ids()
    qtbot.keyClick(window.table, Qt.Key_Delete)
    assert chosen[0] not in _shown_ids(window)
    _agree(window, 1)
    _undo(window, qtbot)
    assert chosen[0] in _shown_ids(window)
    _agree(window, 0)
    _redo(window, qtbot)
    _agree(window, 1)
    window.sidebar.select("trash")
    assert _shown_ids(window) == chosen
    window.select_row(0)
    window.actions_by_name["restore_selection"].trigger()
    assert window.model.rowCount() == 0
    window.sidebar.select("all")
    _agree(window, 0)


def test_new_record_by_ctrl_n(window, qtbot):
    qtbot.keyClick(window.table, Qt.Key_N, Qt.ControlModifier)
    dialog = window.new_record_dialog
    assert dialog.isVisible()
    dialog.buttons.button(QDialogButtonBox.Ok).click()  # no title yet
    assert "title" in dialog.error.text().lower() and _visible_count(window) == 154
    dialog.title.setText("Hand-Made Zebrafish Records")
    dialog.authors.setPlainText("Lee, Ana\nSean O'Brien")
    dialog.category.setText("cs.IR")
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    assert not dialog.isVisible()
    (pid,) = [r[0] for r in window.library.conn.execute(
        "SELECT id FROM papers WHERE title = 'Hand-Made Zebrafish Records'")]
    assert window.detail.paper_id == pid
    assert window.detail.detail["authors"] == ["Ana Lee", "Sean O'Brien"]
    provenance = window.detail.provenance.toPlainText()
    assert provenance.startswith(hand_entry.HAND_SOURCE_NAME + " by " + hand_entry.who())
    assert "line None" not in provenance
    assert _visible_count(window) == 155 == window.model.rowCount()
    _undo(window, qtbot)
    assert _visible_count(window) == 154 == window.model.rowCount()
    # no "Entered by hand (0)" left behind once the only hand-entered record is undone
    assert not [s for s in window.sidebar._all_items() if s.text(0).startswith(hand_entry.HAND_SOURCE_NAME)]
    _redo(window, qtbot)
    assert _visible_count(window) == 155 == window.model.rowCount()
    assert window.library.conn.execute("SELECT COUNT(*) FROM papers WHERE id = ?", (pid,)).fetchone()[0] == 1
    hand = [s for s in window.sidebar._all_items() if s.text(0).startswith(hand_entry.HAND_SOURCE_NAME)]
    assert hand and hand[0].text(0).endswith("(1)")


def test_new_record_typed_with_tab_between_fields(window, qtbot):
    """A librarian types the form: Tab leaves the multi-line Authors box for the next field (it used to type a
    tab into the names), and an impossible date is refused with a sentence, nothing added."""
    qtbot.keyClick(window.table, Qt.Key_N, Qt.ControlModifier)
    dialog = window.new_record_dialog
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=3000)
    dialog.title.setFocus()
    qtbot.keyClicks(dialog.title, "Typed By Hand")
    qtbot.keyClick(dialog.title, Qt.Key_Tab)
    assert dialog.authors.hasFocus()
    qtbot.keyClicks(dialog.authors, "Geng, Binzong")
    qtbot.keyClick(dialog.authors, Qt.Key_Return)
    qtbot.keyClicks(dialog.authors, "Ana Lee")
    qtbot.keyClick(dialog.authors, Qt.Key_Tab)
    assert not dialog.authors.hasFocus() and "\t" not in dialog.authors.toPlainText()
    dialog.date.setFocus()
    qtbot.keyClicks(dialog.date, "2024-02-30")
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    assert "not a date" in dialog.error.text() and dialog.isVisible() and _visible_count(window) == 154
    dialog.date.clear()
    qtbot.keyClicks(dialog.date, "2024-02-29")
    dialog.buttons.button(QDialogButtonBox.Ok).click()
    assert not dialog.isVisible()
    row = window.library.conn.execute("SELECT authors, date FROM papers WHERE title = 'Typed By Hand'").fetchone()
    assert row == ("Binzong Geng, Ana Lee", "2024-02-29")


def test_remove_an_import_from_the_sidebar_and_undo(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    asked = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: asked.append(self.text()) or QMessageBox.Ok)
    source = next(s for s in window.sidebar._all_items()
                  if s.data(0, Qt.UserRole) == "source" and s.text(0).startswith("004"))
    window.sidebar.removeImportRequested.emit(source.data(0, Qt.UserRole + 1))
    assert _visible_count(window) == 104 == window.model.rowCount()
    # every record of this seed came only from it: the question does not speak of "0 records" from elsewhere
    assert "50 records came only from this file" in asked[0] and "other files" not in asked[0]
    _agree(window, 50)
    assert not [s for s in window.sidebar._all_items() if s.text(0).startswith("004")]
    _undo(window, qtbot)
    _agree(window, 0)
    assert [s for s in window.sidebar._all_items() if s.text(0).startswith("004")]
    _redo(window, qtbot)
    _agree(window, 50)


def test_batch_edit_preview_untick_apply_undo(window, qtbot):
    window.search.setText("recommendation")
    window._apply_search()
    qtbot.keyClick(window.table, Qt.Key_B, Qt.ControlModifier | Qt.ShiftModifier)
    dialog = window.batch_dialog
    assert dialog.isVisible()
    assert dialog.scope_label.text() == f"Change the {window.model.rowCount()} records shown:"
    dialog.find.setText("Recommendation")
    dialog.replacement.setText("Qqrecommender")
    dialog.preview_button.click()
    rows = [dialog.model.row(i) for i in range(dialog.model.rowCount())]
    assert rows and all("Recommendation" in r.before and "Qqrecommender" in r.after for r in rows)
    left_alone = rows[0].id
    dialog.model.setData(dialog.model.index(0, 0), Qt.Unchecked, Qt.CheckStateRole)
    assert f"{len(rows) - 1} of" in dialog.summary.text()
    dialog.apply_button.click()
    titles = dict(window.library.conn.execute("SELECT id, title FROM papers"))
    changed = [r.id for r in rows[1:]]
    assert all("Qqrecommender" in titles[i] for i in changed)
    assert "Qqrecommender" not in titles[left_alone]
    assert [b.reason for b in backup.list_backups(window.library.path)] == ["before batch edit"]
    _undo(window, qtbot)
    titles = dict(window.library.conn.execute("SELECT id, title FROM papers"))
    assert not any("Qqrecommender" in titles[i] for i in changed)
    _redo(window, qtbot)
    window.search.clear()  # a changed title may no longer match the search; find it among all records
    window._apply_search()
    row = list(window.model.ids).index(changed[0])
    assert "Qqrecommender" in window.model.data(window.model.index(row, 0))


def test_copy_bibtex_and_citation(window, qtbot):
    window.select_row(0)
    pid = window.selected_ids()[0]
    qtbot.keyClick(window.table, Qt.Key_C, Qt.ControlModifier | Qt.ShiftModifier)
    text = QGuiApplication.clipboard().text()
    key = window.library.conn.execute("SELECT citekey FROM papers WHERE id = ?", (pid,)).fetchone()[0]
    assert text.startswith("% Encoding") or text.lstrip().startswith("@")
    assert key and key in text
    window.actions_by_name["copy_citation"].trigger()
    reference = QGuiApplication.clipboard().text()
    title = window.library.conn.execute("SELECT title FROM papers WHERE id = ?", (pid,)).fetchone()[0]
    assert title.split(":")[0] in reference and "(20" in reference  # APA: (year)
    window.choose_citation_style("ieee")
    assert QGuiApplication.clipboard().text().startswith("[1] ")
    assert window.settings.get("copy/style") == "ieee"


def test_backups_dialog_lists_and_restores_into_a_new_file(window, qtbot, tmp_path):
    window.actions_by_name["backup_now"].trigger()
    dialog = window.restore_backup()
    assert dialog.isVisible() and dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == "154" and dialog.table.item(0, 3).text() == "manual"
    target = dialog.restore_into(str(tmp_path / "restored.sqlite"))
    assert target and "154" in dialog.message.text()
    window.library.conn.execute("UPDATE papers SET title = 'changed' WHERE id = 1")
    assert dialog.restore_over(confirm=False)
    assert window.library.conn.execute("SELECT title FROM papers WHERE id = 1").fetchone()[0] != "changed"
    assert window.undo_stack.count() == 0
    assert [b.reason for b in backup.list_backups(window.library.path)] == ["before restore", "manual"]
    QApplication.processEvents()


def test_backups_read_as_a_person_writes_and_a_bare_name_restores_as_a_library(window, qtbot, tmp_path):
    import re

    window.actions_by_name["backup_now"].trigger()
    dialog = window.restore_backup()
    shown = dialog.table.item(0, 0).text()
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", shown), shown
    info = dialog.chosen()
    assert re.fullmatch(rf"{window.library.path.stem}-restored-\d{{4}}-\d\d-\d\d-\d{{4}}\.sqlite",
                        info.restored_name(window.library.path))
    target = dialog.restore_into(str(tmp_path / "from-backup"))  # typed without an extension
    assert target and target.endswith("from-backup.sqlite") and (tmp_path / "from-backup.sqlite").exists()
    assert not (tmp_path / "from-backup").exists()
    QApplication.processEvents()


def test_the_trash_context_menu_offers_restore_not_tagging_or_export(window, qtbot):
    from PySide6.QtCore import QTimer

    def offered(menu) -> list[str]:
        return [a.text() for a in menu.actions()]

    def right_click_first_row() -> list[str]:
        # the real menu opens modally; read what it offers once it is up, then close it
        QTimer.singleShot(50, lambda: QApplication.activePopupWidget().close())
        window.table.contextMenuAt.emit(window.table.visualRect(window.model.index(0, 0)).center())
        return offered(window.context_menu)

    window.table.setFocus()
    window.select_row(0)
    qtbot.keyClick(window.table, Qt.Key_Delete)
    assert trash.count_trashed(window.library) == 1
    window.select_row(0)
    library_menu = right_click_first_row()
    assert any(t.startswith("Tag 1 record") for t in library_menu)
    assert any(t.startswith("Move 1 record to the Trash") for t in library_menu)
    window.sidebar.select("trash")
    window.select_row(0)
    assert window.model.rowCount() == 1 and len(window.selected_ids()) == 1
    trash_menu = right_click_first_row()
    assert trash_menu[0] == "Restore 1 record from the Trash"
    assert not [t for t in trash_menu if t.startswith(("Tag", "Remove a tag", "Export", "Author page", "Add tag",
                                                       "Move"))]


def test_an_empty_trash_and_a_search_without_hits_say_so_in_the_table(window, qtbot, tmp_path):
    window.sidebar.select("trash")
    assert window.model.rowCount() == 0
    assert window.table.empty_hint().startswith("The Trash is empty")
    window.grab().save(str(tmp_path / "empty-trash.png"))
    detail = window.detail  # nothing selected: the greyed pane shows no values of an earlier record
    assert detail.paper_id is None and not detail.isEnabled()
    assert not detail.truncated.isChecked() and not detail.has_code.isChecked()
    assert detail.category.currentIndex() == -1 and detail.citekey.text() == "" and detail.title.toPlainText() == ""
    window.sidebar.select("all")
    assert window.table.empty_hint() == ""  # rows shown: no hint over them
    qtbot.keyClicks(window.search, "zzqqxxnotaword")
    qtbot.keyClick(window.search, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.model.filter.search == "zzqqxxnotaword")
    assert window.model.rowCount() == 0
    assert window.table.empty_hint() == "No records match this search."
    window.search.clear()
    qtbot.keyClick(window.search, Qt.Key_Return)
    qtbot.waitUntil(lambda: window.model.rowCount() == 154)
    assert window.table.empty_hint() == ""


def test_batch_edit_on_a_selection_says_how_many_before_any_preview(window, qtbot):
    window.table.setFocus()
    window.select_row(0)
    qtbot.keyClick(window.table, Qt.Key_Down, Qt.ShiftModifier)
    qtbot.keyClick(window.table, Qt.Key_Down, Qt.ShiftModifier)
    assert len(window.selected_ids()) == 3
    qtbot.keyClick(window.table, Qt.Key_B, Qt.ControlModifier | Qt.ShiftModifier)
    assert window.batch_dialog.scope_label.text() == "Change the 3 selected records:"
    window.batch_dialog.reject()


def test_no_two_actions_share_a_shortcut(window):
    seen = {}
    for name, action in window.actions_by_name.items():
        for key in action.shortcuts():
            text = key.toString()
            assert text not in seen, f"{text} is both {seen[text]} and {name}"
            seen[text] = name


def test_the_daily_backup_runs_in_the_background_and_reports_on_the_gui_thread(window, qtbot):
    worker = window.backup_if_due()
    qtbot.waitUntil(lambda: window.statusBar().currentMessage().startswith("Daily backup made"), timeout=10000)
    assert [b.reason for b in backup.list_backups(window.library.path)] == ["daily"]
    assert window.backup_if_due() is not None  # asked again the same day: the worker finds none due
    qtbot.wait(300)
    assert [b.reason for b in backup.list_backups(window.library.path)] == ["daily"]
    del worker


def test_a_misspelt_search_field_is_named_in_the_window(window, qtbot):
    qtbot.keyClicks(window.search, "yeer:2021")
    qtbot.keyClick(window.search, Qt.Key_Return)
    assert "'yeer:' is not a search field" in window.statusBar().currentMessage()
    assert "'yeer:' is not a search field" in window.search.toolTip()
    # and under the search box, where the eye is, for as long as that search stands
    assert window.search_problems.isVisible() and "'yeer:' is not a search field" in window.search_problems.text()
    window.search.clear()
    qtbot.keyClicks(window.search, "year:2021")
    qtbot.keyClick(window.search, Qt.Key_Return)
    assert window.search.toolTip() == ""
    assert not window.search_problems.isVisible()
    qtbot.keyClicks(window.search, "x yeer:2021")
    qtbot.keyClick(window.search, Qt.Key_Return)
    assert window.search_problems.isVisible()
    window.sidebar.select("trash")  # the view changes; the sentence follows whatever search the box holds
    assert window.search_problems.isVisible() == ("yeer:" in window.search.text())
    window.actions_by_name["go_back"].trigger()  # Back to the records with that search
    assert window.search_problems.isVisible() == ("yeer:" in window.search.text())


def test_a_backup_restored_over_the_library_in_one_window_voids_the_other_windows_undo(window, qtbot, tmp_path):
    """Two windows on one library: the second trashes a record and undoes it (Redo is offered); the first
    restores a backup over the library. The second window's history no longer applies: its Undo and Redo are
    gone, it says why, and its views agree with the restored library."""
    from PySide6.QtCore import QSettings

    from paperdesk.core.library import Library
    from paperdesk.gui.main_window import MainWindow

    window.actions_by_name["backup_now"].trigger()
    qtbot.waitUntil(lambda: len(backup.list_backups(window.library.path)) == 1, timeout=10000)
    other_library = Library(window.library.path)
    second = MainWindow(other_library, QSettings(str(tmp_path / "second.ini"), QSettings.IniFormat))
    qtbot.addWidget(second)
    second.show()
    second.table.setFocus()
    second.select_row(0)
    act = second.actions_by_name  # the second window is not the active one: its actions, not its keys
    act["trash_selection"].trigger()
    act["undo"].trigger()
    assert second.undo_stack.canRedo()
    second.select_row(1)
    act["trash_selection"].trigger()  # a second step, so Undo is offered too
    assert second.undo_stack.canUndo()
    dialog = window.restore_backup()
    assert dialog.restore_over(confirm=False)
    second.ops.check_elsewhere()
    assert not second.undo_stack.canUndo() and not second.undo_stack.canRedo()
    assert "restored" in second.statusBar().currentMessage()
    assert second.model.rowCount() == _visible_count(second) == 154
    assert _sidebar_count(second, "trash") == 0
    second.close()
    QApplication.processEvents()


def test_preferences_set_how_many_backups_are_kept(window, qtbot):
    """Issue 16: the number of backups kept is set in Preferences (a setting of the library, in its file)."""
    window.actions_by_name["open_preferences"].trigger()
    dialog = next(w for w in QApplication.topLevelWidgets() if w.windowTitle() == "Preferences" and w.isVisible())
    assert dialog.keep.value() == backup.keep_count(window.library)
    dialog.keep.setValue(3)
    assert dialog.save()
    assert backup.keep_count(window.library) == 3
    for _ in range(5):
        backup.make_backup(window.library, "manual")
    assert len(backup.list_backups(window.library.path)) == 3
