"""Large exports (issue 17): entries formatted in chunks by worker processes give the very bytes the writers give
one entry at a time; keys are stored in bulk exactly as one at a time would; the shortcuts taken for speed
(control-character check, RIS line spacing) answer as the long way does."""

from __future__ import annotations

import random

import pytest

from paperdesk.core.export import ExportOptions, runner
from paperdesk.core.export.keys import assign_keys, generate_key, set_key, unique_key
from paperdesk.core.export.ris import _line
from paperdesk.core.export.runner import clean_paper, export

RUNS = [("bibtex", ExportOptions()), ("bibtex", ExportOptions(ascii=True)),
        ("biblatex", ExportOptions(et_al="note", provenance=True, code_note=True)), ("csljson", ExportOptions()),
        ("ris", ExportOptions(provenance=True)), ("json", ExportOptions()), ("csv", ExportOptions())]


def _hostile(library):
    """Records that take every path: control characters (cleaned, then counted in the note), a record whose
    pattern key is another record's stored key (JSON/CSV give it a suffix), and text that needs T1 fonts."""
    library.conn.execute("UPDATE papers SET title = 'Old' || char(0) || 'Import' || char(27) || '[31m' WHERE id = 1")
    library.conn.execute("UPDATE papers SET title = 'Łukasz «quoted» ę' WHERE id = 2")
    third = next(library.iter_papers(ids=[4]))
    set_key(library, 3, generate_key(third))


@pytest.mark.parametrize("fmt,options", RUNS, ids=[f"{f}-{'ascii' if o.ascii else 'utf8'}" for f, o in RUNS])
def test_chunked_export_writes_the_same_bytes_and_notes_as_the_writer(seeded, tmp_path, monkeypatch, fmt, options):
    _hostile(seeded)
    monkeypatch.setattr(runner, "PARALLEL_RECORDS", 10**9)
    one_by_one = export(seeded, fmt, tmp_path / "seq.out", options=options)
    monkeypatch.setattr(runner, "PARALLEL_RECORDS", 1)
    monkeypatch.setattr(runner, "CHUNK_RECORDS", 7)  # many chunks, a last one that is not full
    monkeypatch.setattr(runner, "_cores", lambda: 2)
    progress = []
    chunked = export(seeded, fmt, tmp_path / "par.out", options=options, progress=lambda n, t: progress.append(n))
    assert (tmp_path / "par.out").read_bytes() == (tmp_path / "seq.out").read_bytes()
    assert chunked.count == one_by_one.count == seeded.count_papers()
    assert chunked.messages == one_by_one.messages
    assert any("control characters" in m for m in chunked.messages)
    assert progress[-1] == chunked.count and len(progress) > 3


def test_a_chunked_export_formats_here_when_the_worker_processes_cannot_start(seeded, tmp_path, monkeypatch):
    import concurrent.futures

    class Broken(concurrent.futures.ProcessPoolExecutor):
        def submit(self, *args, **kwargs):
            raise concurrent.futures.process.BrokenProcessPool("no processes here")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Broken)
    export(seeded, "bibtex", tmp_path / "seq.bib")
    monkeypatch.setattr(runner, "PARALLEL_RECORDS", 1)
    monkeypatch.setattr(runner, "_cores", lambda: 2)
    result = export(seeded, "bibtex", tmp_path / "par.bib")
    assert (tmp_path / "par.bib").read_bytes() == (tmp_path / "seq.bib").read_bytes()
    assert result.count == seeded.count_papers()


def test_keys_stored_in_bulk_are_the_keys_given_one_at_a_time(seeded):
    papers = list(seeded.iter_papers())
    set_key(seeded, papers[5]["id"], generate_key(papers[9]))  # the pattern's key for 9 is taken: 9 gets a suffix
    taken = {k.lower() for k in [generate_key(papers[9])]}
    expected = {}
    for paper in papers:
        expected[paper["id"]] = (generate_key(papers[9]) if paper is papers[5]
                                 else unique_key(generate_key(paper), taken))
    assert assign_keys(seeded) == expected
    assert dict(seeded.conn.execute("SELECT id, citekey FROM papers WHERE citekey IS NOT NULL")) == expected
    again = assign_keys(seeded, regenerate=True)  # papers[5] gives its hand-made key back to papers[9]
    assert again[papers[9]["id"]] == generate_key(papers[9])


def _reference_clean_count(value) -> int:
    from paperdesk.core.text import clean_text

    if isinstance(value, str):
        return clean_text(value)[1]
    if isinstance(value, list):
        return sum(_reference_clean_count(v) for v in value)
    if isinstance(value, dict):
        return sum(_reference_clean_count(v) for v in value.values())
    return 0


def test_the_one_search_control_check_finds_what_the_value_by_value_clean_finds():
    rng = random.Random(3)
    pieces = ["a", "é", " ", "\n", "\t", "\x00", "\x1b[31m", "\x7f", "\x85", "\x9f", "\x0b", "中", ""]

    def text():
        return "".join(rng.choice(pieces) if rng.random() < 0.1 else "x" for _ in range(rng.randint(0, 6)))

    for _ in range(3000):
        paper = {"id": 1, "title": text(), "authors": [text() for _ in range(rng.randint(0, 3))], "score": 1.5,
                 "org": rng.choice([None, text()]), "has_code": True, "tags": [text()],
                 "sources": [{"file": text(), "line": 3}], "review": rng.choice([None, {"note": text()}])}
        cleaned, removed = clean_paper(paper)
        assert removed == _reference_clean_count(paper)
        assert _reference_clean_count(cleaned) == 0
        if not removed:
            assert cleaned == paper


def test_ris_line_spacing_shortcut_is_split_and_join():
    rng = random.Random(4)
    pieces = [" ", "  ", "a", "é", "\t", "\n", "\x0b", "\x1c", "\x85", "\xa0", "\u2009", "\u3000", "\u200b", "\u2028"]
    for _ in range(50000):
        value = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 10)))
        assert _line("AB", value) == f"AB  - {' '.join(value.split())}\n", repr(value)
