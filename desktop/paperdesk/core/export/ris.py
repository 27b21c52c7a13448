"""RIS export (Zotero, EndNote, Mendeley, JabRef, reference managers at large): ``TY  - MANSCPT`` records.

RIS has no preprint type. ``UNPB`` is not in Zotero's RIS type map (it imports as a *Journal Article*); ``MANSCPT``
imports as a *Manuscript* in Zotero and EndNote and as ``@misc`` in JabRef, the same type as the .bib export. RIS
has no "and others" either, so a cut author list is said in an ``N1`` note (never an author called "others").
Every value is one line (RIS has no continuation lines); titles and abstracts are plain Unicode. No ``UR``: the
only link a record has is its code repository, not the paper's address. See docs/formats.md.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import IO, Iterable

from ..categories import arxiv_class
from .entries import Layout, write_entries
from .facts import note_lines
from .keys import entry_key, is_collective, split_name
from .options import DEFAULT_OPTIONS, ExportOptions
from .plaintext import latex_to_unicode

RIS_TYPE = "MANSCPT"


@lru_cache(maxsize=1 << 16)  # authors recur across records
def ris_name(name: str) -> str:
    """``Family, Given`` (``van Beethoven, Ludwig``; ``Smith, John, Jr.``); collective names as they are."""
    if is_collective(name):
        return name
    parts = split_name(name)
    family = " ".join(p for p in (parts["particle"], parts["family"]) if p)
    return ", ".join(p for p in (family, parts["given"], parts["suffix"]) if p)


_UNEVEN_SPACE_RE = re.compile(r"[^\S ]| {2}|^ | $")  # whitespace but a single space between words


def _line(tag: str, value) -> str:
    text = str(value)
    if _UNEVEN_SPACE_RE.search(text):
        text = " ".join(text.split())
    return f"{tag}  - {text}\n"


def format_record(paper: dict, key: str, options: ExportOptions = DEFAULT_OPTIONS) -> str:
    lines = [_line("TY", RIS_TYPE), _line("ID", key), _line("TI", latex_to_unicode(paper.get("title")))]
    lines += [_line("AU", ris_name(n)) for n in paper.get("authors") or []]
    date = paper.get("date")
    if date:
        lines += [_line("PY", date[:4]), _line("DA", date.replace("-", "/") + "/")]
    arxiv = arxiv_class(paper.get("category"))
    if arxiv:
        lines += [_line("PB", "arXiv"), _line("M3", "Preprint")]
    if paper.get("abstract"):
        lines.append(_line("AB", latex_to_unicode(paper["abstract"])))
    lines += [_line("KW", tag) for tag in paper.get("tags") or []]
    lines += [_line("N1", note) for note in note_lines(paper, options, et_al=True)]
    lines.append("ER  - \n")
    return "".join(lines)


LAYOUT = Layout(format_record, between="\n")


def write_ris(papers: Iterable[dict], out: IO[str], *, options: ExportOptions = DEFAULT_OPTIONS) -> int:
    """One RIS record per paper, a blank line between them; returns how many."""
    return write_entries(LAYOUT, papers, out, options)
