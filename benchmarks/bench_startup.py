"""Start-up: a fresh process from nothing to the main window showing its first rows, with the library file cold
(evicted from the page cache) and warm.

    python benchmarks/bench_startup.py LIBRARY.sqlite [--runs 3]

"Cold" evicts the library file (and its -wal) from the operating system's page cache with
``posix_fadvise(DONTNEED)`` before the process starts, as after a reboot; Python, Qt and the other libraries
stay cached (they are shared with every program on a desktop). Each run is a new process, timed from before it
is started; inside it the phases are timed: imports, opening the library (SQLite's quick check included), the
window built and shown, the first rows painted. Prints medians, the CPU time of each start-up process (the machine
may be shared: the load average is printed too), whether numpy and pyqtgraph were imported (they should not be:
no page shown at start needs them), and one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

CHILD = r"""
import os, sys, time, json, tempfile
t0 = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from pathlib import Path
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication
from paperdesk.core.library import Library
from paperdesk.gui.main_window import MainWindow
app = QApplication([])
t1 = time.perf_counter()
library = Library(sys.argv[1])
t2 = time.perf_counter()
window = MainWindow(library, QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.IniFormat))
window.resize(1500, 860)
window.show()
t3 = time.perf_counter()
app.processEvents()
window.table.viewport().repaint()
first = window.model.index(0, 0).data()
t4 = time.perf_counter()
print(json.dumps({"imports_s": t1 - t0, "open_s": t2 - t1, "window_s": t3 - t2, "first_rows_s": t4 - t3,
                  "rows": window.model.rowCount(), "first_title": first,
                  "pyqtgraph_loaded": "pyqtgraph" in sys.modules, "numpy_loaded": "numpy" in sys.modules}))
"""


def evict(path: Path) -> None:
    """The library's files out of the page cache, as after a reboot (bench_table.py --cold uses this too)."""
    for name in (str(path), str(path) + "-wal", str(path) + "-shm"):
        if not os.path.exists(name):
            continue
        fd = os.open(name, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)


def one_start(db: Path, cold: bool) -> dict:
    if cold:
        evict(db)
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1] / "desktop"))
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", CHILD, str(db)], capture_output=True, text=True, env=env, check=True)
    total = time.perf_counter() - start
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures["total_s"] = total
    figures["cpu_s"] = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    db = Path(args.db)
    results: dict[str, dict] = {}
    for mode in ("cold", "warm"):
        runs = []
        if mode == "warm":
            one_start(db, cold=False)  # bring it in
        for _ in range(args.runs):
            runs.append(one_start(db, cold=mode == "cold"))
        keys = ("total_s", "imports_s", "open_s", "window_s", "first_rows_s", "cpu_s")
        results[mode] = {k: round(statistics.median(r[k] for r in runs), 2) for k in keys}
        results[mode]["all_total_s"] = [round(r["total_s"], 2) for r in runs]
        results[mode]["rows"] = runs[-1]["rows"]
        results[mode]["pyqtgraph_loaded"] = runs[-1]["pyqtgraph_loaded"]
        results[mode]["numpy_loaded"] = runs[-1]["numpy_loaded"]
        results[mode]["load_average"] = [round(x, 2) for x in os.getloadavg()]
        r = results[mode]
        print(f"{mode}: {r['total_s']:.2f} s to the first rows (imports {r['imports_s']:.2f}, open {r['open_s']:.2f},"
              f" window {r['window_s']:.2f}, first rows {r['first_rows_s']:.2f}; CPU {r['cpu_s']:.2f} s);"
              f" runs {r['all_total_s']}; {r['rows']:,} rows; pyqtgraph loaded: {r['pyqtgraph_loaded']},"
              f" numpy loaded: {r['numpy_loaded']}; load average {r['load_average']}", flush=True)
    results["library_mb"] = round(db.stat().st_size / 2**20)
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
