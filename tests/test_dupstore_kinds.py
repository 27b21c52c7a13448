"""Every kind of change that can move a pair's score brings the stored duplicates queue (core/dupstore.py) to
exactly what a full scan gives then, scores and reasons included, by scanning again only the records the change
touched: edits of title, authors, date and abstract (and their undo and redo), batch edits and their undo, a
review's reading and its reopening, merges, their undo and redo, a record added by hand and its undo, the Trash
(in, out, emptied), an import taken back out and put back, a re-import of deleted records. Fields the score does
not read (organisation, category, tags) scan nothing."""

from __future__ import annotations

import pytest
from conftest import SEED_CAPTURED

from paperdesk.core import batch, curation, dupstore, hand_entry, merging, trash
from paperdesk.core.library import Library


def shape(groups):
    return sorted((g.confidence, tuple(g.records), round(g.score, 6), tuple(g.reasons)) for g in groups)


@pytest.fixture
def queue(seeded, monkeypatch):
    """(library, a pair in a group of its own, check): ``check(scanned)`` catches up and compares."""
    stored = dupstore.scan_all(seeded)
    pair = next(g.records for g in stored.groups if len(g.records) == 2 and g.score == 100
                and sum(1 for h in stored.groups if set(h.records) & set(g.records)) == 1)
    ran: list[list[int]] = []
    real = merging.scan_new_pairs

    def counted(library, ids, *args, **kwargs):
        ran.append(sorted(ids))
        return real(library, ids, *args, **kwargs)

    monkeypatch.setattr(merging, "scan_new_pairs", counted)

    def check(scanned=None):
        """The stored queue caught up equals a full scan now (and a window opened afterwards reads the same);
        with ``scanned``, exactly these records were scanned again."""
        ran.clear()
        caught = dupstore.catch_up(seeded)
        assert caught is not None and not caught.stale
        assert shape(caught.groups) == shape(merging.scan(seeded))
        if scanned is not None:
            assert ran == ([sorted(scanned)] if scanned else []), ran
        with Library(seeded.path) as again:
            assert shape(dupstore.load(again).groups) == shape(caught.groups)
        return caught

    return seeded, pair, check


def group_of(caught, records):
    return next((g for g in caught.groups if set(records) <= set(g.records)), None)


def test_edits_of_each_scored_field_their_undo_and_redo(queue):
    library, pair, check = queue
    a = pair[0]
    row = library.conn.execute("SELECT title, date, abstract FROM papers WHERE id = ?", (a,)).fetchone()
    title, date, abstract = row
    names = curation.authors_of(library, a)
    before = group_of(check([]), pair)
    steps = [("title", title + " Edited"), ("authors", names[:-1] + ["Zed Newperson"]),
             ("date", f"{int(date[:4]) - 3}{date[4:]}" if date else "2001-01-01"),
             ("abstract", "Something else entirely, about seaweed farms and nothing more.")]
    for name, value in steps:
        old = curation.update_fields(library, a, {name: value})
        after = group_of(check([a]), pair)
        assert after is None or (after.score, after.reasons) != (before.score, before.reasons), name
        curation.update_fields(library, a, old, kind="undo")
        assert group_of(check([a]), pair) == before, name  # back as it was
        curation.update_fields(library, a, {name: value}, kind="redo")
        redone = group_of(check([a]), pair)
        assert (redone and (redone.score, redone.reasons)) == (after and (after.score, after.reasons)), name
        curation.update_fields(library, a, old, kind="undo")
        check([a])
    # fields the score does not read: nothing scanned, the queue as it was
    curation.update_fields(library, a, {"org": "Somewhere Else"})
    curation.update_fields(library, a, {"category": "cs.DL"})
    assert group_of(check([]), pair) == before


def test_a_batch_edit_its_undo_and_redo(queue):
    library, pair, check = queue
    result = batch.apply(library, list(pair[:1]), batch.BatchEdit("set", "title", "One Title For A Batch"))
    assert group_of(check([pair[0]]), pair) is None
    batch.undo(library, result)
    assert group_of(check([pair[0]]), pair) is not None
    batch.redo(library, result)
    assert group_of(check([pair[0]]), pair) is None


def test_a_review_and_its_reopening(queue):
    library, pair, check = queue
    grouped = {x for g in check([]).groups for x in g.records}
    pid = next(i for (i,) in library.conn.execute("SELECT id FROM papers ORDER BY id DESC") if i not in grouped)
    library.conn.execute("UPDATE papers SET needs_review = 1 WHERE id = ?", (pid,))  # as an unsure reading is
    title = library.conn.execute("SELECT title FROM papers WHERE id = ?", (pid,)).fetchone()[0]
    # the librarian's reading copies the pair's first record: the reviewed record joins its group
    other = library.conn.execute("SELECT title FROM papers WHERE id = ?", (pair[0],)).fetchone()[0]
    before = curation.resolve_review(library, pid, other, curation.authors_of(library, pair[0]))
    caught = check([pid])
    assert any({pid, *pair} <= set(g.records) for g in caught.groups)
    curation.reopen_review(library, pid, before)
    caught = check([pid])
    assert library.conn.execute("SELECT title FROM papers WHERE id = ?", (pid,)).fetchone()[0] == title
    assert not any(pid in g.records for g in caught.groups if set(pair) <= set(g.records))


def test_a_merge_its_undo_and_its_redo(queue):
    library, pair, check = queue
    before = group_of(check([]), pair)
    merge_id = merging.merge(library, pair[0], list(pair[1:]))
    assert group_of(check([pair[0]]), pair) is None
    merging.unmerge(library, merge_id)
    assert group_of(check(), pair) == before  # the group back as it was
    merging.reinstate(library, merge_id)
    assert group_of(check(), pair) is None
    assert library.conn.execute("SELECT COUNT(*) FROM events WHERE kind = 'merge-redone'").fetchone()[0] == 1


def test_a_record_added_by_hand_and_its_undo(queue):
    library, pair, check = queue
    title, date, abstract = library.conn.execute("SELECT title, date, abstract FROM papers WHERE id = ?",
                                                 (pair[0],)).fetchone()
    added = hand_entry.add_record(library, {"title": title, "authors": curation.authors_of(library, pair[0]),
                                            "date": date, "abstract": abstract})
    caught = check([added])
    assert any({added, *pair} <= set(g.records) for g in caught.groups)
    hand_entry.remove_added_record(library, added)
    assert not any(added in g.records for g in check([]).groups)


def test_the_trash_in_out_and_emptied(queue):
    library, pair, check = queue
    before = group_of(check([]), pair)
    trash.trash(library, [pair[1]])
    assert group_of(check([]), pair) is None  # its pairs dropped, nothing to score
    trash.restore(library, [pair[1]])
    assert group_of(check([pair[1]]), pair) == before
    trash.trash(library, [pair[1]])
    check([])
    trash.empty_trash(library)
    assert group_of(check([]), pair) is None


def test_an_import_taken_out_put_back_and_its_deleted_records_read_again(queue, duplicating_dump):
    library, pair, check = queue
    path, copied = duplicating_dump(library)
    result = library.import_file(path, SEED_CAPTURED)
    new = merging.new_papers_of(library, [result.source_id])
    with_new = check(new)
    assert any(set(new) & set(g.records) for g in with_new.groups)
    saved = trash.remove_import(library, result.source_id)
    assert not any(set(new) & set(g.records) for g in check([]).groups)
    trash.undo_remove_import(library, saved)
    assert shape(check(new).groups) == shape(with_new.groups)
    # out again, the Trash emptied, the file imported again: its records come back as new ones
    trash.remove_import(library, result.source_id)
    trash.empty_trash(library)
    check([])
    library.import_file(path, SEED_CAPTURED)
    kinds = {k for (k,) in library.conn.execute("SELECT kind FROM events WHERE id > (SELECT MAX(id) - 1 FROM events)")}
    caught = check()
    assert kinds & {"import", "import-readded"}
    assert any(len(set(g.records) & set(copied)) for g in caught.groups if len(g.records) > 1
               and not set(g.records) <= set(copied))


def test_citation_keys_written_at_an_export_leave_the_queue_current(queue):
    """An export writes the citation keys records lack (one "citekeys" event over many records): no title,
    author, date or abstract changes, so nothing is scanned and the queue is not flagged for a full scan."""
    from paperdesk.core.export import keys

    library, pair, check = queue
    before = check([])
    assert keys.ensure_keys(library, None, keys.DEFAULT_PATTERN) > 0
    assert library.conn.execute("SELECT kind FROM events ORDER BY id DESC LIMIT 1").fetchone()[0] == "citekeys"
    assert shape(check([]).groups) == shape(before.groups)  # check: not stale, equal to a full scan
