"""Looking at a library must never take away SQLite's locks on it (trial 2, item 2: a Bus error, -shm cut to 3
bytes). SQLite's locks are POSIX advisory locks, which belong to the (process, file) pair: closing ANY file
descriptor of the library file in this process releases every lock this process's connections hold on it. Another
process then believes it is alone: its close checkpoints and deletes the write-ahead log this process still writes
into (those writes are lost), a new opener re-initialises the -shm under our mapping.

Each test holds a library open here (the window's connection), does one of the things a window does while it is
open (look at the file, open a second Library in a worker thread, ...) and then asks another process."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from paperdesk.core import cleanmark, libfile, libraries, recover
from paperdesk.core.library import Library, LibraryError

# SQLite's SHARED lock range on the database file (os_unix.c: PENDING_BYTE 0x40000000, SHARED_FIRST +2, 510 bytes).
# A WAL connection holds a SHARED lock there for as long as it is open; while it does, no other process can take
# a write lock on that range.
_PROBE = r"""
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR)
try:
    fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 510, 0x40000002, 0)
    print("GOT")
except OSError:
    print("REFUSED")
"""


def _other_process_can_lock(path: Path) -> bool:
    out = subprocess.run([sys.executable, "-c", _PROBE, str(path)], capture_output=True, text=True, check=True)
    return out.stdout.strip() == "GOT"


def _in_a_thread(work) -> None:
    failures = []

    def run():
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if failures:
        raise failures[0]


def _second_library_in_a_thread(path: Path) -> None:
    def work():
        worker = Library(path, create=False, origin="worker")
        worker.conn.execute("SELECT count(*) FROM papers").fetchone()
        worker.close()

    _in_a_thread(work)


OPERATIONS = {
    "inspect": lambda path: libfile.inspect(path, LibraryError),
    "is_library": lambda path: libraries.is_library(path),
    "second Library in a thread": _second_library_in_a_thread,
    "read-only Library": lambda path: Library(path, create=False, readonly=True).close(),
    "read_header": lambda path: libfile.read_header(path),
    "cleanmark.fingerprint": lambda path: cleanmark.fingerprint(path),
    "cleanmark.known_clean": lambda path: cleanmark.known_clean(path),
}


@pytest.fixture
def held(tmp_path):
    path = tmp_path / "library.sqlite"
    library = Library(path)
    library.conn.execute("CREATE TABLE IF NOT EXISTS probe_rows (x)")
    library.conn.execute("INSERT INTO probe_rows VALUES (1)")
    assert not _other_process_can_lock(path), "an open WAL connection should hold SQLite's SHARED lock"
    yield path, library
    library.close()


@pytest.mark.parametrize("operation", list(OPERATIONS))
def test_looking_at_an_open_library_keeps_this_process_locks(held, operation):
    path, library = held
    OPERATIONS[operation](path)
    assert not _other_process_can_lock(path), f"{operation} released this process's SQLite locks on the library"
    # and the window's connection still works
    assert library.conn.execute("SELECT count(*) FROM probe_rows").fetchone()[0] == 1


def test_a_write_after_another_process_closed_its_connection_is_not_lost(held):
    """The silent loss behind the crash: with our locks gone, another process's close believes it is the last,
    checkpoints and deletes the -wal and -shm; our next commit goes into the deleted log and nobody else sees it."""
    path, library = held
    libfile.inspect(path, LibraryError)  # what every new Library does (sidebar counts, Duplicates catch-up, ...)
    _second_library_in_a_thread(path)
    reader = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]);"
              " print(c.execute('SELECT count(*) FROM probe_rows').fetchone()[0]); c.close()")
    subprocess.run([sys.executable, "-c", reader, str(path)], check=True, capture_output=True)
    assert Path(f"{path}-wal").exists() and Path(f"{path}-shm").exists(), \
        "another process's close deleted the write-ahead log this process has open"
    library.conn.execute("INSERT INTO probe_rows VALUES (2)")
    seen = subprocess.run([sys.executable, "-c", reader, str(path)], check=True, capture_output=True, text=True)
    assert seen.stdout.strip() == "2", "a committed write was not seen by another process"


def test_read_header_reads_the_first_bytes(tmp_path):
    path = tmp_path / "library.sqlite"
    Library(path).close()
    header = libfile.read_header(path)
    assert header.startswith(libfile.SQLITE_MAGIC) and len(header) == 100
    assert int.from_bytes(header[68:72], "big") == libfile.APPLICATION_ID
    with pytest.raises(OSError):
        libfile.read_header(tmp_path / "missing.sqlite")


def test_recover_reads_the_damaged_files_version_without_opening_it_here(held, monkeypatch):
    """recover's header read goes through read_header (a child process), never a plain open here."""
    path, library = held
    library.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the header's user version is in the file now
    assert recover._user_version(path) >= 1
    assert not _other_process_can_lock(path)


@pytest.mark.parametrize("suffix", ["", "-wal", "-shm"])
def test_importing_the_open_library_itself_is_refused_without_opening_it(held, suffix):
    """A librarian choosing the library file (or its -wal/-shm) in the import dialog ('all files'): reading it as a
    dump would open and close it in the importing process, which holds a connection to it."""
    from paperdesk.core.dumps import DumpError, read_dump

    path, library = held
    with pytest.raises(DumpError, match="not a dump file; it was not read"):
        read_dump(Path(f"{path}{suffix}"))
    assert not _other_process_can_lock(path)
    assert library.conn.execute("SELECT count(*) FROM probe_rows").fetchone()[0] == 1
