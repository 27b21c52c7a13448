"""Counts in words, singular or plural as the number says: "1 record", "2 records", "0 records".

Every user-visible count (status bar, dialogs, sidebar, reports, the command line) goes through ``count`` so
that no message says "1 records" (tests/test_polish.py checks the sources for counts written by hand).
"""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "reading": "readings", "was": "were", "this": "these"}


def plural(n: int, noun: str, many: str | None = None) -> str:
    """The noun alone, in the form that goes with ``n``."""
    if n == 1:
        return noun
    return many or _IRREGULAR.get(noun) or noun + "s"


def count(n: int | None, noun: str, many: str | None = None, *, grouped: bool = False) -> str:
    """``n`` and its noun: count(1, "record") is "1 record"; ``grouped`` writes 1,000,000 with commas; an
    unknown number (None) is "? records"."""
    if n is None:
        return f"? {plural(2, noun, many)}"
    return f"{n:,} {plural(n, noun, many)}" if grouped else f"{n} {plural(n, noun, many)}"
