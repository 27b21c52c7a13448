"""The duplicate work in a child process (core/dupchild.py): the same queue as in the window's process, its
first screen before the rest, Cancel that kills the child (nothing stored changes), a failure as a sentence."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from conftest import SEED_CAPTURED

from paperdesk.core import curation, dupchild, dupstore, merging
from paperdesk.core.library import Library, LibraryError


def shape(groups):
    return sorted((g.confidence, tuple(g.records), round(g.score, 6), tuple(g.reasons)) for g in groups)


def test_the_child_stores_and_returns_the_queue_a_scan_here_gives(seeded, duplicating_dump):
    path, copied = duplicating_dump(seeded)
    seeded.import_file(path, SEED_CAPTURED)
    seen = []
    stored = dupchild.run("scan", seeded.path, "balanced", progress=lambda *a: seen.append(a))
    assert seen and stored.whole and not stored.stale
    assert shape(stored.groups) == shape(merging.scan(seeded)) == shape(dupstore.load(seeded).groups)
    assert [g.records for g in stored.groups] == [g.records for g in dupstore.load(seeded).groups]
    # a change, caught up in a child from the queue shown: only what it reaches comes back
    curation.update_fields(seeded, copied[1], {"title": "Nothing Like Any Other Title In This Library"})
    delta = dupchild.run("catch-up", seeded.path, "balanced", known=stored.event)
    assert delta.changed is not None and copied[1] in delta.changed
    assert shape(dupstore.apply(stored.groups, delta)) == shape(merging.scan(seeded))
    # a new window: the first screen, then the whole queue
    firsts = []
    whole = dupchild.run("load", seeded.path, None, first=firsts.append, first_groups=2)
    assert len(firsts) == 1 and len(firsts[0].groups) >= 2
    assert [g.records for g in firsts[0].groups] == [g.records for g in whole.groups[:len(firsts[0].groups)]]
    assert shape(whole.groups) == shape(merging.scan(seeded))
    assert not multiprocessing.active_children()


def test_cancel_kills_the_child_and_leaves_the_stored_queue_as_it_was(seeded):
    before = dupstore.scan_all(seeded)
    pairs = seeded.conn.execute("SELECT * FROM dup_pairs ORDER BY a, b").fetchall()
    cancel = threading.Event()
    children = []

    def progress(*_):
        children.extend(multiprocessing.active_children())
        cancel.set()  # at the first sign of work

    assert dupchild.run("scan", seeded.path, "strict", progress=progress, cancel=cancel) is None
    assert children and not any(c.is_alive() for c in children)
    assert not multiprocessing.active_children()
    with Library(seeded.path) as again:
        assert again.conn.execute("SELECT * FROM dup_pairs ORDER BY a, b").fetchall() == pairs
        assert shape(dupstore.load(again).groups) == shape(before.groups)
        assert dupstore.load(again).preset == "balanced"


def test_a_failure_in_the_child_is_one_sentence(tmp_path):
    broken = tmp_path / "library.sqlite"
    broken.write_bytes(b"not a library at all " * 100)
    with pytest.raises(LibraryError) as caught:
        dupchild.run("scan", broken, "balanced")
    assert "\n" not in str(caught.value) and "Traceback" not in str(caught.value)
