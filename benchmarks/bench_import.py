"""Import speed: generated dumps -> a fresh library, end to end, against a bare-SQLite floor.

    python benchmarks/bench_import.py [--records 100000] [--keep DIR]

End to end is what `paperdesk import` does: read, decode, parse, split titles, write (one transaction per
file, FTS included). The floor is a bare sqlite3 ``executemany`` of the very same rows into the same schema
with the same FTS index, one transaction per file, everything prepared in memory beforehand: what the
writing alone costs. Prints the figures, and one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "desktop"))

from generate import generate  # noqa: E402

from paperdesk.core import dumps  # noqa: E402
from paperdesk.core.library import Library  # noqa: E402

CAPTURED = dt.date(2026, 6, 5)


def floor_rows(parsed_files):
    """Every row the import writes, prepared before the clock starts."""
    author_ids: dict[str, int] = {}
    per_file = []
    next_id = 1
    for source_id, parsed in enumerate(parsed_files, start=1):
        papers, links, provenance = [], [], []
        for r in parsed.records:
            for n in r.authors:
                author_ids.setdefault(n, len(author_ids) + 1)
            papers.append((next_id, r.title, ", ".join(r.authors), r.authors[0] if r.authors else None,
                           int(r.authors_truncated), r.org, r.category, r.date, r.year, int(r.has_code), r.score,
                           r.abstract, json.dumps(r.code_urls) if r.code_urls else None, int(r.needs_review),
                           None, r.fingerprint, "2026-06-05", "2026-06-05"))
            links += [(next_id, author_ids[n], pos) for pos, n in enumerate(r.authors, start=1)]
            provenance.append((next_id, source_id, r.line, r.end_line, r.raw, r.fingerprint))
            next_id += 1
        per_file.append((parsed, papers, links, provenance))
    return author_ids, per_file


def run_floor(db_path: Path, parsed_files) -> float:
    Library(db_path).close()  # the same schema, indexes and FTS table
    import sqlite3

    author_ids, per_file = floor_rows(parsed_files)
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    # The same session settings the importer uses for a many-file run (Library._bulk_writing).
    conn.execute("PRAGMA cache_size = -262144")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    start = time.perf_counter()
    seen_authors: set[str] = set()
    for parsed, papers, links, provenance in per_file:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO sources(file_name, sha256, record_count) VALUES (?, ?, ?)",
                     (parsed.file_name, parsed.sha256, len(papers)))
        new_authors = [(author_ids[n], n) for r in parsed.records for n in r.authors if n not in seen_authors]
        seen_authors.update(n for _, n in new_authors)
        conn.executemany("INSERT OR IGNORE INTO authors(id, name) VALUES (?, ?)", new_authors)
        conn.executemany(
            "INSERT INTO papers(id, title, authors, first_author, authors_truncated, org, category, date, year,"
            " has_code, score, abstract, code_urls, needs_review, review, sources_count, fingerprint, created_at,"
            " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?)", papers)
        conn.execute("INSERT INTO papers_fts(rowid, title, authors, abstract) SELECT id, title, authors, abstract"
                     " FROM papers WHERE id BETWEEN ? AND ?", (papers[0][0], papers[-1][0]))
        conn.executemany("INSERT INTO paper_authors(paper_id, author_id, position) VALUES (?,?,?)", links)
        conn.executemany("INSERT INTO provenance(paper_id, source_id, line, end_line, raw, fingerprint)"
                         " VALUES (?,?,?,?,?,?)", provenance)
        conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)")  # the importer checkpoints once at the end too
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--keep", help="generate into (and keep) this folder")
    args = parser.parse_args(argv)

    work = Path(args.keep or tempfile.mkdtemp(prefix="paperdesk-bench-"))
    dump_dir = work / "dumps"
    t0 = time.perf_counter()
    result = generate(dump_dir, args.records, seed=1)
    files = sorted(result.files)
    size = sum(f.stat().st_size for f in files)
    print(f"generated {args.records:,} records in {len(files)} files ({size / 2**20:.0f} MB) "
          f"in {time.perf_counter() - t0:.1f} s")

    db = work / "import.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    library = Library(db)
    start = time.perf_counter()
    results = library.import_files(files, CAPTURED)
    end_to_end = time.perf_counter() - start
    imported = sum(r.added for r in results)
    flagged = library.conn.execute("SELECT COUNT(*) FROM papers WHERE needs_review = 1").fetchone()[0]
    library.close()
    assert imported == args.records, (imported, args.records)

    parsed = [dumps.read_dump(f, CAPTURED) for f in files]  # not timed: the floor starts from parsed rows
    floor_db = work / "floor.sqlite"
    for suffix in ("", "-wal", "-shm"):
        Path(str(floor_db) + suffix).unlink(missing_ok=True)
    floor = run_floor(floor_db, parsed)

    figures = {
        "records": args.records,
        "files": len(files),
        "end_to_end_s": round(end_to_end, 2),
        "end_to_end_records_per_s": round(args.records / end_to_end),
        "floor_s": round(floor, 2),
        "floor_records_per_s": round(args.records / floor),
        "ratio_to_floor": round(end_to_end / floor, 2),
        "flagged_for_review": flagged,
        "cpus": os.cpu_count(),
    }
    print(f"end to end: {figures['end_to_end_records_per_s']:,} records/s ({end_to_end:.1f} s)")
    print(f"bare-SQLite floor: {figures['floor_records_per_s']:,} records/s ({floor:.1f} s)")
    print(f"end to end / floor: {figures['ratio_to_floor']}x; flagged for review: {flagged}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
