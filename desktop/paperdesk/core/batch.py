"""Batch edits: one change to many records, previewed row by row, applied as one step, undone as one step.

An edit is data (``BatchEdit``): set a field, find and replace in a field (plain or regular expression, with or
without case), or put one author name for another. ``preview`` walks the chosen records in batches and yields
only the rows the edit would change, with their value before and after, so the librarian can untick rows;
``apply`` recomputes each ticked row from the record as it is now (never from a stale preview) and writes all of
them in one transaction, with one event per record holding the old and the new value; ``undo`` puts the old
values back. Validation is the detail pane's (``curation.validate``): a replacement that would empty a title or
put a comma inside a name is refused for that row, and the preview says why.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from . import curation
from .library import Library, LibraryError, now
from .progress import Cancel, Progress, checkpoint

TEXT_FIELDS = ("title", "abstract", "org", "authors")
SETTABLE_FIELDS = ("category", "date", "has_code", "org", "authors_truncated", "title", "abstract")
_BATCH = 1000


@dataclass(frozen=True)
class BatchEdit:
    """What to change. ``kind`` is "set", "replace" or "rename_author"."""

    kind: str
    field: str = ""
    value: object = None  # "set": the new value
    find: str = ""  # "replace": the text or pattern; "rename_author": the name as it is now
    replacement: str = ""  # "replace": what replaces it; "rename_author": the name it becomes
    regex: bool = False
    ignore_case: bool = False

    def __post_init__(self):
        if self.kind == "set" and self.field not in SETTABLE_FIELDS:
            raise LibraryError(f"'{self.field}' cannot be set in a batch; choose one of {', '.join(SETTABLE_FIELDS)}")
        if self.kind == "replace":
            if self.field not in TEXT_FIELDS:
                raise LibraryError(f"find and replace works in {', '.join(TEXT_FIELDS)}, not '{self.field}'")
            if not self.find:
                raise LibraryError("say what to find")
            if self.regex:
                try:
                    re.compile(self.find)
                except re.error as exc:
                    raise LibraryError(f"'{self.find}' is not a regular expression: {exc}") from None
        if self.kind == "rename_author":
            object.__setattr__(self, "field", "authors")
            if not self.find.strip() or not self.replacement.strip():
                raise LibraryError("give the name as it is now and the name it should become")
        if self.kind not in ("set", "replace", "rename_author"):
            raise LibraryError(f"unknown batch edit {self.kind!r}")

    def describe(self) -> str:
        if self.kind == "set":
            return f"Set {self.field} to {self.value!r}"
        if self.kind == "replace":
            how = "pattern" if self.regex else "text"
            return f"Replace {how} {self.find!r} with {self.replacement!r} in {self.field}"
        return f"Rename author {self.find!r} to {self.replacement!r}"

    def _pattern(self) -> re.Pattern:
        flags = re.IGNORECASE if self.ignore_case else 0
        return re.compile(self.find if self.regex else re.escape(self.find), flags)

    def new_value(self, old):
        """The value after the edit, or ``old`` itself when the edit does not touch this record."""
        if self.kind == "set":
            return self.value
        if self.kind == "rename_author":
            target = " ".join(self.find.split())
            return [self.replacement if name == target else name for name in old]
        pattern = self._pattern()
        replacement = self.replacement if self.regex else self.replacement.replace("\\", "\\\\")
        if self.field == "authors":
            return [pattern.sub(replacement, name) for name in old]
        return pattern.sub(replacement, old or "") if old is not None else None


@dataclass
class PreviewRow:
    id: int
    before: object
    after: object
    error: str | None = None  # why this row cannot take the edit (it is then left out of apply)


@dataclass
class BatchResult:
    edit: BatchEdit
    old: dict[int, object] = field(default_factory=dict)  # record id -> value before
    new: dict[int, object] = field(default_factory=dict)  # record id -> value after
    refused: dict[int, str] = field(default_factory=dict)  # record id -> why it was left as it was

    @property
    def ids(self) -> list[int]:
        return sorted(self.old)


def ids_matching(library: Library, search: str = "") -> list[int]:
    """The visible records a search finds (every visible record for an empty search), in id order."""
    from .query import RecordFilter, ordered_ids

    return list(ordered_ids(library.conn, RecordFilter(search=search, sort="id")))


def _read(library: Library, ids: list[int], field_name: str) -> dict[int, object]:
    marks = ",".join("?" * len(ids))
    if field_name == "authors":
        rows = library.conn.execute(f"SELECT id, authors FROM papers WHERE id IN ({marks})", ids)
        return {pid: ([n for n in text.split(", ") if n] if text else []) for pid, text in rows}
    rows = library.conn.execute(f"SELECT id, {field_name} FROM papers WHERE id IN ({marks})", ids)
    if field_name in ("has_code", "authors_truncated"):
        return {pid: bool(value) for pid, value in rows}
    return dict(rows)


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    chunk: list[int] = []
    for pid in ids:
        chunk.append(int(pid))
        if len(chunk) == _BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _outcome(edit: BatchEdit, old) -> tuple[object, str | None]:
    try:
        return curation.validate(edit.field, edit.new_value(old)), None
    except curation.ValidationError as exc:
        return old, str(exc)


def preview(library: Library, ids: Iterable[int], edit: BatchEdit) -> Iterator[PreviewRow]:
    """The rows ``edit`` would change among ``ids``, in the order given, before and after."""
    for chunk in _chunks(ids):
        yield from _preview_chunk(library, chunk, edit)


@dataclass
class Scan:
    """Which of the chosen records an edit would change (``ids``, in the order given) and which of those it
    would make invalid (``refused``): ids only, so that a preview of 100,000 records holds no 100,000 values.
    The values are read a page at a time (``rows``) as the preview table scrolls."""

    ids: list[int] = field(default_factory=list)
    refused: set[int] = field(default_factory=set)


def scan(library: Library, ids: Iterable[int], edit: BatchEdit, *, progress: Progress = None,
         cancelled: Cancel = None) -> Scan:
    """Walk ``ids`` in batches (one read snapshot) and note the records ``edit`` would change or refuse."""
    ids = list(ids)
    found = Scan()
    done = 0
    with library.read_snapshot():
        for chunk in _chunks(ids):
            checkpoint(cancelled, progress, done, len(ids), "the preview")
            for row in _preview_chunk(library, chunk, edit):
                found.ids.append(row.id)
                if row.error:
                    found.refused.add(row.id)
            done += len(chunk)
    checkpoint(cancelled, progress, done, len(ids), "the preview")
    return found


def rows(library: Library, ids: list[int], edit: BatchEdit) -> list[PreviewRow]:
    """One page of a preview: each of ``ids`` (a few hundred) with its value now and after the edit."""
    current = _read(library, list(ids), edit.field) if ids else {}
    out = []
    for pid in ids:
        if pid in current:
            old = current[pid]
            new, error = _outcome(edit, old)
            out.append(PreviewRow(pid, old, new if not error else edit.new_value(old), error))
    return out


def _preview_chunk(library: Library, chunk: list[int], edit: BatchEdit) -> Iterator[PreviewRow]:
    current = _read(library, chunk, edit.field)
    for pid in chunk:
        if pid not in current:
            continue
        old = current[pid]
        new, error = _outcome(edit, old)
        if error or new != _stored(edit.field, old):
            yield PreviewRow(pid, old, new if not error else edit.new_value(old), error)


def _stored(field_name: str, value):
    """A value as validate would store it, so an unchanged record is not counted as changed."""
    try:
        return curation.validate(field_name, value)
    except curation.ValidationError:
        return value


def apply(library: Library, ids: Iterable[int], edit: BatchEdit, *, cancelled=None, progress=None) -> BatchResult:
    """Apply ``edit`` to the records ``ids`` (the ticked preview rows) in one transaction."""
    result = BatchResult(edit)
    ids = list(ids)
    done = 0
    with library.transaction() as conn:
        stamp = now()
        for chunk in _chunks(ids):
            checkpoint(cancelled, progress, done, len(ids), "the batch edit")
            current = _read(library, chunk, edit.field)
            writes = []
            for pid in chunk:
                if pid not in current:
                    continue
                old = current[pid]
                new, error = _outcome(edit, old)
                if error:
                    result.refused[pid] = error
                    continue
                if new == _stored(edit.field, old):
                    continue
                result.old[pid], result.new[pid] = old, new
                writes.append((pid, new))
            _write_many(conn, writes, edit.field, stamp)
            done += len(chunk)
        checkpoint(cancelled, progress, done, len(ids), "the batch edit")
        conn.executemany(
            "INSERT INTO events(at, kind, paper_id, details, origin) VALUES (?, 'batch-edit', ?, ?, ?)",
            [(stamp, pid, _event(edit, result.old[pid], result.new[pid]), library.origin) for pid in result.old],
        )
    return result


def undo(library: Library, result: BatchResult, *, progress: Progress = None, cancelled: Cancel = None) -> None:
    """Put back the values ``apply`` replaced (one transaction; ``cancelled()`` rolls it back)."""
    _put(library, result, result.new, result.old, "batch-edit-undone", progress, cancelled)


def redo(library: Library, result: BatchResult, *, progress: Progress = None, cancelled: Cancel = None) -> None:
    _put(library, result, result.old, result.new, "batch-edit", progress, cancelled)


def _put(library: Library, result: BatchResult, before: dict, after: dict, kind: str, progress: Progress,
         cancelled: Cancel) -> None:
    """Write ``after`` over ``before`` for every record of ``result``, with one event each, in chunks."""
    what = "undoing the batch edit" if kind.endswith("undone") else "the batch edit"
    with library.transaction() as conn:
        stamp = now()
        done = 0
        for chunk in _chunks(after):
            checkpoint(cancelled, progress, done, len(after), what)
            _write_many(conn, [(pid, after[pid]) for pid in chunk], result.edit.field, stamp)
            conn.executemany(
                "INSERT INTO events(at, kind, paper_id, details, origin) VALUES (?, ?, ?, ?, ?)",
                [(stamp, kind, pid, _event(result.edit, before[pid], after[pid]), library.origin) for pid in chunk],
            )
            done += len(chunk)
        checkpoint(cancelled, progress, done, len(after), what)


def _event(edit: BatchEdit, old, new) -> str:
    return json.dumps({"edit": edit.describe(), "changes": {edit.field: [old, new]}}, ensure_ascii=False)


def _write(conn, pid: int, field_name: str, value, stamp: str) -> None:
    _write_many(conn, [(pid, value)], field_name, stamp)


def _write_many(conn, values: list[tuple[int, object]], field_name: str, stamp: str) -> None:
    """Write ``(record id, value)`` pairs: one statement prepared once for a whole chunk (the field and
    ``updated_at`` together), names through curation's writer."""
    if field_name == "authors":
        for pid, value in values:
            curation._write_authors(conn, pid, value)
        conn.executemany("UPDATE papers SET updated_at = ? WHERE id = ?", [(stamp, pid) for pid, _ in values])
    elif field_name == "date":
        conn.executemany("UPDATE papers SET date = ?, year = ?, updated_at = ? WHERE id = ?",
                         [(v, int(v[:4]) if v else None, stamp, pid) for pid, v in values])
    else:
        conn.executemany(f"UPDATE papers SET {field_name} = ?, updated_at = ? WHERE id = ?",
                         [(int(v) if isinstance(v, bool) else v, stamp, pid) for pid, v in values])
