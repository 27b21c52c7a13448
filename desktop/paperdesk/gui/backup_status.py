"""The daily backup, seen: in the status bar while it runs (how big, how far, Stop), and a sentence when it ends
(what it made and what the backups take, or why none was made).

The backup itself runs in a thread of its own on a connection of its own (workers.BackupWorker): the window
stays usable, other changes do not wait for it (SQLite's backup reads one snapshot of the library).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMessageBox, QProgressBar, QPushButton, QSizePolicy, QWidget

from ..core import backup
from ..core.wording import count

HEADLINE_PIXELS = 360  # the short first words of a problem, in the status bar; the whole sentence is one click away

# Below this a backup takes a moment: no progress bar flashes in the status bar, only the sentence at its end.
SHOWN_FROM_BYTES = 32 * 1024 * 1024


def made_sentence(info, library_path, what: str = "Daily backup made") -> str:
    """``Daily backup made: 1,000,000 records (3.4 GB) in …-backups (3 backups there, 10.2 GB in all; 40.3 GB
    free)``."""
    folder = info.path.parent
    backups = backup.list_backups(library_path)
    total = sum(b.size for b in backups)
    try:
        free = f"; {backup.size_text(backup.free_space(folder))} free"
    except OSError:
        free = ""
    return (f"{what}: {count(info.records, 'record', grouped=True)} ({backup.size_text(info.size)}) in {folder}"
            f" ({count(len(backups), 'backup')} there, {backup.size_text(total)} in all{free})")


class BackupStatus(QWidget):
    """In the status bar while a background backup runs: what it is, how far it got, and Stop."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("backup-status")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel("")
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(True)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop the backup: nothing is left behind and the library is unchanged")
        self.stop_button.clicked.connect(self.stop)
        self.stop_button.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)  # a button, not a bar across
        # When no backup could be made (no room on the disk): the short first words stay in the status bar, the
        # whole sentence is in the tooltip and behind Details…, until the librarian has read it.
        self.details_button = QPushButton("Details…")
        self.details_button.setToolTip("The whole sentence: why no backup was made, and what to do")
        self.details_button.clicked.connect(self.show_details)
        self.details_button.setSizePolicy(QSizePolicy.Fixed, QSizePolicy.Fixed)
        for widget in (self.label, self.bar, self.stop_button, self.details_button):
            row.addWidget(widget)
        self.details_button.hide()
        self.worker = None
        self.sentence = ""
        self.details_box: QMessageBox | None = None
        self.hide()

    def follow(self, worker, size: int) -> None:
        """``worker`` (a BackupWorker) began a backup of ``size`` bytes: show it if it is not a moment's work."""
        self.worker = worker
        what = "Daily backup" if worker.reason == "daily" else "Backup"
        folder = backup.backups_dir(worker.db_path)
        self.label.setText(f"{what} of this library ({backup.size_text(size)}) into {folder.name}…")
        self.label.setToolTip(f"A whole copy of the library is being written into {folder}; the library stays"
                              " usable meanwhile, and Stop leaves nothing behind")
        self.bar.setRange(0, 0)  # busy until the first figure arrives
        self.stop_button.setEnabled(True)
        self.bar.show()
        self.stop_button.show()
        self.details_button.hide()
        if size >= SHOWN_FROM_BYTES:
            self.show()

    def progressed(self, done: int, total: int) -> None:
        if total > 0:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))

    def stop(self) -> None:
        if self.worker is not None:
            self.worker.cancel.set()
            self.stop_button.setEnabled(False)
            self.label.setText("Stopping the backup…")

    def ended(self) -> None:
        self.worker = None
        self.details_button.hide()
        self.bar.show()
        self.stop_button.show()
        self.hide()

    def problem(self, sentence: str) -> str:
        """No backup was made (no room on the disk, an error): keep its first words in the status bar (the
        whole sentence in the tooltip and behind Details…) until read. Returns the first words."""
        self.worker = None
        self.sentence = sentence
        headline = sentence.split(". ")[0].rstrip(".")
        shown = self.label.fontMetrics().elidedText(headline, Qt.ElideRight, HEADLINE_PIXELS)
        self.label.setText(shown)
        self.label.setToolTip(sentence)
        self.bar.hide()
        self.stop_button.hide()
        self.details_button.show()
        self.show()
        return headline

    def show_details(self) -> None:
        """The whole sentence in a box of its own; once read (OK), the status bar lets it go."""
        box = QMessageBox(QMessageBox.Warning, "Backup", self.sentence, QMessageBox.Ok, self.window())
        box.setObjectName("backup-problem-box")
        box.finished.connect(lambda _: self.ended())
        self.details_box = box
        box.open()
