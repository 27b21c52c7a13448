"""What *Copy* puts on the clipboard: the selection's BibTeX, or formatted references in a CSL style.

References are formatted by citeproc-py from the same CSL items as the CSL-JSON export, with one of the styles
that travel with Paperdesk (``paperdesk/styles``). A shown author list that the site cut short ends in "et al."
as the reader of a reference list expects; a name written only in a non-Latin script is kept whole (CSL would
otherwise turn 李明 into initials).
"""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path

from .export.csljson import csl_item
from .export.runner import ExportScope, export
from .library import Library

STYLES = {"apa": "APA 7th edition", "ieee": "IEEE", "chicago-author-date": "Chicago (author-date)"}
DEFAULT_STYLE = "apa"
STYLES_DIR = Path(__file__).resolve().parent.parent / "styles"
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]")


def bibtex_of(library: Library, ids: list[int]) -> str:
    """The records' BibTeX entries exactly as File › Export writes them (keys assigned where missing)."""
    out = io.StringIO()
    export(library, "bibtex", out, ExportScope(ids=list(ids)))
    return out.getvalue()


def _reference_item(paper: dict, key: str) -> dict:
    item = csl_item(paper, key)
    names = []
    for name, csl in zip(paper.get("authors") or [], item.get("author") or []):
        names.append(csl if _LATIN.search(name) else {"literal": name})
    if paper.get("authors_truncated"):
        names = [n for n in names if n.get("literal") not in ("others", "et al.")]
        names.append({"literal": "et al."})
    if names:
        item["author"] = names
    item.pop("note", None)  # provenance and the arXiv class are not part of a reference
    item.pop("abstract", None)
    return item


def references(library: Library, ids: list[int], style: str = DEFAULT_STYLE) -> list[str]:
    """Formatted references (plain text) of the records ``ids``, in that order."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    if style not in STYLES:
        raise ValueError(f"unknown citation style {style!r}; choose one of {', '.join(STYLES)}")
    papers = {p["id"]: p for p in library.iter_papers(ids=list(ids))}
    items = [_reference_item(papers[i], f"r{i}") for i in ids if i in papers]
    if not items:
        return []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL features it skips; the text is still right
        csl_style = CitationStylesStyle(str(STYLES_DIR / f"{style}.csl"), validate=False)
        bibliography = CitationStylesBibliography(csl_style, CiteProcJSON(items), formatter.plain)
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        if style != "ieee":  # numbered styles keep the order given; the others sort as the style says
            bibliography.sort()
        return [_tidy(str(entry)) for entry in bibliography.bibliography()]


def _tidy(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r",? (?:&|and) et al\.", ", et al.", text)  # the style's last-name joiner before "et al."
    return re.sub(r"^\[(\d+)\](?=\S)", r"[\1] ", text)  # "[1]W. Guo" -> "[1] W. Guo"
