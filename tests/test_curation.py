"""Hand edits, review decisions and tags in the core: validation, events, and exact inverses for undo."""

from __future__ import annotations

import json

import pytest

from paperdesk.core import curation
from paperdesk.core.curation import ValidationError


def row(lib, pid, cols="title, authors, first_author, date, year, category, has_code"):
    return lib.conn.execute(f"SELECT {cols} FROM papers WHERE id = ?", (pid,)).fetchone()


def test_update_fields_writes_logs_and_returns_the_old_values(seeded):
    before = row(seeded, 5)
    old = curation.update_fields(seeded, 5, {"title": "  A   New Title ", "date": "2021-03-04", "category": "cs.cv"})
    assert row(seeded, 5)[0] == "A New Title" and row(seeded, 5)[3:6] == ("2021-03-04", 2021, "CV")
    event = seeded.events("edit")[-1]
    assert event["paper_id"] == 5 and json.loads(event["details"])["changes"]["title"][1] == "A New Title"
    assert seeded.conn.execute("SELECT COUNT(*) FROM papers_fts WHERE papers_fts MATCH 'title:new'").fetchone()[0] == 1
    curation.update_fields(seeded, 5, old, kind="undo")
    assert row(seeded, 5) == before
    assert seeded.events()[-1]["kind"] == "undo"


def test_author_list_edit_keeps_order_and_author_table(seeded):
    old = curation.update_fields(seeded, 7, {"authors": ["Zed Last", " Ann  First "]})
    assert curation.authors_of(seeded, 7) == ["Zed Last", "Ann First"]
    assert row(seeded, 7)[1:3] == ("Zed Last, Ann First", "Zed Last")
    curation.update_fields(seeded, 7, old)
    assert curation.authors_of(seeded, 7) == old["authors"]


@pytest.mark.parametrize("field, value, message", [
    ("title", "   ", "A title cannot be empty."),
    ("date", "2024-02-30", "^'2024-02-30' is not a date: February 2024 has no day 30 \\(its last day is 29\\)\\.$"),
    ("date", "2023-02-29", "February 2023 has no day 29 \\(its last day is 28\\)"),
    ("date", "2024-13-01", "there is no month 13"),
    ("date", "2024-04-00", "April 2024 has no day 0"),
    ("date", "28 May 2024", "write it as YYYY-MM-DD"),
    ("date", "1066-10-14", "not a plausible year"),
    ("category", "XX", "not a known subject class"),
    ("authors", ["Smith, John"], "one author per line"),
])
def test_validation_refuses_and_changes_nothing(seeded, field, value, message):
    before, events = row(seeded, 3), len(seeded.events())
    with pytest.raises(ValidationError, match=message):
        curation.update_fields(seeded, 3, {field: value})
    assert row(seeded, 3) == before and len(seeded.events()) == events


def test_an_edit_that_changes_nothing_writes_nothing(seeded):
    events = len(seeded.events())
    assert curation.update_fields(seeded, 3, {"title": row(seeded, 3)[0]}) == {}
    assert len(seeded.events()) == events


def test_tags_create_add_remove_counts_and_inverses(seeded):
    t = curation.create_tag(seeded, "reading list")
    with pytest.raises(ValidationError):
        curation.create_tag(seeded, "Reading List")
    assert curation.add_tag(seeded, [1, 2, 3, 2], t) == [1, 2, 3]
    assert curation.add_tag(seeded, [3, 4], t) == [4]
    assert next(x for x in curation.tags(seeded) if x["id"] == t)["count"] == 4
    assert curation.remove_tag(seeded, [4, 5], t) == [4]
    assert next(x for x in curation.tags(seeded) if x["id"] == t)["count"] == 3
    assert curation.rename_tag(seeded, t, "to read") == "reading list"
    assert curation.recolor_tag(seeded, t, "#112233") != "#112233"


def test_delete_and_restore_a_tag(seeded):
    t = curation.create_tag(seeded, "gone")
    curation.add_tag(seeded, [10, 11], t)
    saved = curation.delete_tag(seeded, t)
    assert curation.tags(seeded) == []
    curation.restore_tag(seeded, saved)
    assert [(x["name"], x["count"]) for x in curation.tags(seeded)] == [("gone", 2)]


def test_merge_and_unmerge_tags(seeded):
    a, b = curation.create_tag(seeded, "ml"), curation.create_tag(seeded, "machine learning")
    curation.add_tag(seeded, [1, 2], a)
    curation.add_tag(seeded, [2, 3], b)
    saved = curation.merge_tags(seeded, a, b)
    assert [(x["name"], x["count"]) for x in curation.tags(seeded)] == [("machine learning", 3)]
    curation.unmerge_tags(seeded, saved)
    counts = {x["name"]: x["count"] for x in curation.tags(seeded)}
    assert counts == {"ml": 2, "machine learning": 2}


def test_resolve_and_reopen_review(library, write_dump):
    line = "Reasoning Traces with DeepSeekChen Wei, Hao Sun et al."
    library.import_file(write_dump(f"LGMay 28\n{line}\nAn abstract about reasoning.\n", "r.txt"))
    pid = curation.review_queue(library)[0]
    detail = curation.paper_detail(library, pid)
    assert detail["needs_review"] and len(detail["review"]["alternatives"]) == 2
    before = curation.resolve_review(library, pid, "Reasoning Traces with DeepSeek", ["Chen Wei", "Hao Sun"])
    assert curation.review_queue(library) == []
    assert curation.paper_detail(library, pid)["title"] == "Reasoning Traces with DeepSeek"
    curation.reopen_review(library, pid, before)
    assert curation.review_queue(library) == [pid]
    assert curation.paper_detail(library, pid)["title"] == before["title"]


def test_saved_searches(seeded):
    curation.save_search(seeded, "CTR work", "ctr year:2020..2024")
    curation.save_search(seeded, "Audio", "category:SD")
    assert [s["name"] for s in curation.saved_searches(seeded)] == ["CTR work", "Audio"]
    curation.delete_saved_search(seeded, "CTR work")
    assert curation.saved_searches(seeded) == [{"name": "Audio", "query": "category:SD"}]
