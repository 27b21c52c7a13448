"""The search language and the records query: filters and sorts answered in SQL, checked against the seeds."""

from __future__ import annotations

import pytest

from paperdesk.core import curation
from paperdesk.core.query import RecordFilter, display_rows, ordered_ids
from paperdesk.core.search import parse_search


def titles(lib, **kw):
    ids = ordered_ids(lib.conn, RecordFilter(**kw))
    rows = display_rows(lib.conn, list(ids))
    return [rows[i][0] for i in ids]


def test_everything_sorted_by_title_case_insensitively(seeded):
    got = titles(seeded)
    assert len(got) == 154
    assert got == sorted(got, key=lambda t: t.lower()) or [t.lower() for t in got] == sorted(t.lower() for t in got)
    assert titles(seeded, descending=True)[0].lower() >= got[-1].lower()


def test_sort_by_year_is_by_year_then_id(seeded):
    ids = ordered_ids(seeded.conn, RecordFilter(sort="year"))
    years = [seeded.conn.execute("SELECT year FROM papers WHERE id = ?", (i,)).fetchone()[0] for i in ids]
    assert years == sorted(years) and years[0] == 2016 and years[-1] == 2026


@pytest.mark.parametrize("query, expected", [
    ("deepfm", 3),                 # two DeepFM titles and an abstract that cites DeepFM
    ("deep", None),
    ('"factorization-machine based"', 1),
    ("author:karatzoglou", 3),
    ('author:"Fajie Yuan"', 17),  # grep -c 'Fajie Yuan' seeds/*: 17 author lines
    ("year:2018", 8),
    ("year:2016..2017", 3),
    ("category:QM", 1),
    ("cat:cs.SD", 3),
    ("has:code year:2026", None),
    ("source:000", 22),
    ("recommendation -sequential", None),
])
def test_search_language(seeded, query, expected):
    got = titles(seeded, search=query)
    if expected is not None:
        assert len(got) == expected, got
    else:
        assert got


def test_search_counts_match_plain_sql(seeded):
    conn = seeded.conn
    assert len(titles(seeded, search="has:code")) == conn.execute("SELECT COUNT(*) FROM papers WHERE has_code").fetchone()[0]
    assert len(titles(seeded, search="year:>=2025")) == conn.execute("SELECT COUNT(*) FROM papers WHERE year >= 2025").fetchone()[0]
    with_word = conn.execute("SELECT COUNT(*) FROM papers WHERE title LIKE '%recommend%' OR abstract LIKE '%recommend%'"
                             " OR authors LIKE '%recommend%'").fetchone()[0]
    assert len(titles(seeded, search="recommend")) == with_word


def test_search_never_fails_on_odd_input(seeded):
    for text in ['"unbalanced', "AND OR NOT", "*", "year:abc", "tag:", "-", "title:(", "NEAR(", "a:b:c"]:
        ordered_ids(seeded.conn, RecordFilter(search=text))  # no exception


def test_parse_search_builds_prefix_terms():
    s = parse_search('graph neu "knowledge tracing" -survey')
    assert s.match == '"graph"* AND "neu"* AND "knowledge tracing" NOT "survey"*'


def test_tag_views_all_and_any(seeded):
    a = curation.create_tag(seeded, "to-read")
    b = curation.create_tag(seeded, "ctr")
    ctr = list(ordered_ids(seeded.conn, RecordFilter(search="ctr")))
    curation.add_tag(seeded, ctr, b)
    curation.add_tag(seeded, ctr[:2] + [1, 2], a)
    assert len(ordered_ids(seeded.conn, RecordFilter(view="tags", tag_ids=(a, b), tag_mode="all"))) == 2
    assert len(ordered_ids(seeded.conn, RecordFilter(view="tags", tag_ids=(a, b), tag_mode="any"))) == len(set(ctr) | {1, 2})
    assert len(titles(seeded, search="tag:CTR")) == len(ctr)


def test_review_recent_and_source_views(seeded, write_dump):
    assert len(ordered_ids(seeded.conn, RecordFilter(view="review"))) == 0
    result = seeded.import_files([write_dump("LGMay 28\nA Brand New PaperWei Guo\nAbstract.\n", "new.txt")])
    recent = ordered_ids(seeded.conn, RecordFilter(view="recent"))
    assert len(recent) == 1
    assert len(ordered_ids(seeded.conn, RecordFilter(view="source", source_id=result[0].source_id))) == 1
