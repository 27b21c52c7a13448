"""The library file as a good citizen (issue 14): a full-text index that sqlite-utils (and Datasette, which reads
FTS tables the same way) recognises and searches like Paperdesk does, and the migration of today's libraries."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
import sqlite_utils

from paperdesk.core import curation, schema
from paperdesk.core.library import Library
from paperdesk.core.query import RecordFilter, ordered_ids

WORDS = ["recommendation", "graph", "diffusion", "language", "Nunez"]


def sqlite_utils_search(db, word: str) -> list[int]:
    done = subprocess.run([sys.executable, "-m", "sqlite_utils", "search", str(db), "papers", word],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return [row["id"] for row in json.loads(done.stdout or "[]")]


def paperdesk_search(library: Library, word: str) -> list[int]:
    return list(ordered_ids(library.conn, RecordFilter(search=word, sort="id")))


def test_sqlite_utils_search_finds_what_paperdesk_finds(seeded):
    pid = seeded.conn.execute("SELECT id FROM papers ORDER BY id LIMIT 1").fetchone()[0]
    curation.update_fields(seeded, pid, {"authors": ["Zoë Núñez", "Wei Guo"]})  # diacritics folded in both
    found = {}
    for word in WORDS:
        # Paperdesk's plain word is a prefix, as you type it: word* in FTS5; a bare word in FTS5 is the whole
        # word, so it finds part of what Paperdesk finds (docs/library-schema.md).
        exact = sqlite_utils_search(seeded.path, word)
        ours = paperdesk_search(seeded, word)
        assert set(exact) <= set(ours), word
        assert sorted(sqlite_utils_search(seeded.path, word + "*")) == sorted(ours), word
        found[word] = (len(exact), len(ours))
    assert found["recommendation"][0] > 20 and found["recommendation"][1] > found["recommendation"][0]
    assert found["Nunez"] == (1, 1)


def test_the_index_is_declared_as_sqlite_utils_declares_it(seeded):
    db = sqlite_utils.Database(seeded.conn)
    assert db["papers"].detect_fts() == "papers_fts"
    assert db["papers_fts"].schema == schema.FTS_SQL
    # Datasette's own detection query (datasette.utils.detect_fts_sql) finds it too.
    datasette_sql = """select name from sqlite_master where rootpage = 0 and (
        sql like '%VIRTUAL TABLE%USING FTS%content="papers"%' or sql like '%VIRTUAL TABLE%USING FTS%content=[papers]%'
        or (tbl_name = 'papers' and sql like '%VIRTUAL TABLE%USING FTS%'))"""
    assert [r[0] for r in seeded.conn.execute(datasette_sql)] == ["papers_fts"]


def test_sqlite_utils_enable_fts_would_change_nothing(seeded, tmp_path):
    seeded.close()
    db = sqlite_utils.Database(seeded.path)
    before = db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    db["papers"].enable_fts(schema.FTS_COLUMNS, tokenize=schema.FTS_TOKENIZE, replace=True)
    assert db.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == before
    db.close()


def _as_version_6(path) -> None:
    """Turn a library back into what Paperdesk wrote before migration 7: the FTS form sqlite-utils did not
    recognise, no pinned exports (and none of the surname columns of migration 9)."""
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP INDEX idx_papers_first_author_surname; ALTER TABLE papers DROP COLUMN first_author_surname;"
        "DROP INDEX idx_author_stats_surname; ALTER TABLE author_stats DROP COLUMN surname;"
        "DROP TABLE papers_fts; DROP TABLE pinned_exports;"
        "CREATE VIRTUAL TABLE papers_fts USING fts5(title, authors, abstract, content='papers', content_rowid='id',"
        " tokenize='unicode61 remove_diacritics 2');"
        "INSERT INTO papers_fts(papers_fts) VALUES ('rebuild'); PRAGMA user_version = 6;")
    conn.close()


def test_todays_libraries_migrate(seeded):
    expected = {w: paperdesk_search(seeded, w) for w in WORDS}
    path = seeded.path
    seeded.close()
    _as_version_6(path)
    old = sqlite_utils.Database(path)
    assert old["papers"].detect_fts() is None  # what issue 14 found: invisible to sqlite-utils and Datasette
    old.close()
    library = Library(path)
    try:
        assert library.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert {w: paperdesk_search(library, w) for w in WORDS} == expected
        assert sqlite_utils.Database(library.conn)["papers"].detect_fts() == "papers_fts"
        assert library.conn.execute("SELECT COUNT(*) FROM pinned_exports").fetchone()[0] == 0
        # The update trigger still keeps the index in step after the migration.
        pid = library.conn.execute("SELECT id FROM papers ORDER BY id LIMIT 1").fetchone()[0]
        curation.update_fields(library, pid, {"title": "Zyxwvut Unmistakable"})
        assert paperdesk_search(library, "Zyxwvut") == [pid]
    finally:
        library.close()
    assert sqlite_utils_search(path, "Zyxwvut") == [pid]


@pytest.mark.parametrize("word", ["recommendation"])
def test_merged_records_are_what_paperdesk_leaves_out(seeded, word):
    from paperdesk.core import merging

    ours = paperdesk_search(seeded, word)
    merging.merge(seeded, ours[0], [ours[1]])
    assert ours[1] not in paperdesk_search(seeded, word)
    assert ours[1] in sqlite_utils_search(seeded.path, word)  # docs/library-schema.md says so
