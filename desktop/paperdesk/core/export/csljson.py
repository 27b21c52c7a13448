"""CSL-JSON export (Zotero, pandoc, citeproc, citation-js): a JSON array of CSL items, streamed a paper at a time.

Preprints are CSL type ``article`` (CSL 1.0's type for preprints and working papers: Zotero imports it as a
*Preprint*), with ``publisher`` arXiv and ``genre`` Preprint. The key is both ``id`` and ``citation-key`` (CSL
1.0.2; what Zotero 7 reads). A cut author list ends with ``{"literal": "others"}``, which pandoc's citeproc prints
as "et al." exactly as it does BibTeX's ``and others`` (``et_al="note"`` states it in the note instead, for
Zotero). Titles and abstracts are plain Unicode (the site's LaTeX converted). See docs/formats.md.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import IO, Iterable

from ..categories import arxiv_class
from .entries import Layout, write_entries
from .facts import note_lines
from .keys import entry_key, is_collective, split_name
from .options import DEFAULT_OPTIONS, ExportOptions
from .plaintext import latex_to_unicode

ET_AL = {"literal": "others"}


def csl_name(name: str) -> dict:
    return dict(_csl_name(name))  # a new dict each time: the caller may change it


@lru_cache(maxsize=1 << 16)  # authors recur across records
def _csl_name(name: str) -> tuple:
    if is_collective(name):
        return (("literal", name),)
    parts = split_name(name)
    item = {"family": parts["family"], "given": parts["given"], "non-dropping-particle": parts["particle"],
            "suffix": parts["suffix"]}
    return tuple((k, v) for k, v in item.items() if v)


def csl_item(paper: dict, key: str, options: ExportOptions = DEFAULT_OPTIONS) -> dict:
    item: dict = {"id": key, "citation-key": key, "type": "article",
                  "title": latex_to_unicode(paper.get("title"))}
    if paper.get("authors"):
        item["author"] = [csl_name(n) for n in paper["authors"]]
        if paper.get("authors_truncated") and options.et_al == "marker":
            item["author"].append(dict(ET_AL))
    date = paper.get("date")
    if date:
        item["issued"] = {"date-parts": [[int(part) for part in date.split("-")]]}
    arxiv = arxiv_class(paper.get("category"))
    if arxiv:
        item.update({"publisher": "arXiv", "genre": "Preprint", "categories": [arxiv]})
    if paper.get("abstract"):
        item["abstract"] = latex_to_unicode(paper["abstract"])
    if paper.get("tags"):
        item["keyword"] = ", ".join(paper["tags"])
    note = note_lines(paper, options, arxiv=False, org=True)
    if note:
        item["note"] = "\n".join(note)
    return item


def _csl_entry(paper: dict, key: str, options: ExportOptions) -> str:
    return json.dumps(csl_item(paper, key, options), ensure_ascii=False)


def json_array_tail(count: int) -> str:
    return "\n]\n" if count else "]\n"


def _bracket(_options) -> str:
    return "["


LAYOUT = Layout(_csl_entry, head=_bracket, first="\n  ", between=",\n  ", tail=json_array_tail)


def write_csljson(papers: Iterable[dict], out: IO[str], *, options: ExportOptions = DEFAULT_OPTIONS) -> int:
    """A CSL-JSON array; returns how many items. Keys as in the .bib export (the stored citekey)."""
    return write_entries(LAYOUT, papers, out, options)
