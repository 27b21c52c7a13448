"""Migration 10: the duplicate scan's tables (dup_pairs, dup_fresh, dup_keys) are made by the migration, not on first
use. The older library here is a real file written by schema 9 (tests/data/library-v9-scanned.sqlite.gz: the first
seed file and a copy of its first four records with a title changed a little, scanned once, so it holds four
stored duplicate pairs and the scan's sort keys, both made lazily as schema 9 did)."""

from __future__ import annotations

import gzip
import shutil
import sqlite3
from pathlib import Path

from paperdesk.core import curation, dupkeys, dupstore, schema
from paperdesk.core.library import Library

OLD = Path(__file__).parent / "data" / "library-v9-scanned.sqlite.gz"
DUP_TABLES = ("dup_pairs", "dup_fresh", "dup_keys")


def _older(tmp_path) -> Path:
    path = tmp_path / "older.sqlite"
    with gzip.open(OLD) as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


def _rows(path: Path, sql: str) -> list:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _tables(conn) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'dup%'")}


def test_the_older_file_is_what_schema_9_wrote(tmp_path):
    path = _older(tmp_path)
    assert _rows(path, "PRAGMA user_version") == [(9,)]
    assert {r[0] for r in _rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")} >= set(DUP_TABLES)
    assert len(_rows(path, "SELECT * FROM dup_pairs")) == 4


def test_a_library_scanned_before_keeps_its_queue_and_keys(tmp_path):
    path = _older(tmp_path)
    pairs = _rows(path, "SELECT * FROM dup_pairs ORDER BY a, b")
    keys = _rows(path, "SELECT * FROM dup_keys ORDER BY id")
    dup_settings = _rows(path, "SELECT key, value FROM settings WHERE key LIKE 'dup%' ORDER BY key")
    assert pairs and keys and dup_settings
    with Library(path) as library:
        conn = library.conn
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert conn.execute("SELECT * FROM dup_pairs ORDER BY a, b").fetchall() == pairs
        assert conn.execute("SELECT * FROM dup_keys ORDER BY id").fetchall() == keys
        assert conn.execute("SELECT key, value FROM settings WHERE key LIKE 'dup%' ORDER BY key").fetchall() \
            == dup_settings
        stored = dupstore.load(library)
        assert sorted(tuple(g.records) for g in stored.groups) == sorted((a, b) for a, b, *_ in pairs)
        # the keys are still current: the catch-up rewrites nothing and rebuilds nothing
        assert dupkeys.current(library, workers=1)
        assert conn.execute("SELECT * FROM dup_keys ORDER BY id").fetchall() == keys
        # and the queue still follows an edit: the record retitled leaves its group
        a, b = pairs[0][:2]
        curation.update_fields(library, b, {"title": "Something Else Entirely About Gardening"})
        after = dupstore.catch_up(library)
        assert (a, b) not in {tuple(g.records) for g in after.groups}
        assert len(after.groups) == len(pairs) - 1


def test_a_library_never_scanned_gets_empty_tables_and_scans_as_before(tmp_path):
    path = _older(tmp_path)
    conn = sqlite3.connect(path)  # schema 9 before its first scan: none of the tables, no settings
    conn.executescript("DROP TABLE dup_pairs; DROP TABLE dup_fresh; DROP TABLE dup_keys;"
                       " DELETE FROM settings WHERE key LIKE 'dup%';")
    conn.close()
    with Library(path) as library:
        conn = library.conn
        assert _tables(conn) == set(DUP_TABLES)
        for table in DUP_TABLES:
            assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0
        assert not dupstore.has_results(library) and dupstore.load(library) is None
        # reading the queue of a library never scanned writes nothing
        changes = conn.total_changes
        assert dupstore.catch_up(library) is None
        assert conn.total_changes == changes
        stored = dupstore.scan_all(library)
        assert len(stored.groups) == 4
        assert dupkeys.current(library, workers=1)
        expected = dupkeys.key_rows(conn.execute(
            f"SELECT id, title, authors FROM papers WHERE {schema.VISIBLE} ORDER BY id"))
        assert conn.execute("SELECT * FROM dup_keys ORDER BY id").fetchall() == expected


def test_a_new_library_has_the_same_tables_as_a_migrated_one(tmp_path):
    with Library(tmp_path / "new.sqlite") as new, Library(_older(tmp_path)) as old:
        assert _tables(new.conn) == _tables(old.conn) == set(DUP_TABLES)
        columns = {t: new.conn.execute(f"PRAGMA table_info({t})").fetchall() for t in DUP_TABLES}
        assert columns == {t: old.conn.execute(f"PRAGMA table_info({t})").fetchall() for t in DUP_TABLES}
        # each sort order of the scan has its index in both
        for conn in (new.conn, old.conn):
            indexed = [r[1] for r in conn.execute("PRAGMA index_list(dup_keys)")]
            orders = {tuple(c[2] for c in conn.execute(f"PRAGMA index_info({name})")) for name in indexed}
            assert orders >= {("person", "compact"), ("person", "backwards"), ("compact", "person")}
