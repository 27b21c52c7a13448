"""Pinned exports in the desktop app: every change the window hears of (its own operations, their undo and
redo, other windows and programs) rewrites the pinned files in a background thread, a moment after the last
change, each written atomically by the core (core/export/pinned.py). The sidebar lists them with their last
write and any error."""

from __future__ import annotations

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from ..core.export import pinned as core_pinned
from ..core.library import Library, LibraryError
from .workers import start_in_thread

QUIET_MS = 600  # a burst of changes (typing, a batch) is one rewrite


class PinWorker(QObject):
    finished = Signal(list)  # the pins after their rewrite
    failed = Signal(str)

    def __init__(self, db_path, origin: str):
        super().__init__()
        self.db_path, self.origin = db_path, origin

    def run(self) -> None:
        try:
            library = Library(self.db_path, origin=self.origin)
        except LibraryError as exc:
            self.failed.emit(str(exc))
            return
        try:
            self.finished.emit([core_pinned.rewrite(library, pin) for pin in core_pinned.list_pins(library)])
        except Exception as exc:  # a sentence for the window, the traceback for the log
            from ..core.logfile import log_exception

            log_exception(exc, "pinned exports")
            self.failed.emit(f"A pinned export could not be written: {exc}")
        finally:
            library.close()


class PinnedExports(QObject):
    """Schedules the rewrites; ``updated`` when the pins' state (last write, error) may have changed."""

    updated = Signal()
    failed = Signal(str)

    def __init__(self, library: Library, origin: str, parent=None):
        super().__init__(parent)
        self.library, self.origin = library, origin
        self.thread: QThread | None = None
        self.pending = False
        self.writes = 0  # rewrites finished (tests wait on it)
        self.stopped = False
        self.timer = QTimer(self, singleShot=True, interval=QUIET_MS)
        self.timer.timeout.connect(self._start)

    def pins(self) -> list[core_pinned.Pin]:
        return core_pinned.list_pins(self.library)

    def library_changed(self, changes=None) -> None:
        if not self.stopped and self.pins():
            self.timer.start()

    def pin(self, path, fmt: str = "bibtex", *, tags=(), search: str = "") -> core_pinned.Pin:
        pin = core_pinned.pin_export(self.library, path, fmt, tags=tuple(tags), search=search)
        self.updated.emit()
        self.timer.start(0)
        return pin

    def unpin(self, pin_id: int) -> None:
        core_pinned.unpin(self.library, pin_id)
        self.updated.emit()

    def stop(self) -> None:
        """The window closes (or switches library): no more rewrites in the background. A change still waiting for
        its rewrite gets it now, in this thread, so the pinned files hold the library as the window left it."""
        waiting = self.timer.isActive() or self.pending
        self.stopped = True
        self.timer.stop()
        self.pending = False
        if self.thread is not None:
            try:
                self.thread.quit()
                self.thread.wait(60_000)
            except RuntimeError:  # already deleted
                pass
        if waiting:
            for pin in self.pins():
                try:
                    core_pinned.rewrite(self.library, pin)
                except LibraryError as exc:
                    self.failed.emit(str(exc))

    def _start(self) -> None:
        if self.stopped:
            return
        if self.thread is not None:
            self.pending = True  # rewrite again once this one is done: it may have read the state before
            return
        worker = PinWorker(self.library.path, self.origin)
        worker.finished.connect(self._done)
        worker.failed.connect(self._failed)
        self._worker = worker
        self.thread = start_in_thread(worker, self)

    def _done(self, _pins) -> None:
        self.thread = None
        self.writes += 1
        self.updated.emit()
        if self.pending:
            self.pending = False
            self.timer.start()

    def _failed(self, sentence: str) -> None:
        self.thread = None
        self.updated.emit()
        self.failed.emit(sentence)
