"""Export speed on a large library: the first BibTeX export (which assigns every citation key), BibTeX again
with the keys already stored, and the other formats beside it.

    python benchmarks/bench_export.py [--records 100000] [--keep DIR] [--compare DIR] [--save DIR]

Builds the library with the generator (cached in --keep DIR between runs), then times each export to a file
(written beside its target and renamed, as the app does). Targets (issue 17): BibTeX <= 5 s with keys assigned,
the first export <= 10 s. Prints, per export, the wall time and the CPU time of this process and of the worker
processes it started (on a shared machine the CPU time says what the code costs, the wall time what the load
left of it), the load average before and after, and one JSON object on the last line. ``--save DIR`` keeps the
files; ``--compare DIR`` checks each file byte for byte against the one of the same name saved by an earlier run
(of other code: the speed work must not change a byte).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "desktop"))


def build(db: Path, records: int, work: Path) -> None:
    from generate import generate

    from paperdesk.core.library import Library

    t0 = time.perf_counter()
    result = generate(work / "dumps", records, seed=7)
    print(f"generated {records:,} records in {time.perf_counter() - t0:.0f} s", flush=True)
    t0 = time.perf_counter()
    library = Library(db)
    library.import_files(sorted(result.files), dt.date(2026, 6, 5))
    library.close()
    print(f"imported in {time.perf_counter() - t0:.0f} s", flush=True)
    for f in result.files:
        f.unlink()


def _cpu() -> float:
    """CPU seconds of this process and of its finished children (the export's worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _same(a: Path, b: Path) -> bool:
    if a.stat().st_size != b.stat().st_size:
        return False
    with open(a, "rb") as x, open(b, "rb") as y:
        while True:
            chunk = x.read(1 << 20)
            if chunk != y.read(1 << 20):
                return False
            if not chunk:
                return True


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--keep", help="folder to keep the generated library in between runs")
    parser.add_argument("--save", help="folder to keep the exported files in")
    parser.add_argument("--compare", help="folder of files from an earlier run that each export must equal")
    args = parser.parse_args(argv)

    from paperdesk.core.export import ExportOptions
    from paperdesk.core.export.runner import export
    from paperdesk.core.library import Library

    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="bench-export-"))
    work.mkdir(parents=True, exist_ok=True)
    cached = work / f"export-{args.records}.sqlite"
    if not cached.exists():
        build(cached, args.records, work)
    db = work / "bench.sqlite"
    shutil.copy(cached, db)  # a library whose records have no keys yet, every run
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    out = Path(args.save) if args.save else work / "out"
    out.mkdir(parents=True, exist_ok=True)
    figures: dict[str, float] = {}
    cpu: dict[str, float] = {}
    different: list[str] = []
    load_before = os.getloadavg()
    library = Library(db)
    try:
        assert library.conn.execute("SELECT COUNT(*) FROM papers WHERE citekey IS NOT NULL").fetchone()[0] == 0
        runs = [("bibtex_first_export_assigning_keys", "bibtex", ExportOptions()),
                ("bibtex", "bibtex", ExportOptions()),
                ("bibtex_ascii", "bibtex", ExportOptions(ascii=True)),
                ("biblatex", "biblatex", ExportOptions()),
                ("csljson", "csljson", ExportOptions()),
                ("ris", "ris", ExportOptions()),
                ("json", "json", ExportOptions()),
                ("csv", "csv", ExportOptions())]
        for name, fmt, options in runs:
            before = _cpu()
            t0 = time.perf_counter()
            result = export(library, fmt, out / f"{name}.out", options=options)
            figures[name] = round(time.perf_counter() - t0, 2)
            cpu[name] = round(_cpu() - before, 2)
            same = ""
            if args.compare:
                same = ", same bytes" if _same(out / f"{name}.out", Path(args.compare) / f"{name}.out") else ", DIFFERENT"
                if same.endswith("DIFFERENT"):
                    different.append(name)
            print(f"{name:38s} {figures[name]:6.2f} s  (CPU {cpu[name]:5.2f} s; {result.count:,} records"
                  + (f", {result.keys_assigned:,} keys assigned" if result.keys_assigned else "") + same + ")",
                  flush=True)
            assert result.count == args.records or result.count > 0
    finally:
        library.close()
    load_after = os.getloadavg()
    print("load average before / after: " + " / ".join(", ".join(f"{x:.2f}" for x in load)
                                                     for load in (load_before, load_after)))
    if args.compare:
        print("byte for byte against " + args.compare + ": " + ("all the same" if not different
                                                                 else "DIFFERENT: " + ", ".join(different)))
    ok = figures["bibtex"] <= 5 and figures["bibtex_first_export_assigning_keys"] <= 10
    print(f"targets (BibTeX <= 5 s with keys, first export <= 10 s): {'met' if ok else 'NOT met'}")
    print(json.dumps({"records": args.records, **figures, "cpu": cpu, "load_before": load_before,
                      "load_after": load_after, "different": different if args.compare else None}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
