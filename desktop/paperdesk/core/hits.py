"""The first screen of a search's hits, in display order, before the whole hit list exists.

Ordering every hit of a short prefix (at a million records ``l`` matches 983,245 records) takes seconds; the
table needs only a screenful to show something. Two ways to find the first hits in the table's order, each
stopping after a screenful:

- **walk**: read the records in display order through the sort column's index and check each against the search
  in a scratch in-memory FTS5 table declared like ``papers_fts`` (same columns, same tokenizer, same MATCH
  expression: the same answer as the library's index, record by record). Cheap while most records match; it
  never builds the hit list of a one-letter prefix, which alone costs half a second.
- **probe**: the same ordered walk of the sort index, testing each id against the library's own full-text hit
  set (``+p.id IN (...)``: the ``+`` keeps SQLite walking the sort index instead of sorting the hits). Cheap when
  the hit set is quick to build and not rare.

A rare search has a small hit list, and ordering all of it is cheapest: its whole list comes back at once,
complete. Which way is chosen: the walk first, for a few hundred records; if they held too few hits, the hit
count of the full-text index alone (cheap for anything but a very short prefix) decides between the whole list
and the probe. A big tag without a search (query.MANY_MEMBERS) takes the probe's way with the tag in place of
the full-text hit set ("members"). All ways continue (``more``) from where they stopped, in the same order as
``query.ordered_ids``, whose result the caller builds meanwhile elsewhere (the table: in a thread of its own).
"""

from __future__ import annotations

import sqlite3
from array import array

from . import query
from .schema import FTS_COLUMNS, FTS_TOKENIZE

FIRST_SCREEN = 200  # hits found before the table first shows (a tall window shows about 50 rows)
WALK_BUDGET = 800  # records walked and checked before trying the other ways (~0.1 ms each)
WHOLE_LIST_AT = 20_000  # full-text hits up to which ordering all of them beats a first screen
MORE_WALK_LIMIT = 4_000  # records one ``more`` walks at most (the rest comes with the whole list)


class _Checker:
    """A scratch FTS5 table in memory, declared like papers_fts, for matching a batch of records exactly as the
    library's full-text index would."""

    def __init__(self):
        self.conn = sqlite3.connect(":memory:", check_same_thread=False)
        columns = ", ".join(FTS_COLUMNS)
        self.conn.execute(f"CREATE VIRTUAL TABLE scratch USING fts5({columns}, tokenize='{FTS_TOKENIZE}',"
                          " content='')")  # contentless: only the index is written, the text is not kept

    def matching(self, rows: list[tuple], match: str) -> set[int]:
        """The ids of ``rows`` (id, title, authors, abstract) that ``match`` finds."""
        conn = self.conn
        # A contentless table cannot DELETE its rows; dropping the whole index at once can.
        conn.execute("INSERT INTO scratch(scratch) VALUES ('delete-all')")
        conn.executemany(f"INSERT INTO scratch(rowid, {', '.join(FTS_COLUMNS)}) VALUES (?, ?, ?, ?)", rows)
        return {r[0] for r in conn.execute("SELECT rowid FROM scratch WHERE scratch MATCH ?", (match,))}

    def close(self) -> None:
        self.conn.close()


class Hits:
    """The hits of ``f`` in display order, a part at a time: ``first()`` then ``more()``; ``complete`` once the
    ids handed out are all the hits. Read on ``conn`` (the caller's thread)."""

    def __init__(self, conn: sqlite3.Connection, f: query.RecordFilter):
        self.conn, self.filter = conn, f
        self.walk_members = query.many_members(conn, f)  # a big tag: read in the sort index's order
        self.compiled = query.compile_filter(f, query.recent_since(conn), with_match=False,
                                             walk_members=self.walk_members)
        self.match = self.compiled.match
        self.order = query.order_by(f)
        self.relation = query.relation(f)
        self.way = "whole"  # walk | probe | members | whole
        self.walked = 0  # walk: records read so far in display order
        self.found = 0  # hits handed out so far
        self.complete = False
        self._checker: _Checker | None = None

    # --- the ways -------------------------------------------------------------------------------------------

    def _walk(self, wanted: int, budget: int) -> array:
        """Walk on from ``self.walked`` until ``wanted`` hits or ``budget`` records; complete at the end."""
        if self._checker is None:
            self._checker = _Checker()
        hits = array("q")
        batch, read = 100, 0  # small at first: a sparse search gives up after it
        columns = ", ".join(f"p.{c}" for c in FTS_COLUMNS)
        while len(hits) < wanted and read < budget:
            rows = self.conn.execute(
                f"SELECT p.id, {columns} FROM {self.relation} p WHERE {self.compiled.sql_where}"
                f" ORDER BY {self.order} LIMIT ? OFFSET ?", [*self.compiled.params, batch, self.walked]).fetchall()
            found = self._checker.matching(rows, self.match)
            for row in rows:
                self.walked += 1
                read += 1
                if row[0] in found:
                    hits.append(row[0])
                    if len(hits) == wanted:
                        break
            if len(rows) < batch and len(hits) < wanted:
                self.complete = True
                break
            if read * wanted > budget * max(len(hits), 1) and read < budget:
                break  # at the density seen so far the budget would not fill the screen: stop early
            batch = min(batch * 2, 2000)
        return hits

    def _probe(self, wanted: int) -> array:
        where, params = self.compiled.sql_where, list(self.compiled.params)
        if self.match is not None:
            where += " AND +p.id IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)"
            params.append(self.match)
        rows = self.conn.execute(
            f"SELECT p.id FROM {self.relation} p WHERE {where} ORDER BY {self.order} LIMIT ? OFFSET ?",
            [*params, wanted, self.found]).fetchall()
        if len(rows) < wanted:
            self.complete = True
        return array("q", (r[0] for r in rows))

    def _many_fts_hits(self) -> bool:
        """Whether the full-text index alone finds more than WHOLE_LIST_AT records (the trashed and merged ones
        included): an estimate of the hit list's size from the index, without touching the records, and
        counting no further than it needs to."""
        return self.conn.execute("SELECT COUNT(*) FROM (SELECT 1 FROM papers_fts WHERE papers_fts MATCH ?"
                                 " LIMIT ?)", (self.match, WHOLE_LIST_AT + 1)).fetchone()[0] > WHOLE_LIST_AT

    # --- the parts ------------------------------------------------------------------------------------------

    def first(self, wanted: int | None = None) -> array:
        """The first ``wanted`` hits (FIRST_SCREEN; all of them, and ``complete``, when that is cheapest)."""
        wanted = wanted or FIRST_SCREEN
        if self.match is None:  # no full-text words: the indexed query is fast whatever it matches,
            if not self.walk_members:
                return self._whole()
            # but a big tag's (query.MANY_MEMBERS): its first screen off the sort index, the rest behind it.
            self.way = "members"
            hits = self._probe(wanted)
            self.found = len(hits)
            return hits
        self.way = "walk"
        hits = self._walk(wanted, WALK_BUDGET)
        if len(hits) < wanted and not self.complete:
            # Few hits in the first records: a rare search, whose whole list is quick, or a moderate one
            # whose full-text hit set is quick to build and test against.
            self.walked = 0
            if not self._many_fts_hits():
                return self._whole()
            self.way = "probe"
            hits = self._probe(wanted)
        self.found = len(hits)
        return hits

    def more(self, wanted: int) -> array:
        """The next hits after those handed out, in the same order; fewer than ``wanted`` (maybe none) when a
        walk reached its limit for one call before finding them."""
        if self.complete:
            return array("q")
        hits = self._walk(wanted, MORE_WALK_LIMIT) if self.way == "walk" else self._probe(wanted)
        self.found += len(hits)
        return hits

    def _whole(self) -> array:
        self.way = "whole"
        ids = query.ordered_ids(self.conn, self.filter)
        self.complete = True
        self.found = len(ids)
        return ids

    def close(self) -> None:
        if self._checker is not None:
            self._checker.close()
            self._checker = None
