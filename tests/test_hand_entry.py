"""Records entered by hand: validated, with provenance of their own, searchable, undone and redone exactly."""

from __future__ import annotations

import json

import pytest

from paperdesk.core import curation, hand_entry
from paperdesk.core.library import LibraryError
from paperdesk.core.query import RecordFilter, ordered_ids

FIELDS = {"title": "Zebrafish Sightings in Hand-Entered Records", "authors": ["Ana Lee", "Sean O'Brien"],
          "authors_truncated": True, "category": "cs.IR", "date": "2024-05-28", "has_code": True,
          "abstract": "We count zebrafish. Code: https://github.com/example/zebra."}


def _fts_hits(library, word):
    return library.conn.execute("SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?", (word,)).fetchall()


def test_a_hand_entered_record_is_a_record_like_any_other(seeded):
    pid = hand_entry.add_record(seeded, FIELDS)
    detail = curation.paper_detail(seeded, pid)
    assert detail["title"] == FIELDS["title"]
    assert detail["authors"] == FIELDS["authors"] and detail["authors_truncated"]
    assert (detail["category"], detail["date"], detail["year"], detail["has_code"]) == ("IR", "2024-05-28", 2024, True)
    assert detail["code_urls"] == ["https://github.com/example/zebra"]
    (provenance,) = detail["provenance"]
    assert provenance["file"] == hand_entry.HAND_SOURCE_NAME
    assert "Ana Lee, Sean O'Brien et al." in provenance["raw"]
    assert _fts_hits(seeded, "zebrafish") == [(pid,)]  # indexed exactly once
    assert pid in ordered_ids(seeded.conn, RecordFilter(search='author:"Sean O\'Brien"'))
    (event,) = seeded.events("add")
    details = json.loads(event["details"])
    assert event["paper_id"] == pid and details["who"] and details["fields"]["title"] == FIELDS["title"]
    assert seeded.count_papers() == 155


def test_a_second_hand_record_shares_the_hand_source(seeded):
    first = hand_entry.add_record(seeded, FIELDS)
    second = hand_entry.add_record(seeded, {"title": "Only a Title"})
    sources = {p["file"] for i in (first, second) for p in curation.paper_detail(seeded, i)["provenance"]}
    assert sources == {hand_entry.HAND_SOURCE_NAME}
    hand = [s for s in curation.sources_overview(seeded) if s["file"] == hand_entry.HAND_SOURCE_NAME]
    assert len(hand) == 1 and hand[0]["records"] == 2


@pytest.mark.parametrize("bad, sentence", [
    ({"title": "  "}, "A title cannot be empty."),
    ({"title": "T", "date": "2024-02-30"}, "is not a date"),
    ({"title": "T", "category": "ZZ"}, "not a known subject class"),
    ({"title": "T", "authors": ["Lee, Ana"]}, "one author per line"),
])
def test_invalid_input_is_refused_with_the_reason_and_adds_nothing(seeded, bad, sentence):
    with pytest.raises(curation.ValidationError, match=sentence):
        hand_entry.add_record(seeded, bad)
    assert seeded.count_papers() == 154
    assert seeded.events("add") == []


def test_undo_removes_it_and_redo_brings_it_back_under_the_same_id(seeded):
    pid = hand_entry.add_record(seeded, FIELDS)
    fields = hand_entry.remove_added_record(seeded, pid)
    assert curation.paper_detail(seeded, pid) is None
    assert _fts_hits(seeded, "zebrafish") == []
    assert seeded.count_papers() == 154
    again = hand_entry.add_record(seeded, fields, paper_id=pid)
    assert again == pid
    assert curation.paper_detail(seeded, pid)["authors"] == FIELDS["authors"]
    assert _fts_hits(seeded, "zebrafish") == [(pid,)]


def test_only_hand_records_can_be_removed_this_way(seeded):
    with pytest.raises(LibraryError, match="not entered by hand"):
        hand_entry.remove_added_record(seeded, 1)
    assert curation.paper_detail(seeded, 1) is not None


def test_a_hand_record_that_took_part_in_a_merge_is_not_deleted_by_undo(seeded):
    """Undoing 'New record' deletes the record: refused (with the way out) once it took part in a merge, in force
    or undone, because the merge's history names it and a redo of that merge would need it."""
    from paperdesk.core import merging

    other = sorted(ordered_ids(seeded.conn, RecordFilter(sort="id")))[0]
    absorbed = hand_entry.add_record(seeded, FIELDS)
    merge_id = merging.merge(seeded, other, [absorbed])  # merged into another record: in force
    with pytest.raises(LibraryError, match=f"record {absorbed} took part in a merge"):
        hand_entry.remove_added_record(seeded, absorbed)
    merging.unmerge(seeded, merge_id)  # undone: its history still names the record
    with pytest.raises(LibraryError, match="took part in a merge.*Trash"):
        hand_entry.remove_added_record(seeded, absorbed)
    assert curation.paper_detail(seeded, absorbed) is not None
    assert merging.reinstate(seeded, merge_id) == [absorbed]  # the redo still finds it

    survivor = hand_entry.add_record(seeded, {**FIELDS, "title": "A Hand Record That Absorbed Another"})
    second = sorted(ordered_ids(seeded.conn, RecordFilter(sort="id")))[1]
    merge_two = merging.merge(seeded, survivor, [second])
    merging.unmerge(seeded, merge_two)
    with pytest.raises(LibraryError, match=f"record {survivor} took part in a merge"):
        hand_entry.remove_added_record(seeded, survivor)


def test_a_record_entered_by_hand_into_an_empty_library_is_added_and_found(library):
    """The first record of a new library, entered by hand: added (it failed with 'malformed'), and the
    full-text index finds it by its title and its authors."""
    from paperdesk.core import hand_entry as he

    pid = he.add_record(library, {"title": "Zebrafish Curation By Hand", "authors": ["Ana Lee", "Binzong Geng"],
                                  "authors_truncated": False, "org": "", "category": "cs.IR", "date": "",
                                  "has_code": False, "abstract": ""})
    assert library.conn.execute("SELECT rowid FROM papers_fts WHERE papers_fts MATCH 'zebrafish'").fetchall() == [(pid,)]
    assert library.conn.execute("SELECT rowid FROM papers_fts WHERE papers_fts MATCH 'binzong'").fetchall() == [(pid,)]
    assert library.conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
