"""Writers that turn library papers (plain dicts from Library.iter_papers) into files people hand on.

Every entry of ``FORMATS`` is ``write(papers, out) -> int``: it streams the papers to the text file ``out`` and
returns how many it wrote. ``json`` and ``csv`` are Paperdesk's own tables; ``bibtex``, ``biblatex``, ``csljson``
and ``ris`` are for reference managers and LaTeX, and identify each paper by its citation key (run
``keys.assign_keys`` first so the keys are stored and stay the same from one export to the next).

Options beyond ``(papers, out)`` go through ``make_writer(format, ascii=False)``, which returns a writer of the
same shape: ``ascii=True`` makes the .bib formats pure ASCII with LaTeX accent commands (classic BibTeX, which
cannot read UTF-8); the other formats are always UTF-8 text and ignore it.
"""

from __future__ import annotations

from functools import partial
from typing import IO, Callable, Iterable

from .bibtex import write_bibtex
from .csljson import write_csljson
from .ris import write_ris
from .tabular import write_csv, write_json

Writer = Callable[[Iterable[dict], IO[str]], int]

FORMATS: dict[str, Writer] = {
    "json": write_json,
    "csv": write_csv,
    "bibtex": partial(write_bibtex, dialect="bibtex"),
    "biblatex": partial(write_bibtex, dialect="biblatex"),
    "csljson": write_csljson,
    "ris": write_ris,
}
ASCII_FORMATS = ("bibtex", "biblatex")  # the formats make_writer(..., ascii=True) changes


def make_writer(fmt: str, ascii: bool = False) -> Writer:
    """The writer for ``fmt`` with its options applied; ValueError for a format there is no writer for."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format '{fmt}' (use one of: {', '.join(FORMATS)})")
    if ascii and fmt in ASCII_FORMATS:
        return partial(write_bibtex, dialect=fmt, ascii=True)
    return FORMATS[fmt]


__all__ = ["ASCII_FORMATS", "FORMATS", "make_writer", "write_bibtex", "write_csljson", "write_csv", "write_json",
           "write_ris"]
