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
from .schema import VISIBLE

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
    stats: dict | None = None,
) -> list[Group]:
    """Candidate groups over the visible records (core/dupscan.py: blocking that keeps its recall at a million
    records, both cores, memory bounded by chunks). ``stats`` receives the records and pairs scored.

    The scoring processes read the library through connections of their own, so a merge committed meanwhile
    by another window can show in part; the groups are proposals, and a merge re-checks every record."""
    preset = PRESETS[preset] if isinstance(preset, str) else preset
    return _group(scan_pairs(library, preset, progress, cancel, stats) or [], preset)


def scan_pairs(library: Library, preset: str | Preset = "balanced",
               progress: Callable[[str, int, int], None] | None = None, cancel: threading.Event | None = None,
               stats: dict | None = None) -> list | None:
    """scan's scored pairs, before grouping (None when cancelled)."""
    from . import dupscan  # numpy: only when a scan runs, not at start-up

    preset = PRESETS[preset] if isinstance(preset, str) else preset
    return dupscan.find_pairs(str(library.path), preset, distinct_pairs(library), progress=progress,
                              cancelled=(lambda: cancel.is_set()) if cancel is not None else None, stats=stats)


def scan_new(library: Library, paper_ids: list[int], preset: str | Preset = "balanced",
             progress: Callable[[str, int, int], None] | None = None, cancel: threading.Event | None = None,
             stats: dict | None = None) -> list[Group]:
    """After an import: the groups the new records form with the library (and among themselves), without
    comparing the whole library again. The candidates are exactly those a full scan gives the new records (the
    library's titles are read to place them in the sort orders); only the pairs with a new record are scored."""
    preset = PRESETS[preset] if isinstance(preset, str) else preset
    return _group(scan_new_pairs(library, paper_ids, preset, progress, cancel, stats) or [], preset)


def scan_new_pairs(library: Library, paper_ids: list[int], preset: str | Preset = "balanced",
                   progress: Callable[[str, int, int], None] | None = None, cancel: threading.Event | None = None,
                   stats: dict | None = None) -> list | None:
    """scan_new's scored pairs, before grouping (None when cancelled)."""
    from . import dupscan

    preset = PRESETS[preset] if isinstance(preset, str) else preset
    cancelled = (lambda: cancel.is_set()) if cancel is not None else None
    if _large(library) and not library.readonly:
        # the library's sort keys stay in the library between scans (dupkeys.py): only the new records' neighbours
        # are looked up, in the very sort orders of a full scan
        from . import dupkeys

        if not dupkeys.current(library, progress=progress, cancelled=cancelled):
            return None
        return dupscan.find_new_pairs(str(library.path), preset, distinct_pairs(library), list(paper_ids),
                                      progress=progress, cancelled=cancelled, stats=stats)
    return dupscan.find_pairs(str(library.path), preset, distinct_pairs(library), new_ids=list(paper_ids),
                              progress=progress, cancelled=cancelled, stats=stats)


def _large(library: Library) -> bool:
    """More visible records than a scan reads in a moment: the scan after an import goes through stored keys."""
    from .dupscan import RARE_KEYS_UP_TO

    return library.conn.execute(f"SELECT COUNT(*) FROM (SELECT 1 FROM papers WHERE {VISIBLE} LIMIT ?)",
                                (RARE_KEYS_UP_TO + 1,)).fetchone()[0] > RARE_KEYS_UP_TO


def new_papers_of(library: Library, source_ids: list[int]) -> list[int]:
    """The records an import added (not those it found already present), from its results' source ids."""
    out: list[int] = []
    for sid in source_ids:
        out += [r[0] for r in library.conn.execute(
            "SELECT pv.paper_id FROM provenance pv WHERE pv.source_id = ? AND NOT EXISTS (SELECT 1 FROM provenance o"
            " WHERE o.paper_id = pv.paper_id AND o.source_id < pv.source_id)", (sid,))]
    return sorted(set(out))


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
#
# The rules are in docs/merging.md. In short: a merge is a fact in the ``merges`` table (with its members in
# ``merge_members``); ``papers.merged_into`` is derived from the merges in force (it names the visible record a
# hidden one ends up in) and is recomputed after every merge, unmerge and redo. Each merge keeps what it changed
# (the survivor's fields as [before, after], the tags it gave the survivor, the decisions it wrote), so undoing
# it, in any order, undoes exactly that: a field the librarian changed after the merge is left as it is, and
# where both the merge and the librarian changed a field the unmerge stops and asks (UnmergeConflict).


class UnmergeConflict(LibraryError):
    """The survivor's fields changed since the merge where the merge changed them too: which value stays?

    ``conflicts`` lists {"field", "before" (before the merge), "merged" (what the merge set), "current"}.
    Call ``unmerge`` again with ``resolve`` = "keep" (current values), "restore" (values from before the merge)
    or a dict naming one of the two per field."""

    def __init__(self, merge_id: int, survivor: int, conflicts: list[dict]):
        self.merge_id, self.survivor, self.conflicts = merge_id, survivor, conflicts
        names = ", ".join(c["field"] for c in conflicts)
        super().__init__(f"record {survivor} was edited after merge {merge_id} in what the merge had set ({names}):"
                         " choose to keep the current values or restore those from before the merge")


_LEGACY = object()  # the value a merge written by an earlier version set (it did not record it)


def _fields(library: Library, paper_id: int) -> dict:
    detail = curation.paper_detail(library, paper_id)
    if detail is None:
        raise LibraryError(f"there is no record {paper_id} in the library")
    return {f: detail[f] for f in MERGE_FIELDS}


def _chunks(ids, size: int = 900):
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _parents(conn, ids) -> dict[int, int]:
    """For each record among ``ids`` that a merge in force absorbed: that merge's survivor."""
    out: dict[int, int] = {}
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        out.update(conn.execute(
            f"SELECT mm.paper_id, m.survivor FROM merge_members mm JOIN merges m ON m.id = mm.merge_id"
            f" WHERE mm.role = 'merged' AND m.undone_at IS NULL AND mm.paper_id IN ({marks}) ORDER BY m.id", chunk))
    return out


def _root(conn, paper_id: int) -> int:
    """The visible record ``paper_id`` ends up in (itself when visible)."""
    row = conn.execute("SELECT merged_into FROM papers WHERE id = ?", (paper_id,)).fetchone()
    if row is None:
        raise LibraryError(f"there is no record {paper_id} in the library")
    return row[0] if row[0] is not None else paper_id


def _rebuild(conn, roots, before: list | None = None) -> set[int]:
    """Recompute ``merged_into`` and ``sources_count`` for the records these roots held (and the roots), from the
    merges in force. Returns the records whose visibility changed. ``before``, when given, receives
    ``[record, merged_into before]`` for every record whose ``merged_into`` changed: logged with the change, it
    lets the per-author figures follow the merge by its difference alone (core/authors.py)."""
    family = set(roots)
    for chunk in _chunks(set(roots)):
        marks = ",".join("?" * len(chunk))
        family.update(r[0] for r in conn.execute(f"SELECT id FROM papers WHERE merged_into IN ({marks})", chunk))
    parent = _parents(conn, family)
    missing = set(parent.values()) - family
    while missing:  # a survivor outside these families (a merge redone into a record hidden elsewhere)
        family |= missing
        more = _parents(conn, missing)
        parent.update(more)
        missing = set(more.values()) - family
    old = {}
    for chunk in _chunks(family):
        marks = ",".join("?" * len(chunk))
        old.update(conn.execute(f"SELECT id, merged_into FROM papers WHERE id IN ({marks})", chunk))
    new = {}
    for pid in family:
        root, seen = pid, {pid}
        while root in parent and parent[root] not in seen:
            root = parent[root]
            seen.add(root)
        new[pid] = None if root == pid else root
    changed = {pid for pid in family if old.get(pid) != new[pid]}
    if before is not None:
        before.extend([pid, old.get(pid)] for pid in sorted(changed))
    stamp = now()
    conn.executemany("UPDATE papers SET merged_into = ?, updated_at = ? WHERE id = ?",
                     [(new[pid], stamp, pid) for pid in changed])
    conn.executemany("UPDATE papers SET sources_count = (SELECT COUNT(*) FROM provenance WHERE paper_id = ?1 OR"
                     " paper_id IN (SELECT id FROM papers WHERE merged_into = ?1)) WHERE id = ?1",
                     [(pid,) for pid in family])
    return {pid for pid in changed if (old.get(pid) is None) != (new[pid] is None)}


def merge(library: Library, survivor: int, others: list[int], fields: dict | None = None) -> int:
    """Merge ``others`` into ``survivor`` (which takes ``fields``, e.g. chosen per field in the dialog).

    One transaction; returns the merge's id for ``unmerge``. Every record must be visible."""
    others = [o for o in dict.fromkeys(others) if o != survivor]
    if not others:
        raise curation.ValidationError("Choose at least two records to merge.")
    with library.transaction() as conn:
        for pid in [survivor, *others]:
            row = conn.execute("SELECT merged_into, trashed_at FROM papers WHERE id = ?", (pid,)).fetchone()
            if row is None:
                raise LibraryError(f"there is no record {pid} in the library")
            if row[1] is not None and row[0] is None:
                raise LibraryError(f"record {pid} is in the Trash; restore it before merging it")
            if row[0] is not None:
                raise LibraryError(f"record {pid} is already merged into record {row[0]}; merge record {row[0]}"
                                   f" instead, or bring record {pid} back out first")
        changed_fields: dict[str, list] = {}
        if fields:
            changes = {k: v for k, v in fields.items() if k in MERGE_FIELDS}
            old = curation.update_fields(library, survivor, changes, kind="merge-edit")
            after = _fields(library, survivor) if old else {}
            changed_fields = {f: [old[f], after[f]] for f in old}
        tags_before = {r[0] for r in conn.execute("SELECT tag_id FROM paper_tags WHERE paper_id = ?", (survivor,))}
        marks = ",".join("?" * len(others))
        other_tags = {r[0] for r in conn.execute(f"SELECT tag_id FROM paper_tags WHERE paper_id IN ({marks})", others)}
        added_tags = sorted(other_tags - tags_before)
        conn.executemany("INSERT INTO paper_tags(paper_id, tag_id) VALUES (?, ?)", [(survivor, t) for t in added_tags])
        # A "merged" decision is written only where the pair had none: a "not duplicates" stays as it is.
        pairs = [(min(survivor, o), max(survivor, o)) for o in others]
        decisions = [p for p in pairs if conn.execute("SELECT 1 FROM decisions WHERE a = ? AND b = ?", p).fetchone()
                     is None]
        conn.executemany("INSERT INTO decisions(a, b, decision, at) VALUES (?, ?, 'merged', ?)",
                         [(a, b, now()) for a, b in decisions])
        merge_id = conn.execute("INSERT INTO merges(survivor, merged, before, at) VALUES (?, ?, '{}', ?)",
                                (survivor, json.dumps(others), now())).lastrowid
        conn.executemany("INSERT INTO merge_members(merge_id, paper_id, role) VALUES (?, ?, ?)",
                         [(merge_id, survivor, "survivor")] + [(merge_id, o, "merged") for o in others])
        roots_before: list = []
        _rebuild(conn, [survivor, *others], roots_before)
        library.log("merge", {"merge_id": merge_id, "survivor": survivor, "merged": others,
                              "fields": changed_fields, "added_tags": added_tags, "roots_before": roots_before},
                    paper_id=survivor)
        event_id = conn.execute("SELECT MAX(id) FROM events").fetchone()[0]
        state = {"version": 2, "others": others, "fields": changed_fields, "added_tags": added_tags,
                 "decisions": [list(p) for p in decisions], "event_id": event_id}
        conn.execute("UPDATE merges SET before = ? WHERE id = ?", (json.dumps(state, ensure_ascii=False), merge_id))
    return merge_id


def _state(conn, merge_id: int) -> tuple[int, dict, str | None]:
    row = conn.execute("SELECT survivor, before, undone_at FROM merges WHERE id = ?", (merge_id,)).fetchone()
    if row is None:
        raise LibraryError(f"there is no merge {merge_id} in this library")
    state = json.loads(row[1])
    if state.get("version") != 2:  # written by an earlier version: the survivor's fields before, not after
        old = state.get("survivor", {})
        state = {"others": state["others"], "fields": {f: [old[f], _LEGACY] for f in MERGE_FIELDS if f in old},
                 "added_tags": state.get("added_tags", []),
                 "decisions": [[min(row[0], o), max(row[0], o)] for o in state["others"]], "event_id": None}
    return row[0], state, row[2]


def _plan_fields(library: Library, survivor: int, state: dict) -> tuple[dict, list[dict]]:
    """What an unmerge sets on the survivor (the merge's own changes, still in place) and the conflicts."""
    current = _fields(library, survivor)
    plan, conflicts = {}, []
    for field, (before, merged) in state["fields"].items():
        now_value = current[field]
        if now_value == before:
            continue  # already as before the merge
        if merged is not _LEGACY and now_value == merged:
            plan[field] = before  # the merge's change, untouched since: undone
        else:
            conflicts.append({"field": field, "before": before,
                              "merged": None if merged is _LEGACY else merged, "current": now_value})
    return plan, conflicts


def unmerge_conflicts(library: Library, merge_id: int) -> list[dict]:
    """The fields an unmerge of ``merge_id`` would have to ask about (empty: it needs no answer)."""
    survivor, state, undone = _state(library.conn, merge_id)
    return [] if undone else _plan_fields(library, survivor, state)[1]


def unmerge(library: Library, merge_id: int, resolve: str | dict | None = None) -> list[int]:
    """Undo a merge, however long ago and whatever happened since (docs/merging.md); returns the records that
    came back out. Raises UnmergeConflict when the librarian must choose (see ``resolve``)."""
    with library.transaction() as conn:
        survivor, state, undone = _state(conn, merge_id)
        if undone:
            raise LibraryError(f"merge {merge_id} was already undone")
        _refuse_in_trash(conn, _root(conn, survivor), "unmerge this merge")
        plan, conflicts = _plan_fields(library, survivor, state)
        choices = {}
        for c in conflicts:
            choice = resolve.get(c["field"]) if isinstance(resolve, dict) else resolve
            if choice not in ("keep", "restore"):
                raise UnmergeConflict(merge_id, survivor, conflicts)
            choices[c["field"]] = choice
            if choice == "restore":
                plan[c["field"]] = c["before"]
        current = _fields(library, survivor)
        set_fields = {f: [current[f], v] for f, v in plan.items()}
        if plan:
            curation.update_fields(library, survivor, plan, kind="unmerge-edit")
        # Tags the merge gave the survivor go, unless the librarian tagged it so again after the merge.
        removed_tags = []
        for tag in state["added_tags"]:
            if state["event_id"] is not None and _tagged_since(conn, survivor, tag, state["event_id"]):
                continue
            if conn.execute("DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?", (survivor, tag)).rowcount:
                removed_tags.append(tag)
        removed_decisions = [p for p in state["decisions"] if conn.execute(
            "DELETE FROM decisions WHERE a = ? AND b = ? AND decision = 'merged'", p).rowcount]
        root = _root(conn, survivor)
        conn.execute("UPDATE merges SET undone_at = ? WHERE id = ?", (now(), merge_id))
        roots_before: list = []
        _rebuild(conn, [root], roots_before)
        undo = {"fields": set_fields, "removed_tags": removed_tags, "removed_decisions": removed_decisions,
                "conflicts": [{**c, "choice": choices[c["field"]]} for c in conflicts]}
        conn.execute("UPDATE merges SET undone = ? WHERE id = ?", (json.dumps(undo, ensure_ascii=False), merge_id))
        # "inside": the visible record the survivor is in when it was itself merged later (its sources change).
        library.log("unmerge", {"merge_id": merge_id, "survivor": survivor, "restored": state["others"],
                                "inside": root if root != survivor else None, **undo,
                                "roots_before": roots_before}, paper_id=survivor)
    return list(state["others"])


def _refuse_in_trash(conn, root: int, action: str) -> None:
    """Records merged into a trashed record are in the Trash with it (docs/merging.md): unmerging there would
    bring records back into view while their record stays in the Trash, so it is refused with the way out."""
    row = conn.execute("SELECT trashed_at FROM papers WHERE id = ?", (root,)).fetchone()
    if row is not None and row[0] is not None:
        raise LibraryError(f"record {root} is in the Trash with the records merged into it; restore it from the"
                           f" Trash first, then {action}")


def _tagged_since(conn, paper_id: int, tag_id: int, event_id: int) -> bool:
    return conn.execute(
        "SELECT 1 FROM events e, json_each(e.details, '$.papers') j WHERE e.id > ? AND e.kind = 'tag-add'"
        " AND json_extract(e.details, '$.tag_id') = ? AND j.value = ? LIMIT 1", (event_id, tag_id, paper_id)
    ).fetchone() is not None


def reinstate(library: Library, merge_id: int) -> list[int]:
    """Redo a merge that was undone (the undo of an unmerge): it is in force again, and what its unmerge changed
    is changed back where nothing changed it since. Returns the records merged again."""
    with library.transaction() as conn:
        survivor, state, undone_at = _state(conn, merge_id)
        if not undone_at:
            raise LibraryError(f"merge {merge_id} is in force already")
        others = state["others"]
        parents = _parents(conn, [survivor, *others])
        for pid in others:
            if pid in parents:
                raise LibraryError(f"merge {merge_id} cannot be redone: record {pid} has since been merged into"
                                   f" record {parents[pid]}")
        root = _root(conn, survivor)
        _refuse_in_trash(conn, root, "merge into it again")
        if root in others:
            raise LibraryError(f"merge {merge_id} cannot be redone: record {survivor} has since been merged into"
                               f" record {root}")
        row = conn.execute("SELECT undone FROM merges WHERE id = ?", (merge_id,)).fetchone()
        undo = json.loads(row[0]) if row[0] else {"fields": {}, "removed_tags": [], "removed_decisions": []}
        current = _fields(library, survivor)
        back = {f: old for f, (old, new) in undo["fields"].items() if current[f] == new}
        if back:
            curation.update_fields(library, survivor, back, kind="merge-edit")
        conn.executemany("INSERT OR IGNORE INTO paper_tags(paper_id, tag_id) SELECT ?, id FROM tags WHERE id = ?",
                         [(survivor, t) for t in undo["removed_tags"]])
        conn.executemany("INSERT OR IGNORE INTO decisions(a, b, decision, at) VALUES (?, ?, 'merged', ?)",
                         [(a, b, now()) for a, b in undo["removed_decisions"]])
        conn.execute("UPDATE merges SET undone_at = NULL, undone = NULL WHERE id = ?", (merge_id,))
        roots_before: list = []
        _rebuild(conn, [root, *others], roots_before)
        library.log("merge-redone", {"merge_id": merge_id, "survivor": survivor, "merged": others,
                                     "fields": {f: [undo["fields"][f][1], v] for f, v in back.items()},
                                     "roots_before": roots_before}, paper_id=survivor)
    return list(others)


def absorbing_merge(library: Library, paper_id: int) -> dict | None:
    """The merge in force that took ``paper_id`` in (None when it is not merged into anything)."""
    row = library.conn.execute(
        "SELECT m.id, m.survivor, m.merged, m.at FROM merge_members mm JOIN merges m ON m.id = mm.merge_id"
        " WHERE mm.paper_id = ? AND mm.role = 'merged' AND m.undone_at IS NULL ORDER BY m.id DESC LIMIT 1",
        (paper_id,)).fetchone()
    return {"id": row[0], "survivor": row[1], "merged": json.loads(row[2]), "at": row[3]} if row else None


def unmerge_record(library: Library, paper_id: int, resolve: str | dict | None = None) -> dict:
    """Bring record ``paper_id`` back out of whatever absorbed it, by undoing the merge that took it in."""
    if library.conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone() is None:
        raise LibraryError(f"there is no record {paper_id} in the library")
    found = absorbing_merge(library, paper_id)
    if found is None:
        held = merged_children(library, paper_id)
        hint = (f"; records merged into it: {', '.join(map(str, held))} (unmerge one of those)" if held else "")
        raise LibraryError(f"record {paper_id} is not merged into another record{hint}")
    restored = unmerge(library, found["id"], resolve)
    return {"merge_id": found["id"], "survivor": found["survivor"], "restored": restored}


def merges_of(library: Library, paper_id: int, family: bool = True) -> list[dict]:
    """The merges a record took part in (as survivor or merged away), newest first, for its history; with
    ``family``, also those of the records merged into it (any of them can be undone from here)."""
    ids = [paper_id] + (merged_children(library, paper_id) if family else [])
    out: dict[int, dict] = {}
    for chunk in _chunks(ids):
        marks = ",".join("?" * len(chunk))
        for mid, survivor, merged, at, undone in library.conn.execute(
                f"SELECT m.id, m.survivor, m.merged, m.at, m.undone_at FROM merges m WHERE m.id IN"
                f" (SELECT merge_id FROM merge_members WHERE paper_id IN ({marks}))", chunk):
            out[mid] = {"id": mid, "survivor": survivor, "merged": json.loads(merged), "at": at, "undone_at": undone}
    return [out[k] for k in sorted(out, reverse=True)]


def merged_into(library: Library, paper_id: int) -> int | None:
    """The record ``paper_id`` was merged into (None when it is visible). LibraryError if there is no such record."""
    row = library.conn.execute("SELECT merged_into FROM papers WHERE id = ?", (paper_id,)).fetchone()
    if row is None:
        raise LibraryError(f"there is no record {paper_id} in the library")
    return row[0]


def merged_children(library: Library, survivor: int) -> list[int]:
    """The hidden records that end up in ``survivor`` (through any number of merges)."""
    return [r[0] for r in library.conn.execute("SELECT id FROM papers WHERE merged_into = ? ORDER BY id", (survivor,))]


# --- a record's history ------------------------------------------------------------------------------------

_HISTORY_SQL = """
SELECT id, at, kind, paper_id, source_id, details FROM events WHERE paper_id = :p
UNION SELECT e.id, e.at, e.kind, e.paper_id, e.source_id, e.details FROM events e
    WHERE e.kind IN ('merge', 'merge-redone') AND EXISTS (SELECT 1 FROM json_each(e.details, '$.merged') WHERE value = :p)
UNION SELECT e.id, e.at, e.kind, e.paper_id, e.source_id, e.details FROM events e
    WHERE e.kind = 'unmerge' AND EXISTS (SELECT 1 FROM json_each(e.details, '$.restored') WHERE value = :p)
UNION SELECT e.id, e.at, e.kind, e.paper_id, e.source_id, e.details FROM events e
    WHERE e.kind IN ('tag-add', 'tag-remove') AND EXISTS (SELECT 1 FROM json_each(e.details, '$.papers') WHERE value = :p)
UNION SELECT e.id, e.at, e.kind, e.paper_id, e.source_id, e.details FROM events e
    WHERE e.kind = 'not-duplicates' AND EXISTS (SELECT 1 FROM json_each(e.details, '$.records') WHERE value = :p)
UNION SELECT e.id, e.at, e.kind, e.paper_id, e.source_id, e.details FROM events e
    WHERE e.kind = 'not-duplicates-undone' AND EXISTS (SELECT 1 FROM json_each(e.details, '$.pairs') j
        WHERE json_extract(j.value, '$[0]') = :p OR json_extract(j.value, '$[1]') = :p)
UNION SELECT e.id, e.at, e.kind, e.paper_id, e.source_id, e.details FROM events e
    WHERE e.kind = 'import' AND e.source_id IN (SELECT source_id FROM provenance WHERE paper_id = :p)
ORDER BY 1"""


def history(library: Library, paper_id: int) -> list[dict]:
    """A record's story, oldest first: its imports, edits, merges and unmerges, tags and decisions.

    Each entry: id (of the event), at, kind, details (as recorded) and summary (one line for people)."""
    if library.conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone() is None:
        raise LibraryError(f"there is no record {paper_id} in the library")
    tag_names = dict(library.conn.execute("SELECT id, name FROM tags"))
    out = []
    for eid, at, kind, pid, source_id, details in library.conn.execute(_HISTORY_SQL, {"p": paper_id}):
        data = json.loads(details) if details else {}
        out.append({"id": eid, "at": at, "kind": kind, "details": data,
                    "summary": _summary(kind, data, paper_id, tag_names)})
    return out


def _shown_value(value) -> str:
    if isinstance(value, list):
        value = ", ".join(map(str, value))
    text = "(empty)" if value in (None, "") else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _changes(changes: dict) -> str:
    return "; ".join(f"{f}: {_shown_value(old)} -> {_shown_value(new)}" for f, (old, new) in changes.items())


def _summary(kind: str, d: dict, paper_id: int, tag_names: dict) -> str:
    ids = lambda xs: ", ".join(map(str, xs))  # noqa: E731
    if kind == "import":
        return f"imported from {d.get('file')}"
    if kind in ("merge", "merge-redone"):
        verb = "merged" if kind == "merge" else "merged again (redo)"
        text = f"merge {d.get('merge_id')}: records {ids(d.get('merged', []))} {verb} into record {d.get('survivor')}"
        if isinstance(d.get("fields"), dict) and d["fields"]:
            text += f" ({_changes(d['fields'])})"
        return text
    if kind == "unmerge":
        text = f"merge {d.get('merge_id')} undone: records {ids(d.get('restored', []))} back out of record" \
               f" {d.get('survivor')}"
        if d.get("fields"):
            text += f" ({_changes(d['fields'])})"
        if d.get("conflicts"):
            text += "; asked: " + ", ".join(f"{c['field']} ({c['choice']})" for c in d["conflicts"])
        return text
    if kind in ("tag-add", "tag-remove"):
        name = tag_names.get(d.get("tag_id"), f"tag {d.get('tag_id')}")
        return f"{'tagged' if kind == 'tag-add' else 'untagged'} '{name}'"
    if kind == "not-duplicates":
        return f"marked not duplicates of records {ids(r for r in d.get('records', []) if r != paper_id)}"
    if kind == "not-duplicates-undone":
        others = [b if a == paper_id else a for a, b in d.get("pairs", []) if paper_id in (a, b)]
        return f"'not duplicates' with records {ids(others)} undone"
    if isinstance(d.get("changes"), dict):
        return f"{kind}: {_changes(d['changes'])}"
    if kind == "review":
        return f"review resolved: {_shown_value(d.get('chosen', {}).get('title'))}"
    if kind == "citekey":
        return f"citation key: {_shown_value(d.get('from'))} -> {_shown_value(d.get('to'))}"
    return kind


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
