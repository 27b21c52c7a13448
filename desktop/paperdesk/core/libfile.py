"""Is this file a Paperdesk library? Looked at before anything is written to it.

A library file is Paperdesk's or it is left alone. Paperdesk marks the files it creates with an application id
in the SQLite header (``PRAGMA application_id``); libraries written before the mark existed are recognised by
their schema (Paperdesk's tables, ``user_version`` 1 or more) and get the mark when next opened for writing.
Anything else — an empty SQLite file aside — is another application's file: Paperdesk refuses it with a
sentence and never migrates it, converts it or switches its journal mode.

The header is read with plain file I/O (the application id and user version live at fixed offsets), the table
list through a read-only connection, so looking never changes a byte of the file.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

# "PDsk": Paperdesk's mark in the SQLite header (bytes 68..71).
APPLICATION_ID = int.from_bytes(b"PDsk", "big")
SQLITE_MAGIC = b"SQLite format 3\x00"

# Tables every Paperdesk library has had since schema 1, and columns of papers no other application's
# "papers" table is likely to share all of.
_OWN_TABLES = {"sources", "papers", "provenance", "events", "settings", "paper_authors"}
_OWN_PAPER_COLUMNS = {"fingerprint", "merged_into", "needs_review", "sources_count", "first_author"}


@dataclass
class FileKind:
    kind: str  # "missing" | "empty" | "ours" | "ours-unmarked"
    user_version: int = 0
    wal: bool = False


def ro_uri(path: Path) -> str:
    """A read-only URI. In a folder nobody can write to, a WAL library without its -wal file cannot change
    under us (no writer could create the WAL), and SQLite could not create the -shm it wants to read it:
    open it as immutable."""
    path = Path(path).absolute()
    uri = "file:" + urllib.parse.quote(str(path)) + "?mode=ro"
    if not os.access(path.parent, os.W_OK) and not Path(str(path) + "-wal").exists():
        uri += "&immutable=1"
    return uri


def inspect(path: Path, error: type[Exception]) -> FileKind:
    """What ``path`` holds; raises ``error`` with a sentence for anything Paperdesk must not open."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return FileKind("missing")
    except OSError as exc:
        raise error(f"{path}: cannot look at the library file ({exc.strerror or exc})") from exc
    if stat.S_ISDIR(st.st_mode):
        raise error(f"{path}: this is a folder, not a library file (give the path of a .sqlite file)")
    if not stat.S_ISREG(st.st_mode):
        raise error(f"{path}: this is not a regular file ({describe_kind(st.st_mode)}), so not a library")
    if st.st_size == 0:
        return FileKind("empty")
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise error(f"{path}: cannot read the library file ({exc.strerror or exc})") from exc
    if not header.startswith(SQLITE_MAGIC) or len(header) < 100:
        raise error(f"{path}: this file is not a Paperdesk library (not an SQLite database); it was left as it is")
    # The header's own copies of these may be stale while page 1 sits in the WAL: ask SQLite, read-only.
    try:
        conn = sqlite3.connect(ro_uri(path), uri=True, timeout=_look_timeout())
        try:
            app_id = conn.execute("PRAGMA application_id").fetchone()[0]
            user_version = conn.execute("PRAGMA user_version").fetchone()[0]
            wal = conn.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
            if app_id == APPLICATION_ID:
                return FileKind("ours", user_version, wal)
            if app_id != 0:
                raise error(f"{path}: this SQLite file belongs to another application (application id"
                            f" {app_id:#010x}), not Paperdesk; it was left as it is")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            columns = {r[1] for r in conn.execute("PRAGMA table_info(papers)")} if "papers" in tables else set()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if "malformed" in str(exc) or "not a database" in str(exc):
            raise error(f"{path}: the library file is damaged ({exc}). {recovery_hint(path)}") from exc
        if "locked" in str(exc) or "busy" in str(exc):
            raise error(f"{path}: another program holds the library file locked; try again in a moment") from exc
        raise error(f"{path}: cannot read the library file ({exc})") from exc
    if not tables and user_version == 0:
        return FileKind("empty", 0, wal)
    if user_version >= 1 and _OWN_TABLES <= tables and _OWN_PAPER_COLUMNS <= columns:
        return FileKind("ours-unmarked", user_version, wal)
    shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
    raise error(f"{path}: this SQLite file is not a Paperdesk library (its tables: {shown or 'none'});"
                " Paperdesk leaves other applications' files alone")


def _look_timeout() -> float:
    """Seconds to wait for a writer's lock before saying the file is locked: 5, or less when
    ``PAPERDESK_BUSY_TIMEOUT_MS`` (core.library.busy_timeout_ms) says so."""
    try:
        return min(5.0, int(os.environ.get("PAPERDESK_BUSY_TIMEOUT_MS", 5000)) / 1000)
    except ValueError:
        return 5.0


def describe_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISLNK(mode):
        return "a symbolic link"
    return "not a regular file"


def writable_problem(path: Path, exists: bool) -> str | None:
    """Why Paperdesk could not write here, in a sentence, or None. SQLite needs the folder too (its journal)."""
    folder = path.parent if str(path.parent) else Path(".")
    if exists and not os.access(path, os.W_OK):
        return f"{path}: the library file is read-only (Paperdesk can only read it)"
    if folder.exists() and not os.access(folder, os.W_OK | os.X_OK):
        if exists:
            return (f"{path}: the folder {folder} is read-only, and SQLite needs to write its journal beside the"
                    " library")
        return f"{path}: cannot create a library there: the folder {folder} is read-only"
    return None


def recovery_hint(path: Path) -> str:
    hint = (f"Paperdesk will not write to it. `paperdesk check --recover NEW.sqlite --db {path}` saves what can be"
            " read into a new library")
    backup = latest_backup(path)
    if backup:
        hint += f"; or go back to the latest backup: `paperdesk restore {backup} --to NEW.sqlite`"
    return hint


def latest_backup(path: Path) -> Path | None:
    """The newest backup in the library's backups folder (core/backup.py), if any."""
    try:
        from .backup import list_backups

        backups = list_backups(path)
    except Exception:  # noqa: BLE001 - a hint must never turn into an error of its own
        return None
    return backups[0].path if backups else None


def checked_copy(path: Path, copy: Path) -> Path:
    """A consistent copy of a library (SQLite's backup from a read-only connection), refused when the file is
    not a library, is empty or is damaged. Used by ``paperdesk snapshot`` so a picture never touches the original."""
    import sqlite3

    from .library import LibraryDamaged, LibraryError, friendly_sqlite_error

    found = inspect(path, LibraryError)  # another application's file: refused with a sentence
    if found.kind == "empty":
        raise LibraryError(f"{path}: the library is empty (import some dumps first)")
    try:
        source = sqlite3.connect(ro_uri(path), uri=True)
        try:
            problems = [r[0] for r in source.execute("PRAGMA quick_check(5)")]
            if problems != ["ok"]:
                raise LibraryDamaged(path, problems)
            target = sqlite3.connect(copy)
            try:
                source.backup(target)
            finally:
                target.close()
        finally:
            source.close()
    except sqlite3.DatabaseError as exc:
        if "malformed" in str(exc):
            raise LibraryDamaged(path, [str(exc)]) from exc
        raise LibraryError(friendly_sqlite_error(exc, path)) from exc
    return copy
