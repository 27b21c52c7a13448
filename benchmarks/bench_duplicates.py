"""Duplicate detection against the generator's labels: precision and recall of the certain+likely groups.

    python benchmarks/bench_duplicates.py [--records 10000] [--preset balanced]

The generator writes repeated papers (exact, or varied: case, hyphens, typos, accents, a year's shift, a
changed category or code flag, initials, an edited abstract) and near-miss distinct papers (a -2.0 report,
Part II, an extension with the same system name, a companion report), and labels every record with its
paper. Precision and recall are counted over pairs of records: a group of three proposes three pairs.
Prints the figures and one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "desktop"))

from generate import generate  # noqa: E402

from paperdesk.core import merging  # noqa: E402
from paperdesk.core.duplicates import PRESETS  # noqa: E402
from paperdesk.core.library import Library  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--preset", default="balanced", choices=tuple(PRESETS))
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="paperdesk-dups-"))
    result = generate(work / "dumps", args.records, seed=args.seed)
    library = Library(work / "dups.sqlite")
    library.import_files(result.files, dt.date(2026, 6, 5))
    paper_of = {(f, line): pid for f, line, pid in library.conn.execute(
        "SELECT s.file_name, pv.line, pv.paper_id FROM provenance pv JOIN sources s ON s.id = pv.source_id")}
    cluster_of = {}
    kinds = {}
    for line in result.labels_path.read_text("utf-8").splitlines():
        label = json.loads(line)
        pid = paper_of[(label["file"], label["line"])]
        cluster_of[pid] = label["paper"]
        kinds[pid] = label["kind"]
    by_cluster: dict[int, list[int]] = {}
    for pid, cluster in cluster_of.items():
        by_cluster.setdefault(cluster, []).append(pid)
    true_pairs = {tuple(sorted(p)) for ids in by_cluster.values() for p in combinations(ids, 2)}

    start = time.perf_counter()
    groups = merging.scan(library, args.preset)
    elapsed = time.perf_counter() - start
    figures = {"records": args.records, "preset": args.preset, "scan_s": round(elapsed, 2),
               "true_pairs": len(true_pairs)}
    for levels, name in ((("certain",), "certain"), (("certain", "likely"), "certain_likely"),
                         (("certain", "likely", "possible"), "all")):
        predicted = {tuple(sorted(p)) for g in groups if g.confidence in levels for p in combinations(g.records, 2)}
        hits = len(predicted & true_pairs)
        figures[f"{name}_pairs"] = len(predicted)
        figures[f"{name}_precision"] = round(hits / len(predicted), 4) if predicted else 1.0
        figures[f"{name}_recall"] = round(hits / len(true_pairs), 4) if true_pairs else 1.0
    # what the misses and false alarms are, in the generator's words
    predicted = {tuple(sorted(p)) for g in groups if g.confidence in ("certain", "likely")
                 for p in combinations(g.records, 2)}
    false = predicted - true_pairs
    missed = true_pairs - predicted
    figures["false_pairs_by_kind"] = _count(kinds[a] + "/" + kinds[b] for a, b in false)
    figures["missed_pairs_by_kind"] = _count(kinds[a] + "/" + kinds[b] for a, b in missed)
    library.close()
    for key, value in figures.items():
        print(f"{key:28} {value}")
    print(json.dumps(figures))
    return 0


def _count(items) -> dict:
    out: dict[str, int] = {}
    for item in items:
        key = "/".join(sorted(item.split("/")))
        out[key] = out.get(key, 0) + 1
    return out


if __name__ == "__main__":
    raise SystemExit(main())
