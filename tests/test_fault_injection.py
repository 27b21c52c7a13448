"""benchmarks/fault_injection.py: its invariant checker catches what it claims to, and (slow) a few SIGKILLs per op
leave every invariant holding. The figures for 100 kills per op are in docs/benchmarks.md."""

from __future__ import annotations

import pytest

import fault_injection
from paperdesk.core import merging


@pytest.fixture
def small(seeded):
    merging.mark_distinct(seeded, [1, 2])
    merging.merge(seeded, 10, [11])
    return seeded


def test_the_checker_passes_a_sound_library(small):
    assert fault_injection.check_invariants(small.path, pairs=1) == []


def test_the_checker_catches_a_record_hidden_without_a_merge(small):
    small.conn.execute("UPDATE papers SET merged_into = 10 WHERE id = 12")
    problems = fault_injection.check_invariants(small.path, pairs=1)
    assert any("record 12: merged_into 10, the merges in force say None" in p for p in problems)
    assert any("wrong sources_count" in p for p in problems)


def test_the_checker_catches_a_stale_full_text_index_and_a_lost_decision(small):
    small.conn.execute("DROP TRIGGER papers_au")
    small.conn.execute("UPDATE papers SET title = 'Something Else Entirely' WHERE id = 3")
    small.conn.execute("DELETE FROM decisions WHERE decision = 'distinct'")
    problems = fault_injection.check_invariants(small.path, pairs=1)
    assert any("full-text index disagrees" in p for p in problems)
    assert any("0 'not duplicates' decisions, 1 expected" in p for p in problems)


@pytest.mark.slow
def test_sigkill_at_random_moments_of_every_op_keeps_the_invariants(tmp_path):
    lines = []
    outcomes = fault_injection.run(runs=4, records=1500, seed=1, work=tmp_path, report=lines.append)
    assert [o.op for o in outcomes] == list(fault_injection.OPS)
    assert all(o.runs == 4 for o in outcomes)
    assert sum(o.killed_mid_way for o in outcomes) >= 12, lines
    assert [f for o in outcomes for f in o.failures] == [], lines
