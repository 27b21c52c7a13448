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


ABSTRACT = ("Recent advances in sparse models have changed how sequential recommendation systems are built. However,"
            " existing methods struggle to capture the dynamic structure of real-world data. To address this gap, we"
            " propose GraphRec, a unified framework that learns attention directly from user behaviour. Extensive"
            " experiments on four public benchmarks show consistent gains over strong baselines.")
OTHER_ABSTRACT = ("We study how ranking models forget what users liked last year. A replay buffer of past sessions"
                  " keeps the old preferences alive; on two industrial logs it halves the drop in recall after each"
                  " retraining, at the cost of a tenth more training time.")
GENERIC = "Rethinking Attention in Sequential Recommendation"


def _verdict(pair):
    from paperdesk.core.duplicates import confidence_of

    return confidence_of(pair.score, PRESETS["balanced"])


@pytest.mark.parametrize("authors_b, abstract_b, verdicts", [
    # one name of three in common (a profile page's author on two of their papers), the abstracts alike
    (["Anna Lewis", "Pierre Rossi", "Wei Guo"], ABSTRACT, {"possible"}),
    # the whole list in common but another text: a person decides
    (["Wei Guo", "Hao Li", "Rong Su"], OTHER_ABSTRACT, {"likely", "possible"}),
    # one name in common and another text: both against, not proposed at all
    (["Wei Guo", "Pierre Rossi", "Anna Lewis"], OTHER_ABSTRACT, {None}),
])
def test_the_same_generic_title_with_other_authors_or_another_abstract_is_not_likely(authors_b, abstract_b, verdicts):
    """Two papers with one generic title: what tells them apart is what a librarian would look at, the author
    lists beyond a shared name and the abstract; such a pair is flagged for a person at most, never proposed as
    certain, and as likely only when every name agrees."""
    a = rec(1, GENERIC, ["Wei Guo", "Hao Li", "Rong Su"], 2023, ABSTRACT)
    b = rec(2, GENERIC, authors_b, 2023, abstract_b)
    pair = score_pair(a, b)
    assert _verdict(pair) in verdicts, pair
    if abstract_b != ABSTRACT:
        assert any("abstracts differ" in x for x in pair.against), pair
    if authors_b[0] != "Wei Guo":
        assert "only 1 of 3 authors in common" in pair.against, pair


def test_a_complete_list_of_one_author_is_not_the_list_of_three_names_that_includes_them():
    """One record says the paper has exactly one author (no et al.); the other shows three names, that author
    among them: the same title by a person and by their group. Without an abstract to settle it, a person
    decides ("possible"); the very same abstract settles it ("likely": one author list was misread)."""
    a = Record(1, GENERIC, ["Wei Guo"], False, 2023, "")
    b = Record(2, GENERIC, ["Anna Lewis", "Pierre Rossi", "Wei Guo"], True, 2023, ABSTRACT)
    pair = score_pair(a, b)
    assert _verdict(pair) == "possible", pair
    assert "one lists 1 author in all, the other 3" in pair.against, pair
    a.abstract = ABSTRACT
    assert _verdict(score_pair(a, b)) == "likely"


def test_one_family_name_with_two_given_names_is_two_people():
    """``Jianghao Li`` and ``Jiwoo F. Li`` share a family name and an initial, not a person: the same generic title
    by each is no author in common. Initials, a given name's start and a slip still match."""
    from paperdesk.core.duplicates import author_overlap

    a = Record(1, GENERIC, ["Jianghao Li"], False, 2025, ABSTRACT)
    assert author_overlap(a, Record(2, GENERIC, ["Jiwoo F. Li"], False, 2026, OTHER_ABSTRACT[:200])) == (0, 1)
    for same in ("J. Li", "Jiang Li", "Jianhgao Li", "Li"):
        assert author_overlap(a, Record(2, GENERIC, [same], False, 2025, "")) == (1, 1), same
    pair = score_pair(a, Record(2, GENERIC, ["Jiwoo F. Li"], False, 2026, ABSTRACT[:200] + " A different ending."))
    assert _verdict(pair) not in ("certain", "likely"), pair
    assert "no author in common" in pair.against


@pytest.mark.parametrize("title_a, title_b", [
    ("FastFormer: Robust Ranking for Audio Deepfake Detection, Part II",
     "FastFormer: Robust Ranking for Audio Deepfake Detection, Part II, Part II"),
    ("Sense-R1: Self-Supervised Calibration for Sequential Recommendation",
     "Sense-R1-R1: Self-Supervised Calibration for Sequential Recommendation"),
])
def test_a_title_repeating_its_own_words_is_another_title(title_a, title_b):
    """The same words, some twice ("Part II, Part II"): one title adds them, as "Part II" adds to "X"."""
    pair = score_pair(rec(1, title_a, ["Xiang S. Feng", "Yan Brown", "Seo-yeon Miller"]),
                      rec(2, title_b, ["Xiang S. Feng", "Yan Brown", "Kenji Tang"]))
    assert _verdict(pair) not in ("certain", "likely"), pair
    assert any(x.startswith("one title adds") for x in pair.against), pair


@pytest.mark.parametrize("b", [
    # an edited abstract (a sentence dropped), the same authors, initials for one, a year's shift
    Record(2, GENERIC, ["W. Guo", "Hao Li", "Rong Su"], True, 2024,
           ABSTRACT.replace(" However, existing methods struggle to capture the dynamic structure of real-world"
                            " data.", "")),
    # a single author on both sides, the same abstract
    Record(2, GENERIC.lower(), ["Wei Guo"], False, 2023, ABSTRACT),
    # no abstract on one side: neither for nor against
    Record(2, GENERIC, ["Wei Guo", "Hao Li", "Rong Su"], True, 2023, ""),
])
def test_the_same_paper_twice_stays_likely_or_certain(b):
    a_authors = ["Wei Guo"] if b.authors == ["Wei Guo"] else ["Wei Guo", "Hao Li", "Rong Su"]
    a = Record(1, GENERIC, a_authors, len(a_authors) == 3, 2023, ABSTRACT)
    pair = score_pair(a, b)
    assert _verdict(pair) in ("certain", "likely"), pair
    assert not pair.against, pair


@pytest.mark.parametrize("title_a, title_b", [
    ("FastRec Technical Report", "FastRec TechnicalReport"),
    ("FoldSound-2.0 Technical Report", "FoldSound2.0 Technical Report"),
])
def test_words_joined_around_a_report_or_a_version_number_are_still_the_same_title(title_a, title_b):
    authors = ["Wei Guo", "Hao Li", "Rong Su"]
    pair = score_pair(rec(1, title_a, authors, abstract=ABSTRACT), rec(2, title_b, authors, abstract=ABSTRACT))
    assert _verdict(pair) == "certain", pair
    assert not pair.against, pair


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


# --- at scale ----------------------------------------------------------------------------------------------


def test_hyphens_and_joined_words_meet_in_blocking_and_score_as_the_same_title():
    from paperdesk.core.dupscan import compact

    a = rec(1, "Parameter-Efficient Fine-Tuning for Sequential Recommendation", ["Wei Guo", "Hao Li", "Rong Su"])
    b = rec(2, "Parameter-Efficient FineTuning for Sequential Recommendation", ["Wei Guo", "Hao Li", "Rong Su"])
    c = rec(3, "ParameterEfficient Fine Tuning for Sequential Recommendation", ["W. Guo", "Hao Li", "Rong Su"])
    assert compact(a.norm_title) == compact(b.norm_title) == compact(c.norm_title)
    assert {(0, 1), (0, 2), (1, 2)} <= candidate_pairs([a, b, c])
    assert score_pair(a, b).score >= PRESETS["balanced"].certain
    assert score_pair(a, c).score >= PRESETS["balanced"].certain


def test_the_scale_path_alone_finds_the_seed_repeats(seeded, monkeypatch):
    """Without the small library's rare-word keys (as at a million records, where every word is common), the
    sorted neighbourhoods still bring every repeated seed paper together, and no distinct papers above possible."""
    from paperdesk.core import dupscan

    monkeypatch.setattr(dupscan, "RARE_KEYS_UP_TO", 0)
    stats = {}
    groups = merging.scan(seeded, "balanced", stats=stats)
    assert 0 < stats["pairs_scored"] <= 8 * stats["records"]  # a few neighbours a record, not every pair
    titles = {pid: t for pid, t in seeded.conn.execute("SELECT id, title FROM papers")}
    repeated = {t for (t,) in seeded.conn.execute("SELECT title FROM papers GROUP BY title HAVING COUNT(*) > 1")}
    certain = [g for g in groups if g.confidence == "certain"]
    assert {titles[g.records[0]] for g in certain} == repeated
    for g in groups:
        if len({titles[i] for i in g.records}) > 1:
            assert g.confidence == "possible"


def test_after_an_import_only_the_new_records_are_compared_with_the_library(seeded, write_dump):
    before = {tuple(g.records) for g in merging.scan(seeded)}
    pid = next(g.records[0] for g in merging.scan(seeded) if g.confidence == "certain")
    raw = curation.paper_detail(seeded, pid)["provenance"][0]["raw"]
    lines = raw.split("\n")
    variant = "\n".join(line.replace("-", " ") if i == 2 else line for i, line in enumerate(lines))
    result = seeded.import_file(write_dump(variant + "\n", "again.txt"))
    assert result.status == "imported" and result.added == 1
    new = merging.new_papers_of(seeded, [result.source_id])
    assert len(new) == 1
    stats = {}
    groups = merging.scan_new(seeded, new, stats=stats)
    assert stats["pairs_scored"] < seeded.count_papers()  # not the whole library again
    mine = [g for g in groups if new[0] in g.records]
    assert mine and pid in mine[0].records and mine[0].confidence in ("certain", "likely")
    full = [g for g in merging.scan(seeded) if new[0] in g.records]
    assert set(mine[0].records) <= set(full[0].records)
    assert before  # the library had groups before; the incremental scan did not need them
