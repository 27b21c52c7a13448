"""Writers that turn library papers (plain dicts from Library.iter_papers) into files people hand on.

Every entry of ``FORMATS`` is ``write(papers, out) -> int``: it streams the papers to the text file ``out`` and
returns how many it wrote. ``json`` and ``csv`` are Paperdesk's own tables; ``bibtex``, ``biblatex``, ``csljson``
and ``ris`` are for reference managers and LaTeX, and identify each paper by its citation key (run
``keys.assign_keys`` first so the keys are stored and stay the same from one export to the next).

Options beyond ``(papers, out)`` go through ``make_writer(format, options)`` (an ``ExportOptions``; or the old
``ascii=True``), which returns a writer of the same shape: ``ascii`` makes the .bib formats pure ASCII with LaTeX
accent commands (classic BibTeX, which cannot read UTF-8; the other formats are always UTF-8 text); provenance
and the code link in notes are off unless asked for; ``et_al`` chooses how a cut author list is said.
docs/formats.md maps every field for every format.
"""

from __future__ import annotations

from functools import partial
from typing import IO, Callable, Iterable

from . import csljson, ris
from .bibtex import LAYOUTS as _BIB_LAYOUTS
from .bibtex import write_bibtex
from .csljson import write_csljson
from .entries import Layout
from .options import DEFAULT_OPTIONS, ExportOptions
from .ris import write_ris
from .tabular import CSV_LAYOUT, JSON_LAYOUT, write_csv, write_json

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
# Each format as head, entries and tail (what FORMATS write, one entry at a time): for exports formatted in chunks.
LAYOUTS: dict[str, Layout] = {"json": JSON_LAYOUT, "csv": CSV_LAYOUT, "bibtex": _BIB_LAYOUTS["bibtex"],
                              "biblatex": _BIB_LAYOUTS["biblatex"], "csljson": csljson.LAYOUT, "ris": ris.LAYOUT}


def effective_options(fmt: str, options: ExportOptions) -> ExportOptions:
    """The options as ``fmt`` applies them: ``ascii`` only changes the .bib formats."""
    if options.ascii and fmt not in ASCII_FORMATS:
        return ExportOptions(provenance=options.provenance, code_note=options.code_note, et_al=options.et_al)
    return options


def make_writer(fmt: str, options: ExportOptions | None = None, *, ascii: bool = False,
                t1_chars: set[str] | None = None) -> Writer:
    """The writer for ``fmt`` with its options applied; ValueError for a format there is no writer for.
    ``t1_chars`` (ASCII .bib only) collects the characters that needed T1 fonts and were approximated."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format '{fmt}' (use one of: {', '.join(FORMATS)})")
    options = effective_options(fmt, options or (ExportOptions(ascii=True) if ascii else DEFAULT_OPTIONS))
    if options == DEFAULT_OPTIONS and t1_chars is None:
        return FORMATS[fmt]
    if fmt in ASCII_FORMATS:
        return partial(write_bibtex, dialect=fmt, options=options, t1_chars=t1_chars)
    return partial(FORMATS[fmt], options=options)


__all__ = ["ASCII_FORMATS", "ExportOptions", "FORMATS", "LAYOUTS", "effective_options", "make_writer", "write_bibtex",
           "write_csljson", "write_csv", "write_json", "write_ris"]
