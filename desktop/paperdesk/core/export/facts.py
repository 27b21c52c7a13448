"""Facts about a record that citation formats have no field for, as ``Label: value`` note lines (CSL-JSON's
``note``, RIS's ``N1``, the .bib ``note``). Only what the chosen options ask for is said where styles print it."""

from __future__ import annotations

from ..categories import arxiv_class
from .options import DEFAULT_OPTIONS, ExportOptions


def et_al_line(paper: dict) -> str:
    return f"Authors: only the first {len(paper.get('authors') or [])} are known (et al.)"


def provenance_lines(paper: dict) -> list[str]:
    return [f"Listed in {s['file']}, line {s['line']}" for s in paper.get("sources") or []]


def note_lines(paper: dict, options: ExportOptions = DEFAULT_OPTIONS, *, arxiv: bool = True, org: bool = True,
               et_al: bool | None = None) -> list[str]:
    """The note lines for ``paper``. ``arxiv``/``org``: whether the format has no field of its own for them;
    ``et_al``: whether to state a cut author list (default: when the options ask for a note instead of a marker)."""
    lines = []
    cls = arxiv_class(paper.get("category"))
    if arxiv and cls:
        lines.append(f"arXiv class: {cls}")
    if et_al is None:
        et_al = options.et_al == "note"
    if et_al and paper.get("authors_truncated") and paper.get("authors"):
        lines.append(et_al_line(paper))
    if org and paper.get("org"):
        lines.append(f"Organization: {paper['org']}")
    if options.code_note and paper.get("code_urls"):
        lines += [f"Code: {url}" for url in paper["code_urls"]]
    if options.provenance:
        lines += provenance_lines(paper)
    return lines
