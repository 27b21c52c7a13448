"""Per-author figures: the profile page's author gets every paper of the page, the figures agree with the file."""

from __future__ import annotations

import json

from paperdesk.cli import main
from paperdesk.core import authors, merging

from conftest import SEEDS


def author_lines(name):
    """Hao Gu's positions read straight off the profile dump's author lines (layout A)."""
    text = (SEEDS / "000_5a68bbb2f97f349e.txt").read_text("utf-8")
    lines = [line for line in text.split("\n") if ", " in line and len(line) < 120 or line == name]
    positions = {"first": 0, "second": 0, "third": 0}
    for line in lines:
        names = line.replace(" et al.", "").split(", ")
        if name in names[:3] and line != name:
            positions[("first", "second", "third")[names.index(name)]] += 1
    return positions


def test_the_profile_author_has_all_22_papers_of_the_page(seeded):
    data = authors.figures(seeded, "Hao Gu")
    assert data["papers"] == 22 == data["profile"]["paper_count"]
    shown = author_lines("Hao Gu")
    assert {k: data["positions"][k] for k in shown} == shown
    assert data["positions"]["beyond"] == 22 - sum(shown.values()) == data["from_profile_papers"]
    assert data["profile"] == {"h_index": 30, "citations": 417, "paper_count": 22, "novelty": 51, "ai_score": 61,
                               "main_category": "LG", "source": "000_5a68bbb2f97f349e.txt", "captured": "2026-06-05"}


def test_figures_agree_with_sql_counts(seeded):
    data = authors.figures(seeded, "Fajie Yuan")
    conn = seeded.conn
    assert data["papers"] == conn.execute("SELECT COUNT(*) FROM papers WHERE authors LIKE '%Fajie Yuan%'").fetchone()[0]
    assert data["first_author_papers"] == conn.execute(
        "SELECT COUNT(*) FROM papers WHERE first_author = 'Fajie Yuan'").fetchone()[0]
    per_year = {str(y): n for y, n in conn.execute(
        "SELECT year, COUNT(*) FROM papers WHERE authors LIKE '%Fajie Yuan%' GROUP BY year")}
    assert {y: sum(c.values()) for y, c in data["per_year"].items()} == per_year
    assert sum(data["categories"].values()) == data["papers"] == sum(data["positions"].values())
    assert data["profile"] is None
    code = dict(conn.execute("SELECT year, AVG(has_code) FROM papers WHERE authors LIKE '%Fajie Yuan%' GROUP BY year"))
    assert data["code_share_per_year"] == {str(y): round(v, 4) for y, v in code.items()}
    # a bar's papers are exactly what the bar counts
    for year, cats in data["per_year"].items():
        for cat, n in cats.items():
            assert len(authors.paper_ids(seeded, "Fajie Yuan", int(year), cat)) == n


def test_merged_records_count_once(seeded):
    before = authors.figures(seeded, "Jianghao Lin")["papers"]
    for group in merging.scan(seeded):
        if group.confidence == "certain":
            merging.merge(seeded, group.records[0], group.records[1:])
    assert authors.figures(seeded, "Jianghao Lin")["papers"] == before - 1  # the survey was in 002 and 004


def test_author_command_json(seeded, capsys):
    assert main(["author", "Hao Gu", "--db", str(seeded.path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data == authors.figures(seeded, "Hao Gu")
    assert {"name", "papers", "profile", "per_year", "categories", "code_share_per_year", "coauthors"} <= set(data)
    assert main(["author", "Nobody Atall", "--db", str(seeded.path)]) == 1
