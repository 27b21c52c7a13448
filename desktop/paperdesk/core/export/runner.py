"""One export, as the command line and the Export dialog both run it: scope -> keys -> writer -> file.

The file is written beside its target and renamed into place, so a failed or cancelled export never leaves
half a file; merged-away records are never exported (Library.iter_papers skips them).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable

from ..library import Library, LibraryError
from ..query import RecordFilter, ordered_ids
from .options import ExportOptions

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
            parts.append(f"{len(self.ids)} selected records")
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
    ids = resolve_scope(library, scope)
    total = len(ids) if ids is not None else library.count_papers()
    assigned = 0
    if fmt in KEYED_FORMATS:
        from .keys import assign_keys, get_pattern

        before = library.conn.execute("SELECT COUNT(*) FROM papers WHERE citekey IS NOT NULL").fetchone()[0]
        assign_keys(library, ids, get_pattern(library))
        assigned = library.conn.execute("SELECT COUNT(*) FROM papers WHERE citekey IS NOT NULL").fetchone()[0] - before
    options = options or ExportOptions(ascii=ascii)
    ascii = options.ascii and fmt in ("bibtex", "biblatex")
    t1_chars: set[str] = set()
    write = make_writer(fmt, options, t1_chars=t1_chars if ascii else None)
    papers = _progress_papers(library.iter_papers(ids=ids), progress, cancel, total)
    if not isinstance(out, (str, os.PathLike)):
        return ExportResult(write(papers, out), None, assigned, _t1_messages(t1_chars))
    target = Path(out)
    partial = target.with_name(target.name + ".partial")
    try:
        with open(partial, "w", encoding="ascii" if ascii else "utf-8",
                  newline="") as handle:
            count = write(papers, handle)
        os.replace(partial, target)
    except ExportCancelled:
        partial.unlink(missing_ok=True)
        raise
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise LibraryError(f"{target}: cannot write the export ({exc.strerror or exc})") from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if progress is not None:
        progress(count, total)
    return ExportResult(count, target, assigned, _t1_messages(t1_chars))


def _t1_messages(t1_chars: set[str]) -> list[str]:
    if not t1_chars:
        return []
    shown = " ".join(sorted(t1_chars))
    return [f"{len(t1_chars)} characters need T1 fonts and were written as the nearest plain letters: {shown} "
            "(for the exact letters use the UTF-8 export, or \\usepackage[T1]{fontenc} with biber)"]
