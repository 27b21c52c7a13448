"""Authors at scale, offscreen: the per-author aggregates, the Authors view's first rows, an author page.

    python benchmarks/bench_authors.py [--records 1000000] [--keep DIR]

Reuses the library bench_table.py builds (same --keep folder), else builds one. Prints the figures and one
JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "desktop"))


def measure(db: Path) -> dict:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtWidgets import QApplication

    from paperdesk.core import authors
    from paperdesk.core.library import Library
    from paperdesk.gui.author_page import AuthorPage
    from paperdesk.gui.authors_view import AuthorsView

    app = QApplication.instance() or QApplication([])
    library = Library(db)
    figures = {}
    start = time.perf_counter()
    authors.refresh_stats(library)
    figures["refresh_aggregates_s"] = time.perf_counter() - start  # runs in the background in the app
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
