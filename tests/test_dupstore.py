"""The duplicates queue kept in the library (core/dupstore.py): the same groups after a restart, and after each
change (import, merge, unmerge, edit, "not duplicates" and its undo, the Trash) the groups a full scan gives then,
caught up from the change log by scanning only the records the changes touched."""

from __future__ import annotations

from conftest import SEED_CAPTURED

from paperdesk.core import authors, curation, dupstore, merging, trash
from paperdesk.core.library import Library


def shape(groups):
    return sorted((g.confidence, tuple(g.records), round(g.score, 6), tuple(g.reasons)) for g in groups)


def counted(monkeypatch):
    """The records each scan of records on their own was given (and the full scans)."""
    ran = {"full": 0, "new": []}
    full, new = merging.scan_pairs, merging.scan_new_pairs

    def counted_full(*args, **kwargs):
        ran["full"] += 1
        return full(*args, **kwargs)

    def counted_new(library, ids, *args, **kwargs):
        ran["new"].append(sorted(ids))
        return new(library, ids, *args, **kwargs)

    monkeypatch.setattr(merging, "scan_pairs", counted_full)
    monkeypatch.setattr(merging, "scan_new_pairs", counted_new)
    return ran


def test_nothing_stored_means_a_full_scan_is_due(seeded):
    assert dupstore.load(seeded) is None
    assert dupstore.catch_up(seeded) is None


def test_the_queue_survives_a_restart_and_follows_every_kind_of_change(seeded, duplicating_dump, monkeypatch):
    stored = dupstore.scan_all(seeded)
    full = merging.scan(seeded)
    assert len(full) >= 5 and shape(stored.groups) == shape(full)
    assert stored.whole and not stored.stale and not stored.fresh
    # a restart: another connection reads the same groups, without scanning
    ran = counted(monkeypatch)
    with Library(seeded.path) as again:
        assert shape(dupstore.catch_up(again).groups) == shape(full)
    assert ran == {"full": 0, "new": []}

    def check(expect_scanned=None):
        """The stored queue brought up to date equals a full scan now; only the touched records were scanned."""
        ran["new"].clear()
        caught = dupstore.catch_up(seeded)
        if expect_scanned is not None:
            assert ran["new"] == ([sorted(expect_scanned)] if expect_scanned else []), ran
        assert not caught.stale
        assert shape(caught.groups) == shape(merging.scan(seeded))
        with Library(seeded.path) as again:  # and so does a window opened afterwards
            assert shape(dupstore.load(again).groups) == shape(caught.groups)
        return caught

    # an import: its new records scanned against the library, marked fresh
    path, copied = duplicating_dump(seeded)
    result = seeded.import_file(path, SEED_CAPTURED)
    new = merging.new_papers_of(seeded, [result.source_id])
    caught = check(new)
    assert caught.fresh == set(new)
    # a merge: the merged-away record's pairs go, the survivor is scored again
    group = next(g for g in caught.groups if set(new) & set(g.records))
    survivor, others = group.records[0], group.records[1:]
    merge_id = merging.merge(seeded, survivor, others)
    caught = check([survivor])
    assert not any(set(others) & set(g.records) for g in caught.groups)
    # its undo brings them back
    merging.unmerge(seeded, merge_id)
    caught = check()
    assert any(set(group.records) <= set(g.records) for g in caught.groups)
    # an edit of a title: the record no longer pairs with its copy
    assert any({copied[1], new[1]} <= set(g.records) for g in caught.groups)
    curation.update_fields(seeded, copied[1], {"title": "Nothing Like Any Other Title In This Library"})
    caught = check([copied[1]])
    assert not any({copied[1], new[1]} <= set(g.records) for g in caught.groups)
    # a tag is not a reason to scan
    tag = curation.create_tag(seeded, "later")
    curation.add_tag(seeded, [copied[2]], tag)
    check([])
    # "not duplicates" shows at once, its undo scores the pair again
    alone = [g.records for g in caught.groups if len(g.records) == 2
             and sum(1 for h in caught.groups if set(h.records) & set(g.records)) == 1]
    pair = alone[0]
    decided = merging.mark_distinct(seeded, pair)
    assert not any(set(pair) <= set(g.records) for g in dupstore.load(seeded).groups)
    check([])
    merging.forget_distinct(seeded, decided)
    caught = check(pair)
    assert any(set(pair) <= set(g.records) for g in caught.groups)
    # the Trash
    binned = trash.trash(seeded, [pair[0]])
    assert binned == [pair[0]]
    caught = check([])  # its pairs dropped, nothing to score
    assert not any(pair[0] in g.records for g in caught.groups)
    # an author-name merge: the records it rewrote are scored again (not a stale queue)
    member = caught.groups[0].records[0]
    name = curation.authors_of(seeded, member)[0]
    keep = next(n for (pid,) in seeded.conn.execute("SELECT id FROM papers ORDER BY id DESC")
                for n in curation.authors_of(seeded, pid)[:1] if n != name)
    authors.merge_names(seeded, keep, [name])
    assert curation.authors_of(seeded, member)[0] == keep
    check()


def test_changes_the_log_does_not_detail_leave_the_groups_flagged_stale(seeded):
    dupstore.scan_all(seeded)
    seeded.log("some-future-kind", {})
    caught = dupstore.catch_up(seeded)
    assert caught.stale and caught.groups  # shown, but flagged: a full scan is due
    assert dupstore.catch_up(seeded).stale  # until one runs
    assert not dupstore.scan_all(seeded).stale


def test_new_records_scanned_before_any_full_scan_are_stored_as_such(seeded, duplicating_dump):
    path, copied = duplicating_dump(seeded)
    new = merging.new_papers_of(seeded, [seeded.import_file(path, SEED_CAPTURED).source_id])
    stored = dupstore.catch_up(seeded, ids=new)
    assert not stored.whole and stored.fresh == set(new)
    assert shape(stored.groups) == shape(merging.scan_new(seeded, new))
    with Library(seeded.path) as again:
        assert shape(dupstore.load(again).groups) == shape(stored.groups)


def test_a_catch_up_from_the_queue_shown_reads_only_the_groups_the_change_reaches(seeded, duplicating_dump,
                                                                                  monkeypatch):
    """With the event of the queue the page shows (``known``), a catch-up returns only the groups linked to the
    records touched (``changed``); put into the queue shown (``dupstore.apply``) they give, after every kind of
    change, the queue a full read and a full scan give."""
    queue = dupstore.scan_all(seeded)
    shown = list(queue.groups)
    event = queue.event
    regrouped = []
    original = dupstore._group
    monkeypatch.setattr(dupstore, "_group", lambda pairs, preset: regrouped.append(len(pairs)) or
                        original(pairs, preset))

    def step():
        nonlocal shown, event
        regrouped.clear()
        delta = dupstore.catch_up(seeded, known=event)
        assert delta.changed is not None and not delta.stale
        total = seeded.conn.execute("SELECT COUNT(*) FROM dup_pairs").fetchone()[0]
        assert sum(regrouped) < total  # the pairs linked to the change, not the queue's
        shown, event = dupstore.apply(shown, delta), delta.event
        assert shape(shown) == shape(dupstore.load(seeded).groups) == shape(merging.scan(seeded))
        assert [dupstore.order_key(g) for g in shown] == sorted(dupstore.order_key(g) for g in shown)
        return delta

    path, copied = duplicating_dump(seeded)
    seeded.import_file(path, SEED_CAPTURED)
    step()
    group = next(g for g in shown if len(g.records) == 2)
    merge_id = merging.merge(seeded, group.records[0], group.records[1:])
    delta = step()
    assert set(group.records) <= delta.changed
    merging.unmerge(seeded, merge_id)
    step()
    curation.update_fields(seeded, copied[1], {"title": "Nothing Like Any Other Title In This Library"})
    step()
    pair = next(g.records for g in shown if len(g.records) == 2)
    decided = merging.mark_distinct(seeded, pair)
    step()
    merging.forget_distinct(seeded, decided)
    step()
    trash.trash(seeded, [pair[0]])
    step()
    # another window caught the stored pairs up meanwhile: the queue shown is not theirs, the whole queue comes
    curation.update_fields(seeded, copied[2], {"title": "Another Title Nobody Else Has Written Down"})
    with Library(seeded.path) as other:
        dupstore.catch_up(other)
    whole = dupstore.catch_up(seeded, known=event)
    assert whole.changed is None and shape(whole.groups) == shape(merging.scan(seeded))


def test_the_first_screen_is_the_queue_s_first_groups(seeded, duplicating_dump):
    path, _ = duplicating_dump(seeded)
    seeded.import_file(path, SEED_CAPTURED)
    dupstore.scan_all(seeded)
    whole = dupstore.load(seeded).groups
    assert len(whole) >= 5
    for wanted in range(1, len(whole) + 2):
        first = dupstore.load_first(seeded, wanted)
        assert len(first.groups) >= min(wanted, len(whole))
        assert shape(first.groups) == shape(whole[:len(first.groups)])
        assert [g.records for g in first.groups] == [g.records for g in whole[:len(first.groups)]]
