"""Facts about a record that citation formats have no field for, as ``Label: value`` note lines (CSL-JSON's
``note``, RIS's ``N1``): its arXiv class, a cut author list, its organisation tag, and where it was listed."""

from __future__ import annotations

from ..categories import arxiv_class


def note_lines(paper: dict) -> list[str]:
    lines = []
    arxiv = arxiv_class(paper.get("category"))
    if arxiv:
        lines.append(f"arXiv class: {arxiv}")
    if paper.get("authors_truncated"):
        lines.append(f"Authors: only the first {len(paper.get('authors') or [])} are known (et al.)")
    if paper.get("org"):
        lines.append(f"Organization: {paper['org']}")
    lines += [f"Listed in {s['file']}, line {s['line']}" for s in paper.get("sources") or []]
    return lines
