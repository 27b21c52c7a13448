"""What an operation changed: a small value every view (and every listener) can act on. Qt-free.

Every core operation writes its events to the ``events`` table inside its own transaction (``Library.log``).
The events are the record of what changed: which records, which fields, old and new values. A ``Changes`` is
read *from those events*, so

- an operation run in this window (``collect``), its undo and its redo all report their Changes the same way;
- another window's (or another process's) operation reaches this window the same way (``since``), and the
  events' ``origin`` tells this window's own changes apart from someone else's;
- a later shared library can replay ``Changes.events`` elsewhere: each is ``{"kind", "paper_id", "source_id",
  "details"}`` exactly as logged.

What views and listeners read (all optional, empty means "nothing of that kind changed"):

=============  ==============================================================================================
``records``    ids of visible records whose shown values changed (fields, tags, source counts)
``fields``     the field names that changed on ``records`` ("tags" when tagging, "citekey", "authors", ...)
``added``      ids that became visible (imported, brought back by an unmerge)
``removed``    ids that stopped being visible (merged away)
``tags``       ids of tags created, renamed, recoloured, deleted, or whose set of records changed
``sources``    the list of sources or their record counts changed
``authors``    author names / per-author figures may have changed (author edits, merges, name merges)
``duplicates`` duplicate candidates or decisions changed (merge, unmerge, not-duplicates, import)
``settings``   library-level settings (saved searches, citation-key pattern, "recently imported")
``everything`` unknown extent (an event kind this module does not know): refresh all
=============  ==============================================================================================

``a | b`` is both changes. ``bool(c)`` is False when nothing changed.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass, field, fields as dc_fields
from typing import Iterable, Iterator

# More events than this between two looks (a huge batch edit elsewhere): do not build a set per record.
MAX_DETAILED_EVENTS = 20_000


@dataclass(frozen=True)
class Changes:
    records: frozenset[int] = frozenset()
    fields: frozenset[str] = frozenset()
    added: frozenset[int] = frozenset()
    removed: frozenset[int] = frozenset()
    tags: frozenset[int] = frozenset()
    sources: bool = False
    authors: bool = False
    duplicates: bool = False
    settings: bool = False
    everything: bool = False
    events: tuple[dict, ...] = field(default=(), compare=False, repr=False)

    def __or__(self, other: "Changes") -> "Changes":
        if not isinstance(other, Changes):
            return NotImplemented
        merged = {}
        for f in dc_fields(self):
            a, b = getattr(self, f.name), getattr(other, f.name)
            merged[f.name] = a + b if f.name == "events" else a | b
        return Changes(**merged)

    def __bool__(self) -> bool:
        return bool(self.records or self.added or self.removed or self.tags or self.sources or self.authors
                    or self.duplicates or self.settings or self.everything)

    @property
    def membership(self) -> bool:
        """Records appeared or disappeared: every count and every list may differ."""
        return bool(self.added or self.removed or self.everything)

    def touches(self, paper_ids: Iterable[int]) -> bool:
        ids = set(paper_ids)
        return self.everything or bool(ids & (self.records | self.added | self.removed))

    def as_dict(self) -> dict:
        """Plain data (JSON-able): what changed, and the events that say how."""
        return {
            "records": sorted(self.records), "fields": sorted(self.fields), "added": sorted(self.added),
            "removed": sorted(self.removed), "tags": sorted(self.tags), "sources": self.sources,
            "authors": self.authors, "duplicates": self.duplicates, "settings": self.settings,
            "everything": self.everything, "events": list(self.events),
        }


NOTHING = Changes()
EVERYTHING = Changes(everything=True, sources=True, authors=True, duplicates=True, settings=True)


def _ids(value) -> frozenset[int]:
    if isinstance(value, (list, tuple)):
        return frozenset(int(v) for v in value if isinstance(v, int) or str(v).isdigit())
    return frozenset()


def from_event(kind: str, details: dict, paper_id: int | None = None, source_id: int | None = None) -> Changes:
    """The Changes one logged event stands for. Unknown kinds mean "refresh everything" (never stale)."""
    d = details or {}
    event = {"kind": kind, "paper_id": paper_id, "source_id": source_id, "details": d}
    ev = (event,)
    own = frozenset([paper_id]) if paper_id is not None else frozenset()
    if kind in ("edit", "redo", "undo", "merge-edit", "unmerge-edit", "batch-edit", "batch-edit-undone"):
        changed = frozenset((d.get("changes") or {}).keys())
        needs_authors = "authors" in changed
        return Changes(records=own, fields=changed, authors=needs_authors, duplicates=bool(changed & {
            "title", "authors", "date", "abstract"}), events=ev)
    if kind in ("review", "review-undone"):
        return Changes(records=own, fields=frozenset({"title", "authors", "needs_review"}), authors=True,
                       duplicates=True, events=ev)
    if kind in ("tag-add", "tag-remove"):
        return Changes(records=_ids(d.get("papers")), fields=frozenset({"tags"}), tags=frozenset([d["tag_id"]]),
                       events=ev)
    if kind in ("tag-create", "tag-rename", "tag-recolor"):
        # A renamed tag shows in the Tags column of its records: the table repaints what it shows.
        return Changes(tags=frozenset([d["tag_id"]]), fields=frozenset({"tags"}), events=ev)
    if kind in ("tag-delete", "tag-restore"):
        return Changes(records=_ids(d.get("paper_ids")), fields=frozenset({"tags"}),
                       tags=frozenset([d["tag_id"]]), events=ev)
    if kind in ("tag-merge", "tag-unmerge"):
        return Changes(records=_ids(d.get("paper_ids")), fields=frozenset({"tags"}),
                       tags=frozenset(t for t in (d.get("from"), d.get("into")) if t is not None), events=ev)
    if kind in ("merge", "merge-redone"):
        survivor = d.get("survivor", paper_id)
        return Changes(records=frozenset([survivor]), fields=frozenset({"tags", "sources"}),
                       removed=_ids(d.get("merged")), tags=_all_tags_marker(), sources=True, authors=True,
                       duplicates=True, events=ev)
    if kind == "unmerge":
        survivor = d.get("survivor", paper_id)
        inside = frozenset([d["inside"]]) if d.get("inside") is not None else frozenset()  # a later merge's survivor
        return Changes(records=frozenset([survivor]) | inside, fields=frozenset({"tags", "sources"}),
                       added=_ids(d.get("restored")), tags=_all_tags_marker(), sources=True, authors=True,
                       duplicates=True, events=ev)
    if kind in ("add", "add-undone"):  # a record entered by hand, and its undo
        which = {"added": own} if kind == "add" else {"removed": own}
        return Changes(sources=True, authors=True, duplicates=True, tags=_all_tags_marker(), events=ev, **which)
    if kind in ("trash", "untrash", "trash-emptied"):  # records leaving or coming back into view
        papers = _ids(d.get("papers"))
        which = {"added": papers} if kind == "untrash" else {"removed": papers}
        return Changes(sources=True, authors=True, duplicates=True, tags=_all_tags_marker(), events=ev, **which)
    if kind in ("import-removed", "import-restored"):
        moved = _ids(d.get("trashed"))
        which = {"added": moved} if kind == "import-restored" else {"removed": moved}
        return Changes(records=_ids(d.get("shared")), fields=frozenset({"sources"}), sources=True, authors=True,
                       duplicates=True, tags=_all_tags_marker(), events=ev, **which)
    if kind == "import-readded":  # a re-imported file's records that the emptied Trash had deleted
        return Changes(added=_ids(d.get("papers")), sources=True, authors=True, duplicates=True, settings=True,
                       events=ev)
    if kind in ("not-duplicates", "not-duplicates-undone"):
        return Changes(duplicates=True, events=ev)
    if kind == "import":
        first, count = d.get("first_id"), d.get("added") or 0
        added = frozenset(range(first, first + count)) if first is not None and count else frozenset()
        # Records already present gain a source: their rows change too, so everything shown is re-read.
        return Changes(added=added, sources=True, authors=True, duplicates=True, settings=True,
                       everything=bool(count or d.get("already_present")), events=ev)
    if kind in ("citekey",):
        return Changes(records=own, fields=frozenset({"citekey"}), events=ev)
    if kind in ("citekeys", "citekey-pattern"):
        return Changes(fields=frozenset({"citekey"}), settings=True, everything=kind == "citekeys", events=ev)
    if kind in ("author-merge", "author-merge-undone"):
        return Changes(authors=True, everything=True, events=ev)  # names on many records: reload what is shown
    if kind in ("author-distinct", "author-distinct-undone"):
        return Changes(authors=True, events=ev)
    if kind in ("subject-confirmed", "subject-rejected", "subject-undone"):
        return Changes(authors=True, sources=True, events=ev)
    if kind in ("search-save", "search-delete"):
        return Changes(settings=True, events=ev)
    return Changes(everything=True, sources=True, authors=True, duplicates=True, settings=True, events=ev)


# Merges move tags between records: every tag's count may change. A marker id (no real tag has id 0) says
# "tag counts", without reading which tags the records carried.
ALL_TAGS = 0


def _all_tags_marker() -> frozenset[int]:
    return frozenset([ALL_TAGS])


def from_rows(rows: Iterable[tuple]) -> Changes:
    """Rows of (id, origin, kind, paper_id, source_id, details JSON) from the events table, oldest first."""
    total = NOTHING
    for n, (_, _, kind, paper_id, source_id, details) in enumerate(rows):
        if n >= MAX_DETAILED_EVENTS:
            return total | EVERYTHING
        try:
            data = json.loads(details) if details else {}
        except ValueError:
            data = {}
        total = total | from_event(kind, data, paper_id, source_id)
    return total


def last_event_id(library) -> int:
    from . import store

    return store.last_event_id(library.conn)


def since(library, event_id: int, *, exclude_origin: str | None = None, only_origin: str | None = None) -> Changes:
    """Changes logged after ``event_id`` (by anyone, or leaving out / keeping only one origin)."""
    from . import store

    return from_rows(store.events_after(library.conn, event_id, exclude_origin=exclude_origin,
                                        only_origin=only_origin))


class Collector:
    """Filled by ``collect``: ``changes`` once the block has finished (NOTHING if it raised)."""

    changes: Changes = NOTHING


@contextmanager
def collect(library) -> Iterator[Collector]:
    """Run an operation inside; afterwards ``collector.changes`` holds what it changed (from its own events).

    Only this library connection's events are read (its ``origin``), so a write by another window in the
    meantime is never taken for this operation's."""
    box = Collector()
    start = last_event_id(library)
    yield box
    box.changes = since(library, start, only_origin=library.origin)


def run(library, operation, *args, **kwargs):
    """``(result, Changes)`` of ``operation(library, *args, **kwargs)``: the form any caller can use."""
    with collect(library) as box:
        result = operation(library, *args, **kwargs)
    return result, box.changes
