"""BibTeX and biblatex (.bib) export: one ``@misc`` entry per paper (docs/formats.md has the full mapping).

The papers are arXiv preprints known by their subject class but not their arXiv number. ``@misc`` is how arXiv
itself and Zotero (its export of a preprint item) write a preprint; ``howpublished = {arXiv}`` and
``type = {Preprint}`` are what pandoc reads as the CSL-JSON export's publisher and genre, so both render alike; the class goes in ``primaryclass`` (BibTeX, with
``archiveprefix``) or ``eprintclass`` (biblatex, with ``eprinttype``). Nothing is written as ``url``: the only
link a record has is its code repository, which readers and Zotero would take for the paper's address; it goes in
``repository`` (the biblatex-software name), which no standard style prints, and in the note only on request.

UTF-8 by default (for biber, or BibTeX with a UTF-8 LaTeX); ``ascii=True`` writes pure ASCII with LaTeX accent
commands for classic BibTeX, whose sorting and case changing only understand those, limited to what a default
``\\documentclass{article}`` can typeset (characters that need T1 fonts are approximated and reported).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import IO, Iterable
from urllib.parse import quote

from ..categories import arxiv_class
from .entries import Layout, write_entries
from .facts import note_lines
from .keys import entry_key, is_collective, split_name
from .latex import protect_title, t1_only_chars, to_latex
from .options import DEFAULT_OPTIONS, ExportOptions

DIALECTS = ("bibtex", "biblatex")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@lru_cache(maxsize=1 << 16)  # authors recur across records: most names are converted once per export
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


_URL_SAFE = "".join(chr(c) for c in range(33, 127) if chr(c) not in '{}\\"<>^`|%#')


def bib_url(url: str) -> str:
    """A URL for a verbatim .bib field (``url``, ``repository``): braces, backslashes, spaces, ``%``, ``#`` and
    non-ASCII percent-encoded (always valid in a URL, and never a LaTeX special), an existing ``%XX`` kept. Never
    ``\\%`` or ``\\#``: biblatex and url.sty read the field verbatim and would print the backslash."""
    url = url.strip()
    parts = re.split(r"(%[0-9A-Fa-f]{2})", url)
    return "".join(p if re.fullmatch(r"%[0-9A-Fa-f]{2}", p) else quote(p, safe=_URL_SAFE) for p in parts)


def _fields(paper: dict, dialect: str, options: ExportOptions) -> list[tuple[str, str]]:
    ascii = options.ascii
    fields: list[tuple[str, str]] = []
    names = [bib_name(n, ascii) for n in paper.get("authors") or []]
    if names:
        if paper.get("authors_truncated") and options.et_al == "marker":
            names.append("others")  # printed as "et al." by BibTeX, biber and pandoc
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
    if arxiv:
        fields += [("howpublished", "{arXiv}"), ("type", "{Preprint}")]  # pandoc: publisher and genre, as CSL
    if arxiv and dialect == "biblatex":
        fields += [("eprinttype", "{arxiv}"), ("eprintclass", "{%s}" % to_latex(arxiv))]
    elif arxiv:
        fields += [("archiveprefix", "{arXiv}"), ("primaryclass", "{%s}" % to_latex(arxiv))]
    if paper.get("tags"):
        fields.append(("keywords", "{%s}" % ", ".join(to_latex(t, ascii) for t in paper["tags"])))
    if paper.get("code_urls"):
        fields.append(("repository", "{%s}" % bib_url(paper["code_urls"][0])))
    note = "; ".join(note_lines(paper, options, arxiv=False, org=False))
    if note:
        fields.append(("note", "{%s}" % to_latex(note, ascii)))
    if paper.get("abstract"):
        fields.append(("abstract", "{%s}" % to_latex(paper["abstract"], ascii)))
    if paper.get("org"):
        # The site's organisation tag (``tencent-ai``) is not a publisher: ``organization`` would be printed by
        # biblatex and read by pandoc as the publisher. ``annote`` (biblatex: ``annotation``) is printed by no
        # standard style; Zotero keeps it as a note, JabRef shows it.
        fields.append(("annote", "{Organization: %s}" % to_latex(paper["org"], ascii)))
    return fields


def format_entry(paper: dict, key: str, dialect: str = "bibtex", ascii: bool = False,
                 options: ExportOptions | None = None) -> str:
    options = options or ExportOptions(ascii=ascii)
    body = ",\n".join(f"  {name} = {value}" for name, value in _fields(paper, dialect, options))
    return "@misc{%s,\n%s,\n}\n" % (key, body)


_TEXT_FIELDS = ("title", "abstract", "org")


def paper_t1_chars(paper: dict) -> set[str]:
    """The characters of a paper's text that ASCII output could only approximate without T1 fonts."""
    found: set[str] = set()
    for text in [paper.get(f) for f in _TEXT_FIELDS] + list(paper.get("authors") or []) + list(
            paper.get("tags") or []):
        found |= t1_only_chars(text)
    return found


def _encoding_line(options: ExportOptions) -> str:
    return "%% Encoding: %s\n" % ("US-ASCII" if options.ascii else "UTF-8")


def _bibtex_entry(paper: dict, key: str, options: ExportOptions) -> str:
    return format_entry(paper, key, "bibtex", options=options)


def _biblatex_entry(paper: dict, key: str, options: ExportOptions) -> str:
    return format_entry(paper, key, "biblatex", options=options)


LAYOUTS = {
    dialect: Layout(entry, head=_encoding_line, first="\n", between="\n", t1_chars=paper_t1_chars)
    for dialect, entry in (("bibtex", _bibtex_entry), ("biblatex", _biblatex_entry))
}


def write_bibtex(papers: Iterable[dict], out: IO[str], *, dialect: str = "bibtex", ascii: bool = False,
                 options: ExportOptions | None = None, t1_chars: set[str] | None = None) -> int:
    """Write one entry per paper; returns how many. Papers without a citekey get one from the default pattern
    (unique within this file), so no entry is ever written without a key. With ``ascii``, the characters that
    needed T1 fonts and were approximated are added to ``t1_chars`` when given."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown .bib dialect '{dialect}' (use bibtex or biblatex)")
    options = options or (ExportOptions(ascii=True) if ascii else DEFAULT_OPTIONS)
    return write_entries(LAYOUTS[dialect], papers, out, options, t1_chars)
