"""The synthetic dump generator: deterministic, all layouts, labels that match what it wrote and what we parse."""

from __future__ import annotations

import datetime as dt
import json

from generate import generate

from paperdesk.core.dumps import META_RE, read_dump

CAPTURED = dt.date(2026, 6, 5)


def test_generation_is_deterministic_and_labelled(tmp_path):
    one = generate(tmp_path / "a", 900, seed=3, records_per_file=150)
    two = generate(tmp_path / "b", 900, seed=3, records_per_file=150)
    assert [f.read_text() for f in one.files] == [f.read_text() for f in two.files]
    assert {f.name[-5] for f in one.files} == {"A", "B", "C"}
    labels = [json.loads(line) for line in one.labels_path.read_text().splitlines()]
    assert len(labels) == 900 == one.records
    assert {"original", "exact", "variant", "near_miss"} >= {lab["kind"] for lab in labels}


def test_meta_lines_dates_and_that_the_parser_recovers_titles_and_authors(tmp_path):
    result = generate(tmp_path, 1200, seed=5, records_per_file=200)
    labels = {(d["file"], d["line"]): d for d in map(json.loads, result.labels_path.read_text().splitlines())}
    right = 0
    for path in result.files:
        lines = path.read_text("utf-8").split("\n")
        parsed = read_dump(path, CAPTURED)
        for record in parsed.records:
            label = labels[(path.name, record.line)]
            meta = META_RE.match(lines[record.line - 1])
            assert meta, lines[record.line - 1]
            assert record.date is not None and record.date <= CAPTURED.isoformat()
            right += (record.title, record.authors) == (label["title"], label["authors"])
        assert parsed.report.records_read == sum(1 for k in labels if k[0] == path.name)
    assert right >= 0.995 * 1200
