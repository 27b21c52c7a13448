"""The one door to the library file (SQLite, through sqlite-utils): open and migrate, import, read, record events.

Every unit of work is one ``BEGIN IMMEDIATE`` transaction: it either lands whole or not at all, and a second
Paperdesk on the same file waits its turn (WAL lets it keep reading meanwhile) instead of overwriting anything.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
import uuid
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import sqlite_utils

from . import dumps, libfile
from .names import split_glued
from .schema import SCHEMA_VERSION, migrate

APP_NAME = "Paperdesk"
BUSY_TIMEOUT_MS = 15_000


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
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
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
                 check: bool = True, origin: str | None = None):
        """Open (or create) a library. ``readonly``: for commands that only read — the file is opened with a
        read-only URI, so not a byte of it changes. Files Paperdesk did not create are refused with a sentence
        before anything is written to them (core/libfile.py); a damaged library is refused (LibraryDamaged)
        unless ``check`` is False (``paperdesk check`` salvaging it)."""
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
        try:
            if found.kind == "missing":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            target = libfile.ro_uri(self.path) if readonly else str(self.path)
            conn = sqlite3.connect(target, uri=readonly, timeout=busy_timeout_ms() / 1000, isolation_level=None,
                                   check_same_thread=False)
            self.db = sqlite_utils.Database(conn)
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA cache_size = -65536")  # 64 MB: index inserts into a large library stay in memory
            if check and found.kind in ("ours", "ours-unmarked"):
                self._quick_check()
            if not readonly:
                if found.kind in ("missing", "empty", "ours-unmarked"):
                    conn.execute(f"PRAGMA application_id = {libfile.APPLICATION_ID}")
                if not found.wal:
                    conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                migrate(self.db)
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

    def _close_quietly(self) -> None:
        db = getattr(self, "db", None)
        if db is not None:
            try:
                db.conn.close()
            except sqlite3.Error:
                pass

    def _quick_check(self) -> None:
        """SQLite's quick check (pages and records well formed; skips matching indexes to tables): refuse to
        work on a damaged library rather than write into it or die half-way through an export."""
        try:
            rows = [r[0] for r in self.conn.execute("PRAGMA quick_check(5)")]
        except sqlite3.DatabaseError as exc:
            rows = [str(exc)]
        if rows != ["ok"]:
            raise LibraryDamaged(self.path, rows)

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
            return self.import_parsed(parsed, path=str(path.resolve()))
        except LibraryError as exc:
            return ImportResult(file=path.name, status="failed", message=str(exc))

    def import_files(
        self,
        paths: list[str | os.PathLike],
        captured: dt.date | None = None,
        progress: Callable[[int, int, ImportResult], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> list[ImportResult]:
        """Import several dumps, each in its own transaction, reading the next file while this one is written.

        ``progress(done, total, result)`` follows each file. Setting ``cancel`` stops before the next file, or
        rolls back the file being written, so the library is exactly as it was before that file.
        """
        paths = [Path(p) for p in paths]
        results: list[ImportResult] = []
        # "Recently imported" in the sidebar: the records this run adds, i.e. ids from here on.
        run_started = (self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM papers").fetchone()[0] or 0) + 1
        with _parse_ahead_pool(paths) as pool, self._bulk_writing(len(paths) > 1):
            ahead = [_submit(pool, p, captured) for p in paths[:PARSE_AHEAD]]
            for index, path in enumerate(paths):
                parsed = _result_or_parse_here(ahead.pop(0), path, captured)
                if index + PARSE_AHEAD < len(paths):
                    ahead.append(_submit(pool, paths[index + PARSE_AHEAD], captured))
                if cancel is not None and cancel.is_set():
                    for future in ahead:
                        future.cancel()
                    break
                if isinstance(parsed, ImportResult):
                    result = parsed
                else:
                    try:
                        result = self.import_parsed(parsed, path=str(path.resolve()), cancel=cancel,
                                                    run_started=run_started)
                    except LibraryError as exc:
                        result = ImportResult(file=path.name, status="failed", message=str(exc))
                    except ImportCancelled:
                        break
                results.append(result)
                if progress is not None:
                    progress(index + 1, len(paths), result)
        return results

    @contextmanager
    def _bulk_writing(self, bulk: bool) -> Iterator[None]:
        """During a many-file import, checkpoint the WAL once at the end rather than every 1,000 pages: the
        copying back and forth was half the import's time (benchmarks/bench_import.py). Durability is the same:
        every file's transaction is in the WAL when it commits."""
        if not bulk:
            yield
            return
        self.conn.execute("PRAGMA wal_autocheckpoint = 0")
        self.conn.execute("PRAGMA cache_size = -262144")
        try:
            yield
        finally:
            self.conn.execute("PRAGMA cache_size = -65536")
            self.conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
            try:
                self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
            except sqlite3.Error:
                pass  # a reader holds the WAL; the next checkpoint will do it

    def import_parsed(
        self,
        parsed: dumps.ParsedDump,
        path: str = "",
        cancel: threading.Event | None = None,
        run_started: int | None = None,
    ) -> ImportResult:
        """Store a parsed dump in one transaction. Idempotent: the same bytes twice add nothing.

        A changed version of a file already imported (same file name, new content) adds only the records
        that are new; the records it shares with the earlier version gain a provenance row, not a copy.
        """
        report = asdict(parsed.report)
        with self.transaction() as conn:
            row = conn.execute("SELECT id, file_name FROM sources WHERE sha256 = ?", (parsed.sha256,)).fetchone()
            if row:
                same = "" if row[1] == parsed.file_name else f" as {row[1]}"
                return ImportResult(
                    file=parsed.file_name, status="unchanged", source_id=row[0], report=report,
                    message=f"{parsed.file_name}: already imported{same}; nothing changed",
                )
            self._refine_uncertain_splits(parsed.records)
            report = asdict(parsed.report)
            report["records_flagged"] = sum(1 for r in parsed.records if r.needs_review)
            stamp = now()
            source_id = conn.execute(
                "INSERT INTO sources(file_name, path, sha256, size, captured, capture_source, layout, encoding,"
                " profile, record_count, report, imported_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                (
                    parsed.file_name, path, parsed.sha256, parsed.size, parsed.captured.isoformat(),
                    parsed.capture_source, parsed.layout, parsed.report.encoding,
                    json.dumps(asdict(parsed.profile)) if parsed.profile else None, len(parsed.records),
                    json.dumps(report, ensure_ascii=False), stamp,
                ),
            ).lastrowid
            known = dict(
                conn.execute(
                    "SELECT pv.fingerprint, pv.paper_id FROM provenance pv JOIN sources s ON s.id = pv.source_id"
                    " WHERE s.file_name = ? AND s.id != ?",
                    (parsed.file_name, source_id),
                ).fetchall()
            )
            new = [r for r in parsed.records if r.fingerprint not in known]
            present = [r for r in parsed.records if r.fingerprint in known]
            paper_ids = self._insert_papers(conn, new, stamp)
            conn.executemany(
                "INSERT INTO provenance(paper_id, source_id, line, end_line, raw, fingerprint) VALUES (?,?,?,?,?,?)",
                [(pid, source_id, r.line, r.end_line, r.raw, r.fingerprint) for pid, r in zip(paper_ids, new)]
                + [(known[r.fingerprint], source_id, r.line, r.end_line, r.raw, r.fingerprint) for r in present],
            )
            conn.executemany(
                "UPDATE papers SET sources_count = sources_count + 1 WHERE id = ?",
                [(known[r.fingerprint],) for r in present],
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
        message = f"{parsed.file_name}: {len(new)} records added"
        if present:
            message += f", {len(present)} already present"
        return ImportResult(
            file=parsed.file_name, status="imported", message=message, source_id=source_id,
            added=len(new), already_present=len(present), report=report,
        )

    def _refine_uncertain_splits(self, records: list[dumps.ParsedRecord]) -> None:
        """Names already in the library settle some uncertain title/author boundaries."""
        uncertain = [r for r in records if r.needs_review and r.review and r.review.get("alternatives")]
        if not uncertain:
            return
        candidates = {n for r in uncertain for alt in r.review["alternatives"] for n in alt["authors"]}
        known = self.known_author_names(candidates)
        if not known:
            return
        for record in uncertain:
            body = [line for line in record.raw.split("\n")[1:] if line.strip()]
            split = split_glued(body[0], is_known=known.__contains__, context=record.abstract)
            if split.best is None:
                continue
            record.title, record.authors = split.best.title, list(split.best.names)
            if split.uncertain:
                record.review["alternatives"] = [a.as_dict() for a in [split.best, *split.alternatives]]
            else:
                reasons = [x for x in record.review["reasons"] if x != "the end of the title is uncertain"]
                record.review = {"reasons": reasons, "alternatives": []} if reasons else None
                record.needs_review = bool(reasons)

    def known_author_names(self, names: set[str]) -> set[str]:
        names = list(names)
        found: set[str] = set()
        for i in range(0, len(names), 500):
            chunk = names[i : i + 500]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(f"SELECT name FROM authors WHERE name IN ({marks})", chunk))
        return found

    def _insert_papers(self, conn: sqlite3.Connection, records: list[dumps.ParsedRecord], stamp: str) -> list[int]:
        if not records:
            return []
        names = {n for r in records for n in r.authors}
        conn.executemany("INSERT OR IGNORE INTO authors(name) VALUES (?)", [(n,) for n in names])
        author_ids: dict[str, int] = {}
        names_list = list(names)
        for i in range(0, len(names_list), 500):
            chunk = names_list[i : i + 500]
            marks = ",".join("?" * len(chunk))
            author_ids.update(conn.execute(f"SELECT name, id FROM authors WHERE name IN ({marks})", chunk).fetchall())
        first_id = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM papers").fetchone()[0] or 0) + 1
        ids = list(range(first_id, first_id + len(records)))
        conn.executemany(
            "INSERT INTO papers(id, title, authors, first_author, authors_truncated, org, category, date, year,"
            " has_code, score, abstract, code_urls, needs_review, review, sources_count, fingerprint, created_at,"
            " updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1,?,?,?)",
            [
                (
                    pid, r.title, ", ".join(r.authors), r.authors[0] if r.authors else None, int(r.authors_truncated),
                    r.org, r.category, r.date, r.year, int(r.has_code), r.score, r.abstract,
                    json.dumps(r.code_urls) if r.code_urls else None, int(r.needs_review),
                    json.dumps(r.review, ensure_ascii=False) if r.review else None, r.fingerprint, stamp, stamp,
                )
                for pid, r in zip(ids, records)
            ],
        )
        conn.execute(
            "INSERT INTO papers_fts(rowid, title, authors, abstract) SELECT id, title, authors, abstract FROM papers"
            " WHERE id BETWEEN ? AND ?",
            (ids[0], ids[-1]),
        )
        conn.executemany(
            "INSERT INTO paper_authors(paper_id, author_id, position) VALUES (?,?,?)",
            [(pid, author_ids[n], pos) for pid, r in zip(ids, records) for pos, n in enumerate(r.authors, start=1)],
        )
        return ids

    # --- reading ----------------------------------------------------------------------------------------

    def count_papers(self, include_merged: bool = False) -> int:
        where = "" if include_merged else " WHERE merged_into IS NULL"
        return self.conn.execute(f"SELECT COUNT(*) FROM papers{where}").fetchone()[0]

    def sources(self) -> list[dict]:
        return [dict(r) for r in self.db.query("SELECT * FROM sources ORDER BY id")]

    def events(self, kind: str | None = None) -> list[dict]:
        if kind:
            return [dict(r) for r in self.db.query("SELECT * FROM events WHERE kind = ? ORDER BY id", [kind])]
        return [dict(r) for r in self.db.query("SELECT * FROM events ORDER BY id")]

    def iter_papers(self, batch: int = 2000, ids: list[int] | None = None) -> Iterator[dict]:
        """Visible papers (merged-away ones never), as plain dicts, a batch at a time: every one in id order,
        or just ``ids`` in the order given."""
        if ids is not None:
            for i in range(0, len(ids), batch):
                chunk = list(ids[i : i + batch])
                marks = ",".join("?" * len(chunk))
                rows = {r[0]: r for r in self.conn.execute(
                    _PAPER_EXPORT_SQL + f" WHERE p.merged_into IS NULL AND p.id IN ({marks})", chunk)}
                for pid in chunk:
                    if pid in rows:
                        yield _paper_dict(rows[pid])
            return
        last = 0
        while True:
            rows = self.conn.execute(
                _PAPER_EXPORT_SQL + " WHERE p.merged_into IS NULL AND p.id > ? ORDER BY p.id LIMIT ?", (last, batch)
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _paper_dict(row)
            last = rows[-1][0]


PARSE_AHEAD = 2
WAL_AUTOCHECKPOINT = 1000
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
        import multiprocessing

        return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="paperdesk-parse")


def _submit(pool, path: Path, captured: dt.date | None):
    try:
        return pool.submit(_read_or_error, path, captured)
    except RuntimeError:  # a broken process pool: parse here instead
        return None


def _result_or_parse_here(future, path: Path, captured: dt.date | None):
    """The parse-ahead result; if the helper process died (or could not start), parse in this process."""
    if future is not None:
        try:
            return future.result()
        except BrokenExecutor:
            pass
    return _read_or_error(path, captured)


def _read_or_error(path: Path, captured: dt.date | None) -> dumps.ParsedDump | ImportResult:
    try:
        return dumps.read_dump(path, captured)
    except dumps.DumpError as exc:
        return ImportResult(file=Path(path).name, status="failed", message=str(exc))


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
FROM papers p"""


def _paper_dict(row: tuple) -> dict:
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
