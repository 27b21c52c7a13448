"""Import speed: generated dumps -> a fresh library, end to end, against what SQLite itself needs.

    python benchmarks/bench_import.py [--records 100000] [--runs 3] [--keep DIR] [--end-to-end-only]

Prints, from the same run (medians when --runs > 1):

- **end to end**: what `paperdesk import` does (read, decode, parse, split titles, write rows, indexes and the
  full-text index, commit, checkpoint), timed around ``Library.import_files``; with the extra disk it needed at
  its peak (write-ahead log, rollback journal and SQLite's temporary files, sampled every 20 ms) against the
  final library's size;
- **bulk floor, Paperdesk's schema**: the very same rows into the very same tables, indexes and full-text index,
  built the fastest way SQLite allows: rows prepared in memory beforehand (not timed), no journal, no syncing,
  one transaction, every secondary index dropped while the rows go in and built once at the end, the full-text
  index filled by one statement with a 64 MB batch;
- **bare floor**: title, authors and abstract alone into a table with an FTS5 index, the same way;
- **the writer's phases** end to end (rows while the files are parsed, the last full-text batch, merging the
  full-text segments into one, the deferred indexes, the commit) and **the first edits after the import**: one
  title, then 1,000 titles by find and replace, then its undo (wall and CPU), with the full-text segments left;
- **parse alone**: the files read, parsed and handed to the writing process on every core, nothing written;
  with its CPU time per record (all processes), and the parser's own CPU per record in one process (the first
  20,000 records, no process start-up or hand-over).

One JSON object on the last line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "desktop"))

from generate import generate  # noqa: E402

from paperdesk.core import library as library_module  # noqa: E402
from paperdesk.core.importrows import PAPER_COLUMNS  # noqa: E402
from paperdesk.core.library import Library  # noqa: E402

TITLE, AUTHORS, ABSTRACT = (PAPER_COLUMNS.index(c) for c in ("title", "authors", "abstract"))

CAPTURED = dt.date(2026, 6, 5)
MB = 2**20


def fresh(path: Path) -> Path:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return path


class DiskWatch:
    """Peak extra disk of this process's SQLite work: the -wal and -journal files beside ``db`` plus every
    deleted-but-open file (SQLite's temporary files are unlinked as soon as they are opened)."""

    def __init__(self, db: Path):
        self.db, self.peak, self._stop = db, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> int:
        total = 0
        for suffix in ("-wal", "-journal"):
            try:
                total += os.stat(str(self.db) + suffix).st_blocks * 512
            except OSError:
                pass
        try:
            fds = os.listdir("/proc/self/fd")
        except OSError:
            return total
        for fd in fds:
            try:
                if os.readlink(f"/proc/self/fd/{fd}").endswith(" (deleted)"):
                    total += os.stat(f"/proc/self/fd/{fd}").st_blocks * 512
            except OSError:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.sample())
            self._stop.wait(0.02)

    def __enter__(self) -> "DiskWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.sample())


def end_to_end(db: Path, files: list[Path]) -> dict:
    fresh(db)
    library = Library(db)
    cpu, children = time.process_time(), os.times()
    with DiskWatch(db) as watch:
        start = time.perf_counter()
        results = library.import_files(files, CAPTURED)
        elapsed = time.perf_counter() - start
    after = os.times()
    added = sum(r.added for r in results)
    phases = dict(library.bulk_phases or {})
    pipeline = dict(library.bulk_pipeline or {})
    library.close()
    size = db.stat().st_size
    return {
        "s": elapsed, "added": added, "library_mb": size / MB, "extra_disk_mb": watch.peak / MB, "phases": phases,
        "waited_s": pipeline.get("waited_s", 0.0), "parsed_here": pipeline.get("parsed_here", 0),
        "extra_disk_ratio": watch.peak / size,
        "cpu_s": time.process_time() - cpu + (after.children_user - children.children_user)
        + (after.children_system - children.children_system),
        "writer_cpu_s": time.process_time() - cpu,
        "parser_cpu_s": (after.children_user - children.children_user)
        + (after.children_system - children.children_system),
    }


def first_edits(db: Path) -> dict:
    """The librarian's first edits on the library the import just made (a fresh process would see the same
    file): one record's title, then a find-and-replace in the titles of 1,000 records, then its undo. What the
    import left in the full-text index shows here: FTS5 finishes any merge left half done on the first write."""
    from paperdesk.core import batch, curation

    out = {}
    with Library(db) as library:
        out["fts_segments"] = library.conn.execute("SELECT COUNT(DISTINCT segid) FROM papers_fts_idx").fetchone()[0]
        ids = [r[0] for r in library.conn.execute(
            "SELECT id FROM papers WHERE merged_into IS NULL ORDER BY id LIMIT 1000 OFFSET 5000")]
        title = library.conn.execute("SELECT title FROM papers WHERE id = ?", (ids[-1] + 1,)).fetchone()[0]
        edit = batch.BatchEdit(kind="replace", field="title", find="$", replacement=" [checked]", regex=True)
        steps = (("edit_one", lambda: curation.update_fields(library, ids[-1] + 1, {"title": title + " (edited)"})),
                 ("edit_1000", lambda: out.setdefault("_result", batch.apply(library, ids, edit))),
                 ("undo_1000", lambda: batch.undo(library, out["_result"])))
        for name, step in steps:
            start, cpu = time.perf_counter(), time.process_time()
            step()
            out[name + "_s"], out[name + "_cpu_s"] = time.perf_counter() - start, time.process_time() - cpu
        assert len(out.pop("_result").old) == len(ids)
    return out


def parse_alone(files: list[Path]) -> tuple[float, list, float]:
    """The import's own parsing pipeline (every core, records handed to this process), nothing written; the
    parsed files are kept for the floors (which start from parsed rows). Also the CPU time of the parsing
    processes and this one (their start, reading, parsing and handing over, and this process's share: it takes
    the rows and parses a file itself when the next one is not ready; the pool is shut down before it is read)."""
    kept = []
    before = os.times()
    start = time.perf_counter()
    with library_module._parse_pool(files) as pool:
        for parsed in library_module._parsed_in_order(pool, files, CAPTURED):
            assert not isinstance(parsed, library_module.ImportResult), parsed.message
            kept.append(parsed)
    elapsed = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system) \
        + (after.user - before.user) + (after.system - before.system)
    return elapsed, kept, cpu


def parse_in_process(files: list[Path], limit: int = 20_000) -> float:
    """CPU seconds per record of ``dumps.read_dump`` alone, in this process, over the first files (up to ``limit``
    records): the parser's own cost, without process start-up or handing records over."""
    from paperdesk.core import dumps

    records, cpu = 0, 0.0
    for path in files:
        start = time.process_time()
        parsed = dumps.read_dump(path, CAPTURED)
        cpu += time.process_time() - start
        records += len(parsed.records)
        if records >= limit:
            break
    return cpu / max(records, 1)


def _fastest_session(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute(f"PRAGMA threads = {min(os.cpu_count() or 1, 4)}")


def schema_floor(db: Path, parsed_files: list) -> float:
    """Paperdesk's tables, indexes and full-text index, built the fastest way SQLite allows. Rows are prepared
    a file at a time with the clock stopped."""
    Library(fresh(db)).close()
    conn = sqlite3.connect(db, isolation_level=None)
    _fastest_session(conn)
    indexes = conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
                           " AND tbl_name IN ('papers', 'paper_authors', 'provenance')").fetchall()
    elapsed = 0.0
    start = time.perf_counter()
    conn.execute("BEGIN")
    for name, _sql in indexes:
        conn.execute(f'DROP INDEX "{name}"')
    elapsed += time.perf_counter() - start
    author_ids: dict[str, int] = {}
    next_id = 1
    for source_id, parsed in enumerate(parsed_files, start=1):
        new_authors = []
        for n in parsed.names():
            if n not in author_ids:
                author_ids[n] = len(author_ids) + 1
                new_authors.append((author_ids[n], n))
        papers = [(next_id + i, *row, "2026-06-05", "2026-06-05") for i, row in enumerate(parsed.papers)]
        links = [(next_id + i, author_ids[n], pos) for i, n, pos in parsed.links]
        provenance = [(next_id + i, source_id, line, end_line, raw, fingerprint)
                      for i, line, end_line, raw, fingerprint in parsed.places]
        next_id += len(papers)
        start = time.perf_counter()
        conn.execute("INSERT INTO sources(id, file_name, sha256, record_count) VALUES (?, ?, ?, ?)",
                     (source_id, parsed.file_name, parsed.sha256, len(papers)))
        conn.executemany("INSERT INTO authors(id, name) VALUES (?, ?)", new_authors)
        conn.executemany(
            f"INSERT INTO papers(id, {', '.join(PAPER_COLUMNS)}, created_at, updated_at)"
            f" VALUES ({', '.join('?' * (len(PAPER_COLUMNS) + 3))})", papers)
        conn.executemany("INSERT INTO paper_authors(paper_id, author_id, position) VALUES (?,?,?)", links)
        conn.executemany("INSERT INTO provenance(paper_id, source_id, line, end_line, raw, fingerprint)"
                         " VALUES (?,?,?,?,?,?)", provenance)
        elapsed += time.perf_counter() - start
    start = time.perf_counter()
    for _name, sql in indexes:
        conn.execute(sql)
    conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('hashsize', ?)", (64 * MB,))
    conn.execute("INSERT INTO papers_fts(rowid, title, authors, abstract) SELECT id, title, authors, abstract"
                 " FROM papers")
    conn.execute("COMMIT")
    elapsed += time.perf_counter() - start
    conn.close()
    return elapsed


def bare_floor(db: Path, parsed_files: list) -> float:
    """Title, authors and abstract alone, with an FTS5 index: what storing and indexing the text costs."""
    conn = sqlite3.connect(fresh(db), isolation_level=None)
    _fastest_session(conn)
    conn.execute("CREATE TABLE papers (id INTEGER PRIMARY KEY, title TEXT, authors TEXT, abstract TEXT)")
    conn.execute("CREATE VIRTUAL TABLE papers_fts USING fts5(title, authors, abstract, content='papers',"
                 " content_rowid='id', tokenize='unicode61 remove_diacritics 2')")
    elapsed = 0.0
    next_id = 1
    conn.execute("BEGIN")
    for parsed in parsed_files:
        rows = [(next_id + i, row[TITLE], row[AUTHORS], row[ABSTRACT]) for i, row in enumerate(parsed.papers)]
        next_id += len(rows)
        start = time.perf_counter()
        conn.executemany("INSERT INTO papers VALUES (?, ?, ?, ?)", rows)
        elapsed += time.perf_counter() - start
    start = time.perf_counter()
    conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES ('hashsize', ?)", (64 * MB,))
    conn.execute("INSERT INTO papers_fts(rowid, title, authors, abstract) SELECT * FROM papers")
    conn.execute("COMMIT")
    elapsed += time.perf_counter() - start
    conn.close()
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=1, help="repeat each measurement; figures are medians")
    parser.add_argument("--keep", help="generate into (and keep) this folder; dumps already there are reused")
    parser.add_argument("--end-to-end-only", action="store_true",
                        help="no floors and no parse-alone pass (the 1,000,000-record disk figure)")
    args = parser.parse_args(argv)

    work = Path(args.keep or tempfile.mkdtemp(prefix="paperdesk-bench-"))
    dump_dir = work / "dumps"
    files = sorted(dump_dir.glob("*.txt")) if dump_dir.exists() else []
    if not files:
        t0 = time.perf_counter()
        files = sorted(generate(dump_dir, args.records, seed=1).files)
        print(f"generated in {time.perf_counter() - t0:.1f} s")
    size = sum(f.stat().st_size for f in files)
    print(f"{args.records:,} records in {len(files)} files ({size / MB:.0f} MB); {os.cpu_count()} cores; "
          f"bulk import: {library_module.is_bulk(files)}")

    runs: dict[str, list] = {"end_to_end": [], "schema_floor": [], "bare_floor": [], "parse": []}
    parse_cpu: list[float] = []
    e2e_details = []
    for run in range(args.runs):
        e2e = end_to_end(work / "import.sqlite", files)
        assert e2e["added"] == args.records, (e2e["added"], args.records)
        e2e["first_edits"] = first_edits(work / "import.sqlite")
        runs["end_to_end"].append(e2e["s"])
        e2e_details.append(e2e)
        if not args.end_to_end_only:
            parse_s, parsed, cpu_s = parse_alone(files)
            runs["parse"].append(parse_s)
            parse_cpu.append(cpu_s)
            runs["schema_floor"].append(schema_floor(work / "floor.sqlite", parsed))
            runs["bare_floor"].append(bare_floor(work / "bare.sqlite", parsed))
            del parsed
        line = ", ".join(f"{k} {v[-1]:.2f} s" for k, v in runs.items() if v)
        print(f"run {run + 1}: {line}; extra disk {e2e['extra_disk_mb']:.0f} MB for a "
              f"{e2e['library_mb']:.0f} MB library; CPU {e2e['cpu_s']:.1f} s (writing process "
              f"{e2e['writer_cpu_s']:.1f} s, parsing processes {e2e['parser_cpu_s']:.1f} s); load average "
              f"{os.getloadavg()[0]:.1f}", flush=True)
        print("  end to end, the writer's phases: " + ", ".join(f"{k} {v:.2f} s" for k, v in e2e["phases"].items()))
        print(f"  during the rows the writer waited {e2e['waited_s']:.2f} s for a parsed file and parsed "
              f"{e2e['parsed_here']} of the {len(files)} files itself")
        edits = e2e["first_edits"]
        print(f"  first edits after the import ({edits['fts_segments']} full-text segments): one title "
              f"{edits['edit_one_s']:.3f} s, 1,000 titles {edits['edit_1000_s']:.2f} s (CPU "
              f"{edits['edit_1000_cpu_s']:.2f} s), its undo {edits['undo_1000_s']:.2f} s (CPU "
              f"{edits['undo_1000_cpu_s']:.2f} s)", flush=True)

    median = {k: statistics.median(v) for k, v in runs.items() if v}
    e2e = median["end_to_end"]
    figures = {
        "records": args.records, "files": len(files), "runs": args.runs, "cpus": os.cpu_count(),
        "end_to_end_s": round(e2e, 2), "end_to_end_records_per_s": round(args.records / e2e),
        "parse_s": round(median["parse"], 2) if "parse" in median else None,
        "library_mb": round(statistics.median(d["library_mb"] for d in e2e_details)),
        "extra_disk_mb": round(max(d["extra_disk_mb"] for d in e2e_details)),
        "extra_disk_ratio": round(max(d["extra_disk_ratio"] for d in e2e_details), 2),
        "end_to_end_cpu_s": round(statistics.median(d["cpu_s"] for d in e2e_details), 1),
        "writer_cpu_s": round(statistics.median(d["writer_cpu_s"] for d in e2e_details), 1),
        "parser_cpu_s": round(statistics.median(d["parser_cpu_s"] for d in e2e_details), 1),
        "load_average": [round(x, 1) for x in os.getloadavg()],
        "writer_waited_s": round(statistics.median(d["waited_s"] for d in e2e_details), 2),
        "files_parsed_by_writer": statistics.median(d["parsed_here"] for d in e2e_details),
        "phases_s": {k: round(statistics.median(d["phases"].get(k, 0.0) for d in e2e_details), 2)
                     for k in e2e_details[0]["phases"]},
        "first_edits": {k: round(statistics.median(d["first_edits"][k] for d in e2e_details), 3)
                        for k in e2e_details[0]["first_edits"]},
        "all_runs": {k: [round(x, 2) for x in v] for k, v in runs.items() if v},
    }
    print(f"end to end:          {e2e:6.2f} s  {args.records / e2e:8,.0f} records/s  "
          f"(CPU {figures['end_to_end_cpu_s']} s over all processes: writing {figures['writer_cpu_s']} s, "
          f"parsing {figures['parser_cpu_s']} s)")
    if "schema_floor" in median:
        floor, bare = median["schema_floor"], median["bare_floor"]
        figures.update(schema_floor_s=round(floor, 2), bare_floor_s=round(bare, 2),
                       ratio_to_schema_floor=round(e2e / floor, 2), ratio_to_bare_floor=round(e2e / bare, 2))
        print(f"bulk floor (schema): {floor:6.2f} s  {args.records / floor:8,.0f} records/s  "
              f"end to end / floor: {e2e / floor:.2f}x")
        print(f"bare floor:          {bare:6.2f} s  {args.records / bare:8,.0f} records/s  "
              f"end to end / bare: {e2e / bare:.2f}x")
    figures["parser_cpu_us_per_record"] = round(figures["parser_cpu_s"] / args.records * 1e6, 1)
    if "parse" in median:
        cpu = statistics.median(parse_cpu)
        in_process = parse_in_process(files)
        figures.update(parse_cpu_s=round(cpu, 1), parse_cpu_us_per_record=round(cpu / args.records * 1e6, 1),
                       parse_in_process_us_per_record=round(in_process * 1e6, 1))
        print(f"parse alone:         {median['parse']:6.2f} s  {args.records / median['parse']:8,.0f} records/s  "
              f"end to end / parse: {e2e / median['parse']:.2f}x")
        print(f"parse CPU:           {cpu:6.2f} s  {cpu / args.records * 1e6:8.1f} us/record (parse alone, all processes;"
              f" end to end the parsing processes: {figures['parser_cpu_us_per_record']} us/record); the parser alone"
              f" in one process: {in_process * 1e6:.1f} us/record")
    print(f"extra disk at peak:  {figures['extra_disk_mb']} MB (WAL, journal, temporary files) = "
          f"{figures['extra_disk_ratio']}x the final library ({figures['library_mb']} MB)")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
