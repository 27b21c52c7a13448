"""The records table on a large library, offscreen: first rows (cold and warm), sorts, search, tag filter, jump,
memory.

    python benchmarks/bench_table.py [--records 1000000] [--keep DIR | --library DB] [--cold | --warm]
                                     [--stale-authors]

Builds the library with the generator (cached in --keep DIR between runs), or takes ``--library DB``, then
measures twice, each time in a fresh process (so that the peak memory is the window's alone: the process that
built the library is not its parent), first from a cold page cache and then warm (``--cold`` or ``--warm``: only
that one). Each figure is the wall time from the action to the first visible row being painted from data; the
first rows are timed from opening the library. "Cold" evicts the library's files from the page cache first
(``posix_fadvise(DONTNEED)``, as bench_startup.py does; only this file, not the whole machine's cache).
``--stale-authors`` marks the per-author aggregates as not current before each process (WRITES to the library:
use a copy), as on a library fresh from a large import or a migration, so that the window's background rebuild
of them runs during the measurement and counts in its peak memory. A library without the "reading-list" tag
(one made by another benchmark) gets it on every 20th record when the run may write (``--stale-authors``);
otherwise the tag step is skipped. Prints the figures, the peak memory after every step, the load average and
CPU time, and one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "desktop"))

from bench_startup import evict  # noqa: E402  (the same page-cache eviction as the start-up benchmark)


def build(db: Path, records: int, work: Path) -> None:
    from generate import generate

    from paperdesk.core.library import Library

    t0 = time.perf_counter()
    result = generate(work / "dumps", records, seed=7)
    print(f"generated {records:,} records in {time.perf_counter() - t0:.0f} s", flush=True)
    t0 = time.perf_counter()
    library = Library(db)
    library.import_files(sorted(result.files), dt.date(2026, 6, 5))
    add_reading_list(library)
    library.conn.execute("PRAGMA optimize")
    library.close()
    print(f"imported in {time.perf_counter() - t0:.0f} s", flush=True)
    for f in result.files:
        f.unlink()


def add_reading_list(library) -> None:
    """A tag on every 20th record (50,000 of a million), as a librarian's big reading list."""
    from paperdesk.core import curation

    tag = curation.create_tag(library, "reading-list")
    with library.transaction() as conn:
        conn.execute("INSERT INTO paper_tags(paper_id, tag_id) SELECT id, ? FROM papers WHERE id % 20 = 0", (tag,))


def ensure_reading_list(db: Path) -> None:
    from paperdesk.core import curation
    from paperdesk.core.library import Library

    library = Library(db)
    try:
        if curation.tag_by_name(library, "reading-list") is None:
            add_reading_list(library)
    finally:
        library.close()


def peak_mb() -> int:
    """This process's own peak resident memory (VmHWM). ru_maxrss is not used: a child's starts at its parent's,
    so it reported the library builder's peak, not the window's."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def measure(db: Path) -> dict:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtWidgets import QApplication

    from paperdesk.core import curation
    from paperdesk.core.library import Library
    from paperdesk.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])

    def shown(window) -> None:
        """Paint: the view asks the model for the rows on screen."""
        app.processEvents()
        window.table.viewport().repaint()
        assert window.model.rowCount() == 0 or window.model.index(0, 0).data() is not None

    figures = {}
    t0 = time.perf_counter()
    library = Library(db)
    settings_dir = tempfile.TemporaryDirectory(prefix="paperdesk-bench-settings-")  # removed when this ends
    window = MainWindow(library, QSettings(str(Path(settings_dir.name) / "b.ini"), QSettings.IniFormat))
    window.resize(1500, 860)
    window.show()
    shown(window)
    figures["first_rows_s"] = time.perf_counter() - t0
    figures["records"] = window.model.rowCount()

    def timed(name, action):
        start = time.perf_counter()
        action()
        shown(window)
        figures[name] = time.perf_counter() - start
        steps_memory[name] = peak_mb()

    steps_memory: dict[str, int] = {"first_rows_s": peak_mb()}
    from paperdesk.core import authors

    figures["author_figures_current_at_start"] = authors.stats_are_current(library)

    year = [k for k in range(window.model.columnCount()) if window.model.headerData(k, Qt.Horizontal) == "Year"][0]
    timed("sort_title_desc_s", lambda: window.table.sortByColumn(0, Qt.DescendingOrder))
    timed("sort_year_s", lambda: window.table.sortByColumn(year, Qt.AscendingOrder))
    timed("sort_title_s", lambda: window.table.sortByColumn(0, Qt.AscendingOrder))
    timed("search_common_word_s", lambda: window._set_filter(search="learning"))
    figures["search_common_word_hits"] = window.model.rowCount()
    timed("search_two_words_s", lambda: window._set_filter(search="sequential recommendation"))
    figures["search_two_words_hits"] = window.model.rowCount()
    timed("search_rare_prefix_s", lambda: window._set_filter(search="karatzo"))
    # Prefixes as typed: one and two letters wait for a third (with a hint) unless Enter is pressed; timed
    # here as Enter runs them, and three letters as typed.
    for prefix in ("l", "re", "lea"):
        timed(f"search_{len(prefix)}_letter_prefix_s", lambda: window._set_filter(search=prefix))
        figures[f"search_{len(prefix)}_letter_prefix_hits"] = window.model.rowCount()
    timed("search_cleared_s", lambda: window._set_filter(search=""))
    tag = curation.tag_by_name(library, "reading-list")
    if tag is not None:  # a library from another benchmark, measured without writing to it, has none
        start = time.perf_counter()
        timed("tag_filter_s", lambda: window._set_filter(view="tags", tag_ids=(tag["id"],)))
        # A big tag shows its first screen first (core.hits); its whole list and count arrive behind it.
        while not window.model.complete:
            app.processEvents()
            time.sleep(0.005)
        figures["tag_filter_counted_s"] = time.perf_counter() - start
        figures["tag_filter_hits"] = window.model.rowCount()
        timed("back_to_all_s", lambda: window._set_filter(view="all", tag_ids=()))

    def jump():
        window.table.scrollToBottom()
        window.select_row(window.model.rowCount() - 1)

    timed("jump_to_last_row_s", jump)
    # The background work the window started (the per-author figures of a library fresh from an import),
    # waited for here so that its memory counts in the peak.
    start = time.perf_counter()
    view = window.authors_view
    while view.worker is not None or not authors.stats_are_current(library):
        app.processEvents()
        time.sleep(0.05)
        if view.worker is None and time.perf_counter() - start > 5:
            view.prepare()
    figures["background_author_figures_s"] = time.perf_counter() - start
    steps_memory["background_author_figures_s"] = peak_mb()
    figures["peak_memory_mb"] = peak_mb()
    figures["cpu_s"] = time.process_time()  # this process's CPU time, all threads (the machine may be shared)
    figures["peak_memory_after_step_mb"] = steps_memory
    settings_dir.cleanup()
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}


def mark_authors_stale(db: Path) -> None:
    """What a library fresh from a million-record import is like: aggregates that only a full rebuild makes
    current (authors.catch_up gives up beyond 50,000 new papers)."""
    import sqlite3

    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("DELETE FROM settings WHERE key = 'author_stats_event'")
    finally:
        conn.close()


def run_fresh(script: str, db: Path, cold: bool = False, stale_authors: bool = False) -> dict | None:
    """Run ``script --measure DB`` in a new process, so that its peak memory is the measurement's alone.
    Returns the figures from its last line, or None on failure."""
    if stale_authors:
        mark_authors_stale(db)
    if cold:
        evict(db)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, script, "--measure", str(db)], capture_output=True, text=True)
    if done.returncode:
        print(done.stderr, file=sys.stderr)
        return None
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["process_wall_s"] = round(time.perf_counter() - start, 2)
    figures["cold"] = cold
    figures["load_average"] = [round(x, 2) for x in os.getloadavg()]
    return figures


def library_for(records: int, keep: str | None, library: str | None = None) -> Path:
    """``library`` as given, or the generated one (built once into ``keep``)."""
    if library:
        return Path(library)
    work = Path(keep or tempfile.mkdtemp(prefix="paperdesk-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = work / f"library-{records}.sqlite"
    if not db.exists():
        build(db, records, work)
    return db


def scratch_folder(keep: str | None, library: str | None) -> Path | None:
    """Where a generated library goes when neither ``--keep`` nor ``--library`` says: a folder of our own,
    removed at the end (it held a whole generated library)."""
    return None if keep or library else Path(tempfile.mkdtemp(prefix="paperdesk-bench-"))


def measure_in_fresh_process(script: str, records: int, keep: str | None, cold: bool = False,
                             library: str | None = None, stale_authors: bool = False) -> dict | None:
    """Build (or reuse) the generated library, then measure it with ``script --measure DB`` in a new process
    (bench_authors.py uses this too)."""
    scratch = scratch_folder(keep, library)
    try:
        return run_fresh(script, library_for(records, keep or scratch, library), cold, stale_authors)
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)


TARGETS = {"first_rows_s": 1.0, "sort_title_desc_s": 0.5, "sort_year_s": 0.5, "sort_title_s": 0.5,
           "search_common_word_s": 0.5, "search_two_words_s": 0.5, "search_rare_prefix_s": 0.5,
           "tag_filter_s": 0.5, "jump_to_last_row_s": 0.1, "peak_memory_mb": 400,
           "search_3_letter_prefix_s": 0.5}
COLD_FIRST_ROWS_TARGET = 2.0


def report(mode: str, figures: dict) -> None:
    targets = dict(TARGETS, first_rows_s=COLD_FIRST_ROWS_TARGET if mode == "cold" else TARGETS["first_rows_s"])
    print(f"--- {mode} page cache (load average {figures['load_average']}) ---")
    for key, value in figures.items():
        if key in ("peak_memory_after_step_mb", "load_average", "cold"):
            continue
        target = targets.get(key)
        verdict = "" if target is None else ("  ok" if value <= target else f"  OVER target {target}")
        print(f"{key:34} {value}{verdict}")
    steps = figures.get("peak_memory_after_step_mb", {})
    over = [k for k, v in steps.items() if v > TARGETS["peak_memory_mb"]]
    print("peak memory (MB) after each step: " + ", ".join(f"{k.removesuffix('_s')} {v}" for k, v in steps.items())
          + ("  ok" if not over else f"  OVER {TARGETS['peak_memory_mb']} MB from {over[0]}"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", help="folder for the generated library, reused when it is there")
    parser.add_argument("--library", help="measure this library (not built; see --stale-authors)")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--cold", action="store_true", help="only from a cold page cache")
    which.add_argument("--warm", action="store_true", help="only with the library in the page cache")
    parser.add_argument("--stale-authors", action="store_true",
                        help="mark the per-author aggregates as not current first (writes to the library)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(Path(args.measure))))
        return 0
    scratch = scratch_folder(args.keep, args.library)
    try:
        db = library_for(args.records, args.keep or scratch, args.library)
        if args.stale_authors:
            ensure_reading_list(db)
        modes = ["cold"] if args.cold else ["warm"] if args.warm else ["cold", "warm"]
        results = {}
        for mode in modes:
            figures = run_fresh(__file__, db, mode == "cold", args.stale_authors)
            if figures is None:
                return 1
            report(mode, figures)
            results[mode] = figures
        print(json.dumps(results))
        return 0
    finally:
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)  # the generated library with it


if __name__ == "__main__":
    raise SystemExit(main())
