"""The one door to the library file (SQLite, through sqlite-utils): open and migrate, import, read, record events.

Every unit of work is one ``BEGIN IMMEDIATE`` transaction: it either lands whole or not at all, and a second
Paperdesk on the same file waits its turn (WAL lets it keep reading meanwhile) instead of overwriting anything.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import sqlite3
import threading
import time
import uuid
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from .sqlitedb import sqlite_utils

from . import cleanmark, dumps, importrows, libfile
from .importrows import DumpRows
from .names import GLUE_REASONS, rescore
from .schema import SCHEMA_VERSION, VISIBLE, migrate, visible
from .text import escape_name
from .wording import count

APP_NAME = "Paperdesk"
BUSY_TIMEOUT_MS = 15_000
# SQLite's quick check reads every page: 0.3 s for 100,000 records (340 MB) on the 2-core test machine. Up to this
# size it runs at every open; above it, before the first import (Library.ensure_checked). Either way it is skipped
# while the library is known sound: checked in this process, or closed cleanly by Paperdesk after a check and not
# touched since (core/cleanmark.py).
QUICK_CHECK_AT_OPEN_BYTES = 400 * 1024 * 1024


def busy_timeout_ms() -> int:
    """How long to wait for another Paperdesk's write to finish; ``PAPERDESK_BUSY_TIMEOUT_MS`` shortens it (tests
    simulate a library locked for longer than the wait this way)."""
    try:
        return int(os.environ.get("PAPERDESK_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS))
    except ValueError:
        return BUSY_TIMEOUT_MS


class ImportCancelled(Exception):
    """Raised inside an import's transaction when the librarian cancels; the transaction rolls back."""


class LibraryError(Exception):
    """Something the librarian must be told in one clear sentence (full disk, locked file, not a library...)."""


class LibraryDamaged(LibraryError):
    """SQLite found damage in the file: Paperdesk stops writing to it and says how to recover."""

    def __init__(self, path: Path, problems: list[str]):
        self.path, self.problems = Path(path), problems
        first = problems[0] if problems else "damaged"
        more = f" (and {count(len(problems) - 1, 'more problem')})" if len(problems) > 1 else ""
        super().__init__(f"{path}: the library file is damaged ({first}{more}). {libfile.recovery_hint(path)}")


def default_db_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "library.sqlite"


def resolve_db_path(explicit: str | os.PathLike | None = None) -> Path:
    """``--db`` first, then ``PAPERDESK_DB``, then the per-user data folder."""
    if explicit:
        return Path(explicit)
    if os.environ.get("PAPERDESK_DB"):
        return Path(os.environ["PAPERDESK_DB"])
    return default_db_path()


def now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _friendly(exc: sqlite3.Error, path: Path) -> str:
    text = str(exc)
    if "disk is full" in text or "disk I/O" in text:
        return f"{path}: the disk is full (or failed); nothing was written"
    if "locked" in text or "busy" in text:
        return (f"{path}: another Paperdesk is writing to this library and did not finish within"
                f" {busy_timeout_ms() / 1000:g} s; nothing was changed, try again in a moment")
    if "malformed" in text:
        return f"{path}: the library file is damaged ({text}). {libfile.recovery_hint(path)}"
    if "not a database" in text:
        return f"{path}: this file is not a Paperdesk library (or it is damaged)"
    if "readonly" in text:
        return f"{path}: the library file is read-only (or was opened only to read); nothing was changed"
    return f"{path}: {text}"


friendly_sqlite_error = _friendly


@dataclass
class ImportResult:
    file: str
    status: str  # "imported", "unchanged" or "failed"
    message: str = ""
    source_id: int | None = None
    added: int = 0
    already_present: int = 0
    report: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


class Library:
    """An open library file. Not thread-safe: give each thread its own Library on the same path."""

    def __init__(self, path: str | os.PathLike, *, create: bool = True, readonly: bool = False,
                 check: bool = True, origin: str | None = None, cache_mb: int = 64):
        """Open (or create) a library. ``readonly``: for commands that only read — the file is opened with a
        read-only URI, so not a byte of it changes. Files Paperdesk did not create are refused with a sentence
        before anything is written to them (core/libfile.py); a damaged library is refused (LibraryDamaged)
        unless ``check`` is False (``paperdesk check`` salvaging it). ``cache_mb``: SQLite's page cache for this
        connection (heap memory; it also bounds each sort's memory): 64 MB keeps a large import's index inserts
        in memory; a connection that only reads in passes or serves the window needs far less."""
        self.path = Path(path)
        self.readonly = readonly
        # Who writes through this connection: stored with each event, so a window knows its own changes
        # (core.changes) from another window's. Workers of a window pass "<window origin>:<job>".
        self.origin = origin or uuid.uuid4().hex
        found = libfile.inspect(self.path, LibraryError)
        if found.kind == "missing" and (readonly or not create):
            raise LibraryError(f"{self.path}: no library here")
        if found.kind == "empty" and readonly:
            raise LibraryError(f"{self.path}: the library is empty (import some dumps first)")
        if found.user_version > SCHEMA_VERSION:
            raise LibraryError(
                f"{self.path}: this library was written by a newer Paperdesk (schema {found.user_version}; this"
                f" version knows up to {SCHEMA_VERSION}); it was left as it is")
        if readonly and found.user_version < SCHEMA_VERSION:
            raise LibraryError(
                f"{self.path}: this library was written by an older Paperdesk (schema {found.user_version}); open it"
                " in the app or import into it once to bring it up to date")
        if not readonly:
            problem = libfile.writable_problem(self.path, exists=found.kind != "missing")
            if problem:
                raise LibraryError(problem)
        # When the check that vouches for this file ran: in this process, or before Paperdesk's last clean close of
        # it (read before connecting: the fingerprint wants the file as it lies). None: no check yet (or none due).
        self.checked_at = None
        self.check_ran = False  # this connection ran the quick check (the import dialog says which)
        if check and found.kind in ("ours", "ours-unmarked"):
            self.checked_at = cleanmark.trusted_here(self.path) or cleanmark.known_clean(self.path)
        try:
            if found.kind == "missing":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            target = libfile.ro_uri(self.path) if readonly else str(self.path)
            conn = sqlite3.connect(target, uri=readonly, timeout=busy_timeout_ms() / 1000, isolation_level=None,
                                   check_same_thread=False)
            self.db = sqlite_utils.Database(conn)
            cleanmark.opened(self.path)  # (closed in close() or _close_quietly)
            conn.execute("PRAGMA foreign_keys = ON")
            self.set_cache_mb(cache_mb)
            self._checked = not check or found.kind not in ("ours", "ours-unmarked") or self.checked_at is not None
            if not self._checked and self.path.stat().st_size <= QUICK_CHECK_AT_OPEN_BYTES:
                self._quick_check()
            if not readonly:
                if found.kind in ("missing", "empty", "ours-unmarked"):
                    conn.execute(f"PRAGMA application_id = {libfile.APPLICATION_ID}")
                if not found.wal:
                    conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                migrate(self.db)
            if self.checked_at is not None:
                cleanmark.trust(self.path, self.checked_at)
            elif found.kind in ("missing", "empty") and not readonly:
                cleanmark.trust(self.path)  # a library made just now is sound
        except LibraryError:
            self._close_quietly()
            raise
        except sqlite3.Error as exc:
            self._close_quietly()
            raise LibraryError(_friendly(exc, self.path)) from exc
        except OSError as exc:
            self._close_quietly()
            raise LibraryError(f"{self.path}: cannot open the library ({exc.strerror or exc})") from exc
        except Exception as exc:  # SchemaTooNew and friends
            self._close_quietly()
            raise LibraryError(f"{self.path}: {exc}") from exc

    def set_cache_mb(self, megabytes: int) -> None:
        """SQLite's page cache for this connection (pages read stay in the OS's cache all the same)."""
        self.conn.execute(f"PRAGMA cache_size = {-1024 * int(megabytes)}")

    def _close_quietly(self) -> None:
        db = getattr(self, "db", None)
        if db is not None:
            try:
                db.conn.close()
            except sqlite3.Error:
                pass
            cleanmark.closed(self.path, remember=False)  # a failed open vouches for nothing

    @property
    def needs_check(self) -> bool:
        """Whether the next import first runs the quick check (a library too large to check at open: at a
        million records, 3.4 GB, it reads the whole file, seconds to tens of seconds)."""
        return not self._checked

    def ensure_checked(self) -> None:
        """The quick check, once, before a bulk write (an import) into a library too large to check at every
        open; a damaged library raises LibraryDamaged and nothing is written."""
        if not self._checked:
            self._quick_check()

    def _quick_check(self) -> None:
        """SQLite's quick check (pages and records well formed; skips matching indexes to tables): refuse to
        work on a damaged library rather than write into it or die half-way through an export."""
        try:
            rows = [r[0] for r in self.conn.execute("PRAGMA quick_check(5)")]
        except sqlite3.DatabaseError as exc:
            rows = [str(exc)]
        if rows != ["ok"]:
            cleanmark.distrust(self.path)
            raise LibraryDamaged(self.path, rows)
        self._checked, self.check_ran = True, True
        cleanmark.trust(self.path)
        self.checked_at = cleanmark.trusted_here(self.path)

    def check(self, full: bool = True) -> list[str]:
        """Problems SQLite finds in the file (``PRAGMA integrity_check``, or ``quick_check``); [] when sound."""
        pragma = "integrity_check(100)" if full else "quick_check(100)"
        try:
            rows = [r[0] for r in self.conn.execute(f"PRAGMA {pragma}")]
            if full and rows == ["ok"]:
                rows = [f"foreign key: {r}" for r in self.conn.execute("PRAGMA foreign_key_check").fetchall()] or rows
        except sqlite3.DatabaseError as exc:
            rows = [str(exc)]
        return [] if rows == ["ok"] else rows

    @property
    def conn(self) -> sqlite3.Connection:
        return self.db.conn

    def close(self) -> None:
        self.conn.close()
        cleanmark.closed(self.path)  # our last connection: every change is in the file; remember it sound

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One unit of work: all of it lands, or none of it (also on a full disk or a crash).

        Nested use joins the outer unit of work (a merge that edits fields is still one transaction)."""
        if self.conn.in_transaction:
            yield self.conn
            return
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise LibraryError(_friendly(exc, self.path)) from exc
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise LibraryError(_friendly(exc, self.path)) from exc
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise

    @contextmanager
    def read_snapshot(self) -> Iterator[sqlite3.Connection]:
        """One read transaction: every query inside sees the same state of the library, whatever other
        connections commit meanwhile (a batched export or scan reflects one moment). Nested use joins."""
        if self.conn.in_transaction:
            yield self.conn
            return
        try:
            self.conn.execute("BEGIN")
            self.conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # the snapshot starts here
        except sqlite3.Error as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise LibraryError(_friendly(exc, self.path)) from exc
        try:
            yield self.conn
        finally:
            if self.conn.in_transaction:
                self.conn.execute("COMMIT")

    def log(self, kind: str, details: dict, *, paper_id: int | None = None, source_id: int | None = None) -> None:
        """Append to the events table; call inside the transaction of the change it describes."""
        self.conn.execute(
            "INSERT INTO events(at, kind, paper_id, source_id, details, origin) VALUES (?, ?, ?, ?, ?, ?)",
            (now(), kind, paper_id, source_id, json.dumps(details, ensure_ascii=False), self.origin),
        )

    # --- import -----------------------------------------------------------------------------------------

    def import_file(self, path: str | os.PathLike, captured: dt.date | None = None) -> ImportResult:
        """Parse and import one dump file; never raises for bad input, the result says what happened."""
        path = Path(path)
        parsed = _read_or_error(path, captured)
        if isinstance(parsed, ImportResult):
            return parsed
        try:
            self.ensure_checked()
            return self.import_parsed(parsed, path=escape_name(str(path.resolve())))
        except LibraryError as exc:
            return ImportResult(file=escape_name(path.name), status="failed", message=str(exc))

    def import_files(
        self,
        paths: list[str | os.PathLike],
        captured: dt.date | None = None,
        progress: Callable[[int, int, ImportResult], None] | None = None,
        cancel: threading.Event | None = None,
        *,
        bulk: bool | None = None,
    ) -> list[ImportResult]:
        """Import several dumps, reading the next files while this one is written.

        A small import gives each file its own transaction. A large one (``bulk``; by default when the files
        hold more than about 20,000 records, see ``is_bulk``) is one unit of work for the whole run: rows first,
        the random-order indexes built once at the end, and all of it kept or none of it.

        ``progress(done, total, result)`` follows each file. Setting ``cancel`` stops before the next file, or
        rolls back the file being written, so the library is exactly as it was before that file; in a bulk
        import it rolls back the whole run (the list returned is then empty).
        """
        paths = [Path(p) for p in paths]
        self.ensure_checked()  # a damaged library: LibraryDamaged, and nothing is written
        if bulk is None:
            bulk = is_bulk(paths)
        # "Recently imported" in the sidebar: the records this run adds, i.e. ids from here on.
        run_started = (self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM papers").fetchone()[0] or 0) + 1
        if bulk:
            return self._import_bulk(paths, captured, progress, cancel, run_started)
        results: list[ImportResult] = []
        with _let_go(_parse_ahead_pool(paths)) as pool, \
                closing(_parsed_in_order(pool, paths, captured, ahead=PARSE_AHEAD)) as parses, \
                self._bulk_writing(len(paths) > 1):
            for index, (path, parsed) in enumerate(zip(paths, parses)):
                if cancel is not None and cancel.is_set():
                    break
                if isinstance(parsed, ImportResult):
                    result = parsed
                else:
                    try:
                        result = self.import_parsed(parsed, path=escape_name(str(path.resolve())), cancel=cancel,
                                                    run_started=run_started)
                    except LibraryError as exc:
                        result = ImportResult(file=escape_name(path.name), status="failed", message=str(exc))
                    except ImportCancelled:
                        break
                results.append(result)
                if progress is not None:
                    progress(index + 1, len(paths), result)
        return results

    def _import_bulk(self, paths, captured, progress, cancel, run_started) -> list[ImportResult]:
        """A large import as one unit of work (see import_files): the files are parsed on every core, the
        writer adds their rows to tables whose random-order indexes are set aside, builds those indexes once
        at the end and commits once; the full-text index gathers the whole run in memory and writes it in
        large segments. A crash or a cancel at any point leaves the library exactly as before.

        Into a (nearly) empty library that no other connection has open, the run writes outside the write-ahead
        log (``_leave_wal``). Else the log holds each page the run wrote once (SQLite rewrites a page's frame in
        place within one transaction), so the extra disk a run needs stays near the size of what it adds; the
        log is copied into the library and truncated at the end."""
        results: list[ImportResult] = []
        # Where the run's wall time went, for benchmarks/bench_import.py: seconds per phase, in order.
        phases: dict[str, float] = {}
        self.bulk_phases = phases
        last = [time.perf_counter()]

        def _lap() -> float:
            before, last[0] = last[0], time.perf_counter()
            return last[0] - before

        existing = self.count_papers(include_merged=True)
        defer = existing < _estimated_records(paths)
        outside_wal = defer and self._leave_wal()
        try:
            # While the next file is still being parsed, the writer indexes what it has for search: less of it
            # is left for the end, when the other cores have nothing more to do.
            def idle() -> bool:
                return self._fts_pending is not None and self._flush_search_index(self.conn, BULK_FTS_IDLE_BATCH)

            pipeline: dict = {}
            self.bulk_pipeline = pipeline
            with _let_go(_parse_pool(paths)) as pool, \
                    closing(_parsed_in_order(pool, paths, captured, idle=idle, stats=pipeline)) as parses, \
                    self._bulk_writing(True, threads=True), self.transaction() as conn:
                deferred = _set_aside_indexes(conn) if defer else []
                fts_before = _fts_hashsize(conn, BULK_FTS_HASHSIZE)
                # Into a (nearly) empty library the run's full-text segments are merged once, at the end, into
                # one ('optimize'), instead of level by level while it writes: the incremental merges cost the
                # run time, and the merge they left half done fell on the librarian's first edit after the
                # import (a 1,000-record edit took 4-6x its undo). Into a larger library FTS5 merges as usual.
                automerge_before = _fts_setting(conn, "automerge", 0, FTS5_DEFAULT_AUTOMERGE) if deferred else None
                self._fts_pending = [run_started, run_started - 1]
                self._bulk_run = _BulkRun(indexes_aside=bool(deferred))
                for index, (path, parsed) in enumerate(zip(paths, parses)):
                    if cancel is not None and cancel.is_set():
                        raise ImportCancelled(path.name)
                    if isinstance(parsed, ImportResult):
                        result = parsed
                    else:
                        result = self.import_parsed(parsed, path=str(path.resolve()), cancel=cancel,
                                                    run_started=run_started)
                    results.append(result)
                    if progress is not None:
                        progress(index + 1, len(paths), read_not_added(result))
                pool.shutdown(wait=False)  # every file is parsed: the processes end while the indexes are built
                phases["rows"] = _lap()
                self._flush_search_index(conn)
                phases["fts_last_batch"] = _lap()
                if deferred:
                    conn.execute("INSERT INTO papers_fts(papers_fts) VALUES ('optimize')")
                    _fts_setting(conn, "automerge", automerge_before, FTS5_DEFAULT_AUTOMERGE)
                phases["fts_optimize"] = _lap()
                for _name, sql in deferred:
                    if cancel is not None and cancel.is_set():
                        raise ImportCancelled("")
                    conn.execute(sql)
                phases["indexes"] = _lap()
                _fts_hashsize(conn, fts_before)
            phases["commit"] = _lap()
        except ImportCancelled:
            return []
        except LibraryError as exc:
            message = f"the import stopped: {exc}; nothing from it was kept"
            failed = [ImportResult(file=r.file, status="failed", message=f"{r.file}: {message}", report=r.report)
                      if r.status == "imported" else r for r in results]
            if progress is not None:
                progress(len(paths), len(paths), ImportResult(file="", status="failed", message=message))
            return failed
        finally:
            self._fts_pending = None
            self._bulk_run = None
            if outside_wal:
                self._back_to_wal()
        self._checkpoint()
        phases["back_to_wal_and_checkpoint"] = _lap()
        return results

    def _leave_wal(self) -> bool:
        """A bulk import into a (nearly) empty library writes its pages straight into the library with a rollback
        journal, which holds only the few pages the library had: not every page twice (into the write-ahead log,
        then copied into the library). Possible only while no other connection has the library open; else the
        import keeps the log (asked without waiting). A crash leaves a hot journal that SQLite rolls back on the
        next open, which also turns the log on again."""
        return self._journal_mode("delete", wait_ms=0)

    def _back_to_wal(self) -> None:
        self._journal_mode("wal", wait_ms=2000)  # if another connection came meanwhile, the next open does it

    def _journal_mode(self, mode: str, wait_ms: int) -> bool:
        waited = self.conn.execute("PRAGMA busy_timeout").fetchone()[0]
        self.conn.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        try:
            return self.conn.execute(f"PRAGMA journal_mode = {mode}").fetchone()[0] == mode
        except sqlite3.Error:
            return False
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(waited)}")

    bulk_phases: dict[str, float] | None = None  # the last bulk import's phases (seconds), see _import_bulk
    bulk_pipeline: dict | None = None  # ... and how its parsing went (_parsed_in_order's stats)
    _fts_pending: list[int] | None = None  # during a bulk import: [first, last] id not yet in the full-text index
    _bulk_run: "_BulkRun | None" = None  # during a bulk import: what its writer keeps between files

    def _flush_search_index(self, conn: sqlite3.Connection, at_least: int = 0) -> bool:
        """Index the bulk import's records not yet in the full-text index, once there are ``at_least`` of them;
        says whether it did. FTS5 writes what one statement adds as a segment, so a statement per file (500
        records) would write hundreds of small segments and merge them again and again: a batch of 20,000 takes
        a third less time."""
        first, last = self._fts_pending
        if last >= first and last - first + 1 >= at_least:
            _index_for_search(conn, first, last)
            self._fts_pending = [last + 1, last]
            return True
        return False

    def _checkpoint(self) -> None:
        """Copy the write-ahead log into the library and truncate it (a reader still on an older snapshot
        makes this a partial copy; the next checkpoint finishes it)."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
        except sqlite3.Error:
            pass

    @contextmanager
    def _bulk_writing(self, bulk: bool, threads: bool = False) -> Iterator[None]:
        """During a many-file import, checkpoint the WAL once at the end rather than every 1,000 pages: the
        copying back and forth was half the import's time (benchmarks/bench_import.py). Durability is the same:
        every file's transaction is in the WAL when it commits."""
        if not bulk:
            yield
            return
        self.conn.execute("PRAGMA wal_autocheckpoint = 0")
        self.conn.execute("PRAGMA cache_size = -262144")
        if threads:
            self.conn.execute(f"PRAGMA threads = {min(os.cpu_count() or 1, 4)}")  # index builds sort in parallel
        try:
            yield
        finally:
            self.conn.execute("PRAGMA threads = 0")
            self.conn.execute("PRAGMA cache_size = -65536")
            self.conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
            try:
                self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass  # a reader holds the WAL; the next checkpoint will do it

    def import_parsed(
        self,
        parsed: dumps.ParsedDump | DumpRows,
        path: str = "",
        cancel: threading.Event | None = None,
        run_started: int | None = None,
    ) -> ImportResult:
        """Store a parsed dump (or its rows, core/importrows.py) in one transaction. Idempotent: the same bytes
        twice add nothing.

        A changed version of a file already imported (same file name, new content) adds only the records
        that are new; the records it shares with the earlier version gain a provenance row, not a copy.
        """
        if not isinstance(parsed, DumpRows):
            parsed = importrows.from_parsed(parsed)
        report = asdict(parsed.report)
        with self.transaction() as conn:
            row = conn.execute("SELECT id, file_name, removed_at FROM sources WHERE sha256 = ?",
                               (parsed.sha256,)).fetchone()
            if row and row[2]:  # this very file was imported and then removed: importing it again brings it back
                from .trash import last_removal, undo_remove_import

                saved = last_removal(self, row[0])
                if saved is not None:
                    undo_remove_import(self, saved)
                    # Records of this file that the Trash deleted for good since its removal are read again
                    # from the file, or the re-import would lose them without a word.
                    kept = {f for (f,) in conn.execute("SELECT fingerprint FROM provenance WHERE source_id = ?",
                                                       (row[0],))}
                    gone = [i for i, f in enumerate(parsed.fingerprints) if f not in kept]
                    readded = self._add_records_to_source(conn, parsed.subset(gone), row[0], run_started)
                    back = len(saved["trashed"])
                    message = f"{parsed.file_name}: brought back from its removal ({count(back, 'record')} out of" \
                              " the Trash"
                    if readded:
                        message += f", {count(len(readded), 'record')} read again that the emptied Trash had" \
                                   " deleted"
                    return ImportResult(
                        file=parsed.file_name, status="imported", source_id=row[0], report=report,
                        added=back + len(readded), already_present=len(saved["shared"]), message=message + ")")
            if row:
                same = "" if row[1] == parsed.file_name else f" as {row[1]}"
                return ImportResult(
                    file=parsed.file_name, status="unchanged", source_id=row[0], report=report,
                    message=f"{parsed.file_name}: already imported{same}; nothing changed",
                )
            self._refine_uncertain_splits(parsed)
            report = asdict(parsed.report)
            report["records_flagged"] = parsed.flagged()
            report["flag_reasons"] = parsed.flag_reasons()
            stamp = now()
            source_id = conn.execute(
                "INSERT INTO sources(file_name, path, sha256, size, captured, capture_source, layout, encoding,"
                " profile, record_count, report, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    parsed.file_name, path, parsed.sha256, parsed.size, parsed.captured.isoformat(),
                    parsed.capture_source, parsed.layout, parsed.report.encoding, parsed.profile, len(parsed),
                    json.dumps(report, ensure_ascii=False), stamp,
                ),
            ).lastrowid
            known = dict(
                conn.execute(
                    "SELECT pv.fingerprint, pv.paper_id FROM provenance pv JOIN sources s ON s.id = pv.source_id"
                    " WHERE s.file_name = ? AND s.id != ? AND s.removed_at IS NULL",
                    (parsed.file_name, source_id),
                ).fetchall()
            )
            new, present = parsed, []
            if known:  # a new version of a file imported before: only its new records become papers
                fingerprints = parsed.fingerprints
                new = parsed.subset([i for i, f in enumerate(fingerprints) if f not in known])
                present = [(known[f], i) for i, f in enumerate(fingerprints) if f in known]
            paper_ids = self._insert_papers(conn, new, stamp)
            _insert_provenance(conn, source_id, new, paper_ids)
            conn.executemany(
                "INSERT INTO provenance(paper_id, source_id, line, end_line, raw, fingerprint) VALUES (?,?,?,?,?,?)",
                [(pid, source_id, *parsed.places[i][1:]) for pid, i in present])
            # A record merged away counts the new source itself, and so does the visible record it is inside.
            conn.executemany(
                "UPDATE papers SET sources_count = sources_count + 1 WHERE id IN (?1,"
                " (SELECT merged_into FROM papers WHERE id = ?1))",
                [(pid,) for pid, _i in present],
            )
            details = {
                "file": parsed.file_name, "sha256": parsed.sha256, "added": len(new),
                "already_present": len(present), "flagged": report["records_flagged"],
                "skipped_lines": len(parsed.report.skipped), "encoding": parsed.report.encoding,
                "captured": parsed.captured.isoformat(), "first_id": paper_ids[0] if paper_ids else None,
            }
            self.log("import", details, source_id=source_id)
            if new:
                conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('recent_from_id', ?)",
                             (str(run_started or paper_ids[0]),))
            if cancel is not None and cancel.is_set():
                raise ImportCancelled(parsed.file_name)  # rolls the whole file back
        message = f"{parsed.file_name}: {count(len(new), 'record')} added"
        if present:
            message += f", {len(present)} already present"
        return ImportResult(
            file=parsed.file_name, status="imported", message=message, source_id=source_id,
            added=len(new), already_present=len(present), report=report,
        )

    def _add_records_to_source(self, conn: sqlite3.Connection, records: DumpRows, source_id: int,
                               run_started: int | None) -> list[int]:
        """Store ``records`` as new papers whose provenance is the existing source ``source_id``."""
        if not len(records):
            return []
        self._refine_uncertain_splits(records)
        paper_ids = self._insert_papers(conn, records, now())
        _insert_provenance(conn, source_id, records, paper_ids)
        self.log("import-readded", {"source_id": source_id, "papers": list(paper_ids)}, source_id=source_id)
        conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('recent_from_id', ?)",
                     (str(run_started or paper_ids[0]),))
        return paper_ids

    def _refine_uncertain_splits(self, rows: DumpRows) -> None:
        """Names already in the library settle some uncertain title/author boundaries: the readings the parser
        kept are weighed again with them (the file's own evidence stays in their scores)."""
        uncertain = {i: r for i, r in rows.uncertain.items()
                     if r.needs_review and r.review and r.review.get("alternatives")}
        if not uncertain:
            return
        candidates = {n for r in uncertain.values() for alt in r.review["alternatives"] for n in alt["authors"]}
        known = self.known_author_names(candidates)
        if not known:
            return
        for record in uncertain.values():
            readings, settled = rescore(record.review["alternatives"], known.__contains__)
            record.title, record.authors = readings[0]["title"], list(readings[0]["authors"])
            if settled:
                reasons = [x for x in record.review["reasons"] if x not in GLUE_REASONS]
                record.review = {"reasons": reasons, "alternatives": []} if reasons else None
                record.needs_review = bool(reasons)
            else:
                record.review["alternatives"] = readings
        rows.refresh(uncertain)

    def known_author_names(self, names: set[str]) -> set[str]:
        """Which of ``names`` the library holds on at least one record that is not flagged for review."""
        run = self._bulk_run
        if run is not None and run.indexes_aside:
            # The author index is set aside: asking per name would scan every author link each time. One pass
            # gathers the names on unflagged records; the run adds its own as it writes them.
            if run.sure_names is None:
                run.sure_names = {r[0] for r in self.conn.execute(
                    "SELECT DISTINCT a.name FROM papers p JOIN paper_authors pa ON pa.paper_id = p.id"
                    " JOIN authors a ON a.id = pa.author_id WHERE p.needs_review = 0")}
            return {n for n in names if n in run.sure_names}
        names = list(names)
        found: set[str] = set()
        for i in range(0, len(names), 500):
            chunk = names[i : i + 500]
            marks = ",".join("?" * len(chunk))
            # Only names on records nobody doubts: a flagged record's reading must not vouch for the next one.
            found.update(r[0] for r in self.conn.execute(
                f"SELECT a.name FROM authors a WHERE a.name IN ({marks}) AND EXISTS (SELECT 1 FROM paper_authors pa"
                " JOIN papers p ON p.id = pa.paper_id WHERE pa.author_id = a.id AND p.needs_review = 0)", chunk))
        return found

    def _insert_papers(self, conn: sqlite3.Connection, rows: DumpRows, stamp: str) -> range:
        """Store ``rows``' records as new papers with their authors; returns their ids (consecutive).

        The rows go to SQLite as the parsing process made them: the ids and the time stamp are written into the
        statements rather than into each row, so this process does no work per record but the author links."""
        if not len(rows):
            return range(0)
        run = self._bulk_run
        author_ids: dict[str, int] = run.author_ids if run is not None else {}
        names = rows.names()
        if run is not None:  # a bulk import looks up each name once for the whole run
            names = [n for n in names if n not in author_ids]
        conn.executemany("INSERT OR IGNORE INTO authors(name) VALUES (?)", [(n,) for n in names])
        for i in range(0, len(names), 500):
            chunk = names[i : i + 500]
            marks = ",".join("?" * len(chunk))
            author_ids.update(conn.execute(f"SELECT name, id FROM authors WHERE name IN ({marks})", chunk).fetchall())
        first_id = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM papers").fetchone()[0] or 0) + 1
        ids = range(first_id, first_id + len(rows))
        # Without an id, SQLite numbers each row one past the largest id: first_id, first_id + 1, ...
        conn.executemany(
            f"INSERT INTO papers({', '.join(importrows.PAPER_COLUMNS)}, sources_count, created_at, updated_at)"
            f" VALUES ({', '.join('?' * len(importrows.PAPER_COLUMNS))}, 1, {_sql_text(stamp)}, {_sql_text(stamp)})",
            rows.papers)
        if conn.execute("SELECT last_insert_rowid()").fetchone()[0] != ids[-1]:
            raise LibraryError(f"{self.path}: the records were not numbered as expected; nothing was imported")
        if self._fts_pending is None:
            _index_for_search(conn, ids[0], ids[-1])
        else:  # a bulk import indexes many files' records in one statement (Library._flush_search_index)
            self._fts_pending[0] = min(self._fts_pending[0], ids[0])
            self._fts_pending[1] = max(self._fts_pending[1], ids[-1])
            self._flush_search_index(conn, BULK_FTS_BATCH)
        conn.executemany(
            f"INSERT INTO paper_authors(paper_id, author_id, position) VALUES (? + {first_id:d}, ?, ?)",
            [(i, author_ids[n], pos) for i, n, pos in rows.links])
        if run is not None and run.sure_names is not None:
            run.sure_names.update(rows.sure_names())
        return ids

    # --- reading ----------------------------------------------------------------------------------------

    def count_papers(self, include_merged: bool = False) -> int:
        if include_merged:
            return self.conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
        from .query import count_visible  # on a small index: the app asks at start (is the library empty?)

        return count_visible(self.conn)

    def sources(self) -> list[dict]:
        return [dict(r) for r in self.db.query("SELECT * FROM sources ORDER BY id")]

    def events(self, kind: str | None = None) -> list[dict]:
        if kind:
            return [dict(r) for r in self.db.query("SELECT * FROM events WHERE kind = ? ORDER BY id", [kind])]
        return [dict(r) for r in self.db.query("SELECT * FROM events ORDER BY id")]

    def iter_papers(self, batch: int = 2000, ids: list[int] | None = None) -> Iterator[dict]:
        """Visible papers (merged-away ones never), as plain dicts, a batch at a time: every one in id order,
        or just ``ids`` in the order given."""
        for rows in self.iter_paper_rows(batch, ids):
            for row in rows:
                yield paper_from_row(row)

    def iter_paper_rows(self, batch: int = 2000, ids: list[int] | None = None) -> Iterator[list[tuple]]:
        """What ``iter_papers`` reads, as lists of raw rows (``paper_from_row`` makes each a dict): cheap to hand
        to another process (a large export formats its entries on every core)."""
        if ids is not None:
            for i in range(0, len(ids), batch):
                chunk = list(ids[i : i + batch])
                marks = ",".join("?" * len(chunk))
                rows = {r[0]: r for r in self.conn.execute(
                    _PAPER_EXPORT_SQL + f" WHERE {visible('p')} AND p.id IN ({marks})", chunk)}
                found = [rows[pid] for pid in chunk if pid in rows]
                if found:
                    yield found
            return
        last = 0
        while True:
            rows = self.conn.execute(
                _PAPER_EXPORT_SQL + f" WHERE {visible('p')} AND p.id > ? ORDER BY p.id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]


@dataclass
class _BulkRun:
    """What a bulk import's writer keeps from file to file (Library._import_bulk)."""

    indexes_aside: bool
    author_ids: dict[str, int] = field(default_factory=dict)  # every name written so far -> its id
    sure_names: set[str] | None = None  # names on records not flagged for review, once first asked for


PARSE_AHEAD = 2
WAL_AUTOCHECKPOINT = 1000
# A run this large is imported as one unit of work with its random-order indexes built at the end
# (Library._import_bulk): about 20,000 records at the ~800-1,600 bytes a record that dumps take.
BULK_BYTES = 16 * 1024 * 1024
BYTES_PER_RECORD = 900
# The full-text index keeps this much of a bulk import in memory before writing a segment (FTS5's default, 1 MB,
# makes many small segments that are merged again and again: a third more time).
BULK_FTS_HASHSIZE = 64 * 1024 * 1024
BULK_FTS_BATCH = 20_000
BULK_FTS_IDLE_BATCH = 5_000  # ... or this many, when the writer would otherwise wait for the next file
# Tables whose non-unique indexes a bulk import into a (nearly) empty library builds once at the end.
DEFERRED_INDEX_TABLES = ("papers", "paper_authors")


def _total_bytes(paths: list[Path]) -> int:
    total = 0
    for p in paths:
        try:
            total += p.stat().st_size
        except OSError:
            pass
    return total


def read_not_added(result: ImportResult) -> ImportResult:
    """A file of a bulk import while the run goes on: its records are read and written into the run's one
    transaction, not yet added (a cancel or a crash before the end keeps none of them), so its progress says
    'read', never 'added'; the results returned after the commit keep their 'added'."""
    if result.status != "imported":
        return result
    return replace(result, message=f"{result.file}: {count(result.added, 'record', grouped=True)} read"
                   " (added when the whole import is written)")


def is_bulk(paths: list[Path]) -> bool:
    """Whether an import of ``paths`` is large enough to be written as one unit of work (Library._import_bulk)."""
    return _total_bytes([Path(p) for p in paths]) >= BULK_BYTES


def _estimated_records(paths: list[Path]) -> int:
    return _total_bytes(paths) // BYTES_PER_RECORD


def _index_for_search(conn: sqlite3.Connection, first: int, last: int) -> None:
    conn.execute(
        "INSERT INTO papers_fts(rowid, title, authors, abstract) SELECT id, title, authors, abstract FROM papers"
        " WHERE id BETWEEN ? AND ?",
        (first, last),
    )


def _set_aside_indexes(conn: sqlite3.Connection) -> list[tuple[str, str]]:
    """Drop the non-unique indexes of the tables an import fills (inside its transaction, so a crash brings them
    back); returns (name, CREATE statement) to build them again once the rows are in. Unique indexes stay: they
    guard what is inserted. So do the partial indexes no imported row enters (``... WHERE merged_into IS NOT
    NULL``, a column the import leaves empty): they cost the rows nothing, and rebuilding them read the whole
    table for an empty index."""
    marks = ",".join("?" * len(DEFERRED_INDEX_TABLES))
    indexes = conn.execute(
        f"SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks})"
        " AND sql IS NOT NULL ORDER BY name", DEFERRED_INDEX_TABLES).fetchall()
    deferred = [(name, sql) for name, table, sql in indexes
                if not sql.lstrip().upper().startswith("CREATE UNIQUE") and not _no_imported_row_enters(table, sql)]
    for name, _sql in deferred:
        conn.execute(f'DROP INDEX "{name}"')
    return deferred


_ONLY_WHERE_SET = re.compile(r"\sWHERE\s+\"?(\w+)\"?\s+IS\s+NOT\s+NULL\s*$", re.IGNORECASE)
# The papers columns an import writes (Library._insert_papers); every other column of a new row is NULL.
_IMPORTED_PAPER_COLUMNS = frozenset(importrows.PAPER_COLUMNS) | {"id", "sources_count", "created_at", "updated_at"}


def _no_imported_row_enters(table: str, sql: str) -> bool:
    """Whether the index ``sql`` holds only rows whose column, NULL in every imported row, was set later."""
    found = _ONLY_WHERE_SET.search(sql)
    return table == "papers" and found is not None and found.group(1) not in _IMPORTED_PAPER_COLUMNS


def _fts_hashsize(conn: sqlite3.Connection, size: int | None) -> int | None:
    """Set the full-text index's in-memory batch size (None: back to FTS5's default); returns the one before."""
    return _fts_setting(conn, "hashsize", size, FTS5_DEFAULT_HASHSIZE)


def _fts_setting(conn: sqlite3.Connection, name: str, value: int | None, default: int) -> int | None:
    """Set one of the full-text index's stored settings (None: back to FTS5's ``default``, stored nowhere);
    returns the value before (None when it was the default)."""
    row = conn.execute("SELECT v FROM papers_fts_config WHERE k = ?", (name,)).fetchone()
    if value is None:  # FTS5 keeps the setting in memory too: set the default, then forget it on disk
        conn.execute("DELETE FROM papers_fts_config WHERE k = ?", (name,))
        conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES (?, ?)", (name, default))
        conn.execute("DELETE FROM papers_fts_config WHERE k = ?", (name,))
    else:
        conn.execute("INSERT INTO papers_fts(papers_fts, rank) VALUES (?, ?)", (name, value))
    return row[0] if row else None


FTS5_DEFAULT_HASHSIZE = 1024 * 1024
FTS5_DEFAULT_AUTOMERGE = 4


def _insert_provenance(conn: sqlite3.Connection, source_id: int, rows: DumpRows, paper_ids: range) -> None:
    """Where each of ``rows``' records was read (the source ``source_id``); they are the papers ``paper_ids``."""
    if len(rows):
        conn.executemany(
            "INSERT INTO provenance(paper_id, source_id, line, end_line, raw, fingerprint)"
            f" VALUES (? + {paper_ids[0]:d}, {source_id:d}, ?, ?, ?, ?)", rows.places)


def _sql_text(value: str) -> str:
    """``value`` as an SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def _parse_pool(paths: list[Path]):
    """Processes that parse a bulk import's files beside the writer, which parses too whenever it would wait
    (``_parsed_in_order``): one process fewer than the cores keeps every core busy without two processes
    taking turns on one."""
    cores = os.cpu_count() or 1
    if cores > 1 and len(paths) > 1:
        from .processes import process_pool  # its workers end with this process, even when it is killed

        return process_pool(max(1, min(cores - 1, MAX_PARSE_PROCESSES)))
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="paperdesk-parse")


# One writer keeps up with about this many parsers.
MAX_PARSE_PROCESSES = 4
# Below this much text a second process costs more to start than it saves.
PROCESS_PARSE_BYTES = 8 * 1024 * 1024


def _parse_ahead_pool(paths: list[Path]):
    """Parse the next files while this one is written: in a second process when there is much to parse (the
    parser is pure Python and would share one core with the writer), else in a thread."""
    try:
        total = sum(p.stat().st_size for p in paths)
    except OSError:
        total = 0
    if len(paths) > 2 and total > PROCESS_PARSE_BYTES and os.cpu_count() and os.cpu_count() > 1:
        from .processes import process_pool

        return process_pool(1)
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="paperdesk-parse")


@contextmanager
def _let_go(pool) -> Iterator:
    """Use a parse pool and let it go without waiting for its processes to exit (they end by themselves, while
    the import finishes; joining them cost a loaded machine seconds)."""
    try:
        yield pool
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _parsed_in_order(pool, paths: list[Path], captured: dt.date | None, ahead: int | None = None,
                     idle: Callable[[], bool] | None = None, stats: dict | None = None) -> Iterator:
    """The rows of each path (``DumpRows``, or an ``ImportResult`` saying why it could not be read), in order.

    ``pool`` parses a bounded window of files ahead (memory stays flat). When the file the writer needs next is
    not ready, the writer does not wait: it does ``idle()`` (which says whether it found anything to do), else
    parses a file itself: one the pool has not started on, else the next one nobody has been given (up to
    ``HERE_AHEAD`` files ahead of its turn). So it is never idle while there is parsing left, and what it parses
    is never pickled. Blocking only once the files it could take are all with the pool: with a window of four
    and one parsing process, the writer waited for a quarter of the files (2.7 s of a 100,000-record import).

    ``stats``, if given, gets ``waited_s`` (seconds the writer waited for a file) and ``parsed_here`` (files
    the writer parsed itself), for benchmarks/bench_import.py."""
    window = ahead if ahead is not None else 2 * (getattr(pool, "_max_workers", 1) or 1) + 1
    futures: dict[int, object] = {}  # index -> the pool's future, None once the writer took the file
    here: dict[int, object] = {}  # parsed by the writer itself, ahead of its turn
    given = 0  # files from here on are neither with the pool nor taken by the writer
    waited, parsed_here = 0.0, 0
    try:
        for index, path in enumerate(paths):
            live = sum(future is not None for future in futures.values())
            while given < len(paths) and live <= window:  # the pool keeps ``window`` files beyond this one
                futures[given] = _submit(pool, paths[given], captured)
                given, live = given + 1, live + 1
            if index in here:
                futures.pop(index, None)
                yield here.pop(index)
                continue
            future = futures.pop(index)
            while future is not None and not future.done():
                if idle is not None and idle():
                    continue
                spare = next((j for j in sorted(futures) if futures[j] is not None and futures[j].cancel()), None)
                if spare is None and given < len(paths) and len(here) < HERE_AHEAD:
                    spare, given = given, given + 1
                if spare is None:
                    break
                futures[spare] = None
                here[spare] = _read_or_error(paths[spare], captured)
                parsed_here += 1
            if future is not None and not future.done():
                start = time.perf_counter()
                wait_for([future])
                waited += time.perf_counter() - start
            yield _result_or_parse_here(future, path, captured)
    finally:
        for future in futures.values():
            if future is not None:
                future.cancel()
        if stats is not None:
            stats.update(waited_s=waited, parsed_here=parsed_here)


# How many files the writer may parse ahead of its turn rather than wait for the parsing processes (their rows
# are held in memory until their turn: a few MB a file).
HERE_AHEAD = 8


def _submit(pool, path: Path, captured: dt.date | None):
    # A parsing process hands its rows over pickled its own, cheaper way (importrows.pack); a thread as they are.
    read = importrows.read_rows_packed if isinstance(pool, ProcessPoolExecutor) else importrows.read_rows
    try:
        return pool.submit(read, path, captured)
    except RuntimeError:  # a broken process pool: parse here instead
        return None


def _result_or_parse_here(future, path: Path, captured: dt.date | None):
    """The parse-ahead result; if the helper process died (or could not start), parse in this process."""
    if future is not None:
        try:
            return _as_result(future.result(), path)
        except BrokenExecutor:
            pass
    return _read_or_error(path, captured)


def _read_or_error(path: Path, captured: dt.date | None) -> DumpRows | ImportResult:
    return _as_result(importrows.read_rows(path, captured), path)


def _as_result(rows: DumpRows | bytes | str, path: Path) -> DumpRows | ImportResult:
    """A file read into rows (packed by a parsing process, or not), or the sentence why it could not be as a
    failed ImportResult."""
    if isinstance(rows, bytes):
        return importrows.unpack(rows)
    if isinstance(rows, str):
        return ImportResult(file=escape_name(Path(path).name), status="failed", message=rows)
    return rows


_PAPER_EXPORT_SQL = """
SELECT p.id, p.title, p.authors_truncated, p.org, p.category, p.date, p.has_code, p.score, p.abstract,
       p.needs_review, p.code_urls, p.review, p.citekey,
       (SELECT json_group_array(name) FROM (SELECT a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id
            WHERE pa.paper_id = p.id ORDER BY pa.position)) AS authors_json,
       (SELECT json_group_array(name) FROM (SELECT t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id
            WHERE pt.paper_id = p.id ORDER BY t.name COLLATE NOCASE)) AS tags_json,
       (SELECT json_group_array(json_object('file', file_name, 'line', line)) FROM (SELECT s.file_name, pv.line
            FROM provenance pv JOIN sources s ON s.id = pv.source_id
            WHERE pv.paper_id = p.id OR pv.paper_id IN (SELECT c.id FROM papers c WHERE c.merged_into = p.id)
            ORDER BY pv.id))
            AS sources_json
FROM visible_papers p"""


def paper_from_row(row: tuple) -> dict:
    """A row of ``Library.iter_paper_rows`` as the paper dict ``iter_papers`` gives."""
    (pid, title, truncated, org, category, date, has_code, score, abstract, needs_review, urls, review, citekey,
     authors, tags, sources) = row
    return {
        "id": pid,
        "title": title,
        "authors": json.loads(authors),
        "authors_truncated": bool(truncated),
        "org": org,
        "category": category,
        "date": date,
        "has_code": bool(has_code),
        "score": score,
        "abstract": abstract,
        "code_urls": json.loads(urls) if urls else [],
        "tags": json.loads(tags),
        "needs_review": bool(needs_review),
        "review": json.loads(review) if review else None,
        "sources": json.loads(sources),
        "citekey": citekey,
    }
