"""The duplicates review queue: candidate groups, surest first, one key per decision.

M merge (opens the merge dialog), N not duplicates (remembered for good), S skip, arrow keys move. The scan runs
in the background with progress and Cancel; the strictness preset and its thresholds are shown.

The queue lives in the library (core/dupstore.py: the scored pairs, true at an event of the change log), so a
window opened later shows the same groups: it reads them, catching up with what changed since (the records
touched are scanned again against the library). Records that arrive or change (an import, here or elsewhere; an
edit of a title; records brought back by an undo) are scanned the same way (through the stored sort keys:
seconds where a full scan takes minutes at a million records); a full scan runs when the queue is first opened
on a library that has none, or when what changed is not known record by record.
"""

from __future__ import annotations

import threading
from operator import attrgetter

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHBoxLayout, QLabel, QListView, QProgressBar, \
    QPushButton, QVBoxLayout, QWidget

from ..core import dupchild, dupstore
from ..core.duplicates import PRESETS, Group
from ..core.library import Library
from .group_model import GroupModel
from .workers import start_in_thread
from ..core.wording import count


LAYOUT_BATCH = 4000  # rows laid out per turn of the event loop (a few milliseconds)


class ScanWorker(QObject):
    progress = Signal(str, int, int)
    finished = Signal(object)  # dupstore.Stored, or None (``load`` of a library with no stored queue)
    first = Signal(object)  # dupstore.Stored: the stored queue's first groups, the rest on its way (``load``)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, db_path, preset: str | None, new_ids: list[int] | None = None, load: bool = False,
                 known: int | None = None):
        """A full scan; with ``new_ids``, these records (and those changed since the stored queue) against the
        library; with ``load``, the stored queue brought up to date (``preset`` None: the stored one).
        ``known``: the event of the queue the page shows, for a catch-up that returns only what changed."""
        super().__init__()
        self.db_path, self.preset, self.new_ids, self.load = db_path, preset, new_ids, load
        self.known = known
        self.in_child = False  # set by the page (dupchild.wanted) before the worker starts
        self.cancel = threading.Event()
        self.whole = new_ids is None and not load  # a full scan

    def run(self):
        try:
            if not self.in_child:
                with Library(self.db_path, check=False) as library:  # the window checked the file at open
                    if self.whole:
                        stored = dupstore.scan_all(library, self.preset, progress=self.progress.emit,
                                                   cancel=self.cancel)
                    else:
                        stored = dupstore.catch_up(library, self.preset, self.new_ids or (),
                                                   progress=self.progress.emit, cancel=self.cancel, known=self.known)
            else:  # a large library: the work and its memory in a process of its own
                task = "scan" if self.whole else "load" if self.load else "catch-up"
                stored = dupchild.run(task, self.db_path, self.preset, self.new_ids or (), self.known,
                                      progress=self.progress.emit, cancel=self.cancel,
                                      first=self.first.emit if self.load else None)
            if self.cancel.is_set():
                self.cancelled.emit()
            else:
                self.finished.emit(stored)
        except Exception as exc:
            from .errors import log_exception

            log_exception(exc, "duplicate scan")
            self.failed.emit(f"The duplicate scan stopped: {exc}")


def show_progress(bar: QProgressBar, stage: str, done: int, total: int) -> None:
    """A stage counted in steps fills the bar; a single step (sorting, indexing) shows it busy, never a bar
    standing at 0% (or at 100%) while the work goes on."""
    if total <= 1:
        bar.setRange(0, 0)
        bar.setFormat(f"{stage}…")
    else:
        bar.setRange(0, total)
        bar.setValue(done)
        bar.setFormat(f"{stage}: {done:,} of {total:,}")


class GroupList(QListView):
    """The queue's list (a view over ``GroupModel``: rows of one height, read when on screen); the decision keys
    go to the page instead of the list's type-to-search."""

    decisionKey = Signal(object)
    currentRowChanged = Signal(int)

    def __init__(self, model: GroupModel):
        super().__init__()
        self.setUniformItemSizes(True)  # no size hint asked of each of 90,000 rows
        # Laying the rows out still asks the model for an index per row (a Python call each: a fifth of a
        # second for 90,000 rows, after every merge removed one): a batch at a time, between events
        self.setLayoutMode(QListView.Batched)
        self.setBatchSize(LAYOUT_BATCH)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setTextElideMode(Qt.ElideRight)
        self.setWordWrap(False)
        model.line_height = self.fontMetrics().lineSpacing()
        self.setModel(model)
        self.selectionModel().currentRowChanged.connect(lambda current, _: self.currentRowChanged.emit(
            current.row() if current.isValid() else -1))

    def count(self) -> int:
        return self.model().rowCount()

    def currentRow(self) -> int:
        index = self.currentIndex()
        return index.row() if index.isValid() else -1

    def setCurrentRow(self, row: int) -> None:
        if 0 <= row < self.count():
            self.setCurrentIndex(self.model().index(row))
            self.scrollTo(self.currentIndex())
        else:
            self.setCurrentIndex(self.model().index(-1))

    def text(self, row: int) -> str:
        return self.model().text(row)

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key_M, Qt.Key_N, Qt.Key_S, Qt.Key_Return, Qt.Key_Enter, Qt.Key_Escape):
            self.decisionKey.emit(event)
            return
        super().keyPressEvent(event)


class DuplicatesPage(QWidget):
    KEYS = (("M or Enter", "merge the group…"), ("N", "not duplicates (remembered)"), ("S", "skip"),
            ("Up / Down", "move between groups"), ("Esc", "back to the records"))
    mergeRequested = Signal(list, list)  # record ids, reasons
    distinctRequested = Signal(list)
    bulkRequested = Signal(list)  # certain groups
    closeRequested = Signal()
    countChanged = Signal(int)  # groups in the queue; -1 when not known (never scanned, or cancelled)
    scanFinished = Signal()  # a scan finished and its groups are in the queue (see ``covers``)
    newScanStopped = Signal(list)  # records whose scan was cancelled or failed
    scanProgress = Signal(str, int, int)  # stage, done, total (of whichever scan runs)
    scanStarted = Signal()  # a scan began (``scanning`` says which records it covers)

    # Events whose new records are always scanned against the library (other records that come back, by an
    # undo say, only when the queue holds groups already).
    IMPORTS = ("import", "import-readded")

    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self.groups: list[Group] = []
        self.scanned = False  # a full scan finished (its groups are in the queue)
        self.loaded = False  # the queue stored in the library was read (see core/dupstore.py)
        self.load_tried = False
        self.stale = False  # records came back in a way not known record by record: a full scan is due
        self.fresh: set[int] = set()  # imported records scanned on their own since the last full scan (NEW)
        self.pending: set[int] = set()  # records waiting for a scan of their own
        self.full_wanted = False  # a full scan asked for while another scan ran
        self.catch_up_wanted = False  # the stored queue to bring up to date with the change log (no records named)
        self.worker = None
        self.shown_event: int | None = None  # the change log's event the groups shown are true at (dupstore.Stored)
        self.stopped = False  # the window is closing or switching libraries: late scan results are dropped
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel("Duplicates")
        self.title.setStyleSheet("font-weight: bold; font-size: 14px;")
        self.title.setWordWrap(True)
        top.addWidget(self.title, 1)
        back = QPushButton("Back")
        back.clicked.connect(self.closeRequested)
        top.addWidget(back)
        layout.addLayout(top)
        controls = QHBoxLayout()
        top = controls
        top.addWidget(QLabel("Strictness:"))
        self.preset = QComboBox()
        for name, p in PRESETS.items():
            self.preset.addItem(f"{name}  {p.certain:.0f}/{p.likely:.0f}/{p.possible:.0f}", name)
            self.preset.setItemData(self.preset.count() - 1, f"certain ≥ {p.certain:.0f}, likely ≥ {p.likely:.0f}, "
                                    f"possible ≥ {p.possible:.0f} (score out of 100)", Qt.ToolTipRole)
        self.preset.setToolTip("Score thresholds: certain / likely / possible")
        self.preset.setCurrentIndex(list(PRESETS).index("balanced"))
        self.preset.activated.connect(lambda _: self.scan())
        top.addWidget(self.preset)
        self.rescan = QPushButton("Scan again")
        self.rescan.clicked.connect(self.scan)
        top.addWidget(self.rescan)
        self.bulk = QPushButton("Merge certain…")
        self.bulk.clicked.connect(lambda: self.bulkRequested.emit([g for g in self.groups if g.confidence == "certain"]))
        top.addWidget(self.bulk)
        top.addStretch(1)
        layout.addLayout(controls)
        progress_row = QHBoxLayout()
        self.bar = QProgressBar()
        self.bar.hide()
        progress_row.addWidget(self.bar, 1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_scan)
        progress_row.addWidget(self.cancel_button)
        layout.addLayout(progress_row)
        keys = QLabel("M merge…   N not duplicates (remembered)   S skip   ↑/↓ move")
        keys.setWordWrap(True)
        layout.addWidget(keys)
        self.model = GroupModel(library, self)
        self.list = GroupList(self.model)
        self.list.decisionKey.connect(self.keyPressEvent)
        self.list.setAlternatingRowColors(True)
        self.list.activated.connect(lambda _: self.merge_current())
        layout.addWidget(self.list, 1)
        self.setFocusProxy(self.list)

    # --- scanning ---------------------------------------------------------------------------------------

    def needs_full_scan(self) -> bool:
        """Opening the queue starts a full scan: nothing scanned yet, or records came back unknown."""
        return self.stale or not (self.scanned or self.fresh or self.loaded)

    def load(self) -> None:
        """Read the queue the library holds (at the window's start), brought up to date with the changes since."""
        if self.stopped or self.worker is not None or self.load_tried:
            return
        self.load_tried = True
        if not dupstore.has_results(self.library):  # a quick look: no thread for a library with no queue
            self.countChanged.emit(-1)  # never scanned: the sidebar says so (opening the page scans)
            return
        self._start(None, "Duplicates — reading the groups of the last scan…", load=True)

    def opened(self) -> None:
        """The queue is on screen: the stored groups read first, then a full scan if none or out of date."""
        if self.worker is not None:
            return
        if not self.load_tried and not (self.scanned or self.fresh):
            self.load()  # a full scan follows when the library holds no queue (``_scanned``)
            if self.worker is not None:
                return
        if self.needs_full_scan():
            self.scan()

    def scan(self) -> None:
        if self.stopped:
            return
        if self.worker is not None:
            if not self.worker.whole:
                self.full_wanted = True  # after the scan of the new records
            return
        self.full_wanted = self.catch_up_wanted = False
        self.pending.clear()  # a full scan covers them
        self._start(None, "Duplicates — scanning…")

    def scan_new(self, ids) -> None:
        """Scan these records against the library (after an import): now, or after the scan running now."""
        if self.stopped or not ids:
            return
        self.pending.update(ids)
        if self.worker is None:
            self._next()

    def covers(self, ids) -> bool:
        """No scan is due or running for any of ``ids``: the queue says what it knows of them."""
        wanted = set(ids)
        running = set(self.worker.new_ids or ()) if self.worker is not None and self.worker.new_ids else set()
        full_running = self.worker is not None and self.worker.whole
        return not (wanted & self.pending or wanted & running or (full_running and wanted))

    def scanning(self, ids) -> bool:
        """A scan covering some of ``ids`` is running now (not only due)."""
        if self.worker is None or self.worker.load or set(ids) & self.pending:
            return False  # (pending: arrived after the running scan began reading; a scan of their own follows)
        return self.worker.whole or bool(set(ids) & set(self.worker.new_ids or ()))

    def _next(self) -> None:
        """The work asked for while a scan ran."""
        if self.full_wanted:
            self.scan()
        elif self.pending:
            ids = sorted(self.pending)
            self.pending.clear()
            self.catch_up_wanted = False  # a scan of records catches up with every change logged, too
            self._start(ids, f"Duplicates — looking for duplicates of {count(len(ids), 'new record', grouped=True)}…")
        elif self.catch_up_wanted:
            self.catch_up_wanted = False
            self._start([], "Duplicates — bringing the groups up to date with the renamed authors…")

    def _start(self, new_ids: list[int] | None, title: str, load: bool = False) -> None:
        self.bar.show()
        self.bar.setRange(0, 0)
        self.bar.setFormat("Starting…")
        self.cancel_button.show()
        self.title.setText(title)
        known = self.shown_event if new_ids is not None and not load else None
        self.worker = ScanWorker(self.library.path, None if load else self.preset.currentData(), new_ids, load, known)
        self.worker.in_child = dupchild.wanted(self.library.conn)
        self.worker.progress.connect(self._progress)
        self.worker.finished.connect(self._scanned)
        self.worker.first.connect(self._first_screen)
        self.worker.failed.connect(self._failed)
        self.worker.cancelled.connect(self._cancelled)
        self.worker.cancelled.connect(lambda: self.thread.quit())
        self.thread = start_in_thread(self.worker, self)
        self.scanStarted.emit()

    def stop(self) -> None:
        """Cancel a running scan and wait for its thread (the window is closing). What the scan reports after
        this (a result already on its way) is dropped: the library may be closed by then."""
        self.stopped = True
        if self.worker is not None:
            self.worker.cancel.set()
            try:
                self.thread.quit()
                self.thread.wait(10000)
            except RuntimeError:  # the thread object is already gone
                pass
            self.worker = None

    def cancel_scan(self) -> None:
        if self.worker is not None:
            self.worker.cancel.set()

    def _progress(self, stage: str, done: int, total: int) -> None:
        show_progress(self.bar, stage, done, total)
        self.scanProgress.emit(stage, done, total)

    def _ended(self) -> list[int] | None:
        """The worker has ended: forget it; returns the records it scanned on their own (None: a full scan or
        the reading of the stored queue)."""
        new_ids = self.worker.new_ids if self.worker is not None else None
        self.worker = None
        self.bar.hide()
        self.cancel_button.hide()
        return new_ids

    def _failed(self, message: str) -> None:
        if self.stopped:
            return
        new_ids = self._ended()
        self.title.setText(message)
        if new_ids is not None:
            self.newScanStopped.emit(new_ids)
        self._next()

    def _cancelled(self) -> None:
        if self.stopped:
            return
        new_ids = self._ended()
        self.pending.clear()  # Cancel stops the scans asked for, not only the one running
        self.full_wanted = self.catch_up_wanted = False
        if self.scanned or self.fresh or self.loaded:
            self._fill(self.list.currentRow())
            self.title.setText(self.title.text() + " — the new scan was cancelled; these are from the last one")
        else:
            self.title.setText("Duplicates — scan cancelled; press Scan again to look for duplicates")
            self.countChanged.emit(-1)
        if new_ids is not None:
            self.newScanStopped.emit(new_ids)

    def apply_changes(self, changes) -> None:
        """Drop groups whose records were merged away or marked different; scan records that arrived (imported,
        brought back) against the library; a full scan only when what came back is not known record by record."""
        gone = set(changes.removed)
        distinct = [set(e["details"].get("records") or []) for e in changes.events if e["kind"] == "not-duplicates"]
        if gone or distinct:
            self._drop(lambda g: not gone.isdisjoint(g.records) or any(d.issuperset(g.records) for d in distinct),
                       gone.union(*distinct))
        if changes.everything:
            self.model.forget()
        elif changes.records:
            self.model.forget(changes.records)  # titles and authors shown read again
        kinds = {e["kind"] for e in changes.events}
        known = self.scanned or bool(self.fresh) or self.loaded
        # records that arrived: scanned against the library on their own (after an import always, else only
        # when the queue holds groups they may belong to)
        if changes.added and (known or kinds & set(self.IMPORTS)):
            self.scan_new(changes.added)
        undone = {x for e in changes.events if e["kind"] == "not-duplicates-undone"
                  for pair in e["details"].get("pairs") or [] for x in pair}
        if undone and known:
            self.scan_new(undone)  # the pairs no longer marked distinct, scored again
        if known and changes.duplicates and changes.records and (
                changes.fields & {"title", "authors", "date", "abstract"} or kinds & {"merge", "merge-redone",
                                                                                      "unmerge"}):
            self.scan_new(changes.records)  # edited records (a merge's survivor): their pairs scored again
        # an author-name merge rewrites names on many records: the stored queue learns which from the library
        renamed = kinds & {"author-merge", "author-merge-undone"}
        if renamed and known:
            self.catch_up_wanted = True
            if self.worker is None:
                self._next()
        # an import marks everything changed (records present already gain a source): not a reason to rescan
        unknown = changes.everything and not (kinds and kinds <= set(self.IMPORTS) | renamed)
        if unknown and self.scanned:
            self.stale = True
            if self.isVisible():
                self.scan()

    def _scanned(self, stored) -> None:
        if self.stopped:
            return
        whole = self.worker is not None and self.worker.whole
        self._ended()
        if stored is None:  # nothing stored yet: a full scan when the queue is on screen
            self.title.setText("Duplicates — not scanned yet")
            self.countChanged.emit(-1)
            if self.isVisible():
                self.full_wanted = True
        else:
            self.loaded = True
            self.scanned, self.stale = stored.whole or whole, stored.stale
            self.fresh = set(stored.fresh)
            index = self.preset.findData(stored.preset)
            if index >= 0:
                self.preset.setCurrentIndex(index)
            self.shown_event = stored.event
            if stored.changed is not None:  # only the groups of the records the change reached
                self._replace(stored)
            else:
                self.groups = list(stored.groups)
                self._fill(max(self.list.currentRow(), 0))  # only the rows that differ change
            if self.stale and self.isVisible():
                self.full_wanted = True
        self._next()
        self.scanFinished.emit()

    def _first_screen(self, stored) -> None:
        """The stored queue's first groups, shown while the rest is read (a million records: seconds)."""
        if self.stopped or self.loaded or self.groups:
            return
        self.model.set_fresh(set(stored.fresh))
        self.model.set_groups(stored.groups, set(stored.fresh))
        self.groups = self.model.groups
        if self.groups and self.list.currentRow() < 0:
            self.list.setCurrentRow(0)
        first = count(len(self.groups), "group", grouped=True)
        self.title.setText(f"Duplicates — the first {first} of the last scan; reading the rest…")

    def set_groups(self, groups: list[Group]) -> None:
        self.groups = list(groups)
        self._fill()

    def _fill(self, keep_row: int = 0) -> None:
        """Show ``self.groups``: the model removes and inserts only the rows that differ from those shown; the
        current row stays where it was (the next group when its own left)."""
        current = self.list.currentRow()
        start, removed, _ = self.model.set_groups(self.groups, self.fresh)
        if self.groups and (current < 0 or start <= current < start + removed):
            self.list.setCurrentRow(min(max(current if current >= 0 else keep_row, 0), len(self.groups) - 1))
        self._summary()

    def _replace(self, stored) -> None:
        """A catch-up's groups in place of those touching its changed records: rows removed and inserted one
        by one where they belong (the queue's other groups are not compared, nor read again)."""
        current = self.list.currentRow()
        changed = stored.changed
        self.model.set_fresh(self.fresh)
        removed = self.model.remove(lambda g: True, among=changed)
        self.model.insert_sorted(stored.groups, dupstore.order_key)
        self.groups = self.model.groups
        if self.groups and (removed or stored.groups or current < 0):
            row = current - sum(1 for r in removed if r < current) if current >= 0 else 0
            self.list.setCurrentRow(min(max(row, 0), len(self.groups) - 1))
        self._summary()

    def _drop(self, gone, among=None) -> None:
        """Remove the groups ``gone`` says (merged, marked distinct) by their rows; the row below the current
        one (when the current one went) becomes current, where the librarian was."""
        current = self.list.currentRow()
        rows = self.model.remove(gone, among)
        self.groups = self.model.groups
        if rows:
            if self.groups:
                self.list.setCurrentRow(min(current - sum(1 for r in rows if r < current), len(self.groups) - 1)
                                        if current >= 0 else 0)
            self._summary()

    def _summary(self) -> None:
        """The page's title line, Merge certain, and the count for the sidebar."""
        # counted in C where it can be (90,000 groups, after every merge)
        certain = list(map(attrgetter("confidence"), self.groups)).count("certain")
        fresh = sum(1 for g in self.groups if not self.fresh.isdisjoint(g.records)) if self.fresh else 0
        title = f"Duplicates — {count(len(self.groups), 'candidate group')} ({certain} certain)"
        if self.fresh:
            title += f", {fresh} with new records"
            if not self.scanned:
                title += " (only the new records were scanned: Scan again looks through the whole library)"
        if self.stale:
            title += " — the library changed in ways these groups may not show: Scan again brings them up to date"
        self.title.setText(title)
        self.bulk.setEnabled(certain > 0)
        self.countChanged.emit(len(self.groups))

    # --- decisions --------------------------------------------------------------------------------------

    def current_group(self) -> Group | None:
        row = self.list.currentRow()
        return self.groups[row] if 0 <= row < len(self.groups) else None

    def merge_current(self) -> None:
        group = self.current_group()
        if group:
            self.mergeRequested.emit(group.records, group.reasons)

    def resolved(self, records: list[int]) -> None:
        """A group was merged or marked distinct: drop it and move to the next."""
        records = set(records)
        self._drop(lambda g: not records.isdisjoint(g.records), records)

    def skip(self) -> None:
        self.list.setCurrentRow(min(self.list.currentRow() + 1, self.list.count() - 1))

    def keyPressEvent(self, event):
        key = event.key()
        group = self.current_group()
        if key == Qt.Key_M or key in (Qt.Key_Return, Qt.Key_Enter):
            self.merge_current()
        elif key == Qt.Key_N and group:
            self.distinctRequested.emit(group.records)
        elif key == Qt.Key_S:
            self.skip()
        elif key == Qt.Key_Escape:
            self.closeRequested.emit()
        else:
            super().keyPressEvent(event)
