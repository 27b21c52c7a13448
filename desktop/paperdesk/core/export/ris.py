"""RIS export (EndNote, Zotero, Mendeley, reference managers at large): ``TY  - UNPB`` records.

RIS has no preprint type; UNPB ("unpublished work") is the one reference managers read back as a preprint or
manuscript. Every value is one line (RIS has no continuation lines), and, as in CSL-JSON, what RIS cannot say
(the list of authors stops at "et al.") is said in ``N1`` notes.
"""

from __future__ import annotations

from typing import IO, Iterable

from ..categories import arxiv_class
from .facts import note_lines
from .keys import entry_key, is_collective, split_name


def ris_name(name: str) -> str:
    """``Family, Given`` (``van Beethoven, Ludwig``; ``Smith, John, Jr.``); collective names as they are."""
    if is_collective(name):
        return name
    parts = split_name(name)
    family = " ".join(p for p in (parts["particle"], parts["family"]) if p)
    return ", ".join(p for p in (family, parts["given"], parts["suffix"]) if p)


def _line(tag: str, value) -> str:
    return f"{tag}  - {' '.join(str(value).split())}\n"


def format_record(paper: dict, key: str) -> str:
    lines = [_line("TY", "UNPB"), _line("ID", key), _line("TI", paper.get("title") or "")]
    lines += [_line("AU", ris_name(n)) for n in paper.get("authors") or []]
    date = paper.get("date")
    if date:
        lines += [_line("PY", date[:4]), _line("DA", date.replace("-", "/") + "/")]
    arxiv = arxiv_class(paper.get("category"))
    if arxiv:
        lines.append(_line("PB", "arXiv"))
    if paper.get("abstract"):
        lines.append(_line("AB", paper["abstract"]))
    lines += [_line("KW", tag) for tag in paper.get("tags") or []]
    if paper.get("code_urls"):
        lines.append(_line("UR", paper["code_urls"][0]))
    lines += [_line("N1", note) for note in note_lines(paper)]
    lines.append("ER  - \n")
    return "".join(lines)


def write_ris(papers: Iterable[dict], out: IO[str]) -> int:
    """One RIS record per paper, a blank line between them; returns how many."""
    taken: set[str] = set()
    count = 0
    for paper in papers:
        out.write(("\n" if count else "") + format_record(paper, entry_key(paper, taken)))
        count += 1
    return count
