"""Merges as a history that can be unwound in any order (docs/merging.md): the three data losses of issue 13,
the rules one by one, and a hypothesis state machine of merges, unmerges, redos, edits, tags and decisions that
checks the invariants after every step."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import tempfile
from itertools import combinations
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from paperdesk.core import curation, merging
from paperdesk.core.library import Library, LibraryError


def make_library(path: Path, n: int) -> Library:
    lines = []
    for i in range(n):
        lines += [f"LGMay {1 + i % 28}Code", f"Durable Merging Study Tok{i + 1}Wei Guo, Rong Su et al.",
                  f"Abstract of paper {i} about history."]
    dump = path.parent / f"{path.stem}-dump.txt"
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    library = Library(path)
    assert library.import_file(dump, dt.date(2026, 6, 5)).status == "imported"
    return library


@pytest.fixture
def lib(tmp_path):
    library = make_library(tmp_path / "history.sqlite", 30)
    yield library
    library.close()


def visible(library) -> set[int]:
    return {r[0] for r in library.conn.execute("SELECT id FROM papers WHERE merged_into IS NULL")}


def title(library, pid) -> str:
    return library.conn.execute("SELECT title FROM papers WHERE id = ?", (pid,)).fetchone()[0]


# --- the three data losses of issue 13 ---------------------------------------------------------------------


def test_unmerging_out_of_order_brings_every_record_back(lib):
    first = merging.merge(lib, 10, [11])
    second = merging.merge(lib, 13, [10])
    assert lib.conn.execute("SELECT merged_into FROM papers WHERE id = 11").fetchone()[0] == 13
    merging.unmerge(lib, first)  # out of order: 10 is still inside 13
    assert 11 in visible(lib) and 10 not in visible(lib)
    assert lib.conn.execute("SELECT sources_count FROM papers WHERE id = 13").fetchone()[0] == 2
    merging.unmerge(lib, second)
    assert {10, 11, 13} <= visible(lib) and len(visible(lib)) == 30
    assert lib.conn.execute("SELECT COUNT(*) FROM papers WHERE merged_into IS NOT NULL").fetchone()[0] == 0


def test_unmerging_the_later_merge_first_leaves_the_earlier_one_in_force(lib):
    first = merging.merge(lib, 10, [11])
    second = merging.merge(lib, 13, [10])
    merging.unmerge(lib, second)
    assert 10 in visible(lib) and 11 not in visible(lib)
    assert lib.conn.execute("SELECT merged_into FROM papers WHERE id = 11").fetchone()[0] == 10
    assert lib.conn.execute("SELECT sources_count FROM papers WHERE id = 10").fetchone()[0] == 2
    merging.unmerge(lib, first)
    assert len(visible(lib)) == 30


def test_unmerge_keeps_an_edit_made_after_the_merge(lib):
    merge_id = merging.merge(lib, 20, [21])
    curation.update_fields(lib, 20, {"title": "Edited After The Merge"})
    merging.unmerge(lib, merge_id)
    assert title(lib, 20) == "Edited After The Merge"
    assert title(lib, 21) == "Durable Merging Study Tok21"


def test_merge_then_unmerge_keeps_a_not_duplicates_decision(lib):
    merging.mark_distinct(lib, [5, 6])
    merge_id = merging.merge(lib, 5, [6, 7])
    assert (5, 6) in merging.distinct_pairs(lib)
    merging.unmerge(lib, merge_id)
    assert merging.distinct_pairs(lib) == {(5, 6)}
    assert lib.conn.execute("SELECT COUNT(*) FROM decisions WHERE decision = 'merged'").fetchone()[0] == 0


# --- the rules -----------------------------------------------------------------------------------------------


def test_the_merges_own_field_change_is_undone_when_untouched(lib):
    merge_id = merging.merge(lib, 1, [2], {"title": "Chosen In The Merge", "date": "2024-01-02"})
    curation.update_fields(lib, 1, {"org": "Somewhere"})
    assert merging.unmerge_conflicts(lib, merge_id) == []
    merging.unmerge(lib, merge_id)
    row = lib.conn.execute("SELECT title, date, org FROM papers WHERE id = 1").fetchone()
    assert row == ("Durable Merging Study Tok1", "2026-05-01", "Somewhere")


def test_a_field_both_changed_is_asked_about_then_kept_or_restored(lib):
    for choice, expected in (("keep", "Edited By Hand"), ("restore", "Durable Merging Study Tok1")):
        merge_id = merging.merge(lib, 1, [2], {"title": "Chosen In The Merge"})
        curation.update_fields(lib, 1, {"title": "Edited By Hand"})
        with pytest.raises(merging.UnmergeConflict) as caught:
            merging.unmerge(lib, merge_id)
        assert caught.value.conflicts == [{"field": "title", "before": "Durable Merging Study Tok1",
                                           "merged": "Chosen In The Merge", "current": "Edited By Hand"}]
        assert 2 not in visible(lib)  # nothing happened
        merging.unmerge(lib, merge_id, resolve={"title": choice})
        assert title(lib, 1) == expected and 2 in visible(lib)
        curation.update_fields(lib, 1, {"title": "Durable Merging Study Tok1"})


def test_tags_the_merge_gave_go_tags_given_again_after_stay(lib):
    red = curation.create_tag(lib, "red")
    blue = curation.create_tag(lib, "blue")
    curation.add_tag(lib, [2], red)
    curation.add_tag(lib, [3], blue)
    merge_id = merging.merge(lib, 1, [2, 3])
    curation.remove_tag(lib, [1], blue)
    curation.add_tag(lib, [1], blue)  # the librarian tagged the merged record herself
    merging.unmerge(lib, merge_id)
    assert curation.paper_detail(lib, 1)["tags"] == ["blue"]
    assert curation.paper_detail(lib, 2)["tags"] == ["red"]
    assert {t["name"]: t["count"] for t in curation.tags(lib)} == {"red": 1, "blue": 2}


def test_redo_of_an_unmerge_and_its_refusals(lib):
    merge_id = merging.merge(lib, 1, [2], {"title": "Chosen In The Merge"})
    merging.unmerge(lib, merge_id)
    assert merging.reinstate(lib, merge_id) == [2]
    assert title(lib, 1) == "Chosen In The Merge" and 2 not in visible(lib)
    merging.unmerge(lib, merge_id)
    merging.merge(lib, 2, [1])  # the other way round now
    with pytest.raises(LibraryError, match="has since been merged into record 2"):
        merging.reinstate(lib, merge_id)


def test_unmerge_record_finds_the_merge_and_says_when_there_is_none(lib):
    merging.merge(lib, 10, [11])
    merging.merge(lib, 13, [10, 12])
    out = merging.unmerge_record(lib, 11)
    assert out["restored"] == [11] and out["survivor"] == 10 and 11 in visible(lib)
    with pytest.raises(LibraryError, match="record 13 is not merged into another record; records merged into it:"
                                           " 10, 12"):
        merging.unmerge_record(lib, 13)
    with pytest.raises(LibraryError, match="there is no record 999"):
        merging.unmerge_record(lib, 999)
    with pytest.raises(LibraryError, match="record 12 is already merged into record 13"):
        merging.merge(lib, 12, [14])


def test_the_survivors_history_lists_merges_of_records_inside_it(lib):
    first = merging.merge(lib, 10, [11])
    second = merging.merge(lib, 13, [10])
    assert [m["id"] for m in merging.merges_of(lib, 13)] == [second, first]


def test_history_of_a_record_oldest_first(lib):
    tag = curation.create_tag(lib, "keep")
    curation.add_tag(lib, [4], tag)
    merging.mark_distinct(lib, [4, 9])
    merge_id = merging.merge(lib, 3, [4])
    merging.unmerge(lib, merge_id)
    curation.update_fields(lib, 4, {"title": "Later Title"})
    kinds = [e["kind"] for e in merging.history(lib, 4)]
    assert kinds == ["import", "tag-add", "not-duplicates", "merge", "unmerge", "edit"]
    assert all(e["summary"] for e in merging.history(lib, 4))
    assert "tag-add" not in [e["kind"] for e in merging.history(lib, 3)]


def test_a_version_3_library_with_a_hidden_orphan_is_repaired_on_opening(tmp_path):
    """The state bug 1 left behind: record 11 merged_into 10 with no merge in force. Opening brings it back."""
    from paperdesk.core import schema

    path = tmp_path / "old.sqlite"
    make_library(path, 15).close()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("DROP TABLE pinned_exports")  # undo migration 7 (its FTS re-declaration runs again as it is)
    # Undo migration 6 (the Trash): indexes back to the old rule, its column and tables gone.
    for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index'"
                                  " AND sql LIKE '%AND trashed_at IS NULL'").fetchall():
        conn.execute(f'DROP INDEX "{name}"')
        conn.execute(sql.replace(" AND trashed_at IS NULL", ""))
    conn.execute("DROP INDEX idx_papers_trashed")
    conn.execute("DROP TABLE removed_provenance")
    conn.execute("DROP VIEW visible_papers")
    conn.execute("CREATE VIEW visible_papers AS SELECT * FROM papers WHERE merged_into IS NULL")
    conn.execute("ALTER TABLE papers DROP COLUMN trashed_at")
    conn.execute("ALTER TABLE sources DROP COLUMN removed_at")
    conn.execute("DROP TABLE merge_members")
    conn.execute("ALTER TABLE merges DROP COLUMN undone")
    conn.execute("DROP VIEW visible_papers")  # migration 5's
    conn.execute("ALTER TABLE events DROP COLUMN origin")
    conn.execute("PRAGMA user_version = 3")
    old_state = {"others": [11], "repointed": [], "added_tags": [], "sources_count": 1,
                 "survivor": {"title": "T", "tags": [], "merged_into": None}}
    conn.execute("INSERT INTO merges(id, survivor, merged, before, at, undone_at) VALUES (1, 10, '[11]', ?, 'x', 'y')",
                 (json.dumps(old_state),))
    conn.execute("INSERT INTO merges(id, survivor, merged, before, at, undone_at) VALUES (2, 13, '[12]', ?, 'x', NULL)",
                 (json.dumps({**old_state, "others": [12]}),))
    conn.execute("UPDATE papers SET merged_into = 10 WHERE id = 11")
    conn.execute("UPDATE papers SET merged_into = 13 WHERE id = 12")
    conn.close()
    library = Library(path)
    assert library.conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    assert 11 in visible(library) and 12 not in visible(library)
    assert library.conn.execute("SELECT sources_count FROM papers WHERE id = 13").fetchone()[0] == 2
    assert merging.absorbing_merge(library, 12)["id"] == 2
    library.close()


# --- the state machine ---------------------------------------------------------------------------------------

RECORDS = 7
TITLES = ["Alpha Edit", "Beta Edit", "Gamma Edit"]
STEPS = {"count": 0}


class MergeHistory(RuleBasedStateMachine):
    """A model of the rules in docs/merging.md, run against the core; invariants checked after every step."""

    @initialize()
    def setup(self):
        self.dir = Path(tempfile.mkdtemp(prefix="paperdesk-merge-sm-"))
        self.lib = make_library(self.dir / "sm.sqlite", RECORDS)
        self.ids = list(range(1, RECORDS + 1))
        self.title = {i: f"Durable Merging Study Tok{i}" for i in self.ids}
        self.tokens = {f"tok{i}" for i in self.ids} | {t.split()[0].lower() for t in TITLES}
        self.tags = {i: set() for i in self.ids}
        self.tag_ids = [curation.create_tag(self.lib, name) for name in ("red", "blue")]
        self.distinct: set[tuple[int, int]] = set()
        self.merges: dict[int, dict] = {}  # id -> survivor, others, title [before, after] or None, added, live...

    def teardown(self):
        if hasattr(self, "lib"):
            self.lib.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    # model helpers
    def parent(self, pid):
        for m in self.merges.values():
            if m["live"] and pid in m["others"]:
                return m["survivor"]
        return None

    def root(self, pid):
        while self.parent(pid) is not None:
            pid = self.parent(pid)
        return pid

    def shown(self):
        return [i for i in self.ids if self.parent(i) is None]

    # rules
    @rule(data=st.data(), take_title=st.booleans())
    def merge(self, data, take_title):
        shown = self.shown()
        if len(shown) < 2:
            return
        group = data.draw(st.lists(st.sampled_from(shown), min_size=2, max_size=3, unique=True))
        survivor, others = group[0], group[1:]
        fields = {"title": self.title[others[0]]} if take_title else None
        mid = merging.merge(self.lib, survivor, others, fields)
        before = self.title[survivor]
        change = None
        if fields and fields["title"] != before:
            change = [before, fields["title"]]
            self.title[survivor] = fields["title"]
        added = set().union(*(self.tags[o] for o in others)) - self.tags[survivor]
        self.tags[survivor] |= added
        self.merges[mid] = {"survivor": survivor, "others": others, "title": change, "added": added,
                            "retagged": set(), "live": True, "undo_title": None, "removed": set()}
        STEPS["count"] += 1

    @rule(data=st.data(), choice=st.sampled_from(["keep", "restore"]))
    def unmerge(self, data, choice):
        live = sorted(k for k, m in self.merges.items() if m["live"])
        if not live:
            return
        mid = data.draw(st.sampled_from(live))
        m = self.merges[mid]
        s = m["survivor"]
        conflict = False
        new_title = self.title[s]
        if m["title"]:
            before, after = m["title"]
            if self.title[s] == after:
                new_title = before
            elif self.title[s] != before:
                conflict = True
                new_title = before if choice == "restore" else self.title[s]
        if conflict:
            with pytest.raises(merging.UnmergeConflict):
                merging.unmerge(self.lib, mid)
            assert merging.unmerge_conflicts(self.lib, mid)[0]["field"] == "title"
            restored = merging.unmerge(self.lib, mid, resolve=choice)
        else:
            assert merging.unmerge_conflicts(self.lib, mid) == []
            restored = merging.unmerge(self.lib, mid)
        assert restored == m["others"]
        m["undo_title"] = [self.title[s], new_title] if new_title != self.title[s] else None
        self.title[s] = new_title
        m["removed"] = {t for t in m["added"] if t not in m["retagged"] and t in self.tags[s]}
        self.tags[s] -= m["removed"]
        m["live"] = False
        STEPS["count"] += 1

    @rule(data=st.data())
    def redo_unmerge(self, data):
        undone = sorted(k for k, m in self.merges.items() if not m["live"])
        if not undone:
            return
        mid = data.draw(st.sampled_from(undone))
        m = self.merges[mid]
        allowed = all(self.parent(o) is None for o in m["others"]) and self.root(m["survivor"]) not in m["others"]
        if not allowed:
            with pytest.raises(LibraryError):
                merging.reinstate(self.lib, mid)
            return
        merging.reinstate(self.lib, mid)
        s = m["survivor"]
        if m["undo_title"] and self.title[s] == m["undo_title"][1]:
            self.title[s] = m["undo_title"][0]
        self.tags[s] |= m["removed"]
        m["live"] = True
        STEPS["count"] += 1

    @rule(data=st.data(), new=st.sampled_from(TITLES + ["Durable Merging Study Tok1"]))
    def edit(self, data, new):
        pid = data.draw(st.sampled_from(self.shown()))
        curation.update_fields(self.lib, pid, {"title": new})
        self.title[pid] = new
        STEPS["count"] += 1

    @rule(data=st.data(), which=st.integers(0, 1), remove=st.booleans())
    def tag(self, data, which, remove):
        pids = data.draw(st.lists(st.sampled_from(self.shown()), min_size=1, max_size=3, unique=True))
        tag = self.tag_ids[which]
        if remove:
            curation.remove_tag(self.lib, pids, tag)
            for p in pids:
                self.tags[p].discard(tag)
        else:
            curation.add_tag(self.lib, pids, tag)
            for p in pids:
                if tag not in self.tags[p]:
                    self.tags[p].add(tag)
                    for m in self.merges.values():
                        if m["survivor"] == p:
                            m["retagged"].add(tag)
        STEPS["count"] += 1

    @rule(data=st.data(), forget=st.booleans())
    def decide(self, data, forget):
        if forget:
            if self.distinct:
                pair = data.draw(st.sampled_from(sorted(self.distinct)))
                merging.forget_distinct(self.lib, [pair])
                self.distinct.discard(pair)
        else:
            shown = self.shown()
            if len(shown) >= 2:
                ids = data.draw(st.lists(st.sampled_from(shown), min_size=2, max_size=2, unique=True))
                merging.mark_distinct(self.lib, ids)
                self.distinct |= {(min(ids), max(ids))}
        STEPS["count"] += 1

    # invariants, after every step
    @invariant()
    def every_record_is_visible_or_inside_a_visible_one_through_merges_in_force(self):
        if not hasattr(self, "lib"):
            return
        conn = self.lib.conn
        rows = dict(conn.execute("SELECT id, merged_into FROM papers"))
        for pid, into in rows.items():
            if into is None:
                assert self.parent(pid) is None
                continue
            assert rows[into] is None, (pid, into)  # inside a visible record
            hop, seen = pid, set()
            while hop != into:  # reaches it through merges in force
                found = merging.absorbing_merge(self.lib, hop)
                assert found is not None and hop not in seen, (pid, hop)
                seen.add(hop)
                hop = found["survivor"]
            assert into == self.root(pid)
        shown = set(self.shown())
        for pid in shown:
            family = 1 + sum(1 for q, r in rows.items() if r == pid)
            assert conn.execute("SELECT sources_count FROM papers WHERE id = ?", (pid,)).fetchone()[0] == family

    @invariant()
    def fields_tags_and_counts_follow_the_rules(self):
        if not hasattr(self, "lib"):
            return
        for pid in self.ids:
            assert title(self.lib, pid) == self.title[pid], pid
            links = {r[0] for r in self.lib.conn.execute("SELECT tag_id FROM paper_tags WHERE paper_id = ?", (pid,))}
            assert links == self.tags[pid], pid
        shown = set(self.shown())
        counts = {t["id"]: t["count"] for t in curation.tags(self.lib)}
        for tag in self.tag_ids:
            assert counts[tag] == sum(1 for p in shown if tag in self.tags[p])
            assert counts[tag] == self.lib.conn.execute(
                "SELECT COUNT(*) FROM paper_tags pt JOIN papers p ON p.id = pt.paper_id WHERE pt.tag_id = ?"
                " AND p.merged_into IS NULL", (tag,)).fetchone()[0]

    @invariant()
    def full_text_index_agrees_with_the_papers_table(self):
        if not hasattr(self, "lib"):
            return
        for token in self.tokens:
            found = {r[0] for r in self.lib.conn.execute(
                "SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?", (f"title:{token}",))}
            assert found == {p for p in self.ids if token in self.title[p].lower().split()}, token

    @invariant()
    def decisions_survive(self):
        if not hasattr(self, "lib"):
            return
        assert merging.distinct_pairs(self.lib) == self.distinct
        merged = {(a, b) for a, b in self.lib.conn.execute("SELECT a, b FROM decisions WHERE decision = 'merged'")}
        for a, b in merged:
            assert any(m["live"] and {a, b} <= {m["survivor"], *m["others"]} for m in self.merges.values())


def _run(examples: int, steps: int) -> int:
    STEPS["count"] = 0
    machine = settings(max_examples=examples, stateful_step_count=steps, deadline=None, derandomize=False,
                       suppress_health_check=list(HealthCheck))(MergeHistory)
    machine.TestCase().runTest()
    return STEPS["count"]


def test_merge_history_state_machine_short():
    assert _run(examples=8, steps=25) > 0


@pytest.mark.slow
def test_merge_history_state_machine_long():
    """At least 2,000 steps, every invariant checked after each one."""
    done = _run(examples=120, steps=50)
    assert done >= 2000, done


def test_a_new_version_of_a_dump_counts_its_source_on_the_visible_record(tmp_path):
    """A record merged away appears again in a changed version of its dump: the visible record it is inside
    counts that source (and the record itself does, once it comes back out)."""
    path = tmp_path / "versions.sqlite"
    library = make_library(path, 4)
    merge_id = merging.merge(library, 1, [2])
    dump = tmp_path / "versions-dump.txt"
    dump.write_text(dump.read_text("utf-8") + "LGMay 9Code\nA Brand New RecordWei Guo et al.\nNew abstract.\n",
                    encoding="utf-8")
    assert library.import_file(dump, dt.date(2026, 6, 5)).status == "imported"
    counts = dict(library.conn.execute("SELECT id, sources_count FROM papers"))
    assert counts[1] == 4 and counts[5] == 1  # 1 and 2, each from both versions
    merging.unmerge(library, merge_id)
    counts = dict(library.conn.execute("SELECT id, sources_count FROM papers"))
    assert counts[1] == 2 and counts[2] == 2
    library.close()


def test_an_out_of_order_unmerge_reports_the_visible_record_it_changes(lib):
    from paperdesk.core import changes

    merging.merge(lib, 10, [11])
    merging.merge(lib, 13, [10])
    with changes.collect(lib) as got:
        merging.unmerge_record(lib, 11)
    assert got.changes.added == {11} and 13 in got.changes.records


def test_a_record_in_the_trash_is_not_merged(lib):
    from paperdesk.core import trash

    trash.trash(lib, [7])
    with pytest.raises(LibraryError, match="record 7 is in the Trash"):
        merging.merge(lib, 6, [7])
    assert 6 in visible(lib)
