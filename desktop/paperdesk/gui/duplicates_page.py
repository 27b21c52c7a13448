"""The duplicates review queue: candidate groups, surest first, one key per decision.

M merge (opens the merge dialog), N not duplicates (remembered for good), S skip, arrow keys move. The scan runs
in the background with progress and Cancel; the strictness preset and its thresholds are shown.
"""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QListWidget, QListWidgetItem, QProgressBar, \
    QPushButton, QVBoxLayout, QWidget

from ..core import curation, merging
from ..core.duplicates import PRESETS, Group
from ..core.library import Library
from .workers import start_in_thread
from ..core.wording import count

COLORS = {"certain": "#1b5e20", "likely": "#8a6d00", "possible": "#6d6d6d"}


class ScanWorker(QObject):
    progress = Signal(str, int, int)
    finished = Signal(list)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, db_path, preset: str):
        super().__init__()
        self.db_path, self.preset = db_path, preset
        self.cancel = threading.Event()

    def run(self):
        try:
            with Library(self.db_path) as library:
                groups = merging.scan(library, self.preset, progress=self.progress.emit, cancel=self.cancel)
            if self.cancel.is_set():
                self.cancelled.emit()
            else:
                self.finished.emit(groups)
        except Exception as exc:
            from .errors import log_exception

            log_exception(exc, "duplicate scan")
            self.failed.emit(f"The duplicate scan stopped: {exc}")


class GroupList(QListWidget):
    """The queue's list; the decision keys go to the page instead of the list's type-to-search."""

    decisionKey = Signal(object)

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

    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self.groups: list[Group] = []
        self.scanned = False  # a scan finished since the last change that could add groups
        self.stale = False
        self.worker = None
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
        self.list = GroupList()
        self.list.decisionKey.connect(self.keyPressEvent)
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.itemActivated.connect(lambda _: self.merge_current())
        layout.addWidget(self.list, 1)
        self.setFocusProxy(self.list)

    # --- scanning ---------------------------------------------------------------------------------------

    def scan(self) -> None:
        if self.worker is not None:
            return
        self.bar.show()
        self.bar.setRange(0, 0)
        self.cancel_button.show()
        self.title.setText("Duplicates — scanning…")
        self.worker = ScanWorker(self.library.path, self.preset.currentData())
        self.worker.progress.connect(self._progress)
        self.worker.finished.connect(self._scanned)
        self.worker.failed.connect(self._failed)
        self.worker.cancelled.connect(self._cancelled)
        self.worker.cancelled.connect(lambda: self.thread.quit())
        self.thread = start_in_thread(self.worker, self)

    def stop(self) -> None:
        """Cancel a running scan and wait for its thread (the window is closing)."""
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
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)
        self.bar.setFormat(f"{stage}: {done:,} of {total:,}")

    def _failed(self, message: str) -> None:
        self.worker = None
        self.bar.hide()
        self.cancel_button.hide()
        self.title.setText(message)

    def _cancelled(self) -> None:
        self.worker = None
        self.bar.hide()
        self.cancel_button.hide()
        if self.scanned:
            self._fill(self.list.currentRow())
            self.title.setText(self.title.text() + " — the new scan was cancelled; these are from the last one")
        else:
            self.title.setText("Duplicates — scan cancelled; press Scan again to look for duplicates")
            self.countChanged.emit(-1)

    def apply_changes(self, changes) -> None:
        """Drop groups whose records were merged away or marked different; rescan when records came back."""
        gone = set(changes.removed)
        distinct = [set(e["details"].get("records") or []) for e in changes.events if e["kind"] == "not-duplicates"]
        if gone or distinct:
            row = self.list.currentRow()
            self.groups = [g for g in self.groups if not set(g.records) & gone
                           and not any(set(g.records) <= d for d in distinct)]
            if self.scanned:
                self._fill(max(row, 0))
        comeback = changes.added or changes.everything or any(
            e["kind"] == "not-duplicates-undone" for e in changes.events)
        if comeback and self.scanned:
            self.stale = True
            if self.isVisible():
                self.scan()

    def _scanned(self, groups: list) -> None:
        self.worker = None
        self.scanned, self.stale = True, False
        self.bar.hide()
        self.cancel_button.hide()
        self.set_groups(groups)

    def set_groups(self, groups: list[Group]) -> None:
        self.groups = list(groups)
        self._fill()

    def _fill(self, keep_row: int = 0) -> None:
        self.list.clear()
        named = curation.briefs(self.library, [pid for group in self.groups for pid in group.records])
        for group in self.groups:
            titles = [f"   {pid}: {b['title']}  —  {b['authors']} ({b['year'] or '?'})"
                      for pid, b in ((pid, named.get(pid)) for pid in group.records) if b]
            text = f"{group.confidence.upper()}  {group.score:.0f}   {'; '.join(group.reasons)}\n" + "\n".join(titles)
            item = QListWidgetItem(text)
            item.setData(Qt.UserRole, group.records)
            item.setToolTip("M merge, N not duplicates, S skip")
            item.setForeground(QColor(COLORS[group.confidence]))
            self.list.addItem(item)
        certain = sum(1 for g in self.groups if g.confidence == "certain")
        self.title.setText(f"Duplicates — {count(len(self.groups), 'candidate group')} ({certain} certain)")
        self.bulk.setEnabled(certain > 0)
        if self.groups:
            self.list.setCurrentRow(min(keep_row, len(self.groups) - 1))
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
        row = self.list.currentRow()
        self.groups = [g for g in self.groups if not set(g.records) & set(records)]
        self._fill(row)

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
