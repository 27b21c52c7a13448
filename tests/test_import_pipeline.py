"""The import's pipeline: parsed files reach the writer as compact rows (core/importrows.py), in order, and the
writer parses a file itself whenever the next one is not ready, never parsing one twice."""

from __future__ import annotations

import pickle
import threading
from concurrent.futures import ThreadPoolExecutor

from conftest import SEED_CAPTURED
from generate import generate

from paperdesk.core import dumps, importrows
from paperdesk.core import library as library_module
from paperdesk.core.library import ImportResult, Library


def test_rows_hold_every_field_the_writer_stores(seed_paths):
    for path in seed_paths:
        parsed = dumps.read_dump(path, SEED_CAPTURED)
        rows = importrows.from_parsed(parsed)
        rows = pickle.loads(pickle.dumps(rows))  # as a parsing process hands them over
        assert len(rows) == len(parsed.records)
        for i, record in enumerate(parsed.records):
            paper = dict(zip(importrows.PAPER_COLUMNS, rows.papers[i]))
            assert paper["title"] == record.title and paper["abstract"] == record.abstract
            assert paper["authors"] == ", ".join(record.authors)
            assert paper["first_author"] == (record.authors[0] if record.authors else None)
            assert (paper["date"], paper["year"], paper["org"], paper["score"]) == \
                (record.date, record.year, record.org, record.score)
            assert paper["needs_review"] == int(record.needs_review)
            assert paper["fingerprint"] == record.fingerprint
            assert [(name, pos) for j, name, pos in rows.links if j == i] == \
                [(name, pos) for pos, name in enumerate(record.authors, start=1)]
            assert rows.places[i] == (i, record.line, record.end_line, record.raw, record.fingerprint)
        assert rows.flag_reasons() == dumps.flag_reasons(parsed.records)
        assert set(rows.uncertain) == {i for i, r in enumerate(parsed.records)
                                       if r.needs_review and r.review and r.review.get("alternatives")}


def test_packed_rows_come_back_whole(seed_paths, tmp_path):
    """What a parsing process hands over (importrows.pack, pickled without a memo) unpacks to the same rows,
    uncertain records and report included; a file that cannot be read still gives its sentence."""
    for path in seed_paths:
        rows = importrows.read_rows(path, SEED_CAPTURED)
        packed = importrows.read_rows_packed(path, SEED_CAPTURED)
        assert isinstance(packed, bytes)
        back = importrows.unpack(packed)
        assert (back.papers, back.links, back.places, back.report, back.profile, back.sha256) == \
            (rows.papers, rows.links, rows.places, rows.report, rows.profile, rows.sha256)
        assert {i: (r.title, r.authors, r.review) for i, r in back.uncertain.items()} == \
            {i: (r.title, r.authors, r.review) for i, r in rows.uncertain.items()}
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"  \n")
    assert importrows.read_rows_packed(empty, SEED_CAPTURED) == importrows.read_rows(empty, SEED_CAPTURED)
    assert "empty" in importrows.read_rows(empty, SEED_CAPTURED)


def test_a_subset_keeps_each_record_whole(seed_paths):
    rows = importrows.from_parsed(dumps.read_dump(seed_paths[0], SEED_CAPTURED))
    picked = [5, 0, 7]
    part = rows.subset(picked)
    assert part.papers == [rows.papers[i] for i in picked]
    assert [link[1:] for link in part.links] == \
        [link[1:] for new in range(3) for link in rows.links if link[0] == picked[new]]
    assert [p[1:] for p in part.places] == [rows.places[i][1:] for i in picked]


def test_the_writer_parses_when_the_next_file_is_not_ready(tmp_path, monkeypatch):
    files = sorted(generate(tmp_path / "dumps", 1200, seed=3, records_per_file=100).files)
    expected = [importrows.read_rows(p, SEED_CAPTURED) for p in files]
    real = importrows.read_rows
    parsed_by: dict = {}
    lock = threading.Lock()
    helper_may_go = threading.Event()

    def read_rows(path, captured):
        name = threading.current_thread().name
        if name.startswith("slow-helper"):
            helper_may_go.wait(10)  # the helper is stuck on its first file until the writer has done some
        with lock:
            parsed_by.setdefault(path, []).append(name)
        return real(path, captured)

    monkeypatch.setattr(importrows, "read_rows", read_rows)
    got = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="slow-helper") as pool:
        for n, rows in enumerate(library_module._parsed_in_order(pool, files, SEED_CAPTURED)):
            got.append(rows)
            if n == 3:
                helper_may_go.set()
    assert [(r.file_name, r.papers, r.links, r.places) for r in got] == \
        [(r.file_name, r.papers, r.links, r.places) for r in expected]
    assert all(len(who) == 1 for who in parsed_by.values()), "a file was parsed twice"
    assert len(parsed_by) == len(files)
    writer = threading.current_thread().name
    assert sum(who == [writer] for who in parsed_by.values()) >= 3  # the writer did not wait for the helper
    assert any(who[0].startswith("slow-helper") for who in parsed_by.values())


def test_a_file_that_cannot_be_read_fails_alone_in_both_paths(tmp_path, seed_paths):
    bad = tmp_path / "empty.txt"
    bad.write_bytes(b"")
    for bulk in (False, True):
        with Library(tmp_path / f"lib-{bulk}.sqlite") as library:
            results = library.import_files([seed_paths[0], bad, seed_paths[1]], SEED_CAPTURED, bulk=bulk)
        assert [r.status for r in results] == ["imported", "failed", "imported"]
        assert isinstance(results[1], ImportResult) and results[1].file == "empty.txt"
        assert "empty.txt" in results[1].message


def test_the_writer_parses_files_nobody_was_given_rather_than_wait(tmp_path, monkeypatch):
    """When every file the pool holds is already started, the writer takes files beyond the pool's window (up to
    HERE_AHEAD of them) instead of waiting: here the helper is stuck on its files until the writer has parsed
    every file the helper was not given."""
    files = sorted(generate(tmp_path / "dumps", 800, seed=4, records_per_file=100).files)
    assert len(files) == 8 and library_module.HERE_AHEAD >= 4
    expected = [importrows.read_rows(p, SEED_CAPTURED) for p in files]
    real = importrows.read_rows
    parsed_by: dict = {}
    lock = threading.Lock()
    writer_done = threading.Event()
    released_in_time: list[bool] = []

    def read_rows(path, captured):
        name = threading.current_thread().name
        if name.startswith("stuck-helper"):
            released_in_time.append(writer_done.wait(10))
        with lock:
            parsed_by.setdefault(path, []).append(name)
            if sum(who[0] == writer for who in parsed_by.values()) == len(files) - 4:
                writer_done.set()  # the four files the helper holds are all that is left
        return real(path, captured)

    class StuckPool(ThreadPoolExecutor):
        """Four helpers each stuck on a file: none of the pool's files can be taken back."""

    writer = threading.current_thread().name
    monkeypatch.setattr(importrows, "read_rows", read_rows)
    stats: dict = {}
    with StuckPool(max_workers=4, thread_name_prefix="stuck-helper") as pool:
        got = list(library_module._parsed_in_order(pool, files, SEED_CAPTURED, ahead=3, stats=stats))
    assert [(r.file_name, r.papers) for r in got] == [(r.file_name, r.papers) for r in expected]
    assert all(len(who) == 1 for who in parsed_by.values()), "a file was parsed twice"
    assert released_in_time == [True] * 4, "the writer waited for the helpers while files were left to parse"
    assert [p for p in files if parsed_by[p] == [writer]] == files[4:]
    assert stats["parsed_here"] == 4 and stats["waited_s"] >= 0
