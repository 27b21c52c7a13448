"""A large import is one unit of work with its random-order indexes built at the end (Library._import_bulk):
it gives the very library the file-by-file path gives, and a cancel, a failure or a SIGKILL at any point —
rows half written, indexes set aside, indexes half rebuilt — leaves the library exactly as before."""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time

import pytest
from conftest import SEED_CAPTURED
from generate import generate

from paperdesk.core import library as library_module
from paperdesk.core.library import Library

# Columns that differ between two imports of the same files by nature (when, from which folder, which window).
_VOLATILE = {"created_at", "updated_at", "imported_at", "at", "path", "origin"}


@pytest.fixture(scope="module")
def dumps_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bulk-dumps")
    return sorted(generate(folder, 3000, seed=7, records_per_file=250).files)


def snapshot(db) -> dict:
    """Everything a librarian could see of a library, and its schema: equal snapshots, equal libraries."""
    conn = sqlite3.connect(db)
    try:
        out = {"schema": conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()}
        tables = [n for (n,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'papers_fts%'"
            " AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        for table in tables:
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in _VOLATILE]
            digest = hashlib.sha256()
            # a WITHOUT ROWID table (dup_pairs) is read in its primary key's order
            sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
            order = "1, 2" if "WITHOUT ROWID" in sql.upper() else "rowid"
            for row in conn.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}"):
                digest.update(repr(row).encode())
            out[table] = digest.hexdigest()
        out["fts"] = [conn.execute("SELECT COUNT(*) FROM papers_fts WHERE papers_fts MATCH ?", (word,)).fetchone()[0]
                      for word in ("recommendation", "wang", "model*", "nunez")]
        out["fts_check"] = conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('integrity-check')").rowcount
        out["integrity"] = conn.execute("PRAGMA integrity_check").fetchone()[0]
        out["hashsize"] = conn.execute("SELECT * FROM papers_fts_config WHERE k = 'hashsize'").fetchall()
        return out
    finally:
        conn.close()


@pytest.mark.parametrize("fts_batches", ["large", "small"])
def test_bulk_and_file_by_file_give_the_same_library(tmp_path, dumps_folder, seed_paths, fts_batches, monkeypatch):
    if fts_batches == "small":  # the full-text index written in many pieces, some while the writer waits
        monkeypatch.setattr(library_module, "BULK_FTS_BATCH", 700)
        monkeypatch.setattr(library_module, "BULK_FTS_IDLE_BATCH", 1)
    paths = seed_paths[:2] + dumps_folder + seed_paths[2:3] + [dumps_folder[0]]  # a repeat: "unchanged"
    libraries = {}
    for bulk in (False, True):
        db = tmp_path / f"bulk-{bulk}.sqlite"
        with Library(db) as library:
            results = library.import_files(paths, SEED_CAPTURED, bulk=bulk)
        assert [r.status for r in results] == ["imported"] * (len(paths) - 1) + ["unchanged"]
        libraries[bulk] = snapshot(db)
    assert libraries[True] == libraries[False]
    assert libraries[True]["integrity"] == "ok"
    assert libraries[True]["hashsize"] == []  # the bulk's FTS5 setting does not outlive it


def test_bulk_into_an_empty_library_leaves_one_full_text_segment(tmp_path, dumps_folder, monkeypatch):
    """The run's full-text batches are merged into one segment before it commits, so no merge is left half done
    for the librarian's first edit to pay (a 1,000-record edit right after a 1M import took 4-6x its undo), and
    FTS5's merge setting is its default again afterwards."""
    monkeypatch.setattr(library_module, "BULK_FTS_BATCH", 700)  # many batches: many segments to merge
    monkeypatch.setattr(library_module, "BULK_FTS_IDLE_BATCH", 1)
    db = tmp_path / "lib.sqlite"
    with Library(db) as library:
        statements = []
        library.conn.set_trace_callback(statements.append)
        library.import_files(dumps_folder, SEED_CAPTURED, bulk=True)
        library.conn.set_trace_callback(None)
        fts_batches = sum(1 for s in statements if s.startswith("INSERT INTO papers_fts(rowid"))
        segments = library.conn.execute("SELECT COUNT(DISTINCT segid) FROM papers_fts_idx").fetchone()[0]
        config = dict(library.conn.execute("SELECT k, v FROM papers_fts_config").fetchall())
    assert fts_batches > 3 and segments == 1
    assert "automerge" not in config and "hashsize" not in config
    assert snapshot(db)["integrity"] == "ok"  # snapshot also runs FTS5's integrity-check, which raises if broken


def test_bulk_into_a_library_that_has_records_keeps_its_indexes_live(tmp_path, dumps_folder, seed_paths):
    """Into a library already larger than the import, rebuilding its indexes would cost more than it saves."""
    plain, bulk = tmp_path / "plain.sqlite", tmp_path / "bulk.sqlite"
    for db, use_bulk in ((plain, False), (bulk, True)):
        with Library(db) as library:
            library.import_files(dumps_folder[:8], SEED_CAPTURED, bulk=False)
            statements = []
            library.conn.set_trace_callback(statements.append)
            library.import_files(seed_paths + dumps_folder[8:], SEED_CAPTURED, bulk=use_bulk)
            library.conn.set_trace_callback(None)
        if use_bulk:
            assert not any(s.startswith("DROP INDEX") for s in statements)
    assert snapshot(plain) == snapshot(bulk)


def test_large_imports_go_bulk_by_size(tmp_path, dumps_folder, monkeypatch):
    assert not library_module.is_bulk(dumps_folder)  # 3,000 records: file by file
    monkeypatch.setattr(library_module, "BULK_BYTES", 1024 * 1024)
    assert library_module.is_bulk(dumps_folder)
    with Library(tmp_path / "auto.sqlite") as library:
        statements = []
        library.conn.set_trace_callback(statements.append)
        library.import_files(dumps_folder, SEED_CAPTURED)
        library.conn.set_trace_callback(None)
        assert sum(1 for s in statements if s.startswith("BEGIN")) == 1
        dropped = {s.split('"')[1] for s in statements if s.startswith("DROP INDEX")}
        # the random-order indexes are set aside, not the ones no imported record enters (nor unique ones)
        assert {"idx_papers_title", "idx_papers_date", "idx_paper_authors_author_id_paper_id"} <= dropped
        assert not dropped & {"idx_papers_merged_into", "idx_papers_trashed", "idx_papers_citekey"}
        # alone with an empty library: written outside the write-ahead log, which is on again afterwards
        assert "PRAGMA journal_mode = delete" in statements
        assert library.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert not os.path.exists(str(tmp_path / "auto.sqlite") + "-journal")


def test_cancel_rolls_back_the_whole_bulk_import(tmp_path, dumps_folder, seed_paths):
    db = tmp_path / "lib.sqlite"
    with Library(db) as library:
        library.import_file(seed_paths[0], SEED_CAPTURED)
    before = snapshot(db)
    cancel = threading.Event()
    seen = []

    def progress(done, total, result):
        seen.append(done)
        if done == 5:
            cancel.set()

    with Library(db) as library:
        results = library.import_files(dumps_folder, SEED_CAPTURED, progress=progress, cancel=cancel, bulk=True)
    assert results == [] and seen == [1, 2, 3, 4, 5]
    assert snapshot(db) == before


def test_a_failure_in_the_middle_keeps_nothing_and_says_so(tmp_path, dumps_folder, seed_paths, monkeypatch):
    db = tmp_path / "lib.sqlite"
    with Library(db) as library:
        library.import_file(seed_paths[0], SEED_CAPTURED)
    before = snapshot(db)
    real = Library.import_parsed
    calls = []

    def failing(self, parsed, *args, **kwargs):
        calls.append(parsed.file_name)
        if len(calls) == 4:
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, parsed, *args, **kwargs)

    monkeypatch.setattr(Library, "import_parsed", failing)
    last = []
    with Library(db) as library:
        results = library.import_files(dumps_folder, SEED_CAPTURED, bulk=True,
                                       progress=lambda done, total, result: last.append(result))
    assert [r.status for r in results] == ["failed"] * 3
    assert all("the disk is full" in r.message and "nothing from it was kept" in r.message for r in results)
    assert last[-1].status == "failed" and "nothing from it was kept" in last[-1].message
    assert snapshot(db) == before


KILLER = textwrap.dedent("""
    import os, sqlite3, sys, time, datetime as dt
    from contextlib import contextmanager
    from paperdesk.core.library import Library
    where, log, db, *paths = sys.argv[1:]

    real_bulk_writing = Library._bulk_writing

    @contextmanager
    def small_cache(self, bulk, threads=False):
        with real_bulk_writing(self, bulk, threads):
            self.conn.execute("PRAGMA cache_size = 50")  # pages: the run spills into the write-ahead log early
            yield

    Library._bulk_writing = small_cache

    def pause(note):
        import multiprocessing
        workers = " ".join(str(p.pid) for p in multiprocessing.active_children())  # the parsing processes
        print(f"{note}|{workers}", flush=True)
        time.sleep(60)  # the test kills us here

    def progress(done, total, result):
        if where == "rows" and done == 4:
            pause("4 files written")
        if where == "indexes-aside" and done == total:
            pause("all rows written, indexes set aside")

    created = []
    def trace(sql):
        if where == "index-build" and sql.startswith("CREATE INDEX"):
            created.append(sql)
            if len(created) == 3:
                pause("two indexes rebuilt, the third starting")

    if __name__ == "__main__":
        if log == "wal":  # another connection has the library open (a window): the import keeps the log
            other = sqlite3.connect(db)
            other.execute("SELECT COUNT(*) FROM papers").fetchone()
        library = Library(db)
        library.conn.set_trace_callback(trace)
        library.import_files(paths, dt.date(2026, 6, 5), progress=progress, bulk=True)
        print("finished", flush=True)
""")


def _ended(pids: list[int], patience_s: float = 30.0) -> bool:
    """Whether every process of ``pids`` ends (or is a zombie nobody reaps) within ``patience_s``."""
    deadline = time.monotonic() + patience_s
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                with open(f"/proc/{pid}/stat") as stat:
                    if stat.read().rpartition(")")[2].split()[0] != "Z":
                        alive.append(pid)
            except OSError:
                pass
        if not alive:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("log", ["journal", "wal"])
@pytest.mark.parametrize("where", ["rows", "indexes-aside", "index-build"])
def test_sigkill_during_a_bulk_import_leaves_the_library_as_before(tmp_path, dumps_folder, seed_paths, where, log):
    """Alone with the library, a bulk import writes into it with a rollback journal; with another connection
    open, into the write-ahead log. Killed anywhere, either way, the library is as before."""
    db = tmp_path / "lib.sqlite"
    with Library(db) as library:
        for path in seed_paths[:2]:
            library.import_file(path, SEED_CAPTURED)
    before, size_before = snapshot(db), os.path.getsize(db)
    script = tmp_path / "killer.py"
    script.write_text(KILLER, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), where, log, str(db), *map(str, dumps_folder)],
                            stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    assert line and line.strip() != "finished", "the import ended before the kill point"
    workers = [int(pid) for pid in line.strip().partition("|")[2].split()]
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    if where == "rows":  # files were still being parsed: the parsing processes end with the killed import
        assert workers
        assert _ended(workers), f"parsing processes {workers} outlived the import"
    if log == "wal":  # the run had written (uncommitted) pages into the log
        assert os.path.getsize(str(db) + "-wal") > 1_000_000
        assert not os.path.exists(str(db) + "-journal")
    else:  # ... or straight into the library, the pages it had kept in the rollback journal
        assert os.path.getsize(db) > size_before + 1_000_000
        assert os.path.getsize(str(db) + "-journal") > 0
    assert snapshot(db) == before
    with Library(db) as library:  # and the import simply runs again
        assert [r.status for r in library.import_files(dumps_folder, SEED_CAPTURED, bulk=True)] == \
            ["imported"] * len(dumps_folder)
