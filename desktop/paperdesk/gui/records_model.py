"""The records table's model: ordered ids from SQL, display rows fetched a window at a time as the view scrolls.

Sorting and filtering re-run one indexed query (core.query); the model never holds more than the id array
and a bounded cache of display rows. A search whose hits are many shows its first screen at once (core.hits)
and gets the rest as the view scrolls (``fetchMore``, the same ordered walk) until its whole ordered id list,
built in a thread of its own (gui.hit_list), arrives; ``complete`` says which.
"""

from __future__ import annotations

import json
from array import array
from collections import OrderedDict

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor

from ..core import query
from ..core.hits import Hits
from ..core.library import Library
from ..core.wording import count

MIME_IDS = "application/x-paperdesk-record-ids"
_DISPLAY, _TOOLTIP, _ALIGN, _FOREGROUND, _USER = (int(r.value) for r in (
    Qt.DisplayRole, Qt.ToolTipRole, Qt.TextAlignmentRole, Qt.ForegroundRole, Qt.UserRole))
_ROLES = frozenset((_DISPLAY, _TOOLTIP, _ALIGN, _FOREGROUND, _USER))
_CENTER = int(Qt.AlignCenter.value)
_CENTERED = frozenset(c.key for c in query.COLUMNS if c.centered)
_FLAG_COLOR = QColor("#b35900")
_ITEM_FLAGS = Qt.ItemIsEnabled | Qt.ItemIsSelectable | Qt.ItemIsDragEnabled
_NO_FLAGS = Qt.NoItemFlags
WINDOW = 150  # rows fetched per query
CACHE_ROWS = 3000


class RecordsModel(QAbstractTableModel):
    refreshed = Signal()
    completing = Signal()  # the whole hit list is about to replace a search's first hits
    completed = Signal(bool)  # the whole hit list arrived after a first screen; True: the rows were replaced

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.library = library
        self.filter = query.RecordFilter()
        self.ids = array("q")
        self.total = 0  # visible records in the whole library, for "N of M"
        self.complete = True  # False while ``ids`` is a search's first hits and the whole list is being built
        self._rows: OrderedDict[int, tuple] = OrderedDict()
        self.loaded = False  # the first query waits until the window has restored the saved sort and view
        self._hits: Hits | None = None  # the search being shown a part at a time
        self._generation = 0  # of the latest query: a whole list asked for before it is stale
        self._worker = None  # gui.hit_list.HitListWorker, started at the first search that needs it

    # --- queries ------------------------------------------------------------------------------------------

    def set_filter(self, new_filter: query.RecordFilter) -> None:
        if new_filter != self.filter:
            self.filter = new_filter
            if self.loaded:
                self.reload(recount=False)

    def reload(self, recount: bool = True) -> None:
        """Re-run the query (after a filter, sort or change elsewhere); keeps nothing stale. ``recount`` False:
        only the filter changed, the library's total stands."""
        self.beginResetModel()
        first_load = not self.loaded
        self.loaded = True
        self._generation += 1
        self._drop_hits()
        hits = Hits(self.library.conn, self.filter)
        self.ids = hits.first()
        self.complete = hits.complete
        if self.complete:
            hits.close()
        else:
            self._hits = hits
            self._hit_list_worker().request(self._generation, self.filter, dense=hits.way == "walk")
        unfiltered = self.filter.view == "all" and not self.filter.search.strip()
        if unfiltered:
            self.total = len(self.ids)
        elif recount or first_load:
            self.total = query.count_visible(self.library.conn)
        self._rows.clear()
        self.endResetModel()
        self.refreshed.emit()

    # --- a search shown a part at a time ------------------------------------------------------------------

    def _hit_list_worker(self):
        if self._worker is None:
            from .hit_list import HitListWorker

            self._worker = HitListWorker(self.library.path)
            self._worker.finished.connect(self._whole_list)
            self._worker.failed.connect(self._whole_list_failed)
        return self._worker

    def _drop_hits(self) -> None:
        if self._hits is not None:
            self._hits.close()
            self._hits = None
            if self._worker is not None:
                self._worker.cancel()

    def canFetchMore(self, parent=QModelIndex()):
        return not parent.isValid() and self._hits is not None

    def fetchMore(self, parent=QModelIndex()):
        """The view scrolled to the last row shown before the whole list arrived: the next hits, found the way
        the first were (never rows of another order)."""
        hits = self._hits
        if parent.isValid() or hits is None:
            return
        more = hits.more(WINDOW)
        if more:
            start = len(self.ids)
            self.beginInsertRows(QModelIndex(), start, start + len(more) - 1)
            self.ids.extend(more)
            self.endInsertRows()
        if hits.complete:  # the walk reached the end: these are all the hits
            self.completing.emit()
            self._drop_hits()
            self.complete = True
            self.completed.emit(False)

    def _whole_list(self, generation: int, ids) -> None:
        if generation != self._generation or self.complete:
            return  # a later query replaced the one this list was built for
        self._install(ids)

    def _whole_list_failed(self, generation: int, message: str) -> None:
        if generation == self._generation and not self.complete:
            self._install(query.ordered_ids(self.library.conn, self.filter))  # here, then: slow but whole

    def _install(self, ids: array) -> None:
        """The whole ordered list replaces the first hits: appended after them when they are its beginning (the
        view keeps its rows, scroll and selection), else (the library changed meanwhile) in their place."""
        self.completing.emit()
        self._drop_hits()
        self.complete = True
        shown = len(self.ids)
        if ids[:shown] == self.ids:
            if len(ids) > shown:
                self.beginInsertRows(QModelIndex(), shown, len(ids) - 1)
                self.ids = ids
                self.endInsertRows()
            self.completed.emit(False)
        else:
            self.beginResetModel()
            self.ids = ids
            self._rows.clear()
            self.endResetModel()
            self.completed.emit(True)

    def complete_now(self) -> None:
        """Every hit, now (for "select all", an export or a batch edit of the view): the whole list is built
        here if it has not arrived yet."""
        if not self.complete:
            self._install(query.ordered_ids(self.library.conn, self.filter))

    def all_ids(self) -> list[int]:
        """Every record the table's filter shows, in order (not only those found so far)."""
        self.complete_now()
        return list(self.ids)

    def shutdown(self) -> None:
        """The window closes: the hit list's thread ends before the library's connection closes."""
        self._drop_hits()
        if self._worker is not None:
            self._worker.stop()
            self._worker = None

    def needs_requery(self, changes) -> bool:
        """Whether ``changes`` may change which records this filter shows, their order or the total."""
        if changes.membership or changes.settings and self.filter.view == "recent":
            return True
        if not changes.records and not changes.tags:
            return False
        f, fields = self.filter, changes.fields
        sort_fields = {"first_author": {"authors"}, "date": {"date"}, "title": {"title"},
                       "category": {"category"}, "has_code": {"has_code"}, "sources_count": {"sources"},
                       "needs_review": {"needs_review"}}.get(f.sort, set())
        if fields & sort_fields:
            return True
        if f.search.strip() and changes.records:
            return True  # a search may match any field (tag:, source:, words)
        if f.view == "review" and "needs_review" in fields:
            return True
        if f.view == "tags" and (changes.tags & set(f.tag_ids) or "tags" in fields and changes.records):
            return True
        if f.view == "source" and "sources" in fields:
            return True
        return False

    def apply_changes(self, changes) -> bool:
        """Bring the table up to date with ``changes``; True when the query ran again (rows may have moved)."""
        if not self.loaded or not changes:
            return False
        if self.needs_requery(changes):
            self.reload()
            return True
        if "tags" in changes.fields and not changes.records:
            self._rows.clear()  # a renamed tag shows in many rows
            self.refresh_rows([])
        else:
            self.refresh_rows(changes.records)
        return False

    def refresh_rows(self, paper_ids) -> None:
        """A few records changed (an edit, a tag): drop their cached rows and repaint them."""
        wanted = set(paper_ids)
        for pid in wanted:
            self._rows.pop(pid, None)
        if self.ids:
            # One signal for all rows: the view repaints only what is on screen, with no search through the ids.
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.ids) - 1, self.columnCount() - 1))

    def row_of(self, paper_id: int) -> int:
        try:
            return self.ids.index(paper_id)
        except ValueError:
            return -1

    def id_at(self, row: int) -> int | None:
        return self.ids[row] if 0 <= row < len(self.ids) else None

    def _row(self, row: int) -> tuple | None:
        pid = self.ids[row]
        cached = self._rows.get(pid)
        if cached is not None:
            return cached
        start = max(0, row - WINDOW // 3)
        window = list(self.ids[start : start + WINDOW])
        fetched = query.display_rows(self.library.conn, window)
        self._rows.update(fetched)
        while len(self._rows) > CACHE_ROWS:
            self._rows.popitem(last=False)
        return fetched.get(pid)

    # --- Qt model ------------------------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(query.COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole and 0 <= section < len(query.COLUMNS):
            return query.COLUMNS[section].title
        return None

    def data(self, index, role=_DISPLAY):
        # Called thousands of times per repaint: plain ints, no enum arithmetic (PySide enums are slow).
        if role not in _ROLES or not index.isValid():
            return None
        row = index.row()
        if not 0 <= row < len(self.ids):
            return None
        if role == _USER:
            return self.ids[row]
        column = index.column()
        key = query.COLUMN_KEYS[column]
        if role == _ALIGN:
            return _CENTER if key in _CENTERED else None
        values = self._row(row)
        if values is None:
            return None
        value = values[column]
        if role == _FOREGROUND:
            return _FLAG_COLOR if key == "flags" and value else None
        if key == "code":
            return "✓" if value else ""
        if key == "flags":
            return "needs review" if value else ""
        if role == _TOOLTIP:
            return str(value) if key in ("title", "authors", "tags") and value else None
        return value

    def sort(self, column, order=Qt.AscendingOrder):
        sort_column = query.COLUMNS[column].sort if 0 <= column < len(query.COLUMNS) else None
        if sort_column is None:
            return  # tags are not sortable: no index can serve them
        self.set_filter(self.filter.with_(sort=sort_column, descending=order == Qt.DescendingOrder))

    def flags(self, index):
        return _ITEM_FLAGS if index.isValid() else _NO_FLAGS

    def mimeTypes(self):
        return [MIME_IDS]

    def mimeData(self, indexes):
        ids = sorted({self.ids[i.row()] for i in indexes if i.isValid()})
        mime = QMimeData()
        mime.setData(MIME_IDS, json.dumps(ids).encode())
        mime.setText(count(len(ids), "record"))
        return mime

    def supportedDragActions(self):
        return Qt.CopyAction
