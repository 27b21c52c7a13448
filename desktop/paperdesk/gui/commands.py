"""Undoable commands: each redo calls one core operation, each undo calls its inverse with what redo returned.

Every step is written to SQLite at once (nothing lost on a crash) and lands in the events table; the
``changed`` callback tells the window which records and counts to refresh.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtGui import QUndoCommand

from ..core import curation
from ..core.library import Library

Changed = Callable[[list[int], bool], None]  # (paper ids whose rows changed, whether tag counts changed)


class LibraryCommand(QUndoCommand):
    def __init__(self, library: Library, changed: Changed, text: str):
        super().__init__(text)
        self.library = library
        self.changed = changed


class EditFields(LibraryCommand):
    """Change fields of one record. ValidationError from the first redo propagates before the push."""

    def __init__(self, library, changed, paper_id: int, changes: dict, text: str | None = None):
        names = ", ".join(changes)
        super().__init__(library, changed, text or f"Edit {names} of record {paper_id}")
        self.paper_id = paper_id
        self.new = changes
        self.old = curation.update_fields(library, paper_id, changes)  # applied now: errors surface here
        self.applied = True

    @property
    def is_noop(self) -> bool:
        return not self.old

    def redo(self):
        if not self.applied:
            curation.update_fields(self.library, self.paper_id, self.new, kind="redo")
        self.applied = False
        self.changed([self.paper_id], False)

    def undo(self):
        curation.update_fields(self.library, self.paper_id, self.old, kind="undo")
        self.changed([self.paper_id], False)


class ResolveReview(LibraryCommand):
    def __init__(self, library, changed, paper_id: int, title: str, authors: list[str]):
        super().__init__(library, changed, f"Resolve review of record {paper_id}")
        self.paper_id, self.title, self.authors = paper_id, title, authors
        self.before: dict | None = None

    def redo(self):
        self.before = curation.resolve_review(self.library, self.paper_id, self.title, self.authors)
        self.changed([self.paper_id], True)

    def undo(self):
        curation.reopen_review(self.library, self.paper_id, self.before)
        self.changed([self.paper_id], True)


class TagRecords(LibraryCommand):
    """Add (or remove) one tag on many records; undo touches exactly the records that changed."""

    def __init__(self, library, changed, paper_ids: list[int], tag_id: int, tag_name: str, remove: bool = False):
        verb = "Remove tag" if remove else "Tag"
        super().__init__(library, changed, f"{verb} '{tag_name}' on {len(paper_ids)} records")
        self.paper_ids, self.tag_id, self.remove = list(paper_ids), tag_id, remove
        self.touched: list[int] = []

    def redo(self):
        op = curation.remove_tag if self.remove else curation.add_tag
        self.touched = op(self.library, self.paper_ids, self.tag_id)
        self.changed(self.touched, True)

    def undo(self):
        op = curation.add_tag if self.remove else curation.remove_tag
        op(self.library, self.touched, self.tag_id)
        self.changed(self.touched, True)


class CreateTag(LibraryCommand):
    def __init__(self, library, changed, name: str, color: str | None = None):
        super().__init__(library, changed, f"Create tag '{name}'")
        self.name, self.color = name, color
        self.tag_id = curation.create_tag(library, name, color)  # validate now
        self.saved: dict | None = None

    def redo(self):
        if self.saved is not None:
            curation.restore_tag(self.library, self.saved)
        self.changed([], True)

    def undo(self):
        self.saved = curation.delete_tag(self.library, self.tag_id)
        self.changed([], True)


class RenameTag(LibraryCommand):
    def __init__(self, library, changed, tag_id: int, name: str):
        super().__init__(library, changed, f"Rename tag to '{name}'")
        self.tag_id, self.name = tag_id, name
        self.old = curation.rename_tag(library, tag_id, name)
        self.applied = True

    def redo(self):
        if not self.applied:
            curation.rename_tag(self.library, self.tag_id, self.name)
        self.applied = False
        self.changed([], True)

    def undo(self):
        curation.rename_tag(self.library, self.tag_id, self.old)
        self.changed([], True)


class RecolorTag(LibraryCommand):
    def __init__(self, library, changed, tag_id: int, color: str):
        super().__init__(library, changed, "Change tag colour")
        self.tag_id, self.color = tag_id, color
        self.old = curation.recolor_tag(library, tag_id, color)
        self.applied = True

    def redo(self):
        if not self.applied:
            curation.recolor_tag(self.library, self.tag_id, self.color)
        self.applied = False
        self.changed([], True)

    def undo(self):
        curation.recolor_tag(self.library, self.tag_id, self.old)
        self.changed([], True)


class DeleteTag(LibraryCommand):
    def __init__(self, library, changed, tag_id: int, name: str):
        super().__init__(library, changed, f"Delete tag '{name}'")
        self.tag_id = tag_id
        self.saved: dict | None = None

    def redo(self):
        self.saved = curation.delete_tag(self.library, self.tag_id)
        self.changed(self.saved["papers"], True)

    def undo(self):
        curation.restore_tag(self.library, self.saved)
        self.changed(self.saved["papers"], True)


class MergeTags(LibraryCommand):
    def __init__(self, library, changed, source_id: int, target_id: int, text: str):
        super().__init__(library, changed, text)
        self.source_id, self.target_id = source_id, target_id
        self.saved: dict | None = None

    def redo(self):
        self.saved = curation.merge_tags(self.library, self.source_id, self.target_id)
        self.changed(self.saved["source"]["papers"], True)

    def undo(self):
        curation.unmerge_tags(self.library, self.saved)
        self.changed(self.saved["source"]["papers"], True)


class MergeRecords(LibraryCommand):
    """Merge records into a survivor; undo unmerges (the same operation the history's Unmerge button runs)."""

    def __init__(self, library, changed, survivor: int, others: list[int], fields: dict | None = None):
        super().__init__(library, changed, f"Merge {len(others) + 1} records into record {survivor}")
        self.survivor, self.others, self.fields = survivor, list(others), fields
        self.merge_id: int | None = None

    def redo(self):
        from ..core import merging

        if self.merge_id is None:
            self.merge_id = merging.merge(self.library, self.survivor, self.others, self.fields)
        else:  # redo after undo: the same merge in force again
            merging.reinstate(self.library, self.merge_id)
        self.changed([self.survivor, *self.others], True)

    def undo(self):
        from ..core import merging

        merging.unmerge(self.library, self.merge_id, resolve="restore")  # Ctrl+Z: back to before the merge
        self.changed([self.survivor, *self.others], True)


class BulkMerge(LibraryCommand):
    """Many merges as one undoable step (the certain groups the librarian left ticked)."""

    def __init__(self, library, changed, plan: list[tuple[int, list[int]]]):
        super().__init__(library, changed, f"Merge {len(plan)} certain groups")
        self.plan = plan
        self.merge_ids: list[int] = []

    def redo(self):
        from ..core import merging

        with self.library.transaction():
            if self.merge_ids:  # redo after undo
                for merge_id in self.merge_ids:
                    merging.reinstate(self.library, merge_id)
            else:
                self.merge_ids = [merging.merge(self.library, survivor, others) for survivor, others in self.plan]
        self.changed([i for s, o in self.plan for i in (s, *o)], True)

    def undo(self):
        from ..core import merging

        with self.library.transaction():
            for merge_id in reversed(self.merge_ids):
                merging.unmerge(self.library, merge_id, resolve="restore")
        self.changed([i for s, o in self.plan for i in (s, *o)], True)


class MarkDistinct(LibraryCommand):
    def __init__(self, library, changed, ids: list[int]):
        super().__init__(library, changed, f"Mark {len(ids)} records as not duplicates")
        self.ids = ids
        self.pairs: list = []

    def redo(self):
        from ..core import merging

        self.pairs = merging.mark_distinct(self.library, self.ids)
        self.changed([], True)

    def undo(self):
        from ..core import merging

        merging.forget_distinct(self.library, self.pairs)
        self.changed([], True)


class Unmerge(LibraryCommand):
    """The history's Unmerge button: undo a merge made at any time, in any order (itself undoable).

    ``resolve`` answers the conflicts the core reports (merging.UnmergeConflict): "keep", "restore" or per field.
    The first redo runs now, so a conflict left unanswered surfaces before the push."""

    def __init__(self, library, changed, merge_id: int, survivor: int, resolve=None):
        from ..core import merging

        super().__init__(library, changed, f"Unmerge from record {survivor}")
        self.merge_id, self.survivor, self.resolve = merge_id, survivor, resolve
        self.restored = merging.unmerge(library, merge_id, resolve)  # applied now: a conflict surfaces here
        self.applied = True

    def redo(self):
        from ..core import merging

        if not self.applied:
            merging.unmerge(self.library, self.merge_id, self.resolve)
        self.applied = False
        self.changed([self.survivor, *self.restored], True)

    def undo(self):
        from ..core import merging

        merging.reinstate(self.library, self.merge_id)
        self.changed([self.survivor, *self.restored], True)


class SetCitekey(LibraryCommand):
    """A hand-edited citation key (refused on a clash before it is pushed)."""

    def __init__(self, library, changed, paper_id: int, key: str | None):
        from ..core.export import keys

        super().__init__(library, changed, f"Set citation key of record {paper_id}")
        self.paper_id, self.key = paper_id, key
        self.old = keys.set_key(library, paper_id, key)  # applied now: a clash surfaces here
        self.applied = True

    @property
    def is_noop(self) -> bool:
        return self.old == self.key

    def redo(self):
        from ..core.export import keys

        if not self.applied:
            keys.set_key(self.library, self.paper_id, self.key)
        self.applied = False
        self.changed([self.paper_id], False)

    def undo(self):
        from ..core.export import keys

        keys.set_key(self.library, self.paper_id, self.old)
        self.changed([self.paper_id], False)


class MergeNames(LibraryCommand):
    """Name variants made one author (undoable; the events table records both ways)."""

    def __init__(self, library, changed, keep: str, others: list[str]):
        super().__init__(library, changed, f"Merge {', '.join(others)} into {keep}")
        self.keep, self.others = keep, list(others)
        self.merge_id: int | None = None

    def redo(self):
        from ..core import authors

        self.merge_id = authors.merge_names(self.library, self.keep, self.others)
        self.changed([], True)

    def undo(self):
        from ..core import authors

        authors.unmerge_names(self.library, self.merge_id)
        self.changed([], True)


class DifferentPeople(LibraryCommand):
    """Two names a librarian says belong to different people (homonyms): never proposed as variants again."""

    def __init__(self, library, changed, name: str, other: str):
        super().__init__(library, changed, f"Keep {name} and {other} apart")
        self.name, self.other = name, other

    def redo(self):
        from ..core import authors

        authors.mark_different_people(self.library, self.name, self.other)
        self.changed([], False)

    def undo(self):
        from ..core import authors

        authors.forget_different_people(self.library, self.name, self.other)
        self.changed([], False)


class DecideSubject(LibraryCommand):
    """Confirm or reject the proposed subject author of a header-less listing."""

    def __init__(self, library, changed, source_id: int, name: str, confirmed: bool):
        super().__init__(library, changed, f"{'Confirm' if confirmed else 'Reject'} {name} as the listing's author")
        self.source_id, self.name, self.confirmed = source_id, name, confirmed
        self.previous = None

    def redo(self):
        from ..core import authors

        self.previous = authors.decide_subject(self.library, self.source_id, self.name, self.confirmed)
        self.changed([], True)

    def undo(self):
        from ..core import authors

        authors.restore_subject(self.library, self.source_id, self.previous)
        self.changed([], True)
