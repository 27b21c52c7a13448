"""The Trash and removing an import: records leave every view and come back exactly; emptying is final."""

from __future__ import annotations

import pytest

from paperdesk.core import curation, merging, trash
from paperdesk.core.export.runner import ExportScope, export
from paperdesk.core.library import LibraryError
from paperdesk.core.query import RecordFilter, ordered_ids, view_counts


def _visible(library) -> set[int]:
    return set(ordered_ids(library.conn, RecordFilter(sort="id")))


def _exported_ids(library) -> int:
    import io
    import json

    out = io.StringIO()
    export(library, "json", out, ExportScope())
    return {p["id"] for p in json.loads(out.getvalue())}


def test_trashed_records_leave_every_view_and_come_back(seeded):
    ids = sorted(_visible(seeded))[:3]
    title = curation.paper_detail(seeded, ids[0])["title"]
    word = title.split()[0]
    assert trash.trash(seeded, ids) == ids
    assert not set(ids) & _visible(seeded)
    assert view_counts(seeded.conn)["all"] == 151 == seeded.count_papers()
    assert trash.count_trashed(seeded) == 3 and trash.trashed_ids(seeded) == ids
    assert list(ordered_ids(seeded.conn, RecordFilter(view="trash", sort="id"))) == ids  # the Trash view lists them
    assert ids[0] not in ordered_ids(seeded.conn, RecordFilter(search=word))
    assert not set(ids) & _exported_ids(seeded)
    assert all(not set(ids) & set(g.records) for g in merging.scan(seeded, "loose"))
    assert trash.trash(seeded, ids) == []  # already there: nothing to do, no event
    assert trash.restore(seeded, ids) == ids
    assert set(ids) <= _visible(seeded) and seeded.count_papers() == 154
    assert ids[0] in ordered_ids(seeded.conn, RecordFilter(search=word))
    kinds = [e["kind"] for e in seeded.events() if e["kind"] in ("trash", "untrash")]
    assert kinds == ["trash", "untrash"]


def test_a_trashed_survivor_takes_its_merged_records_along(seeded):
    survivor, other = sorted(_visible(seeded))[:2]
    merging.merge(seeded, survivor, [other])
    assert trash.absorbed_by(seeded, [survivor]) == {survivor: 1}
    trash.trash(seeded, [survivor])
    assert not {survivor, other} & _visible(seeded)
    trash.restore(seeded, [survivor])
    assert survivor in _visible(seeded) and other not in _visible(seeded)
    assert seeded.conn.execute("SELECT merged_into FROM papers WHERE id = ?", (other,)).fetchone()[0] == survivor


def test_emptying_the_trash_deletes_for_good(seeded):
    survivor, other, kept = sorted(_visible(seeded))[:3]
    tag = curation.create_tag(seeded, "gone")
    curation.add_tag(seeded, [survivor, kept], tag)
    merging.merge(seeded, survivor, [other])
    trash.trash(seeded, [survivor])
    assert trash.empty_trash(seeded) == 2
    rows = seeded.conn.execute("SELECT id FROM papers WHERE id IN (?, ?)", (survivor, other)).fetchall()
    assert rows == []
    assert seeded.conn.execute("SELECT COUNT(*) FROM paper_tags WHERE tag_id = ?", (tag,)).fetchone()[0] == 1
    assert seeded.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    fts = seeded.conn.execute("SELECT COUNT(*) FROM papers_fts").fetchone()[0]
    assert fts == seeded.conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
    assert trash.count_trashed(seeded) == 0 and seeded.count_papers() == 152


def _source_id(library, prefix: str) -> int:
    return next(s["id"] for s in curation.sources_overview(library) if s["file"].startswith(prefix))


def test_removing_an_import_trashes_what_only_it_brought_and_undo_puts_it_back(seeded):
    source = _source_id(seeded, "004")
    in_file = sorted(ordered_ids(seeded.conn, RecordFilter(view="source", source_id=source, sort="id")))
    elsewhere = ordered_ids(seeded.conn, RecordFilter(view="source", source_id=_source_id(seeded, "003"), sort="id"))
    merging.merge(seeded, in_file[0], [elsewhere[0]])  # one record of 004 is also vouched for by 003
    in_file = set(in_file)
    assert len(in_file) == 50
    impact = trash.import_impact(seeded, source)
    assert (impact["only_here"], impact["also_elsewhere"]) == (49, 1)
    before_counts = dict(seeded.conn.execute("SELECT id, sources_count FROM papers"))

    saved = trash.remove_import(seeded, source)
    assert len(saved["trashed"]) == impact["only_here"]
    assert seeded.count_papers() == 153 - 49
    for pid in saved["shared"]:  # seen in other files too: still here, with this file's provenance gone
        files = {p["file"] for p in curation.paper_detail(seeded, pid)["provenance"]}
        assert files and not any(f.startswith("004") for f in files)
    assert source not in {s["id"] for s in curation.sources_overview(seeded)}
    with pytest.raises(LibraryError, match="already removed"):
        trash.remove_import(seeded, source)

    trash.undo_remove_import(seeded, saved)
    assert seeded.count_papers() == 153
    assert dict(seeded.conn.execute("SELECT id, sources_count FROM papers")) == before_counts
    assert set(ordered_ids(seeded.conn, RecordFilter(view="source", source_id=source, sort="id"))) == in_file
    assert trash.last_removal(seeded, source)["trashed"] == saved["trashed"]


def test_importing_a_removed_file_again_brings_it_back(seeded, seed_paths):
    from conftest import SEED_CAPTURED

    source = _source_id(seeded, "004")
    trash.remove_import(seeded, source)
    assert seeded.count_papers() == 104
    result = seeded.import_file(next(p for p in seed_paths if p.name.startswith("004")), SEED_CAPTURED)
    assert result.status == "imported" and "brought back" in result.message
    assert seeded.count_papers() == 154
    assert source in {s["id"] for s in curation.sources_overview(seeded)}


def test_a_removed_file_imported_again_reads_back_what_the_emptied_trash_deleted(seeded, seed_paths):
    """Trash one record of a file, empty the Trash, remove the import, import the file again: every record of
    the file is back (the one deleted for good is read again from the file) and the report says so."""
    from conftest import SEED_CAPTURED

    source = _source_id(seeded, "003")
    in_file = set(ordered_ids(seeded.conn, RecordFilter(view="source", source_id=source, sort="id")))
    only_here = sorted(i for i in in_file
                       if seeded.conn.execute("SELECT sources_count FROM papers WHERE id = ?", (i,)).fetchone()[0] == 1)
    gone = only_here[0]
    title = seeded.conn.execute("SELECT title FROM papers WHERE id = ?", (gone,)).fetchone()[0]
    trash.trash(seeded, [gone])
    assert trash.empty_trash(seeded) == 1
    trash.remove_import(seeded, source)
    result = seeded.import_file(next(p for p in seed_paths if p.name.startswith("003")), SEED_CAPTURED)
    assert result.status == "imported"
    assert "1 record read again" in result.message, result.message
    assert seeded.count_papers() == 154
    assert seeded.conn.execute("SELECT COUNT(*) FROM visible_papers WHERE title = ?", (title,)).fetchone() == (1,)
    back = set(ordered_ids(seeded.conn, RecordFilter(view="source", source_id=source, sort="id")))
    assert len(back) == len(in_file) and in_file - {gone} <= back
    assert len([s for s in curation.sources_overview(seeded) if s["file"].startswith("003")]) == 1


def test_unmerging_inside_a_trashed_record_is_refused_and_nothing_comes_back(seeded):
    """docs/merging.md: records absorbed into a trashed record stay in the Trash with it; an unmerge there is
    refused with a sentence (restore the record first), and nothing becomes visible behind the Trash's back."""
    survivor, other = sorted(_visible(seeded))[:2]
    merge_id = merging.merge(seeded, survivor, [other])
    trash.trash(seeded, [survivor])
    with pytest.raises(LibraryError, match=f"record {survivor} is in the Trash.*restore it"):
        merging.unmerge(seeded, merge_id)
    with pytest.raises(LibraryError, match="in the Trash"):
        merging.unmerge_record(seeded, other)
    assert not {survivor, other} & _visible(seeded)
    assert seeded.count_papers() == 152
    assert seeded.conn.execute("SELECT undone_at FROM merges WHERE id = ?", (merge_id,)).fetchone()[0] is None
    trash.restore(seeded, [survivor])
    assert merging.unmerge(seeded, merge_id) == [other]
    assert {survivor, other} <= _visible(seeded)


def test_unmerging_a_merge_nested_in_a_trashed_record_is_refused(seeded):
    inner, merged, outer = sorted(_visible(seeded))[:3]
    first = merging.merge(seeded, inner, [merged])
    merging.merge(seeded, outer, [inner])  # the inner survivor is itself merged into outer
    trash.trash(seeded, [outer])
    with pytest.raises(LibraryError, match=f"record {outer} is in the Trash"):
        merging.unmerge(seeded, first)
    assert not {inner, merged, outer} & _visible(seeded)
    assert trash.count_trashed(seeded) == 1


def test_a_merge_is_not_redone_into_a_trashed_record(seeded):
    survivor, other = sorted(_visible(seeded))[:2]
    merge_id = merging.merge(seeded, survivor, [other])
    merging.unmerge(seeded, merge_id)
    trash.trash(seeded, [survivor])
    with pytest.raises(LibraryError, match=f"record {survivor} is in the Trash"):
        merging.reinstate(seeded, merge_id)
    assert other in _visible(seeded)
