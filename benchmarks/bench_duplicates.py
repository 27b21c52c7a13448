"""Duplicate detection against the generator's labels: time, peak memory, pairs scored per record, and precision
and recall of the certain+likely groups.

    python benchmarks/bench_duplicates.py [--records 100000] [--preset balanced] [--keep DIR] [--library DB]

The generator writes repeated papers (exact, or varied: case, hyphens, words joined, typos, accents, a year's
shift, a changed category or code flag, initials, an edited abstract) and near-miss distinct papers (a -2.0
report, Part II, an extension with the same system name, a companion report) and near-miss families (same
authors, the title differing in one meaningful word or number: ``Sparse Attention for X`` / ``Robust Attention
for X``, ``Foo-7B`` / ``Foo-70B``), and labels every record with its
paper. Precision and recall are counted over pairs of records: a group of three proposes three pairs.

The scan runs in a fresh process (so its peak memory is its own: the largest of that process and of its
scoring processes is printed; its CPU time, with its scoring processes', and the load average before and after
are printed beside the wall time, since the machine may be shared); ``--library DB`` measures an existing generated library whose ``labels.jsonl``
sits in ``DB``'s folder under ``dumps/``. Also measures the incremental scan of the last 1,000 records
against the rest, in fresh processes of their own: the stored sort keys built from nothing (once per library,
core/dupkeys.py), their catch-up after 1,000 imported records, and the scan through them (time, CPU, peak memory;
with ``--library`` on a copy, deleted afterwards). Prints the figures and one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "desktop"))


def _peak_mb() -> float:
    with open("/proc/self/status") as f:  # VmHWM: this process's own peak (ru_maxrss can carry a parent's)
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_s() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(db: str, preset: str, out: str) -> None:
    """In a fresh process: scan, write the groups and figures to ``out``."""
    from paperdesk.core import merging
    from paperdesk.core.library import Library

    library = Library(db, readonly=True)  # the scan only reads: a shared library stays as it is
    stats: dict = {}
    load_before = os.getloadavg()[0]
    cpu_before = _cpu_s()
    start = time.perf_counter()
    groups = merging.scan(library, preset, stats=stats)
    elapsed = time.perf_counter() - start
    figures = {"scan_s": round(elapsed, 2),
               # this process and its scoring processes (reaped when the scan ends); the machine may be shared
               "scan_cpu_s": round(_cpu_s() - cpu_before, 2),
               "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
               "peak_memory_mb": round(_peak_mb()),
               "peak_memory_scoring_process_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
               **stats}
    figures["pairs_scored_per_record"] = round(stats["pairs_scored"] / max(1, stats["records"]), 2)
    Path(out).write_text(json.dumps({"figures": figures, "groups": [g.as_dict() for g in groups]}))


def _last_records(library, n: int = 1000) -> list[int]:
    from paperdesk.core.schema import VISIBLE

    return [r[0] for r in library.conn.execute(f"SELECT id FROM papers WHERE {VISIBLE} ORDER BY id DESC LIMIT ?", (n,))]


def measure_keys(db: str, out: str) -> None:
    """In a fresh process: build the stored sort keys from nothing (what the first scan after an import pays on a
    library that has none yet, once)."""
    from paperdesk.core import dupkeys
    from paperdesk.core.library import Library

    library = Library(db)
    load_before, cpu_before, start = os.getloadavg()[0], _cpu_s(), time.perf_counter()
    dupkeys.rebuild(library)
    figures = {"keys_build_s": round(time.perf_counter() - start, 2), "keys_build_cpu_s": round(_cpu_s() - cpu_before, 2),
               "keys_build_load_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
               "keys_build_peak_memory_mb": round(_peak_mb()),
               "keys_build_peak_memory_reading_process_mb":
                   round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)}
    pages = library.conn.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'dup_keys%'").fetchone()[0] \
        if _has_dbstat(library) else None
    figures["keys_stored_mb"] = round(pages / 1e6) if pages else None
    library.close()
    Path(out).write_text(json.dumps(figures))


def _has_dbstat(library) -> bool:
    try:
        library.conn.execute("SELECT 1 FROM dbstat LIMIT 1")
        return True
    except Exception:
        return False


def measure_incremental(db: str, preset: str, out: str) -> None:
    """In a fresh process (its peak memory its own, as in the window, where the scan runs in a thread): the scan
    after an import of the last 1,000 records against the rest, the stored keys current. Also the keys' catch-up
    for 1,000 imported records (what the scan pays first after an import)."""
    from paperdesk.core import dupkeys, merging
    from paperdesk.core.library import Library

    library = Library(db)
    last = _last_records(library)
    figures = {}
    start, cpu_before = time.perf_counter(), _cpu_s()
    with library.transaction() as conn:
        dupkeys._rewrite(conn, dupkeys.TABLE, last)
    figures["keys_catch_up_1000_s"] = round(time.perf_counter() - start, 2)
    figures["keys_catch_up_1000_cpu_s"] = round(_cpu_s() - cpu_before, 2)
    inc: dict = {}
    load_before, cpu_before, start = os.getloadavg()[0], _cpu_s(), time.perf_counter()
    groups = merging.scan_new(library, last, preset, stats=inc)
    figures["incremental_1000_s"] = round(time.perf_counter() - start, 2)
    figures["incremental_1000_cpu_s"] = round(_cpu_s() - cpu_before, 2)
    figures["incremental_load_before_after"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    figures["incremental_peak_memory_mb"] = round(_peak_mb())
    figures["incremental_through_stored_keys"] = bool(inc.get("indexed"))
    figures["incremental_pairs_scored_per_record"] = round(inc["pairs_scored"] / max(1, len(last)), 2)
    figures["incremental_groups"] = len(groups)
    figures["incremental_stages"] = {k: v for k, v in inc.items() if k.endswith("_s")}
    library.close()
    Path(out).write_text(json.dumps(figures))


def build(work: Path, records: int, seed: int, sibling_share: float = 0.02) -> Path:
    from generate import generate

    from paperdesk.core.library import Library

    db = work / f"dups-{records}.sqlite"
    if db.exists():
        return db
    result = generate(work / "dumps", records, seed=seed, sibling_share=sibling_share)
    library = Library(db)
    library.import_files(sorted(result.files), dt.date(2026, 6, 5))
    library.close()
    for f in result.files:
        f.unlink()
    return db


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--preset", default="balanced", choices=("strict", "balanced", "loose"))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--sibling-share", type=float, default=0.02,
                        help="near-miss families: same authors, one word or number changed (generate.py)")
    parser.add_argument("--keep", help="folder for the generated library, reused when it is there")
    parser.add_argument("--library", help="an existing generated library (labels in its folder's dumps/)")
    parser.add_argument("--no-incremental", action="store_true",
                        help="skip the scan after an import (with --library it works on a copy of the library)")
    parser.add_argument("--measure", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--measure-keys", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--measure-incremental", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        measure(*args.measure)
        return 0
    if args.measure_keys:
        measure_keys(*args.measure_keys)
        return 0
    if args.measure_incremental:
        measure_incremental(*args.measure_incremental)
        return 0

    if args.library:
        db = Path(args.library)
    else:
        work = Path(args.keep or tempfile.mkdtemp(prefix="paperdesk-dups-"))
        work.mkdir(parents=True, exist_ok=True)
        db = build(work, args.records, args.seed, args.sibling_share)
    labels_path = db.parent / "dumps" / "labels.jsonl"
    out = Path(tempfile.mkdtemp(prefix="paperdesk-dups-out-")) / "groups.json"
    done = subprocess.run([sys.executable, __file__, "--measure", str(db), args.preset, str(out)],
                          env={**os.environ, "PYTHONPATH": str(HERE.parent / "desktop")})
    if done.returncode:
        return 1
    data = json.loads(out.read_text())
    import shutil

    shutil.rmtree(out.parent, ignore_errors=True)  # the groups are read: no folder left behind in the temp folder
    figures = {"records": None, "preset": args.preset, **data["figures"]}
    if not args.no_incremental:
        figures.update(_incremental(db, args.preset, copy=bool(args.library)))

    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    paper_of = {(f, line): pid for f, line, pid in conn.execute(
        "SELECT s.file_name, pv.line, pv.paper_id FROM provenance pv JOIN sources s ON s.id = pv.source_id")}
    conn.close()
    cluster_of: dict[int, int] = {}
    kinds: dict[int, str] = {}
    with open(labels_path, encoding="utf-8") as f:
        for line in f:
            label = json.loads(line)
            pid = paper_of.get((label["file"], label["line"]))
            if pid is not None:
                cluster_of[pid] = label["paper"]
                kinds[pid] = label["kind"]
    del paper_of
    by_cluster: dict[int, list[int]] = {}
    for pid, cluster in cluster_of.items():
        by_cluster.setdefault(cluster, []).append(pid)
    true_pairs = {tuple(sorted(p)) for ids in by_cluster.values() if len(ids) > 1 for p in combinations(ids, 2)}
    figures["records"] = len(cluster_of)
    figures["true_pairs"] = len(true_pairs)
    groups = data["groups"]
    for levels, name in ((("certain",), "certain"), (("certain", "likely"), "certain_likely"),
                         (("certain", "likely", "possible"), "all")):
        predicted = {tuple(sorted(p)) for g in groups if g["confidence"] in levels
                     for p in combinations(g["records"], 2) if p[0] in cluster_of and p[1] in cluster_of}
        hits = len(predicted & true_pairs)
        figures[f"{name}_pairs"] = len(predicted)
        figures[f"{name}_precision"] = round(hits / len(predicted), 4) if predicted else 1.0
        figures[f"{name}_recall"] = round(hits / len(true_pairs), 4) if true_pairs else 1.0
    predicted = {tuple(sorted(p)) for g in groups if g["confidence"] in ("certain", "likely")
                 for p in combinations(g["records"], 2) if p[0] in cluster_of and p[1] in cluster_of}
    figures["false_pairs_by_kind"] = _count(kinds[a] + "/" + kinds[b] for a, b in predicted - true_pairs)
    figures["missed_pairs_by_kind"] = _count(kinds[a] + "/" + kinds[b] for a, b in true_pairs - predicted)
    for key, value in figures.items():
        print(f"{key:34} {value}")
    print(json.dumps(figures))
    return 0


def _incremental(db: Path, preset: str, copy: bool) -> dict:
    """The scan after an import, each step in a fresh process; on a copy of a library given with --library (the
    stored keys are written into the library, and a shared library stays as it is)."""
    import shutil

    work = Path(tempfile.mkdtemp(prefix="paperdesk-dups-inc-"))
    target = db
    try:
        if copy:
            target = work / db.name
            for suffix in ("", "-wal"):
                if Path(str(db) + suffix).exists():
                    shutil.copyfile(str(db) + suffix, str(target) + suffix)
        figures = {}
        env = {**os.environ, "PYTHONPATH": str(HERE.parent / "desktop")}
        for flag, extra in (("--measure-keys", []), ("--measure-incremental", [preset])):
            out = work / "figures.json"
            if subprocess.run([sys.executable, __file__, flag, str(target), *extra, str(out)], env=env).returncode:
                raise SystemExit(f"{flag} failed")
            figures.update(json.loads(out.read_text()))
        return figures
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _count(items) -> dict:
    out: dict[str, int] = {}
    for item in items:
        key = "/".join(sorted(item.split("/")))
        out[key] = out.get(key, 0) + 1
    return out


if __name__ == "__main__":
    raise SystemExit(main())
