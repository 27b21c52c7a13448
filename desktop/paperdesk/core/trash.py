"""The Trash, and taking an import back out. Qt-free; the GUI and the CLI call these same functions.

Deleting a record moves it to the Trash (``papers.trashed_at``): it leaves every view, count, search, export,
duplicate scan and author figure — they all read the visible records through one rule (``schema.VISIBLE``) —
and comes back, as it was, with ``restore``. Records a trashed record absorbed in merges stay inside it and
travel with it. ``empty_trash`` is the only real deletion.

``remove_import`` takes out what one imported file brought: records that came only from that file go to the
Trash; records also seen in other files stay and lose only this file's provenance. Both are one step with an
exact inverse (``undo_remove_import``), and ``import_impact`` gives the numbers before anything runs.
"""

from __future__ import annotations

import json

from .library import Library, LibraryError, now
from .progress import Cancel, Progress, checkpoint, chunks
from .schema import IN_TRASH, VISIBLE

def absorbed_by(library: Library, ids: list[int]) -> dict[int, int]:
    """For each of ``ids`` that absorbed records in merges: how many travel with it."""
    out: dict[int, int] = {}
    for chunk in chunks(list(ids)):
        out.update(library.conn.execute(
            "SELECT merged_into, COUNT(*) FROM papers WHERE merged_into IN (SELECT value FROM json_each(?))"
            " GROUP BY merged_into", (json.dumps(chunk),)))
    return out


def _found(conn, chunk: list[int], condition: str) -> list[int]:
    """The ids of ``chunk`` (bound as one JSON array, not one variable each) whose row meets ``condition``."""
    return [r[0] for r in conn.execute(
        f"SELECT id FROM papers WHERE id IN (SELECT value FROM json_each(?)) AND {condition}", (json.dumps(chunk),))]


def _stamp_trashed(conn, ids: list[int], stamp: str | None) -> None:
    conn.execute("UPDATE papers SET trashed_at = ? WHERE id IN (SELECT value FROM json_each(?))",
                 (stamp, json.dumps(ids)))


def trash(library: Library, ids: list[int], *, progress: Progress = None, cancelled: Cancel = None) -> list[int]:
    """Move visible records to the Trash; returns the ids it moved (those not visible are left as they are).

    One transaction, worked through in chunks: ``progress(done, total)`` after each, ``cancelled()`` before
    each (then ``Cancelled`` is raised and nothing has changed)."""
    return trash_counted(library, ids, progress=progress, cancelled=cancelled)[0]


def trash_counted(library: Library, ids: list[int], *, progress: Progress = None,
                  cancelled: Cancel = None) -> tuple[list[int], int]:
    """``trash``, also returning how many records merged into the moved ones travel with them."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    moved: list[int] = []
    absorbed = 0
    with library.transaction() as conn:
        stamp = now()
        done = 0
        for chunk in chunks(ids):
            checkpoint(cancelled, progress, done, len(ids), "moving records to the Trash")
            found = _found(conn, chunk, VISIBLE)
            if found:
                _stamp_trashed(conn, found, stamp)
            moved += found
            done += len(chunk)
        checkpoint(cancelled, progress, done, len(ids), "moving records to the Trash")
        if moved:
            absorbed = sum(absorbed_by(library, moved).values())
            library.log("trash", {"papers": moved, "absorbed": absorbed})
    return moved, absorbed


def restore(library: Library, ids: list[int], *, progress: Progress = None, cancelled: Cancel = None) -> list[int]:
    """Bring records back from the Trash; returns the ids it brought back (chunks, progress and cancel as
    ``trash``)."""
    ids = list(dict.fromkeys(int(i) for i in ids))
    back: list[int] = []
    with library.transaction() as conn:
        done = 0
        for chunk in chunks(ids):
            checkpoint(cancelled, progress, done, len(ids), "restoring records from the Trash")
            found = _found(conn, chunk, "trashed_at IS NOT NULL")
            if found:
                _stamp_trashed(conn, found, None)
            back += found
            done += len(chunk)
        checkpoint(cancelled, progress, done, len(ids), "restoring records from the Trash")
        if back:
            library.log("untrash", {"papers": back})
    return back


def count_trashed(library: Library) -> int:
    return library.conn.execute(
        f"SELECT COUNT(*) FROM papers WHERE {IN_TRASH}").fetchone()[0]


def trashed_ids(library: Library) -> list[int]:
    return [r[0] for r in library.conn.execute(
        f"SELECT id FROM papers WHERE {IN_TRASH} ORDER BY trashed_at DESC, id")]


def empty_trash(library: Library, *, progress: Progress = None, cancelled: Cancel = None) -> int:
    """Delete for good every record in the Trash and the records merged into them; returns how many went.
    One transaction in chunks; ``cancelled()`` before each chunk rolls all of it back."""
    what = "emptying the Trash"
    with library.transaction() as conn:
        roots = [r[0] for r in conn.execute("SELECT id FROM papers WHERE trashed_at IS NOT NULL")]
        family = list(roots)
        for chunk in chunks(roots):
            checkpoint(cancelled, None, 0, 0, what)
            family += [r[0] for r in conn.execute(
                "SELECT id FROM papers WHERE merged_into IN (SELECT value FROM json_each(?))", (json.dumps(chunk),))]
        family = list(dict.fromkeys(family))
        authors: set[int] = set()
        done = 0
        for chunk in chunks(family):
            checkpoint(cancelled, progress, done, len(family), what)
            these = "(SELECT value FROM json_each(?))"
            bound = (json.dumps(chunk),)
            # Their authors, read before the rows go: the author figures recount them from this event.
            authors.update(r[0] for r in conn.execute(
                f"SELECT DISTINCT author_id FROM paper_authors WHERE paper_id IN {these}", bound))
            for table, column in (("paper_tags", "paper_id"), ("paper_authors", "paper_id"),
                                  ("provenance", "paper_id"), ("merge_members", "paper_id"),
                                  ("decisions", "a"), ("decisions", "b")):
                conn.execute(f"DELETE FROM {table} WHERE {column} IN {these}", bound)
            conn.execute(f"DELETE FROM merges WHERE survivor IN {these}", bound)
            conn.execute(f"DELETE FROM papers WHERE id IN {these}", bound)  # the FTS follows by trigger
            done += len(chunk)
        checkpoint(cancelled, progress, done, len(family), what)
        if family:
            library.log("trash-emptied", {"papers": family, "authors": sorted(authors)})
    return len(family)


# --- removing an import -------------------------------------------------------------------------------------


def _source_row(conn, source_id: int):
    row = conn.execute("SELECT id, file_name, removed_at FROM sources WHERE id = ?", (source_id,)).fetchone()
    if row is None:
        raise LibraryError(f"there is no import {source_id} in this library")
    return row


def import_size(library: Library, source_id: int) -> int:
    """How many provenance rows an import holds (one indexed count): how long ``import_impact`` will take."""
    return library.conn.execute("SELECT COUNT(*) FROM provenance WHERE source_id = ?", (source_id,)).fetchone()[0]


def import_impact(library: Library, source_id: int, *, progress: Progress = None, cancelled: Cancel = None) -> dict:
    """What ``remove_import`` would do: records only from this file (to the Trash), records also elsewhere."""
    conn = library.conn
    row = _source_row(conn, source_id)
    only, shared = _split_by_other_sources(conn, source_id, progress=progress, cancelled=cancelled)
    return {"file": row[1], "only_here": len(only), "also_elsewhere": len(shared), "removed": bool(row[2])}


# The records of a JSON array of roots (bound as ?1): the roots and the records merged into them.
_FAMILY = "SELECT value FROM json_each(?1) UNION ALL SELECT id FROM papers WHERE merged_into IN (SELECT value FROM json_each(?1))"


def _split_by_other_sources(conn, source_id: int, *, progress: Progress = None,
                            cancelled: Cancel = None) -> tuple[list[int], list[int]]:
    """The visible-or-trashed records this source gave provenance to (their family root), split by whether any
    other source (of the same root) vouches for them too."""
    roots = [r[0] for r in conn.execute(
        "SELECT DISTINCT COALESCE(p.merged_into, p.id) FROM provenance pv JOIN papers p ON p.id = pv.paper_id"
        " WHERE pv.source_id = ?", (source_id,))]
    only, shared = [], []
    done = 0
    for chunk in chunks(roots):
        checkpoint(cancelled, progress, done, len(roots), "removing the import")
        # The roots and the records merged into them, found by primary key and by idx_papers_merged_into (a
        # COALESCE(...) IN (...) would scan every provenance row once per chunk), then their provenance by record.
        elsewhere = {r[0] for r in conn.execute(
            f"SELECT DISTINCT COALESCE(p.merged_into, p.id) FROM papers p JOIN provenance pv ON pv.paper_id = p.id"
            f" JOIN sources s ON s.id = pv.source_id WHERE p.id IN ({_FAMILY}) AND pv.source_id != ?2"
            f" AND s.removed_at IS NULL", (json.dumps(chunk), source_id))}
        for root in chunk:
            (shared if root in elsewhere else only).append(root)
        done += len(chunk)
    return only, shared


def remove_import(library: Library, source_id: int, *, progress: Progress = None,
                  cancelled: Cancel = None) -> dict:
    """Take one imported file back out, as one step (one transaction, in chunks; ``cancelled()`` rolls it all
    back); returns what ``undo_remove_import`` needs."""
    what = "removing the import"
    with library.transaction() as conn:
        row = _source_row(conn, source_id)
        if row[2]:
            raise LibraryError(f"{row[1]}: this import was already removed")
        # The first half of the progress bar is reading who vouches for what, the second half the Trash.
        half = (lambda done, total: progress(done, 2 * total)) if progress is not None else None
        only, shared = _split_by_other_sources(conn, source_id, progress=half, cancelled=cancelled)
        stamp = now()
        trashed = []  # records already in the Trash stay there, and an undo leaves them there
        done = 0
        for chunk in chunks(only):
            checkpoint(cancelled, progress, len(only) + done, 2 * len(only), what)
            found = _found(conn, chunk, "trashed_at IS NULL")  # no UPDATE ... RETURNING: SQLite may be < 3.35
            if found:
                _stamp_trashed(conn, found, stamp)
            trashed += found
            done += len(chunk)
        checkpoint(cancelled, None, 0, 0, what)
        trashed.sort()
        # The file's provenance of records that stay moves aside (not deleted), so undo and a later import of the
        # same file bring it back exactly.
        moved = conn.execute(
            f"INSERT INTO removed_provenance SELECT * FROM provenance WHERE source_id = ?2 AND paper_id IN ({_FAMILY})",
            (json.dumps(shared), source_id)).rowcount
        conn.execute("DELETE FROM provenance WHERE id IN (SELECT id FROM removed_provenance WHERE source_id = ?)",
                     (source_id,))
        _recount_sources(conn, shared)
        conn.execute("UPDATE sources SET removed_at = ? WHERE id = ?", (stamp, source_id))
        saved = {"source_id": source_id, "file": row[1], "trashed": trashed, "shared": shared}
        library.log("import-removed", {**saved, "provenance_moved": moved}, source_id=source_id)
        checkpoint(cancelled, progress, 1, 1, what)
    return saved


def undo_remove_import(library: Library, saved: dict, *, progress: Progress = None,
                       cancelled: Cancel = None) -> None:
    """Put a removed import back: its records out of the Trash, its provenance back where it was (one
    transaction, in chunks; ``cancelled()`` rolls it back)."""
    what = "putting the import back"
    with library.transaction() as conn:
        done, total = 0, len(saved["trashed"])
        for chunk in chunks(saved["trashed"]):
            checkpoint(cancelled, progress, done, total, what)
            _stamp_trashed(conn, chunk, None)
            done += len(chunk)
        checkpoint(cancelled, progress, done, total, what)
        conn.execute("INSERT INTO provenance SELECT * FROM removed_provenance WHERE source_id = ?",
                     (saved["source_id"],))
        conn.execute("DELETE FROM removed_provenance WHERE source_id = ?", (saved["source_id"],))
        _recount_sources(conn, saved["shared"])
        conn.execute("UPDATE sources SET removed_at = NULL WHERE id = ?", (saved["source_id"],))
        library.log("import-restored", saved, source_id=saved["source_id"])


def last_removal(library: Library, source_id: int) -> dict | None:
    """What the latest ``remove_import`` of this source saved (from its event), to bring it back on re-import."""
    row = library.conn.execute(
        "SELECT details FROM events WHERE kind = 'import-removed' AND source_id = ? ORDER BY id DESC LIMIT 1",
        (source_id,)).fetchone()
    if not row:
        return None
    details = json.loads(row[0])
    return {k: details[k] for k in ("source_id", "file", "trashed", "shared")}


def _recount_sources(conn, roots: list[int]) -> None:
    conn.executemany(
        "UPDATE papers SET sources_count = (SELECT COUNT(*) FROM provenance WHERE paper_id IN"
        " (SELECT ?1 UNION ALL SELECT id FROM papers WHERE merged_into = ?1)) WHERE id = ?1", [(r,) for r in roots])
