"""Library care at scale: trash, restore, remove an import, a batch find-and-replace with its preview, and a
backup, on a copy of a 1,000,000-record library; and whether the window's GUI thread stays responsive while its
worker trashes 100,000 records.

    python benchmarks/bench_care.py --library /path/to/library-1000000.sqlite [--work DIR] [--records 100000]
                                    [--keep] [--skip-gui] [--skip-1m]

Every operation runs in a child process of its own that did not build or copy the library: its time is
measured around the core call (the same call the app's worker makes, with a progress callback and a cancel
check), its peak memory is the child's own high-water mark (``VmHWM`` from ``/proc/self/status``; on systems
without ``/proc``, ``ru_maxrss``). The copy of the library, the generated dumps and the libraries built here go
into ``--work`` (default ``$TMPDIR/bench_care``) and are deleted at the end unless ``--keep``.

The GUI check builds a library from a generated 100,000-record dump, opens the real main window offscreen,
selects every record, presses Del, and while the worker trashes them a QTimer on the GUI thread ticks every
50 ms; the longest gap between two ticks (from the key press until the views have refreshed) is printed, and the
same for Ctrl+Z. The last line is JSON, like the other benchmark scripts.
"""

from __future__ import annotations

import argparse
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
FIND, REPLACE = "e", "E"  # in titles: nearly every title changes, the worst case for a find and replace


def peak_mb() -> float:
    """This process's peak resident memory, in MB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- the children ------------------------------------------------------------------------------------------


def _ticker():
    calls = []

    def progress(done, total):
        calls.append(done)

    return progress, (lambda: False), calls


def child(op: str, db: str, state_path: str) -> dict:
    from paperdesk.core import backup, batch, trash
    from paperdesk.core.library import Library

    state = json.loads(Path(state_path).read_text()) if Path(state_path).exists() else {}
    library = Library(db, check=False)
    progress, cancelled, calls = _ticker()
    out: dict = {"op": op}
    n = state.get("records", 100_000)
    if op == "import":
        started = time.perf_counter()
        results = library.import_files([state["dump"]], bulk=True)
        out["seconds"] = time.perf_counter() - started
        out["added"] = sum(r.added for r in results)
        state["source_id"] = library.conn.execute("SELECT MAX(id) FROM sources").fetchone()[0]
        out["visible"] = library.conn.execute("SELECT COUNT(*) FROM visible_papers").fetchone()[0]
    elif op == "trash":
        ids = [r[0] for r in library.conn.execute("SELECT id FROM visible_papers ORDER BY id LIMIT ?", (n,))]
        started = time.perf_counter()
        moved = trash.trash(library, ids, progress=progress, cancelled=cancelled)
        out["seconds"] = time.perf_counter() - started
        out["records"] = len(moved)
        state["trashed"] = moved
    elif op == "restore":
        started = time.perf_counter()
        back = trash.restore(library, state["trashed"], progress=progress, cancelled=cancelled)
        out["seconds"] = time.perf_counter() - started
        out["records"] = len(back)
    elif op == "remove_import":
        started = time.perf_counter()
        saved = trash.remove_import(library, state["source_id"], progress=progress, cancelled=cancelled)
        out["seconds"] = time.perf_counter() - started
        out["records"] = len(saved["trashed"]) + len(saved["shared"])
        state["saved"] = saved
    elif op == "undo_remove_import":
        started = time.perf_counter()
        trash.undo_remove_import(library, state["saved"], progress=progress, cancelled=cancelled)
        out["seconds"] = time.perf_counter() - started
        out["records"] = len(state["saved"]["trashed"])
    elif op == "batch":
        ids = [r[0] for r in library.conn.execute("SELECT id FROM visible_papers ORDER BY id LIMIT ?", (n,))]
        edit = batch.BatchEdit("replace", field="title", find=FIND, replacement=REPLACE)
        started = time.perf_counter()
        found = batch.scan(library, ids, edit, progress=progress, cancelled=cancelled)
        first_page = batch.rows(library, found.ids[:200], edit)  # what the preview table shows first
        out["preview_seconds"] = time.perf_counter() - started
        out["preview_peak_mb"] = round(peak_mb(), 1)
        out["changing"] = len(found.ids)
        out["first_page"] = len(first_page)
        started = time.perf_counter()
        result = batch.apply(library, found.ids, edit, progress=progress, cancelled=cancelled)
        out["apply_seconds"] = time.perf_counter() - started
        out["records"] = len(result.old)
        started = time.perf_counter()
        batch.undo(library, result, progress=progress, cancelled=cancelled)
        out["undo_seconds"] = time.perf_counter() - started
        out["seconds"] = out["preview_seconds"] + out["apply_seconds"]
    elif op == "backup":
        dest = Path(state["work"]) / "backup-of-library.sqlite"
        started = time.perf_counter()
        info = backup.make_backup(library, "benchmark", dest, progress=progress, cancelled=cancelled)
        out["seconds"] = time.perf_counter() - started
        out["records"] = info.records
        out["size_mb"] = round(info.size / 2**20)
        dest.unlink()
        Path(str(dest) + ".json").unlink(missing_ok=True)
    else:
        raise SystemExit(f"unknown operation {op}")
    library.close()
    out["progress_calls"] = len(calls)
    out["peak_mb"] = round(peak_mb(), 1)
    Path(state_path).write_text(json.dumps(state))
    return out


def gui_child(db: str, work: str) -> dict:
    """The real window on a library of --gui-records records: Del on all of them, then Ctrl+Z, with a 50 ms
    ticker on the GUI thread."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings, Qt, QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    from paperdesk.core.library import Library
    from paperdesk.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication([])
    library = Library(db, check=False)
    window = MainWindow(library, QSettings(str(Path(work) / "gui-settings.ini"), QSettings.IniFormat))
    window.show()
    QTest.qWait(3000)  # the first screen and the author figures' start-up work settle
    ticks: list[float] = []
    ticker = QTimer(interval=50)
    ticker.timeout.connect(lambda: ticks.append(time.perf_counter()))

    def measure(press) -> dict:
        ticks.clear()
        ticker.start()
        QTest.qWait(200)
        started = time.perf_counter()
        ticks.append(started)
        press()
        saw_worker = window.ops.job is not None
        while window.ops.job is not None:
            QTest.qWait(20)
        finished = time.perf_counter()
        QTest.qWait(300)  # the views' refresh after the worker, on the GUI thread, is inside the measure
        ticker.stop()
        gaps = [b - a for a, b in zip(ticks, ticks[1:])]
        return {"seconds": round(finished - started, 3), "in_worker": saw_worker,
                "max_gap_ms": round(max(gaps) * 1000, 1), "ticks": len(ticks)}

    window.table.setFocus()
    window.table.selectAll()
    selected = len(window.selected_ids())
    out = {"records_selected": selected}
    out["trash"] = measure(lambda: QTest.keyClick(window.table, Qt.Key_Delete))
    out["trashed"] = library.conn.execute("SELECT COUNT(*) FROM papers WHERE trashed_at IS NOT NULL").fetchone()[0]
    window.activateWindow()
    out["undo"] = measure(lambda: QTest.keyClick(window.table, Qt.Key_Z, Qt.ControlModifier))
    out["trashed_after_undo"] = library.conn.execute(
        "SELECT COUNT(*) FROM papers WHERE trashed_at IS NOT NULL").fetchone()[0]
    window.close()
    library.close()
    out["peak_mb"] = round(peak_mb(), 1)
    return out


# --- the parent --------------------------------------------------------------------------------------------


def run_child(args: list[str]) -> dict:
    done = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"child {args[:2]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def generate(out: Path, records: int, seed: int) -> Path:
    subprocess.run([sys.executable, str(HERE / "generate.py"), str(out), "--records", str(records),
                    "--records-per-file", str(records), "--repeat-share", "0", "--near-miss-share", "0",
                    "--seed", str(seed)], check=True, capture_output=True)
    (dump,) = sorted(out.glob("*.txt"))
    return dump


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--library", default="/work/wt/lib1m/library-1000000.sqlite")
    parser.add_argument("--work", default=str(Path(tempfile.gettempdir()) / "bench_care"))
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--gui-records", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--skip-gui", action="store_true")
    parser.add_argument("--skip-1m", action="store_true")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--gui-child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--state", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.db, args.state)))
        return
    if args.gui_child:
        print(json.dumps(gui_child(args.db, args.work)))
        return

    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    figures: dict = {"records": args.records, "cpus": os.cpu_count()}
    try:
        if not args.skip_1m:
            db = work / "library.sqlite"
            started = time.perf_counter()
            shutil.copyfile(args.library, db)
            print(f"copied {Path(args.library).name} ({db.stat().st_size / 2**30:.1f} GB) in "
                  f"{time.perf_counter() - started:.0f} s", flush=True)
            state = work / "state.json"
            dump = generate(work / "dump", args.records, seed=7)
            state.write_text(json.dumps({"dump": str(dump), "records": args.records, "work": str(work)}))
            setup = run_child(["--child", "import", "--db", str(db), "--state", str(state)])
            print(f"setup: imported {setup['added']:,} generated records as one file in {setup['seconds']:.0f} s; "
                  f"the library holds {setup['visible']:,} visible records", flush=True)
            figures["library_records"] = setup["visible"]
            for op in ("trash", "restore", "remove_import", "undo_remove_import", "batch", "backup"):
                result = run_child(["--child", op, "--db", str(db), "--state", str(state)])
                figures[op] = result
                line = f"{op:<20} {result['seconds']:7.2f} s  peak {result['peak_mb']:7.1f} MB"
                if op == "batch":
                    line += (f"  (preview {result['preview_seconds']:.2f} s / peak {result['preview_peak_mb']} MB,"
                             f" {result['changing']:,} rows change; apply {result['apply_seconds']:.2f} s;"
                             f" its undo {result['undo_seconds']:.2f} s)")
                elif "records" in result:
                    line += f"  {result['records']:,} records"
                print(line, flush=True)
            figures["library_mb"] = round(db.stat().st_size / 2**20)
        if not args.skip_gui:
            gui_db = work / "gui.sqlite"
            dump = generate(work / "gui-dump", args.gui_records, seed=11)
            state = work / "gui-state.json"
            state.write_text(json.dumps({"dump": str(dump), "records": args.gui_records, "work": str(work)}))
            run_child(["--child", "import", "--db", str(gui_db), "--state", str(state)])
            gui = run_child(["--gui-child", "--db", str(gui_db), "--work", str(work)])
            figures["gui"] = gui
            for step in ("trash", "undo"):
                g = gui[step]
                print(f"GUI {step:<6} of {gui['records_selected']:,} records: {g['seconds']:.2f} s, in the worker:"
                      f" {g['in_worker']}, longest gap between 50 ms ticks on the GUI thread: {g['max_gap_ms']} ms",
                      flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
