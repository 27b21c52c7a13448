"""The duplicate scan at any size: candidate pairs by blocking that keeps its recall at a million records, scored
on both cores, in memory bounded by chunks. Qt-free. (The scoring and grouping rules are in duplicates.py.)

Why not word blocks alone: at a million records every title word and word pair is shared by thousands of
records, and a block that large says nothing, so it was dropped, and with it the duplicates it held. Here the
candidates of a record come from keys that stay small whatever the library's size:

1. **Sorted neighbourhoods anchored on the first author**: every visible record gets a person key (the first
   author's initial and family name, so ``Kevin Yang`` and ``K. Yang`` agree) and its compact title (the
   normalised title with the spaces taken out, so ``Fine-Tuning``, ``Fine Tuning`` and ``FineTuning`` agree).
   Sorted by (person, compact title) a record sits next to its copies and variants; sorted by (person, compact
   title read backwards) it sits next to them even when a typo is near the start. Each record is compared with
   its next ``PERSON_WINDOW`` neighbours in both orders.
2. **Sorted by compact title alone** (for records whose first authors differ or are missing), compared with the
   next ``TITLE_WINDOW`` neighbours that share the title's first letters.
3. **Rare keys** (duplicates.blocking_keys: the compact title, words, word pairs, joined words) where the library
   is small enough for them to be rare (``RARE_KEYS_UP_TO`` records).

The work, in four steps:

- **Keys**: two processes read the visible records by id range (title, authors, year) and return each one's
  person key, normalised title, family names and year: about 300 bytes a record in the scanning process.
- **Candidates**: the three sort orders, and the neighbour windows over them as array operations (numpy), give
  each record a handful of candidate pairs (about 7 at any size), unique across the passes.
- **Upper bound**: for every candidate at once (rapidfuzz's ``cpdist``, in C, on both cores), the most
  ``score_pair`` could give it: its own title similarity, the family names shared (initials not checked), the
  year and the abstract at best, without the evidence against. A pair that cannot reach the preset's
  "possible" is not scored; this drops nine in ten, and no pair that could reach it.
- **Scoring**: the rest, in chunks of ``CHUNK`` pairs, by two processes that read only their chunk's records.

Memory: the keys, the candidates of one slice, and a chunk per scoring process; never the library.

After an import, ``find_pairs(..., new_ids=...)`` reads the keys the same way but scores only the candidates
with a new record: exactly the pairs a full scan would score for them (tests/test_dupscan.py compares). On a
large library ``find_new_pairs`` finds the same candidates through the sort keys stored in the library
(dupkeys.py): a few index steps a new record in each sort order, not a read and a sort of the whole library
(tests/test_dupkeys.py compares).
"""

from __future__ import annotations

import os
import sqlite3
import time
from array import array
from itertools import chain, combinations
from typing import Callable

import numpy as np
from rapidfuzz import fuzz, process

from .schema import VISIBLE
from .duplicates import (AUTHOR_LISTS_DIFFER, MARKS_DIFFER, NO_SHARED_AUTHOR, NO_SHARED_AUTHOR_YEARS_APART, PRESETS,
                         TITLE_FLOOR, PairScore, Preset, Record, blocking_keys, name_key, normalize_title, score_pair,
                         title_marks)

PERSON_WINDOW = 3
TITLE_WINDOW = 2
TITLE_PREFIX = 6  # the title pass compares neighbours whose compact titles start alike
RARE_KEYS_UP_TO = 20_000
MAX_BLOCK = 60
CHUNK = 40_000  # candidate pairs per scoring task
KEY_CHUNK = 50_000  # ids per key-reading task
FILTER_SLICE = 500_000  # candidate pairs filtered at once
UNBOUNDED = 99  # a record whose family names do not settle the author overlap's upper bound


def compact(norm_title: str) -> str:
    return norm_title.replace(" ", "")


def person_key(authors: str | None) -> str:
    first = (authors or "").split(", ", 1)[0]
    if not first:
        return ""
    initial, family = name_key(first)
    return f"{family} {initial}" if family else ""


def _connect(db_path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30, check_same_thread=False)
    conn.execute("PRAGMA cache_size = -16384")
    return conn


def _keys_task(db_path: str, low: int, high: int):
    """What the candidate search needs of the visible records with ids in [low, high): ids, person keys,
    normalised titles, the authors' initials and family names (``k.yang``, space-separated), the number of names
    (UNBOUNDED when those do not say all: more than three, or a name without a family name or an initial), the
    years (0 when unknown) and the title's version numbers and part (empty when it has none)."""
    conn = _connect(db_path)
    try:
        return _key_columns(conn.execute(
            f"SELECT id, title, authors, year FROM papers WHERE id >= ? AND id < ? AND {VISIBLE}", (low, high)))
    finally:
        conn.close()


def _key_columns(rows):
    """_keys_task's columns of (id, title, authors, year) rows."""
    ids, persons, titles, families, counts, years, marks = array("q"), [], [], [], array("b"), array("h"), []
    for pid, title, authors, year in rows:
        ids.append(pid)
        norm = normalize_title(title)
        titles.append(norm)
        names = [name_key(a) for a in (authors or "").split(", ") if a]
        persons.append(f"{names[0][1]} {names[0][0]}" if names and names[0][1] else "")
        families.append(" ".join(f"{i}.{f}" for i, f in names[:3]))
        counts.append(UNBOUNDED if len(names) > 3 or any(not f or not i for i, f in names) else len(names))
        years.append(year if isinstance(year, int) and 0 < year < 32768 else 0)
        marks.append(title_marks(title or "", norm))
    return ids, persons, titles, families, counts, years, marks


def _load(conn, ids: list[int]) -> dict[int, Record]:
    out: dict[int, Record] = {}
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        for r in conn.execute("SELECT id, title, authors, authors_truncated, year, substr(abstract, 1, 600)"
                              f" FROM papers WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            out[r[0]] = Record(r[0], r[1], [a for a in (r[2] or "").split(", ") if a], bool(r[3]), r[4], r[5] or "")
    return out


def _score_task(db_path: str, pairs: list[tuple[int, int]], floor: float):
    """Score explicit pairs of ids. Returns (pairs scored, those scoring at least ``floor`` as tuples)."""
    conn = _connect(db_path)
    try:
        records = _load(conn, sorted({x for p in pairs for x in p}))
        scored = 0
        kept = []
        for a, b in pairs:
            if a in records and b in records:
                scored += 1
                pair = score_pair(records[a], records[b])
                if pair.score >= floor:
                    kept.append((pair.a, pair.b, pair.score, pair.reasons, pair.against))
        return scored, kept
    finally:
        conn.close()


def _pool(workers: int):
    if workers <= 1:
        return None
    from .processes import process_pool  # its workers end with this process, even when it is killed

    return process_pool(workers)


def _run(pool, fn, tasks):
    if pool is None:
        for t in tasks:
            yield fn(*t)
    else:
        futures = [pool.submit(fn, *t) for t in tasks]
        for f in futures:
            yield f.result()


class _Keys:
    """The candidate search's view of every visible record, as parallel columns (position i is one record)."""

    def __init__(self):
        self.ids, self.counts, self.years = array("q"), array("b"), array("h")
        self.persons: list[str] = []
        self.titles: list[str] = []
        self.families: list[str] = []
        self.marks: list[str] = []

    def add(self, part) -> None:
        ids, persons, titles, families, counts, years, marks = part
        self.marks += marks
        self.ids += ids
        self.persons += persons
        self.titles += titles
        self.families += families
        self.counts += counts
        self.years += years

    def finish(self) -> "_Keys":
        self.compacts = [t.replace(" ", "") for t in self.titles]
        return self

    def __len__(self):
        return len(self.ids)


def _read_keys(db_path: str, pool, progress, cancelled) -> _Keys | None:
    conn = _connect(db_path)
    try:
        low, high = conn.execute("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM papers").fetchone()
    finally:
        conn.close()
    keys = _Keys()
    ranges = [(db_path, a, min(a + KEY_CHUNK, high + 1)) for a in range(low, high + 1, KEY_CHUNK)]
    for n, part in enumerate(_run(pool, _keys_task, ranges), start=1):
        keys.add(part)
        if progress:
            progress("Reading titles", n, len(ranges))
        if cancelled is not None and cancelled():
            return None
    return keys.finish()


def _codes(values: list[str]) -> np.ndarray:
    """Each value's number (equal values, equal numbers); the empty string is 0."""
    table: dict[str, int] = {"": 0}
    return np.fromiter((table.setdefault(v, len(table)) for v in values), dtype=np.int64, count=len(values))


def _ranks(values: list[str]) -> np.ndarray:
    """Each value's place among the distinct values sorted (equal values, equal places); the empty string is 0."""
    place = {v: i for i, v in enumerate(sorted(set(values) | {""}))}
    return np.fromiter((place[v] for v in values), dtype=np.int64, count=len(values))


def _unique(codes: np.ndarray) -> np.ndarray:
    """The sorted distinct codes. (np.unique of numpy 2.4 hashes first: 13 s for 7 million codes; this 0.5 s.)"""
    codes = np.sort(codes)
    if len(codes) < 2:
        return codes
    return codes[np.concatenate(([True], codes[1:] != codes[:-1]))]


def _window_pairs(order: list[int], window: int, groups: np.ndarray) -> np.ndarray:
    """Positions (low, high) of records within ``window`` places of each other in ``order`` whose group numbers
    are equal and not 0, encoded as low * n + high."""
    o = np.asarray(order, dtype=np.int64)
    out = []
    n = len(groups)
    for w in range(1, window + 1):
        a, b = o[:-w], o[w:]
        keep = (groups[a] == groups[b]) & (groups[a] != 0)
        a, b = a[keep], b[keep]
        out.append(np.minimum(a, b) * n + np.maximum(a, b))
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


def candidate_positions(keys: _Keys, cancelled: Callable[[], bool] | None = None,
                        ranks: np.ndarray | None = None) -> np.ndarray | None:
    """Every candidate pair of the sorted-neighbourhood passes, as sorted unique codes low * n + high of positions
    in ``keys``. ``ranks`` (when given, one slot a record) receives each record's place in the first sort order."""
    n = len(keys)
    if n < 2:
        return np.zeros(0, dtype=np.int64)
    # Each sort order as numpy's stable lexsort over ranks of the strings (the same order as sorting the joined
    # strings in Python, at a fraction of the cost).
    compacts = keys.compacts
    person = _ranks(keys.persons)  # 0: no first author
    title = _ranks(compacts)
    by_person = np.lexsort((title, person))
    if ranks is not None:
        ranks[by_person] = np.arange(n)
    parts = [_window_pairs(by_person, PERSON_WINDOW, person)]
    del by_person
    if cancelled is not None and cancelled():
        return None
    backwards = np.lexsort((_ranks([c[::-1] for c in compacts]), person))
    parts.append(_window_pairs(backwards, PERSON_WINDOW, person))
    del backwards
    if cancelled is not None and cancelled():
        return None
    by_title = np.lexsort((person, title))
    prefix = _codes([c[:TITLE_PREFIX] or "-" for c in compacts])
    parts.append(_window_pairs(by_title, TITLE_WINDOW, prefix))
    del by_title
    return _unique(np.concatenate(parts))


def _rare_positions(keys: _Keys) -> np.ndarray:
    """Pairs sharing a title key held by at most MAX_BLOCK records (a small library's extra recall)."""
    blocks: dict[str, list[int]] = {}
    for i, title in enumerate(keys.titles):
        for key in blocking_keys(title):
            blocks.setdefault(key, []).append(i)
    n = len(keys)
    codes = [a * n + b for members in blocks.values() if 2 <= len(members) <= MAX_BLOCK
             for a, b in combinations(members, 2)]
    return _unique(np.asarray(codes, dtype=np.int64))


def _plausible(keys: _Keys, codes: np.ndarray, floor: float, progress=None, cancelled=None) -> np.ndarray | None:
    """_plausible_part over slices of the codes (memory: a slice's pairs, not all of them)."""
    if not len(codes):
        return codes
    tables = _bound_tables(keys)
    parts = []
    slices = range(0, len(codes), FILTER_SLICE)
    for m, s in enumerate(slices, start=1):
        parts.append(_plausible_part(keys, codes[s:s + FILTER_SLICE], floor, *tables))
        if progress:
            progress("Comparing titles", m, len(slices))
        if cancelled is not None and cancelled():
            return None
    return np.concatenate(parts)


def _bound_tables(keys: _Keys):
    """What the upper bound reads of each record, as arrays: name numbers, name counts, years, title marks."""
    # each record's first three names as numbers (0: none), built in flat arrays rather than record by record
    split = [names.split() for names in keys.families]
    lengths = np.fromiter(map(len, split), dtype=np.int64, count=len(split))
    flat = _codes(list(chain.from_iterable(split)))  # names are never empty: every code is >= 1
    del split
    rows = np.repeat(np.arange(len(keys)), lengths)
    cols = np.arange(len(flat)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    fam = np.zeros((len(keys), 3), dtype=np.int64)
    fam[rows, cols] = flat
    del rows, cols, flat, lengths
    counts = np.frombuffer(keys.counts, dtype=np.int8).astype(np.int64)
    years = np.frombuffer(keys.years, dtype=np.int16).astype(np.int64)
    return fam, counts, years, _codes(keys.marks)


def _plausible_part(keys: _Keys, codes: np.ndarray, floor: float, fam, counts, years, marks,
                    with_bounds: bool = False):
    """The codes of the pairs that can still reach ``floor``: an upper bound of score_pair from the names (the
    author overlap at best: initials and family names shared, given names not checked, and the evidence against
    that it certainly gives), the years, the version numbers and parts of the titles, the abstract at best, and
    the titles' own similarity (computed in C, for the pairs the rest leaves a chance). The others cannot score,
    so they are not scored. ``with_bounds``: (codes, their upper bounds), for the tests."""
    n = len(keys)
    a, b = np.divmod(codes, n)
    # the authors: names shared (each of a's names once, capped at the names both show)
    fa, fb = fam[a], fam[b]
    shared = np.zeros(len(codes), dtype=np.int64)
    for j in range(3):
        shared += (fa[:, j] != 0) & ((fa[:, j] == fb[:, 0]) | (fa[:, j] == fb[:, 1]) | (fa[:, j] == fb[:, 2]))
    del fa, fb
    ca, cb = counts[a], counts[b]
    comparable = np.minimum(ca, cb)
    shared = np.minimum(shared, comparable)
    weight = np.where(comparable == 1, 14.0, 20.0)
    authors = np.where(comparable == 0, 8.0, weight * shared / np.maximum(comparable, 1))
    ya, yb = years[a], years[b]
    gap = np.abs(ya - yb)
    known = (ya != 0) & (yb != 0)
    year = np.where(known, np.select([gap == 0, gap == 1, gap == 2], [6.0, 4.0, 1.0], -4.0), 0.0)
    # no name in common among those both show: certainly no author in common (those penalties apply)
    none = (comparable > 0) & (shared == 0)
    authors = np.where(none, -float(NO_SHARED_AUTHOR), authors)
    authors = np.where(none & known & (gap >= 3), -float(NO_SHARED_AUTHOR_YEARS_APART), authors)
    # at most half of the names in common: either none is (above) or the author lists differ
    half = (comparable >= 2) & (shared >= 1) & (2 * shared <= comparable)
    authors = np.where(half, authors - AUTHOR_LISTS_DIFFER, authors)
    authors = np.where((ca == UNBOUNDED) | (cb == UNBOUNDED), 20.0, authors)
    # other version numbers or another part: at least the smaller of those penalties
    rest = authors + year + 4.0 - np.where(marks[a] != marks[b], float(MARKS_DIFFER), 0.0)
    alive = 70.0 + rest >= floor - 1e-6  # a title 100% alike at best
    codes, a, b, rest = codes[alive], a[alive], b[alive], rest[alive]
    titles = keys.titles
    left = [titles[i] for i in a.tolist()]
    right = [titles[i] for i in b.tolist()]
    ratio = process.cpdist(left, right, scorer=fuzz.ratio, dtype=np.float64, workers=-1)
    words = process.cpdist(left, right, scorer=fuzz.token_sort_ratio, dtype=np.float64, workers=-1)
    del left, right
    title = np.where(ratio >= 100, ratio, np.maximum(ratio, words - 3))
    title = np.where((ratio < TITLE_FLOOR) & (words < TITLE_FLOOR), 0, title)
    best = np.where(title > 0, 0.7 * title + rest, 0.0)
    keep = (title > 0) & (best >= floor - 1e-6)
    return (codes[keep], best[keep]) if with_bounds else codes[keep]


def _score_all(db_path: str, keys: _Keys, codes: np.ndarray, distinct: set[tuple[int, int]], floor: float, pool,
               progress, cancelled, ranks: np.ndarray | None = None) -> tuple[list[PairScore], int] | None:
    n = len(keys)
    ids = keys.ids
    a, b = np.divmod(codes, n)
    if ranks is not None:
        # in the first sort order's sequence, so that a chunk's pairs share their records: each scoring process
        # reads and prepares fewer records than for pairs in the order of their ids
        order = np.argsort(np.minimum(ranks[a], ranks[b]), kind="stable")
        a, b = a[order], b[order]
        del order
    pairs = []
    for i, j in zip(a.tolist(), b.tolist()):
        x, y = ids[i], ids[j]
        pair = (x, y) if x < y else (y, x)
        if pair not in distinct:
            pairs.append(pair)
    del a, b
    tasks = [(db_path, pairs[s:s + CHUNK], floor) for s in range(0, len(pairs), CHUNK)]
    found: list[PairScore] = []
    scored = 0
    for m, (count, kept) in enumerate(_run(pool, _score_task, tasks), start=1):
        scored += count
        found += [PairScore(*k) for k in kept]
        if progress:
            progress("Comparing", m, len(tasks))
        if cancelled is not None and cancelled():
            return None
    found.sort(key=lambda p: (p.a, p.b))
    return found, scored


def find_pairs(db_path: str, preset: Preset, distinct: set[tuple[int, int]], *, workers: int | None = None,
               progress: Callable[[str, int, int], None] | None = None, cancelled: Callable[[], bool] | None = None,
               stats: dict | None = None, new_ids: list[int] | None = None) -> list[PairScore] | None:
    """Every candidate pair of the visible records scored, those at least 'possible' returned. None when
    cancelled. ``stats`` (when given) receives the number of records, candidate pairs and pairs scored.

    With ``new_ids`` (after an import) only the candidate pairs with at least one of those records are scored:
    the very pairs a full scan would score for them, at the cost of reading the library's titles, not of
    comparing the whole library again."""
    if workers is None:  # processes pay off only past a small library (each one takes a moment to start)
        conn = _connect(db_path)
        try:
            shown = conn.execute(f"SELECT COUNT(*) FROM papers WHERE {VISIBLE}").fetchone()[0]
        finally:
            conn.close()
        workers = 1 if shown <= RARE_KEYS_UP_TO else min(2, os.cpu_count() or 1)
    pool = _pool(workers)
    clock = [time.perf_counter()]
    times: dict[str, float] = {}

    def lap(name):
        now = time.perf_counter()
        times[name] = round(now - clock[0], 2)
        clock[0] = now

    try:
        keys = _read_keys(db_path, pool, progress, cancelled)
        if keys is None:
            return None
        lap("keys_s")
        if progress:
            progress("Sorting", 0, 1)
        ranks = np.zeros(len(keys), dtype=np.int64)
        codes = candidate_positions(keys, cancelled, ranks)
        if codes is None:
            return None
        if len(keys) <= RARE_KEYS_UP_TO:
            codes = np.union1d(codes, _rare_positions(keys))
        if new_ids is not None:
            codes = _touching(keys, codes, new_ids)
        candidates = len(codes)
        lap("candidates_s")
        if cancelled is not None and cancelled():
            return None
        codes = _plausible(keys, codes, preset.possible, progress, cancelled)
        if codes is None:
            return None
        lap("title_filter_s")
        done = _score_all(db_path, keys, codes, distinct, preset.possible, pool, progress, cancelled, ranks)
        if done is None:
            return None
        found, scored = done
        lap("scoring_s")
        if stats is not None:
            stats.update(records=len(keys) if new_ids is None else len(set(new_ids)), library=len(keys),
                         candidates=candidates, pairs_scored=scored, **times)
        return found
    finally:
        if pool is not None:  # cancelled: the running tasks finish in the background, nobody waits for them
            pool.shutdown(wait=not (cancelled is not None and cancelled()), cancel_futures=True)


def _touching(keys: _Keys, codes: np.ndarray, new_ids: list[int]) -> np.ndarray:
    """The codes of pairs with at least one record among ``new_ids``."""
    ids = np.frombuffer(keys.ids, dtype=np.int64) if len(keys.ids) else np.zeros(0, dtype=np.int64)
    is_new = np.isin(ids, np.asarray(sorted(set(new_ids)), dtype=np.int64))
    a, b = np.divmod(codes, len(keys))
    return codes[is_new[a] | is_new[b]]


def preset_of(preset: str | Preset) -> Preset:
    return PRESETS[preset] if isinstance(preset, str) else preset


# --- the scan after an import, through the stored keys (dupkeys.py) -------------------------------------------

_AFTER = {  # the next records in each of the full scan's sort orders (ties by id), and the previous ones
    "person": ("person = :person AND compact >= :compact AND (compact > :compact OR id > :id)",
               "ORDER BY compact, id", "ORDER BY compact DESC, id DESC",
               "person = :person AND compact <= :compact AND (compact < :compact OR id < :id)"),
    "backwards": ("person = :person AND backwards >= :backwards AND (backwards > :backwards OR id > :id)",
                  "ORDER BY backwards, id", "ORDER BY backwards DESC, id DESC",
                  "person = :person AND backwards <= :backwards AND (backwards < :backwards OR id < :id)"),
    "title": ("compact >= :compact AND (compact > :compact OR person > :person OR (person = :person AND id > :id))",
              "ORDER BY compact, person, id", "ORDER BY compact DESC, person DESC, id DESC",
              "compact <= :compact AND (compact < :compact OR person < :person OR (person = :person AND id < :id))"),
}


def neighbours(conn, row: dict) -> set[int]:
    """The records the full scan's windows pair with the record whose keys are ``row`` (id, person, compact,
    backwards): its PERSON_WINDOW nearest in both first-author orders (same first author), its TITLE_WINDOW
    nearest in the title order (titles starting alike). A few index steps each."""
    out: set[int] = set()
    for order, (after, up, down, before) in _AFTER.items():
        if order != "title" and not row["person"]:
            continue  # no first author: not in a first-author window (as the full scan's group 0)
        window = TITLE_WINDOW if order == "title" else PERSON_WINDOW
        for where, by in ((after, up), (before, down)):
            for other, person, compact_title in conn.execute(
                    f"SELECT id, person, {'compact' if order == 'title' else 'person'} FROM dup_keys"  # index only
                    f" WHERE {where} {by} LIMIT {window}", row):
                if order != "title":
                    out.add(other)  # same first author by the query
                elif (compact_title[:TITLE_PREFIX] or "-") == (row["compact"][:TITLE_PREFIX] or "-"):
                    out.add(other)
    out.discard(row["id"])
    return out


def find_new_pairs(db_path: str, preset: Preset, distinct: set[tuple[int, int]], new_ids: list[int], *,
                   progress=None, cancelled=None, stats: dict | None = None) -> list[PairScore] | None:
    """The pairs of ``new_ids`` that find_pairs(..., new_ids=...) scores, found through the stored keys (which
    must be current: dupkeys.current): the work and the memory grow with the new records, not with the library."""
    clock = time.perf_counter()
    conn = _connect(db_path)
    try:
        pairs: set[tuple[int, int]] = set()
        wanted = sorted(set(new_ids))
        shown = 0
        for n in range(0, len(wanted), 500):
            chunk = wanted[n:n + 500]
            conn.row_factory = sqlite3.Row
            rows = conn.execute(f"SELECT id, person, compact, backwards FROM dup_keys WHERE id IN"
                                f" ({','.join('?' * len(chunk))})", chunk).fetchall()
            conn.row_factory = None
            shown += len(rows)
            for row in rows:
                me = row["id"]
                pairs.update((min(me, o), max(me, o)) for o in neighbours(conn, dict(row)))
            if progress:
                progress("Finding neighbours", min(n + 500, len(wanted)), len(wanted))
            if cancelled is not None and cancelled():
                return None
        involved = sorted({x for p in pairs for x in p})
        keys = _Keys()
        for n in range(0, len(involved), 900):
            chunk = involved[n:n + 900]
            keys.add(_key_columns(conn.execute(f"SELECT id, title, authors, year FROM papers WHERE id IN"
                                               f" ({','.join('?' * len(chunk))}) AND {VISIBLE} ORDER BY id", chunk)))
        keys.finish()
        library = conn.execute("SELECT COUNT(*) FROM dup_keys").fetchone()[0] if stats is not None else 0
    finally:
        conn.close()
    place = {pid: i for i, pid in enumerate(keys.ids)}
    n = len(keys)
    codes = np.asarray(sorted(place[a] * n + place[b] for a, b in pairs if a in place and b in place), dtype=np.int64)
    candidates = len(codes)
    times = {"candidates_s": round(time.perf_counter() - clock, 2)}
    clock = time.perf_counter()
    codes = _plausible(keys, codes, preset.possible, None, cancelled)
    if codes is None:
        return None
    times["title_filter_s"] = round(time.perf_counter() - clock, 2)
    clock = time.perf_counter()
    done = _score_all(db_path, keys, codes, distinct, preset.possible, None, progress, cancelled)
    if done is None:
        return None
    found, scored = done
    times["scoring_s"] = round(time.perf_counter() - clock, 2)
    if stats is not None:
        stats.update(records=shown, library=library, candidates=candidates, pairs_scored=scored, indexed=True,
                     **times)
    return found
