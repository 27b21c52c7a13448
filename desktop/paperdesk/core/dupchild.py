"""The duplicate scan and the stored queue's reading in a process of their own, so that the window's process keeps
neither their memory nor their Python work. Qt-free.

At a million records a full scan peaks at about 900 MB (the sort keys of every record, the candidate arrays) and
reading the stored queue builds 110,000 pairs into 90,000 groups: in a thread of the window's process the first
took the window past its 400 MB, and both held the interpreter's lock the GUI thread needs to draw. Here a
spawned child does the work (``dupstore.scan_all`` / ``catch_up`` / ``load_first``, its own scoring processes
under it) and sends the groups back in chunks, each unpickled quickly. Cancel kills the child at once: its write
transaction, if any, never commits (the stored queue stays as it was); its scoring processes end with it
(processes.py). The child ends with the window's process however that ends.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from typing import Callable

from .duplicates import Group
from .dupstore import Stored
from .library import LibraryError

log = logging.getLogger(__name__)

CHUNK = 5_000  # groups a message carries: each unpickles in a few milliseconds
PROGRESS_EVERY_S = 0.1
CHILD_FROM = 20_000  # records (the largest id): below this a thread does, a process would only add its start


def wanted(conn) -> bool:
    """Whether a library this large does its duplicate work in a child process."""
    return conn.execute("SELECT COALESCE(MAX(id), 0) FROM papers").fetchone()[0] >= CHILD_FROM


def _send_stored(conn, kind: str, stored: Stored) -> None:
    groups = [(g.records, g.confidence, g.score, g.reasons) for g in stored.groups]
    for i in range(0, len(groups), CHUNK):
        conn.send(("groups", groups[i:i + CHUNK]))
    conn.send((kind, sorted(stored.fresh), stored.whole, stored.stale, stored.preset,
               sorted(stored.changed) if stored.changed is not None else None, stored.event))


def _child(conn, task: str, db_path: str, preset, ids, known, first: int) -> None:
    from .processes import _exit_with_parent

    _exit_with_parent()
    try:
        from . import dupstore
        from .library import Library

        last = [0.0]

        def progress(stage: str, done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= PROGRESS_EVERY_S or done >= total:
                last[0] = now
                conn.send(("progress", stage, done, total))

        # Never closed (os._exit below): SQLite's last connection to close checkpoints and deletes the -wal and
        # -shm files, and it takes itself for the last when the window's process has lost its file locks (a
        # Python open() and close() of the library file drops them all, libfile.inspect does): the window's
        # connections would then read a deleted -shm ("disk I/O error"). A child that just exits leaves them.
        library = Library(db_path, check=False)  # the window checked the file at open
        if task == "scan":
            stored = dupstore.scan_all(library, preset, progress=progress)
        else:
            if first and task == "load":
                head = dupstore.load_first(library, first)
                if head is not None:
                    _send_stored(conn, "first", head)
            stored = dupstore.catch_up(library, preset, ids, progress=progress, known=known)
        if stored is None:
            conn.send(("none",))
        else:
            _send_stored(conn, "end", stored)
    except Exception as exc:  # one sentence for the window, the traceback for the log
        import traceback

        conn.send(("error", str(exc) if isinstance(exc, LibraryError) else f"{type(exc).__name__}: {exc}",
                   traceback.format_exc()))
    finally:
        conn.close()
        os._exit(0)  # the library's connection left open on purpose (above)


def run(task: str, db_path, preset: str | None, ids=(), known: int | None = None,
        progress: Callable[[str, int, int], None] | None = None, cancel: threading.Event | None = None,
        first: Callable[[Stored], None] | None = None, first_groups: int = 200) -> Stored | None:
    """``task`` "scan" (dupstore.scan_all), "catch-up" or "load" (dupstore.catch_up; "load" hands the queue's
    first ``first_groups`` groups to ``first`` before the rest) in a child process. None when cancelled (the
    child killed at once) or when catch_up returns None. A failure in the child raises LibraryError."""
    ctx = multiprocessing.get_context("spawn")
    reader, writer = ctx.Pipe(duplex=False)
    # not a daemon: the child starts scoring processes of its own (it ends with this process: _exit_with_parent)
    child = ctx.Process(target=_child, name="paperdesk-duplicates",
                        args=(writer, task, str(db_path), preset, list(ids), known, first_groups if first else 0))
    child.start()
    writer.close()
    groups: list[Group] = []
    try:
        while True:
            if cancel is not None and cancel.is_set():
                return None
            if not reader.poll(0.05):
                continue
            try:
                message = reader.recv()
            except EOFError:
                raise LibraryError("The duplicate scan's process stopped unexpectedly (out of memory?); "
                                   "nothing was changed.") from None
            kind = message[0]
            if kind == "progress":
                if progress is not None:
                    progress(*message[1:])
            elif kind == "groups":
                groups += [Group(list(r), c, s, list(w)) for r, c, s, w in message[1]]
            elif kind in ("first", "end"):
                fresh, whole, stale, name, changed, event = message[1:]
                stored = Stored(groups, set(fresh), whole, stale, name,
                                set(changed) if changed is not None else None, event)
                groups = []
                if kind == "end":
                    return stored
                if first is not None:
                    first(stored)
            elif kind == "none":
                return None
            elif kind == "error":
                log.error("duplicate work in a child process failed:\n%s", message[2])
                raise LibraryError(message[1])
    finally:
        if child.is_alive():
            child.kill()  # cancelled, or the window is closing: its transaction never commits
        child.join()
        reader.close()
