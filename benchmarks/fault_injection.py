"""Fault injection: SIGKILL the command line at a random moment of import, merge, unmerge, bulk merge, key
regeneration and export, many times each, and check after every kill that the library keeps its invariants.

    python benchmarks/fault_injection.py [--runs 100] [--records 6000] [--ops import,merge,...] [--seed 0]
        [--json OUT.json]

Each run copies a prepared library, starts ``paperdesk <op>`` in a subprocess, kills it (SIGKILL) after a random
delay between the interpreter's start-up and the op's uninterrupted duration, then opens the library and checks:

- SQLite's integrity check, foreign keys, and the full-text index against the papers table (FTS5
  ``integrity-check`` with content comparison);
- the merge structure (docs/merging.md): every hidden record ends in a visible one through merges in force,
  every record a merge in force absorbed is hidden, ``merged_into`` is the root those merges give;
- every visible record's ``sources_count`` counts its family's provenance; tag links point at live records;
- every "not duplicates" decision from before the op is still there;
- the library is in the state before the op or after it (import: files land whole, in order); an export's
  target is the previous file or the whole new one.

Prints one line per op and a summary; exits 1 if any run broke an invariant. The slow test
tests/test_fault_injection.py runs a few kills per op; the figures in docs/benchmarks.md come from 100.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

OPS = ("import", "merge", "unmerge", "bulk-merge", "keys", "export")
PAIRS = 60  # "not duplicates" decisions made in the prepared library


@dataclass
class Scenario:
    name: str
    argv: list[str]
    library: Path  # the prepared library this op starts from
    before: str = ""
    after: str = ""
    duration: float = 0.0
    export_previous: bytes | None = None
    export_full: bytes | None = None
    import_files: list[str] = field(default_factory=list)


@dataclass
class Outcome:
    op: str
    runs: int = 0
    killed_mid_way: int = 0  # the op had not finished when killed
    landed_before: int = 0
    landed_after: int = 0
    intermediate: int = 0  # import: some files landed
    leftovers: int = 0  # export: temp files left next to the target
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "paperdesk", *args]


def _copy_library(src: Path, dst: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        if Path(str(src) + suffix).exists():
            shutil.copyfile(str(src) + suffix, str(dst) + suffix)


def state_hash(path: Path) -> str:
    """A fingerprint of what the ops change: records, merges, tags, decisions, keys, sources."""
    conn = sqlite3.connect(path)
    try:
        digest = hashlib.sha256()
        for sql in ("SELECT id, merged_into, title, citekey, sources_count FROM papers ORDER BY id",
                    "SELECT id, survivor, merged, undone_at IS NULL FROM merges ORDER BY id",
                    "SELECT paper_id, tag_id FROM paper_tags ORDER BY 1, 2",
                    "SELECT a, b, decision FROM decisions ORDER BY 1, 2",
                    "SELECT id, sha256 FROM sources ORDER BY id"):
            for row in conn.execute(sql):
                digest.update(repr(row).encode())
        return digest.hexdigest()
    finally:
        conn.close()


def check_invariants(path: Path, pairs: int = PAIRS) -> list[str]:
    """What is wrong with the library at ``path`` (empty: every invariant holds). Opens it as the app does."""
    from paperdesk.core.library import Library

    problems = []
    try:
        library = Library(path, create=False)
    except Exception as exc:  # noqa: BLE001 - any failure to open is a finding
        return [f"does not open: {exc}"]
    with library:
        conn = library.conn
        if conn.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check failed")
        if conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
            problems.append("foreign key violations")
        try:
            conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('integrity-check', 1)")
        except sqlite3.Error as exc:
            problems.append(f"full-text index disagrees with the papers table ({exc})")
        merged_into = dict(conn.execute("SELECT id, merged_into FROM papers"))
        parent = dict(conn.execute(
            "SELECT mm.paper_id, m.survivor FROM merge_members mm JOIN merges m ON m.id = mm.merge_id"
            " WHERE mm.role = 'merged' AND m.undone_at IS NULL ORDER BY m.id"))
        for pid, into in merged_into.items():
            root, seen = pid, {pid}
            while root in parent:
                root = parent[root]
                if root in seen:
                    problems.append(f"merge cycle through record {pid}")
                    break
                seen.add(root)
            expected = None if root == pid else root
            if into != expected:
                problems.append(f"record {pid}: merged_into {into}, the merges in force say {expected}")
            if into is not None and merged_into.get(into) is not None:
                problems.append(f"record {pid} is inside {into}, which is hidden itself")
            if len(problems) > 20:
                break
        bad_counts = conn.execute(
            "SELECT COUNT(*) FROM papers p WHERE p.merged_into IS NULL AND p.sources_count != (SELECT COUNT(*)"
            " FROM provenance pv WHERE pv.paper_id = p.id OR pv.paper_id IN (SELECT id FROM papers c WHERE"
            " c.merged_into = p.id))").fetchone()[0]
        if bad_counts:
            problems.append(f"{bad_counts} visible records with a wrong sources_count")
        distinct = conn.execute("SELECT COUNT(*) FROM decisions WHERE decision = 'distinct'").fetchone()[0]
        if distinct != pairs:
            problems.append(f"{distinct} 'not duplicates' decisions, {pairs} expected")
        for sid, count, n in conn.execute("SELECT s.id, s.record_count, (SELECT COUNT(*) FROM provenance pv WHERE"
                                          " pv.source_id = s.id) FROM sources s"):
            if count != n:
                problems.append(f"source {sid}: {n} of its {count} records")
    return problems


def prepare(work: Path, records: int, seed: int) -> dict[str, Scenario]:
    """Build the libraries the ops start from, and time each op once, uninterrupted (its 'after' state)."""
    from generate import generate

    from paperdesk.core import curation, merging
    from paperdesk.core.library import Library

    dumps = generate(work / "dumps", records, seed=seed, repeat_share=0.3)
    extra = generate(work / "extra", max(records // 2, 500), seed=seed + 1, repeat_share=0.0,
                     records_per_file=max(records // 12, 100))
    extra_files = []
    for path in extra.files:  # names of their own: the same name would read as a new version of a base dump
        renamed = path.with_name("extra_" + path.name)
        path.rename(renamed)
        extra_files.append(renamed)
    base = work / "base.sqlite"
    library = Library(base)
    library.import_files(dumps.files)
    tag = curation.create_tag(library, "read")
    curation.add_tag(library, list(range(1, records, 7)), tag)
    visible = [r[0] for r in library.conn.execute("SELECT id FROM papers ORDER BY id")]
    rng = random.Random(seed)
    pairs = set()
    while len(pairs) < PAIRS:
        a, b = rng.sample(visible, 2)
        pairs.add((min(a, b), max(a, b)))
    for a, b in sorted(pairs):
        merging.mark_distinct(library, [a, b])
    library.close()

    merged = work / "merged.sqlite"  # one big family to unmerge, inside another merge (out of order)
    _copy_library(base, merged)
    with Library(merged) as lib:
        family = visible[100 : 100 + max(records // 5, 50)]
        first = merging.merge(lib, family[0], family[1:])
        merging.merge(lib, visible[50], [family[0]])
        curation.update_fields(lib, visible[50], {"org": "edited after"})
        assert first
    group = visible[2000 % len(visible): 2000 % len(visible) + max(records // 20, 10)]
    out = work / "out.bib"
    scenarios = {
        "import": Scenario("import", _cli("import", *map(str, extra_files), "--captured", "2026-06-05"), base,
                           import_files=[p.name for p in extra_files]),
        "merge": Scenario("merge", _cli("merge", *map(str, group)), base),
        "unmerge": Scenario("unmerge", _cli("unmerge", str(family[1])), merged),
        "bulk-merge": Scenario("bulk-merge", _cli("merge", "--auto", "certain"), base),
        "keys": Scenario("keys", _cli("keys", "--regenerate"), base),
        "export": Scenario("export", _cli("export", "--format", "bibtex", "-o", str(out)), base),
    }
    for s in scenarios.values():
        trial = work / f"trial-{s.name}.sqlite"
        _copy_library(s.library, trial)
        s.before = state_hash(trial)
        if s.name == "export":
            out.write_text("% the previous export\n", encoding="utf-8")
            s.export_previous = out.read_bytes()
        start = time.perf_counter()
        done = subprocess.run(s.argv + ["--db", str(trial)], capture_output=True, timeout=600)
        s.duration = time.perf_counter() - start
        if done.returncode != 0:
            raise SystemExit(f"{s.name} failed uninterrupted: {done.stderr.decode()[-500:]}")
        s.after = state_hash(trial)
        if s.name == "export":
            s.export_full = out.read_bytes()
    return scenarios


def startup_seconds() -> float:
    start = time.perf_counter()
    subprocess.run(_cli("--version"), capture_output=True, timeout=60)
    return time.perf_counter() - start


def run_op(s: Scenario, runs: int, work: Path, rng: random.Random, startup: float) -> Outcome:
    outcome = Outcome(s.name)
    began = time.perf_counter()
    db = work / f"run-{s.name}.sqlite"
    out = work / "out.bib"
    for _ in range(runs):
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        _copy_library(s.library, db)
        if s.name == "export":
            for leftover in work.glob("out.bib*"):
                leftover.unlink()
            out.write_bytes(s.export_previous)
        proc = subprocess.Popen(s.argv + ["--db", str(db)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(startup * 0.8, s.duration * 1.05))
        finished = proc.poll() is not None
        if not finished:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        outcome.runs += 1
        outcome.killed_mid_way += not finished
        problems = check_invariants(db)
        state = state_hash(db)
        if state == s.before:
            outcome.landed_before += 1
        elif state == s.after:
            outcome.landed_after += 1
        elif s.name == "import" and not problems:
            conn = sqlite3.connect(db)
            names = [r[0] for r in conn.execute("SELECT file_name FROM sources ORDER BY id")]
            conn.close()
            landed = [n for n in names if n in s.import_files]
            if landed != s.import_files[: len(landed)]:
                problems.append(f"import landed files out of order: {landed}")
            outcome.intermediate += 1
        else:
            problems.append("the library is neither as before the op nor as after it")
        if s.name == "export":
            content = out.read_bytes() if out.exists() else None
            if content not in (s.export_previous, s.export_full):
                problems.append("the export target is neither the previous file nor the whole new one")
            outcome.leftovers += sum(1 for p in work.glob("out.bib*") if p.name != "out.bib")
        if problems:
            outcome.failures.append("; ".join(problems[:5]))
    outcome.seconds = time.perf_counter() - began
    return outcome


def run(runs: int = 100, records: int = 6000, ops=OPS, seed: int = 0, work: Path | None = None,
        report=print) -> list[Outcome]:
    own = work is None
    work = Path(tempfile.mkdtemp(prefix="paperdesk-faults-")) if own else work
    try:
        t0 = time.perf_counter()
        scenarios = prepare(work, records, seed)
        report(f"prepared {records} records in {time.perf_counter() - t0:.1f} s; uninterrupted: "
               + ", ".join(f"{s.name} {s.duration:.2f} s" for s in scenarios.values()))
        startup = startup_seconds()
        rng = random.Random(seed)
        outcomes = []
        for name in ops:
            outcome = run_op(scenarios[name], runs, work, rng, startup)
            outcomes.append(outcome)
            report(f"{name:<10} {outcome.runs} runs, {outcome.killed_mid_way} killed mid-way: before {outcome.landed_before},"
                   f" after {outcome.landed_after}, part-way {outcome.intermediate}; invariants broken in"
                   f" {len(outcome.failures)}" + (f"; export temp files left {outcome.leftovers}" if name == "export"
                                                  else "") + f" ({outcome.seconds:.0f} s)")
            for failure in outcome.failures[:3]:
                report(f"    {failure}")
        return outcomes
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--records", type=int, default=6000)
    parser.add_argument("--ops", default=",".join(OPS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", metavar="OUT.json")
    args = parser.parse_args(argv)
    outcomes = run(args.runs, args.records, [o for o in args.ops.split(",") if o], args.seed)
    total = sum(o.runs for o in outcomes)
    broken = sum(len(o.failures) for o in outcomes)
    print(f"{total} killed runs, invariants held in {total - broken} ({os.cpu_count()}-core machine)")
    if args.json:
        Path(args.json).write_text(json.dumps([o.__dict__ for o in outcomes], indent=2), encoding="utf-8")
    return 1 if broken else 0


if __name__ == "__main__":
    raise SystemExit(main())
