"""Batch edits: preview every row, apply the ticked ones as one step, undo and redo it exactly."""

from __future__ import annotations

import json

import pytest

from paperdesk.cli import main as cli
from paperdesk.core import backup, batch, curation
from paperdesk.core.library import LibraryError


def _title(library, pid):
    return library.conn.execute("SELECT title FROM papers WHERE id = ?", (pid,)).fetchone()[0]


def _fts_finds(library, word):
    return {r[0] for r in library.conn.execute("SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?", (word,))}


def test_preview_lists_only_the_rows_that_change_with_before_and_after(seeded):
    ids = batch.ids_matching(seeded, "")
    edit = batch.BatchEdit("replace", field="title", find="Recommendation", replacement="Recommender")
    rows = list(batch.preview(seeded, ids, edit))
    expected = [pid for pid in ids if "Recommendation" in _title(seeded, pid)]
    assert [r.id for r in rows] == expected and expected
    for row in rows:
        assert row.before == _title(seeded, row.id)
        assert row.after == row.before.replace("Recommendation", "Recommender")
        assert row.error is None


def test_apply_undo_redo_of_a_find_and_replace(seeded):
    edit = batch.BatchEdit("replace", field="title", find="recommendation", replacement="Qqrecommender",
                           ignore_case=True)
    rows = list(batch.preview(seeded, batch.ids_matching(seeded, ""), edit))
    ticked = [r.id for r in rows][:-1]  # the librarian unticks the last row
    left_alone = rows[-1].id
    before = {pid: _title(seeded, pid) for pid in ticked + [left_alone]}
    result = batch.apply(seeded, ticked, edit)
    assert result.ids == sorted(ticked)
    for pid in ticked:
        assert "Qqrecommender" in _title(seeded, pid) and "ecommendation" not in _title(seeded, pid).lower()
    assert _title(seeded, left_alone) == before[left_alone]
    assert _fts_finds(seeded, "qqrecommender*") == set(ticked)  # the full-text index follows
    events = seeded.events("batch-edit")
    assert sorted(e["paper_id"] for e in events) == sorted(ticked)
    assert json.loads(events[0]["details"])["changes"]["title"][0] == before[events[0]["paper_id"]]

    batch.undo(seeded, result)
    assert {pid: _title(seeded, pid) for pid in before} == before
    assert _fts_finds(seeded, "qqrecommender*") == set()
    batch.redo(seeded, result)
    assert _fts_finds(seeded, "qqrecommender*") == set(ticked)


def test_apply_works_on_the_record_as_it_is_now_not_on_the_preview(seeded):
    pid = batch.ids_matching(seeded, "")[0]
    edit = batch.BatchEdit("replace", field="title", find="a", replacement="A")
    list(batch.preview(seeded, [pid], edit))
    curation.update_fields(seeded, pid, {"title": "banana split"})  # edited after the preview was shown
    batch.apply(seeded, [pid], edit)
    assert _title(seeded, pid) == "bAnAnA split"


def test_rows_that_would_become_invalid_are_refused_and_left_alone(seeded):
    pid = batch.ids_matching(seeded, "")[0]
    title = _title(seeded, pid)
    edit = batch.BatchEdit("replace", field="title", find=".*", replacement="", regex=True)
    (row,) = batch.preview(seeded, [pid], edit)
    assert row.error == "A title cannot be empty."
    result = batch.apply(seeded, [pid], edit)
    assert result.refused == {pid: "A title cannot be empty."} and not result.old
    assert _title(seeded, pid) == title


def test_rename_an_author_everywhere_in_a_search(seeded):
    ids = batch.ids_matching(seeded, 'author:"Fajie Yuan"')
    assert ids
    edit = batch.BatchEdit("rename_author", find="Fajie Yuan", replacement="F. Yuan")
    result = batch.apply(seeded, ids, edit)
    assert result.ids == sorted(ids)
    for pid in ids:
        assert "F. Yuan" in curation.authors_of(seeded, pid)
        assert "Fajie Yuan" not in curation.authors_of(seeded, pid)
    assert batch.ids_matching(seeded, 'author:"Fajie Yuan"') == []
    batch.undo(seeded, result)
    assert batch.ids_matching(seeded, 'author:"Fajie Yuan"') == ids


def test_set_a_field_validates_like_the_detail_pane(seeded):
    ids = batch.ids_matching(seeded, "year:2022")
    with pytest.raises(LibraryError, match="cannot be set"):
        batch.BatchEdit("set", field="citekey", value="x")
    rows = list(batch.preview(seeded, ids, batch.BatchEdit("set", field="category", value="ZZ")))
    assert rows and all("not a known subject class" in r.error for r in rows)
    result = batch.apply(seeded, ids, batch.BatchEdit("set", field="category", value="cs.CL"))
    cats = {r[0] for r in seeded.conn.execute(
        f"SELECT category FROM papers WHERE id IN ({','.join('?' * len(ids))})", ids)}
    assert cats == {"CL"} and result.old


def test_a_cancelled_batch_changes_nothing(seeded, monkeypatch):
    monkeypatch.setattr(batch, "_BATCH", 10)
    ids = batch.ids_matching(seeded, "")
    titles = {pid: _title(seeded, pid) for pid in ids}
    calls = []
    with pytest.raises(LibraryError, match="cancelled"):
        batch.apply(seeded, ids, batch.BatchEdit("replace", field="title", find="e", replacement="E"),
                    cancelled=lambda: len(calls) > 3, progress=lambda done, total: calls.append(done))
    assert {pid: _title(seeded, pid) for pid in ids} == titles
    assert seeded.events("batch-edit") == []


def test_bad_edits_are_refused_with_a_sentence():
    with pytest.raises(LibraryError, match="not a regular expression"):
        batch.BatchEdit("replace", field="title", find="(", regex=True)
    with pytest.raises(LibraryError, match="find and replace works in"):
        batch.BatchEdit("replace", field="date", find="2020")
    with pytest.raises(LibraryError, match="say what to find"):
        batch.BatchEdit("replace", field="title", find="")


def test_cli_edit_dry_run_changes_nothing_and_apply_backs_up_first(seeded, capsys):
    db = str(seeded.path)
    before = {pid: _title(seeded, pid) for pid in batch.ids_matching(seeded, "")}
    assert cli(["edit", "--db", db, "--search", "recommendation", "--replace", "title", "Recommendation",
                "Recommender", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "(dry run)" in out and "-> " in out
    assert {pid: _title(seeded, pid) for pid in before} == before
    assert cli(["edit", "--db", db, "--search", "recommendation", "--replace", "title", "Recommendation",
                "Recommender"]) == 0
    assert "changed" in capsys.readouterr().out
    changed = [pid for pid, t in before.items() if _title(seeded, pid) != t]
    assert changed and all("Recommender" in _title(seeded, pid) for pid in changed)
    assert [i.reason for i in backup.list_backups(seeded.path)] == ["before batch edit"]
    assert cli(["edit", "--db", db, "--set", "has_code=maybe"]) == 2
    assert "yes or no" in capsys.readouterr().err
