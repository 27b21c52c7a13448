"""Saving what can be read from a damaged library into a new one (``paperdesk check --recover NEW.sqlite``).

With the ``sqlite3`` program installed, SQLite's own ``.recover`` does it (it reads around damaged pages and
keeps orphaned rows in a ``lost_and_found`` table). Without it, a row-by-row salvage: a new, empty library with
Paperdesk's schema, every table copied row by row, rows that cannot be read skipped and counted. Either way the
full-text index is rebuilt and the result must pass an integrity check; the damaged file is never written.
The new file is built under a ``.partial`` name and renamed into place only when it is whole.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from . import libfile
from .library import Library, LibraryError
from . import wording

_BATCH = 500


def recover(damaged: str | Path, new: str | Path, *, use_sqlite3_program: bool = True) -> dict:
    """Returns {"path", "method", "papers", "rows", "notes"}."""
    damaged, new = Path(damaged), Path(new)
    if not damaged.is_file():
        raise LibraryError(f"{damaged}: no library here to recover")
    if new.exists():
        raise LibraryError(f"{new}: a file is already there; give the name of a new file")
    if new.resolve() == damaged.resolve():
        raise LibraryError(f"{new}: recover into a new file, not over the damaged one")
    partial = new.with_name(new.name + ".partial")
    for leftover in (partial, Path(str(partial) + "-wal"), Path(str(partial) + "-shm")):
        leftover.unlink(missing_ok=True)
    notes: list[str] = []
    program = shutil.which("sqlite3") if use_sqlite3_program else None
    try:
        method = None
        if program:
            try:
                _recover_with_program(program, damaged, partial)
                method = "SQLite's .recover"
            except (LibraryError, OSError, subprocess.SubprocessError, sqlite3.Error) as exc:
                notes.append(f"SQLite's .recover did not succeed ({exc}); salvaged row by row instead")
                for leftover in (partial, Path(str(partial) + "-wal"), Path(str(partial) + "-shm")):
                    leftover.unlink(missing_ok=True)
        if method is None:
            skipped = _salvage_rows(damaged, partial)
            method = "row-by-row salvage"
            for table, count in skipped.items():
                notes.append(f"{wording.count(count, 'unreadable row')} of {table}"
                             f" {wording.plural(count, 'was')} left behind")
        papers, rows = _finish(partial)
    except BaseException:
        for leftover in (partial, Path(str(partial) + "-wal"), Path(str(partial) + "-shm")):
            leftover.unlink(missing_ok=True)
        raise
    partial.replace(new)
    return {"path": str(new), "method": method, "papers": papers, "rows": rows, "notes": notes}


def _recover_with_program(program: str, damaged: Path, partial: Path) -> None:
    # .recover reads a copy, so not even the sqlite3 program's own journal handling touches the damaged file.
    with tempfile.TemporaryDirectory(prefix="paperdesk-recover-") as folder:
        copy = Path(folder) / "damaged.sqlite"
        _copy_apart(damaged, copy)
        if Path(str(damaged) + "-wal").exists():
            _copy_apart(Path(str(damaged) + "-wal"), Path(str(copy) + "-wal"))
        dump = subprocess.run([program, str(copy), ".recover"], capture_output=True, timeout=3600)
    error = dump.stderr.decode("utf-8", "replace").strip()
    if b"INSERT INTO" not in dump.stdout:
        if "sqlite_dbpage" in error or "logic error" in error:
            raise LibraryError("this sqlite3 program cannot .recover (it was built without sqlite_dbpage)")
        raise LibraryError(error.splitlines()[0] if error else "it recovered nothing")
    load = subprocess.run([program, str(partial)], input=dump.stdout, capture_output=True, timeout=3600)
    if load.returncode != 0 and not partial.exists():
        raise LibraryError(load.stderr.decode("utf-8", "replace").strip() or "cannot load the recovered rows")
    conn = sqlite3.connect(partial)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "papers" not in tables:
            raise LibraryError("the papers table could not be recovered")
        header_version = _user_version(damaged)
        if header_version and conn.execute("PRAGMA user_version").fetchone()[0] == 0:
            conn.execute(f"PRAGMA user_version = {header_version}")
        conn.execute(f"PRAGMA application_id = {libfile.APPLICATION_ID}")
        conn.commit()
    finally:
        conn.close()


def _copy_apart(source: Path, target: Path) -> None:
    """Copy a file this process may hold SQLite connections to, in a child process: closing a descriptor of it
    here would release those connections' locks (core/libfile.py's note). Windows' locks are not POSIX locks."""
    if os.name == "nt":
        shutil.copyfile(source, target)
        return
    done = subprocess.run(["cp", "--", str(source), str(target)], capture_output=True, timeout=3600)
    if done.returncode != 0:
        raise OSError(done.stderr.decode("utf-8", "replace").strip() or f"cannot copy {source}")


def _user_version(path: Path) -> int:
    try:
        header = libfile.read_header(path)  # never a plain open here: it would drop this process's SQLite locks
        return int.from_bytes(header[60:64], "big") if header.startswith(libfile.SQLITE_MAGIC) else 0
    except OSError:
        return 0


def _salvage_rows(damaged: Path, partial: Path) -> dict[str, int]:
    """A fresh library at ``partial``; each table of the damaged file copied into it row by row."""
    Library(partial).close()  # Paperdesk's schema, marked as Paperdesk's
    source = sqlite3.connect(libfile.ro_uri(damaged), uri=True)
    target = sqlite3.connect(partial, isolation_level=None)
    skipped: dict[str, int] = {}
    try:
        target.execute("PRAGMA foreign_keys = OFF")
        try:
            names = [r[0] for r in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        except sqlite3.DatabaseError:
            names = []
        wanted = [r[0] for r in target.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'papers_fts%'"
            " AND name NOT LIKE 'sqlite_%'")]
        if not names:
            names = wanted  # the schema table itself is damaged: try the tables a library has
        target.execute("BEGIN")
        for table in wanted:
            if table not in names:
                continue
            columns = [r[1] for r in target.execute(f'PRAGMA table_info("{table}")')]
            try:
                have = {r[1] for r in source.execute(f'PRAGMA table_info("{table}")')}
            except sqlite3.DatabaseError:
                have = set(columns)
            columns = [c for c in columns if c in have]
            if not columns:
                continue
            skipped_here = _copy_table(source, target, table, columns)
            if skipped_here:
                skipped[table] = skipped_here
        target.execute("COMMIT")
    finally:
        source.close()
        target.close()
    return skipped


def _copy_table(source, target, table: str, columns: list[str]) -> int:
    cols = ", ".join(f'"{c}"' for c in columns)
    insert = f'INSERT OR IGNORE INTO "{table}" ({cols}) VALUES ({", ".join("?" * len(columns))})'
    skipped = 0
    try:
        highest = source.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()[0] or 0
    except sqlite3.DatabaseError:
        highest = None
    last = 0
    while True:
        try:
            rows = source.execute(f'SELECT rowid, {cols} FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT ?',
                                  (last, _BATCH)).fetchall()
        except sqlite3.DatabaseError:
            rows = None
        if rows is None:  # a damaged page in this stretch: one row at a time up to the next readable one
            stop = last + _BATCH if highest is None else min(last + _BATCH, highest)
            for rowid in range(last + 1, stop + 1):
                try:
                    row = source.execute(f'SELECT {cols} FROM "{table}" WHERE rowid = ?', (rowid,)).fetchone()
                except sqlite3.DatabaseError:
                    skipped += 1
                    continue
                if row is not None:
                    target.execute(insert, row)
            last = stop
            if highest is not None and last >= highest:
                return skipped
            if highest is None and last > 10_000_000:
                return skipped
            continue
        if not rows:
            return skipped
        target.executemany(insert, [r[1:] for r in rows])
        last = rows[-1][0]


def _finish(partial: Path) -> tuple[int, int]:
    """Rebuild the full-text index, check the result; returns (visible papers, rows in all)."""
    conn = sqlite3.connect(partial, isolation_level=None)
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        # Rows whose record or author was on a damaged page point at nothing: they could never be shown, and a
        # library must pass its own foreign-key check (Library.check).
        for table, rowid, _parent, _fk in conn.execute("PRAGMA foreign_key_check").fetchall():
            if rowid is not None:
                conn.execute(f'DELETE FROM "{table}" WHERE rowid = ?', (rowid,))
        if "papers_fts" in tables:
            conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('rebuild')")
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check(5)")]
        if problems != ["ok"]:
            raise LibraryError(f"the recovered library is not sound either ({problems[0]})")
        papers = conn.execute("SELECT COUNT(*) FROM visible_papers").fetchone()[0]
        rows = sum(conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables
                   if not t.startswith(("papers_fts", "sqlite_")))
        conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    return papers, rows
