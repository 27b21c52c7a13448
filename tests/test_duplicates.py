"""Duplicate detection and merging in the core: seeds, hard near-misses, decisions, merge and unmerge."""

from __future__ import annotations

import json

import pytest

from paperdesk.core import curation, merging
from paperdesk.core.duplicates import PRESETS, Record, candidate_pairs, name_key, normalize_title, score_pair


def rec(i, title, authors, year=2023, abstract="", truncated=True):
    return Record(i, title, authors, truncated, year, abstract)


def test_normalisation_folds_case_accents_latex_and_punctuation():
    assert normalize_title("Self-Supervised  Learning: A SURVEY") == "self supervised learning a survey"
    assert normalize_title("Caf\\'e {\\~N}andu") == normalize_title("Café Ñandu") == "cafe nandu"
    assert name_key("Kevin K. Yang") == name_key("K. Yang") == ("k", "yang")
    assert name_key("José Núñez") == name_key("J. Nu\\~nez") == ("j", "nunez")


def test_variants_score_high_with_reasons():
    a = rec(1, "Self-Supervised Graph Learning for Recommendation", ["Kevin K. Yang", "Wei Guo", "Hao Li"], 2023)
    b = rec(2, "Self Supervised graph learning for recommendaton", ["K. Yang", "Wei Guo", "Hao Li"], 2024)
    pair = score_pair(a, b)
    assert pair.score >= PRESETS["balanced"].certain, pair
    assert pair.reasons[:3] == ["title 96%", "3 of 3 authors", "1 year apart"] or pair.reasons[1] == "3 of 3 authors"


@pytest.mark.parametrize("title_a, title_b", [
    ("Qwen-Image Technical Report", "Qwen-Image-2.0 Technical Report"),
    ("Understanding Attention, Part I", "Understanding Attention, Part II"),
    ("GraphGPT: Graph Instruction Tuning", "GraphGPT: Graph Instruction Tuning Technical Report"),
    ("Logics-Parsing Technical Report", "Logics-Parsing-Omni Technical Report"),
])
def test_near_miss_distinct_papers_stay_below_likely(title_a, title_b):
    authors = ["Wei Guo", "Hao Li", "Rong Su"]
    pair = score_pair(rec(1, title_a, authors), rec(2, title_b, authors))
    assert pair.score < PRESETS["balanced"].likely, pair
    assert pair.against


def test_disjoint_authors_years_apart_count_against():
    a = rec(1, "Neural Collaborative Filtering", ["Xiangnan He", "Lizi Liao", "Hanwang Zhang"], 2017)
    b = rec(2, "Neural Collaborative Filtering", ["Ana Silva", "Joao Costa", "Rui Lima"], 2023)
    assert score_pair(a, b).score < PRESETS["balanced"].likely


def test_blocking_only_compares_records_sharing_a_rare_word():
    records = [rec(i, f"Paper number {i} about topic{i % 50} things", ["A B"]) for i in range(500)]
    pairs = candidate_pairs(records)
    assert len(pairs) < 500 * 499 / 2 / 20  # far from all pairs


def test_on_the_seeds_repeats_are_certain_and_distinct_papers_at_most_possible(seeded):
    groups = merging.scan(seeded, "balanced")
    titles = {pid: t for pid, t in seeded.conn.execute("SELECT id, title FROM papers")}
    # every title that occurs in more than one file
    repeated = {t for (t,) in seeded.conn.execute(
        "SELECT title FROM papers GROUP BY title HAVING COUNT(*) > 1")}
    certain = [g for g in groups if g.confidence == "certain"]
    assert {titles[g.records[0]] for g in certain} == repeated
    assert all(len({titles[i] for i in g.records}) == 1 for g in certain)
    for g in groups:
        if len({titles[i] for i in g.records}) > 1:  # distinct papers
            assert g.confidence == "possible", (g, [titles[i] for i in g.records])


def test_not_duplicates_is_remembered_and_new_records_bring_only_their_pairs(seeded, write_dump):
    group = merging.scan(seeded)[0]
    merging.mark_distinct(seeded, group.records)
    assert group.records not in [g.records for g in merging.scan(seeded)]
    # a third copy of the same paper: only its own pairs come up
    pid = group.records[0]
    detail = curation.paper_detail(seeded, pid)
    raw = detail["provenance"][0]["raw"]
    seeded.import_file(write_dump(raw + "\n", "third.txt"))
    again = [g for g in merging.scan(seeded) if pid in g.records or group.records[1] in g.records]
    assert len(again) == 1 and len(again[0].records) == 3  # the new record links to both
    assert seeded.events("not-duplicates")


def test_merge_hides_keeps_provenance_unions_tags_and_unmerges(seeded):
    a, b = next(g.records for g in merging.scan(seeded) if g.confidence == "certain")
    tag = curation.create_tag(seeded, "keep")
    curation.add_tag(seeded, [b], tag)
    before_count = seeded.count_papers()
    merge_id = merging.merge(seeded, a, [b], {"title": "Merged Title"})
    assert seeded.count_papers() == before_count - 1
    detail = curation.paper_detail(seeded, a)
    assert detail["title"] == "Merged Title" and "keep" in detail["tags"]
    assert len(detail["provenance"]) == 2 and detail["sources_count"] == 2
    exported = {p["id"]: p for p in seeded.iter_papers()}
    assert b not in exported and len(exported[a]["sources"]) == 2
    assert merging.merges_of(seeded, b)[0]["survivor"] == a
    assert json.loads(seeded.events("merge")[-1]["details"])["merged"] == [b]
    # merged pairs do not come back as candidates
    assert all(set(g.records) != {a, b} for g in merging.scan(seeded))
    merging.unmerge(seeded, merge_id)
    assert seeded.count_papers() == before_count
    detail = curation.paper_detail(seeded, a)
    assert detail["title"] != "Merged Title" and "keep" not in detail["tags"] and detail["sources_count"] == 1
    assert seeded.events("unmerge")
    with pytest.raises(Exception):
        merging.unmerge(seeded, merge_id)


def test_auto_merge_certain_dry_run_and_for_real(seeded):
    groups = merging.scan(seeded)
    plan = merging.auto_merge(seeded, groups, dry_run=True)
    assert len(plan) == 8 and seeded.count_papers() == 154
    merging.auto_merge(seeded, groups)
    assert seeded.count_papers() == 146
    assert merging.scan(seeded) == [g for g in merging.scan(seeded) if g.confidence != "certain"]


def test_schema_migrates_a_version_1_library(tmp_path):
    import sqlite3

    import sqlite_utils

    from paperdesk.core import schema
    from paperdesk.core.library import Library

    path = tmp_path / "v1.sqlite"
    db = sqlite_utils.Database(sqlite3.connect(path, isolation_level=None))
    db.execute("BEGIN")
    schema._migrate_1(db)
    db.execute("PRAGMA user_version = 1")
    db.execute("COMMIT")
    db.conn.close()
    library = Library(path)
    assert library.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert {"decisions", "merges"} <= set(library.db.table_names())
