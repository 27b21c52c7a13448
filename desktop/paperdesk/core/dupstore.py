"""The duplicate scan's results, kept in the library: the Duplicates page shows the same groups after a restart,
and they stay true through merges, undos, edits and imports (here or in another window). Qt-free.

What is stored is the scored pairs (``dup_pairs``: at least the preset's "possible", with their reasons), not the
groups: a group is read from its pairs (duplicates._group), so a change to one record is undone by dropping its
pairs and scoring that record again, and the groups come out as a scan would make them. Alongside, in
``settings``: the preset the pairs were scored with, the last event (the change log's ``events`` id) they are
true at, and whether a full scan made them ("library") or only scans of new records ("new");
``dup_fresh`` lists the records imports added since the last full scan, scanned on their own (the page marks their
groups NEW; records a merge or an undo touched are scanned again, but are not new).

Keeping them true is reading the change log (``catch_up``), as a shared library's several librarians will: the
records the events since the stored one touched (dupkeys.touched_since: imported, merged away, brought back,
edited in title, authors, date or abstract, no longer "not duplicates") lose their pairs and are scanned again
against the library (through the stored sort keys: seconds at a million records), and the stored event moves on.
Merged-away records and "not duplicates" decisions are also left out whenever the pairs are read, so a decision
shows at once. Where the events do not say what changed, the stored groups are returned marked ``stale`` (a full
scan is due), never silently as if current.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from . import dupkeys
from .duplicates import PRESETS, Group, PairScore, Preset, _group
from .library import Library
from .schema import visible
from .store import last_event_id

PRESET_KEY, EVENT_KEY, SCOPE_KEY = "dup_pairs_preset", "dup_pairs_event", "dup_pairs_scope"


@dataclass
class Stored:
    """The duplicates queue as the library holds it."""

    groups: list[Group]
    fresh: set[int] = field(default_factory=set)  # records scanned on their own since the last full scan
    whole: bool = False  # a full scan made the pairs (not only scans of new records)
    stale: bool = False  # changes the events do not detail came after: a full scan is due
    preset: str = "balanced"


def _setting(conn, key: str) -> str | None:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def _set(conn, key: str, value) -> None:
    conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (key, str(value)))


SEP = "\x1f"  # between a pair's reasons (none contains it): read back by a split, ten times cheaper than JSON


def _words(text: str) -> list[str]:
    return text.split(SEP) if text else []


def _insert(conn, pairs: list[PairScore]) -> None:
    conn.executemany("INSERT OR REPLACE INTO dup_pairs VALUES (?, ?, ?, ?, ?)",
                     [(p.a, p.b, p.score, SEP.join(p.reasons), SEP.join(p.against)) for p in pairs])


def _drop_records(conn, ids) -> None:
    ids = sorted(ids)
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        marks = ",".join("?" * len(chunk))
        conn.execute(f"DELETE FROM dup_pairs WHERE a IN ({marks})", chunk)
        conn.execute(f"DELETE FROM dup_pairs WHERE b IN ({marks})", chunk)


def _preset(preset: str | Preset) -> Preset:
    return PRESETS[preset] if isinstance(preset, str) else preset


def has_results(library: Library) -> bool:
    return _setting(library.conn, EVENT_KEY) is not None and library.conn.execute(
        "SELECT 1 FROM sqlite_master WHERE name = 'dup_pairs'").fetchone() is not None


def load(library: Library, stale: bool = False) -> Stored | None:
    """The stored queue as it stands (None: nothing stored). Pairs with a record merged away, in the Trash or
    marked "not duplicates" are left out."""
    conn = library.conn
    if not has_results(library):
        return None
    name = _setting(conn, PRESET_KEY) or "balanced"
    pairs = [PairScore(a, b, score, _words(reasons), _words(against)) for a, b, score, reasons, against in
             conn.execute(f"SELECT d.a, d.b, d.score, d.reasons, d.against FROM dup_pairs d"
                          f" JOIN papers p ON p.id = d.a JOIN papers q ON q.id = d.b"
                          f" WHERE {visible('p')} AND {visible('q')} AND NOT EXISTS (SELECT 1 FROM decisions x"
                          f" WHERE x.a = d.a AND x.b = d.b AND x.decision = 'distinct') ORDER BY d.a, d.b")]
    fresh = {r[0] for r in conn.execute("SELECT id FROM dup_fresh")}
    return Stored(_group(pairs, _preset(name)), fresh, _setting(conn, SCOPE_KEY) == "library", stale, name)


def scan_all(library: Library, preset: str = "balanced", progress=None, cancel: threading.Event | None = None,
             stats: dict | None = None) -> Stored | None:
    """A full scan, its pairs stored in place of any before (None when cancelled: the stored ones stay)."""
    from . import merging

    conn = library.conn
    start = last_event_id(conn)  # changes made while the scan reads are caught up later
    pairs = merging.scan_pairs(library, preset, progress=progress, cancel=cancel, stats=stats)
    if pairs is None:
        return None
    with library.transaction():
        conn.execute("DELETE FROM dup_pairs")
        conn.execute("DELETE FROM dup_fresh")
        _insert(conn, pairs)
        _set(conn, PRESET_KEY, _preset(preset).name)
        _set(conn, SCOPE_KEY, "library")
        _set(conn, EVENT_KEY, start)
    return catch_up(library, preset, progress=progress, cancel=cancel)


def catch_up(library: Library, preset: str | None = "balanced", ids=(), progress=None,
             cancel: threading.Event | None = None, stats: dict | None = None) -> Stored | None:
    """Bring the stored pairs up to date with the change log, scanning again (against the library) the records
    touched since they were stored, and ``ids`` as well. With nothing stored, or pairs of another preset:
    ``ids`` alone are scanned and stored (scope "new"), or None is returned when there are none (a full scan is
    due). ``preset`` None: the stored pairs' preset. None also when cancelled (the stored pairs stay as they
    were: still true at their event)."""
    from . import merging

    conn = library.conn
    if not ids and not has_results(library):
        return None  # nothing stored, nothing to store: no write at all
    if preset is None:  # the preset the stored pairs were scored with
        preset = _setting(conn, PRESET_KEY) or "balanced"
    name = _preset(preset).name
    start = last_event_id(conn)
    stored = has_results(library) and _setting(conn, PRESET_KEY) == name
    imported: set[int] = set()
    if stored:
        imported = _imported_since(conn, int(_setting(conn, EVENT_KEY)))
        touched = dupkeys.touched_since(library, int(_setting(conn, EVENT_KEY)))
        if touched is None:
            # the events do not say which records changed: the groups as they were, flagged; a full scan is due
            touched = set(ids)
            stale = True
        else:
            touched |= set(ids)
            stale = False
    elif ids:
        touched, stale = set(ids), False
    else:
        return None
    if touched:
        shown = _visible(conn, touched)
        pairs = merging.scan_new_pairs(library, shown, preset, progress=progress, cancel=cancel, stats=stats) \
            if shown else []
        if pairs is None:
            return None
    else:
        shown, pairs = [], []
    with library.transaction():
        if not stored:  # the first results in this library, or another preset's: only these records' for now
            conn.execute("DELETE FROM dup_pairs")
            conn.execute("DELETE FROM dup_fresh")
            _set(conn, PRESET_KEY, name)
            _set(conn, SCOPE_KEY, "new")
        if shown and _setting(conn, SCOPE_KEY) != "library" and conn.execute(
                f"SELECT COUNT(*) FROM (SELECT 1 FROM papers WHERE {visible()} LIMIT ?)",
                (len(shown) + 1,)).fetchone()[0] == len(shown):
            _set(conn, SCOPE_KEY, "library")  # the records scanned are all the library holds (a first import)
            conn.execute("DELETE FROM dup_fresh")
            shown = []
        _drop_records(conn, touched)
        _insert(conn, pairs)
        # NEW marks an import's records not yet looked at: not a merge's survivor, nor records an undo brought
        # back (with nothing stored before, the records scanned are an import's: the page asks for no others)
        conn.executemany("INSERT OR IGNORE INTO dup_fresh(id) VALUES (?)",
                         [(i,) for i in shown if not stored or i in imported])
        if not stale:
            _set(conn, EVENT_KEY, start)
    return load(library, stale)


def _imported_since(conn, since: int) -> set[int]:
    """The records imports added after event ``since`` (an import, a re-imported file's records)."""
    from . import changes, store

    out: set[int] = set()
    for _, _, kind, paper_id, source_id, details in store.events_after(conn, since):
        if kind in ("import", "import-readded"):
            try:
                out |= changes.from_event(kind, json.loads(details) if details else {}, paper_id, source_id).added
            except ValueError:
                continue  # a damaged event: its records are simply not marked NEW
    return out


def _visible(conn, ids) -> list[int]:
    ids = sorted(ids)
    out: list[int] = []
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        out += [r[0] for r in conn.execute(f"SELECT id FROM papers WHERE id IN ({','.join('?' * len(chunk))})"
                                           f" AND {visible()}", chunk)]
    return out
