"""The sidebar: library views, tags with live counts, sources, saved searches, pinned exports (with their last
write or error). Clicking a view filters the table.

Records dragged from the table onto a tag are tagged with it.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QIcon, QPixmap
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QMenu, QTreeWidget, QTreeWidgetItem, \
    QVBoxLayout, QWidget

from ..core import authors, curation, query

# Above this many provenance rows the sources' counts are recounted in the background (_counts_for_sources), and
# the first count waits until the window has shown its first rows (start_background_counts): it reads every
# provenance row (1.1 GB at a million records) and would compete with them for the disk.
SOURCE_COUNTS_IN_BACKGROUND = 20_000
SOURCE_COUNTS_CACHE_MB = 8  # one pass over the provenance: SQLite's cache would only hold pages read once
from ..core.export import pinned
from ..core.library import Library
from .records_model import MIME_IDS
from ..core.wording import count

ROLE_KIND = Qt.UserRole
ROLE_VALUE = Qt.UserRole + 1


def color_icon(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(QColor(color or "#888888"))
    return QIcon(pixmap)


class SidebarTree(QTreeWidget):
    recordsDropped = Signal(int, list)  # tag id, paper ids

    def __init__(self):
        super().__init__()
        self.setHeaderHidden(True)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DropOnly)
        self.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.setIndentation(12)
        self.setTextElideMode(Qt.ElideMiddle)  # a long file name loses its middle, never its count

    def _tag_item_at(self, pos):
        item = self.itemAt(pos)
        return item if item is not None and item.data(0, ROLE_KIND) == "tag" else None

    def dragEnterEvent(self, event):
        if event.mimeData().hasFormat(MIME_IDS):
            event.acceptProposedAction()
        else:
            super().dragEnterEvent(event)

    def dragMoveEvent(self, event):
        if event.mimeData().hasFormat(MIME_IDS) and self._tag_item_at(event.position().toPoint()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event):
        item = self._tag_item_at(event.position().toPoint())
        if item is None or not event.mimeData().hasFormat(MIME_IDS):
            event.ignore()
            return
        ids = json.loads(bytes(event.mimeData().data(MIME_IDS)).decode())
        self.recordsDropped.emit(item.data(0, ROLE_VALUE), ids)
        event.acceptProposedAction()


class Sidebar(QWidget):
    """Emits ``viewChosen(filter changes)`` with the RecordFilter fields the chosen entry sets."""

    KEYS = (("Ctrl-click", "several tags: records with all (or any) of them"),
            ("Drag records onto a tag", "tag them"))

    viewChosen = Signal(dict)
    recordsDroppedOnTag = Signal(int, list)
    tagMenuRequested = Signal(int, object)  # tag id, global position
    subjectDecided = Signal(int, str, bool)  # source id, author name, confirmed
    savedSearchDeleted = Signal(str)
    removeImportRequested = Signal(int)  # source id
    emptyTrashRequested = Signal()
    pinRemoved = Signal(int)  # a pinned export the librarian no longer wants kept in sync
    _sourceCountsCounted = Signal(object, int)  # {source id: count}, the generation they were asked for

    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.tree = SidebarTree()
        self.tree.recordsDropped.connect(self.recordsDroppedOnTag)
        layout.addWidget(self.tree)
        mode_row = QHBoxLayout()
        mode_row.setContentsMargins(6, 0, 6, 4)
        mode_label = QLabel("Tags match:")
        mode_label.setToolTip("Ctrl-click several tags to filter by all (or any) of them")
        mode_row.addWidget(mode_label)
        self.tag_mode = QComboBox()
        self.tag_mode.addItems(["all of them", "any of them"])
        self.tag_mode.setToolTip("Ctrl-click several tags to filter by all (or any) of them")
        self.tag_mode.currentIndexChanged.connect(self._emit_current)
        mode_row.addWidget(self.tag_mode)
        layout.addLayout(mode_row)
        self.tree.itemSelectionChanged.connect(self._emit_current)
        self.tree.itemClicked.connect(self._clicked)
        self.tree.setContextMenuPolicy(Qt.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._context_menu)
        self._suspend = False
        self.duplicate_count: int | None = None  # known after a scan
        self.duplicate_note = ""  # with no count: "not scanned yet", "looking…" (never a count of 0 not looked for)
        self._source_counts: dict[int, int] | None = None
        self._last_source_counts: dict[int, int] | None = None  # shown while a large library's are recounted
        self._background_counts = False  # a large library's first count waits for the window's first rows
        self._counts_generation = 0
        self._counting: int | None = None  # the generation being counted in the background
        self._sourceCountsCounted.connect(self._source_counts_arrived)
        self._view_counts: dict[str, int] | None = None  # of the last rebuild
        self.rebuild()

    def apply_changes(self, changes) -> bool:
        """Refresh the counts ``changes`` may have changed; True when the sidebar was rebuilt."""
        if changes.sources or changes.membership:
            self._source_counts = None
            self._counts_generation += 1
        if (changes.membership or changes.tags or changes.sources or changes.settings or changes.authors
                or "needs_review" in changes.fields):
            self.rebuild()
            return True
        return False

    def _counts_for_sources(self) -> dict[int, int] | None:
        """Each source's count (None: not counted yet). It reads every provenance row's record (seconds at a
        million records), so in a large library it is recounted in a thread of its own after a change, the last
        counts showing meanwhile and the sidebar refilled when the new ones arrive: the GUI thread never waits
        for it."""
        if self._source_counts is not None:
            return self._source_counts
        if query.provenance_size(self.library.conn) < SOURCE_COUNTS_IN_BACKGROUND:
            self._source_counts = self._last_source_counts = query.source_counts(self.library.conn)
            return self._source_counts
        if self._background_counts and self._counting != self._counts_generation:
            self._counting = generation = self._counts_generation
            threading.Thread(target=self._count_sources, args=(generation,), name="paperdesk-source-counts",
                             daemon=True).start()
        return self._last_source_counts

    def start_background_counts(self) -> None:
        """The window has shown its first rows: a large library's source counts may now be counted."""
        if not self._background_counts:
            self._background_counts = True
            self._counts_for_sources()

    def _count_sources(self, generation: int) -> None:
        try:
            library = Library(self.library.path, readonly=True, check=False, cache_mb=SOURCE_COUNTS_CACHE_MB)
            try:
                counts = query.source_counts(library.conn)
            finally:
                library.close()
        except Exception as exc:  # the traceback to the log; the last counts stay shown
            from ..core.logfile import log_exception

            log_exception(exc, "source counts")
            return
        try:
            self._sourceCountsCounted.emit(counts, generation)
        except RuntimeError:  # the sidebar went (the window closed) while counting
            pass

    def _source_counts_arrived(self, counts: dict, generation: int) -> None:
        self._counting = None
        self._last_source_counts = counts
        if generation == self._counts_generation:
            self._source_counts = counts
        # (a newer change meanwhile: its count starts from here; it rebuilt with its own view counts already)
        self.rebuild(recount=False)

    def _section(self, title: str) -> QTreeWidgetItem:
        item = QTreeWidgetItem([title])
        item.setFlags(Qt.ItemIsEnabled)
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        item.setForeground(0, QBrush(QColor("#666666")))
        self.tree.addTopLevelItem(item)
        item.setExpanded(True)
        return item

    def _entry(self, parent, text: str, kind: str, value=None, tooltip: str = "") -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [text])
        item.setData(0, ROLE_KIND, kind)
        item.setData(0, ROLE_VALUE, value)
        if tooltip:
            item.setToolTip(0, tooltip)
        return item

    def _duplicates_label(self) -> tuple[str, str]:
        """The Duplicates entry's text and tooltip: the count of groups, or why there is none (never a 0 that
        no scan found)."""
        if self.duplicate_count is not None:
            label = f"Duplicates  ({self.duplicate_count:,})"
        else:
            label = f"Duplicates  ({self.duplicate_note})" if self.duplicate_note else "Duplicates…"
        tip = "Find and merge duplicate records (Ctrl+D)"
        if self.duplicate_note == "not scanned yet":
            tip = "This library has not been looked through for duplicates yet: open this (Ctrl+D) to scan it"
        return label, tip

    def show_duplicates_state(self) -> None:
        """The Duplicates entry alone says what is known now (no recount of the other entries)."""
        try:
            label, tip = self._duplicates_label()
            self.duplicates_item.setText(0, label)
            self.duplicates_item.setToolTip(0, tip)
        except (AttributeError, RuntimeError):  # not built yet, or cleared
            self.rebuild()

    def rebuild(self, recount: bool = True) -> None:
        """Refill with live counts, keeping the current selection. ``recount`` False: the views' counts of the
        last rebuild stand (nothing changed them: only the sources' counts arrived), a fifth of a second at a
        million records not spent again on the GUI thread."""
        selected = [(i.data(0, ROLE_KIND), i.data(0, ROLE_VALUE)) for i in self.tree.selectedItems()]
        self._suspend = True
        self.tree.clear()
        if recount or self._view_counts is None:
            self._view_counts = query.view_counts(self.library.conn)
        counts = self._view_counts
        library = self._section("Library")
        self.all_item = self._entry(library, f"All records  ({counts['all']:,})", "all")
        self._entry(library, f"Needs review  ({counts['review']:,})", "review")
        self._entry(library, f"Recently imported  ({counts['recent']:,})", "recent")
        label, tip = self._duplicates_label()
        self.duplicates_item = self._entry(library, label, "duplicates", None, tip)
        self._entry(library, "Authors", "authors", None, "Every author, with an author page each (Ctrl+U)")
        self.trash_item = self._entry(library, f"Trash  ({counts['trash']:,})", "trash", None,
                                      "Deleted records: right-click a record to restore it")
        tags = self._section("Tags")
        self.tag_items = {}
        for tag in curation.tags(self.library):
            item = self._entry(tags, f"{tag['name']}  ({tag['count']:,})", "tag", tag["id"],
                               "Drop records here to tag them")
            item.setIcon(0, color_icon(tag["color"]))
            self.tag_items[tag["id"]] = item
        if not self.tag_items:
            hint = QTreeWidgetItem(tags, ["No tags yet: select\nrecords, press T"])  # two short lines, never cut
            hint.setFlags(Qt.NoItemFlags)
        sources = self._section("Sources")
        counts = self._counts_for_sources()
        decisions = authors.subject_decisions(self.library)
        stale = counts is not self._source_counts  # a large library's last counts, shown while recounting
        for source in curation.sources_overview(self.library, counts or {}):
            # not counted yet (a large library's first count, or a source new since its last one): '…', never 0
            known = counts is not None and not (stale and source["id"] not in counts)
            shown = f"{source['records']:,}" if known else "…"
            name = source["file"] + (f" — {source['folder']}/" if source.get("folder") else "")  # same-name files
            label = f"{name}  ({shown})"
            if source["author"]:  # a profile page: the author it is about says more than the file name
                label = f"{source['author']} — profile  ({shown})"
            else:
                decision = decisions.get(source["id"])
                if decision and decision["confirmed"]:
                    label += f" — {decision['name']}"
            self._entry(sources, label, "source", source["id"],
                        f"{source['path'] or source['file']}: layout {source['layout']},"
                        f" captured {source['captured']}")
        searches = self._section("Saved searches")
        for saved in curation.saved_searches(self.library):
            self._entry(searches, saved["name"], "saved", saved["query"], saved["query"])
        pins = pinned.list_pins(self.library)
        if pins:
            section = self._section("Pinned exports")
            for pin in pins:
                self._pin_entry(section, pin)
        self._suspend = False
        restored = False
        self.tree.blockSignals(True)
        for item in self._all_items():
            if (item.data(0, ROLE_KIND), item.data(0, ROLE_VALUE)) in selected:
                item.setSelected(True)
                restored = True
        if not restored:
            self.all_item.setSelected(True)
        self.tree.blockSignals(False)

    def _pin_entry(self, parent, pin) -> QTreeWidgetItem:
        name = Path(pin.path).name
        if pin.last_error:
            text, tip = f"{name} — error", f"{pin.describe()}\nLast attempt failed: {pin.last_error}"
        elif pin.last_written_at:
            when = pin.last_written_at.replace("T", " ")[:19]
            text = f"{name} — {pin.last_count}, {when[11:16]} UTC"
            tip = f"{pin.describe()}\nLast written {when} UTC ({count(pin.last_count, 'record')})"
        else:
            text, tip = f"{name} — writing…", pin.describe()
        item = QTreeWidgetItem(parent, [text])
        item.setData(0, ROLE_KIND, "pinned")
        item.setData(0, ROLE_VALUE, pin.id)
        item.setToolTip(0, tip + "\nRewritten whenever the library changes; right-click to stop.")
        item.setFlags(Qt.ItemIsEnabled)  # not a view: selecting it would not filter the records
        if pin.last_error:
            item.setForeground(0, QBrush(QColor("#b00020")))
        return item

    def _context_menu(self, pos) -> None:
        item = self.tree.itemAt(pos)
        if item is None:
            return
        kind, value = item.data(0, ROLE_KIND), item.data(0, ROLE_VALUE)
        if kind == "tag":
            self.tagMenuRequested.emit(value, self.tree.viewport().mapToGlobal(pos))
        elif kind == "source":
            menu = QMenu(self)
            proposal = authors.propose_subject(self.library, value)
            decision = authors.subject_decision(self.library, value)
            if proposal and not self._is_profile(value):
                name = proposal["name"]
                state = "" if decision is None or decision["name"] != name else (
                    " (confirmed)" if decision["confirmed"] else " (rejected)")
                menu.addAction(f"This listing is about {name}? ({proposal['records']} of {count(proposal['of'], 'record')})"
                               f"{state}").setEnabled(False)
                menu.addAction(f"Confirm: count its papers for {name}",
                               lambda: self.subjectDecided.emit(value, name, True))
                menu.addAction("Reject", lambda: self.subjectDecided.emit(value, name, False))
            else:
                menu.addAction("A profile page: its author is known").setEnabled(False)
            menu.addSeparator()
            menu.addAction("Remove this import…", lambda: self.removeImportRequested.emit(value))
            menu.exec(self.tree.viewport().mapToGlobal(pos))
        elif kind == "trash":
            menu = QMenu(self)
            menu.addAction("Empty Trash…", self.emptyTrashRequested.emit)
            menu.exec(self.tree.viewport().mapToGlobal(pos))
        elif kind == "pinned":
            menu = QMenu(self)
            menu.addAction("Stop keeping this file in sync", lambda: self.pinRemoved.emit(value))
            menu.exec(self.tree.viewport().mapToGlobal(pos))
        elif kind == "saved":
            menu = QMenu(self)
            name = item.text(0)
            menu.addAction(f"Delete saved search '{name}'", lambda: self.savedSearchDeleted.emit(name))
            menu.exec(self.tree.viewport().mapToGlobal(pos))

    def _is_profile(self, source_id: int) -> bool:
        return any(s["id"] == source_id and s["author"]
                   for s in curation.sources_overview(self.library, self._source_counts or {}))

    def _all_items(self):
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            for j in range(top.childCount()):
                yield top.child(j)

    def select(self, kind: str, value=None) -> None:
        for item in self._all_items():
            if item.data(0, ROLE_KIND) == kind and (value is None or item.data(0, ROLE_VALUE) == value):
                # Explicit, so that a held Ctrl key (which makes setCurrentItem toggle) cannot add to the selection.
                self.tree.blockSignals(True)
                self.tree.clearSelection()
                self.tree.setCurrentItem(item, 0, QItemSelectionModel.NoUpdate)
                item.setSelected(True)
                self.tree.blockSignals(False)
                self._emit_current()
                return

    def mark(self, kind: str | None, values=()) -> None:
        """Select the entries that stand for what the window shows, without choosing them again (after Ctrl+1
        back from the duplicates, the sidebar says what the table shows, and clicking Duplicates opens it again).
        ``values``: tag ids or a source id; kind None selects nothing (the table shows a chart's bar)."""
        wanted = set(values) if isinstance(values, (tuple, list, set)) else {values}
        self.tree.blockSignals(True)
        self.tree.clearSelection()
        for item in self._all_items():
            if item.data(0, ROLE_KIND) == kind and (not values or item.data(0, ROLE_VALUE) in wanted):
                item.setSelected(True)
                self.tree.setCurrentItem(item, 0, QItemSelectionModel.NoUpdate)
        self.tree.blockSignals(False)

    def _clicked(self, item, _column) -> None:
        """A page entry (Duplicates, Authors) clicked while already selected opens its page all the same."""
        if item.data(0, ROLE_KIND) in ("duplicates", "authors") and item.isSelected() and not self._suspend:
            self.viewChosen.emit({"page": item.data(0, ROLE_KIND)})

    def current_entry(self) -> tuple[str, object]:
        items = self.tree.selectedItems()
        return (items[0].data(0, ROLE_KIND), items[0].data(0, ROLE_VALUE)) if items else ("all", None)

    def _emit_current(self) -> None:
        if self._suspend:
            return
        items = [i for i in self.tree.selectedItems() if i.data(0, ROLE_KIND)]
        if not items:
            return
        tag_ids = tuple(i.data(0, ROLE_VALUE) for i in items if i.data(0, ROLE_KIND) == "tag")
        if tag_ids:
            mode = "any" if self.tag_mode.currentIndex() == 1 else "all"
            self.viewChosen.emit({"view": "tags", "tag_ids": tag_ids, "tag_mode": mode, "source_id": None})
            return
        kind, value = items[0].data(0, ROLE_KIND), items[0].data(0, ROLE_VALUE)
        if kind in ("duplicates", "authors"):
            self.viewChosen.emit({"page": kind})
        elif kind == "source":
            self.viewChosen.emit({"view": "source", "source_id": value, "tag_ids": ()})
        elif kind == "saved":
            self.viewChosen.emit({"view": "all", "search": value, "tag_ids": (), "source_id": None})
        else:
            self.viewChosen.emit({"view": kind, "tag_ids": (), "source_id": None})
