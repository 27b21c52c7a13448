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

import bisect
import json
import threading
from dataclasses import dataclass, field
from . import dupkeys
from .duplicates import PRESETS, Group, PairScore, Preset, _group
from .library import Library
from .schema import visible
from .store import last_event_id

PRESET_KEY, EVENT_KEY, SCOPE_KEY = "dup_pairs_preset", "dup_pairs_event", "dup_pairs_scope"
_ORDER = {"certain": 0, "likely": 1, "possible": 2}  # as duplicates._group orders the groups


@dataclass
class Stored:
    """The duplicates queue as the library holds it."""

    groups: list[Group]
    fresh: set[int] = field(default_factory=set)  # records scanned on their own since the last full scan
    whole: bool = False  # a full scan made the pairs (not only scans of new records)
    stale: bool = False  # changes the events do not detail came after: a full scan is due
    preset: str = "balanced"
    # None: ``groups`` is the whole queue. A set: only the groups of these records changed (catch_up's
    # ``known``): the queue's groups touching them are replaced by ``groups``, the rest stands
    changed: set[int] | None = None
    event: int | None = None  # the change log's event the pairs are true at (what ``known`` names next time)


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


_SHOWN = (f"JOIN papers p ON p.id = d.a JOIN papers q ON q.id = d.b WHERE {visible('p')} AND {visible('q')}"
          f" AND NOT EXISTS (SELECT 1 FROM decisions x WHERE x.a = d.a AND x.b = d.b AND x.decision = 'distinct')")
_PAIR = "SELECT d.a, d.b, d.score, d.reasons, d.against FROM dup_pairs d "


def _pair(row) -> PairScore:
    a, b, score, reasons, against = row
    return PairScore(a, b, score, _words(reasons), _words(against))


def _stored(conn, groups: list[Group], name: str, stale: bool, changed: set[int] | None = None) -> Stored:
    fresh = {r[0] for r in conn.execute("SELECT id FROM dup_fresh")}
    event = _setting(conn, EVENT_KEY)
    return Stored(groups, fresh, _setting(conn, SCOPE_KEY) == "library", stale, name, changed,
                  int(event) if event is not None else None)


def load(library: Library, stale: bool = False) -> Stored | None:
    """The stored queue as it stands (None: nothing stored). Pairs with a record merged away, in the Trash or
    marked "not duplicates" are left out."""
    conn = library.conn
    if not has_results(library):
        return None
    name = _setting(conn, PRESET_KEY) or "balanced"
    with library.read_snapshot():
        pairs = [_pair(r) for r in conn.execute(f"{_PAIR}{_SHOWN} ORDER BY d.a, d.b")]
        return _stored(conn, _group(pairs, _preset(name)), name, stale)


def load_first(library: Library, wanted: int = 200) -> Stored | None:
    """The queue's first ``wanted`` groups (or more), exactly as ``load`` orders them, without reading the whole
    queue: the pairs are read surest first, a batch at a time, each with the whole group of pairs it is linked
    to (``_linked``). A group's score is that of one of its pairs, so once every pair scored at least ``s`` has
    been read with its links, every group not yet seen scores below ``s``: the groups found scoring ``s`` or
    more are the queue's first, in order (the rest: ``load``)."""
    conn = library.conn
    if not has_results(library):
        return None
    name = _setting(conn, PRESET_KEY) or "balanced"
    with library.read_snapshot():
        seen: set[int] = set()
        groups: list[Group] = []
        batch, offset = max(wanted, 50), 0
        while True:
            rows = conn.execute(f"SELECT d.a, d.b, d.score FROM dup_pairs d ORDER BY d.score DESC, d.a, d.b"
                                f" LIMIT ? OFFSET ?", (batch, offset)).fetchall()
            offset += len(rows)
            seeds = {x for a, b, _ in rows for x in (a, b) if x not in seen}
            if seeds:
                records, pairs = _linked(conn, seeds)
                seen |= records | seeds
                groups += _group(pairs, _preset(name))
            groups.sort(key=lambda g: (_ORDER[g.confidence], -g.score, g.records[0]))
            if len(rows) < batch:  # every pair read: these are all the groups
                return _stored(conn, groups, name, False)
            # A group not seen yet has no pair read: it scores at most ``floor``; scoring ``floor`` exactly, its
            # first record starts an unread pair of that score, so it is at least the last pair's first record
            floor, first = rows[-1][2], rows[-1][0]
            sure = [g for g in groups if g.score > floor or g.score == floor and g.records[0] < first]
            if len(sure) >= wanted:
                return _stored(conn, sure, name, False)
            batch *= 2


def order_key(group: Group) -> tuple:
    """Where a group stands in the queue (as duplicates._group sorts them)."""
    return _ORDER[group.confidence], -group.score, group.records[0]


def apply(groups: list[Group], stored: Stored) -> list[Group]:
    """The queue ``groups`` (in order) after ``stored``: the whole queue, or (``changed``) its groups touching the
    changed records replaced by the new ones, each put where the order says."""
    if stored.changed is None:
        return list(stored.groups)
    changed = stored.changed
    out = [g for g in groups if changed.isdisjoint(g.records)]
    for group in sorted(stored.groups, key=order_key):
        out.insert(bisect.bisect_left(out, order_key(group), key=order_key), group)
    return out


def _linked(conn, seeds: set[int], shown: bool = True) -> tuple[set[int], list[PairScore]]:
    """The records linked to ``seeds`` by shown pairs, however far (what one group or several, sharing records,
    may hold), and those pairs, ordered as ``load`` reads them. ``shown`` False: by any stored pair (records
    merged away or trashed since, decided distinct since, were linked in the queue shown before)."""
    records, frontier = set(seeds), sorted(seeds)
    pairs: dict[tuple[int, int], PairScore] = {}
    where = f"{_SHOWN} AND" if shown else "WHERE"
    while frontier:
        found: list[int] = []
        for i in range(0, len(frontier), 400):
            chunk = frontier[i:i + 400]
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(f"{_PAIR}{where} (d.a IN ({marks}) OR d.b IN ({marks}))", chunk + chunk):
                pairs[(row[0], row[1])] = _pair(row)
                for x in row[:2]:
                    if x not in records:
                        records.add(x)
                        found.append(x)
        frontier = sorted(found)
    return records, [pairs[k] for k in sorted(pairs)]


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
             cancel: threading.Event | None = None, stats: dict | None = None, known: int | None = None
             ) -> Stored | None:
    """Bring the stored pairs up to date with the change log, scanning again (against the library) the records
    touched since they were stored, and ``ids`` as well. With nothing stored, or pairs of another preset:
    ``ids`` alone are scanned and stored (scope "new"), or None is returned when there are none (a full scan is
    due). ``preset`` None: the stored pairs' preset. None also when cancelled (the stored pairs stay as they
    were: still true at their event).

    ``known``: the event of the queue the caller shows (a Stored's ``event``). When the stored pairs are still
    true at it, only the groups the change can reach are read and returned (``changed``: the records touched and
    every record linked to them by a pair, before or after), so a catch-up costs what changed, not the queue;
    else the whole queue, as without it."""
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
    partial = stored and known is not None and _setting(conn, EVENT_KEY) == str(known)
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
    if stale:
        partial = False
    if partial:  # the groups these records belonged to, before they lose their pairs
        touched |= _decided_since(conn, known)
        before, _ = _linked(conn, touched, shown=False) if touched else (set(), [])
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
    if partial:
        with library.read_snapshot():
            records, pairs = _linked(conn, before | touched) if before | touched else (set(), [])
            return _stored(conn, _group(pairs, _preset(name)), name, False, records | before | touched)
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


def _decided_since(conn, since: int) -> set[int]:
    """The records of "not duplicates" decisions taken after event ``since`` (their groups fall apart)."""
    from . import store

    out: set[int] = set()
    for _, _, kind, _, _, details in store.events_after(conn, since):
        if kind == "not-duplicates":
            try:
                out.update(int(x) for x in (json.loads(details) if details else {}).get("records") or [])
            except (TypeError, ValueError):
                continue
    return out


def _visible(conn, ids) -> list[int]:
    ids = sorted(ids)
    out: list[int] = []
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        out += [r[0] for r in conn.execute(f"SELECT id FROM papers WHERE id IN ({','.join('?' * len(chunk))})"
                                           f" AND {visible()}", chunk)]
    return out
