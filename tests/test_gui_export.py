"""Export from the window: the dialog's preview, the file written in the background, keys edited by hand."""

from __future__ import annotations

import sqlite3

import bibtexparser

from paperdesk.core.export import keys




def test_export_dialog_previews_exactly_what_it_writes(window, qtbot, tmp_path):
    window.search.setText("deepfm")
    window._apply_search()
    dialog = window.open_export(show=False)
    assert dialog.scope_view.isChecked() and "(3)" in dialog.scope_view.text()
    assert dialog.preview.toPlainText().count("@misc{") == 3
    dialog.format.setCurrentIndex(dialog.format.findData("ris"))
    assert dialog.preview.toPlainText().startswith("TY  - ")
    dialog.format.setCurrentIndex(dialog.format.findData("bibtex"))
    preview = dialog.preview.toPlainText()
    target = tmp_path / "out.bib"
    dialog.start_export(str(target))
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=20000)
    written = target.read_text("utf-8")
    assert "3 records written" in dialog.status.text()
    assert written == preview  # the preview showed the first three entries, and there are only three
    assert len(bibtexparser.parse_string(written).entries) == 3


def test_everything_scope_exports_every_record_once(window, qtbot, tmp_path):
    dialog = window.open_export(show=False)
    dialog.scope_all.setChecked(True)
    dialog.format.setCurrentIndex(dialog.format.findData("bibtex"))
    target = tmp_path / "all.bib"
    dialog.start_export(str(target))
    qtbot.waitUntil(lambda: dialog.worker is None, timeout=30000)
    library = bibtexparser.parse_string(target.read_text("utf-8"))
    assert len(library.entries) == 154 and not library.failed_blocks


def test_citation_key_edited_by_hand_with_clash_check_and_undo(window, qtbot):
    keys.assign_keys(window.library)
    window.select_row(0)
    pid = window.current_id()
    other = window.model.id_at(1)
    other_key = window.library.conn.execute("SELECT citekey FROM papers WHERE id = ?", (other,)).fetchone()[0]
    window.detail.citekey.setText(other_key.upper())
    window.detail.citekey.editingFinished.emit()
    assert "already used by record" in window.detail.error.text()
    window.detail.citekey.setText("myOwnKey2024")
    window.detail.citekey.editingFinished.emit()
    conn = sqlite3.connect(window.library.path)
    assert conn.execute("SELECT citekey FROM papers WHERE id = ?", (pid,)).fetchone()[0] == "myOwnKey2024"
    window.undo_action.trigger()
    assert conn.execute("SELECT citekey FROM papers WHERE id = ?", (pid,)).fetchone()[0] != "myOwnKey2024"


def test_preferences_change_the_key_pattern_for_new_keys(window, qtbot):
    window.select_row(0)
    dialog = window.open_preferences(show=False)
    dialog.pattern.setText("[auth][year]")
    assert dialog.sample.text() and " " not in dialog.sample.text()
    dialog.pattern.setText("[nonsense]")
    assert dialog.error.text()
    assert not dialog.save()
    dialog.pattern.setText("[auth][year]")
    assert dialog.save()
    assert keys.get_pattern(window.library) == "[auth][year]"
