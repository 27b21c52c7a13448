"""Is this file a Paperdesk library? Looked at before anything is written to it.

A library file is Paperdesk's or it is left alone. Paperdesk marks the files it creates with an application id
in the SQLite header (``PRAGMA application_id``); libraries written before the mark existed are recognised by
their schema (Paperdesk's tables, ``user_version`` 1 or more) and get the mark when next opened for writing.
Anything else — an empty SQLite file aside — is another application's file: Paperdesk refuses it with a
sentence and never migrates it, converts it or switches its journal mode.

SQLite itself says what the file is (a read-only connection: application id, user version, table list), so
looking never changes a byte of the file. The file is never opened with plain file I/O in this process: SQLite's
locks are POSIX advisory locks, owned by the (process, file) pair, and closing ANY descriptor of the file releases
every lock this process's connections hold on it; another process then believes it is alone (its close deletes
the write-ahead log we still write into, a new opener re-initialises the -shm under our mapping: lost commits, a
Bus error). The raw header, when needed (a file SQLite refuses: not SQLite at all, or damaged?), is read by a
child process (``read_header``), whose descriptors are its own.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
import subprocess
import sys
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
    if not os.access(path, os.R_OK):
        raise error(f"{path}: cannot read the library file (Permission denied)")
    # Ask SQLite, read-only (the header's own copies may be stale while page 1 sits in the WAL); a file that is not
    # SQLite's fails at the first read, and only then is its header looked at (from a child process).
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
            try:
                header = read_header(path)
            except OSError as os_exc:
                raise error(f"{path}: cannot read the library file ({os_exc.strerror or os_exc})") from exc
            if not header.startswith(SQLITE_MAGIC) or len(header) < 100:
                raise error(f"{path}: this file is not a Paperdesk library (not an SQLite database); it was left as"
                            " it is") from exc
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


_READ_HEADER = """
import sys
try:
    with open(sys.argv[1], "rb") as handle:
        sys.stdout.buffer.write(handle.read(int(sys.argv[2])))
except OSError as exc:
    sys.stderr.write(f"{exc.errno or 0}\\n{exc.strerror or exc}")
    sys.exit(3)
"""


def read_header(path: Path, size: int = 100) -> bytes:
    """The first ``size`` bytes of a library file, read without opening it in this process (see the module's
    note: closing a descriptor of the file here would drop our connections' locks on it). A child process reads
    them; on Windows, whose locks are not POSIX locks, a plain read is safe. Raises OSError."""
    if os.name == "nt":
        with open(path, "rb") as handle:
            return handle.read(size)
    dd = shutil.which("dd")  # a few ms; a Python child takes tens
    command = [dd, f"if={os.fspath(path)}", f"bs={size}", "count=1"] if dd else \
        [sys.executable, "-I", "-S", "-c", _READ_HEADER, os.fspath(path), str(size)]
    try:
        done = subprocess.run(command, capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError) as exc:
        raise OSError(0, f"cannot read the file's header ({exc})") from exc
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip()
        if dd:  # "dd: failed to open 'x': No such file or directory"
            raise OSError(0, said.splitlines()[0].rpartition(": ")[2] if said else "cannot read the file's header")
        number, _, reason = said.partition("\n")
        raise OSError(int(number) if number.isdigit() else 0, reason or "cannot read the file's header")
    return done.stdout


def in_sqlite_use(path: Path) -> str | None:
    """Why ``path`` must not be opened as a plain file, in a few words, or None: an SQLite database with its
    shared-memory file beside it (a library some connection has open, maybe ours: reading it as a file here would
    drop our locks on it) or one of SQLite's own files beside a database (-wal, -shm, -journal). Decided from
    names and stat alone, without opening anything."""
    name = os.fspath(path)
    for suffix in ("-wal", "-shm", "-journal"):
        if name.endswith(suffix) and os.path.exists(name[: -len(suffix)]):
            return f"SQLite's {suffix[1:]} file of the database {os.path.basename(name[: -len(suffix)])}"
    if os.path.exists(name + "-shm"):
        return "an SQLite database in use (a library?)"
    return None


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
