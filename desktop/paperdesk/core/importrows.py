"""A parsed dump as the writer stores it: rows ready for ``executemany``, made where the file was parsed.

A large import parses in other processes and hands each file to the one writing process. Handing over the
parser's objects (``ParsedRecord``, one dataclass per record, rebuilt field by field on arrival) cost the writer
more than writing the rows: 100,000 records pickled to 204 MB took 2.2 s of the writer's CPU to unpickle. A
``DumpRows`` is plain tuples and strings, the papers rows already in column order, so the writer unpickles a third
of that and passes the rows to SQLite as they are (core/library.py ``Library._insert_papers``).

The few records whose title/author split is uncertain keep their ``ParsedRecord``: names already in the library
may settle them (``Library._refine_uncertain_splits``), after which their rows are made again (``refine``).

This module imports nothing heavier than the parser: a parsing process starts with it alone.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import pickle
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

from . import dumps
from .text import escape_name

# Columns of ``DumpRows.papers``, in this order (INSERT statements name them so).
PAPER_COLUMNS = ("title", "authors", "first_author", "authors_truncated", "org", "category", "date", "year",
                 "has_code", "score", "abstract", "code_urls", "needs_review", "review", "fingerprint")
_NEEDS_REVIEW = PAPER_COLUMNS.index("needs_review")
_REVIEW = PAPER_COLUMNS.index("review")
_FINGERPRINT = PAPER_COLUMNS.index("fingerprint")


def paper_row(r: dumps.ParsedRecord) -> tuple:
    """One record as a ``papers`` row (PAPER_COLUMNS)."""
    names = r.authors
    return (r.title, ", ".join(names), names[0] if names else None, int(r.authors_truncated), r.org, r.category,
            r.date, int(r.date[:4]) if r.date else None, int(r.has_code), r.score, r.abstract,
            json.dumps(r.code_urls) if r.code_urls else None, int(r.needs_review),
            json.dumps(r.review, ensure_ascii=False) if r.review else None, r.fingerprint)


def _uncertain(r: dumps.ParsedRecord) -> bool:
    """A record whose reading names already in the library may still change (Library._refine_uncertain_splits)."""
    return bool(r.needs_review and r.review and r.review.get("alternatives"))


@dataclass
class DumpRows:
    """One parsed dump file: what ``sources`` stores about it and its records as rows.

    Record ``i`` is ``papers[i]`` (PAPER_COLUMNS), its authors are the ``links`` entries ``(i, name, position)``
    (in record order, then position) and where it was read ``places[i] = (i, line, end_line, raw, fingerprint)``.
    """

    file_name: str
    sha256: str
    size: int
    captured: dt.date
    capture_source: str
    layout: str | None
    profile: str | None  # JSON of the profile header, or None
    report: dumps.ParseReport
    papers: list[tuple]
    links: list[tuple[int, str, int]]
    places: list[tuple[int, int, int, str, str]]
    uncertain: dict[int, dumps.ParsedRecord]  # record index -> its parsed record, for the uncertain splits

    def __len__(self) -> int:
        return len(self.papers)

    @property
    def fingerprints(self) -> list[str]:
        return [row[_FINGERPRINT] for row in self.papers]

    def names(self) -> list[str]:
        """Every author name of the file, each once, in order of first appearance."""
        return list(dict.fromkeys(name for _i, name, _pos in self.links))

    def sure_names(self) -> set[str]:
        """Names on the file's records that are not flagged for review."""
        papers = self.papers
        return {name for i, name, _pos in self.links if not papers[i][_NEEDS_REVIEW]}

    def flagged(self) -> int:
        return sum(row[_NEEDS_REVIEW] for row in self.papers)

    def flag_reasons(self) -> dict[str, int]:
        """How many flagged records give each reason, most frequent first (as ``dumps.flag_reasons``)."""
        counts = Counter(reason for row in self.papers if row[_NEEDS_REVIEW] and row[_REVIEW]
                         for reason in json.loads(row[_REVIEW]).get("reasons", []))
        return dict(counts.most_common())

    def refresh(self, indexes) -> None:
        """Make the rows of the records at ``indexes`` again from their (changed) parsed records."""
        changed = set(indexes)
        if not changed:
            return
        for i in changed:
            self.papers[i] = paper_row(self.uncertain[i])
        self.links = [link for link in self.links if link[0] not in changed] + [
            (i, name, pos) for i in changed for pos, name in enumerate(self.uncertain[i].authors, start=1)]
        self.links.sort(key=_first)  # stable: each record's names stay in position order

    def subset(self, indexes: list[int]) -> "DumpRows":
        """The records at ``indexes`` (in that order) as a DumpRows of their own, numbered from 0."""
        new_index = {old: new for new, old in enumerate(indexes)}
        links = [(new_index[i], name, pos) for i, name, pos in self.links if i in new_index]
        links.sort(key=_first)
        return DumpRows(
            file_name=self.file_name, sha256=self.sha256, size=self.size, captured=self.captured,
            capture_source=self.capture_source, layout=self.layout, profile=self.profile, report=self.report,
            papers=[self.papers[i] for i in indexes], links=links,
            places=[(new, *self.places[old][1:]) for new, old in enumerate(indexes)],
            uncertain={new_index[i]: r for i, r in self.uncertain.items() if i in new_index})


def _first(link: tuple) -> int:
    return link[0]


def from_parsed(parsed: dumps.ParsedDump) -> DumpRows:
    """The rows of a parsed dump (the parser's objects are not kept, but for the uncertain records)."""
    records = parsed.records
    return DumpRows(
        file_name=parsed.file_name, sha256=parsed.sha256, size=parsed.size, captured=parsed.captured,
        capture_source=parsed.capture_source, layout=parsed.layout,
        profile=json.dumps(asdict(parsed.profile)) if parsed.profile else None, report=parsed.report,
        papers=[paper_row(r) for r in records],
        links=[(i, name, pos) for i, r in enumerate(records) for pos, name in enumerate(r.authors, start=1)],
        places=[(i, r.line, r.end_line, r.raw, r.fingerprint) for i, r in enumerate(records)],
        uncertain={i: r for i, r in enumerate(records) if _uncertain(r)},
    )


def read_rows(path: Path, captured: dt.date | None) -> DumpRows | str:
    """Read and parse one dump into rows; a file that cannot be read gives the sentence saying why instead."""
    try:
        return from_parsed(dumps.read_dump(path, captured))
    except dumps.DumpError as exc:
        return str(exc)
    except (MemoryError, RecursionError, ValueError, UnicodeError) as exc:  # one bad file never stops the others
        name = escape_name(Path(path).name)
        return f"{name}: cannot be read as a dump ({exc})"


def read_rows_packed(path: Path, captured: dt.date | None) -> bytes | str:
    """``read_rows`` for a parsing process: the rows already pickled (``pack``), so handing them over pickles one
    ``bytes`` object; a file that cannot be read gives its sentence, as ``read_rows`` does."""
    rows = read_rows(path, captured)
    return rows if isinstance(rows, str) else pack(rows)


def pack(rows: DumpRows) -> bytes:
    """``rows`` pickled without pickle's memo: a file's rows hold no cycles and few shared objects worth
    remembering, and remembering each of its ~35 objects a record was half the pickling (5.4 -> 2.7-3.9 µs a
    record, the size within 2%). ``unpack`` reads it."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo (a cycle would raise ValueError, never loop)
    pickler.dump(rows)
    return buffer.getvalue()


def unpack(blob: bytes) -> DumpRows:
    return pickle.loads(blob)
