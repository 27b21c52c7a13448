"""The one place that runs operations for the window (after Anki's CollectionOp).

``Operations.push(command)`` applies an undoable command once; only if that first apply succeeded does the
command go on the undo stack, so a failed command never stays in History. The ``Changes`` of the first apply,
of every undo and of every redo are sent alike through ``changed``; each view decides itself what to refresh.
Changes made by another window (or another program) arrive the same way from the events table
(``check_elsewhere``), and events written by this window, or by its own workers, are never taken for someone
else's.

Bulk work never runs on the GUI thread. A ``BulkCommand`` touching enough records that it could take over half
a second (``BULK_RECORDS``, weighed by its ``cost``) is done, undone and redone by a ``JobWorker`` on a
connection of its own, with a progress bar and Cancel (``jobStarted``/``jobProgress``/``jobEnded``); only when
the worker's transaction has committed does the command go on the undo stack (or the stack move by one step). Cancel rolls the transaction
back: nothing changed, the undo stack is as it was. While a job runs, every other change is refused with a
sentence in the status bar (``waiting``): one writer at a time, and nothing queued behind the librarian's back.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack

from ..core import changes as ch
from ..core import store
from ..core.library import Library, LibraryError

log = logging.getLogger(__name__)


class LibraryCommand(QUndoCommand):
    """An undoable step: ``apply`` does it (the first time and on redo), ``revert`` undoes it.

    Subclasses keep in ``self`` whatever ``revert`` needs; they never talk to views."""

    def __init__(self, library: Library, text: str):
        super().__init__(text)
        self.library = library
        self.runner: Operations | None = None
        self._first = True
        self._done_by_worker = False  # the worker has just undone/redone it: the stack only moves
        self.on_done: Callable[[], None] | None = None  # called once the first apply has succeeded

    is_noop = False

    def in_background(self) -> bool:
        """Whether doing, undoing or redoing this may take long enough to need a worker (BulkCommand)."""
        return False

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if self._first:  # applied by Operations.push before it was pushed
            self._first = False
            return
        if self._done_by_worker:
            self._done_by_worker = False
            return
        self.runner.replay(self, self.apply)

    def undo(self) -> None:
        if self._done_by_worker:
            self._done_by_worker = False
            return
        self.runner.replay(self, self.revert)


# A bulk command runs in a worker with a progress bar and Cancel once ``records() * cost`` reaches this, i.e.
# when it may take more than half a second. Measured at 1,000,000 records on the shared 2-core machine
# (docs/benchmarks.md, "Library care at 1,000,000 records"): trashing and restoring do about 8,800 records a
# second (cost 1: 2,000 records, about 0.25 s); removing an import about 4,500 (cost 2); a batch edit, which
# also re-indexes each record's text for search, 640 a second on its first apply (cost 10: 200 records, 0.3 s).
BULK_RECORDS = 2000


class BulkCommand(LibraryCommand):
    """A command whose core operations take ``progress`` and ``cancelled`` (core.progress) and may touch many
    records: ``apply_on``/``revert_on`` run on whichever connection they are given (the window's for a few
    records, a worker's for many)."""

    cost = 1  # time per record relative to trashing one (see BULK_RECORDS)

    def records(self) -> int:
        raise NotImplementedError

    def in_background(self) -> bool:
        return self.records() * self.cost >= BULK_RECORDS

    def apply_on(self, library: Library, progress=None, cancelled=None) -> None:
        raise NotImplementedError

    def revert_on(self, library: Library, progress=None, cancelled=None) -> None:
        raise NotImplementedError

    def apply(self) -> None:
        self.apply_on(self.library)

    def revert(self) -> None:
        self.revert_on(self.library)


@dataclass
class Job:
    title: str
    worker: object  # workers.JobWorker
    done: Callable  # (result, Changes) on the GUI thread, after the worker's transaction committed
    failed: Callable | None = None  # (sentence); default: Operations.failed
    cancelled: Callable | None = None  # (sentence)


class Operations(QObject):
    changed = Signal(object)  # core.changes.Changes: after do, undo, redo, and changes made elsewhere
    failed = Signal(str)  # one sentence for the librarian
    refused = Signal(str)  # a ValidationError: the librarian can correct the input

    jobStarted = Signal(str)  # what runs in the background
    jobProgress = Signal("qint64", "qint64")  # done, total
    jobEnded = Signal(str)  # how it ended, one sentence ("" when it finished: its own message follows)
    waiting = Signal(str)  # a change asked for while a job runs: refused, with the reason
    replaced = Signal(str)  # the library's content was replaced elsewhere (a backup restored over it)

    def __init__(self, library: Library, undo_stack: QUndoStack, parent=None):
        super().__init__(parent)
        self.library = library
        self.undo_stack = undo_stack
        self.last_event = store.last_event_id(library.conn)
        self._data_version = store.data_version(library.conn)
        self._generation = store.library_generation(library.conn)
        self.last_changes: ch.Changes = ch.NOTHING
        self.job: Job | None = None
        self._closing = False
        self._target: int | None = None  # History: the stack index being stepped towards

    @property
    def origin(self) -> str:
        return self.library.origin

    def worker_origin(self, job: str) -> str:
        """The origin a worker of this window writes with: its events count as this window's own."""
        return f"{self.library.origin}:{job}"

    # --- running -----------------------------------------------------------------------------------------

    def push(self, command: LibraryCommand) -> bool:
        """Apply ``command`` once; push it only when that worked and changed something. A bulk command runs
        in a worker: True then means it started, and it is pushed (and ``on_done`` called) when it finishes."""
        from ..core.curation import ValidationError

        if self.refuse_while_busy():
            return False
        command.runner = self
        if command.in_background():
            self.start_job(command.text(), command.apply_on, lambda _, changes: self._pushed(command, changes))
            return True
        try:
            with ch.collect(self.library) as box:
                command.apply()
        except ValidationError as exc:
            self.refused.emit(str(exc))
            return False
        except LibraryError as exc:
            self.failed.emit(str(exc))
            return False
        return self._pushed(command, box.changes)

    def _pushed(self, command: LibraryCommand, changes: ch.Changes) -> bool:
        if command.is_noop:
            self.broadcast(changes)
            return False
        self.undo_stack.push(command)  # its redo() skips this first time
        self.broadcast(changes)
        if command.on_done is not None:
            command.on_done()
        return True

    # --- undo and redo: a bulk step runs in a worker, and only then does the stack move --------------------

    def undo(self) -> None:
        self._step(-1)

    def redo(self) -> None:
        self._step(+1)

    def jump_to(self, index: int) -> None:
        """History: step back (or forward) to ``index``, one command at a time (bulk ones in a worker)."""
        if self.refuse_while_busy():
            return
        self._target = max(0, min(index, self.undo_stack.count()))
        self._towards_target()

    def _towards_target(self) -> None:
        while self._target is not None and self.job is None:
            index = self.undo_stack.index()
            if index == self._target:
                self._target = None
                return
            before = (index, self.undo_stack.count())
            self._step(-1 if self._target < index else +1, keep_target=True)
            if self.job is None and (self.undo_stack.index(), self.undo_stack.count()) == before:
                self._target = None  # a step that cannot be taken: stop there

    def _step(self, direction: int, keep_target: bool = False) -> None:
        if not keep_target:
            self._target = None
            if self.refuse_while_busy():
                return
        stack = self.undo_stack
        index = stack.index()
        if (direction < 0 and not stack.canUndo()) or (direction > 0 and not stack.canRedo()):
            return
        command = stack.command(index - 1 if direction < 0 else index)
        move = stack.undo if direction < 0 else stack.redo
        if not (isinstance(command, LibraryCommand) and command.in_background()):
            move()
            return
        command.runner = self
        step = command.revert_on if direction < 0 else command.apply_on
        title = f"{'Undo' if direction < 0 else 'Redo'}: {command.text()}"

        def done(_, changes):
            command._done_by_worker = True
            move()
            self.broadcast(changes)
            self._towards_target()

        def failed(sentence):
            self._target = None
            command.setObsolete(True)  # it cannot be undone or redone any more: out of History
            command._done_by_worker = True
            move()
            self.failed.emit(f"{command.text()} cannot be undone or redone any more: {sentence}")
            self.check_elsewhere()

        self.start_job(title, step, done, failed=failed)

    # --- background jobs ------------------------------------------------------------------------------------

    @property
    def busy(self) -> str | None:
        """What runs in the background now (None when nothing does)."""
        return self.job.title if self.job is not None else None

    def refuse_while_busy(self) -> bool:
        """True (and the reason said in the status bar) while a job runs: one change at a time."""
        if self.job is None:
            return False
        self.waiting.emit(f"Wait until “{self.job.title}” has finished (or Cancel it): nothing else changes"
                          " meanwhile")
        return True

    def start_job(self, title: str, step, done, *, failed=None, cancelled=None) -> bool:
        """Run ``step(library, progress, cancelled)`` in a worker; ``done(result, Changes)`` when it committed."""
        from .workers import JobWorker

        if self.refuse_while_busy():
            return False
        worker = JobWorker(self.library.path, self.library.origin, step)
        worker.progress.connect(self._job_progress)
        worker.finished.connect(self._job_finished)
        worker.cancelled.connect(self._job_cancelled)
        worker.failed.connect(self._job_failed)
        self.job = Job(title, worker, done, failed, cancelled)
        self.jobStarted.emit(title)
        worker.start()
        return True

    def cancel_job(self) -> None:
        if self.job is not None:
            self.job.worker.cancel.set()

    def shutdown(self) -> None:
        """The window closes: a running job is cancelled (its transaction rolls back, or it had committed
        whole already) and waited for, so nothing is left half-applied."""
        self._closing = True
        job = self.job
        if job is not None:
            job.worker.cancel.set()
            if job.worker.thread is not None:
                job.worker.thread.join()

    def _end(self) -> Job | None:
        job, self.job = self.job, None
        return None if self._closing else job

    def _job_progress(self, done: int, total: int) -> None:
        if self.job is not None:
            self.jobProgress.emit(done, total)

    def _job_finished(self, result, changes) -> None:
        job = self._end()
        if job is None:
            return
        self.jobEnded.emit("")
        job.done(result, changes)

    def _job_cancelled(self, sentence: str) -> None:
        job = self._end()
        if job is None:
            return
        self._target = None
        sentence = f"Cancelled “{job.title}”: nothing was changed"
        self.jobEnded.emit(sentence)
        if job.cancelled is not None:
            job.cancelled(sentence)

    def _job_failed(self, sentence: str) -> None:
        job = self._end()
        if job is None:
            return
        self._target = None
        self.jobEnded.emit(sentence)
        if job.failed is not None:
            job.failed(sentence)
        else:
            self.failed.emit(sentence)
            self.check_elsewhere()

    def undo_actions(self, parent) -> tuple[QAction, QAction]:
        """Edit › Undo and Redo: through ``undo``/``redo`` (bulk steps in a worker), disabled while a job runs."""
        undo, redo = QAction("&Undo", parent), QAction("&Redo", parent)
        undo.setShortcut(QKeySequence("Ctrl+Z"))
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        undo.triggered.connect(lambda *_: self.undo())
        redo.triggered.connect(lambda *_: self.redo())

        def update(*_):
            stack, idle = self.undo_stack, self.job is None
            try:
                can_undo, can_redo = stack.canUndo(), stack.canRedo()
                texts = stack.undoText(), stack.redoText()
            except RuntimeError:  # the window (and its stack) is being destroyed
                return
            undo.setEnabled(idle and can_undo)
            redo.setEnabled(idle and can_redo)
            undo.setText(f"&Undo {texts[0]}".rstrip())
            redo.setText(f"&Redo {texts[1]}".rstrip())

        for signal in (self.undo_stack.indexChanged, self.undo_stack.canUndoChanged, self.undo_stack.canRedoChanged,
                       self.undo_stack.undoTextChanged, self.undo_stack.redoTextChanged, self.jobStarted,
                       self.jobEnded):
            signal.connect(update)
        update()
        return undo, redo

    def replay(self, command: LibraryCommand, step) -> None:
        """Undo or redo from the stack. If it cannot be done any more (another window changed the records),
        the command is dropped from History and the librarian is told why."""
        try:
            with ch.collect(self.library) as box:
                step()
        except LibraryError as exc:
            command.setObsolete(True)
            self.failed.emit(f"{command.text()} cannot be undone or redone any more: {exc}")
            self.check_elsewhere()
            return
        self.broadcast(box.changes)

    def run(self, operation, *args, **kwargs):
        """A change that is not undoable (saving a search): run it and tell the views. While a job runs it is
        refused (a ValidationError: the dialog asking shows it) with the reason."""
        from ..core.curation import ValidationError

        if self.job is not None:
            self.refuse_while_busy()
            raise ValidationError(f"“{self.job.title}” is still running; try again when it has finished")
        with ch.collect(self.library) as box:
            result = operation(self.library, *args, **kwargs)
        self.broadcast(box.changes)
        return result

    def broadcast(self, changes: ch.Changes) -> None:
        self._data_version = store.data_version(self.library.conn)
        if changes:
            self.last_changes = changes
            self.changed.emit(changes)

    # --- changes from elsewhere ---------------------------------------------------------------------------

    def replaced_here(self) -> None:
        """The library's content was replaced (a restored backup): forget its history and follow the new log."""
        self.undo_stack.clear()
        self._generation = store.library_generation(self.library.conn)
        self.last_event = store.last_event_id(self.library.conn)
        self._data_version = store.data_version(self.library.conn)

    def check_elsewhere(self, force: bool = False) -> tuple[ch.Changes, bool]:
        """Read events written since the last look by other connections. Returns (their Changes, whether any
        came from outside this window: another window or program, not this window's workers)."""
        version = store.data_version(self.library.conn)
        if version == self._data_version and not force:
            return ch.NOTHING, False
        self._data_version = version
        if store.library_generation(self.library.conn) != self._generation:
            # A backup was restored over the library by another window or program: the change log is not the
            # one this window followed, so its undo steps would apply to records that are not there.
            self.replaced_here()
            self.replaced.emit("A backup was restored over this library elsewhere: everything shown was read"
                               " again and Undo starts afresh")
            self.last_changes = ch.EVERYTHING
            self.changed.emit(ch.EVERYTHING)
            return ch.EVERYTHING, True
        rows = store.events_after(self.library.conn, self.last_event, exclude_origin=None)
        if not rows:
            return ch.NOTHING, False
        self.last_event = rows[-1][0]
        mine, prefix = self.library.origin, self.library.origin + ":"
        theirs = [r for r in rows if r[1] != mine]
        foreign = any(not (r[1] or "").startswith(prefix) for r in theirs)
        changes = ch.from_rows(theirs)
        if changes:
            self.last_changes = changes
            self.changed.emit(changes)
        return changes, foreign
