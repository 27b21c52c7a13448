"""The records table's Authors column sorts by the first author's surname (schema migration 9): the migration's
cost on an existing library and the sort itself, at any size.

    python benchmarks/bench_surname_sort.py COPY-OF-LIBRARY.sqlite

Give it a copy (a library of schema 8 is migrated in place). Prints each figure.
"""
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "desktop"))

from paperdesk.core import query  # noqa: E402
from paperdesk.core.library import Library  # noqa: E402

db = Path(sys.argv[1])
t0 = time.perf_counter()
lib = Library(db)  # migrates 8 -> 9: the generated columns and their indexes
print(f"open + migration 9: {time.perf_counter() - t0:.1f} s", flush=True)
for sort, desc in (("title", False), ("first_author", False), ("first_author", True), ("title", False), ("first_author", False)):
    f = query.RecordFilter(sort=sort, descending=desc)
    t0 = time.perf_counter()
    ids = query.ordered_ids(lib.conn, f)
    rows = query.display_rows(lib.conn, list(ids[:150]))
    print(f"sort {sort}{' desc' if desc else ''}: {len(ids):,} ids + first 150 rows in {time.perf_counter() - t0:.2f} s", flush=True)
for sort in ("title", "first_author"):
    f = query.RecordFilter(sort=sort, search="learning")
    t0 = time.perf_counter()
    ids = query.ordered_ids(lib.conn, f)
    print(f"search 'learning' sorted by {sort}: {len(ids):,} in {time.perf_counter() - t0:.2f} s", flush=True)
first = [r[0] for r in lib.conn.execute(f"SELECT first_author_surname FROM papers WHERE id IN ({','.join(map(str, ids[:5]))})")]
print("first surnames:", first)
print(f"peak memory {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB")
lib.close()
