"""The duplicates queue between two full scans: the groups an import's new records form (merging.scan_new), put
together with the groups a full scan found, and said in one sentence for the import's report. Qt-free.

Why not scan the whole library again after an import: at a million records a full scan takes minutes, while the
new records' candidates are found in seconds (their pairs are exactly those a full scan would score for them).
"""

from __future__ import annotations

from collections.abc import Iterable

from . import merging
from .duplicates import Group
from .library import Library
from .wording import count

_ORDER = {"certain": 0, "likely": 1, "possible": 2}


def imported_records(library: Library, results) -> list[int]:
    """The records an import added (not those it found already present), from its results (ImportResult or
    their as_dict())."""
    sources = []
    for r in results:
        r = r if isinstance(r, dict) else r.as_dict()
        if r["status"] == "imported" and r["source_id"] is not None and r["added"]:
            sources.append(r["source_id"])
    return merging.new_papers_of(library, sources) if sources else []


def touching(groups: Iterable[Group], ids: Iterable[int]) -> list[Group]:
    """The groups with at least one of ``ids``."""
    wanted = set(ids)
    return [g for g in groups if wanted.intersection(g.records)]


def combine(known: list[Group], new: list[Group]) -> list[Group]:
    """The groups of a scan put together with those of a later incremental scan, as one queue, surest first.

    Within one confidence, groups sharing a record become one group (as a scan links its pairs: a group is as
    sure as its weakest link, so it keeps the lower score and that link's reasons); across confidences a record
    may stay in two groups, as in a full scan (a weak link never drags a certain pair down). A group of the
    new scan with the same records as a known one replaces it (it was scored later)."""
    new_sets = {frozenset(g.records) for g in new}
    merged: list[Group] = []
    for tier in ("certain", "likely", "possible"):
        pool = [g for g in known if g.confidence == tier and frozenset(g.records) not in new_sets]
        pool += [g for g in new if g.confidence == tier]
        owner: dict[int, int] = {}  # record -> index in ``tier_groups``
        tier_groups: list[Group | None] = []
        for group in pool:
            hits = sorted({owner[r] for r in group.records if r in owner})
            records = set(group.records)
            weakest = group
            for h in hits:
                other = tier_groups[h]
                records |= set(other.records)
                if other.score < weakest.score:
                    weakest = other
                tier_groups[h] = None
            index = len(tier_groups)
            tier_groups.append(Group(sorted(records), tier, weakest.score, list(weakest.reasons)))
            for r in records:
                owner[r] = index
        merged += [g for g in tier_groups if g is not None]
    merged.sort(key=lambda g: (_ORDER[g.confidence], -g.score, g.records[0]))
    return merged


def summary(groups: list[Group], new: list[int]) -> str:
    """What the import's report says about its new records' duplicates, in one sentence."""
    fresh = set(new)
    mine = touching(groups, fresh)
    if not fresh:
        return "No new records, so no new duplicates."
    if not mine:
        if len(fresh) == 1:
            return "The new record does not look like a duplicate of another record."
        return f"None of the {count(len(fresh), 'new record', grouped=True)} looks like a duplicate of another record."
    members = len(fresh.intersection(r for g in mine for r in g.records))
    tiers = ", ".join(f"{n} {tier}" for tier in ("certain", "likely", "possible")
                      if (n := sum(1 for g in mine if g.confidence == tier)))
    groups_said = f"{count(len(mine), 'candidate group', grouped=True)} ({tiers})"
    if len(fresh) == 1:
        return f"The new record may be a duplicate: {groups_said}."
    return f"Possible duplicates: {members:,} of the {count(len(fresh), 'new record', grouped=True)}, in {groups_said}."
