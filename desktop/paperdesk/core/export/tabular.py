"""JSON and CSV exports, streamed a paper at a time so a million records never sit in memory at once.

Both carry ``citekey`` (the key the .bib, CSL-JSON and RIS exports write) so a table can be joined to the .bib.
"""

from __future__ import annotations

import csv
import json
from typing import IO, Iterable

from .entries import Layout, write_entries
from .options import DEFAULT_OPTIONS

JSON_FIELDS = ("id", "citekey", "title", "authors", "authors_truncated", "org", "category", "date", "has_code", "score",
               "abstract", "code_urls", "tags", "needs_review", "sources")
CSV_FIELDS = ("id", "citekey", "title", "authors", "authors_truncated", "org", "category", "date", "has_code", "score",
              "abstract", "code_urls", "tags", "needs_review", "sources")

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def _json_entry(paper: dict, key: str, _options=None) -> str:
    row = {k: paper.get(k) for k in JSON_FIELDS}
    row["citekey"] = key
    return json.dumps(row, ensure_ascii=False)  # dumps: the C encoder in one call


def _bracket(_options) -> str:
    return "["


def _json_tail(count: int) -> str:
    return "\n]\n" if count else "]\n"


JSON_LAYOUT = Layout(_json_entry, head=_bracket, first="\n  ", between=",\n  ", tail=_json_tail)


def write_json(papers: Iterable[dict], out: IO[str], **_options) -> int:
    """A JSON array of paper objects; returns how many were written."""
    return write_entries(JSON_LAYOUT, papers, out, DEFAULT_OPTIONS)


def safe_cell(value) -> str:
    """Text for a spreadsheet cell that no spreadsheet will evaluate as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if text.startswith(_FORMULA_STARTS):
        return "'" + text
    return text


def _csv_value(paper: dict, field: str):
    value = paper[field]
    if field == "sources":
        return "; ".join(f"{s['file']}:{s['line']}" for s in value)
    if isinstance(value, list):
        return "; ".join(value)
    return value


class _Line:
    """Where a csv.writer puts one row (it writes a row in one call)."""

    def __init__(self):
        self.text = ""

    def write(self, text: str) -> None:
        self.text += text


def _csv_line(values) -> str:
    line = _Line()
    csv.writer(line, lineterminator="\n").writerow(values)
    return line.text


def _csv_entry(paper: dict, key: str, _options=None) -> str:
    paper = dict(paper, citekey=key)
    return _csv_line([safe_cell(_csv_value(paper, f)) for f in CSV_FIELDS])


def _csv_head(_options) -> str:
    return _csv_line(CSV_FIELDS)


CSV_LAYOUT = Layout(_csv_entry, head=_csv_head)


def write_csv(papers: Iterable[dict], out: IO[str], **_options) -> int:
    return write_entries(CSV_LAYOUT, papers, out, DEFAULT_OPTIONS)
