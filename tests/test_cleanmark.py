"""The quick check of a large library is skipped while the library is known sound (core/cleanmark.py): checked in
this process, or closed cleanly by Paperdesk after a check and untouched since. Anything else — a write by another
program, a crash, a replaced file, damage, an old marker — brings the check back, and a damaged library is still
refused with a sentence before anything is written."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import subprocess
import sys
import textwrap

import pytest
from conftest import SEED_CAPTURED
from test_library_files import damage, fingerprint

from paperdesk.core import cleanmark
from paperdesk.core import library as library_module
from paperdesk.core.library import Library, LibraryDamaged


@pytest.fixture
def large(monkeypatch):
    """Every library counts as large (checked before an import, not at open); the quick checks run are counted."""
    monkeypatch.setattr(library_module, "QUICK_CHECK_AT_OPEN_BYTES", 0)
    calls = []
    real = Library._quick_check
    monkeypatch.setattr(Library, "_quick_check", lambda self: calls.append(self.path) or real(self))
    return calls


def new_process(monkeypatch):
    """What a new Paperdesk process knows: only the markers on disk, nothing found sound in this one."""
    monkeypatch.setattr(cleanmark, "_TRUSTED", {})
    monkeypatch.setattr(cleanmark, "_CHECKED_AT", {})


def build(path, seeds):
    with Library(path) as library:
        for seed in seeds:
            library.import_file(seed, SEED_CAPTURED)
    return path


def test_after_a_clean_close_the_next_session_skips_the_check(tmp_path, seed_paths, large, monkeypatch):
    path = build(tmp_path / "lib.sqlite", seed_paths[:1])
    new_process(monkeypatch)
    cleanmark.store_path().unlink()  # a library this user's Paperdesk never closed: checked before the import
    with Library(path) as library:
        assert library.needs_check and library.checked_at is None
        assert library.import_file(seed_paths[1], SEED_CAPTURED).status == "imported"
        assert large == [path] and library.check_ran
        assert library.import_file(seed_paths[2], SEED_CAPTURED).status == "imported"
        assert len(large) == 1  # not again before the next import of the session
    with Library(path) as again:  # another connection of the same process (the window's workers)
        assert not again.needs_check
    for seed in seed_paths[3:5]:  # sessions after: the file is as Paperdesk left it
        new_process(monkeypatch)
        with Library(path) as library:
            assert not library.needs_check and not library.check_ran
            assert library.checked_at is not None
            assert library.import_file(seed, SEED_CAPTURED).status == "imported"
    assert len(large) == 1


def test_a_write_by_another_program_brings_the_check_back(tmp_path, seed_paths, large, monkeypatch):
    path = build(tmp_path / "lib.sqlite", seed_paths[:1])
    conn = sqlite3.connect(path)  # a sound write, but not ours: we cannot vouch for the file any more
    with conn:
        conn.execute("UPDATE papers SET title = 'Edited Elsewhere' WHERE id = 1")
    conn.close()
    new_process(monkeypatch)
    with Library(path) as library:
        assert library.needs_check
        library.import_file(seed_paths[1], SEED_CAPTURED)
    assert large == [path]


def test_a_replaced_file_is_checked(tmp_path, seed_paths, large, monkeypatch):
    path = build(tmp_path / "lib.sqlite", seed_paths[:1])
    copy = tmp_path / "copy.sqlite"
    copy.write_bytes(path.read_bytes())
    os.replace(copy, path)  # the same bytes under the same name (a restore, a sync), but another file
    new_process(monkeypatch)
    with Library(path) as library:
        assert library.needs_check


@pytest.mark.parametrize("keep_mtime", [False, True])
def test_a_damaged_library_is_still_refused(tmp_path, seed_paths, large, monkeypatch, keep_mtime):
    path = build(tmp_path / "lib.sqlite", seed_paths)  # the damage lands in the records' pages
    assert cleanmark.known_clean(path) is not None
    st = path.stat()
    damage(path)
    if keep_mtime:  # a tool that puts the modification time back: the change time still moved
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert (path.stat().st_mtime_ns, path.stat().st_size) == (st.st_mtime_ns, st.st_size)
    new_process(monkeypatch)
    assert cleanmark.known_clean(path) is None
    before = fingerprint(path)
    with Library(path) as library:
        assert library.needs_check
        with pytest.raises(LibraryDamaged, match="damaged"):
            library.import_files([seed_paths[0]], SEED_CAPTURED)
        result = library.import_file(seed_paths[0], SEED_CAPTURED)
        assert result.status == "failed" and "damaged" in result.message and "Traceback" not in result.message
    assert fingerprint(path)[:3] == before[:3]  # nothing written
    assert str(path.resolve()) not in cleanmark._read()  # and no marker left to trust it later


def test_a_crash_leaves_the_check_due(tmp_path, seed_paths, large, monkeypatch):
    path = build(tmp_path / "lib.sqlite", seed_paths[:1])
    code = textwrap.dedent(f"""
        import os, signal
        from paperdesk.core.library import Library
        library = Library({str(path)!r})
        with library.transaction():
            library.conn.execute("UPDATE papers SET title = 'Half Way' WHERE id = 1")
        os.kill(os.getpid(), signal.SIGKILL)  # killed with the change in the write-ahead log, never closed
    """)
    done = subprocess.run([sys.executable, "-c", code], env=dict(os.environ), timeout=120)
    assert done.returncode == -9
    new_process(monkeypatch)
    assert cleanmark.known_clean(path) is None
    with Library(path) as library:
        assert library.needs_check
        library.import_file(seed_paths[1], SEED_CAPTURED)
    assert large == [path]


def test_no_marker_while_another_connection_holds_the_library(tmp_path, seed_paths, large, monkeypatch):
    path = build(tmp_path / "lib.sqlite", seed_paths[:1])
    cleanmark.store_path().unlink()
    other = sqlite3.connect(path)  # another program reading: our close cannot move every change into the file
    other.execute("SELECT COUNT(*) FROM papers").fetchone()
    try:
        with Library(path) as library:
            library.import_file(seed_paths[1], SEED_CAPTURED)
        assert not cleanmark.store_path().exists()
    finally:
        other.close()


def test_a_marker_is_trusted_for_a_week_at_most(tmp_path, seed_paths, large, monkeypatch):
    path = build(tmp_path / "lib.sqlite", seed_paths[:1])
    checked = cleanmark.known_clean(path)
    assert checked is not None
    assert cleanmark.known_clean(path, now=checked + cleanmark.MAX_AGE - dt.timedelta(minutes=1)) == checked
    assert cleanmark.known_clean(path, now=checked + cleanmark.MAX_AGE + dt.timedelta(minutes=1)) is None
    # a session that opened the library on its marker passes on the check's date, not the close's
    new_process(monkeypatch)
    with Library(path) as library:
        assert library.checked_at == checked
    assert cleanmark.known_clean(path) == checked
