"""A SIGKILL in the middle of an import leaves a library that opens and holds exactly the finished files."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

from paperdesk.core.library import Library


def make_dumps(folder, files=12, records=4000):
    paths = []
    for f in range(files):
        lines = []
        for r in range(records):
            lines += [f"LGMay {1 + r % 28}Code", f"Paper Number {f} {r} on Crash SafetyWei Guo, Rong Su et al.",
                      f"Abstract of paper {f}-{r} about durable writes."]
        path = folder / f"{f:03d}.txt"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


def test_sigkill_mid_import(tmp_path):
    paths = make_dumps(tmp_path)
    db = tmp_path / "crash.sqlite"
    Library(db).close()
    proc = subprocess.Popen([sys.executable, "-m", "paperdesk", "import", *map(str, paths), "--db", str(db),
                             "--captured", "2026-06-05"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(db, timeout=0.05) as probe:
                done = probe.execute("SELECT COUNT(*) FROM sources").fetchone()[0]
        except sqlite3.OperationalError:
            pass
        if done >= 3:
            break
        time.sleep(0.01)
    assert proc.poll() is None, "the import finished before it could be killed; make the dumps larger"
    time.sleep(0.05)  # land somewhere inside a later file's transaction
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    library = Library(db)
    assert library.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    sources = library.sources()
    assert 3 <= len(sources) < len(paths)
    assert [s["file_name"] for s in sources] == [p.name for p in paths[: len(sources)]]
    per_source = dict(library.conn.execute("SELECT source_id, COUNT(*) FROM provenance GROUP BY source_id"))
    assert all(per_source[s["id"]] == s["record_count"] == 4000 for s in sources)
    assert library.count_papers() == 4000 * len(sources)
    assert library.conn.execute("SELECT COUNT(*) FROM papers_fts").fetchone()[0] == 4000 * len(sources)
    assert len(library.events("import")) == len(sources)
    # and the import can simply be run again: the finished files are recognised, the rest is added
    results = [library.import_file(p) for p in paths]
    assert [r.status for r in results] == ["unchanged"] * len(sources) + ["imported"] * (len(paths) - len(sources))
