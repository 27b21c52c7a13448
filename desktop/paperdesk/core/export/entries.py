"""Every export format as a head, one text per entry and a tail (``Layout``), so that the same entries can be
written one after another (``write_entries``) or formatted in chunks by other processes and joined in order
(``runner``'s large exports): both give the same bytes, because both call the same ``entry``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Callable, Iterable

from .keys import entry_key
from .options import ExportOptions


def _nothing(_arg) -> str:
    return ""


@dataclass(frozen=True)
class Layout:
    entry: Callable[[dict, str, ExportOptions], str]  # one paper with its key, as text
    head: Callable[[ExportOptions], str] = _nothing
    first: str = ""  # before the first entry
    between: str = ""  # before every later entry
    tail: Callable[[int], str] = _nothing  # given how many entries were written
    t1_chars: Callable[[dict], set[str]] | None = None  # ASCII .bib: what needed T1 fonts and was approximated


def write_entries(layout: Layout, papers: Iterable[dict], out: IO[str], options: ExportOptions,
                  t1_chars: set[str] | None = None) -> int:
    """Write the papers in ``layout``; returns how many. Keys: the stored one, else one from the default
    pattern, unique within the file."""
    out.write(layout.head(options))
    taken: set[str] = set()
    count = 0
    collect = t1_chars is not None and options.ascii and layout.t1_chars is not None
    for paper in papers:
        out.write((layout.between if count else layout.first) + layout.entry(paper, entry_key(paper, taken), options))
        if collect:
            t1_chars |= layout.t1_chars(paper)
        count += 1
    out.write(layout.tail(count))
    return count
