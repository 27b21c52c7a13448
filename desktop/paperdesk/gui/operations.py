"""The one place that runs operations for the window (after Anki's CollectionOp).

``Operations.push(command)`` applies an undoable command once; only if that first apply succeeded does the
command go on the undo stack, so a failed command never stays in History. The ``Changes`` of the first apply,
of every undo and of every redo are sent alike through ``changed``; each view decides itself what to refresh.
Changes made by another window (or another program) arrive the same way from the events table
(``check_elsewhere``), and events written by this window, or by its own workers, are never taken for someone
else's.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

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

    is_noop = False

    def apply(self) -> None:
        raise NotImplementedError

    def revert(self) -> None:
        raise NotImplementedError

    def redo(self) -> None:
        if self._first:  # applied by Operations.push before it was pushed
            self._first = False
            return
        self.runner.replay(self, self.apply)

    def undo(self) -> None:
        self.runner.replay(self, self.revert)


class Operations(QObject):
    changed = Signal(object)  # core.changes.Changes: after do, undo, redo, and changes made elsewhere
    failed = Signal(str)  # one sentence for the librarian
    refused = Signal(str)  # a ValidationError: the librarian can correct the input

    def __init__(self, library: Library, undo_stack: QUndoStack, parent=None):
        super().__init__(parent)
        self.library = library
        self.undo_stack = undo_stack
        self.last_event = store.last_event_id(library.conn)
        self._data_version = store.data_version(library.conn)
        self.last_changes: ch.Changes = ch.NOTHING

    @property
    def origin(self) -> str:
        return self.library.origin

    def worker_origin(self, job: str) -> str:
        """The origin a worker of this window writes with: its events count as this window's own."""
        return f"{self.library.origin}:{job}"

    # --- running -----------------------------------------------------------------------------------------

    def push(self, command: LibraryCommand) -> bool:
        """Apply ``command`` once; push it only when that worked and changed something."""
        from ..core.curation import ValidationError

        command.runner = self
        try:
            with ch.collect(self.library) as box:
                command.apply()
        except ValidationError as exc:
            self.refused.emit(str(exc))
            return False
        except LibraryError as exc:
            self.failed.emit(str(exc))
            return False
        if command.is_noop:
            return False
        self.undo_stack.push(command)  # its redo() skips this first time
        self.broadcast(box.changes)
        return True

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
        """A change that is not undoable (saving a search): run it and tell the views."""
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

    def check_elsewhere(self, force: bool = False) -> tuple[ch.Changes, bool]:
        """Read events written since the last look by other connections. Returns (their Changes, whether any
        came from outside this window: another window or program, not this window's workers)."""
        version = store.data_version(self.library.conn)
        if version == self._data_version and not force:
            return ch.NOTHING, False
        self._data_version = version
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
