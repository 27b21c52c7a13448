"""Counts in words, singular or plural as the number says: "1 record", "2 records", "0 records".

Every user-visible count (status bar, dialogs, sidebar, reports, the command line) goes through ``count`` so
that no message says "1 records" (tests/test_polish.py checks the sources for counts written by hand).
"""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "reading": "readings", "was": "were", "this": "these", "is": "are", "has": "have"}


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


def agree(n: int | None, words: str) -> str:
    """A phrase whose words follow ``n``: agree(1, "this is") is "this is", agree(2, "this is") "these are" (for
    the verbs and pronouns around a count, which ``count`` alone cannot put right)."""
    return " ".join(plural(2 if n is None else n, w) if w in _IRREGULAR else w for w in words.split())


def merged_into(others: list[int], survivor: int) -> str:
    """What a merge did, by record number: "record 170 into record 162", "records 170 and 171 into record 162"
    (not "2 records into record 162", which counts the survivor among what was merged)."""
    ids = [str(i) for i in others]
    listed = ids[0] if len(ids) == 1 else ", ".join(ids[:-1]) + " and " + ids[-1]
    return f"{plural(len(ids), 'record')} {listed} into record {survivor}"


def shorten(text: str, limit: int) -> str:
    """``text`` whole when it fits in ``limit`` characters, else cut at the last word boundary before it with an
    ellipsis, so that no word is shown cut in half."""
    if len(text) <= limit:
        return text
    head = text[:limit + 1]
    cut = max(head.rfind(" "), head.rfind("\n"), head.rfind("\t"))
    head = head[:cut] if cut > limit // 2 else text[:limit]  # one very long "word" (a URL): cut it, still marked
    return head.rstrip(" \t\n,;:.-") + "…"
