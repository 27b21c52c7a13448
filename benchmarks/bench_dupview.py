"""The Duplicates page at scale, offscreen: how long the window takes no input when a merge (and its undo) changes
a queue of ~90,000 groups (a million records).

    python benchmarks/bench_dupview.py --library DB [--row N]

``DB`` must hold a stored duplicate queue (a full scan done: ``dupstore.scan_all``; the benchmark does not scan the
whole library itself, it takes minutes at a million records). The library is CHANGED in place (one group merged,
then the merge undone: the records are as before, the change log two events longer): pass a copy.

In one process: the window opens on the library, the page reads the stored queue, then with the page on screen
the group at ``--row`` (default: the middle) is chosen, the merge dialog opened as M opens it and its Merge
button clicked; then Ctrl+Z. For each it prints the time until the click (or the undo) returned, the longest time
the event loop did not run (a 10 ms timer's largest gap: what the librarian feels as a frozen window), the time
until the page showed the groups caught up with the change (its background scan of the touched records done), the
process's CPU time over that span (all threads) and the machine's load average. One JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "desktop"))

TARGET_FROZEN_S = 0.5  # no issue figure; what a window that "takes input" means here


def _settled(page) -> bool:
    return page.worker is None and not page.pending and not page.full_wanted and not page.catch_up_wanted


class Heartbeat:
    """A 10 ms timer; the largest gap between its ticks is the longest the window took no input."""

    def __init__(self):
        from PySide6.QtCore import QTimer

        self.last = time.perf_counter()
        self.longest = 0.0
        self.timer = QTimer()
        self.timer.setInterval(10)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def tick(self):
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def reset(self):
        self.last, self.longest = time.perf_counter(), 0.0


def _wait(app, until, timeout=1800.0) -> None:
    end = time.perf_counter() + timeout
    while not until():
        if time.perf_counter() > end:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.002)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", required=True)
    parser.add_argument("--row", type=int, default=None)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    from paperdesk.core import dupstore
    from paperdesk.core.library import Library
    from paperdesk.gui.dialogs.merge import MergeDialog
    from paperdesk.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    library = Library(args.library)
    if not dupstore.has_results(library):
        raise SystemExit(f"{args.library} holds no duplicate queue: run a full scan first (dupstore.scan_all)")
    settings = QSettings(str(Path(os.environ.get("TMPDIR", "/tmp")) / "bench_dupview.ini"), QSettings.IniFormat)
    t = time.perf_counter()
    window = MainWindow(library, settings)
    window.resize(1200, 800)
    window.show()
    page = window.duplicates
    beat = Heartbeat()
    window.show_duplicates()
    _wait(app, lambda: page.loaded and _settled(page))
    out = {"groups": len(page.groups), "open_s": round(time.perf_counter() - t, 2),
           "open_longest_frozen_s": round(beat.longest, 2)}
    print(f"queue read and shown: {len(page.groups):,} groups in {out['open_s']:.2f} s "
          f"(longest frozen {beat.longest:.2f} s)", flush=True)
    row = len(page.groups) // 2 if args.row is None else args.row
    page.list.setCurrentRow(row)
    page.list.setFocus()
    app.processEvents()
    records = page.groups[row].records
    page.merge_current()  # what M does
    app.processEvents()
    dialog = next(d for d in QApplication.topLevelWidgets() if isinstance(d, MergeDialog) and d.isVisible())

    def measured(name, act):
        beat.reset()
        cpu, t0 = time.process_time(), time.perf_counter()
        act()
        returned = time.perf_counter() - t0
        _wait(app, lambda: _settled(page))
        app.processEvents()
        wall, used = time.perf_counter() - t0, time.process_time() - cpu
        load = os.getloadavg()[0]
        out[name] = {"returned_s": round(returned, 3), "longest_frozen_s": round(beat.longest, 3),
                     "caught_up_s": round(wall, 2), "cpu_s": round(used, 2), "load": round(load, 2),
                     "groups": len(page.groups)}
        print(f"{name}: returned after {returned:.3f} s, window took no input for at most {beat.longest:.3f} s "
              f"(target <= {TARGET_FROZEN_S} s), groups caught up after {wall:.2f} s "
              f"(CPU {used:.2f} s, all threads), {len(page.groups):,} groups, load {load:.1f}", flush=True)

    measured("merge", lambda: dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click())
    assert not any(g.records == records for g in page.groups)
    measured("undo", window.undo_action.trigger)
    out["merged_records"] = list(records)
    out["load_average"] = os.getloadavg()
    window.close()
    library.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
