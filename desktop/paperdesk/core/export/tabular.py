"""JSON and CSV exports, streamed a paper at a time so a million records never sit in memory at once.

Both carry ``citekey`` (the key the .bib, CSL-JSON and RIS exports write) so a table can be joined to the .bib.
"""

from __future__ import annotations

import csv
import json
from typing import IO, Iterable

from .keys import entry_key

JSON_FIELDS = ("id", "citekey", "title", "authors", "authors_truncated", "org", "category", "date", "has_code", "score",
               "abstract", "code_urls", "tags", "needs_review", "sources")
CSV_FIELDS = ("id", "citekey", "title", "authors", "authors_truncated", "org", "category", "date", "has_code", "score",
              "abstract", "code_urls", "tags", "needs_review", "sources")

# A cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def write_json(papers: Iterable[dict], out: IO[str], **_options) -> int:
    """A JSON array of paper objects; returns how many were written."""
    count = 0
    taken: set[str] = set()
    out.write("[")
    for paper in papers:
        out.write(",\n  " if count else "\n  ")
        row = {k: paper.get(k) for k in JSON_FIELDS}
        row["citekey"] = entry_key(paper, taken)
        out.write(json.dumps(row, ensure_ascii=False))  # dumps: the C encoder in one call
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


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


def write_csv(papers: Iterable[dict], out: IO[str], **_options) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    count = 0
    taken: set[str] = set()
    for paper in papers:
        paper = dict(paper, citekey=entry_key(paper, taken))
        writer.writerow([safe_cell(_csv_value(paper, f)) for f in CSV_FIELDS])
        count += 1
    return count
