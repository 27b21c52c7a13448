"""The Duplicates page at scale, offscreen: how long the window takes no input when a merge (and its undo) changes
a queue of ~90,000 groups (a million records).

    python benchmarks/bench_dupview.py --library DB [--row N] [--scan] [--stalls]

``DB`` must hold a stored duplicate queue (a full scan done: ``dupstore.scan_all``; the benchmark does not scan the
whole library itself, it takes minutes at a million records). The library is CHANGED in place (one group merged,
the merge undone and redone; with ``--scan`` its stored queue scanned again): pass a copy.

In one process: the window opens on the library, the page reads the stored queue, then, with the page on screen,
with ``--scan`` a full scan is started and cancelled (how soon it stops), then one runs to its end (time,
CPU, the peak memory of the window's process and of the scan's child process); then the group at ``--row``
(default: the middle) is chosen, the merge dialog opened as M opens it and its Merge
button clicked; then Ctrl+Z, then Ctrl+Shift+Z. For each it prints the time until the click (or the undo/redo)
returned, the longest time the event loop did not run (a 10 ms timer's largest gap: what the librarian feels as a
frozen window), the time until the page showed the groups caught up with the change (its background scan of the
touched records done), the process's CPU time over that span (all threads), its peak memory so far and the
machine's load average. With ``--stalls`` a watchdog thread samples the GUI thread's stack whenever the event
loop has not run for 50 ms and prints, per step, the functions it was found in most (a profile of the freezes
only). One JSON object on the last line.
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

TARGET_FROZEN_S = 0.2  # the brief's bound for a GUI-thread stall on a merge, its undo and its redo
STALL_S = 0.05  # the event loop late by this much: the watchdog samples the GUI thread's stack


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


class StallSampler:
    """A watchdog thread: while the heartbeat is late, the GUI thread's stack every 5 ms, counted per function
    (inclusive: every frame on the stack counts once per sample)."""

    def __init__(self, beat: Heartbeat):
        import threading
        from collections import Counter

        self.beat, self.counts, self.samples = beat, Counter(), 0
        self.main = threading.main_thread().ident
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            time.sleep(0.005)
            if time.perf_counter() - self.beat.last < STALL_S:
                continue
            frame = sys._current_frames().get(self.main)
            seen = set()
            while frame is not None:
                code = frame.f_code
                where = f"{Path(code.co_filename).name}:{code.co_firstlineno} {code.co_name}"
                if where not in seen:
                    seen.add(where)
                    self.counts[where] += 1
                frame = frame.f_back
            self.samples += 1

    def take(self, top: int = 25) -> list[tuple[str, float]]:
        """The functions most found during stalls since the last take, with their share of the samples."""
        out = [(w, round(n / self.samples, 3)) for w, n in self.counts.most_common(top)] if self.samples else []
        self.counts.clear()
        self.samples = 0
        return out


def _peak_mb() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _print_stalls(sampler, step: str) -> None:
    if sampler is None:
        return
    for where, share in sampler.take():
        print(f"   stall[{step}] {share:6.1%}  {where}", flush=True)


def _children_rusage():
    import resource

    return resource.getrusage(resource.RUSAGE_CHILDREN)


def _scan_steps(app, page, beat, sampler, out, cancel_after: float) -> None:
    """Scan again, cancelled after ``cancel_after`` s (how soon the scan stops, the queue as it was), then a
    whole full scan: its time, CPU (this process; its child processes, counted when they end), the longest
    stall, and the peak memory of this (the window's) process and of its largest child."""
    before = [g.records for g in page.groups]
    page.scan()  # what the Scan again button does
    end = time.perf_counter() + cancel_after
    _wait(app, lambda: time.perf_counter() > end)
    t0 = time.perf_counter()
    page.cancel_scan()  # the Cancel button
    _wait(app, lambda: page.worker is None)
    stopped = time.perf_counter() - t0
    same = [g.records for g in page.groups] == before
    out["scan_cancel"] = {"stopped_s": round(stopped, 3), "queue_unchanged": same}
    print(f"scan cancelled after {cancel_after:.0f} s: stopped {stopped:.3f} s after Cancel, queue unchanged: {same}",
          flush=True)
    _print_stalls(sampler, "scan-cancel")
    beat.reset()
    cpu, kids, t0 = time.process_time(), _children_rusage(), time.perf_counter()
    page.scan()
    _wait(app, lambda: _settled(page) and page.scanned)
    wall = time.perf_counter() - t0
    after = _children_rusage()
    child_cpu = after.ru_utime + after.ru_stime - kids.ru_utime - kids.ru_stime
    out["full_scan"] = {"wall_s": round(wall, 1), "window_cpu_s": round(time.process_time() - cpu, 2),
                        "children_cpu_s": round(child_cpu, 1), "window_peak_mb": _peak_mb(),
                        "largest_child_peak_mb": after.ru_maxrss // 1024, "longest_frozen_s": round(beat.longest, 3),
                        "groups": len(page.groups), "load": round(os.getloadavg()[0], 2)}
    f = out["full_scan"]
    print(f"full scan (Scan again): {f['wall_s']} s, CPU {f['window_cpu_s']} s in the window's process and "
          f"{f['children_cpu_s']} s in its child processes; peak {f['window_peak_mb']} MB in the window's process "
          f"(bound 400 MB), {f['largest_child_peak_mb']} MB in the largest child; longest frozen "
          f"{f['longest_frozen_s']} s; {f['groups']:,} groups; load {f['load']}", flush=True)
    _print_stalls(sampler, "full-scan")


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
    parser.add_argument("--stalls", action="store_true", help="print where the GUI thread was during stalls")
    parser.add_argument("--scan", action="store_true",
                        help="before the merge: Scan again cancelled after --cancel-after s, then a whole full scan")
    parser.add_argument("--cancel-after", type=float, default=5.0)
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
    sampler = StallSampler(beat) if args.stalls else None
    window.show_duplicates()
    first = []  # when the page first showed groups (the stored queue's first screen, before the rest)
    _wait(app, lambda: (first or not page.groups or first.append(time.perf_counter() - t)) and page.loaded
          and _settled(page))
    out = {"groups": len(page.groups), "open_s": round(time.perf_counter() - t, 2),
           "open_longest_frozen_s": round(beat.longest, 2), "open_peak_mb": _peak_mb(),
           "first_groups_s": round(first[0], 2) if first else None}
    print(f"first groups shown after {out['first_groups_s']} s (window start included); "
          f"queue read and shown: {len(page.groups):,} groups in {out['open_s']:.2f} s "
          f"(longest frozen {beat.longest:.2f} s), peak {out['open_peak_mb']} MB, load {os.getloadavg()[0]:.1f}",
          flush=True)
    _print_stalls(sampler, "open")
    if args.scan:
        _scan_steps(app, page, beat, sampler, out, args.cancel_after)
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
                     "groups": len(page.groups), "peak_mb": _peak_mb()}
        verdict = "met" if beat.longest <= TARGET_FROZEN_S else "NOT met"
        print(f"{name}: returned after {returned:.3f} s, window took no input for at most {beat.longest:.3f} s "
              f"(target <= {TARGET_FROZEN_S} s: {verdict}), groups caught up after {wall:.2f} s "
              f"(CPU {used:.2f} s, all threads), {len(page.groups):,} groups, peak {out[name]['peak_mb']} MB, "
              f"load {load:.1f}", flush=True)
        _print_stalls(sampler, name)

    measured("merge", lambda: dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click())
    assert not any(g.records == records for g in page.groups)
    measured("undo", window.undo_action.trigger)
    measured("redo", window.redo_action.trigger)
    assert not any(g.records == records for g in page.groups)
    out["merged_records"] = list(records)
    out["load_average"] = os.getloadavg()
    window.close()
    library.close()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
