"""What the records table shows: a filter and sort turned into one indexed SQL query for ordered ids, and the
display rows of a window of those ids. The table model keeps only the ids (8 bytes a record, as Anki's browser
does), so a million records sort, filter and scroll without a million rows ever reaching Python.
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from .schema import SORTABLE_COLUMNS, VISIBLE, in_trash, visible
from .search import parse_search

class Column(NamedTuple):
    """One column of the records table, declared once: what it shows, how it sorts, how it looks."""

    key: str
    title: str  # header
    sql: str  # expression over papers p
    sort: str | None  # indexed sort column, or None (not sortable)
    width: int = 100  # default width in pixels
    centered: bool = False
    hidden: bool = False  # hidden until the librarian shows it (View › Columns)


COLUMNS = (
    Column("title", "Title", "p.title", "title", 400),
    Column("authors", "Authors", "p.authors || CASE WHEN p.authors_truncated THEN ' et al.' ELSE '' END",
           "first_author", 240),
    Column("year", "Year", "p.year", "date", 48, True),  # the date index serves a sort by year
    Column("date", "Date", "p.date", "date", 90, hidden=True),
    Column("category", "Category", "p.category", "category", 70, True),
    Column("code", "Code", "p.has_code", "has_code", 44, True),
    Column("tags", "Tags", "(SELECT group_concat(name, ', ') FROM (SELECT t.name FROM paper_tags pt JOIN tags t"
           " ON t.id = pt.tag_id WHERE pt.paper_id = p.id ORDER BY t.name COLLATE NOCASE))", None, 140),
    Column("sources", "Sources", "p.sources_count", "sources_count", 60, True),
    Column("flags", "Flags", "p.needs_review", "needs_review", 100, hidden=True),
)
COLUMN_KEYS = tuple(c[0] for c in COLUMNS)
_NOCASE = {"title", "first_author", "category"}


# The records a source shows: those it was read into, and those its records were merged into.
_SOURCE_RECORDS = ("SELECT COALESCE(pp.merged_into, pp.id) FROM provenance pv JOIN papers pp ON pp.id = pv.paper_id"
                   " WHERE pv.source_id = ?")


@dataclass(frozen=True)
class RecordFilter:
    """Everything that decides which records the table shows, and in which order."""

    search: str = ""
    view: str = "all"  # all | review | recent | tags | source
    tag_ids: tuple[int, ...] = ()
    tag_mode: str = "all"  # all | any
    source_id: int | None = None
    sort: str = "title"
    descending: bool = False
    ids: tuple[int, ...] | None = None  # view "ids": exactly these records (a chart's bar, say)

    def with_(self, **changes) -> "RecordFilter":
        return replace(self, **changes)


@dataclass
class Compiled:
    sql_where: str
    params: list = field(default_factory=list)
    match: str | None = None  # the search's full-text words (an FTS5 MATCH expression), if any


# Tagged records beyond which reading the sort column's index in order and testing each record for the tag beats
# fetching every tagged record's row to sort them: at a million records a 50,000-record tag took 4.4 s from a
# cold disk cache that way (50,000 random reads of whole rows, abstracts and all) against 0.5 s for the walk of
# the title index, and 0.03 s for the walk's first screen.
MANY_MEMBERS = 2_000


def many_members(conn: sqlite3.Connection, f: RecordFilter) -> bool:
    """Whether ``f`` is a tag view of more than MANY_MEMBERS records (counted on the tag index, no further than
    needed)."""
    if f.view != "tags" or not f.tag_ids:
        return False
    marks = ",".join("?" * len(f.tag_ids))
    return conn.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM paper_tags WHERE tag_id IN ({marks}) LIMIT ?)",
                        [*f.tag_ids, MANY_MEMBERS + 1]).fetchone()[0] > MANY_MEMBERS


def compile_filter(f: RecordFilter, recent_since: str | None = None, with_match: bool = True,
                   walk_members: bool = False) -> Compiled:
    """The filter as SQL conditions on ``p``; ``with_match`` False leaves the full-text words out of them (for
    core.hits, which tests them record by record), in ``match`` either way. ``walk_members``: a tag view's
    records are many (``many_members``); its condition gets a ``+``, so that SQLite reads the sort column's
    index in order and tests each id against the tagged set instead of fetching and sorting every tagged row."""
    # The Trash lists trashed records; every other view lists the visible ones.
    where = [in_trash("p") if f.view == "trash" else visible("p")]
    params: list = []
    search = parse_search(f.search)
    if search.match and with_match:
        where.append("p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)")
        params.append(search.match)
    where += search.where
    params += search.params
    if f.view == "review":
        where.append("p.needs_review = 1")
    elif f.view == "recent":
        where.append("p.id >= ?")
        params.append(int(recent_since) if recent_since else 2**62)
    elif f.view == "ids":
        ids = [int(i) for i in (f.ids or ())]
        where.append(f"p.id IN ({','.join('?' * len(ids)) or 'NULL'})")
        params += ids
    elif f.view == "source" and f.source_id is not None:
        where.append(f"p.id IN ({_SOURCE_RECORDS})")
        params.append(f.source_id)
    if f.view == "tags" and f.tag_ids:
        marks = ",".join("?" * len(f.tag_ids))
        plus = "+" if walk_members else ""
        if f.tag_mode == "any" or len(f.tag_ids) == 1:
            where.append(f"{plus}p.id IN (SELECT paper_id FROM paper_tags WHERE tag_id IN ({marks}))")
            params += list(f.tag_ids)
        else:
            where.append(
                f"{plus}p.id IN (SELECT paper_id FROM paper_tags WHERE tag_id IN ({marks})"
                f" GROUP BY paper_id HAVING COUNT(*) = {len(f.tag_ids)})"
            )
            params += list(f.tag_ids)
    return Compiled(" AND ".join(where), params, search.match)


def order_by(f: RecordFilter) -> str:
    column = "date" if f.sort == "year" else (f.sort if f.sort in SORTABLE_COLUMNS else "title")
    direction = " DESC" if f.descending else ""
    if column == "first_author":
        # By the first author's surname, then the whole name: the order of idx_papers_first_author_surname
        # (schema migration 9), so the sort is read off that index.
        return (f"p.first_author_surname COLLATE NOCASE{direction}, p.first_author COLLATE NOCASE{direction},"
                f" p.id{direction}")
    collate = " COLLATE NOCASE" if column in _NOCASE else ""
    return f"p.{column}{collate}{direction}, p.id{direction}"


def recent_since(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT value FROM settings WHERE key = 'recent_from_id'").fetchone()
    return row[0] if row else None


def relation(f: RecordFilter) -> str:
    """The Trash lists records the visible view leaves out; every other view reads through it."""
    return "papers" if f.view == "trash" else "visible_papers"


def ordered_ids(conn: sqlite3.Connection, f: RecordFilter, dense: bool = False) -> array:
    """The ids of the matching records in display order, as a compact array.

    SQLite packs the ids into one JSON array and the C JSON decoder unpacks it: half the time of fetching a
    million one-column rows (benchmarks/bench_table.py). ``dense``: the search's full-text words match a large
    share of the records (core.hits found them in a short walk); then the sort column's index is read in order
    and each id looked up in the full-text hit set, which costs about half of fetching each hit's row and
    sorting (at a million records, ``l``: 2.1 against 5.8 s of CPU); for fewer hits sorting them is cheaper.
    """
    compiled = compile_filter(f, recent_since(conn), with_match=not dense, walk_members=many_members(conn, f))
    where, params = compiled.sql_where, compiled.params
    if dense and compiled.match:
        where += " AND +p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)"
        params = [*params, compiled.match]
    packed = conn.execute(
        f"SELECT json_group_array(id) FROM (SELECT p.id FROM {relation(f)} p WHERE {where}"
        f" ORDER BY {order_by(f)})",
        params,
    ).fetchone()[0]
    return array("q", json.loads(packed)) if packed else array("q")


def count_visible(conn: sqlite3.Connection) -> int:
    """Counted on the smallest partial index of the visible records (has_code: a few bytes an entry): left to
    itself SQLite counts by reading the whole table, abstracts and all (3.4 GB at a million records, seconds
    from a cold disk cache)."""
    return conn.execute(f"SELECT COUNT(*) FROM papers INDEXED BY idx_papers_has_code WHERE {VISIBLE}").fetchone()[0]


def display_rows(conn: sqlite3.Connection, ids: list[int]) -> dict[int, tuple]:
    """Display values for a window of ids: {id: (title, authors, year, ...)} in COLUMNS order."""
    if not ids:
        return {}
    select = ", ".join(c[2] for c in COLUMNS)
    marks = ",".join("?" * len(ids))
    rows = conn.execute(f"SELECT p.id, {select} FROM papers p WHERE p.id IN ({marks})", list(ids)).fetchall()
    return {row[0]: row[1:] for row in rows}


def view_counts(conn: sqlite3.Connection) -> dict[str, int]:
    """Record counts for the sidebar's library views, each from an index."""
    since = recent_since(conn)
    # All and recent in one pass over a small index: a rowid range would walk the table itself, abstracts and all.
    shown, recent = conn.execute("SELECT COUNT(*), COALESCE(SUM(id >= ?), 0) FROM papers"
                                 f" INDEXED BY idx_papers_has_code WHERE {VISIBLE}",
                                 (int(since) if since else 2**62,)).fetchone()
    return {
        "all": shown,
        "review": conn.execute(f"SELECT COUNT(*) FROM papers WHERE needs_review = 1 AND {VISIBLE}").fetchone()[0],
        "recent": recent,
        "trash": conn.execute(f"SELECT COUNT(*) FROM papers INDEXED BY idx_papers_trashed WHERE {in_trash()}"
                              ).fetchone()[0],
    }


def count_matching(conn: sqlite3.Connection, f: RecordFilter) -> int:
    compiled = compile_filter(f, recent_since(conn))
    return conn.execute(f"SELECT COUNT(*) FROM {relation(f)} p WHERE {compiled.sql_where}",
                        compiled.params).fetchone()[0]


def provenance_size(conn: sqlite3.Connection) -> int:
    """About how many provenance rows there are (the largest rowid: instant, unlike COUNT(*))."""
    return conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM provenance").fetchone()[0]


def source_counts(conn: sqlite3.Connection) -> dict[int, int]:
    """{source id: how many visible records its view lists} (what the sidebar shows next to each source)."""
    return dict(conn.execute(
        "SELECT pv.source_id, COUNT(DISTINCT root.id) FROM provenance pv JOIN papers pp ON pp.id = pv.paper_id"
        " JOIN papers root ON root.id = COALESCE(pp.merged_into, pp.id) WHERE root.trashed_at IS NULL"
        " GROUP BY pv.source_id"))
