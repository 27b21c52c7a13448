"""Named queries of the events table (the change log) and other small reads the windows need. Qt-free.

The GUI and the CLI call these instead of writing SQL themselves.
"""

from __future__ import annotations

import sqlite3


def last_event_id(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]


def events_after(conn: sqlite3.Connection, event_id: int, *, exclude_origin: str | None = None,
                 only_origin: str | None = None) -> list[tuple]:
    """(id, origin, kind, paper_id, source_id, details) of the events after ``event_id``, oldest first.

    ``exclude_origin`` leaves out one window's events and those of its workers ("<origin>:<job>")."""
    sql = "SELECT id, origin, kind, paper_id, source_id, details FROM events WHERE id > ?"
    params: list = [event_id]
    if only_origin is not None:
        sql += " AND origin = ?"
        params.append(only_origin)
    if exclude_origin is not None:
        sql += " AND (origin IS NULL OR (origin != ? AND origin NOT LIKE ? ESCAPE '\\'))"
        params += [exclude_origin, exclude_origin.replace("%", "\\%").replace("_", "\\_") + ":%"]
    return conn.execute(sql + " ORDER BY id", params).fetchall()


def data_version(conn: sqlite3.Connection) -> int:
    """Changes whenever another connection commits to the file (SQLite's PRAGMA data_version)."""
    return conn.execute("PRAGMA data_version").fetchone()[0]


def library_generation(conn: sqlite3.Connection) -> str | None:
    """A token that changes when the library's content is replaced wholesale (a backup restored over it): the
    change log no longer continues the one a window has seen, so its undo steps and views are void."""
    row = conn.execute("SELECT value FROM settings WHERE key = 'generation'").fetchone()
    return row[0] if row else None


def new_generation(conn: sqlite3.Connection) -> str:
    import uuid

    token = uuid.uuid4().hex
    conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('generation', ?)", (token,))
    return token
