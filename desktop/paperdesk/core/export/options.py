"""What the librarian chooses about an export beyond its format (see docs/formats.md for every field's mapping)."""

from __future__ import annotations

from dataclasses import dataclass

ET_AL_STYLES = ("marker", "note")


@dataclass(frozen=True)
class ExportOptions:
    """``ascii``: .bib in pure ASCII with LaTeX accents (classic BibTeX); other formats are always UTF-8.
    ``provenance``: say where each record was listed (dump file and line) in a note -- off by default, because
    bibliography styles print notes and where a record came from belongs in Paperdesk, not in a paper.
    ``code_note``: the code repository as a printed note ("Code: URL") -- off by default; the .bib always keeps it
    in ``repository``, a field no standard style prints, and it is never the paper's ``url``.
    ``et_al``: how a cut author list is said: ``marker`` (BibTeX's ``and others``, CSL's ``{"literal": "others"}``,
    which BibTeX, biber, pandoc and citeproc print as "et al.") or ``note`` (no pseudo-author, the fact in the note:
    for Zotero, which would make "others" a creator)."""

    ascii: bool = False
    provenance: bool = False
    code_note: bool = False
    et_al: str = "marker"

    def __post_init__(self):
        if self.et_al not in ET_AL_STYLES:
            raise ValueError(f"unknown et-al. style '{self.et_al}' (use marker or note)")


DEFAULT_OPTIONS = ExportOptions()
