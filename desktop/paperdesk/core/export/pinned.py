"""Pinned exports: a .bib (or any export) kept in sync with the library, the way Better BibTeX users keep theirs.

The librarian pins an export -- what (a tag, a search, or everything), a format with its options, and a path --
and whenever the library changes the file is rewritten in the background within seconds: written to a temporary
file in the same folder, flushed to disk and renamed over the old one (runner.export), so a reader, a crash or a
kill -9 mid-write only ever sees the old file or the new one, never half of one. Pins live in the library
(table ``pinned_exports``) with their last write, count and error, so the desktop app and ``paperdesk export
--watch`` see the same state. Qt-free: the desktop app polls ``LibraryWatch`` from a timer and runs
``rewrite`` off the GUI thread; the command line runs ``watch`` in a loop.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

from ..library import Library, LibraryError
from .options import ExportOptions
from .runner import EXTENSIONS, ExportScope, export


@dataclass
class Pin:
    id: int | None
    path: str
    fmt: str = "bibtex"
    tags: tuple[str, ...] = ()
    search: str = ""
    options: ExportOptions = field(default_factory=ExportOptions)
    last_written_at: str | None = None
    last_count: int | None = None
    last_error: str | None = None

    @property
    def scope(self) -> ExportScope:
        return ExportScope(tags=tuple(self.tags), search=self.search)

    def describe(self) -> str:
        return f"{self.scope.describe()} as {self.fmt} to {self.path}"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _row_to_pin(row) -> Pin:
    return Pin(id=row[0], path=row[1], fmt=row[2], tags=tuple(json.loads(row[3] or "[]")), search=row[4] or "",
               options=ExportOptions(**json.loads(row[5] or "{}")), last_written_at=row[6], last_count=row[7],
               last_error=row[8])


_COLUMNS = "id, path, format, tags, search, options, last_written_at, last_count, last_error"


def pin_export(library: Library, path: str | Path, fmt: str = "bibtex", *, tags: tuple[str, ...] = (),
               search: str = "", options: ExportOptions | None = None) -> Pin:
    """Pin an export (the same path pinned again replaces the earlier pin); the file is not written yet."""
    if fmt not in EXTENSIONS:
        raise LibraryError(f"unknown export format '{fmt}' (use one of: {', '.join(EXTENSIONS)})")
    target = Path(path).expanduser().resolve()
    if not target.parent.is_dir():
        raise LibraryError(f"{target.parent}: no such folder for the pinned export")
    options = options or ExportOptions()
    with library.conn:
        library.conn.execute("DELETE FROM pinned_exports WHERE path = ?", (str(target),))
        cur = library.conn.execute(
            "INSERT INTO pinned_exports(path, format, tags, search, options, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (str(target), fmt, json.dumps(list(tags)), search, json.dumps(asdict(options)), _now()))
    return get_pin(library, cur.lastrowid)


def get_pin(library: Library, pin_id: int) -> Pin:
    row = library.conn.execute(f"SELECT {_COLUMNS} FROM pinned_exports WHERE id = ?", (pin_id,)).fetchone()
    if row is None:
        raise LibraryError(f"there is no pinned export {pin_id}")
    return _row_to_pin(row)


def list_pins(library: Library) -> list[Pin]:
    return [_row_to_pin(r) for r in library.conn.execute(f"SELECT {_COLUMNS} FROM pinned_exports ORDER BY id")]


def unpin(library: Library, pin_id: int) -> None:
    """Stop keeping the file in sync (the file itself stays)."""
    with library.conn:
        library.conn.execute("DELETE FROM pinned_exports WHERE id = ?", (pin_id,))


def rewrite(library: Library, pin: Pin) -> Pin:
    """Write the pinned file now (atomically) and record the outcome; an error is recorded, not raised."""
    error, count = None, None
    try:
        count = export(library, pin.fmt, pin.path, pin.scope, options=pin.options).count
    except LibraryError as exc:
        error = str(exc)
    except OSError as exc:
        error = f"{pin.path}: cannot write the export ({exc.strerror or exc})"
    pin.last_error, pin.last_written_at = error, (_now() if error is None else pin.last_written_at)
    pin.last_count = count if error is None else pin.last_count
    if pin.id is not None:
        with library.conn:
            library.conn.execute(
                "UPDATE pinned_exports SET last_written_at = ?, last_count = ?, last_error = ? WHERE id = ?",
                (pin.last_written_at, pin.last_count, pin.last_error, pin.id))
    return pin


class LibraryWatch:
    """Tells whether the library changed since the last look: a commit by this connection (``total_changes``)
    or by any other (``PRAGMA data_version``). Cheap enough to ask every half second."""

    def __init__(self, library: Library):
        self.library = library
        self.seen = self.signature()

    def signature(self) -> tuple[int, int]:
        conn = self.library.conn
        return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes

    def changed(self) -> bool:
        now = self.signature()
        if now == self.seen:
            return False
        self.seen = now
        return True

    def settle(self) -> None:
        """Forget this connection's own changes (the rewrite stores citation keys and its outcome), not another
        connection's commits made meanwhile: an edit that lands while a rewrite runs is seen at the next look
        (forgetting it too lost that edit until the next one, which a loaded machine made likely)."""
        self.seen = (self.seen[0], self.library.conn.total_changes)


def watch(library: Library, pins: list[Pin], *, interval: float = 0.5, quiet_for: float = 0.5,
          written: Callable[[Pin], None] | None = None, stop: Callable[[], bool] = lambda: False) -> None:
    """Write ``pins`` now, then again each time the library changes (after ``quiet_for`` seconds without a further
    change, so a burst of edits is one rewrite), until ``stop()`` says so."""
    lib_watch = LibraryWatch(library)  # before the first write: an edit made during it is a change to write
    for pin in pins:
        rewrite(library, pin)
        if written:
            written(pin)
    lib_watch.settle()
    while not stop():
        time.sleep(interval)
        if not lib_watch.changed():
            continue
        while not stop():
            time.sleep(quiet_for)
            if not lib_watch.changed():
                break
        for pin in pins:
            rewrite(library, pin)
            if written:
                written(pin)
        lib_watch.settle()
