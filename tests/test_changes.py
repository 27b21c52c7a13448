"""core.changes: each operation reports what it changed, read from its own events; another connection's changes
are told apart by their origin; Changes are plain data."""

from __future__ import annotations

import json

from paperdesk.core import changes, curation, merging
from paperdesk.core.library import Library


def visible(library, n=3):
    return [r[0] for r in library.conn.execute("SELECT id FROM visible_papers ORDER BY id LIMIT ?", (n,))]


def test_edit_reports_record_field_and_old_new_values(seeded):
    pid = visible(seeded)[0]
    old_title = curation.paper_detail(seeded, pid)["title"]
    _, c = changes.run(seeded, curation.update_fields, pid, {"title": "A new title"})
    assert c.records == {pid} and c.fields == {"title"} and not c.membership
    event = c.events[0]
    assert event["kind"] == "edit" and event["paper_id"] == pid
    assert event["details"]["changes"]["title"] == [old_title, "A new title"]
    json.dumps(c.as_dict())  # describable as data


def test_merge_and_unmerge_report_membership_and_counts(seeded):
    a, b, c3 = visible(seeded)
    merge_id, c = changes.run(seeded, merging.merge, a, [b, c3])
    assert c.removed == {b, c3} and a in c.records and c.sources and c.duplicates and c.tags
    _, c = changes.run(seeded, merging.unmerge, merge_id)
    assert c.added == {b, c3} and c.sources


def test_tag_operations_name_their_records_and_tag(seeded):
    ids = visible(seeded)
    tag, c = changes.run(seeded, curation.create_tag, "reading")
    assert c.tags == {tag} and not c.records
    _, c = changes.run(seeded, curation.add_tag, ids, tag)
    assert c.records == set(ids) and c.tags == {tag} and "tags" in c.fields
    saved, c = changes.run(seeded, curation.delete_tag, tag)
    assert c.records == set(ids)
    _, c = changes.run(seeded, curation.restore_tag, saved)
    assert c.records == set(ids)


def test_a_failed_operation_reports_nothing(seeded):
    pid = visible(seeded)[0]
    with changes.collect(seeded) as box:
        try:
            curation.update_fields(seeded, pid, {"title": ""})
        except curation.ValidationError:
            pass
    assert not box.changes


def test_changes_merge_with_or_and_nothing_is_false():
    a = changes.Changes(records=frozenset({1}), fields=frozenset({"title"}))
    b = changes.Changes(removed=frozenset({2}), sources=True)
    both = a | b
    assert both.records == {1} and both.removed == {2} and both.sources and both.membership
    assert not changes.NOTHING and both


def test_another_connection_is_told_apart_by_origin(seeded):
    start = changes.last_event_id(seeded)
    other = Library(seeded.path)
    try:
        pid = visible(other)[0]
        curation.update_fields(other, pid, {"title": "Changed elsewhere"})
        curation.update_fields(seeded, pid, {"title": "Changed here"})
        theirs = changes.since(seeded, start, exclude_origin=seeded.origin)
        mine = changes.since(seeded, start, only_origin=seeded.origin)
    finally:
        other.close()
    assert [e["details"]["changes"]["title"][1] for e in theirs.events] == ["Changed elsewhere"]
    assert [e["details"]["changes"]["title"][1] for e in mine.events] == ["Changed here"]


def test_an_unknown_event_kind_refreshes_everything():
    c = changes.from_event("something-new", {})
    assert c.everything and c.membership
