"""The library given at start (``--db``, ``$PAPERDESK_DB``) cannot be opened (damaged, not a library, read-only):
say why in a sentence and offer what the librarian can do from here — restore its latest backup into a new file,
open another library, open the default one — or quit. The app ends only when the librarian chooses Quit.

The terminal commands (``paperdesk check --recover``…) stay in the box's details, for those who want them.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QProgressDialog

from ..core import backup
from ..core.libfile import latest_backup
from ..core.library import Library, LibraryError, default_db_path
from ..core.wording import count

LIBRARY_FILTER = "Paperdesk libraries (*.sqlite *.db);;All files (*)"


class RefusedStart:
    """The box shown instead of the window, and what each of its buttons does. ``choose()`` returns an open
    Library and a sentence for the status bar, or None when the librarian chose Quit."""

    def __init__(self, path, sentence: str, parent=None):
        self.path, self.sentence, self.parent = Path(path), sentence, parent
        self.box: QMessageBox | None = None

    def _make_box(self) -> QMessageBox:
        box = QMessageBox(QMessageBox.Critical, "Paperdesk", f"Cannot open the library {self.path.name}.",
                          QMessageBox.NoButton, self.parent)
        box.setObjectName("refused-start-box")
        newest = latest_backup(self.path)
        reason = self.sentence.split(". Paperdesk will not write to it")[0].rstrip(".")
        what_next = ("Restore its latest backup into a new library, open another library, or quit."
                     if newest else "Open another library, or quit.")
        box.setInformativeText(f"{reason}.\n\n{what_next} The file itself is left as it is.")
        box.setDetailedText(self.sentence)  # the terminal commands, for those who want them
        self.restore_button = box.addButton("Restore latest backup…", QMessageBox.AcceptRole) if newest else None
        self.open_button = box.addButton("Open another library…", QMessageBox.ActionRole)
        self.default_button = (box.addButton("Open the default library", QMessageBox.ActionRole)
                               if self.path != default_db_path() else None)
        self.quit_button = box.addButton("Quit", QMessageBox.RejectRole)
        box.setDefaultButton(self.restore_button or self.open_button)
        box.setEscapeButton(self.quit_button)
        self.newest = newest
        self.box = box
        return box

    def choose(self) -> tuple[Library, str] | None:
        """Ask until a library opens or the librarian quits (a choice that fails says why, and asks again)."""
        while True:
            box = self._make_box()
            box.exec()
            clicked = box.clickedButton()
            if clicked is None or clicked is self.quit_button:
                return None
            try:
                if clicked is self.restore_button:
                    opened = self.restore_latest()
                elif clicked is self.open_button:
                    opened = self.open_other()
                else:
                    opened = (Library(default_db_path()), f"Library: {default_db_path()}")
            except LibraryError as exc:
                self.sentence = str(exc)
                continue
            if opened is not None:
                return opened

    def open_other(self) -> tuple[Library, str] | None:
        chosen, _ = QFileDialog.getOpenFileName(self.parent, "Open library", str(self.path.parent),
                                                LIBRARY_FILTER)
        if not chosen:
            return None  # back to the box
        return Library(chosen, create=False), f"Library: {chosen}"

    def restore_latest(self) -> tuple[Library, str] | None:
        """The newest backup, copied into a new file the librarian names (beside the damaged one by default),
        then opened. The copy runs in a thread; the box says it is working meanwhile."""
        info = next(iter(backup.list_backups(self.path)), None)
        if info is None:
            raise LibraryError(f"{self.path.name} has no backup any more")
        suggested = self.path.with_name(info.restored_name(self.path))
        target, _ = QFileDialog.getSaveFileName(self.parent, "Restore the latest backup into", str(suggested),
                                                LIBRARY_FILTER)
        if not target:
            return None
        result = run_with_busy_box(lambda: backup.restore(info.path, into=target),
                                   f"Restoring the backup of {info.created[:16].replace('T', ' ')}"
                                   f" ({backup.size_text(info.size)}) into {Path(target).name}…", self.parent)
        return (Library(target, create=False),
                f"Restored the latest backup ({count(result['records'], 'record', grouped=True)}) into {target};"
                f" {self.path.name} was left as it was")


def run_with_busy_box(work, label: str, parent=None):
    """Run ``work`` in a thread while a busy box says what is happening (a restore copies the whole library);
    returns its result or raises its LibraryError. It cannot be stopped half-way: the box has no Cancel."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = work()
        except LibraryError as exc:
            outcome["error"] = exc
        except Exception as exc:  # noqa: BLE001 - a sentence for the librarian, the traceback to the log
            from ..core.logfile import log_exception

            log_exception(exc, "restore at start")
            outcome["error"] = LibraryError(f"The restore failed: {exc}")

    progress = QProgressDialog(label, "", 0, 0, parent)
    progress.setCancelButton(None)
    progress.setWindowTitle("Paperdesk")
    progress.setMinimumDuration(300)
    thread = threading.Thread(target=run, name="restore-at-start", daemon=True)
    thread.start()
    loop = QEventLoop()
    timer = QTimer(interval=50)
    timer.timeout.connect(lambda: thread.is_alive() or loop.quit())
    timer.start()
    loop.exec()
    timer.stop()
    progress.close()
    QApplication.processEvents()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]
