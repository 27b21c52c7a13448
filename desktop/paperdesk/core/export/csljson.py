"""CSL-JSON export (Zotero, Pandoc, citeproc): a JSON array of CSL items, streamed a paper at a time.

Preprints are CSL type ``article`` (the CSL 1.0 type for preprints and working papers). CSL has no way to say
"and others", so, as Zotero does with what CSL cannot hold, a truncated author list is stated in ``note``,
one ``Label: value`` line per fact, next to the arXiv class and where the record was listed.
"""

from __future__ import annotations

import json
from typing import IO, Iterable

from ..categories import arxiv_class
from .facts import note_lines
from .keys import entry_key, is_collective, split_name


def csl_name(name: str) -> dict:
    if is_collective(name):
        return {"literal": name}
    parts = split_name(name)
    item = {"family": parts["family"], "given": parts["given"], "non-dropping-particle": parts["particle"],
            "suffix": parts["suffix"]}
    return {k: v for k, v in item.items() if v}


def csl_item(paper: dict, key: str) -> dict:
    item: dict = {"id": key, "type": "article", "title": paper.get("title") or ""}
    if paper.get("authors"):
        item["author"] = [csl_name(n) for n in paper["authors"]]
    date = paper.get("date")
    if date:
        item["issued"] = {"date-parts": [[int(part) for part in date.split("-")]]}
    arxiv = arxiv_class(paper.get("category"))
    if arxiv:
        item.update({"publisher": "arXiv", "genre": "Preprint", "categories": [arxiv]})
    if paper.get("abstract"):
        item["abstract"] = paper["abstract"]
    if paper.get("code_urls"):
        item["URL"] = paper["code_urls"][0]
    if paper.get("tags"):
        item["keyword"] = ", ".join(paper["tags"])
    note = note_lines(paper)
    if note:
        item["note"] = "\n".join(note)
    return item


def write_csljson(papers: Iterable[dict], out: IO[str]) -> int:
    """A CSL-JSON array; returns how many items. Keys as in the .bib export (the stored citekey)."""
    taken: set[str] = set()
    count = 0
    out.write("[")
    for paper in papers:
        out.write(",\n  " if count else "\n  ")
        json.dump(csl_item(paper, entry_key(paper, taken)), out, ensure_ascii=False)
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count
