"""How a big tag's next screens cost as the table scrolls before the tag's whole list arrives (core.hits, the
"members" way: ``more()`` asks for the next rows of the sort index with LIMIT/OFFSET).

    python benchmarks/bench_tag_paging.py LIBRARY.sqlite [--every 2] [--depths 200,2000,20000,100000]

The library is opened read-only and never changed: the tag lives in a TEMP ``paper_tags`` table (with the same
indexes as the real one), which SQLite reads in place of the library's own for unqualified names. Every
``--every``-th visible record is tagged. For each depth the script times one ``more(150)`` (the table's WINDOW)
starting that many hits in, as the table would after scrolling that far, and the same query without its OFFSET
(the cost of building the tag's member list alone), with CPU time beside the wall time and the load average.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import time
from pathlib import Path

from paperdesk.core import hits, query
from paperdesk.core.libfile import ro_uri
from paperdesk.core.schema import VISIBLE


def timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, round(time.perf_counter() - wall, 4), round(time.process_time() - cpu, 4)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("library")
    parser.add_argument("--every", type=int, default=2)
    parser.add_argument("--depths", default="200,2000,20000,100000")
    args = parser.parse_args(argv)
    conn = sqlite3.connect(ro_uri(Path(args.library)), uri=True, isolation_level=None)
    conn.execute("PRAGMA cache_size = -65536")
    conn.execute("CREATE TEMP TABLE paper_tags (paper_id INTEGER, tag_id INTEGER, PRIMARY KEY (paper_id, tag_id))")
    conn.execute("CREATE INDEX temp.idx_pt ON paper_tags(tag_id, paper_id)")
    _, wall, _ = timed(lambda: conn.execute(
        f"INSERT INTO temp.paper_tags SELECT id, 1 FROM papers WHERE {VISIBLE} AND id % ? = 0", (args.every,)))
    members = conn.execute("SELECT COUNT(*) FROM temp.paper_tags").fetchone()[0]
    print(f"tag of {members:,} records (every {args.every}th visible record), made in {wall} s")
    f = query.RecordFilter(view="tags", tag_ids=(1,), sort="title")
    h = hits.Hits(conn, f)
    first, wall, cpu = timed(h.first)
    print(f"first screen ({h.way}): {len(first)} hits in {wall} s wall, {cpu} s CPU")
    out = {"members": members, "first_s": wall, "more": {}}
    for depth in (int(d) for d in args.depths.split(",")):
        h.found, h.complete = depth, False
        more, wall, cpu = timed(lambda: h.more(150))
        h.found = 0
        base, bwall, bcpu = timed(lambda: h._probe(150))
        print(f"more(150) at {depth:>7,} hits in: {wall:.4f} s wall, {cpu:.4f} s CPU  (at 0: {bwall:.4f} s wall,"
              f" {bcpu:.4f} s CPU)  rows {len(more)}")
        out["more"][depth] = {"wall_s": wall, "cpu_s": cpu, "at_0_wall_s": bwall, "at_0_cpu_s": bcpu}
    out["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load average {out['load_average']}")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
