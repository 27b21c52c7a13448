"""Authors at scale, offscreen: the per-author aggregates, the Authors view's first rows, an author page.

    python benchmarks/bench_authors.py [--records 1000000] [--keep DIR]

Reuses the library bench_table.py builds (same --keep folder), else builds one; changes it (an edit, a merge
and its undo, a 1,000-record import), so pass a copy you can spare. For each change: the time until the
Authors view shows current figures (the catch-up on the touched authors, then the view's first page), and at
the end the incremental aggregates compared with a full rebuild. Prints the figures and one JSON object on the
last line.
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

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "desktop"))


def measure(db: Path) -> dict:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from paperdesk.core import authors, curation, merging
    from paperdesk.core.library import Library
    from paperdesk.gui.author_page import AuthorPage
    from paperdesk.gui.authors_view import AuthorsView

    app = QApplication.instance() or QApplication([])
    library = Library(db)
    figures = {}
    start = time.perf_counter()
    authors.refresh_stats(library)
    figures["full_rebuild_s"] = time.perf_counter() - start  # migrations and repairs; in the background
    start = time.perf_counter()
    view = AuthorsView(library)
    view.resize(1000, 700)
    view.show()
    view.open()
    app.processEvents()
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

    def current(name: str) -> None:
        """The time from the change to the Authors view showing current figures: catch up, reload the page."""
        start = time.perf_counter()
        recounted = authors.catch_up(library)
        assert recounted is not None, "the catch-up fell back to a full rebuild"
        view.model.reload()
        view._count()
        app.processEvents()
        figures[f"{name}_view_current_s"] = time.perf_counter() - start
        figures[f"{name}_authors_recounted"] = recounted

    # an edit: a name replaced on a record with three names
    pid = library.conn.execute("SELECT paper_id FROM paper_authors WHERE position = 3 AND paper_id > (SELECT MAX(id) / 2 FROM papers)"
                               " LIMIT 1").fetchone()[0]
    names = curation.authors_of(library, pid)
    curation.update_fields(library, pid, {"authors": names[:2] + ["Benchmark Newname"]})
    current("edit")
    # a merge of two copies of one paper (same title and first author), then its undo
    a, b = library.conn.execute(
        "SELECT a.id, b.id FROM papers a JOIN papers b ON b.title = a.title AND b.first_author = a.first_author"
        " AND b.id > a.id WHERE a.id > (SELECT MAX(id) / 2 FROM papers) AND a.merged_into IS NULL AND b.merged_into IS NULL LIMIT 1"
    ).fetchone()
    merge_id = merging.merge(library, a, [b])
    current("merge")
    merging.unmerge(library, merge_id)
    current("undo")
    # an import of 1,000 new records
    from generate import generate

    work = Path(tempfile.mkdtemp(prefix="paperdesk-authors-"))
    result = generate(work, 1000, seed=99)
    imported = library.import_files(sorted(result.files), dt.date(2026, 6, 5))
    figures["imported_records"] = sum(r.added for r in imported)
    current("import_1000")
    # all four, checked against a full rebuild from scratch
    rows = "SELECT * FROM author_stats ORDER BY author_id"
    incremental = library.conn.execute(rows).fetchall()
    start = time.perf_counter()
    authors.refresh_stats(library)
    figures["full_rebuild_again_s"] = time.perf_counter() - start
    figures["equal_to_full_rebuild"] = incremental == library.conn.execute(rows).fetchall()
    return {k: round(v, 3) if isinstance(v, float) else v for k, v in figures.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--keep", help="folder of bench_table.py's generated library, reused when there")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(Path(args.measure))))
        return 0
    from bench_table import measure_in_fresh_process

    figures = measure_in_fresh_process(__file__, args.records, args.keep)
    if figures is None:
        return 1
    for key, value in figures.items():
        print(f"{key:28} {value}")
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
