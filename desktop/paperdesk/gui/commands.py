"""Undoable commands: ``apply`` calls one core operation, ``revert`` its inverse with what ``apply`` returned.

Every step is written to SQLite at once (nothing lost on a crash) and lands in the events table. Commands say
nothing to the views: ``gui.operations.Operations`` reads what each step changed from its events and tells
every view, after the first apply, after undo and after redo alike.
"""

from __future__ import annotations

from ..core import authors, curation, merging
from ..core.export import keys
from .operations import LibraryCommand
from ..core.wording import count, merged_into


class EditFields(LibraryCommand):
    """Change fields of one record. A ValidationError from the first apply reaches the librarian; no push."""

    def __init__(self, library, paper_id: int, changes: dict, text: str | None = None):
        names = ", ".join(changes)
        super().__init__(library, text or f"Edit {names} of record {paper_id}")
        self.paper_id, self.new = paper_id, dict(changes)
        self.old: dict = {}

    @property
    def is_noop(self) -> bool:
        return not self.old

    def apply(self):
        old = curation.update_fields(self.library, self.paper_id, self.new, kind="edit" if self._first else "redo")
        if self._first:
            self.old = old

    def revert(self):
        curation.update_fields(self.library, self.paper_id, self.old, kind="undo")


class ResolveReview(LibraryCommand):
    def __init__(self, library, paper_id: int, title: str, authors: list[str]):
        super().__init__(library, f"Resolve review of record {paper_id}")
        self.paper_id, self.title, self.authors = paper_id, title, authors
        self.before: dict | None = None

    def apply(self):
        self.before = curation.resolve_review(self.library, self.paper_id, self.title, self.authors)

    def revert(self):
        curation.reopen_review(self.library, self.paper_id, self.before)


class TagRecords(LibraryCommand):
    """Add (or remove) one tag on many records; undo touches exactly the records that changed."""

    def __init__(self, library, paper_ids: list[int], tag_id: int, tag_name: str, remove: bool = False):
        verb = "Remove tag" if remove else "Tag"
        super().__init__(library, f"{verb} '{tag_name}' on {count(len(paper_ids), 'record')}")
        self.paper_ids, self.tag_id, self.remove = list(paper_ids), tag_id, remove
        self.touched: list[int] = []

    @property
    def is_noop(self) -> bool:
        return not self.touched

    def apply(self):
        op = curation.remove_tag if self.remove else curation.add_tag
        self.touched = op(self.library, self.paper_ids, self.tag_id)

    def revert(self):
        op = curation.add_tag if self.remove else curation.remove_tag
        op(self.library, self.touched, self.tag_id)


class CreateTag(LibraryCommand):
    def __init__(self, library, name: str, color: str | None = None):
        super().__init__(library, f"Create tag '{name}'")
        self.name, self.color = name, color
        self.tag_id: int | None = None
        self.saved: dict | None = None

    def apply(self):
        if self.saved is None:
            self.tag_id = curation.create_tag(self.library, self.name, self.color)
        else:
            curation.restore_tag(self.library, self.saved)

    def revert(self):
        self.saved = curation.delete_tag(self.library, self.tag_id)


class CreateAndTag(LibraryCommand):
    """A new tag put on the selection: one step in History."""

    def __init__(self, library, name: str, paper_ids: list[int]):
        super().__init__(library, f"Tag '{name}' on {count(len(paper_ids), 'record')}")
        self.create = CreateTag(library, name)
        self.paper_ids = list(paper_ids)
        self.tagging: TagRecords | None = None

    def apply(self):
        with self.library.transaction():
            self.create.apply()
            if self.tagging is None:
                self.tagging = TagRecords(self.library, self.paper_ids, self.create.tag_id, self.create.name)
            self.tagging.apply()

    def revert(self):
        with self.library.transaction():
            self.tagging.revert()
            self.create.revert()


class RenameTag(LibraryCommand):
    def __init__(self, library, tag_id: int, name: str):
        super().__init__(library, f"Rename tag to '{name}'")
        self.tag_id, self.name = tag_id, name
        self.old: str | None = None

    def apply(self):
        old = curation.rename_tag(self.library, self.tag_id, self.name)
        if self.old is None:
            self.old = old

    @property
    def is_noop(self) -> bool:
        return self.old == self.name

    def revert(self):
        curation.rename_tag(self.library, self.tag_id, self.old)


class RecolorTag(LibraryCommand):
    def __init__(self, library, tag_id: int, color: str):
        super().__init__(library, "Change tag colour")
        self.tag_id, self.color = tag_id, color
        self.old: str | None = None

    def apply(self):
        old = curation.recolor_tag(self.library, self.tag_id, self.color)
        if self.old is None:
            self.old = old

    def revert(self):
        curation.recolor_tag(self.library, self.tag_id, self.old)


class DeleteTag(LibraryCommand):
    def __init__(self, library, tag_id: int, name: str):
        super().__init__(library, f"Delete tag '{name}'")
        self.tag_id = tag_id
        self.saved: dict | None = None

    def apply(self):
        self.saved = curation.delete_tag(self.library, self.tag_id)

    def revert(self):
        curation.restore_tag(self.library, self.saved)


class MergeTags(LibraryCommand):
    def __init__(self, library, source_id: int, target_id: int, text: str):
        super().__init__(library, text)
        self.source_id, self.target_id = source_id, target_id
        self.saved: dict | None = None

    def apply(self):
        self.saved = curation.merge_tags(self.library, self.source_id, self.target_id)

    def revert(self):
        curation.unmerge_tags(self.library, self.saved)


class MergeRecords(LibraryCommand):
    """Merge records into a survivor; undo unmerges (the same operation the history's Unmerge button runs)."""

    def __init__(self, library, survivor: int, others: list[int], fields: dict | None = None):
        super().__init__(library, f"Merge {merged_into(others, survivor)}")
        self.survivor, self.others, self.fields = survivor, list(others), fields
        self.merge_id: int | None = None

    def apply(self):
        if self.merge_id is None:
            self.merge_id = merging.merge(self.library, self.survivor, self.others, self.fields)
        else:  # redo after undo: the same merge in force again
            merging.reinstate(self.library, self.merge_id)

    def revert(self):
        merging.unmerge(self.library, self.merge_id, resolve="restore")  # Ctrl+Z: back to before the merge


class BulkMerge(LibraryCommand):
    """Many merges as one undoable step (the certain groups the librarian left ticked)."""

    def __init__(self, library, plan: list[tuple[int, list[int]]]):
        super().__init__(library, f"Merge {count(len(plan), 'certain group')}")
        self.plan = plan
        self.merge_ids: list[int] = []

    def apply(self):
        with self.library.transaction():
            if self.merge_ids:  # redo after undo
                for merge_id in self.merge_ids:
                    merging.reinstate(self.library, merge_id)
            else:
                self.merge_ids = [merging.merge(self.library, survivor, others) for survivor, others in self.plan]

    def revert(self):
        with self.library.transaction():
            for merge_id in reversed(self.merge_ids):
                merging.unmerge(self.library, merge_id, resolve="restore")


class MarkDistinct(LibraryCommand):
    def __init__(self, library, ids: list[int]):
        super().__init__(library, f"Mark {count(len(ids), 'record')} as not duplicates")
        self.ids = ids
        self.pairs: list = []

    def apply(self):
        self.pairs = merging.mark_distinct(self.library, self.ids)

    def revert(self):
        merging.forget_distinct(self.library, self.pairs)


class Unmerge(LibraryCommand):
    """The history's Unmerge button: undo a merge made at any time, in any order (itself undoable).

    ``resolve`` answers the conflicts the core reports (merging.UnmergeConflict): "keep", "restore" or per field.
    A conflict left unanswered surfaces on the first apply, before anything is pushed."""

    def __init__(self, library, merge_id: int, survivor: int, resolve=None):
        super().__init__(library, f"Unmerge from record {survivor}")
        self.merge_id, self.survivor, self.resolve = merge_id, survivor, resolve
        self.restored: list[int] = []

    def apply(self):
        self.restored = merging.unmerge(self.library, self.merge_id, self.resolve)

    def revert(self):
        merging.reinstate(self.library, self.merge_id)


class SetCitekey(LibraryCommand):
    """A hand-edited citation key (refused on a clash before it is pushed)."""

    def __init__(self, library, paper_id: int, key: str | None):
        super().__init__(library, f"Set citation key of record {paper_id}")
        self.paper_id, self.key = paper_id, key
        self.old: str | None = None
        self._noop = False

    @property
    def is_noop(self) -> bool:
        return self._noop

    def apply(self):
        old = keys.set_key(self.library, self.paper_id, self.key)
        if self._first:
            self.old, self._noop = old, old == self.key

    def revert(self):
        keys.set_key(self.library, self.paper_id, self.old)


class MergeNames(LibraryCommand):
    """Name variants made one author (undoable; the events table records both ways)."""

    def __init__(self, library, keep: str, others: list[str]):
        super().__init__(library, f"Merge {', '.join(others)} into {keep}")
        self.keep, self.others = keep, list(others)
        self.merge_id: int | None = None

    def apply(self):
        self.merge_id = authors.merge_names(self.library, self.keep, self.others)

    def revert(self):
        authors.unmerge_names(self.library, self.merge_id)


class DifferentPeople(LibraryCommand):
    """Two names a librarian says belong to different people (homonyms): never proposed as variants again."""

    def __init__(self, library, name: str, other: str):
        super().__init__(library, f"Keep {name} and {other} apart")
        self.name, self.other = name, other

    def apply(self):
        authors.mark_different_people(self.library, self.name, self.other)

    def revert(self):
        authors.forget_different_people(self.library, self.name, self.other)


class DecideSubject(LibraryCommand):
    """Confirm or reject the proposed subject author of a header-less listing."""

    def __init__(self, library, source_id: int, name: str, confirmed: bool):
        super().__init__(library, f"{'Confirm' if confirmed else 'Reject'} {name} as the listing's author")
        self.source_id, self.name, self.confirmed = source_id, name, confirmed
        self.previous = None

    def apply(self):
        self.previous = authors.decide_subject(self.library, self.source_id, self.name, self.confirmed)

    def revert(self):
        authors.restore_subject(self.library, self.source_id, self.previous)
