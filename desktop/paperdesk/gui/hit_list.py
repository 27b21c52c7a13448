"""A search's whole ordered hit list, built in a thread of its own while the table shows the first screen.

One thread per records table, with its own read-only connection, working on the latest request only: a new
request (the next keystroke, another sort) interrupts the query in progress (``sqlite3_interrupt`` on the
thread's connection) and replaces it. Each result carries the generation it was asked for, so the table drops
whatever a later request made stale.
"""

from __future__ import annotations

import sqlite3
import threading

from PySide6.QtCore import QObject, Signal

from ..core.library import Library
from ..core.query import RecordFilter, ordered_ids


class HitListWorker(QObject):
    finished = Signal("qint64", object)  # generation, array("q") of ids in display order
    failed = Signal("qint64", str)  # generation, a sentence

    def __init__(self, db_path):
        super().__init__()
        self.db_path = db_path
        self._cond = threading.Condition()  # guards the fields below; an interrupt never meets a closing connection
        self._pending: tuple[int, RecordFilter, bool] | None = None
        self._running: int | None = None
        self._stopped = False
        self._library: Library | None = None
        self._thread: threading.Thread | None = None

    def request(self, generation: int, f: RecordFilter, dense: bool = False) -> None:
        """Build the ids of ``f`` (``dense``: most records match, see query.ordered_ids); whatever was asked
        before is abandoned."""
        with self._cond:
            if self._stopped:
                return
            self._pending = (generation, f, dense)
            self._interrupt()
            self._cond.notify()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="paperdesk-hit-list", daemon=True)
                self._thread.start()

    def cancel(self) -> None:
        """Abandon the request in progress (its result would be stale)."""
        with self._cond:
            self._pending = None
            self._interrupt()

    def busy(self) -> bool:
        with self._cond:
            return self._pending is not None or self._running is not None

    def stop(self) -> None:
        """The window closes: abandon the work, end the thread (it closes its connection)."""
        with self._cond:
            self._stopped = True
            self._pending = None
            self._interrupt()
            self._cond.notify()
            thread = self._thread
        if thread is not None:
            thread.join(10)

    def _interrupt(self) -> None:
        if self._running is not None and self._library is not None:
            self._library.conn.interrupt()

    def _run(self) -> None:
        while True:
            with self._cond:
                while self._pending is None and not self._stopped:
                    self._cond.wait()
                if self._stopped:
                    break
                (generation, f, dense), self._pending = self._pending, None
                self._running = generation
            ids, problem = None, None
            try:
                if self._library is None:
                    self._library = Library(self.db_path, readonly=True, check=False)
                ids = ordered_ids(self._library.conn, f, dense)
            except sqlite3.OperationalError as exc:
                if "interrupt" not in str(exc):
                    problem = str(exc)
            except Exception as exc:  # the traceback to the log, a sentence to the window
                from ..core.logfile import log_exception

                log_exception(exc, "search hit list")
                problem = str(exc)
            with self._cond:
                self._running = None
                superseded = self._pending is not None or self._stopped
            if superseded:
                continue
            if ids is not None:
                self.finished.emit(generation, ids)
            elif problem is not None:
                self.failed.emit(generation, f"The search could not be completed: {problem}")
        with self._cond:
            if self._library is not None:
                self._library.close()
                self._library = None
