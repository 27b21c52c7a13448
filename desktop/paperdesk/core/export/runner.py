"""One export, as the command line and the Export dialog both run it: scope -> keys -> writer -> file.

The file is written beside its target and renamed into place, so a failed or cancelled export never leaves
half a file; merged-away records are never exported (Library.iter_papers skips them).
"""

from __future__ import annotations

import glob
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable

from ..library import Library, LibraryError
from ..query import RecordFilter, ordered_ids
from .options import ExportOptions
from ..wording import count, plural

# Formats whose entries are identified by a citation key: keys are assigned (once, then kept) before writing.
# JSON and CSV carry the key too (so a table joins to the .bib) but only read: the stored key, else the one the
# pattern gives (a JSON or CSV export never writes to the library).
KEYED_FORMATS = ("bibtex", "biblatex", "csljson", "ris")
EXTENSIONS = {"bibtex": ".bib", "biblatex": ".bib", "csljson": ".json", "ris": ".ris", "json": ".json", "csv": ".csv"}


class ExportCancelled(Exception):
    pass


@dataclass
class ExportScope:
    """Which records: given ids, or those matching tags (any of them), a search and a source; else all."""

    ids: list[int] | None = None
    tags: tuple[str, ...] = ()
    search: str = ""
    source: str | None = None  # a dump's file name, or a part of it

    def describe(self) -> str:
        parts = []
        if self.ids is not None:
            parts.append(count(len(self.ids), "selected record"))
        if self.tags:
            parts.append("tagged " + " or ".join(self.tags))
        if self.search:
            parts.append(f"matching '{self.search}'")
        if self.source:
            parts.append(f"from {self.source}")
        return ", ".join(parts) or "every record"


def resolve_scope(library: Library, scope: ExportScope) -> list[int] | None:
    """The ids to export in order, or None for every record (streamed in id order)."""
    if scope.ids is None and not scope.tags and not scope.search and not scope.source:
        return None
    search = scope.search
    if scope.source:
        search = f'{search} source:"{scope.source}"'.strip()
    tag_ids: tuple[int, ...] = ()
    if scope.tags:
        from ..curation import tag_by_name

        found = []
        for name in scope.tags:
            tag = tag_by_name(library, name)
            if tag is None:
                raise LibraryError(f"there is no tag called '{name}'")
            found.append(tag["id"])
        tag_ids = tuple(found)
    f = RecordFilter(search=search, view="tags" if tag_ids else "all", tag_ids=tag_ids, tag_mode="any", sort="id")
    matching = ordered_ids(library.conn, f)
    if scope.ids is None:
        return list(matching)
    wanted = set(matching)
    return [i for i in dict.fromkeys(scope.ids) if i in wanted]


@dataclass
class ExportResult:
    count: int
    path: Path | None
    keys_assigned: int = 0
    messages: list[str] = field(default_factory=list)


def _progress_papers(papers, progress, cancel, total):
    for n, paper in enumerate(papers, start=1):
        if cancel is not None and cancel.is_set():
            raise ExportCancelled()
        if progress is not None and n % 500 == 0:
            progress(n, total)
        yield paper


def export(
    library: Library,
    fmt: str,
    out: str | os.PathLike | IO[str],
    scope: ExportScope | None = None,
    *,
    ascii: bool = False,
    options: ExportOptions | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: threading.Event | None = None,
) -> ExportResult:
    from . import make_writer

    scope = scope or ExportScope()
    assigned = 0
    if fmt in KEYED_FORMATS:
        from .keys import ensure_keys, get_pattern

        assigned = ensure_keys(library, resolve_scope(library, scope), get_pattern(library))
    options = options or ExportOptions(ascii=ascii)
    ascii = options.ascii and fmt in ("bibtex", "biblatex")
    t1_chars: set[str] = set()
    write = make_writer(fmt, options, t1_chars=t1_chars if ascii else None)
    notes: list[str] = []
    # One read transaction from the choice of records to the last entry: the file shows one state of the library
    # even while another window merges or imports (WAL keeps this snapshot for us).
    with library.read_snapshot():
        ids = resolve_scope(library, scope)
        total = len(ids) if ids is not None else library.count_papers()
        papers = _clean_papers(_progress_papers(library.iter_papers(ids=ids), progress, cancel, total), notes)
        if not isinstance(out, (str, os.PathLike)):
            count = write(papers, out)
            return ExportResult(count, None, assigned, _t1_messages(t1_chars) + notes)
        target = Path(out)
        encoding = "ascii" if ascii else "utf-8"
        if total >= PARALLEL_RECORDS and _cores() > 1:
            from . import effective_options

            def write_file(handle):
                return _write_in_chunks(library, ids, fmt, effective_options(fmt, options), handle,
                                        t1_chars if ascii else None, notes, progress, cancel, total)
        else:
            def write_file(handle):
                return write(papers, handle)
        try:
            count = _write_replacing(target, write_file, encoding)
        except OSError as exc:
            raise LibraryError(f"{target}: cannot write the export ({exc.strerror or exc})") from exc
    if progress is not None:
        progress(count, total)
    return ExportResult(count, target, assigned, _t1_messages(t1_chars) + notes)


# From this many records on, a file export formats its entries in other processes, one per core, while this one
# reads the library and writes the file (below it, starting the processes costs more than they save).
PARALLEL_RECORDS = 10_000
CHUNK_RECORDS = 1_000


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def format_chunk(fmt: str, options: ExportOptions, t1: bool, rows: list[tuple]):
    """In a worker process: the entries of a chunk of ``Library.iter_paper_rows`` rows, each as (the key it was
    written with, its text), what needed T1 fonts, and how many records lost how many control characters. The
    key is the stored one or the pattern's; the writing process makes it unique within the file."""
    from . import LAYOUTS
    from ..library import paper_from_row
    from .keys import generate_key

    layout = LAYOUTS[fmt]
    entries = []
    t1_chars: set[str] = set()
    cleaned = removed_total = 0
    for row in rows:
        paper, removed = clean_paper(paper_from_row(row))
        if removed:
            cleaned += 1
            removed_total += removed
        key = paper.get("citekey") or generate_key(paper)
        entries.append((key, layout.entry(paper, key, options)))
        if t1:
            t1_chars |= layout.t1_chars(paper)
    return entries, t1_chars, cleaned, removed_total


def _write_in_chunks(library: Library, ids: list[int] | None, fmt: str, options: ExportOptions, out: IO[str],
                     t1_chars: set[str] | None, notes: list[str], progress, cancel, total: int) -> int:
    """What the format's writer writes, with the entries formatted by a process per core, a chunk of records at
    a time, and joined here in order (the same ``Layout.entry`` makes each: the same bytes). Keys are made unique
    here, in order, as the writer does; an entry whose key had to change is formatted again here."""
    from collections import deque
    from concurrent.futures import BrokenExecutor

    from . import LAYOUTS
    from ..library import paper_from_row
    from .keys import unique_key

    layout = LAYOUTS[fmt]
    want_t1 = t1_chars is not None and layout.t1_chars is not None
    workers = min(_cores(), 4)
    out.write(layout.head(options))
    taken: set[str] = set()
    count = cleaned_records = removed_total = 0
    pending: deque = deque()

    def write_next():
        nonlocal count, cleaned_records, removed_total
        rows, future = pending.popleft()
        try:
            done = future.result() if future is not None else None
        except BrokenExecutor:  # a worker could not start or died: this chunk is formatted here instead
            done = None
        entries, t1, cleaned, removed = done or format_chunk(fmt, options, want_t1, rows)
        parts = []
        for row, (key, text) in zip(rows, entries):
            unique = unique_key(key, taken)
            if unique != key:
                text = layout.entry(clean_paper(paper_from_row(row))[0], unique, options)
            parts.append((layout.between if count else layout.first) + text)
            count += 1
        out.write("".join(parts))
        if want_t1:
            t1_chars.update(t1)
        cleaned_records += cleaned
        removed_total += removed
        if progress is not None:
            progress(count, total)

    from ..processes import process_pool  # its workers end with this process, even when it is killed

    pool = process_pool(workers)
    try:
        for rows in library.iter_paper_rows(CHUNK_RECORDS, ids):
            if cancel is not None and cancel.is_set():
                raise ExportCancelled()
            try:
                future = pool.submit(format_chunk, fmt, options, want_t1, rows)
            except (BrokenExecutor, RuntimeError):  # a broken pool: the rest is formatted here
                future = None
            pending.append((rows, future))
            while len(pending) > 2 * workers:  # a few chunks ahead: memory stays flat
                write_next()
        while pending:
            if cancel is not None and cancel.is_set():
                raise ExportCancelled()
            write_next()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    out.write(layout.tail(count))
    _cleaning_note(notes, cleaned_records, removed_total)
    return count


_PARTIAL_SUFFIX = ".paperdesk-partial"


def _partial_names(target: Path) -> list[Path]:
    """Leftovers of earlier exports to ``target`` killed before they finished (and the old ``.partial`` name)."""
    folder = target.parent
    found = [target.with_name(target.name + ".partial")]
    try:
        found += list(folder.glob(f".{glob.escape(target.name)}.*{_PARTIAL_SUFFIX}"))
    except OSError:
        pass
    return found


def _write_replacing(target: Path, write: Callable[[IO[str]], int], encoding: str) -> int:
    """Write a new ``target`` whole or not at all. Where the system has O_TMPFILE (Linux), the new content goes
    into a file with no name in the same folder, named and renamed over the target only once it is complete and
    synced: a kill at any moment leaves the previous file and nothing else. Elsewhere a hidden temporary file in
    the same folder, which the next export to the same target removes if a kill left it behind."""
    folder = target.parent if str(target.parent) else Path(".")
    for leftover in _partial_names(target):
        try:
            leftover.unlink()
        except FileNotFoundError:
            pass
    fd = None
    if hasattr(os, "O_TMPFILE"):
        try:
            fd = os.open(folder, os.O_TMPFILE | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError:
            fd = None  # the file system does not support it
    partial = folder / f".{target.name}.{os.getpid()}.{threading.get_ident()}{_PARTIAL_SUFFIX}"
    named = fd is None
    if named:
        fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_CLOEXEC", 0), 0o666)
    try:
        with open(fd, "w", encoding=encoding, newline="", closefd=True) as handle:
            count = write(handle)
            handle.flush()
            os.fsync(handle.fileno())
            if not named:
                _name_tmpfile(handle.fileno(), partial)
                named = True
        os.replace(partial, target)
    except BaseException:
        if named:
            partial.unlink(missing_ok=True)
        raise
    return count


def _name_tmpfile(fd: int, partial: Path) -> None:
    """Give the unnamed O_TMPFILE file a name (linkat through /proc, as open(2) describes); should that fail,
    copy its content into a named file instead."""
    folder = os.open(partial.parent if str(partial.parent) else ".", os.O_RDONLY)
    try:
        os.link(f"/proc/self/fd/{fd}", partial.name, dst_dir_fd=folder, follow_symlinks=True)
        return
    except OSError:
        pass
    finally:
        os.close(folder)
    with open(f"/proc/self/fd/{fd}", "rb") as source, open(partial, "xb") as copy:
        while chunk := source.read(1 << 20):
            copy.write(chunk)
        copy.flush()
        os.fsync(copy.fileno())


def _clean_papers(papers, notes: list[str]):
    """Records as stored, without NULs, control characters or terminal escape sequences (a library imported
    before these were removed at import may hold some): they never reach an exported file. Says how many."""
    cleaned_records = removed_total = 0
    for paper in papers:
        paper, removed = clean_paper(paper)
        if removed:
            cleaned_records += 1
            removed_total += removed
        yield paper
    _cleaning_note(notes, cleaned_records, removed_total)


def _cleaning_note(notes: list[str], cleaned_records: int, removed_total: int) -> None:
    if cleaned_records:
        notes.append(f"removed {count(removed_total, 'control character')} (NUL, terminal escape sequences) from"
                     f" {count(cleaned_records, 'record')} on the way out; the library still holds them")


def clean_paper(paper: dict) -> tuple[dict, int]:
    """The paper without control characters, and how many were removed (the same dict when there were none)."""
    if not _may_have_controls(paper):
        return paper, 0
    from ..text import clean_text, has_controls

    removed_total = 0

    def clean(value):
        nonlocal removed_total
        if isinstance(value, str):
            if has_controls(value):
                value, removed = clean_text(value)
                removed_total += removed
            return value
        if isinstance(value, list):
            return [clean(v) for v in value]
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        return value

    paper = clean(paper)
    return paper, removed_total


def _may_have_controls(paper: dict) -> bool:
    """False when no text of ``paper`` holds a control character: one search over all of its text instead of one
    per value (the common case; True sends the record through the full clean, which finds out exactly)."""
    from ..text import has_controls

    texts = []
    for value in paper.values():
        kind = type(value)
        if kind is str:
            texts.append(value)
        elif kind is list:
            for item in value:
                if type(item) is str:
                    texts.append(item)
                elif type(item) is dict:
                    texts += [v for v in item.values() if type(v) is str]
                    if any(type(v) in (list, dict) for v in item.values()):
                        return True
                else:
                    return True
        elif kind is dict:
            return True
    return has_controls("\n".join(texts))


def _t1_messages(t1_chars: set[str]) -> list[str]:
    if not t1_chars:
        return []
    shown = " ".join(sorted(t1_chars))
    return [f"{count(len(t1_chars), 'character')} {'needs' if len(t1_chars) == 1 else 'need'} T1 fonts and {plural(len(t1_chars), 'was')} written as the nearest plain letters: {shown} "
            "(for the exact letters use the UTF-8 export, or \\usepackage[T1]{fontenc} with biber)"]
