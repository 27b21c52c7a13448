"""Looking after the library from the window: new records, the Trash, removing an import, batch edits, copying,
backups. The commands are thin (each calls one core operation and its inverse); ``LibraryCare`` holds the
window's methods that the menus (gui/actions.py) and the sidebar call.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from ..core import backup, batch, citation, hand_entry, trash
from ..core.library import LibraryError
from .operations import LibraryCommand


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


class AddRecord(LibraryCommand):
    def __init__(self, library, fields: dict):
        super().__init__(library, f"New record '{fields.get('title', '')[:40]}'")
        self.fields, self.paper_id = dict(fields), None

    def apply(self):
        self.paper_id = hand_entry.add_record(self.library, self.fields, paper_id=self.paper_id)

    def revert(self):
        self.fields = hand_entry.remove_added_record(self.library, self.paper_id)


class TrashRecords(LibraryCommand):
    def __init__(self, library, paper_ids: list[int]):
        super().__init__(library, f"Move {plural(len(paper_ids), 'record')} to the Trash")
        self.paper_ids, self.moved = list(paper_ids), []

    @property
    def is_noop(self) -> bool:
        return not self.moved

    def apply(self):
        self.moved = trash.trash(self.library, self.paper_ids)

    def revert(self):
        trash.restore(self.library, self.moved)


class RestoreRecords(LibraryCommand):
    def __init__(self, library, paper_ids: list[int]):
        super().__init__(library, f"Restore {plural(len(paper_ids), 'record')} from the Trash")
        self.paper_ids, self.back = list(paper_ids), []

    @property
    def is_noop(self) -> bool:
        return not self.back

    def apply(self):
        self.back = trash.restore(self.library, self.paper_ids)

    def revert(self):
        trash.trash(self.library, self.back)


class RemoveImport(LibraryCommand):
    def __init__(self, library, source_id: int, file_name: str):
        super().__init__(library, f"Remove the import of {file_name}")
        self.source_id, self.saved = source_id, None

    def apply(self):
        self.saved = trash.remove_import(self.library, self.source_id)

    def revert(self):
        trash.undo_remove_import(self.library, self.saved)


class BatchEditRecords(LibraryCommand):
    def __init__(self, library, edit: batch.BatchEdit, paper_ids: list[int]):
        super().__init__(library, f"{edit.describe()} ({plural(len(paper_ids), 'record')})")
        self.edit, self.paper_ids, self.result = edit, list(paper_ids), None

    @property
    def is_noop(self) -> bool:
        return not self.result.old

    def apply(self):
        if self.result is None:
            self.result = batch.apply(self.library, self.paper_ids, self.edit)
        else:
            batch.redo(self.library, self.result)

    def revert(self):
        batch.undo(self.library, self.result)


class LibraryCare:
    """Mixed into MainWindow: the window's library-care requests, each one undoable step where it changes records."""

    # --- new record ---------------------------------------------------------------------------------------

    def new_record(self, show: bool = True):
        from .dialogs.new_record import NewRecordDialog

        dialog = NewRecordDialog(self)
        dialog.recordRequested.connect(self._add_record)
        self.new_record_dialog = dialog
        if show:
            dialog.open()
        return dialog

    def _add_record(self, fields: dict) -> None:
        command = AddRecord(self.library, fields)
        if self._push(command):
            self.new_record_dialog.accept()
            self.sidebar.select("all")
            self.search.clear()
            self._reselect(command.paper_id)
            self.statusBar().showMessage(f"Record {command.paper_id} added (Ctrl+Z takes it back)", 5000)

    # --- trash ----------------------------------------------------------------------------------------------

    def trash_selection(self) -> None:
        ids = self.selected_ids()
        if not ids:
            self.statusBar().showMessage("Select records first", 3000)
            return
        if self.model.filter.view == "trash":
            self.statusBar().showMessage("These records are in the Trash already: Restore brings them back", 4000)
            return
        absorbed = sum(trash.absorbed_by(self.library, ids).values())
        if self._push(TrashRecords(self.library, ids)):
            extra = f" with the {plural(absorbed, 'record')} merged into them" if absorbed else ""
            self.statusBar().showMessage(f"Moved {plural(len(ids), 'record')}{extra} to the Trash"
                                         " (Ctrl+Z undoes; the Trash in the sidebar restores)", 6000)

    def restore_selection(self) -> None:
        ids = self.selected_ids()
        if self.model.filter.view != "trash" or not ids:
            self.statusBar().showMessage("Open the Trash in the sidebar and select the records to restore", 4000)
            return
        if self._push(RestoreRecords(self.library, ids)):
            self.statusBar().showMessage(f"Restored {plural(len(ids), 'record')}", 5000)

    def empty_trash(self, confirm: bool = True) -> int:
        count = trash.count_trashed(self.library)
        if not count:
            self.statusBar().showMessage("The Trash is empty", 3000)
            return 0
        if confirm:
            box = QMessageBox(QMessageBox.Warning, "Empty the Trash",
                              f"Delete the {plural(count, 'record')} in the Trash for good? This cannot be undone.",
                              QMessageBox.Cancel | QMessageBox.Discard, self)
            box.button(QMessageBox.Discard).setText("Delete for good")
            box.setObjectName("empty-trash-box")
            self.empty_trash_box = box
            if box.exec() != QMessageBox.Discard:
                return 0
        try:
            backup.make_backup(self.library, "before emptying the Trash")
            gone, _ = self.ops.run(trash.empty_trash)
        except LibraryError as exc:
            self._failed(str(exc))
            return 0
        self.undo_stack.clear()  # steps that refer to deleted records cannot be undone any more
        self.statusBar().showMessage(f"Deleted {plural(gone, 'record')} for good (a backup was made first)", 6000)
        return gone

    # --- remove an import -----------------------------------------------------------------------------------

    def remove_import(self, source_id: int, confirm: bool = True) -> bool:
        try:
            impact = trash.import_impact(self.library, source_id)
        except LibraryError as exc:
            self._failed(str(exc))
            return False
        text = (f"Remove the import of {impact['file']}?\n\n"
                f"{plural(impact['only_here'], 'record')} came only from this file and go to the Trash.\n"
                f"{plural(impact['also_elsewhere'], 'record')} also came from other files and stay, without this "
                "file's provenance.\n\nOne step: Ctrl+Z puts everything back.")
        if confirm:
            box = QMessageBox(QMessageBox.Question, "Remove this import", text, QMessageBox.Cancel | QMessageBox.Ok,
                              self)
            box.button(QMessageBox.Ok).setText("Remove")
            box.setObjectName("remove-import-box")
            self.remove_import_box = box
            if box.exec() != QMessageBox.Ok:
                return False
        if impact["only_here"] + impact["also_elsewhere"] > 1000:
            backup.make_backup(self.library, "before removing an import")
        if self._push(RemoveImport(self.library, source_id, impact["file"])):
            self.sidebar.select("all")
            self.statusBar().showMessage(f"Removed {impact['file']}: {plural(impact['only_here'], 'record')} to the"
                                         " Trash", 6000)
            return True
        return False

    # --- batch edit -----------------------------------------------------------------------------------------

    def batch_edit(self, show: bool = True):
        from .dialogs.batch_edit import BatchEditDialog

        ids = self.selected_ids()
        scope = "selection" if len(ids) > 1 else "view"
        if scope == "view":
            ids = list(self.model.ids)
        dialog = BatchEditDialog(self.library, ids, "the selected records" if scope == "selection"
                                 else f"the {plural(len(ids), 'record')} shown", self)
        dialog.applyRequested.connect(self._apply_batch)
        self.batch_dialog = dialog
        if show:
            dialog.open()
        return dialog

    def _apply_batch(self, edit, ids: list) -> None:
        if len(ids) > 1:
            try:
                backup.make_backup(self.library, "before batch edit")
            except LibraryError as exc:
                self._failed(f"No batch edit: the backup before it failed ({exc})")
                return
        if self._push(BatchEditRecords(self.library, edit, list(ids))):
            self.statusBar().showMessage(f"{edit.describe()}: {plural(len(ids), 'record')} (one Ctrl+Z undoes it)",
                                         6000)

    # --- copy -----------------------------------------------------------------------------------------------

    def copy_bibtex(self) -> str:
        ids = self.selected_ids()
        if not ids:
            self.statusBar().showMessage("Select records first", 3000)
            return ""
        text = citation.bibtex_of(self.library, ids)
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage(f"Copied the BibTeX of {plural(len(ids), 'record')}", 4000)
        return text

    def copy_citation(self, style: str | None = None) -> str:
        ids = self.selected_ids()
        if not ids:
            self.statusBar().showMessage("Select records first", 3000)
            return ""
        style = style or self.settings.get("copy/style")
        QApplication.setOverrideCursor(Qt.WaitCursor)  # citeproc takes a moment for long selections
        try:
            text = "\n".join(citation.references(self.library, ids, style))
        finally:
            QApplication.restoreOverrideCursor()
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage(f"Copied {plural(len(ids), 'reference')} ({citation.STYLES[style]})", 4000)
        return text

    def choose_citation_style(self, style: str) -> None:
        self.settings.set("copy/style", style)
        self.copy_citation(style)

    # --- backups --------------------------------------------------------------------------------------------

    def backup_now(self) -> None:
        try:
            info = backup.make_backup(self.library, "manual")
        except LibraryError as exc:
            self._failed(str(exc))
            return
        self.statusBar().showMessage(f"Backed up {plural(info.records, 'record')} to {info.path}", 6000)

    def restore_backup(self, show: bool = True):
        from .dialogs.backups import BackupsDialog

        dialog = BackupsDialog(self.library, self)
        dialog.restoredOver.connect(self.undo_stack.clear)  # the steps refer to a library that is gone
        dialog.restoredOver.connect(self.refresh_all)
        self.backups_dialog = dialog
        if show:
            dialog.open()
        return dialog

    def _backup_done(self, info) -> None:
        if info is not None:
            self.statusBar().showMessage(f"Daily backup made: {info.path.name}", 5000)

    def _backup_failed(self, sentence: str) -> None:
        self.statusBar().showMessage(sentence, 10000)

    def backup_if_due(self):
        """The daily backup, at start, in the background: only when the newest backup is a day old (or none)."""
        from .workers import BackupWorker, start_in_thread

        if not self.library.count_papers():
            return None
        worker = BackupWorker(self.library.path)
        # Bound methods of the window (a QObject), not lambdas: Qt then queues the call to the GUI thread.
        worker.finished.connect(self._backup_done)
        worker.failed.connect(self._backup_failed)
        self.backup_worker = worker
        self.backup_thread = start_in_thread(worker, self)
        return worker
