"""One door to the database: no SQL in gui/ or cli.py, and the visibility rule written once."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "desktop" / "paperdesk"
SQL = re.compile(r"\b(SELECT\s+\S|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|PRAGMA\s+\w|CREATE\s+(TABLE|INDEX|VIEW))"
                 r"|\.execute\(|\.executemany\(|db\.query\(")


def python_files(*parts):
    for part in parts:
        path = PACKAGE / part
        yield from ([path] if path.is_file() else sorted(path.rglob("*.py")))


def test_no_sql_in_the_gui_or_the_cli():
    found = [f"{path.relative_to(PACKAGE)}:{n}: {line.strip()}"
             for path in python_files("gui", "cli.py")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if SQL.search(line)]
    assert found == []


def test_the_grep_finds_sql_where_there_is_some():
    assert SQL.search('conn.execute("SELECT id FROM papers")')
    assert SQL.search("x = 'UPDATE papers SET title = ?'")
    assert not SQL.search("Select the records first")


def test_merged_into_is_null_is_written_in_one_place():
    """Outside schema.py, code reads the view visible_papers, or schema.VISIBLE / visible(); inside schema.py the
    rule is the VISIBLE constant, and the other mentions are released migrations (never edited)."""
    hits = {}
    for path in python_files("."):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(r"merged_into\s+IS\s+NULL", line, re.I):
                hits.setdefault(path.name, []).append(line.strip())
    assert set(hits) <= {"schema.py"}
    assert len([line for line in hits["schema.py"] if line.startswith("VISIBLE =")]) == 1
    source = (PACKAGE / "core" / "schema.py").read_text(encoding="utf-8")
    rule_at = source.index("\nVISIBLE =")
    # every other mention sits in the migrations, which all come before the rule's definition
    for line in hits["schema.py"]:
        if not line.startswith(("VISIBLE =", "IN_TRASH =")):
            assert source.index(line) < rule_at, line
