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

The passes are cut into chunks of the sort order (overlapping by the window) and scored by a pool of processes,
each reading only the records of its chunk, so memory holds the sort keys and a chunk, never the library.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from itertools import combinations
from typing import Callable

from .schema import VISIBLE, visible
from .duplicates import PRESETS, PairScore, Preset, Record, blocking_keys, name_key, normalize_title, score_pair

PERSON_WINDOW = 3
TITLE_WINDOW = 2
TITLE_PREFIX = 6  # the title pass compares neighbours whose compact titles start alike
RARE_KEYS_UP_TO = 20_000
MAX_BLOCK = 60
CHUNK = 50_000  # records per scoring task
KEY_CHUNK = 50_000


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


def _keys_task(db_path: str, low: int, high: int) -> list[tuple[int, str, str]]:
    """(id, person key, compact title) of the visible records with ids in [low, high)."""
    conn = _connect(db_path)
    try:
        return [(pid, person_key(authors), compact(normalize_title(title))) for pid, title, authors in conn.execute(
            f"SELECT id, title, authors FROM papers WHERE id >= ? AND id < ? AND {VISIBLE}", (low, high))]
    finally:
        conn.close()


def _load(conn, ids: list[int]) -> dict[int, Record]:
    out: dict[int, Record] = {}
    for i in range(0, len(ids), 900):
        chunk = ids[i:i + 900]
        for r in conn.execute("SELECT id, title, authors, authors_truncated, year, substr(abstract, 1, 600)"
                              f" FROM papers WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            out[r[0]] = Record(r[0], r[1], [a for a in (r[2] or "").split(", ") if a], bool(r[3]), r[4], r[5] or "")
    return out


def _score_task(db_path: str, order: list[int], groups: list[str] | None, window: int, prefix: list[str] | None,
                pairs: list[tuple[int, int]] | None, distinct: set[tuple[int, int]], floor: float):
    """Score one chunk: either a stretch of a sort order (each record against its next ``window`` neighbours
    with the same group key, or the same title prefix), or explicit pairs. Returns (pairs scored, the pairs
    scoring at least ``floor`` as tuples)."""
    conn = _connect(db_path)
    try:
        scored = 0
        kept = []
        if pairs is not None:
            records = _load(conn, sorted({x for p in pairs for x in p}))
            for a, b in pairs:
                if a in records and b in records:
                    scored += 1
                    pair = score_pair(records[a], records[b])
                    if pair.score >= floor:
                        kept.append((pair.a, pair.b, pair.score, pair.reasons, pair.against))
            return scored, kept
        recent: deque = deque(maxlen=window)
        for start in range(0, len(order), 2000):
            ids = order[start:start + 2000]
            records = _load(conn, ids)
            for offset, pid in enumerate(ids):
                k = start + offset
                record = records.get(pid)
                if record is None:
                    continue
                for j, other in recent:
                    if groups is not None and (not groups[k] or groups[j] != groups[k]):
                        continue
                    if prefix is not None and prefix[j] != prefix[k]:
                        continue
                    key = (min(pid, other.id), max(pid, other.id))
                    if key in distinct:
                        continue
                    scored += 1
                    pair = score_pair(record, other)
                    if pair.score >= floor:
                        kept.append((pair.a, pair.b, pair.score, pair.reasons, pair.against))
                recent.append((k, record))
        return scored, kept
    finally:
        conn.close()


def _pool(workers: int):
    if workers <= 1:
        return None
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def _run(pool, fn, tasks):
    if pool is None:
        for t in tasks:
            yield fn(*t)
    else:
        futures = [pool.submit(fn, *t) for t in tasks]
        for f in futures:
            yield f.result()


def find_pairs(db_path: str, preset: Preset, distinct: set[tuple[int, int]], *, workers: int | None = None,
               progress: Callable[[str, int, int], None] | None = None, cancelled: Callable[[], bool] | None = None,
               stats: dict | None = None) -> list[PairScore] | None:
    """Every candidate pair of the visible records scored, those at least 'possible' returned. None when
    cancelled. ``stats`` (when given) receives the number of records and of pairs scored."""
    conn = _connect(db_path)
    try:
        low, high = conn.execute("SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM papers").fetchone()
        shown = conn.execute(f"SELECT COUNT(*) FROM papers WHERE {VISIBLE}").fetchone()[0]
    finally:
        conn.close()
    if workers is None:  # processes pay off only past a small library (each one takes a moment to start)
        workers = 1 if shown <= RARE_KEYS_UP_TO else min(2, os.cpu_count() or 1)
    pool = _pool(workers)
    try:
        keys: list[tuple[int, str, str]] = []
        ranges = [(db_path, a, min(a + KEY_CHUNK, high + 1)) for a in range(low, high + 1, KEY_CHUNK)]
        for n, part in enumerate(_run(pool, _keys_task, ranges), start=1):
            keys += part
            if progress:
                progress("Reading titles", n, len(ranges))
            if cancelled is not None and cancelled():
                return None
        total = len(keys)
        tasks = []
        by_person = sorted((k for k in keys if k[1]), key=lambda k: (k[1], k[2], k[0]))
        backwards = sorted((k for k in keys if k[1]), key=lambda k: (k[1], k[2][::-1], k[0]))
        for order in (by_person, backwards):
            for s in range(0, len(order), CHUNK):
                part = order[max(0, s - PERSON_WINDOW):s + CHUNK]
                tasks.append((db_path, [k[0] for k in part], [k[1] for k in part], PERSON_WINDOW, None, None,
                              distinct, preset.possible))
        by_title = sorted(keys, key=lambda k: (k[2], k[1], k[0]))
        for s in range(0, len(by_title), CHUNK):
            part = by_title[max(0, s - TITLE_WINDOW):s + CHUNK]
            tasks.append((db_path, [k[0] for k in part], None, TITLE_WINDOW, [k[2][:TITLE_PREFIX] for k in part],
                          None, distinct, preset.possible))
        del by_person, backwards, by_title
        if total <= RARE_KEYS_UP_TO:
            rare = sorted(_rare_key_pairs(db_path, keys) - distinct)
            for s in range(0, len(rare), CHUNK):
                tasks.append((db_path, None, None, 0, None, rare[s:s + CHUNK], distinct, preset.possible))
        del keys
        found: dict[tuple[int, int], PairScore] = {}
        scored = 0
        for n, (count, kept) in enumerate(_run(pool, _score_task, tasks), start=1):
            scored += count
            for a, b, score, reasons, against in kept:
                found[(a, b)] = PairScore(a, b, score, reasons, against)
            if progress:
                progress("Comparing", n, len(tasks))
            if cancelled is not None and cancelled():
                return None
        if stats is not None:
            stats.update(records=total, pairs_scored=scored)
        return [found[k] for k in sorted(found)]
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)


def _rare_key_pairs(db_path: str, keys: list[tuple[int, str, str]]) -> set[tuple[int, int]]:
    """Pairs sharing a title key held by at most MAX_BLOCK records (a small library's extra recall)."""
    conn = _connect(db_path)
    try:
        blocks: dict[str, list[int]] = {}
        ids = [k[0] for k in keys]
        for i in range(0, len(ids), 900):
            chunk = ids[i:i + 900]
            for pid, title in conn.execute(f"SELECT id, title FROM papers WHERE id IN ({','.join('?' * len(chunk))})",
                                           chunk):
                for key in blocking_keys(normalize_title(title)):
                    blocks.setdefault(key, []).append(pid)
    finally:
        conn.close()
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if 2 <= len(members) <= MAX_BLOCK:
            pairs.update(combinations(sorted(members), 2))
    return pairs


# --- after an import: the new records against the library ------------------------------------------------


def _fts_query(record: Record) -> str | None:
    words = [w for w in record.words if w.isalnum()][:12]
    family = record.names[0][1] if record.names else ""
    if not words:
        return None
    title = " OR ".join(f'title:"{w}"' for w in words)
    if family and family.isalnum():
        return f'authors:"{family}" AND ({title})'
    return title


def find_pairs_for(conn, new_ids: list[int], preset: Preset, distinct: set[tuple[int, int]],
                   neighbours: int = 12) -> tuple[list[PairScore], int]:
    """The new records against the whole library: each one's closest records by the full-text index (the same
    first author's family name and any of its title words, best ranked first) and every other new record
    sharing a rare key with it. Returns (pairs at least 'possible', pairs scored)."""
    new = _load(conn, sorted(set(new_ids)))
    new = {pid: r for pid, r in new.items()}
    shown = {r[0] for r in conn.execute(
        f"SELECT id FROM papers WHERE {VISIBLE} AND id IN ({','.join('?' * len(new))})", list(new))} \
        if new else set()
    candidates: set[tuple[int, int]] = set()
    for pid in shown:
        query = _fts_query(new[pid])
        if query is None:
            continue
        try:
            rows = conn.execute("SELECT f.rowid FROM papers_fts f JOIN papers p ON p.id = f.rowid"
                                f" WHERE papers_fts MATCH ? AND {visible('p')} ORDER BY f.rank LIMIT ?",
                                (query, neighbours + 1)).fetchall()
        except sqlite3.OperationalError:
            continue
        candidates.update((min(pid, r[0]), max(pid, r[0])) for r in rows if r[0] != pid)
    blocks: dict[str, list[int]] = {}
    for pid in shown:
        for key in blocking_keys(new[pid].norm_title):
            blocks.setdefault(key, []).append(pid)
    for members in blocks.values():
        if 2 <= len(members) <= MAX_BLOCK:
            candidates.update(combinations(sorted(members), 2))
    candidates -= distinct
    others = _load(conn, sorted({x for p in candidates for x in p} - new.keys()))
    records = {**others, **new}
    kept = []
    for a, b in sorted(candidates):
        pair = score_pair(records[a], records[b])
        if pair.score >= preset.possible:
            kept.append(pair)
    return kept, len(candidates)


def preset_of(preset: str | Preset) -> Preset:
    return PRESETS[preset] if isinstance(preset, str) else preset
