"""The Authors view's aggregates: a full rebuild agrees with the author page, is deterministic, and the
incremental catch-up after each kind of change gives exactly what a full rebuild gives."""

from __future__ import annotations

import datetime as dt

import pytest

from paperdesk.core import authors, curation, merging

from conftest import SEED_CAPTURED


def rows(library):
    return library.conn.execute(
        "SELECT author_id, name, papers, first_author, year_min, year_max, coauthors, categories"
        " FROM author_stats ORDER BY author_id").fetchall()


def side_tables(library):
    return (library.conn.execute("SELECT * FROM author_categories ORDER BY 1, 2").fetchall(),
            library.conn.execute("SELECT * FROM author_pairs ORDER BY 1, 2").fetchall())


def assert_equal_to_full_rebuild(library):
    """The incremental state, then a full rebuild from scratch: both must be identical, row for row."""
    incremental, extra = rows(library), side_tables(library)
    assert authors.stats_are_current(library)
    authors.refresh_stats(library)
    full = rows(library)
    assert len(incremental) == len(full)
    assert [r for r in incremental if r not in full] == []
    assert extra == side_tables(library)


def test_full_rebuild_agrees_with_the_author_page(seeded):
    authors.refresh_stats(seeded)
    checked = 0
    for _, name, papers, first, year_min, year_max, _, categories in rows(seeded):
        data = authors.figures(seeded, name)
        assert (papers, first) == (data["papers"], data["first_author_papers"]), name
        assert [year_min, year_max] == data["years"], name
        assert categories == ", ".join(list(data["categories"])[:3]), name
        checked += 1
    assert checked > 100
    gu = seeded.conn.execute("SELECT papers FROM author_stats WHERE name = 'Hao Gu'").fetchone()[0]
    assert gu == 22  # the profile page's author has every paper of the page


def test_coauthors_count_distinct_other_names(seeded):
    authors.refresh_stats(seeded)
    name = "Jianghao Lin"
    (count,) = seeded.conn.execute("SELECT coauthors FROM author_stats WHERE name = ?", (name,)).fetchone()
    others = set()
    for (line,) in seeded.conn.execute("SELECT authors FROM papers WHERE id IN (SELECT paper_id FROM paper_authors"
                                       " WHERE author_id = (SELECT id FROM authors WHERE name = ?))", (name,)):
        others.update(line.split(", "))
    others.discard(name)
    assert count == len(others) > 0


def test_rebuild_is_deterministic_under_a_different_plan(seeded):
    """Ties in the top-3 categories are broken by name, not by the order SQLite happens to read rows in."""
    authors.refresh_stats(seeded)
    first = rows(seeded)
    ties = 0
    for author_id, categories in seeded.conn.execute("SELECT author_id, categories FROM author_stats"):
        counts = seeded.conn.execute("SELECT n FROM author_categories WHERE author_id = ? ORDER BY n DESC",
                                     (author_id,)).fetchall()
        ties += len(counts) > 3 and counts[2] == counts[3]
    assert ties > 0  # the seeds do have ties at the cut, so the rule is exercised
    seeded.conn.execute("PRAGMA reverse_unordered_selects = ON")
    seeded.conn.execute("ANALYZE")
    try:
        authors.refresh_stats(seeded)
    finally:
        seeded.conn.execute("PRAGMA reverse_unordered_selects = OFF")
    assert rows(seeded) == first


def test_stats_are_not_current_until_built_and_neutral_changes_keep_them_current(seeded):
    assert not authors.stats_are_current(seeded)
    authors.refresh_stats(seeded)
    assert authors.stats_are_current(seeded)
    tag = curation.create_tag(seeded, "reading")
    curation.add_tag(seeded, [1, 2], tag)
    curation.update_fields(seeded, 1, {"title": "Another title"})
    assert authors.stats_are_current(seeded)  # tags and a title do not move any author's figures
    curation.update_fields(seeded, 1, {"category": "QM"})
    assert not authors.stats_are_current(seeded)
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)


def paper_with_three_names(library):
    return library.conn.execute("SELECT paper_id FROM paper_authors GROUP BY paper_id HAVING COUNT(*) = 3"
                                " ORDER BY paper_id LIMIT 1").fetchone()[0]


def test_catch_up_after_edits_merges_undo_imports_equals_a_full_rebuild(seeded, write_dump):
    authors.refresh_stats(seeded)
    pid = paper_with_three_names(seeded)
    names = curation.authors_of(seeded, pid)
    # an edit that drops a name, adds a new one and moves the first author
    old = curation.update_fields(seeded, pid, {"authors": [names[1], "Newcomer Person", names[0]],
                                               "date": "2011-03-04"})
    recounted = authors.catch_up(seeded)
    assert recounted is not None and 3 <= recounted < 50  # only the touched authors
    assert seeded.conn.execute("SELECT papers FROM author_stats WHERE name = 'Newcomer Person'").fetchone() == (1,)
    assert_equal_to_full_rebuild(seeded)
    # its undo
    curation.update_fields(seeded, pid, old, kind="undo")
    assert authors.catch_up(seeded) is not None
    assert seeded.conn.execute("SELECT 1 FROM author_stats WHERE name = 'Newcomer Person'").fetchone() is None
    assert_equal_to_full_rebuild(seeded)
    # merges, then undoing one
    groups = [g for g in merging.scan(seeded) if g.confidence == "certain"]
    merge_ids = [merging.merge(seeded, g.records[0], g.records[1:]) for g in groups[:3]]
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)
    merging.unmerge(seeded, merge_ids[1])
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)
    merging.reinstate(seeded, merge_ids[1])
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)
    # an import: new papers are added, a repeated record only gains provenance
    raw = curation.paper_detail(seeded, pid)["provenance"][0]["raw"]
    new = ("IR\nMar 3, 2024\nA Brand New Paper About Graphs\nNewcomer Person, " + names[2] + "\nAn abstract.\n")
    result = seeded.import_file(write_dump(raw + "\n" + new, "more.txt"), SEED_CAPTURED)
    assert result.status == "imported"
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)


def test_catch_up_after_name_merge_subject_and_review(seeded):
    authors.refresh_stats(seeded)
    a, b = [r[0] for r in seeded.conn.execute(
        "SELECT name FROM author_stats ORDER BY papers DESC, author_id LIMIT 2")]
    merge_id = authors.merge_names(seeded, a, [b])
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)
    authors.unmerge_names(seeded, merge_id)
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)
    source_id = seeded.conn.execute("SELECT id FROM sources WHERE profile IS NULL ORDER BY id").fetchone()[0]
    previous = authors.decide_subject(seeded, source_id, a, True)
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)
    authors.restore_subject(seeded, source_id, previous)
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)
    pid = paper_with_three_names(seeded)
    before = curation.resolve_review(seeded, pid, "A Fixed Title", ["Solo Author"])
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)
    curation.reopen_review(seeded, pid, before)
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)


def test_update_author_stats_touches_only_what_it_is_told(seeded):
    authors.refresh_stats(seeded)
    pid = paper_with_three_names(seeded)
    names = curation.authors_of(seeded, pid)
    old_ids = [r[0] for r in seeded.conn.execute("SELECT author_id FROM paper_authors WHERE paper_id = ?", (pid,))]
    curation.update_fields(seeded, pid, {"authors": names[:1]})
    touched = authors.update_author_stats(seeded, author_ids=old_ids, paper_ids=[pid])
    assert set(old_ids) <= touched
    incremental = rows(seeded)
    authors.refresh_stats(seeded)
    assert incremental == rows(seeded)


def test_unknown_changes_fall_back_to_a_full_rebuild(seeded):
    authors.refresh_stats(seeded)
    seeded.log("something-new", {})
    assert authors.catch_up(seeded) is None
    assert authors.bring_up_to_date(seeded) > 0
    assert authors.stats_are_current(seeded)


def test_catch_up_after_batch_edits_and_records_entered_by_hand(seeded):
    from paperdesk.core import batch, hand_entry

    authors.refresh_stats(seeded)
    pid = hand_entry.add_record(seeded, {"title": "Typed In", "authors": ["Hand Typist", "Jianghao Lin"],
                                         "date": "2020-01-02", "category": "IR"})
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)
    hand_entry.remove_added_record(seeded, pid)
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)
    ids = [r[0] for r in seeded.conn.execute("SELECT paper_id FROM paper_authors WHERE author_id ="
                                             " (SELECT id FROM authors WHERE name = 'Jianghao Lin')")]
    edit = batch.BatchEdit(kind="rename_author", find="Jianghao Lin", replacement="J. Lin")
    result = batch.apply(seeded, ids, edit)
    assert result.old
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)
    batch.undo(seeded, result)
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)


def test_catch_up_after_trash_and_restore(seeded):
    from paperdesk.core import trash

    authors.refresh_stats(seeded)
    pid = paper_with_three_names(seeded)
    trash.trash(seeded, [pid])
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)
    trash.restore(seeded, [pid])
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)


def test_catch_up_after_removing_an_import_and_importing_it_again_equals_a_full_rebuild(seeded, seed_paths):
    from paperdesk.core import trash

    authors.refresh_stats(seeded)
    source = seeded.conn.execute("SELECT id FROM sources WHERE file_name LIKE '003%'").fetchone()[0]
    first = seeded.conn.execute("SELECT paper_id FROM provenance WHERE source_id = ? ORDER BY paper_id",
                                (source,)).fetchone()[0]
    trash.trash(seeded, [first])
    trash.empty_trash(seeded)
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)
    trash.remove_import(seeded, source)
    assert authors.catch_up(seeded) is not None  # recounted incrementally, not rebuilt
    assert_equal_to_full_rebuild(seeded)
    seeded.import_file(next(p for p in seed_paths if p.name.startswith("003")), SEED_CAPTURED)
    assert authors.catch_up(seeded) is not None
    assert_equal_to_full_rebuild(seeded)


def test_an_edit_of_names_alone_recounts_only_the_names_and_still_equals_a_full_rebuild(seeded):
    """A record on a profile page, merged with a copy: changing only its names moves the names shown on it
    before and after, not the page's author (unnamed on it) nor its merge family's other names; a change of its
    category moves the page's author too."""
    authors.refresh_stats(seeded)
    conn = seeded.conn
    gu = conn.execute("SELECT id FROM authors WHERE name = 'Hao Gu'").fetchone()[0]
    on_page = [r[0] for r in conn.execute(
        "SELECT pv.paper_id FROM provenance pv JOIN sources s ON s.id = pv.source_id WHERE s.profile LIKE"
        " '%\"Hao Gu\"%' AND NOT EXISTS (SELECT 1 FROM paper_authors pa WHERE pa.paper_id = pv.paper_id"
        " AND pa.author_id = ?) ORDER BY pv.paper_id", (gu,))]
    assert len(on_page) >= 2
    pid, other = on_page[0], on_page[1]
    merging.merge(seeded, other, [pid])  # the edited record is now inside another's merge family
    assert authors.catch_up(seeded) is not None
    names = curation.authors_of(seeded, pid)
    curation.update_fields(seeded, pid, {"authors": [names[-1], "Fresh Name"]})
    recounted = authors.catch_up(seeded)
    assert recounted == len(set(names) | {"Fresh Name"})  # the page's author and the family's names are not
    assert_equal_to_full_rebuild(seeded)
    before = conn.execute("SELECT papers FROM author_stats WHERE author_id = ?", (gu,)).fetchone()
    curation.update_fields(seeded, other, {"category": "QM"})
    recounted = authors.catch_up(seeded)
    assert recounted > len(curation.authors_of(seeded, other))  # the page's author is recounted as well
    assert_equal_to_full_rebuild(seeded)
    assert conn.execute("SELECT papers FROM author_stats WHERE author_id = ?", (gu,)).fetchone() == before


# --- a merge, its undo and its redo follow by their difference ----------------------------------------------

TIE_RECORDS = (  # (category, date, title, names): one author with categories tied at the top-3 cut
    ("LG", "Mar 3, 2010", "Sparse Kernels For Streaming Graph Partitions", "Tilda Varga, Osric Alder"),
    ("CL", "Apr 4, 2012", "Lexical Drift In Multilingual Tokenizers Over Time", "Tilda Varga, Brisa Quell"),
    ("CV", "May 5, 2014", "Depth Priors For Monocular Scene Completion Tasks", "Tilda Varga"),
    ("IR", "Jun 6, 2016", "Session Graphs For Conversational Product Search", "Tilda Varga, Dario Pent"),
    ("IR", "Jul 7, 2020", "Calibrated Rankers For Sparse Click Feedback Logs", "Tilda Varga, Dario Pent"),
)


def tie_library(seeded, write_dump):
    text = "\n".join(f"{c}{d}\n{t}\n\n{n}\n\nAn abstract about {t.lower()}.\n" for c, d, t, n in TIE_RECORDS)
    assert seeded.import_file(write_dump(text, "ties.txt"), SEED_CAPTURED).status == "imported"
    ids = {t: seeded.conn.execute("SELECT id FROM papers WHERE title = ?", (t,)).fetchone()[0]
           for _, _, t, _ in TIE_RECORDS}
    return [ids[t] for _, _, t, _ in TIE_RECORDS]


def stats_of(library, name):
    return library.conn.execute("SELECT papers, first_author, year_min, year_max, coauthors, categories"
                                " FROM author_stats WHERE name = ?", (name,)).fetchone()


def test_merge_undo_redo_follow_by_their_difference_with_ties_at_the_top_three(seeded, write_dump):
    """Tilda Varga has one paper in each of LG, CL, CV and two in IR: her top three are IR then the tie broken
    by name (CL, CV). Merging the CL record into an IR one drops CL (LG comes in), without recounting her: the
    year she loses (2012) is not one of her extremes. Brisa Quell, shown on the CL record only, now counts
    through the IR survivor: the year she loses is her only one, so she alone is recounted."""
    a, b, c, d, e = tie_library(seeded, write_dump)
    authors.refresh_stats(seeded)
    assert stats_of(seeded, "Tilda Varga") == (5, 5, 2010, 2020, 3, "IR, CL, CV")
    assert stats_of(seeded, "Brisa Quell") == (1, 0, 2012, 2012, 1, "CL")
    merge_id = merging.merge(seeded, d, [b])
    assert authors.catch_up(seeded) == 3  # the names on the two records
    assert authors.LAST_CATCH_UP == {"followed": 2, "recounted": 1}  # Tilda Varga and Dario Pent; Brisa Quell
    assert stats_of(seeded, "Tilda Varga") == (4, 4, 2010, 2020, 3, "IR, CV, LG")
    assert stats_of(seeded, "Brisa Quell") == (1, 0, 2016, 2016, 1, "IR")
    assert_equal_to_full_rebuild(seeded)
    merging.unmerge(seeded, merge_id)
    assert authors.catch_up(seeded) is not None
    assert authors.LAST_CATCH_UP["followed"] >= 2
    assert stats_of(seeded, "Tilda Varga") == (5, 5, 2010, 2020, 3, "IR, CL, CV")
    assert stats_of(seeded, "Brisa Quell") == (1, 0, 2012, 2012, 1, "CL")
    assert_equal_to_full_rebuild(seeded)
    merging.reinstate(seeded, merge_id)
    assert authors.catch_up(seeded) is not None
    assert stats_of(seeded, "Tilda Varga") == (4, 4, 2010, 2020, 3, "IR, CV, LG")
    assert_equal_to_full_rebuild(seeded)
    # the survivor merged in turn (a chain: b inside d inside e), then the chain taken apart out of order
    outer = merging.merge(seeded, e, [d])
    assert authors.catch_up(seeded) is not None and authors.LAST_CATCH_UP["followed"] > 0
    assert stats_of(seeded, "Tilda Varga") == (3, 3, 2010, 2020, 3, "CV, IR, LG")
    assert stats_of(seeded, "Dario Pent")[:4] == (1, 0, 2020, 2020)
    assert_equal_to_full_rebuild(seeded)
    merging.unmerge(seeded, merge_id)
    merging.unmerge(seeded, outer)  # two changes caught up at once
    assert authors.catch_up(seeded) is not None and authors.LAST_CATCH_UP["followed"] > 0
    assert stats_of(seeded, "Tilda Varga") == (5, 5, 2010, 2020, 3, "IR, CL, CV")
    assert_equal_to_full_rebuild(seeded)


def test_a_merge_that_takes_an_extreme_year_recounts_that_author(seeded, write_dump):
    a, b, c, d, e = tie_library(seeded, write_dump)
    authors.refresh_stats(seeded)
    merging.merge(seeded, c, [a])  # 2010, her first year, now counts as 2014
    authors.catch_up(seeded)
    assert authors.LAST_CATCH_UP["recounted"] >= 2  # Tilda Varga and Osric Alder
    assert stats_of(seeded, "Tilda Varga") == (4, 4, 2012, 2020, 3, "IR, CL, CV")
    assert stats_of(seeded, "Osric Alder")[:4] == (1, 0, 2014, 2014)
    assert_equal_to_full_rebuild(seeded)


def test_certain_groups_merged_undone_and_redone_follow_by_difference(seeded):
    """The seeds' own duplicates (several on profile pages), merged, one undone, redone: each catch-up updates
    by difference and equals a full rebuild."""
    authors.refresh_stats(seeded)
    groups = [g for g in merging.scan(seeded) if g.confidence == "certain"]
    assert len(groups) >= 4
    merge_ids = []
    for group in groups:
        merge_ids.append(merging.merge(seeded, group.records[0], group.records[1:]))
        assert authors.catch_up(seeded) is not None
        assert authors.LAST_CATCH_UP["followed"] > 0
        assert_equal_to_full_rebuild(seeded)
    for merge_id in merge_ids[::2]:
        merging.unmerge(seeded, merge_id)
    assert authors.catch_up(seeded) is not None and authors.LAST_CATCH_UP["followed"] > 0
    assert_equal_to_full_rebuild(seeded)
    for merge_id in merge_ids[::2]:
        merging.reinstate(seeded, merge_id)
        assert authors.catch_up(seeded) is not None
        assert_equal_to_full_rebuild(seeded)


def test_a_merge_with_a_counted_field_chosen_is_recounted(seeded, write_dump):
    a, b, c, d, e = tie_library(seeded, write_dump)
    authors.refresh_stats(seeded)
    merging.merge(seeded, d, [b], {"category": "CL"})  # the survivor takes the merged record's category
    authors.catch_up(seeded)
    assert authors.LAST_CATCH_UP["followed"] == 0
    assert stats_of(seeded, "Tilda Varga")[5] == "CL, CV, IR"
    assert_equal_to_full_rebuild(seeded)


def test_an_author_who_loses_their_last_paper_has_no_row_and_comes_back(seeded, write_dump):
    from paperdesk.core import trash

    a, b, c, d, e = tie_library(seeded, write_dump)
    authors.refresh_stats(seeded)
    trash.trash(seeded, [a])  # Osric Alder's only record
    assert authors.catch_up(seeded) is not None
    assert stats_of(seeded, "Osric Alder") is None
    assert_equal_to_full_rebuild(seeded)
    trash.restore(seeded, [a])
    assert authors.catch_up(seeded) is not None
    assert stats_of(seeded, "Osric Alder")[:4] == (1, 0, 2010, 2010)
    assert_equal_to_full_rebuild(seeded)


ALDER_PAGE = """Osric Alder

LG
h-index3
1papers
17citations
Novelty40%
AI Score20

1 Papers

LGMar 3, 2005
Quiet Gradients In Shallow Recurrent Networks For Sensors

Wren Hale, Juno Park

An abstract about quiet gradients.
"""


def test_an_author_recounted_after_a_merge_keeps_the_papers_of_their_own_profile_page(seeded, write_dump):
    """Osric Alder is shown on the 2010 record and has a profile page listing a 2005 paper of others. Merging
    the 2010 record into the 2014 one takes his latest year: he is recounted, with his page's paper, although
    the page lists neither merged record."""
    a, b, c, d, e = tie_library(seeded, write_dump)
    assert seeded.import_file(write_dump(ALDER_PAGE, "alder.txt"), SEED_CAPTURED).status == "imported"
    authors.refresh_stats(seeded)
    assert stats_of(seeded, "Osric Alder")[:4] == (2, 0, 2005, 2010)
    merging.merge(seeded, c, [a])
    authors.catch_up(seeded)
    assert authors.LAST_CATCH_UP["recounted"] >= 1
    assert stats_of(seeded, "Osric Alder")[:4] == (2, 0, 2005, 2014)
    assert_equal_to_full_rebuild(seeded)
