"""The library's tables, indexes and full-text index, and the migrations between schema versions.

The schema version lives in ``PRAGMA user_version``. Each migration runs in its own transaction, so a library
is always at one version or the next, never in between. Add a migration; never edit a released one.
"""

from __future__ import annotations

from .sqlitedb import sqlite_utils

SCHEMA_VERSION = 10

# Columns the records table can sort by; each has an index (see _migrate_1) so ORDER BY ... LIMIT stays fast.
SORTABLE_COLUMNS = ("title", "first_author", "date", "category", "has_code", "sources_count", "needs_review",
                    "id")


def _migrate_1(db: sqlite_utils.Database) -> None:
    db["sources"].create(
        {
            "id": int,
            "file_name": str,
            "path": str,
            "sha256": str,
            "size": int,
            "captured": str,  # ISO date the year-less dates were resolved against
            "capture_source": str,  # "given" or "file modification time"
            "layout": str,  # A, B, C or mixed
            "encoding": str,
            "profile": str,  # JSON: the profile header of layout A, or NULL
            "record_count": int,
            "report": str,  # JSON: the parse report
            "imported_at": str,
        },
        pk="id",
        not_null={"file_name", "sha256"},
    )
    db["sources"].create_index(["sha256"], unique=True)
    db["sources"].create_index(["file_name"])

    db["papers"].create(
        {
            "id": int,
            "title": str,
            "authors": str,  # the shown names, ", "-joined: for display, sorting and full-text search
            "first_author": str,
            "authors_truncated": int,
            "org": str,
            "category": str,
            "date": str,  # ISO date, NULL when the dump gave an impossible one
            "year": int,
            "has_code": int,
            "score": float,
            "abstract": str,
            "code_urls": str,  # JSON list
            "needs_review": int,
            "review": str,  # JSON: reasons and candidate readings
            "sources_count": int,
            "fingerprint": str,  # content identity of the record it was imported from
            "created_at": str,
            "updated_at": str,
            "merged_into": int,  # set when merged away into another paper (kept, hidden)
            "citekey": str,
        },
        pk="id",
        not_null={"title"},
        defaults={"authors_truncated": 0, "has_code": 0, "needs_review": 0, "sources_count": 1},
    )
    # One-column partial indexes over the visible papers: every entry ends with the rowid, so
    # "WHERE merged_into IS NULL ORDER BY column, id" reads ids straight off the index, never the table.
    for column in ("title", "first_author", "category"):
        db.execute(f"CREATE INDEX idx_papers_{column} ON papers({column} COLLATE NOCASE) WHERE merged_into IS NULL")
    # No index on year: sorting by year reads the date index (same order, and by date within a year).
    for column in ("date", "has_code", "sources_count", "needs_review"):
        db.execute(f"CREATE INDEX idx_papers_{column} ON papers({column}) WHERE merged_into IS NULL")
    db.execute("CREATE INDEX idx_papers_merged_into ON papers(merged_into) WHERE merged_into IS NOT NULL")
    db.execute("CREATE UNIQUE INDEX idx_papers_citekey ON papers(citekey) WHERE citekey IS NOT NULL")

    db["authors"].create({"id": int, "name": str}, pk="id", not_null={"name"})
    db["authors"].create_index(["name"], unique=True)
    db["paper_authors"].create(
        {"paper_id": int, "author_id": int, "position": int},
        pk=("paper_id", "position"),
        foreign_keys=[("paper_id", "papers", "id"), ("author_id", "authors", "id")],
    )
    db["paper_authors"].create_index(["author_id", "paper_id"])

    db["provenance"].create(
        {"id": int, "paper_id": int, "source_id": int, "line": int, "end_line": int, "raw": str, "fingerprint": str},
        pk="id",
        foreign_keys=[("paper_id", "papers", "id"), ("source_id", "sources", "id")],
    )
    db["provenance"].create_index(["paper_id"])
    db["provenance"].create_index(["source_id", "fingerprint"])

    db["tags"].create({"id": int, "name": str, "color": str, "created_at": str}, pk="id", not_null={"name"})
    db.execute("CREATE UNIQUE INDEX idx_tags_name ON tags(name COLLATE NOCASE)")
    db["paper_tags"].create(
        {"paper_id": int, "tag_id": int},
        pk=("paper_id", "tag_id"),
        foreign_keys=[("paper_id", "papers", "id"), ("tag_id", "tags", "id")],
    )
    db["paper_tags"].create_index(["tag_id", "paper_id"])

    db["events"].create(
        {"id": int, "at": str, "kind": str, "paper_id": int, "source_id": int, "details": str},
        pk="id",
        not_null={"at", "kind"},
    )
    db["events"].create_index(["paper_id"])
    db["events"].create_index(["kind", "at"])

    db["settings"].create({"key": str, "value": str}, pk="key")

    # External-content FTS5; diacritics folded so "Nunez" finds "Núñez". Written as plain statements rather than
    # sqlite-utils' enable_fts, whose executescript would commit the migration half-way. Updates and deletes are
    # kept in step by triggers; inserts are not: Library.insert_papers indexes each batch with one INSERT ... SELECT,
    # which is three times faster than a trigger firing per row (benchmarks/bench_import.py).
    db.execute(
        "CREATE VIRTUAL TABLE papers_fts USING fts5(title, authors, abstract, content='papers', content_rowid='id',"
        " tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute(
        "CREATE TRIGGER papers_ad AFTER DELETE ON papers BEGIN INSERT INTO papers_fts(papers_fts, rowid, title, authors,"
        " abstract) VALUES ('delete', old.id, old.title, old.authors, old.abstract); END"
    )
    db.execute(
        "CREATE TRIGGER papers_au AFTER UPDATE OF title, authors, abstract ON papers BEGIN"
        " INSERT INTO papers_fts(papers_fts, rowid, title, authors, abstract)"
        " VALUES ('delete', old.id, old.title, old.authors, old.abstract);"
        " INSERT INTO papers_fts(rowid, title, authors, abstract) VALUES (new.id, new.title, new.authors, new.abstract);"
        " END"
    )


def _migrate_2(db: sqlite_utils.Database) -> None:
    """Duplicate handling: the librarian's decisions about pairs, and merges that can be undone later."""
    db["decisions"].create(
        {"a": int, "b": int, "decision": str, "at": str},  # a < b; decision: distinct | merged
        pk=("a", "b"),
    )
    db["merges"].create(
        {"id": int, "survivor": int, "merged": str, "before": str, "at": str, "undone_at": str},
        pk="id",
    )
    db["merges"].create_index(["survivor"])


def _migrate_3(db: sqlite_utils.Database) -> None:
    """Per-author aggregates for the Authors view (core.authors.refresh_stats fills them)."""
    db["author_stats"].create(
        {"author_id": int, "name": str, "papers": int, "first_author": int, "year_min": int, "year_max": int,
         "coauthors": int, "categories": str},
        pk="author_id",
    )
    for column in ("papers", "first_author", "year_min", "coauthors"):
        db.execute(f"CREATE INDEX idx_author_stats_{column} ON author_stats({column})")
    db.execute("CREATE INDEX idx_author_stats_name ON author_stats(name COLLATE NOCASE)")
    # Name variants merged into one author (undoable), and names a librarian says are different people.
    db["author_merges"].create({"id": int, "keep": int, "merged": str, "moved": str, "at": str, "undone_at": str},
                               pk="id")
    db["author_distinct"].create({"a": int, "b": int, "at": str}, pk=("a", "b"))


def _migrate_4(db: sqlite_utils.Database) -> None:
    """Merges as a history that can be unwound in any order (docs/merging.md).

    ``merge_members`` says who took part in which merge (indexed by record, so a record's merges and the merge
    that absorbed it are found without reading every merge); ``merges.undone`` keeps what an unmerge did, so it
    can be redone. Then every record's ``merged_into`` is recomputed from the merges still in force: records an
    out-of-order unmerge of an earlier version had left hidden with no merge to undo come back into view."""
    db["merge_members"].create({"merge_id": int, "paper_id": int, "role": str},  # role: survivor | merged
                               pk=("merge_id", "paper_id"))
    db.execute("CREATE INDEX idx_merge_members_paper ON merge_members(paper_id, merge_id)")
    db.execute("ALTER TABLE merges ADD COLUMN undone TEXT")  # JSON: what the unmerge changed (for its redo)
    db.execute("INSERT OR IGNORE INTO merge_members SELECT id, survivor, 'survivor' FROM merges")
    db.execute("INSERT OR IGNORE INTO merge_members SELECT m.id, j.value, 'merged' FROM merges m, json_each(m.merged) j")
    parent = dict(db.execute(
        "SELECT mm.paper_id, m.survivor FROM merge_members mm JOIN merges m ON m.id = mm.merge_id"
        " WHERE mm.role = 'merged' AND m.undone_at IS NULL ORDER BY m.id").fetchall())
    hidden = [r[0] for r in db.execute("SELECT id FROM papers WHERE merged_into IS NOT NULL")]
    touched: set[int] = set()
    for pid in set(hidden) | set(parent):
        root, seen = pid, {pid}
        while root in parent and parent[root] not in seen:
            root = parent[root]
            seen.add(root)
        target = None if root == pid else root
        db.execute("UPDATE papers SET merged_into = ? WHERE id = ? AND merged_into IS NOT ?", (target, pid, target))
        touched.update((pid, root))
    for pid in touched:
        db.execute("UPDATE papers SET sources_count = (SELECT COUNT(*) FROM provenance WHERE paper_id = ? OR paper_id"
                   " IN (SELECT id FROM papers WHERE merged_into = ?)) WHERE id = ?", (pid, pid, pid))


def _migrate_5(db: sqlite_utils.Database) -> None:
    """Events say which library connection wrote them (so a window tells its own changes from another's), and
    the visibility rule lives in one view that every query reads through."""
    db.execute("ALTER TABLE events ADD COLUMN origin TEXT")
    # The rule as it stood at this version (written out: VISIBLE has grown since, and migration 6 re-makes it).
    db.execute("CREATE VIEW visible_papers AS SELECT * FROM papers WHERE merged_into IS NULL")


def _migrate_6(db: sqlite_utils.Database) -> None:
    """The Trash (``papers.trashed_at``) and imports that can be taken back out (``sources.removed_at``, with
    the provenance of records that stay moved aside to ``removed_provenance``). The visibility rule now also
    leaves trashed records out: the view and the partial indexes behind every sortable column are re-made
    with it, so sorting and counting still read ids straight off an index."""
    db.execute("ALTER TABLE papers ADD COLUMN trashed_at TEXT")
    db.execute("ALTER TABLE sources ADD COLUMN removed_at TEXT")
    db.execute("CREATE TABLE removed_provenance AS SELECT * FROM provenance WHERE 0")
    db.execute("CREATE INDEX idx_removed_provenance_source ON removed_provenance(source_id)")
    db.execute("CREATE INDEX idx_papers_trashed ON papers(trashed_at) WHERE trashed_at IS NOT NULL")
    db.execute("DROP VIEW visible_papers")
    db.execute(f"CREATE VIEW visible_papers AS SELECT * FROM papers WHERE {VISIBLE}")
    for name, sql in db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'papers'"
                                " AND sql LIKE '%WHERE merged_into IS NULL'").fetchall():
        db.execute(f'DROP INDEX "{name}"')
        db.execute(sql.replace("WHERE merged_into IS NULL", f"WHERE {VISIBLE}"))


# The one place that says which papers the librarian sees: merged-away records stay, hidden, and so do records
# in the Trash. Queries read ``visible_papers`` or use ``visible()``; changing this rule needs a migration that
# re-makes the view and the partial indexes (see _migrate_6).
VISIBLE = "merged_into IS NULL AND trashed_at IS NULL"


# What the Trash shows: trashed records themselves (records merged into them travel inside them).
IN_TRASH = "trashed_at IS NOT NULL AND merged_into IS NULL"


def in_trash(alias: str = "") -> str:
    return IN_TRASH if not alias else " AND ".join(f"{alias}.{term}" for term in IN_TRASH.split(" AND "))


def visible(alias: str = "") -> str:
    """The visibility rule for a query that names papers ``alias`` (``visible("p")``)."""
    if not alias:
        return VISIBLE
    return " AND ".join(f"{alias}.{term}" for term in VISIBLE.split(" AND "))



# The full-text index, declared exactly as sqlite-utils' ``Table.enable_fts`` declares one, so sqlite-utils
# (``sqlite-utils search``) and Datasette (``?_search=``) find it: they recognise ``content="papers"``, not the
# ``content='papers', content_rowid='id'`` form of migration 1 (papers.id is the rowid either way).
FTS_COLUMNS = ("title", "authors", "abstract")
FTS_TOKENIZE = "unicode61 remove_diacritics 2"  # "Nunez" finds "Núñez"
FTS_SQL = (
    'CREATE VIRTUAL TABLE "papers_fts" USING FTS5 (\n'
    + "    " + ", ".join(f'"{c}"' for c in FTS_COLUMNS) + ",\n"
    + f"    tokenize='{FTS_TOKENIZE}',\n"
    + '    content="papers"\n)'
)


def _migrate_7(db: sqlite_utils.Database) -> None:
    """The library file as a good citizen of the SQLite ecosystem, and pinned exports.

    The full-text index is re-declared the way sqlite-utils declares one (FTS_SQL; sqlite-utils' own
    ``enable_fts`` cannot run here: its executescript would commit the migration half-way) and rebuilt from the
    papers; the update and delete triggers stay as they are (inserts are indexed in batches by the importer).
    ``pinned_exports`` holds the exports kept in sync with the library (core/export/pinned.py)."""
    db.execute("DROP TABLE IF EXISTS papers_fts")
    db.execute(FTS_SQL)
    db.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
    db["pinned_exports"].create(
        {"id": int, "path": str, "format": str, "tags": str, "search": str, "options": str, "created_at": str,
         "last_written_at": str, "last_count": int, "last_error": str},
        pk="id",
        not_null={"path", "format"},
    )
    db["pinned_exports"].create_index(["path"], unique=True)


def _migrate_8(db: sqlite_utils.Database) -> None:
    """What lets the per-author aggregates follow each change instead of being rebuilt: per-author category
    counts (the top three are read off them) and the co-author pairs (the co-author figure is the number of
    pairs), both kept by core.authors. Existing aggregates are marked stale: the next look rebuilds them."""
    db.execute("CREATE TABLE IF NOT EXISTS author_categories (author_id INTEGER, category TEXT, n INTEGER,"
               " PRIMARY KEY (author_id, category))")
    db.execute("CREATE TABLE IF NOT EXISTS author_pairs (a INTEGER, b INTEGER, PRIMARY KEY (a, b))")
    db.execute("DELETE FROM settings WHERE key = 'author_stats_event'")


def surname_sql(name: str) -> str:
    """SQL for the surname in a shown name ("Given Surname"): its last word, or the word before a suffix
    ("Martin Luther King Jr." gives King). Pure SQL, deterministic, so it can be a generated column with an index
    behind it: sorting by surname then reads ids straight off that index, at any size.

    ``rtrim(x, <x without its spaces>)`` strips the last word (every character it holds is in the set), so what
    follows that prefix is the last word; a name of one word is its own surname."""
    def last_word(x: str) -> str:
        return f"substr({x}, length(rtrim({x}, replace({x}, ' ', ''))) + 1)"

    def before_last(x: str) -> str:
        return f"rtrim(rtrim({x}, replace({x}, ' ', '')), ' ')"

    suffixes = ", ".join(f"'{s}'" for s in SURNAME_SUFFIXES)
    return (f"CASE WHEN instr({name}, ' ') AND {last_word(name)} IN ({suffixes})"
            f" THEN {last_word(before_last(name))} ELSE {last_word(name)} END")


SURNAME_SUFFIXES = ("Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV", "2nd", "3rd")  # as core.names knows them


def _migrate_9(db: sqlite_utils.Database) -> None:
    """Authors sort by surname: the records table by its first author's surname (then the whole name), the
    Authors view by each name's surname. Both are virtual generated columns (computed from the name when read,
    never out of step, nothing for a writer to maintain) with an index behind each, so the sort reads ids off
    the index like every other sortable column. (A column already there is kept: a library whose version number
    was set back, as some tests do, migrates all the same.)"""
    def has(table: str, column: str) -> bool:
        return any(r[1] == column for r in db.execute(f"PRAGMA table_xinfo({table})").fetchall())

    if not has("papers", "first_author_surname"):
        db.execute(f"ALTER TABLE papers ADD COLUMN first_author_surname TEXT GENERATED ALWAYS AS"
                   f" ({surname_sql('first_author')}) VIRTUAL")
    db.execute("CREATE INDEX IF NOT EXISTS idx_papers_first_author_surname ON papers(first_author_surname"
               f" COLLATE NOCASE, first_author COLLATE NOCASE) WHERE {VISIBLE}")
    if not has("author_stats", "surname"):
        db.execute(f"ALTER TABLE author_stats ADD COLUMN surname TEXT GENERATED ALWAYS AS ({surname_sql('name')})"
                   " VIRTUAL")
    db.execute("CREATE INDEX IF NOT EXISTS idx_author_stats_surname ON author_stats(surname COLLATE NOCASE,"
               " name COLLATE NOCASE)")


def _migrate_10(db: sqlite_utils.Database) -> None:
    """The duplicate scan's tables, made here rather than on first use (a library opened read-only, a reader such
    as Datasette, or a migration test then sees the same tables whatever was run before): ``dup_pairs`` and
    ``dup_fresh`` (the Duplicates queue, core/dupstore.py) and ``dup_keys`` (the scan's sort keys, core/dupkeys.py).
    A library whose first scan already made them keeps them as they are, with their rows; a new ``dup_keys`` is
    empty and, with no ``dup_keys_event`` in settings, is filled by its first use as before."""
    db.execute("CREATE TABLE IF NOT EXISTS dup_pairs (a INTEGER NOT NULL, b INTEGER NOT NULL, score REAL NOT NULL,"
               " reasons TEXT NOT NULL, against TEXT NOT NULL, PRIMARY KEY (a, b)) WITHOUT ROWID")
    db.execute("CREATE INDEX IF NOT EXISTS dup_pairs_b ON dup_pairs(b)")
    db.execute("CREATE TABLE IF NOT EXISTS dup_fresh (id INTEGER PRIMARY KEY)")
    if not db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dup_keys'").fetchone():
        # as core.dupkeys makes it; its rebuild swaps in a table of its own (indexes named with a tag)
        db.execute("CREATE TABLE dup_keys (id INTEGER PRIMARY KEY, person TEXT NOT NULL, compact TEXT NOT NULL,"
                   " backwards TEXT NOT NULL)")
        db.execute("CREATE INDEX dup_keys_person_v10 ON dup_keys(person, compact)")
        db.execute("CREATE INDEX dup_keys_backwards_v10 ON dup_keys(person, backwards)")
        db.execute("CREATE INDEX dup_keys_title_v10 ON dup_keys(compact, person)")
        db.execute("DELETE FROM settings WHERE key = 'dup_keys_event'")  # an empty table is current with nothing


MIGRATIONS = {1: _migrate_1, 2: _migrate_2, 3: _migrate_3, 4: _migrate_4, 5: _migrate_5, 6: _migrate_6,
              7: _migrate_7, 8: _migrate_8, 9: _migrate_9, 10: _migrate_10}


class SchemaTooNew(Exception):
    pass


def migrate(db: sqlite_utils.Database) -> int:
    """Bring the library up to SCHEMA_VERSION, one transaction per step; returns the version it found."""
    found = db.execute("PRAGMA user_version").fetchone()[0]
    if found > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"this library was written by a newer Paperdesk (schema {found}; this version knows up to {SCHEMA_VERSION})"
        )
    for version in range(found + 1, SCHEMA_VERSION + 1):
        db.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[version](db)
            db.execute(f"PRAGMA user_version = {version}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return found
