"""Finding duplicates in a library, merging them, undoing merges, and remembering "not duplicates". Qt-free.

Nothing is deleted by a merge: the merged-away records stay in the library, hidden (``merged_into`` points
at the survivor), with their provenance and tags, so that any merge can be undone later, not only with
Ctrl+Z. Every decision lands in the ``decisions`` table and the events table and survives restarts and
re-imports.
"""

from __future__ import annotations

import json
import threading
from itertools import combinations
from typing import Callable

from . import curation
from .duplicates import MAX_BLOCK, PRESETS, Group, Preset, Record, _group, blocking_keys, normalize_title, score_pair
from .library import Library, LibraryError, now

MERGE_FIELDS = ("title", "authors", "authors_truncated", "org", "category", "date", "has_code", "abstract")
_BATCH = 20_000


# --- decisions ---------------------------------------------------------------------------------------------


def distinct_pairs(library: Library) -> set[tuple[int, int]]:
    return {(a, b) for a, b in library.conn.execute("SELECT a, b FROM decisions WHERE decision = 'distinct'")}


def mark_distinct(library: Library, ids: list[int]) -> list[tuple[int, int]]:
    """Remember that these records are different papers, pair by pair, for good. Returns the new pairs."""
    pairs = [(min(a, b), max(a, b)) for a, b in combinations(sorted(set(ids)), 2)]
    with library.transaction() as conn:
        known = {p for p in pairs if conn.execute(
            "SELECT 1 FROM decisions WHERE a = ? AND b = ? AND decision = 'distinct'", p).fetchone()}
        new = [p for p in pairs if p not in known]
        conn.executemany("INSERT OR REPLACE INTO decisions(a, b, decision, at) VALUES (?, ?, 'distinct', ?)",
                         [(a, b, now()) for a, b in new])
        library.log("not-duplicates", {"records": sorted(set(ids)), "pairs": len(new)})
    return new


def forget_distinct(library: Library, pairs: list[tuple[int, int]]) -> None:
    """Undo of mark_distinct."""
    with library.transaction() as conn:
        conn.executemany("DELETE FROM decisions WHERE a = ? AND b = ? AND decision = 'distinct'", pairs)
        library.log("not-duplicates-undone", {"pairs": [list(p) for p in pairs]})


# --- scanning ----------------------------------------------------------------------------------------------


def scan(
    library: Library,
    preset: str | Preset = "balanced",
    progress: Callable[[str, int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> list[Group]:
    """Candidate groups over the visible records. Blocking runs in SQL on a temporary key table, so memory
    holds the word frequencies and the candidate pairs, not the library."""
    preset = PRESETS[preset] if isinstance(preset, str) else preset
    conn = library.conn
    total = conn.execute("SELECT COUNT(*) FROM papers WHERE merged_into IS NULL").fetchone()[0]

    def rows():
        last = 0
        while True:
            chunk = conn.execute("SELECT id, title FROM papers WHERE merged_into IS NULL AND id > ? ORDER BY id"
                                 " LIMIT ?", (last, _BATCH)).fetchall()
            if not chunk:
                return
            yield chunk
            last = chunk[-1][0]

    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS dup_keys (key TEXT, paper_id INTEGER)")
    conn.execute("DELETE FROM temp.dup_keys")
    done = 0
    for chunk in rows():
        keys = [(key, pid) for pid, title in chunk for key in blocking_keys(normalize_title(title))]
        conn.execute("BEGIN")  # one transaction a batch: the temporary table only, the library is not written
        conn.executemany("INSERT INTO temp.dup_keys VALUES (?, ?)", keys)
        conn.execute("COMMIT")
        done += len(chunk)
        if progress:
            progress("Reading titles", done, total)
        if cancel is not None and cancel.is_set():
            conn.execute("DROP TABLE temp.dup_keys")
            return []
    conn.execute("CREATE INDEX IF NOT EXISTS temp.dup_keys_key ON dup_keys(key)")
    pairs: set[tuple[int, int]] = set()
    for (members,) in conn.execute(
            "SELECT group_concat(paper_id) FROM temp.dup_keys GROUP BY key HAVING COUNT(*) BETWEEN 2 AND ?",
            (MAX_BLOCK,)):
        ids = sorted(int(x) for x in members.split(","))
        pairs.update(combinations(ids, 2))
    conn.execute("DROP TABLE temp.dup_keys")
    pairs -= distinct_pairs(library)

    scored = []
    cache: dict[int, Record] = {}
    ordered = sorted(pairs)
    for start in range(0, len(ordered), _BATCH):
        batch = ordered[start : start + _BATCH]
        _load_records(library, {x for pair in batch for x in pair} - cache.keys(), cache)
        for a, b in batch:
            pair = score_pair(cache[a], cache[b])
            if pair.score >= preset.possible:
                scored.append(pair)
        if len(cache) > 4 * _BATCH:
            cache.clear()
        if progress:
            progress("Comparing", min(start + _BATCH, len(ordered)), len(ordered))
        if cancel is not None and cancel.is_set():
            return []
    return _group(scored, preset)


def _load_records(library: Library, ids: set[int], cache: dict[int, Record]) -> None:
    ids = list(ids)
    for i in range(0, len(ids), 900):
        chunk = ids[i : i + 900]
        marks = ",".join("?" * len(chunk))
        for r in library.conn.execute(
                f"SELECT id, title, authors, authors_truncated, year, substr(abstract, 1, 600) FROM papers"
                f" WHERE id IN ({marks})", chunk):
            cache[r[0]] = Record(r[0], r[1], [a for a in (r[2] or "").split(", ") if a], bool(r[3]), r[4], r[5] or "")


# --- merging -----------------------------------------------------------------------------------------------


def _fields(library: Library, paper_id: int) -> dict:
    detail = curation.paper_detail(library, paper_id)
    if detail is None:
        raise LibraryError(f"record {paper_id} is no longer in the library")
    return {f: detail[f] for f in MERGE_FIELDS} | {"tags": detail["tags"], "merged_into": detail["merged_into"]}


def merge(library: Library, survivor: int, others: list[int], fields: dict | None = None) -> int:
    """Merge ``others`` into ``survivor`` (which takes ``fields``, e.g. chosen per field in the dialog).

    One transaction; returns the merge's id for ``unmerge``."""
    others = [o for o in dict.fromkeys(others) if o != survivor]
    if not others:
        raise curation.ValidationError("Choose at least two records to merge.")
    with library.transaction() as conn:
        for pid in [survivor, *others]:
            row = conn.execute("SELECT merged_into FROM papers WHERE id = ?", (pid,)).fetchone()
            if row is None or row[0] is not None:
                raise LibraryError(f"record {pid} is not in the library (or already merged)")
        before = {"survivor": _fields(library, survivor),
                  "sources_count": conn.execute("SELECT sources_count FROM papers WHERE id = ?",
                                                (survivor,)).fetchone()[0]}
        if fields:
            changes = {k: v for k, v in fields.items() if k in MERGE_FIELDS}
            curation.update_fields(library, survivor, changes, kind="merge-edit")
        tags_before = set(r[0] for r in conn.execute("SELECT tag_id FROM paper_tags WHERE paper_id = ?", (survivor,)))
        marks = ",".join("?" * len(others))
        other_tags = {r[0] for r in conn.execute(
            f"SELECT tag_id FROM paper_tags WHERE paper_id IN ({marks})", others)}
        added_tags = sorted(other_tags - tags_before)
        conn.executemany("INSERT INTO paper_tags(paper_id, tag_id) VALUES (?, ?)", [(survivor, t) for t in added_tags])
        # Records merged earlier into the ones merged now follow them to the survivor.
        repointed = [list(r) for r in conn.execute(
            f"SELECT id, merged_into FROM papers WHERE merged_into IN ({marks})", others)]
        conn.execute(f"UPDATE papers SET merged_into = ? WHERE merged_into IN ({marks})", [survivor, *others])
        conn.execute(f"UPDATE papers SET merged_into = ?, updated_at = ? WHERE id IN ({marks})",
                     [survivor, now(), *others])
        family = [survivor, *others, *(r[0] for r in repointed)]
        fmarks = ",".join("?" * len(family))
        count = conn.execute(f"SELECT COUNT(*) FROM provenance WHERE paper_id IN ({fmarks})", family).fetchone()[0]
        conn.execute("UPDATE papers SET sources_count = ? WHERE id = ?", (count, survivor))
        conn.executemany("INSERT OR REPLACE INTO decisions(a, b, decision, at) VALUES (?, ?, 'merged', ?)",
                         [(min(survivor, o), max(survivor, o), now()) for o in others])
        state = {"others": others, "repointed": repointed, "added_tags": added_tags, **before}
        merge_id = conn.execute("INSERT INTO merges(survivor, merged, before, at) VALUES (?, ?, ?, ?)",
                                (survivor, json.dumps(others), json.dumps(state, ensure_ascii=False), now())).lastrowid
        library.log("merge", {"merge_id": merge_id, "survivor": survivor, "merged": others,
                              "fields": sorted((fields or {}).keys())}, paper_id=survivor)
    return merge_id


def unmerge(library: Library, merge_id: int) -> list[int]:
    """Undo a merge, however long ago: the merged records come back, the survivor gets its old fields and tags."""
    with library.transaction() as conn:
        row = conn.execute("SELECT survivor, before, undone_at FROM merges WHERE id = ?", (merge_id,)).fetchone()
        if row is None or row[2]:
            raise LibraryError("that merge does not exist or was already undone")
        survivor, state = row[0], json.loads(row[1])
        old = state["survivor"]
        current = _fields(library, survivor)
        changes = {f: old[f] for f in MERGE_FIELDS if old[f] != current[f]}
        if changes:
            curation.update_fields(library, survivor, changes, kind="unmerge-edit")
        conn.executemany("DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?",
                         [(survivor, t) for t in state["added_tags"]])
        others = state["others"]
        marks = ",".join("?" * len(others))
        conn.execute(f"UPDATE papers SET merged_into = NULL, updated_at = ? WHERE id IN ({marks})", [now(), *others])
        # Records that had been merged into the ones coming back return to them (their own earlier merge).
        conn.executemany("UPDATE papers SET merged_into = ? WHERE id = ?",
                         [(home, pid) for pid, home in state["repointed"]])
        conn.execute("UPDATE papers SET sources_count = ? WHERE id = ?", (state["sources_count"], survivor))
        conn.executemany("DELETE FROM decisions WHERE a = ? AND b = ? AND decision = 'merged'",
                         [(min(survivor, o), max(survivor, o)) for o in others])
        conn.execute("UPDATE merges SET undone_at = ? WHERE id = ?", (now(), merge_id))
        library.log("unmerge", {"merge_id": merge_id, "survivor": survivor, "restored": others}, paper_id=survivor)
    return others


def merges_of(library: Library, paper_id: int) -> list[dict]:
    """The merges a record took part in (as survivor or merged away), newest first, for its history."""
    out = []
    for mid, survivor, merged, at, undone in library.conn.execute(
            "SELECT id, survivor, merged, at, undone_at FROM merges ORDER BY id DESC"):
        merged_ids = json.loads(merged)
        if paper_id == survivor or paper_id in merged_ids:
            out.append({"id": mid, "survivor": survivor, "merged": merged_ids, "at": at, "undone_at": undone})
    return out


def merged_children(library: Library, survivor: int) -> list[int]:
    return [r[0] for r in library.conn.execute("SELECT id FROM papers WHERE merged_into = ? ORDER BY id", (survivor,))]


def auto_merge(library: Library, groups: list[Group], confidence: str = "certain", dry_run: bool = False) -> list[dict]:
    """Merge every group of the given confidence into its oldest record (lowest id), keeping its fields."""
    plan = [{"survivor": g.records[0], "merged": g.records[1:], "score": g.score, "reasons": g.reasons}
            for g in groups if g.confidence == confidence]
    if dry_run:
        return plan
    with library.transaction():
        for step in plan:
            step["merge_id"] = merge(library, step["survivor"], step["merged"])
    return plan
