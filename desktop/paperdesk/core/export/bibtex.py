"""BibTeX and biblatex (.bib) export: one ``@misc`` entry per paper.

The papers are arXiv preprints known by their subject class but not their arXiv number, so neither dialect can
use a journal or an ``eprint`` field: the class goes in ``primaryclass`` (BibTeX, with ``archiveprefix``) or
``eprintclass`` (biblatex, with ``eprinttype``). biblatex gets ``@misc`` rather than ``@online`` because
``@online`` requires a URL of the work itself, and the only URL a record has is its code repository.

UTF-8 by default (for biber, or BibTeX with a UTF-8 LaTeX); ``ascii=True`` writes pure ASCII with LaTeX accent
commands for classic BibTeX, whose sorting and case changing only understand those.
"""

from __future__ import annotations

from typing import IO, Iterable
from urllib.parse import quote

from ..categories import arxiv_class
from .keys import entry_key, is_collective, split_name
from .latex import protect_title, to_latex

DIALECTS = ("bibtex", "biblatex")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def bib_name(name: str, ascii: bool = False) -> str:
    """One author for an ``author`` field. Collective names are braced, or BibTeX would split ``OneRec Team``
    into a given and a family name; a suffix needs BibTeX's ``von Last, Jr, First`` form."""
    if is_collective(name):
        return "{%s}" % to_latex(name, ascii)
    parts = split_name(name)
    if parts["suffix"]:
        last = " ".join(p for p in (parts["particle"], parts["family"]) if p)
        return ", ".join(to_latex(p, ascii) for p in (last, parts["suffix"], parts["given"]) if p)
    return to_latex(name, ascii)


_URL_SAFE = "".join(chr(c) for c in range(33, 127) if chr(c) not in '{}\\"<>^`|')


def _url(url: str, dialect: str) -> str:
    # Braces, backslashes, spaces and non-ASCII would break the field: percent-encoded (always valid in a URL).
    # biblatex reads the field verbatim; BibTeX styles pass it to \url, where % and # must be escaped.
    url = quote(url.strip(), safe=_URL_SAFE)
    if dialect == "bibtex":
        url = url.replace("%", r"\%").replace("#", r"\#")
    return url


def _note(paper: dict) -> str:
    places = "; ".join(f"{s['file']}, line {s['line']}" for s in paper.get("sources") or [])
    return f"Listed in {places}" if places else ""


def _fields(paper: dict, dialect: str, ascii: bool) -> list[tuple[str, str]]:
    fields: list[tuple[str, str]] = []
    names = [bib_name(n, ascii) for n in paper.get("authors") or []]
    if names:
        names += ["others"] if paper.get("authors_truncated") else []  # printed as "et al."
        fields.append(("author", "{%s}" % " and ".join(names)))
    elif paper.get("title"):
        fields.append(("key", "{%s}" % to_latex(paper["title"], ascii)))  # what styles sort by without authors
    fields.append(("title", "{%s}" % protect_title(paper.get("title"), ascii)))
    date = paper.get("date")
    if date and dialect == "biblatex":
        fields.append(("date", "{%s}" % date))
    elif date:
        fields.append(("year", "{%s}" % date[:4]))
        if len(date) >= 7:
            fields.append(("month", _MONTHS[int(date[5:7]) - 1]))  # the style's macro: "May" or "Mai"
    arxiv = arxiv_class(paper.get("category"))
    if arxiv and dialect == "biblatex":
        fields += [("eprinttype", "{arxiv}"), ("eprintclass", "{%s}" % to_latex(arxiv))]
    elif arxiv:
        fields += [("archiveprefix", "{arXiv}"), ("primaryclass", "{%s}" % to_latex(arxiv))]
    if paper.get("org"):
        org = to_latex(paper["org"], ascii)
        fields.append(("organization", "{{%s}}" % org if " and " in org else "{%s}" % org))  # a list in biblatex
    if paper.get("tags"):
        fields.append(("keywords", "{%s}" % ", ".join(to_latex(t, ascii) for t in paper["tags"])))
    if paper.get("code_urls"):
        fields.append(("url", "{%s}" % _url(paper["code_urls"][0], dialect)))
    note = _note(paper)
    if note:
        fields.append(("note", "{%s}" % to_latex(note, ascii)))
    if paper.get("abstract"):
        fields.append(("abstract", "{%s}" % to_latex(paper["abstract"], ascii)))
    return fields


def format_entry(paper: dict, key: str, dialect: str = "bibtex", ascii: bool = False) -> str:
    body = ",\n".join(f"  {name} = {value}" for name, value in _fields(paper, dialect, ascii))
    return "@misc{%s,\n%s,\n}\n" % (key, body)


def write_bibtex(papers: Iterable[dict], out: IO[str], *, dialect: str = "bibtex", ascii: bool = False) -> int:
    """Write one entry per paper; returns how many. Papers without a citekey get one from the default pattern
    (unique within this file), so no entry is ever written without a key."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown .bib dialect '{dialect}' (use bibtex or biblatex)")
    out.write("%% Encoding: %s\n" % ("US-ASCII" if ascii else "UTF-8"))
    taken: set[str] = set()
    count = 0
    for paper in papers:
        out.write("\n" + format_entry(paper, entry_key(paper, taken), dialect, ascii))
        count += 1
    return count
