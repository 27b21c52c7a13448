"""The duplicate scan's stored sort keys (core/dupkeys.py): caught up from the change log after imports, merges,
unmerges, edits and the Trash, equal row for row to a rebuild; the scan through them (dupscan.find_new_pairs)
scores exactly the pairs a full scan scores for the new records."""

from __future__ import annotations

import datetime as dt

import pytest
from generate import generate

from paperdesk.core import authors, curation, dupkeys, dupscan, merging, trash
from paperdesk.core.duplicates import PRESETS
from paperdesk.core.library import Library

CAPTURED = dt.date(2026, 6, 5)


def stored(library):
    return library.conn.execute("SELECT id, person, compact, backwards FROM dup_keys ORDER BY id").fetchall()


def rebuilt(library):
    keys = stored(library)
    assert dupkeys.rebuild(library, workers=1)
    fresh = stored(library)
    return keys, fresh


@pytest.fixture
def split_library(tmp_path):
    """1,500 generated records in six files; the last two files not yet imported."""
    result = generate(tmp_path / "dumps", 1500, seed=9, records_per_file=250, sibling_share=0.04)
    files = sorted(result.files)
    library = Library(tmp_path / "library.sqlite")
    library.import_files(files[:-2], CAPTURED)
    yield library, files[-2:]
    library.close()


def test_keys_follow_imports_merges_unmerges_edits_and_the_trash_without_a_rebuild(split_library, monkeypatch):
    library, later = split_library
    assert dupkeys.current(library, workers=1)  # the first look builds the table
    visible = library.conn.execute("SELECT COUNT(*) FROM papers WHERE merged_into IS NULL").fetchone()[0]
    assert len(stored(library)) <= visible and len(stored(library)) > 900

    def no_rebuild(*a, **k):
        raise AssertionError("caught up by rebuilding")

    results = library.import_files(later, CAPTURED)
    new = merging.new_papers_of(library, [r.source_id for r in results])
    assert len(new) > 300
    groups = merging.scan(library)
    group = next(g for g in groups if g.confidence == "certain" and set(g.records) & set(new))
    merge_id = merging.merge(library, group.records[0], group.records[1:])
    edited = new[5]
    curation.update_fields(library, edited, {"title": "An Entirely Different Title-With Hyphens"})
    curation.update_fields(library, new[6], {"authors": ["Zed Quill", "Ann Other"]})
    binned = trash.trash(library, [new[7], new[8]])
    with monkeypatch.context() as m:
        m.setattr(dupkeys, "rebuild", no_rebuild)
        assert dupkeys.current(library, workers=1)
        keys = stored(library)
    ids = {r[0] for r in keys}
    assert set(new) - set(group.records[1:]) - set(binned) <= ids
    assert not ids & (set(group.records[1:]) | set(binned))
    row = next(r for r in keys if r[0] == edited)
    assert row[2] == "anentirelydifferenttitlewithhyphens" and row[3] == row[2][::-1]
    assert next(r for r in keys if r[0] == new[6])[1] == "quill z"
    before, fresh = rebuilt(library)
    assert before == fresh
    # an author-name merge rewrites the first author of the records it moves: caught up from the merge's list
    first = keys[0][0]
    name = curation.authors_of(library, first)[0]
    authors.merge_names(library, "Zed Quill", [name])
    with monkeypatch.context() as m:
        m.setattr(dupkeys, "rebuild", no_rebuild)
        assert dupkeys.current(library, workers=1)
    assert next(r for r in stored(library) if r[0] == first)[1] == "quill z"
    before, fresh = rebuilt(library)
    assert before == fresh
    # and back: the unmerge brings the merged-away records' keys back
    merging.unmerge(library, merge_id)
    with monkeypatch.context() as m:
        m.setattr(dupkeys, "rebuild", no_rebuild)
        assert dupkeys.current(library, workers=1)
    assert set(group.records) <= {r[0] for r in stored(library)}
    before, fresh = rebuilt(library)
    assert before == fresh


def test_an_event_the_keys_cannot_read_rebuilds_them(split_library, monkeypatch):
    library, later = split_library
    assert dupkeys.current(library, workers=1)
    library.log("some-future-kind", {})  # an event kind this version does not know
    calls = []
    real = dupkeys.rebuild
    monkeypatch.setattr(dupkeys, "rebuild", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert dupkeys.current(library, workers=1)
    assert calls == [1]


def test_the_scan_through_stored_keys_scores_the_full_scans_pairs_of_the_new_records(split_library, monkeypatch):
    library, later = split_library
    monkeypatch.setattr(dupscan, "RARE_KEYS_UP_TO", 0)  # the million-record path: sorted neighbourhoods only
    assert dupkeys.current(library, workers=1)
    results = library.import_files(later, CAPTURED)
    new = merging.new_papers_of(library, [r.source_id for r in results])
    preset = PRESETS["balanced"]
    path = str(library.path)
    full = dupscan.find_pairs(path, preset, set(), workers=1)
    assert dupkeys.current(library, workers=1)
    stats = {}
    mine = dupscan.find_new_pairs(path, preset, set(), new, stats=stats)
    fresh = set(new)
    expected = [(p.a, p.b, p.score, p.reasons) for p in full if p.a in fresh or p.b in fresh]
    assert len(expected) > 50
    assert [(p.a, p.b, p.score, p.reasons) for p in mine] == expected
    # the candidates themselves, before the upper bound: those of the full scan's windows
    keys = dupscan._read_keys(path, None, None, None)
    codes = dupscan._touching(keys, dupscan.candidate_positions(keys), new)
    assert stats["candidates"] == len(codes)
    # merging.scan_new takes this path on a large library, and gives the same groups
    monkeypatch.setattr(merging, "_large", lambda library: True)
    stats = {}
    groups = merging.scan_new(library, new, stats=stats)
    assert stats.get("indexed")
    assert [(g.records, g.score) for g in groups] == [
        (g.records, g.score) for g in merging._group([p for p in full if p.a in fresh or p.b in fresh], preset)]
