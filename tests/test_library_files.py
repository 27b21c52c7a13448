"""A library file is Paperdesk's or it is left alone; damaged, newer, locked, read-only, folder and foreign
libraries get a sentence from every command, never a traceback (issue 13, items 4, 8 and 9)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from paperdesk.cli import main
from paperdesk.core import libfile, recover, schema
from paperdesk.core.library import Library, LibraryDamaged, LibraryError

from conftest import SEED_CAPTURED


def fingerprint(path: Path) -> tuple:
    """Bytes and modification time of a library file, and what its WAL holds. (A read-only connection to a WAL
    library may create an empty -wal and -shm beside it, as SQLite needs them to read; it never writes to them.)"""
    st = path.stat()
    wal = Path(str(path) + "-wal")
    return (hashlib.sha256(path.read_bytes()).hexdigest(), st.st_mtime_ns, st.st_size,
            wal.stat().st_size if wal.exists() else 0, Path(str(path) + "-journal").exists())


def make_library(path: Path, seed_paths) -> Path:
    with Library(path) as library:
        for seed in seed_paths:
            library.import_file(seed, SEED_CAPTURED)
        library.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


def damage(path: Path) -> None:
    """Overwrite a stretch of pages in the middle of the file (what a failing disk does)."""
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.seek((size // 2) // 4096 * 4096)
        handle.write(bytes(range(256)) * 64)


def foreign_file(path: Path, user_version: int = 0) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE papers (id INTEGER PRIMARY KEY, doi TEXT, pages INTEGER)")
    conn.execute("INSERT INTO papers(doi, pages) VALUES ('10.1/x', 12)")
    conn.execute(f"PRAGMA user_version = {user_version}")
    conn.commit()
    conn.close()
    return path


def journal_mode_byte(path: Path) -> int:
    with open(path, "rb") as handle:
        return handle.read(20)[18]  # 1: rollback journal, 2: WAL


# --- whose file -------------------------------------------------------------------------------------------


def test_new_libraries_carry_paperdesks_application_id(tmp_path):
    path = tmp_path / "lib.sqlite"
    Library(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA application_id").fetchone()[0] == libfile.APPLICATION_ID
    conn.close()


def test_an_older_library_without_the_mark_is_recognised_by_its_schema_and_marked(tmp_path, seed_paths):
    path = make_library(tmp_path / "old.sqlite", seed_paths[:1])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 0")
    conn.commit()
    conn.close()
    with Library(path, readonly=True) as library:  # read-only: recognised, not marked
        assert library.count_papers() == 22
    assert sqlite3.connect(path).execute("PRAGMA application_id").fetchone()[0] == 0
    with Library(path) as library:
        assert library.count_papers() == 22
    assert sqlite3.connect(path).execute("PRAGMA application_id").fetchone()[0] == libfile.APPLICATION_ID


@pytest.mark.parametrize("user_version", [0, 2])
def test_read_only_commands_leave_another_applications_file_alone(tmp_path, capsys, user_version):
    """Issue 13, item 4: `author X --db someone-elses.sqlite` added Paperdesk's tables and switched the file to WAL;
    with user_version 2 it migrated it and crashed. A SQLite file with its own papers table got SQLite's raw error."""
    path = foreign_file(tmp_path / "someone-elses.sqlite", user_version)
    before = fingerprint(path)
    for argv in (["author", "X"], ["export"], ["duplicates"], ["import", str(tmp_path / "none.txt")],
                 ["merge", "--auto", "certain"], ["keys"], ["check"]):
        assert main([*argv, "--db", str(path)]) == 1, argv
        err = capsys.readouterr().err
        assert "not a Paperdesk library" in err and "leaves other applications' files alone" in err, err
        assert "Traceback" not in err and "no such column" not in err
    assert fingerprint(path) == before
    assert journal_mode_byte(path) == 1


def test_a_file_with_another_application_id_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA application_id = 1234")
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    before = fingerprint(path)
    with pytest.raises(LibraryError, match="belongs to another application"):
        Library(path)
    assert fingerprint(path) == before


def test_a_newer_paperdesk_library_is_not_switched_to_wal(tmp_path, seed_paths):
    """Issue 13, item 4: a "newer Paperdesk" file was still switched to WAL."""
    path = make_library(tmp_path / "newer.sqlite", seed_paths[:1])
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    before = fingerprint(path)
    with pytest.raises(LibraryError, match="newer Paperdesk"):
        Library(path)
    assert fingerprint(path) == before and journal_mode_byte(path) == 1


def test_read_only_commands_never_write(tmp_path, seed_paths, capsys):
    path = make_library(tmp_path / "lib.sqlite", seed_paths)
    before = fingerprint(path)
    for argv in (["author", "Yu Cheng"], ["export", "--format", "json"], ["export", "--format", "csv"],
                 ["duplicates"], ["duplicates", "--json"], ["merge", "--auto", "certain", "--dry-run"], ["keys"],
                 ["check"], ["check", "--quick"], ["paths"], ["snapshot", str(tmp_path / "shot.png")]):
        assert main([*argv, "--db", str(path)]) == 0, (argv, capsys.readouterr().err)
        capsys.readouterr()
        assert fingerprint(path) == before, argv
    assert (tmp_path / "shot.png").stat().st_size > 1000


# --- damaged libraries --------------------------------------------------------------------------------------


def test_a_damaged_library_is_refused_at_open_and_import_does_not_write_into_it(tmp_path, seed_paths, capsys):
    """Issue 13, item 8: a library with a few damaged pages opened, then export, duplicates, merge and author died
    with "database disk image is malformed", while import wrote into the damaged file with exit 0."""
    path = make_library(tmp_path / "lib.sqlite", seed_paths)
    damage(path)
    before = fingerprint(path)
    with pytest.raises(LibraryDamaged, match="damaged"):
        Library(path)
    assert main(["import", str(seed_paths[0]), "--db", str(path), "--captured", "2026-06-05"]) == 1
    err = capsys.readouterr().err
    assert "damaged" in err and "check --recover" in err and "Traceback" not in err
    for argv in (["export"], ["duplicates"], ["merge", "--auto", "certain"], ["author", "Yu Cheng"]):
        assert main([*argv, "--db", str(path)]) == 1
        assert "the library file is damaged" in capsys.readouterr().err
    assert main(["check", "--db", str(path)]) == 1
    assert "damaged" in capsys.readouterr().err
    assert fingerprint(path) == before


@pytest.mark.parametrize("use_program", [False, True])
def test_recovery_saves_what_can_be_read_into_a_new_library(tmp_path, seed_paths, use_program):
    path = make_library(tmp_path / "lib.sqlite", seed_paths)
    damage(path)
    before = fingerprint(path)
    result = recover.recover(path, tmp_path / "saved.sqlite", use_sqlite3_program=use_program)
    assert fingerprint(path) == before
    assert result["method"] in ("row-by-row salvage", "SQLite's .recover")
    if not use_program:
        assert result["method"] == "row-by-row salvage"
    with Library(tmp_path / "saved.sqlite") as saved:
        assert saved.check(full=True) == []
        assert 100 <= saved.count_papers() <= 154 and saved.count_papers() == result["papers"]
        # The full-text index was rebuilt from what was saved.
        fts = saved.conn.execute("SELECT COUNT(*) FROM papers_fts WHERE papers_fts MATCH 'learning'").fetchone()[0]
        assert fts > 0
    with pytest.raises(LibraryError, match="already there"):
        recover.recover(path, tmp_path / "saved.sqlite")
    assert not list(tmp_path.glob("*.partial"))


def test_the_damage_message_offers_the_latest_backup(tmp_path, seed_paths, capsys):
    from paperdesk.core import backup

    path = make_library(tmp_path / "lib.sqlite", seed_paths[:2])
    with Library(path) as library:
        info = backup.make_backup(library, "manual")
    damage(path)
    with pytest.raises(LibraryDamaged) as caught:
        Library(path)
    assert str(info.path) in str(caught.value) and "paperdesk restore" in str(caught.value)


# --- every command against every kind of bad library ---------------------------------------------------------

COMMANDS = [
    ["import", "{seed}"],
    ["export", "--format", "json"],
    ["export", "--format", "bibtex", "-o", "{tmp}/out.bib"],
    ["duplicates"],
    ["duplicates", "--json"],
    ["merge", "--auto", "certain"],
    ["merge", "--auto", "certain", "--dry-run"],
    ["author", "Yu Cheng"],
    ["keys"],
    ["keys", "--regenerate"],
    ["keys", "--set", "1", "abc"],
    ["keys", "--pattern", "[auth:lower][year]"],
    ["snapshot", "{tmp}/shot.png"],
    ["check"],
    ["backup"],
    ["backup", "--list"],
    ["edit", "--set", "category=LG", "--search", "learning"],
    ["restore"],
    ["paths"],
]
# Commands that only read may well succeed on a library another Paperdesk is writing to (WAL lets them read),
# or on a read-only file; those that never open the library always succeed.
READS = {"export --format json", "duplicates", "duplicates --json", "merge --auto certain --dry-run",
         "author Yu Cheng", "keys", "snapshot {tmp}/shot.png", "check", "backup --list", "backup"}
NEVER_OPENS = {"restore", "paths"}


@contextlib.contextmanager
def immutable(path: Path):
    """Read-only, even for root (who ignores file modes): chattr +i, else chmod."""
    if os.geteuid() == 0:
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True)
        if done.returncode != 0:
            pytest.skip("cannot make a file read-only for root here (no chattr)")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(path)], capture_output=True)
    else:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)


@pytest.fixture(scope="module")
def good_library(tmp_path_factory):
    from conftest import SEEDS

    folder = tmp_path_factory.mktemp("good")
    return make_library(folder / "lib.sqlite", sorted(SEEDS.glob("*.txt")))


@pytest.mark.parametrize("condition", ["damaged", "newer", "locked", "read-only", "read-only folder", "directory",
                                       "foreign"])
def test_every_command_says_a_sentence_whatever_the_library(condition, tmp_path, good_library, seed_paths,
                                                            capsys, monkeypatch):
    """Issue 13, item 9: tracebacks from snapshot on a damaged, newer-schema, directory or read-only library;
    keys --regenerate and merge --auto on a library locked for longer than the busy timeout."""
    import shutil

    monkeypatch.setenv("PAPERDESK_BUSY_TIMEOUT_MS", "100")
    monkeypatch.setenv("PAPERDESK_LOG_DIR", str(tmp_path / "log"))
    folder = tmp_path / "lib"
    folder.mkdir()
    path = folder / "lib.sqlite"
    if condition == "directory":
        path.mkdir()
    elif condition == "foreign":
        foreign_file(path, 2)
    else:
        shutil.copyfile(good_library, path)
    if condition == "damaged":
        damage(path)
    if condition == "newer":
        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 5}")
        conn.commit()
        conn.close()
    with contextlib.ExitStack() as stack:
        if condition == "locked":
            holder = sqlite3.connect(path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")
            holder.execute("INSERT INTO settings(key, value) VALUES ('held', 'by another Paperdesk')")
            stack.callback(holder.close)
            stack.callback(holder.execute, "ROLLBACK")
        before = fingerprint(path) if path.is_file() else None
        if condition == "read-only":
            stack.enter_context(immutable(path))
        if condition == "read-only folder":
            stack.enter_context(immutable(folder))
        for command in COMMANDS:
            shown = " ".join(command)
            argv = [a.format(seed=seed_paths[0], tmp=tmp_path) for a in command] + ["--db", str(path)]
            code = main(argv)  # an exception here is the traceback the librarian would have seen
            captured = capsys.readouterr()
            assert "Traceback" not in captured.err, (shown, captured.err)
            # main() turns anything unforeseen into "an unexpected error (...)": that must not happen either.
            assert "unexpected error" not in captured.err, (shown, captured.err)
            if shown in NEVER_OPENS or (condition in ("locked", "read-only", "read-only folder") and shown in READS):
                assert code in (0, 1), (shown, code, captured.err)
            else:
                assert code in (1, 2), (shown, code, captured.out)
            if code:
                assert captured.err.strip(), (shown, captured.out)
                assert "sqlite3." not in captured.err and "Error:" not in captured.err, (shown, captured.err)
                if condition == "locked" and shown not in READS:
                    assert "another Paperdesk is writing" in captured.err, (shown, captured.err)
                if condition in ("read-only", "read-only folder") and shown not in READS | NEVER_OPENS:
                    expected = "the library file is read-only" if condition == "read-only" else "folder"
                    assert expected in captured.err, (shown, captured.err)
                if condition == "directory":
                    assert "is a folder, not a library file" in captured.err, (shown, captured.err)
                if condition == "newer":
                    assert "newer Paperdesk" in captured.err, (shown, captured.err)
        if before is not None and condition != "locked":
            assert fingerprint(path) == before, condition


def test_keys_set_with_a_bad_id_is_a_usage_error_and_an_unknown_id_a_sentence(tmp_path, seed_paths, capsys):
    """Issue 13: `keys --set x abc` said "invalid literal for int()" with exit 1; `keys --set 999999 abc` gave a
    traceback."""
    path = make_library(tmp_path / "lib.sqlite", seed_paths[:1])
    assert main(["keys", "--set", "x", "abc", "--db", str(path)]) == 2
    assert "not a record id" in capsys.readouterr().err
    assert main(["keys", "--set", "999999", "abc", "--db", str(path)]) == 1
    err = capsys.readouterr().err
    assert "record 999999" in err and "Traceback" not in err
    assert main(["keys", "--set", "99999999999999999999999", "abc", "--db", str(path)]) == 2


def test_two_auto_merges_at_once_the_second_waits_or_says_so(tmp_path, seed_paths):
    path = make_library(tmp_path / "lib.sqlite", seed_paths)
    env = dict(os.environ, PAPERDESK_BUSY_TIMEOUT_MS="15000", PAPERDESK_LOG_DIR=str(tmp_path / "log"))
    argv = [sys.executable, "-m", "paperdesk", "merge", "--auto", "certain", "--db", str(path)]
    runs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
            for _ in range(2)]
    results = [(r.wait(timeout=120), *r.communicate()) for r in runs]
    for code, out, err in results:
        assert "Traceback" not in err
        assert code == 0 or (code == 1 and err.startswith("paperdesk: ")), (code, err)
    with Library(path) as library:
        merged = library.conn.execute("SELECT COUNT(*) FROM merges").fetchone()[0]
        hidden = library.conn.execute("SELECT COUNT(*) FROM papers WHERE merged_into IS NOT NULL").fetchone()[0]
        visible = library.conn.execute(
            "SELECT COUNT(*) FROM papers p WHERE merged_into IS NOT NULL AND NOT EXISTS"
            " (SELECT 1 FROM papers s WHERE s.id = p.merged_into AND s.merged_into IS NULL)").fetchone()[0]
    assert merged >= 1 and hidden >= 1
    assert visible == 0  # every merged record points at a visible survivor


def test_a_read_only_folder_is_reported_as_a_folder(tmp_path, seed_paths, capsys):
    """Issue 13: a read-only folder was reported as a read-only file."""
    folder = tmp_path / "shelf"
    folder.mkdir()
    path = make_library(folder / "lib.sqlite", seed_paths[:1])
    with immutable(folder):
        assert main(["import", str(seed_paths[1]), "--db", str(path)]) == 1
        err = capsys.readouterr().err
        assert f"the folder {folder} is read-only" in err
        assert main(["import", str(seed_paths[1]), "--db", str(folder / "new.sqlite")]) == 1
        assert "cannot create a library there" in capsys.readouterr().err
    with immutable(path):
        assert main(["import", str(seed_paths[1]), "--db", str(path)]) == 1
        assert "the library file is read-only" in capsys.readouterr().err


def test_a_large_damaged_library_is_checked_before_the_first_import(tmp_path, seed_paths, monkeypatch):
    """Above QUICK_CHECK_AT_OPEN_BYTES the check waits for the first import (opening stays fast)."""
    from paperdesk.core import library as library_module

    path = make_library(tmp_path / "lib.sqlite", seed_paths)
    damage(path)
    monkeypatch.setattr(library_module, "QUICK_CHECK_AT_OPEN_BYTES", 1000)
    before = fingerprint(path)
    with Library(path) as library:
        with pytest.raises(LibraryDamaged):
            library.import_files([seed_paths[0]])
        assert library.import_file(seed_paths[0]).status == "failed"
    assert fingerprint(path)[:3] == before[:3]


def test_the_quick_check_runs_again_only_once_the_file_changed(tmp_path, seed_paths, monkeypatch):
    path = make_library(tmp_path / "lib.sqlite", seed_paths)  # the damage below lands in the records' pages
    calls = []
    original = Library._quick_check
    monkeypatch.setattr(Library, "_quick_check", lambda self: calls.append(1) or original(self))
    Library(path).close()  # checks (the checkpoint at make_library's close changed the file)
    checked = len(calls)
    Library(path, readonly=True).close()  # background workers opening the same, unchanged file
    Library(path).close()
    assert len(calls) == checked
    damage(path)
    with pytest.raises(LibraryDamaged):
        Library(path)
    assert len(calls) == checked + 1
