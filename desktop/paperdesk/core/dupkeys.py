"""The duplicate scan's sort keys, kept in the library between scans, so that the scan after an import costs what
the new records cost, not what the library costs. Qt-free.

The full scan (dupscan.py) places every visible record in three sort orders: by (first author, compact title),
by (first author, compact title read backwards) and by (compact title, first author), ties by id, and compares
each record with its nearest neighbours in each. ``dup_keys`` holds those keys, one row a visible record, with an
index per order; the neighbours of one record are then a few index steps (``neighbours``), the very records the
full scan's sorted arrays put next to it.

The table follows the library from its change log (the ``events`` table) like the author figures: ``current``
recomputes the keys of the records the events since its last look touched (imported, brought back, merged away,
edited), and rebuilds the table only when the events do not say which records changed (or on first use). A
rebuild reads the library in chunks by two processes and writes each chunk in a short transaction of its own
(memory: a chunk; the window's edits wait only for a chunk's write); the events logged meanwhile are caught up
before the new table replaces the old one. Nothing is added to the import's own write path.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
from typing import Callable

from . import changes as changes_mod
from .library import Library
from .schema import VISIBLE
from .store import last_event_id

EVENT_KEY = "dup_keys_event"  # settings: the last event the table is current with
REBUILD_CHUNK = 20_000  # ids a reading process returns at once (memory: a few chunks in the writing process)
CATCH_UP_MAX = 200_000  # more records touched than this since the last look: rebuild instead
TABLE = "dup_keys"
KEYS_ONLY = ("citekeys",)  # events that change "everything" shown but only citation keys: no scan is due
_COLUMNS = "id INTEGER PRIMARY KEY, person TEXT NOT NULL, compact TEXT NOT NULL, backwards TEXT NOT NULL"


def _indexes(conn: sqlite3.Connection, table: str) -> None:
    """Each index ends with the rowid (the id): its order is one of the full scan's orders, ties by id. The
    names carry a tag of their own, as a table renamed keeps its indexes' names."""
    tag = secrets.token_hex(4)
    conn.execute(f"CREATE INDEX dup_keys_person_{tag} ON {table}(person, compact)")
    conn.execute(f"CREATE INDEX dup_keys_backwards_{tag} ON {table}(person, backwards)")
    conn.execute(f"CREATE INDEX dup_keys_title_{tag} ON {table}(compact, person)")


def key_rows(rows) -> list[tuple[int, str, str, str]]:
    """(id, title, authors) rows -> (id, person, compact, backwards) rows, as the full scan computes them."""
    from .dupscan import compact, person_key
    from .duplicates import normalize_title

    out = []
    for pid, title, authors in rows:
        c = compact(normalize_title(title))
        out.append((pid, person_key(authors), c, c[::-1]))
    return out


def _key_task(db_path: str, low: int, high: int):
    from .dupscan import _connect

    conn = _connect(db_path)
    try:
        return key_rows(conn.execute(
            f"SELECT id, title, authors FROM papers WHERE id >= ? AND id < ? AND {VISIBLE}", (low, high)))
    finally:
        conn.close()


def _mark_current(conn) -> None:
    """The keys are true up to the change log's last event."""
    conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (EVENT_KEY, str(last_event_id(conn))))


def _stored_event(conn) -> int | None:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (EVENT_KEY,)).fetchone()
    has_table = conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (TABLE,)).fetchone()
    return int(row[0]) if row and has_table else None


def touched_since(library: Library, since: int) -> set[int] | None:
    """The records whose duplicate evidence (title, authors, date, abstract; visible or not) may have changed
    since event ``since``, and those of pairs no longer marked "not duplicates" (an author-name merge: the records
    it wrote anew, as the merge keeps them). None: the events do not say (an event kind this version does not
    know, very many changes)."""
    from . import store

    touched: set[int] = set()
    for n, (_, _, kind, paper_id, source_id, details) in enumerate(store.events_after(library.conn, since)):
        if n >= changes_mod.MAX_DETAILED_EVENTS:
            return None
        try:
            data = json.loads(details) if details else {}
        except ValueError:
            return None
        if kind in ("author-merge", "author-merge-undone"):
            # names written anew on many records: which ones, the merge itself keeps
            row = library.conn.execute("SELECT moved FROM author_merges WHERE id = ?",
                                       (data.get("merge_id"),)).fetchone()
            try:
                touched.update(int(item["paper_id"]) for item in json.loads(row[0]))
            except (TypeError, ValueError, KeyError):
                return None
            continue
        if kind in KEYS_ONLY:
            continue  # citation keys written on many records (an export): no evidence changes
        c = changes_mod.from_event(kind, data, paper_id, source_id)
        # an import's ``everything`` stands for records already present gaining a source: their fields stay
        if c.everything and kind != "import":
            return None
        touched |= c.added | c.removed
        if c.duplicates:  # not a tag or a citation key: those leave the evidence as it was
            touched |= c.records
        if kind == "not-duplicates-undone":
            touched.update(x for pair in data.get("pairs") or [] for x in pair)
        if len(touched) > CATCH_UP_MAX:
            return None
    return touched


def _rewrite(conn, table: str, ids) -> None:
    """Recompute the keys of ``ids`` (those no longer visible leave the table)."""
    ids = sorted(ids)
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM {table} WHERE id IN ({marks})", chunk)
        rows = key_rows(conn.execute(f"SELECT id, title, authors FROM papers WHERE id IN ({marks}) AND {VISIBLE}",
                                     chunk))
        conn.executemany(f"INSERT INTO {table} VALUES (?, ?, ?, ?)", rows)


def current(library: Library, *, workers: int = 2, progress: Callable[[str, int, int], None] | None = None,
            cancelled: Callable[[], bool] | None = None) -> bool:
    """Bring the keys up to date with the library. Returns False when cancelled (the table is then as before:
    still usable once caught up, or absent)."""
    conn = library.conn
    with library.transaction():
        since = _stored_event(conn)
        touched = touched_since(library, since) if since is not None else None
        if touched is not None:
            if touched:
                _rewrite(conn, TABLE, touched)
            _mark_current(conn)
            return True
    return rebuild(library, workers=workers, progress=progress, cancelled=cancelled)


def rebuild(library: Library, *, workers: int = 2, progress=None, cancelled=None) -> bool:
    """Every visible record's keys, read in chunks (by ``workers`` processes), into a new table that replaces
    the old one once the events logged meanwhile are caught up."""
    from .dupscan import _pool

    conn = library.conn
    new = TABLE + "_new"
    with library.transaction():
        conn.execute(f"DROP TABLE IF EXISTS {new}")
        conn.execute(f"CREATE TABLE {new} ({_COLUMNS})")
        start = last_event_id(conn)
        low, high = conn.execute("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM papers").fetchone()
    ranges = [(str(library.path), a, min(a + REBUILD_CHUNK, high + 1)) for a in range(low, high + 1, REBUILD_CHUNK)]
    pool = _pool(workers if len(ranges) > 1 else 1)
    try:
        for n, rows in enumerate(_bounded(pool, _key_task, ranges, ahead=workers + 1), start=1):
            with library.transaction():
                conn.executemany(f"INSERT OR REPLACE INTO {new} VALUES (?, ?, ?, ?)", rows)
            if progress:
                progress("Reading titles", n, len(ranges))
            if cancelled is not None and cancelled():
                with library.transaction():
                    conn.execute(f"DROP TABLE IF EXISTS {new}")
                return False
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    if progress:
        progress("Indexing titles", 0, 1)
    with library.transaction():
        _indexes(conn, new)  # before the swap: the window's edits wait for this, a few seconds at a million
    with library.transaction():
        touched = touched_since(library, start)
        if touched is None:  # the library changed wholesale meanwhile: every record read again, under the lock
            conn.execute(f"DELETE FROM {new}")
            for lo in range(low, _last_paper(conn) + 1, REBUILD_CHUNK):
                conn.executemany(f"INSERT INTO {new} VALUES (?, ?, ?, ?)", key_rows(conn.execute(
                    f"SELECT id, title, authors FROM papers WHERE id >= ? AND id < ? AND {VISIBLE}",
                    (lo, lo + REBUILD_CHUNK))))
        elif touched:
            _rewrite(conn, new, touched)
        conn.execute(f"DROP TABLE IF EXISTS {TABLE}")
        conn.execute(f"ALTER TABLE {new} RENAME TO {TABLE}")
        _mark_current(conn)
    if progress:
        progress("Indexing titles", 1, 1)
    return True


def _bounded(pool, fn, tasks, ahead: int):
    """The results of ``fn`` over ``tasks`` in order, at most ``ahead`` computed before they are used (memory:
    a few chunks, however fast the processes read)."""
    if pool is None:
        for t in tasks:
            yield fn(*t)
        return
    running = []
    for t in tasks:
        running.append(pool.submit(fn, *t))
        if len(running) > ahead:
            yield running.pop(0).result()
    for f in running:
        yield f.result()


def _last_paper(conn) -> int:
    return conn.execute("SELECT COALESCE(MAX(id), 0) FROM papers").fetchone()[0]
