"""Rebuild the README's screenshots: a demo library (the seeds, one ambiguous listing, a few tags), then
``paperdesk snapshot`` for each view.   python docs/screenshots/make.py
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT / "desktop"))

from paperdesk.core import curation  # noqa: E402
from paperdesk.core.library import Library  # noqa: E402
from paperdesk.core.query import RecordFilter, ordered_ids  # noqa: E402


def main() -> None:
    db = Path(tempfile.mkdtemp()) / "demo.sqlite"
    library = Library(db)
    library.import_files(sorted((ROOT / "seeds").glob("*.txt")) + [ROOT / "tests/data/ambiguous_listing.txt"],
                         dt.date(2026, 6, 5))
    tags = {name: curation.create_tag(library, name) for name in ("ctr-prediction", "to-read", "audio")}
    curation.add_tag(library, list(ordered_ids(library.conn, RecordFilter(search="ctr"))), tags["ctr-prediction"])
    curation.add_tag(library, list(ordered_ids(library.conn, RecordFilter(search="category:SD"))), tags["audio"])
    curation.add_tag(library, list(ordered_ids(library.conn, RecordFilter(search="author:yuan year:2021")))[:6],
                     tags["to-read"])
    curation.save_search(library, "Fajie Yuan since 2020", 'author:"Fajie Yuan" year:>=2020')
    library.close()
    for view in ("main", "review", "tags", "duplicates", "merge", "author:Hao Gu", "compare:Hao Gu,Fajie Yuan"):
        name = view.split(":")[0]
        subprocess.run([sys.executable, "-m", "paperdesk", "snapshot", str(OUT / f"{name}.png"), "--db", str(db),
                        "--view", view], check=True)


if __name__ == "__main__":
    main()
