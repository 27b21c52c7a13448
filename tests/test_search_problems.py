"""A search that looked like it used a field but did not says so, instead of silently finding nothing."""

from __future__ import annotations

import pytest

from paperdesk.core.query import RecordFilter, count_matching
from paperdesk.core.search import parse_search


@pytest.mark.parametrize("query, says", [
    ("yeer:2021", "'yeer:' is not a search field"),
    ("deep year:20x1", "'20x1' is not a year"),
    ("has:pdf", "only has:code"),
    ("is:done", "only is:review"),
])
def test_misspelt_fields_and_misread_values_are_named(query, says):
    problems = parse_search(query).problems
    assert len(problems) == 1 and says in problems[0]


@pytest.mark.parametrize("query", ["year:2021", "author:wang", 'author:"Hao Wang"', "tag:x", "cat:LG",
                                   "has:code", "no:code", "is:review", "source:004", "deep learning",
                                   "https://github.com/x", "LLaMA-3: scaling", "-survey"])
def test_good_searches_have_no_problems(query):
    assert parse_search(query).problems == []


def test_a_problem_search_still_runs_as_text(seeded):
    assert count_matching(seeded.conn, RecordFilter(search="yeer:2021")) == 0
    assert count_matching(seeded.conn, RecordFilter(search="year:2021")) > 0


def test_a_thousand_repeated_terms_fold_into_one_and_the_search_runs(seeded):
    """Issue 13, item 10: about 1,000 structured terms in one search exceeded SQLite's expression depth."""
    once = count_matching(seeded.conn, RecordFilter(search="has:code learning"))
    assert count_matching(seeded.conn, RecordFilter(search=" ".join(["has:code"] * 1000) + " learning")) == once
    assert parse_search(" ".join(["has:code"] * 1000)).problems == []


def test_a_thousand_different_terms_run_and_say_what_was_left_out(seeded):
    query = " ".join(f"year:{1000 + i}" for i in range(1000)) + " " + " ".join(f"w{i}" for i in range(1000))
    search = parse_search(query)
    assert len(search.where) == 50 and search.problems and "left out" in search.problems[-1]
    assert count_matching(seeded.conn, RecordFilter(search=query)) == 0
    assert count_matching(seeded.conn, RecordFilter(search=" ".join(f"-qqzx{i}" for i in range(1000)))) == 154
