"""Looking after the library from the window: new records, the Trash, removing an import, batch edits, copying,
backups. The commands are thin (each calls one core operation and its inverse); ``LibraryCare`` holds the
window's methods that the menus (gui/actions.py) and the sidebar call.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton, QWidget

from ..core import backup, batch, citation, hand_entry, trash
from ..core.library import LibraryError
from ..core.wording import count
from .operations import BulkCommand, LibraryCommand


def plural(n: int, word: str) -> str:
    return count(n, word, grouped=True)  # core/wording: one place words every count


class AddRecord(LibraryCommand):
    def __init__(self, library, fields: dict):
        super().__init__(library, f"New record '{fields.get('title', '')[:40]}'")
        self.fields, self.paper_id = dict(fields), None

    def apply(self):
        self.paper_id = hand_entry.add_record(self.library, self.fields, paper_id=self.paper_id)

    def revert(self):
        self.fields = hand_entry.remove_added_record(self.library, self.paper_id)


# A backup copies the whole library file: quick for a small library, seconds for a large one, whatever the
# number of records an operation touches. Above this size it runs in the worker with the operation.
QUICK_BACKUP_BYTES = 32 * 1024 * 1024


def backup_is_quick(library) -> bool:
    try:
        return library.path.stat().st_size < QUICK_BACKUP_BYTES
    except OSError:
        return True


class TrashRecords(BulkCommand):
    def __init__(self, library, paper_ids: list[int]):
        super().__init__(library, f"Move {plural(len(paper_ids), 'record')} to the Trash")
        self.paper_ids, self.moved, self.absorbed = list(paper_ids), [], 0

    @property
    def is_noop(self) -> bool:
        return not self.moved

    def records(self) -> int:
        return len(self.paper_ids)

    def apply_on(self, library, progress=None, cancelled=None):
        self.moved, self.absorbed = trash.trash_counted(library, self.paper_ids, progress=progress,
                                                        cancelled=cancelled)

    def revert_on(self, library, progress=None, cancelled=None):
        trash.restore(library, self.moved, progress=progress, cancelled=cancelled)


class RestoreRecords(BulkCommand):
    def __init__(self, library, paper_ids: list[int]):
        super().__init__(library, f"Restore {plural(len(paper_ids), 'record')} from the Trash")
        self.paper_ids, self.back = list(paper_ids), []

    @property
    def is_noop(self) -> bool:
        return not self.back

    def records(self) -> int:
        return len(self.paper_ids)

    def apply_on(self, library, progress=None, cancelled=None):
        self.back = trash.restore(library, self.paper_ids, progress=progress, cancelled=cancelled)

    def revert_on(self, library, progress=None, cancelled=None):
        trash.trash(library, self.back, progress=progress, cancelled=cancelled)


class _BackupFirst:
    """A bulk command that makes a backup before its first apply (not on redo)."""

    backup_reason = ""
    backup_wanted = False

    def _backup_first(self, library, progress, cancelled) -> None:
        if self.backup_wanted:
            backup.make_backup(library, self.backup_reason, progress=progress, cancelled=cancelled)
            self.backup_wanted = False  # a cancel after this point leaves the (harmless, listed) backup

    def in_background(self) -> bool:
        return super().in_background() or (self.backup_wanted and not backup_is_quick(self.library))


class RemoveImport(_BackupFirst, BulkCommand):
    backup_reason = "before removing an import"
    cost = 2

    def __init__(self, library, source_id: int, file_name: str, size: int = 0):
        super().__init__(library, f"Remove the import of {file_name}")
        self.source_id, self.saved, self.size = source_id, None, size
        self.backup_wanted = size > 1000

    def records(self) -> int:
        return self.size

    def apply_on(self, library, progress=None, cancelled=None):
        self._backup_first(library, progress, cancelled)
        self.saved = trash.remove_import(library, self.source_id, progress=progress, cancelled=cancelled)

    def revert_on(self, library, progress=None, cancelled=None):
        trash.undo_remove_import(library, self.saved, progress=progress, cancelled=cancelled)


class BatchEditRecords(_BackupFirst, BulkCommand):
    backup_reason = "before batch edit"
    cost = 10  # each record's text is also re-indexed for search (see BULK_RECORDS)

    def __init__(self, library, edit: batch.BatchEdit, paper_ids: list[int]):
        super().__init__(library, f"{edit.describe()} ({plural(len(paper_ids), 'record')})")
        self.edit, self.paper_ids, self.result = edit, list(paper_ids), None
        self.backup_wanted = len(self.paper_ids) > 1

    @property
    def is_noop(self) -> bool:
        return self.result is None or not self.result.old

    def records(self) -> int:
        return len(self.paper_ids) if self.result is None else len(self.result.old)

    def apply_on(self, library, progress=None, cancelled=None):
        if self.result is None:
            self._backup_first(library, progress, cancelled)
            self.result = batch.apply(library, self.paper_ids, self.edit, progress=progress, cancelled=cancelled)
        else:
            batch.redo(library, self.result, progress=progress, cancelled=cancelled)

    def revert_on(self, library, progress=None, cancelled=None):
        batch.undo(library, self.result, progress=progress, cancelled=cancelled)


class BulkProgress(QWidget):
    """In the status bar while a bulk operation runs: what it is, how far it got, and Cancel."""

    def __init__(self, ops, parent=None):
        super().__init__(parent)
        self.setObjectName("bulk-progress")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("")
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(200)
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop it: everything it did so far is rolled back, nothing changes")
        self.cancel_button.clicked.connect(ops.cancel_job)
        for widget in (self.label, self.bar, self.cancel_button):
            row.addWidget(widget)
        ops.jobStarted.connect(self.started)
        ops.jobProgress.connect(self.progressed)
        ops.jobEnded.connect(lambda *_: self.hide())
        self.hide()

    def started(self, title: str) -> None:
        self.label.setText(f"{title}… (other changes wait)")
        self.bar.setRange(0, 0)  # busy until the first figure arrives
        self.cancel_button.setEnabled(True)
        self.show()

    def progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))


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

    # --- bulk operations: progress and Cancel ----------------------------------------------------------------

    def setup_bulk_progress(self) -> None:
        self.bulk_progress = BulkProgress(self.ops, self)
        self.statusBar().addPermanentWidget(self.bulk_progress)
        self.ops.waiting.connect(lambda sentence: self.statusBar().showMessage(sentence, 6000))
        self.ops.jobEnded.connect(lambda sentence: sentence and self.statusBar().showMessage(sentence, 8000))
        self.ops.jobStarted.connect(lambda title: self.statusBar().showMessage(
            f"{title}: other changes wait until it has finished", 4000))

    def _run(self, title: str, step, done, background: bool) -> None:
        """A change that is not undoable (emptying the Trash, a backup): in a worker when it may take long,
        else here; ``done(result)`` afterwards, and every view told what changed."""
        if not background:
            if self.ops.refuse_while_busy():
                return
            try:
                result = self.ops.run(lambda library: step(library, None, None))
            except LibraryError as exc:
                self._failed(str(exc))
                return
            done(result)
            return

        def finished(result, changes):
            self.ops.broadcast(changes)
            done(result)

        self.ops.start_job(title, step, finished)

    # --- trash ----------------------------------------------------------------------------------------------

    def trash_selection(self) -> None:
        ids = self.selected_ids()
        if not ids:
            self.statusBar().showMessage("Select records first", 3000)
            return
        if self.model.filter.view == "trash":
            self.statusBar().showMessage("These records are in the Trash already: Restore brings them back", 4000)
            return
        if self.ops.refuse_while_busy():
            return
        command = TrashRecords(self.library, ids)

        def done():
            extra = f" with the {plural(command.absorbed, 'record')} merged into them" if command.absorbed else ""
            self.statusBar().showMessage(f"Moved {plural(len(command.moved), 'record')}{extra} to the Trash"
                                         " (Ctrl+Z undoes; the Trash in the sidebar restores)", 6000)

        command.on_done = done
        self._push(command)

    def restore_selection(self) -> None:
        ids = self.selected_ids()
        if self.model.filter.view != "trash" or not ids:
            self.statusBar().showMessage("Open the Trash in the sidebar and select the records to restore", 4000)
            return
        command = RestoreRecords(self.library, ids)
        command.on_done = lambda: self.statusBar().showMessage(f"Restored {plural(len(command.back), 'record')}",
                                                               5000)
        self._push(command)

    def empty_trash(self, confirm: bool = True) -> int:
        """Asks, then deletes for good (after a backup). Returns how many records are going (the deletion may
        still be running in the background: it is done when the Trash count shows 0)."""
        if self.ops.refuse_while_busy():
            return 0
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

        def step(library, progress, cancelled):
            backup.make_backup(library, "before emptying the Trash", progress=progress, cancelled=cancelled)
            return trash.empty_trash(library, progress=progress, cancelled=cancelled)

        def done(gone):
            self.undo_stack.clear()  # steps that refer to deleted records cannot be undone any more
            self.statusBar().showMessage(f"Deleted {plural(gone, 'record')} for good (a backup was made first)",
                                         6000)

        from .operations import BULK_RECORDS

        self._run("Emptying the Trash", step, done,
                  background=4 * count >= BULK_RECORDS or not backup_is_quick(self.library))  # deletes re-index
        return count

    # --- remove an import -----------------------------------------------------------------------------------

    def remove_import(self, source_id: int, confirm: bool = True) -> bool:
        """Say what removing the import would do, ask, then do it (one undoable step). For a large import the
        numbers themselves are counted in the worker first."""
        from .operations import BULK_RECORDS

        if self.ops.refuse_while_busy():
            return False
        try:
            size = trash.import_size(self.library, source_id)
            if size >= BULK_RECORDS:
                return self.ops.start_job(
                    "Counting what the import brought",
                    lambda library, progress, cancelled: trash.import_impact(library, source_id, progress=progress,
                                                                             cancelled=cancelled),
                    lambda impact, _: self._remove_import(source_id, impact, confirm))
            impact = trash.import_impact(self.library, source_id)
        except LibraryError as exc:
            self._failed(str(exc))
            return False
        return self._remove_import(source_id, impact, confirm)

    def _remove_import(self, source_id: int, impact: dict, confirm: bool) -> bool:
        also = impact["also_elsewhere"]
        text = (f"Remove the import of {impact['file']}?\n\n"
                f"{plural(impact['only_here'], 'record')} came only from this file and go to the Trash.\n"
                + (f"{plural(also, 'record')} also came from other files and stay, without this file's provenance.\n"
                   if also else "")
                + "\nOne step: Ctrl+Z puts everything back.")
        if confirm:
            box = QMessageBox(QMessageBox.Question, "Remove this import", text, QMessageBox.Cancel | QMessageBox.Ok,
                              self)
            box.button(QMessageBox.Ok).setText("Remove")
            box.setObjectName("remove-import-box")
            self.remove_import_box = box
            if box.exec() != QMessageBox.Ok:
                return False
        command = RemoveImport(self.library, source_id, impact["file"], impact["only_here"] + impact["also_elsewhere"])

        def done():
            self.sidebar.select("all")
            self.statusBar().showMessage(f"Removed {impact['file']}: {plural(impact['only_here'], 'record')} to the"
                                         " Trash", 6000)

        command.on_done = done
        return self._push(command)

    # --- batch edit -----------------------------------------------------------------------------------------

    def batch_edit(self, show: bool = True):
        from .dialogs.batch_edit import BatchEditDialog

        ids = self.selected_ids()
        scope = "selection" if len(ids) > 1 else "view"
        if scope == "view":
            ids = self.model.all_ids()
        dialog = BatchEditDialog(self.library, ids, f"the {plural(len(ids), 'selected record')}" if scope == "selection"
                                 else f"the {plural(len(ids), 'record')} shown", self)
        dialog.applyRequested.connect(self._apply_batch)
        self.batch_dialog = dialog
        if show:
            dialog.open()
        return dialog

    def _apply_batch(self, edit, ids: list) -> None:
        command = BatchEditRecords(self.library, edit, list(ids))
        command.on_done = lambda: self.statusBar().showMessage(
            f"{edit.describe()}: {plural(len(command.result.old), 'record')} (one Ctrl+Z undoes it)", 6000)
        self._push(command)

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
        def step(library, progress, cancelled):
            return backup.make_backup(library, "manual", progress=progress, cancelled=cancelled)

        def done(info):
            from .backup_status import made_sentence

            self.statusBar().showMessage(made_sentence(info, self.library.path, "Backed up"), 15000)

        self._run("Backing up the library", step, done, background=not backup_is_quick(self.library))

    def restore_backup(self, show: bool = True):
        from .dialogs.backups import BackupsDialog

        if self.ops.refuse_while_busy():  # restoring over the library would wait on the bulk change
            return None
        dialog = BackupsDialog(self.library, self)
        dialog.restoredOver.connect(self.ops.replaced_here)  # the undo steps refer to a library that is gone
        dialog.restoredOver.connect(self.refresh_all)
        self.backups_dialog = dialog
        if show:
            dialog.open()
        return dialog

    def setup_backup_status(self) -> None:
        from .backup_status import BackupStatus

        self.backup_status = BackupStatus(self)
        self.statusBar().addPermanentWidget(self.backup_status)

    def _backup_began(self, size: int) -> None:
        self.backup_status.follow(self.backup_worker, size)

    def _backup_done(self, info) -> None:
        from .backup_status import made_sentence

        self.backup_status.ended()
        if info is not None:
            self.statusBar().showMessage(made_sentence(info, self.library.path), 15000)

    def _backup_failed(self, sentence: str) -> None:
        """No backup was made: its short first words stay in the status bar, the whole sentence behind Details…
        (and in the log)."""
        from ..core.logfile import log_text

        self.backup_status.problem(sentence)  # in the status bar's own place: not said twice
        log_text(sentence)

    def _backup_stopped(self, sentence: str) -> None:
        self.backup_status.ended()
        self.statusBar().showMessage(sentence, 30000)

    def backup_if_due(self):
        """The daily backup, at start, in the background: only when the newest backup is a day old (or none).
        Its size and progress show in the status bar with Stop; it ends with what it made or why it made none."""
        from .workers import BackupWorker, start_in_thread

        if not self.library.count_papers():
            return None
        worker = BackupWorker(self.library.path)
        # Bound methods of the window (a QObject), not lambdas: Qt then queues the call to the GUI thread.
        worker.began.connect(self._backup_began)
        worker.progress.connect(self.backup_status.progressed)  # before it starts: no step goes unseen
        worker.finished.connect(self._backup_done)
        worker.failed.connect(self._backup_failed)
        worker.stopped.connect(self._backup_stopped)
        self.backup_worker = worker
        self.backup_thread = start_in_thread(worker, self)
        return worker

    def stop_backup(self) -> None:
        """The window closes: a daily backup still copying stops at its next step (it leaves nothing behind)."""
        worker = getattr(self, "backup_worker", None)
        if worker is not None:
            worker.cancel.set()
