"""Long work off the GUI thread: a QThread with its own library connection, progress signals and cancel."""

from __future__ import annotations

import threading
import time

from PySide6.QtCore import QObject, QThread, Signal

from ..core import library as library_mod
from ..core.library import Library, LibraryError


class ImportWorker(QObject):
    """Imports files in a thread of its own; each file is one transaction, Cancel rolls back the current one
    (a large import is one transaction: Cancel rolls all of it back, see Library.import_files)."""

    progress = Signal("qint64", "qint64", str, "qint64")  # files done, files total, message of the last file, its new records
    finished = Signal(list)  # list of ImportResult.as_dict()
    failed = Signal(str)
    checking = Signal("qint64")  # the library's size in bytes: its quick check runs before the first file is written
    # a large library's check: (size in bytes as text, an int beyond Qt's 32 bits; seconds it took, or -1 when it
    # was skipped; when the check vouching for the file ran, ISO)
    checked = Signal(str, float, str)

    def __init__(self, db_path, paths, captured=None, origin: str | None = None):
        super().__init__()
        self.origin = origin  # the window's events and its workers' are told apart from other windows'
        self.db_path, self.paths, self.captured = db_path, list(paths), captured
        self.cancel = threading.Event()
        self.new_records: list[int] = []  # the records the import added (set before ``finished``)

    def run(self) -> None:
        try:
            library = Library(self.db_path, origin=self.origin)
        except LibraryError as exc:
            self.failed.emit(str(exc))
            return
        try:
            size = library.path.stat().st_size
            if library.needs_check:  # a large library: said, not a bar standing at 0 for tens of seconds
                self.checking.emit(size)
                started = time.monotonic()
                library.ensure_checked()
                self.checked.emit(str(size), time.monotonic() - started, library.checked_at.isoformat())
            elif size > library_mod.QUICK_CHECK_AT_OPEN_BYTES and library.checked_at is not None:
                self.checked.emit(str(size), -1.0, library.checked_at.isoformat())  # known sound: not read again
            results = library.import_files(
                self.paths, self.captured, cancel=self.cancel,
                progress=lambda done, total, result: self.progress.emit(done, total, result.message, result.added),
            )
            from ..core import dupqueue

            self.new_records = dupqueue.imported_records(library, results)  # here, not on the GUI thread
            self.finished.emit([r.as_dict() for r in results])
        except Exception as exc:  # never let a worker die silently: the window shows what happened
            from ..core.logfile import log_exception

            log_exception(exc, "import worker")  # the traceback goes to the log, a sentence to the window
            self.failed.emit(f"The import stopped: {exc}")
        finally:
            library.close()


class BackupWorker(QObject):
    """A backup in a thread of its own with its own connection (the daily one at start, Back up now in the
    Backups dialog): a large library is copied page by page while the librarian works, reporting how far it
    got; ``cancel`` stops it between pages and leaves nothing behind."""

    began = Signal(object)  # the expected size in bytes (an int beyond Qt's 32 bits at 3.4 GB), when one is made
    progress = Signal("qint64", "qint64")  # pages copied, pages in all
    finished = Signal(object)  # core.backup.BackupInfo, or None when none was due
    failed = Signal(str)  # a sentence: no backup was made, and why (no room on the disk, an error)
    stopped = Signal(str)  # a sentence: the librarian stopped it, none was made

    def __init__(self, db_path, reason: str = "daily", only_if_due: bool = True):
        super().__init__()
        self.db_path, self.reason, self.only_if_due = db_path, reason, only_if_due
        self.cancel = threading.Event()

    def run(self) -> None:
        from ..core import backup

        what = "Daily backup" if self.reason == "daily" else "Backup"
        try:
            if self.only_if_due and not backup.backup_due(self.db_path):
                self.finished.emit(None)
                return
            library = Library(self.db_path)
            try:
                self.began.emit(backup.backup_size(library))
                self.finished.emit(backup.make_backup(library, self.reason, progress=self.progress.emit,
                                                      cancelled=self.cancel.is_set))
            finally:
                library.close()
        except backup.BackupCancelled:
            again = " (it is made at the next start)" if self.reason == "daily" else ""
            self.stopped.emit(f"{what} stopped: none was made{again}; the library is unchanged")
        except backup.NoRoom as exc:  # short first words (what the status bar shows), then why and what to do
            self.failed.emit(f"{what} not made: no room on the disk. {exc.detail[:1].upper()}{exc.detail[1:]}")
        except LibraryError as exc:
            self.failed.emit(f"{what} not made: {exc}")
        except Exception as exc:  # the traceback to the log, a sentence to the window
            from ..core.logfile import log_exception

            log_exception(exc, "backup worker")
            self.failed.emit(f"{what} failed: {exc}")


def start_in_thread(worker: QObject, parent: QObject) -> QThread:
    thread = QThread(parent)
    worker.moveToThread(thread)
    thread.started.connect(worker.run)
    worker.finished.connect(thread.quit)
    worker.failed.connect(thread.quit)
    if hasattr(worker, "stopped"):
        worker.stopped.connect(thread.quit)
    thread.finished.connect(thread.deleteLater)
    thread.start()
    return thread


class JobWorker(QObject):
    """One bulk operation (trash, restore, remove an import, batch edit, their undo and redo, empty the Trash, a
    backup) on a connection of its own, in a thread of its own, so the window stays responsive.

    ``step(library, progress, cancelled)`` is a core operation: one transaction, in chunks, asking
    ``cancelled()`` before each (core.progress). Cancel rolls its transaction back; nothing has changed. The
    worker writes with the window's own origin, so the window does not take its events for another window's;
    it reads the Changes from those events itself and hands them over with the result.

    A plain Python thread rather than a QThread (as the author figures do): the signals reach the window's
    Operations through its event loop, and nothing aborts if the window goes while the thread finishes."""

    progress = Signal("qint64", "qint64")
    finished = Signal(object, object)  # the step's result, core.changes.Changes
    cancelled = Signal(str)  # the sentence: nothing was changed
    failed = Signal(str)

    def __init__(self, db_path, origin: str, step):
        super().__init__()
        self.db_path, self.origin, self.step = db_path, origin, step
        self.cancel = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self.run, name="paperdesk-bulk-operation", daemon=True)
        self.thread.start()

    def run(self) -> None:
        from ..core import changes as ch
        from ..core.progress import Cancelled

        try:
            library = Library(self.db_path, origin=self.origin, check=False)  # the window checked it at open
        except LibraryError as exc:
            self.failed.emit(str(exc))
            return
        try:
            with ch.collect(library) as box:
                result = self.step(library, self._progress, self.cancel.is_set)
            self.finished.emit(result, box.changes)
        except Cancelled as exc:
            self.cancelled.emit(str(exc))
        except LibraryError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # the traceback to the log, a sentence to the window
            from ..core.logfile import log_exception

            log_exception(exc, "bulk operation")
            self.failed.emit(f"The operation stopped: {exc}; nothing was changed")
        finally:
            library.close()

    def _progress(self, done: int, total: int) -> None:
        self.progress.emit(int(done), int(total))
