"""The SQLite library: schema, idempotent and atomic imports, provenance, events, full-text search."""

from __future__ import annotations

import json
import sqlite3

import pytest

from paperdesk.core.schema import VISIBLE

from paperdesk.core import schema
from paperdesk.core.library import Library, LibraryError
from conftest import SEED_CAPTURED


def test_new_library_has_schema_version_wal_and_indexes(library):
    conn = library.conn
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    indexed = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    for column in schema.SORTABLE_COLUMNS:
        if column != "id":
            assert f"idx_papers_{column}" in indexed
    tables = set(library.db.table_names())
    assert {"papers", "authors", "paper_authors", "sources", "provenance", "tags", "paper_tags", "events",
            "papers_fts"} <= tables


def test_sorting_uses_the_indexes(seeded):
    for column in ("title", "date", "first_author"):
        plan = " ".join(r[3] for r in seeded.conn.execute(
            f"EXPLAIN QUERY PLAN SELECT id FROM papers WHERE {VISIBLE} ORDER BY {column} "
            f"{'COLLATE NOCASE' if column in ('title', 'first_author') else ''}, id LIMIT 50"))
        assert "INDEX idx_papers_" in plan and "TEMP B-TREE" not in plan, plan


def test_reopening_is_a_no_op_and_a_newer_schema_is_refused(tmp_path):
    path = tmp_path / "l.sqlite"
    Library(path).close()
    Library(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(LibraryError, match="newer Paperdesk"):
        Library(path)


def test_a_file_that_is_not_a_library_gets_a_clear_message(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("hello, this is not SQLite" * 100)
    with pytest.raises(LibraryError, match="not a Paperdesk library"):
        Library(path)


def test_seeds_import_with_counts_provenance_and_events(seeded):
    assert seeded.count_papers() == 154
    assert seeded.conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert seeded.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    counts = dict(seeded.conn.execute(
        "SELECT s.file_name, COUNT(*) FROM provenance pv JOIN sources s ON s.id = pv.source_id GROUP BY s.id"))
    assert sorted(counts.values()) == [22, 22, 24, 36, 50]
    events = seeded.events("import")
    assert [json.loads(e["details"])["added"] for e in events] == [22, 22, 36, 24, 50]
    source = seeded.sources()[0]
    assert source["layout"] == "A" and source["captured"] == "2026-06-05"
    assert json.loads(source["profile"])["name"] == "Hao Gu"
    assert len(source["sha256"]) == 64


def test_reimporting_the_seeds_changes_nothing_and_says_so(seeded, seed_paths):
    before = seeded.conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0], len(seeded.events())
    for path in seed_paths:
        result = seeded.import_file(path, SEED_CAPTURED)
        assert result.status == "unchanged"
        assert result.message == f"{path.name}: already imported; nothing changed"
    assert (seeded.conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0], len(seeded.events())) == before


def test_exact_repeats_across_files_are_kept_with_their_own_provenance(seeded):
    # "How Can Recommender Systems Benefit from Large Language Models: A Survey" opens both 002 and 004.
    rows = seeded.conn.execute(
        "SELECT p.id, s.file_name, pv.line FROM papers p JOIN provenance pv ON pv.paper_id = p.id"
        " JOIN sources s ON s.id = pv.source_id WHERE p.title LIKE 'How Can Recommender Systems Benefit%'"
        " ORDER BY s.file_name").fetchall()
    assert [(r[1][:3], r[2]) for r in rows] == [("002", 1), ("004", 1)]
    assert rows[0][0] != rows[1][0]


def test_a_changed_file_adds_only_what_is_new(library, write_dump):
    one = "LGMay 28\nFirst Paper TitleWei Guo\nAbstract one.\n"
    two = "CLMay 27Code\nSecond Paper TitleRong Su\nAbstract two.\n"
    first = library.import_file(write_dump(one, "listing.txt"), SEED_CAPTURED)
    assert (first.added, first.already_present) == (1, 0)
    second = library.import_file(write_dump(two + "\n" + one, "listing.txt"), SEED_CAPTURED)
    assert (second.status, second.added, second.already_present) == ("imported", 1, 1)
    assert library.count_papers() == 2
    papers = {p["title"]: p for p in library.iter_papers()}
    assert papers["First Paper Title"]["sources"] == [{"file": "listing.txt", "line": 1}, {"file": "listing.txt", "line": 5}]
    assert papers["Second Paper Title"]["sources"] == [{"file": "listing.txt", "line": 1}]


def test_the_same_record_twice_in_one_file_is_kept_twice(library, write_dump):
    record = "LGMay 28\nFirst Paper TitleWei Guo\nAbstract one.\n"
    result = library.import_file(write_dump(record + record, "twice.txt"), SEED_CAPTURED)
    assert result.added == 2 and library.count_papers() == 2


def test_provenance_keeps_the_raw_text_as_it_appeared(seeded, seed_paths):
    lines = seed_paths[1].read_text("utf-8").split("\n")
    raw, line = seeded.conn.execute(
        "SELECT raw, line FROM provenance pv JOIN sources s ON s.id = pv.source_id"
        " WHERE s.file_name = ? ORDER BY pv.line LIMIT 1 OFFSET 2", (seed_paths[1].name,)).fetchone()
    assert raw == "\n".join(lines[line - 1 : line + 2])


def test_full_text_search_with_prefixes_and_diacritics(seeded):
    def search(q):
        return {r[0] for r in seeded.conn.execute(
            "SELECT p.title FROM papers_fts JOIN papers p ON p.id = papers_fts.rowid WHERE papers_fts MATCH ?", (q,))}
    assert search("title:deepfm") == {"DeepFM: An End-to-End Wide & Deep Learning Framework for CTR Prediction",
                                "DeepFM: A Factorization-Machine based Neural Network for CTR Prediction"}
    assert "Memorize, Factorize, or be Naïve: Learning Optimal Feature Interaction Methods for CTR Prediction" in search("naive")
    assert len(search("karatzo*")) == 3


def test_second_connection_sees_committed_imports_only(tmp_path, seed_paths):
    path = tmp_path / "shared.sqlite"
    first, second = Library(path), Library(path)
    first.import_file(seed_paths[0], SEED_CAPTURED)
    assert second.count_papers() == 22
    second.import_file(seed_paths[1], SEED_CAPTURED)
    assert first.count_papers() == 44


def test_import_files_reports_progress_and_cancel_leaves_the_library_as_before_that_file(library, seed_paths):
    import threading

    cancel = threading.Event()
    seen = []

    def progress(done, total, result):
        seen.append((done, total, result.file, result.status))
        if done == 2:
            cancel.set()  # the librarian presses Cancel while file 2 is reported

    results = library.import_files(seed_paths, SEED_CAPTURED, progress=progress, cancel=cancel)
    assert [r.file for r in results] == [p.name for p in seed_paths[:2]]
    assert seen == [(1, 5, seed_paths[0].name, "imported"), (2, 5, seed_paths[1].name, "imported")]
    assert library.count_papers() == 44 and len(library.sources()) == 2


def test_cancel_during_a_file_rolls_that_file_back(library, seed_paths):
    import threading

    from paperdesk.core import dumps

    cancel = threading.Event()
    parsed = dumps.read_dump(seed_paths[2], SEED_CAPTURED)
    cancel.set()
    from paperdesk.core.library import ImportCancelled

    with pytest.raises(ImportCancelled):
        library.import_parsed(parsed, cancel=cancel)
    assert library.count_papers() == 0 and library.sources() == [] and library.events() == []
    assert library.conn.execute("SELECT COUNT(*) FROM papers_fts").fetchone()[0] == 0
