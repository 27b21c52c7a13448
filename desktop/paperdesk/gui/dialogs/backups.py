"""File › Restore from backup…: the library's backups with date, record count and why each was made; restore one
into a new file (the library stays as it is) or over this library, after a confirmation and a safety backup."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QDialog, QFileDialog, QHBoxLayout, QLabel, QMessageBox, \
    QProgressBar, QPushButton, QTableWidget, QTableWidgetItem, QVBoxLayout

from ...core import backup, libraries
from ...core.library import LibraryError
from ...core.wording import count


class BackupsDialog(QDialog):
    restoredOver = Signal()

    def __init__(self, library, parent=None):
        super().__init__(parent)
        self.library = library
        self.setObjectName("backups-dialog")
        self.setWindowTitle("Backups of this library")
        layout = QVBoxLayout(self)
        self.where = QLabel("")
        self.where.setObjectName("backups-where")
        self.where.setWordWrap(True)
        layout.addWidget(self.where)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Made", "Records", "Size", "Why"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        self.message = QLabel("")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        self.bar = QProgressBar()  # while Back up now copies, in the background
        self.bar.hide()
        layout.addWidget(self.bar)
        self.worker = self.thread = None
        row = QHBoxLayout()
        self.backup_button = QPushButton("Back up &now")
        self.backup_button.clicked.connect(self._backup_clicked)
        self.into_button = QPushButton("Restore into a &new file…")
        self.into_button.clicked.connect(lambda: self.restore_into())
        self.over_button = QPushButton("Restore &over this library…")
        self.over_button.clicked.connect(lambda: self.restore_over())
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        for button in (self.backup_button, self.into_button, self.over_button):
            row.addWidget(button)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.resize(720, 360)
        self.reload()

    def reload(self) -> None:
        self.backups = backup.list_backups(self.library.path)
        self.where.setText(self.where_text())
        self.table.setRowCount(len(self.backups))
        for r, info in enumerate(self.backups):
            cells = (info.shown,
                     "?" if info.records is None else f"{info.records:,}", backup.size_text(info.size), info.reason)
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(str(info.path))
                if c in (1, 2):
                    item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()
        if self.backups:
            self.table.selectRow(0)
        else:
            self.message.setText("No backups yet. Paperdesk makes one a day when it starts, and one before every"
                                 " bulk change; Back up now makes one at once.")
        for button in (self.into_button, self.over_button):
            button.setEnabled(bool(self.backups))

    def where_text(self) -> str:
        """Where the backups are, what they take together and how that is limited."""
        folder = backup.backups_dir(self.library.path)
        total = sum(info.size for info in self.backups)
        try:
            free = f"; {backup.size_text(backup.free_space(folder))} free on that disk"
        except OSError:
            free = ""
        limit = backup.space_limit(self.library)
        keep = backup.keep_count(self.library)
        limits = (f"only the newest is kept" if keep == 1 else f"the newest {keep} are kept") + (
            f", in at most {backup.size_text(limit)}" if limit else "")
        return (f"In {folder}: {count(len(self.backups), 'backup')} taking {backup.size_text(total)}{free}."
                f" Each is a whole copy of the library ({backup.size_text(backup.backup_size(self.library))} now);"
                f" {limits} (Edit › Preferences changes this).")

    def chosen(self):
        rows = self.table.selectionModel().selectedRows()
        return self.backups[rows[0].row()] if rows else None

    def _backup_clicked(self) -> None:
        if self.worker is not None:
            self.stop_backup()
        else:
            self.backup_now()

    def backup_now(self):
        """A backup in the background (a large library takes a while): its progress here, the button stops it.
        Returns the worker."""
        from ..workers import BackupWorker, start_in_thread

        if self.worker is not None:
            return self.worker
        worker = BackupWorker(self.library.path, "manual", only_if_due=False)
        worker.progress.connect(self._progressed)
        worker.finished.connect(self._backup_made)
        worker.failed.connect(self._backup_ended)
        worker.stopped.connect(self._backup_ended)
        self.worker = worker
        self.backup_button.setText("&Stop the backup")
        for button in (self.into_button, self.over_button):
            button.setEnabled(False)
        self.bar.setRange(0, 0)
        self.bar.show()
        self.message.setText(f"Backing up {backup.size_text(backup.backup_size(self.library))}…")
        self.thread = start_in_thread(worker, self)
        return worker

    def stop_backup(self, wait: bool = False) -> None:
        if self.worker is not None:
            self.worker.cancel.set()
            if wait and self.thread is not None:
                self.thread.quit()  # its loop ends once run() returns (the queued quit would wait for this thread)
                self.thread.wait(30_000)

    def _progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))

    def _backup_made(self, info) -> None:
        self._backup_ended("")
        self.reload()
        self.message.setText(f"Backed up {count(info.records, 'record', grouped=True)}"
                             f" ({backup.size_text(info.size)}).")

    def _backup_ended(self, sentence: str) -> None:
        self.worker = self.thread = None
        self.bar.hide()
        self.backup_button.setText("Back up &now")
        for button in (self.into_button, self.over_button):
            button.setEnabled(bool(self.backups))
        if sentence:
            self.message.setText(sentence)

    def done(self, result: int) -> None:
        self.stop_backup(wait=True)  # closing stops a backup still copying (nothing is left behind)
        super().done(result)

    def restore_into(self, target: str | None = None) -> str | None:
        info = self.chosen()
        if info is None:
            return None
        if target is None:
            target, _ = QFileDialog.getSaveFileName(self, "Restore into a new library file",
                                                    str(self.library.path.with_name(info.restored_name(self.library.path))),
                                                    "Paperdesk library (*.sqlite)")
        if not target:
            return None
        target = libraries.with_suffix(target)  # a name typed without an extension still opens as a library
        try:
            result = backup.restore(info.path, into=target)
        except LibraryError as exc:
            self.message.setText(str(exc))
            return None
        self.message.setText(f"Restored {count(result['records'], 'record', grouped=True)} into {result['path']}; this library is"
                             " unchanged (File › Open library opens the new one).")
        return result["path"]

    def restore_over(self, confirm: bool = True) -> bool:
        info = self.chosen()
        if info is None:
            return False
        if confirm:
            box = QMessageBox(QMessageBox.Warning, "Restore over this library",
                              f"Replace everything in this library with the backup of {info.shown} "
                              f"({count(info.records, 'record', grouped=True)})?\n\nA backup of the library as it is now is made first,"
                              " so this can be reversed from this list.", QMessageBox.Cancel | QMessageBox.Ok, self)
            box.button(QMessageBox.Ok).setText("Restore")
            if box.exec() != QMessageBox.Ok:
                return False
        try:
            result = backup.restore(info.path, over=self.library)
        except LibraryError as exc:
            self.message.setText(str(exc))
            return False
        self.reload()
        self.message.setText(f"Restored {count(result['records'], 'record', grouped=True)}; what the library held is in the newest"
                             " backup ('before restore').")
        self.restoredOver.emit()
        return True
