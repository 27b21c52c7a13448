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
