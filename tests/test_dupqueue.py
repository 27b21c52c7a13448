"""The duplicates queue after an import (core/dupqueue.py): the new records' groups (merging.scan_new) put together
with an earlier full scan's give what a full scan after the import gives; the report's sentence."""

from __future__ import annotations

from conftest import SEED_CAPTURED

from paperdesk.core import dupqueue, merging
from paperdesk.core.duplicates import Group


def shape(groups):
    return sorted((g.confidence, tuple(g.records)) for g in groups)


def test_the_new_records_groups_are_the_full_scans_groups_that_hold_them(seeded, duplicating_dump):
    before = merging.scan(seeded)
    path, copied = duplicating_dump(seeded)
    result = seeded.import_file(path, SEED_CAPTURED)
    assert result.added == 4
    new = dupqueue.imported_records(seeded, [result])
    assert new == merging.new_papers_of(seeded, [result.source_id]) and len(new) == 4
    assert dupqueue.imported_records(seeded, [result.as_dict()]) == new  # the GUI's form of the results
    stats = {}
    mine = merging.scan_new(seeded, new, stats=stats)
    after = merging.scan(seeded)
    assert stats["pairs_scored"] < seeded.count_papers()  # not the whole library compared again
    # the groups with a new record are exactly the full scan's groups with a new record, scores and all
    assert [(g.confidence, g.records, round(g.score, 6)) for g in mine] == \
        [(g.confidence, g.records, round(g.score, 6)) for g in dupqueue.touching(after, new)]
    # each copy sits with the record it copies; the record the library did not hold is in no group
    for original, copy in zip(copied, new):
        assert any({original, copy} <= set(g.records) for g in mine)
    assert not any(new[3] in g.records for g in mine)
    # the earlier full scan's queue with the new groups is the full scan after the import
    assert shape(dupqueue.combine(before, mine)) == shape(after)
    assert dupqueue.summary(mine, new) == f"Possible duplicates: 3 of the 4 new records, in 3 candidate groups" \
                                          f" ({_tiers(mine)})."


def _tiers(groups):
    return ", ".join(f"{n} {t}" for t in ("certain", "likely", "possible")
                     if (n := sum(g.confidence == t for g in groups)))


def test_not_duplicates_stays_decided_for_the_new_records(seeded, duplicating_dump):
    path, copied = duplicating_dump(seeded)
    new = dupqueue.imported_records(seeded, [seeded.import_file(path, SEED_CAPTURED)])
    merging.mark_distinct(seeded, [copied[1], new[1]])
    groups = merging.scan_new(seeded, new)
    assert not any({copied[1], new[1]} <= set(g.records) for g in groups)
    assert any({copied[2], new[2]} <= set(g.records) for g in groups)


def test_combine_joins_groups_sharing_a_record_within_a_confidence_only():
    known = [Group([1, 2], "certain", 98.0, ["a"]), Group([3, 4], "likely", 85.0, ["b"]),
             Group([7, 8], "possible", 72.0, ["old"])]
    new = [Group([4, 9], "likely", 81.0, ["c"]), Group([2, 10], "possible", 71.0, ["d"]),
           Group([7, 8], "likely", 83.0, ["rescored"])]
    out = dupqueue.combine(known, new)
    assert [(g.confidence, g.records, g.score, g.reasons) for g in out] == [
        ("certain", [1, 2], 98.0, ["a"]),
        ("likely", [7, 8], 83.0, ["rescored"]),  # scored again later: the new scan's group replaces the old
        ("likely", [3, 4, 9], 81.0, ["c"]),  # as sure as its weakest link
        ("possible", [2, 10], 71.0, ["d"]),  # a weak link never drags a certain pair down
    ]
    assert dupqueue.combine([], new) == dupqueue.combine(new, [])  # order of arrival does not matter


def test_the_report_sentence_counts_in_words():
    one = [Group([1, 5], "certain", 99.0, [])]
    assert dupqueue.summary(one, [5]) == "The new record may be a duplicate: 1 candidate group (1 certain)."
    assert dupqueue.summary([], [5]) == "The new record does not look like a duplicate of another record."
    assert dupqueue.summary(one, list(range(6, 1206))) == \
        "None of the 1,200 new records looks like a duplicate of another record."
    assert dupqueue.summary([], []) == "No new records, so no new duplicates."


def test_the_command_line_import_says_how_many_new_records_may_be_duplicates(tmp_path, seed_paths,
                                                                               duplicating_dump, capsys):
    import json

    from paperdesk.cli import main
    from paperdesk.core.library import Library

    db = tmp_path / "lib.sqlite"
    assert main(["import", *map(str, seed_paths), "--db", str(db), "--captured", "2026-06-05"]) == 0
    first = capsys.readouterr()
    assert "Possible duplicates: 16 of the 154 new records, in 8 candidate groups (8 certain)." in first.out
    assert first.err == ""  # the "Looking for duplicates…" hint is for a terminal only
    with Library(db) as library:
        path, copied = duplicating_dump(library)
        groups_before = merging.scan(library)
    assert main(["import", str(path), "--db", str(db), "--captured", "2026-06-05"]) == 0
    out = capsys.readouterr().out
    with Library(db) as library:
        new = [r[0] for r in library.conn.execute("SELECT id FROM papers WHERE id > 154 ORDER BY id")]
        expected = dupqueue.touching(merging.scan(library), new)
        assert shape(dupqueue.combine(groups_before, expected)) == shape(merging.scan(library))
    assert len(new) == 4 and len(expected) == 3
    assert f"{dupqueue.summary(expected, new)} `paperdesk duplicates` lists them." in out
    # --json carries the groups; --no-duplicate-scan leaves the scan out (the same file, one record changed)
    (tmp_path / "later").mkdir()
    again = tmp_path / "later" / path.name
    again.write_text(path.read_text("utf-8").replace("Tidal Gardens", "Tidal Orchards"), "utf-8")
    assert main(["import", str(again), "--db", str(db), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["duplicates"]["new_records"] == 1
    with Library(db) as library:
        gardens, orchards = (library.conn.execute("SELECT id FROM papers WHERE title LIKE ?", (f"Tidal {w}%",))
                             .fetchone()[0] for w in ("Gardens", "Orchards"))
    # the one new record, next to the record whose title it shares but for one word
    assert [g["records"] for g in report["duplicates"]["groups"]] == [[gardens, orchards]]
    (tmp_path / "latest").mkdir()
    third = tmp_path / "latest" / path.name
    third.write_text(path.read_text("utf-8").replace("Tidal Gardens", "Tidal Meadows"), "utf-8")
    assert main(["import", str(third), "--db", str(db), "--no-duplicate-scan"]) == 0
    quiet = capsys.readouterr()
    assert "1 record added" in quiet.out and "duplicate" not in quiet.out + quiet.err
