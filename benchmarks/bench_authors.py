"""Authors at scale, offscreen: the per-author aggregates kept current after an edit, a merge, its undo and an
import of 1,000 new records, as the Authors view does it.

    python benchmarks/bench_authors.py [--records 1000000] [--keep DIR | --library DB]

Takes ``--library DB`` (copied into $TMPDIR first, measured there, the copy deleted at the end: the benchmark
changes the library), else reuses the library bench_table.py builds (same --keep folder, changed in place),
else builds one. Then, in a fresh process, with the Authors view on screen: one change at a time, timed from
the moment the change is written to the moment the view shows current figures, the way the app does it (the
view hears of the change, catches up on the touched authors in the background on its kept connection, then
reloads its first page). Per change it prints the wall and CPU time (this process, all threads), the part the
catch-up itself took, the authors brought up to date (by a merge's difference or counted from their records), the machine's load average, and whether the aggregates are
exactly what a full rebuild from scratch gives (each change is checked; the rebuild is not timed). The import
is of 1,000 records generated with another seed under new file names, so every one of them is new to the
library; it says how many were added and how many of their authors were new or already there. Prints the
figures and one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "desktop"))

TARGETS = {"edit": 0.2, "merge": 0.2, "undo": 0.2, "import_1000": 1.0}  # issue 17, seconds
IMPORT_SEED = 20261124  # not the seed of any benchmark library: fresh titles, a partly different name pool

STATS = "author_id, name, papers, first_author, year_min, year_max, coauthors, categories"
AGGREGATES = {"author_stats": STATS, "author_categories": "author_id, category, n", "author_pairs": "a, b"}


def differences_from_full_rebuild(library) -> int:
    """Rebuild every author's aggregates from scratch and count the rows in which the incremental ones differ
    (0: identical). Leaves the rebuilt aggregates in place."""
    from paperdesk.core import authors

    conn = library.conn
    for table, columns in AGGREGATES.items():
        conn.execute(f"DROP TABLE IF EXISTS temp.bench_{table}")
        conn.execute(f"CREATE TEMP TABLE bench_{table} AS SELECT {columns} FROM main.{table}")
    authors.refresh_stats(library)
    differ = 0
    for table, columns in AGGREGATES.items():
        differ += conn.execute(
            f"SELECT (SELECT COUNT(*) FROM (SELECT {columns} FROM main.{table} EXCEPT SELECT * FROM temp.bench_{table}))"
            f" + (SELECT COUNT(*) FROM (SELECT * FROM temp.bench_{table} EXCEPT SELECT {columns} FROM main.{table}))"
        ).fetchone()[0]
        conn.execute(f"DROP TABLE temp.bench_{table}")
    return differ


def measure(db: Path) -> dict:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication

    from generate import generate
    from paperdesk.core import authors, changes, curation, merging
    from paperdesk.core.library import Library
    from paperdesk.gui.author_page import AuthorPage
    from paperdesk.gui.authors_view import AuthorsView

    app = QApplication.instance() or QApplication([])
    library = Library(db)
    conn = library.conn
    figures: dict = {"records": conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0]}
    if not authors.stats_are_current(library):  # a library fresh from its import: the background rebuild
        start = time.perf_counter()
        authors.refresh_stats(library)
        figures["full_rebuild_s"] = time.perf_counter() - start

    def wait_until_idle(view) -> None:
        """Run the event loop until the view's background count (if any) is done and its page reloaded."""
        loop = QEventLoop()
        timer = QTimer(interval=2)
        timer.timeout.connect(lambda: view.worker is None and loop.quit())
        timer.start()
        if view.worker is not None:
            loop.exec()
        timer.stop()
        app.processEvents()

    start = time.perf_counter()
    view = AuthorsView(library)
    view.resize(1000, 700)
    view.show()
    view.open()
    wait_until_idle(view)
    figures["authors_view_first_rows_s"] = time.perf_counter() - start
    figures["authors"] = view.model.total
    top = view.model.rows[0]["name"]
    start = time.perf_counter()
    page = AuthorPage(library)
    page.resize(1100, 760)
    page.show()
    data = page.show_author(top)
    app.processEvents()
    page.repaint()
    figures["author_page_all_charts_s"] = time.perf_counter() - start
    figures["author_papers"] = data["papers"]

    # What the view's background worker did: the catch-up's own time and the authors it recounted, and
    # whether it fell back to a full rebuild (which would not be the incremental path being measured).
    seen: dict = {}
    real_bring_up, real_refresh = authors.bring_up_to_date, authors.refresh_stats

    def bring_up_to_date(lib):
        start = time.perf_counter()
        authors.LAST_CATCH_UP.clear()
        seen["recounted"] = real_bring_up(lib)
        seen["catch_up_s"] = time.perf_counter() - start
        seen["how"] = dict(authors.LAST_CATCH_UP)  # by a merge's difference, or recounted
        return seen["recounted"]

    def refresh_stats(lib):
        seen["full_rebuild"] = True
        return real_refresh(lib)

    def current(name: str, before_event: int) -> None:
        """From the change (already written) to the Authors view showing current figures, as in the app: the
        view hears of the change, catches up in the background, reloads its first page. Then the check."""
        seen.clear()
        authors.bring_up_to_date, authors.refresh_stats = bring_up_to_date, refresh_stats
        try:
            start, cpu = time.perf_counter(), time.process_time()
            view.apply_changes(changes.since(library, before_event))
            wait_until_idle(view)
            wall, cpu = time.perf_counter() - start, time.process_time() - cpu
        finally:
            authors.bring_up_to_date, authors.refresh_stats = real_bring_up, real_refresh
        assert authors.stats_are_current(library), f"{name}: the view did not bring the figures up to date"
        assert not seen.get("full_rebuild"), f"{name}: the catch-up fell back to a full rebuild"
        load = os.getloadavg()[0]
        figures[f"{name}_view_current_s"] = wall
        figures[f"{name}_cpu_s"] = cpu
        figures[f"{name}_catch_up_s"] = seen.get("catch_up_s", 0.0)
        figures[f"{name}_authors_recounted"] = seen.get("recounted", 0)
        figures[f"{name}_authors_by_difference"] = seen.get("how", {}).get("followed", 0)
        figures[f"{name}_authors_counted_from_their_records"] = seen.get("how", {}).get("recounted", 0)
        figures[f"{name}_load_1min"] = round(load, 2)
        figures[f"{name}_view_total_authors"] = view.model.total
        figures[f"{name}_differences_from_full_rebuild"] = differences_from_full_rebuild(library)

    # an edit: a name replaced on a record with three names
    pid = conn.execute("SELECT paper_id FROM paper_authors WHERE position = 3 AND paper_id > (SELECT MAX(id) / 2"
                       " FROM papers) LIMIT 1").fetchone()[0]
    names = curation.authors_of(library, pid)
    mark = changes.last_event_id(library)
    curation.update_fields(library, pid, {"authors": names[:2] + ["Benchmark Newname"]})
    current("edit", mark)
    # a merge of two copies of one paper (same title and first author), then its undo
    a, b = conn.execute(
        "SELECT a.id, b.id FROM papers a JOIN papers b ON b.title = a.title AND b.first_author = a.first_author"
        " AND b.id > a.id WHERE a.id > (SELECT MAX(id) / 2 FROM papers) AND a.merged_into IS NULL"
        " AND b.merged_into IS NULL AND a.trashed_at IS NULL AND b.trashed_at IS NULL LIMIT 1").fetchone()
    mark = changes.last_event_id(library)
    merge_id = merging.merge(library, a, [b])
    current("merge", mark)
    mark = changes.last_event_id(library)
    merging.unmerge(library, merge_id)
    current("undo", mark)
    # an import of 1,000 new records: another seed, no repeats, new file names (a file named like one already
    # imported is read as a new version of it, which adds only what that version did not have)
    work = Path(tempfile.mkdtemp(prefix="paperdesk-authors-"))
    try:
        result = generate(work / "gen", 1000, seed=IMPORT_SEED, repeat_share=0.0, near_miss_share=0.0)
        files = []
        for path in sorted(result.files):
            renamed = work / f"bench-authors-{IMPORT_SEED}-{path.name}"
            path.rename(renamed)
            files.append(renamed)
        last_paper = conn.execute("SELECT MAX(id) FROM papers").fetchone()[0]
        last_author = conn.execute("SELECT MAX(id) FROM authors").fetchone()[0]
        mark = changes.last_event_id(library)
        imported = library.import_files(files, dt.date(2026, 6, 5))
        current("import_1000", mark)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    figures["import_records_added"] = sum(r.added for r in imported)
    figures["import_records_already_present"] = sum(r.already_present for r in imported)
    known, new = conn.execute(
        "SELECT COALESCE(SUM(author_id <= ?), 0), COALESCE(SUM(author_id > ?), 0) FROM (SELECT DISTINCT author_id"
        " FROM paper_authors WHERE paper_id > ?)", (last_author, last_author, last_paper)).fetchone()
    figures["import_authors_already_in_library"] = known
    figures["import_authors_new"] = new
    view.stop()
    figures["equal_to_full_rebuild_after_each_change"] = all(
        figures[f"{n}_differences_from_full_rebuild"] == 0 for n in TARGETS)
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", help="folder of bench_table.py's generated library, reused when there")
    parser.add_argument("--library", help="measure a copy of this library (made in $TMPDIR, deleted after)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(Path(args.measure))))
        return 0
    from bench_table import measure_in_fresh_process

    copy_dir = None
    library = None
    if args.library:
        copy_dir = Path(tempfile.mkdtemp(prefix="paperdesk-bench-authors-"))
        library = copy_dir / Path(args.library).name
        start = time.perf_counter()
        shutil.copyfile(args.library, library)  # the benchmark writes: never into the given file
        print(f"copied {args.library} to {library} in {time.perf_counter() - start:.0f} s", flush=True)
    try:
        figures = measure_in_fresh_process(__file__, args.records, args.keep, library=str(library) if library
                                           else None)
    finally:
        if copy_dir is not None:
            shutil.rmtree(copy_dir, ignore_errors=True)
    if figures is None:
        return 1
    print("taken on a shared 2-core machine; wall and CPU seconds, load = 1-minute load average at the end")
    for name, target in TARGETS.items():
        wall = figures[f"{name}_view_current_s"]
        verdict = "ok" if wall <= target else f"OVER target {target}"
        same = figures[f"{name}_differences_from_full_rebuild"]
        print(f"{name:12} view current {wall:.3f} s (cpu {figures[f'{name}_cpu_s']:.3f} s, catch-up"
              f" {figures[f'{name}_catch_up_s']:.3f} s), {figures[f'{name}_authors_recounted']} authors brought up to"
              f" date ({figures[f'{name}_authors_by_difference']} by the change's difference,"
              f" {figures[f'{name}_authors_counted_from_their_records']} counted from their records),"
              f" load {figures[f'{name}_load_1min']}: {verdict}; full rebuild: "
              + ("identical" if same == 0 else f"{same} rows DIFFER"))
    print(f"import: {figures['import_records_added']:,} records added ({figures['import_records_already_present']}"
          f" already present), authors {figures['import_authors_already_in_library']:,} already in the library +"
          f" {figures['import_authors_new']:,} new")
    for key, value in figures.items():
        print(f"{key:44} {value}")
    print(json.dumps(figures))
    return 0 if figures["equal_to_full_rebuild_after_each_change"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
