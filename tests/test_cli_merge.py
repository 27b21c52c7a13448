"""paperdesk merge ID ID… [--into ID], unmerge ID and history ID on the core the GUI uses: one step each, errors
as one sentence with exit 1 or 2, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from paperdesk.cli import main
from paperdesk.core import curation
from paperdesk.core.library import Library


@pytest.fixture
def db(tmp_path, seed_paths):
    path = tmp_path / "lib.sqlite"
    assert main(["import", *map(str, seed_paths), "--db", str(path), "--captured", "2026-06-05"]) == 0
    return str(path)


def merged_into(db, pid):
    with Library(db) as lib:
        return lib.conn.execute("SELECT merged_into FROM papers WHERE id = ?", (pid,)).fetchone()[0]


def test_merge_a_group_in_one_step_then_unmerge_out_of_order(db, capsys):
    assert main(["merge", "11", "12", "--into", "10", "--db", db]) == 0
    assert "merged 11, 12 into 10" in capsys.readouterr().out
    assert main(["merge", "13", "10", "--db", db]) == 0  # the lowest id stays: 10 absorbs 13
    assert main(["merge", "14", "10", "--into", "14", "--db", db]) == 0  # 10 (holding 11, 12, 13) into 14
    assert [merged_into(db, i) for i in (10, 11, 12, 13)] == [14, 14, 14, 14]
    capsys.readouterr()
    assert main(["unmerge", "11", "--db", db]) == 0  # the first merge, while 10 is inside 14
    assert "back out of record 10 (merge 1 undone)" in capsys.readouterr().out
    assert [merged_into(db, i) for i in (10, 11, 12, 13)] == [14, None, None, 14]
    assert main(["unmerge", "10", "--db", db]) == 0
    assert [merged_into(db, i) for i in (10, 11, 12, 13)] == [None, None, None, 10]
    with Library(db) as lib:
        assert len(lib.events("merge")) == 3 and len(lib.events("unmerge")) == 2


def test_unmerge_asks_on_a_conflict_and_takes_keep_or_restore(db, capsys):
    with Library(db) as lib:
        from paperdesk.core import merging

        original = curation.paper_detail(lib, 1)["title"]
        merging.merge(lib, 1, [2], {"title": "Chosen In The Merge"})
        curation.update_fields(lib, 1, {"title": "Edited By Hand"})
    assert main(["unmerge", "2", "--db", db]) == 1
    err = capsys.readouterr().err
    assert err.startswith("paperdesk: record 1 was edited after merge 1 in what the merge had set (title)")
    assert "run again with --keep or --restore" in err and "'Edited By Hand'" in err
    assert merged_into(db, 2) == 1
    assert main(["unmerge", "2", "--restore", "--db", db]) == 0
    with Library(db) as lib:
        assert curation.paper_detail(lib, 1)["title"] == original
        assert merged_into(db, 2) is None


def test_history_lists_merges_edits_tags_and_decisions_oldest_first(db, capsys):
    assert main(["merge", "3", "4", "--db", db]) == 0
    with Library(db) as lib:
        from paperdesk.core import merging

        tag = curation.create_tag(lib, "read")
        curation.add_tag(lib, [3], tag)
        merging.mark_distinct(lib, [3, 9])
        curation.update_fields(lib, 3, {"org": "Somewhere"})
    assert main(["unmerge", "4", "--db", db]) == 0
    capsys.readouterr()
    assert main(["history", "3", "--db", db, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [e["kind"] for e in data["events"]] == ["import", "merge", "tag-add", "not-duplicates", "edit",
                                                   "unmerge"]
    assert [e["id"] for e in data["events"]] == sorted(e["id"] for e in data["events"])
    assert main(["history", "4", "--db", db]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "record 4: 3 events, oldest first"
    assert "merge 1: records 4 merged into record 3" in out and "merge 1 undone" in out


@pytest.mark.parametrize("argv, code, message", [
    (["merge", "5"], 2, "name at least two records to merge"),
    (["merge", "5", "6", "--auto", "certain"], 2, "give record ids or --auto, not both"),
    (["merge", "5", "999"], 1, "there is no record 999 in the library"),
    (["merge", "five", "6"], 2, "not a record id"),
    (["unmerge", "5"], 1, "record 5 is not merged into another record"),
    (["unmerge", "abc"], 2, "not a record id"),
    (["unmerge", "0"], 1, "there is no record 0 in the library"),
    (["history", "999"], 1, "there is no record 999 in the library"),
])
def test_user_errors_are_one_sentence_with_exit_1_or_2(db, argv, code, message):
    done = subprocess.run([sys.executable, "-m", "paperdesk", *argv, "--db", db], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == code, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr


def test_merging_a_record_already_merged_says_where_it_is(db, capsys):
    assert main(["merge", "5", "6", "--db", db]) == 0
    capsys.readouterr()
    assert main(["merge", "6", "7", "--db", db]) == 1
    assert "record 6 is already merged into record 5" in capsys.readouterr().err
