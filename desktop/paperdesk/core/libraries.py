"""Several libraries: making a new library file, and the settings that travel with a library.

A librarian may keep one library per project (``thesis-library.sqlite``, ``group-reading.sqlite``). What belongs
to a library is kept in that file's ``settings`` table, so it follows the file wherever it is copied: the saved
searches (core/curation.py), the citation-key pattern (core/export/keys.py), and — here — the sidebar entry and
the search shown when the library was last closed. What belongs to the person (window size, the list of recent
libraries, the citation style) stays in the per-user settings of the desktop app (gui/settings.py).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from . import libfile
from .library import Library, LibraryError

LAST_VIEW = "last_view"  # settings key: {"kind": ..., "value": ..., "search": ...}
# sidebar entries worth coming back to (the Duplicates and Authors pages too)
VIEW_KINDS = ("all", "review", "recent", "trash", "tag", "source", "duplicates", "authors")
SUFFIX = ".sqlite"


def display_name(path: str | os.PathLike) -> str:
    """What a window calls the library: its file name without ``.sqlite`` ("thesis-library")."""
    path = Path(path)
    return path.stem if path.suffix.lower() in (SUFFIX, ".db", ".sqlite3") else path.name


def with_suffix(path: str | os.PathLike) -> Path:
    """A name typed without an extension gets ``.sqlite`` (a file dialog's habit); any other name is kept."""
    path = Path(path)
    if path.suffix or not path.name or path.is_dir():
        return path  # a folder is refused by create_library with its own sentence
    return path.with_name(path.name + SUFFIX)


def is_library(path: str | os.PathLike) -> bool:
    """Whether ``path`` is a Paperdesk library file (looked at without writing a byte)."""
    try:
        return libfile.inspect(Path(path), LibraryError).kind in ("ours", "ours-unmarked")
    except LibraryError:
        return False


def create_library(path: str | os.PathLike, *, origin: str | None = None) -> tuple[Library, bool]:
    """A new, empty library at ``path``; returns (the open library, whether it was created now).

    An existing Paperdesk library there is opened as it is (``created`` False: never emptied or replaced); any
    other file — a text file, another application's SQLite database, a folder — is refused with a sentence and
    left untouched (core/libfile.py). A zero-byte file becomes the new library."""
    path = Path(path)
    kind = libfile.inspect(path, LibraryError).kind  # raises for anything that is not ours or empty
    if kind == "missing" and not path.parent.exists():
        raise LibraryError(f"{path}: cannot create a library there: the folder {path.parent} does not exist")
    library = Library(path, create=True, origin=origin)
    return library, kind in ("missing", "empty")


def last_view(library: Library) -> dict | None:
    """The sidebar entry and search shown when the library was last closed, or None if never recorded."""
    row = library.conn.execute("SELECT value FROM settings WHERE key = ?", (LAST_VIEW,)).fetchone()
    if not row or not row[0]:
        return None
    try:
        value = json.loads(row[0])
    except ValueError:
        return None  # an odd value: as if never recorded, never a crash
    if not isinstance(value, dict):
        return None
    kind = value.get("kind") if value.get("kind") in VIEW_KINDS else "all"
    entry = value.get("value")
    if kind in ("tag", "source"):
        try:
            entry = int(entry)
        except (TypeError, ValueError):
            kind, entry = "all", None
    else:
        entry = None
    search = value.get("search") if isinstance(value.get("search"), str) else ""
    record = value.get("record")
    record = record if isinstance(record, int) and not isinstance(record, bool) else None
    return {"kind": kind, "value": entry, "search": search, "record": record}


def remember_view(library: Library, kind: str, value=None, search: str = "", record: int | None = None) -> bool:
    """Keep the current sidebar entry, search and chosen record with the library (not an event: nothing in it
    changed). Returns whether anything was written (an unchanged view writes nothing)."""
    if kind not in VIEW_KINDS:
        kind, value = "all", None
    if kind not in ("tag", "source"):
        value = None
    state = {"kind": kind, "value": value, "search": search or "", "record": record}
    if last_view(library) == state:
        return False
    with library.transaction() as conn:
        conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)",
                     (LAST_VIEW, json.dumps(state, ensure_ascii=False)))
    return True
