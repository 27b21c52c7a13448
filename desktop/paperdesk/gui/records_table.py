"""The records table: a QTableView over RecordsModel, its columns (declared in core.query.COLUMNS), selection
helpers, and the column menu. What it shows follows the Changes of every operation (``apply_changes``)."""

from __future__ import annotations

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QAction, QPainter, QPalette
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView

from ..core import query
from ..core.library import Library
from .records_model import RecordsModel


# Columns that give up width when the table is narrow (down to these minimums), so that the columns fit the
# view without a horizontal scrollbar (a 1024-pixel-wide window included); the title takes what is left.
FLEXIBLE_MINIMUM = {"authors": 90, "tags": 50}
TITLE_MINIMUM = 140
TITLE_SHARE = 0.4  # of the view's width, kept for the title before the authors and tags shrink to their minimums

EMPTY_LIBRARY = ("This library is empty.\n\nImport dump files with File › Import dumps… (Ctrl+I),\n"
                 "or drop them on the window.")
EMPTY_TRASH = ("The Trash is empty.\n\nRecords you move to the Trash (Del) wait here until you restore them "
               "or empty the Trash.")
NO_HITS = "No records match this search."


class RecordsTable(QTableView):
    contextMenuAt = Signal(object)  # viewport position

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.records = RecordsModel(library, self)
        self.setModel(self.records)
        self._kept: tuple | None = None  # current record and selection when the whole hit list arrives
        self._wanted: tuple | None = None  # a record to select again once the whole hit list holds it
        self._before_reset: tuple = (None, [])
        self._selecting = False  # reselect() is moving the selection: not the librarian's choice
        self.deferred = False  # changes that need the query again came while hidden (apply_changes)
        self.records.completing.connect(self._before_complete)
        self.records.completed.connect(self._after_complete)
        self.records.modelAboutToBeReset.connect(self._remember_current)
        self.selectionModel().currentChanged.connect(self._chosen_by_hand)
        self.horizontalHeader().setSortIndicator(0, Qt.AscendingOrder)  # before sorting is switched on
        self.setSortingEnabled(True)
        # After Qt's own slot has sorted the model: the record that was current stays current.
        self.horizontalHeader().sortIndicatorChanged.connect(lambda *_: self.reselect(*self._before_reset))
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragOnly)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)  # Tab leaves the table (for the detail pane), arrows move between rows
        self.setContextMenuPolicy(Qt.CustomContextMenu)
        self.customContextMenuRequested.connect(lambda pos: self.contextMenuAt.emit(pos))
        vertical = self.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.Fixed)  # ResizeToContents never finishes on a million rows
        vertical.setDefaultSectionSize(24)
        vertical.hide()
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setContextMenuPolicy(Qt.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        for column, spec in enumerate(query.COLUMNS):
            self.setColumnWidth(column, spec.width)
            self.setColumnHidden(column, spec.hidden)
        self._title_column = query.COLUMN_KEYS.index("title")
        self._preferred: dict[int, int] = {}  # the widths the flexible columns have when there is room
        self._fitting = False
        header.setSectionResizeMode(self._title_column, QHeaderView.Stretch)
        header.sectionResized.connect(self._section_resized)
        self.column_actions: list[QAction] = []
        for column, spec in enumerate(query.COLUMNS):
            action = QAction(spec.title, self, checkable=True)
            action.setChecked(not self.isColumnHidden(column))
            action.toggled.connect(lambda on, c=column: self.setColumnHidden(c, not on))
            if spec.key == "title":
                action.setEnabled(False)
            self.column_actions.append(action)

    # --- columns fit the view ---------------------------------------------------------------------------------

    def _section_resized(self, column: int, _old: int, new: int) -> None:
        if not self._fitting and query.COLUMN_KEYS[column] in FLEXIBLE_MINIMUM:
            self._preferred[column] = new  # the librarian's own width, kept whenever there is room for it

    def fit_columns(self) -> None:
        """The title stretches over what the other columns leave; where even the title's minimum would not fit,
        the authors and tags columns give up width (never below their minimums), and take it back as the view
        widens again."""
        header = self.horizontalHeader()
        self._fitting = True
        try:
            if header.sectionResizeMode(self._title_column) != QHeaderView.Stretch:
                header.setSectionResizeMode(self._title_column, QHeaderView.Stretch)  # after a restored state
            flexible = [c for c, key in enumerate(query.COLUMN_KEYS)
                        if key in FLEXIBLE_MINIMUM and not self.isColumnHidden(c)]
            fixed = sum(self.columnWidth(c) for c in range(len(query.COLUMNS))
                        if c not in flexible and c != self._title_column and not self.isColumnHidden(c))
            for c in flexible:
                self._preferred.setdefault(c, self.columnWidth(c))
            width = self.viewport().width()
            room = width - fixed - max(TITLE_MINIMUM, round(width * TITLE_SHARE))
            wanted = {c: self._preferred[c] for c in flexible}
            excess = sum(wanted.values()) - room
            if excess > 0:
                give = {c: max(0, wanted[c] - FLEXIBLE_MINIMUM[query.COLUMN_KEYS[c]]) for c in flexible}
                can = sum(give.values())
                for c in flexible:
                    wanted[c] -= round(give[c] * min(1.0, excess / can)) if can else 0
            for c, width in wanted.items():
                if self.columnWidth(c) != width:
                    self.setColumnWidth(c, width)
        finally:
            self._fitting = False

    def resizeEvent(self, event):
        super().resizeEvent(event)
        self.fit_columns()

    def setColumnHidden(self, column: int, hide: bool) -> None:
        super().setColumnHidden(column, hide)
        if hasattr(self, "_preferred"):
            self.fit_columns()

    def empty_hint(self) -> str:
        """What the empty table says: an empty library, an empty Trash and a search without hits each say so in
        the table itself (a blank grid reads as "still loading" or "broken")."""
        if not self.records.loaded or self.records.rowCount():
            return ""
        if self.records.total == 0 and self.records.filter.view != "trash":
            return EMPTY_LIBRARY
        if self.records.filter.view == "trash":
            return EMPTY_TRASH if not self.records.filter.search else NO_HITS
        return NO_HITS if self.records.filter.search else ""

    def paintEvent(self, event):
        super().paintEvent(event)
        hint = self.empty_hint()
        if hint:
            painter = QPainter(self.viewport())
            painter.setPen(self.palette().color(QPalette.PlaceholderText))
            painter.drawText(self.viewport().rect().adjusted(24, 24, -24, -24), Qt.AlignCenter | Qt.TextWordWrap,
                             hint)
            painter.end()

    def sync_column_actions(self) -> None:
        for column, action in enumerate(self.column_actions):
            action.setChecked(not self.isColumnHidden(column))

    def _column_menu(self, pos) -> None:
        menu = QMenu(self)
        for action in self.column_actions:
            menu.addAction(action)
        menu.exec(self.horizontalHeader().mapToGlobal(pos))

    # --- selection -----------------------------------------------------------------------------------------

    def select_row(self, row: int) -> None:
        """Make ``row`` the current and only selected record (whatever the view's focus or visibility)."""
        index = self.records.index(row, 0)
        if index.isValid():
            self.selectionModel().setCurrentIndex(index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
            self.scrollTo(index)

    def _chosen_by_hand(self, *_) -> None:
        """The current record changed by anything but ``reselect``: the librarian chose (or a change moved it),
        so the record of before the search is no longer wanted back when the whole hit list arrives."""
        if not self._selecting:
            self._wanted = None

    def mousePressEvent(self, event) -> None:
        # A click on the row that is already current changes nothing Qt reports, yet it is a choice.
        self._wanted = None
        super().mousePressEvent(event)

    def keyPressEvent(self, event) -> None:
        self._wanted = None
        super().keyPressEvent(event)

    def _remember_current(self) -> None:
        self._before_reset = (self.current_id(), self.selected_ids())

    def _before_complete(self) -> None:
        self._kept = (self.current_id(), self.selected_ids())

    def _after_complete(self, replaced: bool) -> None:
        """A search's whole hit list arrived. When it replaced the first hits (the library changed meanwhile), the
        current record and the selection are found again; a record that was current before the search and
        is a hit further down is selected again, unless the librarian has chosen another meanwhile."""
        kept, self._kept = self._kept, None
        wanted, self._wanted = self._wanted, None
        if wanted is not None and kept is not None and kept[0] == wanted[2] \
                and self.records.row_of(wanted[0]) >= 0:  # nobody chose another meanwhile (_chosen_by_hand)
            self.reselect(wanted[0], wanted[1])
        elif replaced and kept is not None:
            self.reselect(*kept)

    def selectAll(self) -> None:
        """Ctrl+A selects every hit of a search, also those not found yet while its first screen shows."""
        self.records.complete_now()
        super().selectAll()

    def _selected_rows(self) -> set[int]:
        """Read from the selection's ranges (whole rows), not from ``selectedRows()``, which asks the model
        about every cell: half a minute for 100,000 selected rows."""
        rows: set[int] = set()
        model = self.selectionModel()
        if model is not None:
            for block in model.selection():
                rows.update(range(block.top(), block.bottom() + 1))
        return rows

    def selected_ids(self) -> list[int]:
        """The selected records, in table order."""
        ids = self.records.ids
        return [ids[r] for r in sorted(self._selected_rows()) if 0 <= r < len(ids)]

    def selected_count(self) -> int:
        return len(self._selected_rows())

    def current_id(self) -> int | None:
        index = self.currentIndex()
        return self.records.id_at(index.row()) if index.isValid() else None

    def reselect(self, paper_id: int | None, others: list[int] | None = None) -> bool:
        """Select ``paper_id`` again (and ``others`` still shown) after the rows moved; else the first row.
        False when the table is empty."""
        row = self.records.row_of(paper_id) if paper_id is not None else -1
        self._wanted = None
        if row < 0 and self.records.rowCount():
            row = 0
        if row < 0:
            return False
        self._selecting = True
        try:
            self.select_row(row)
        finally:
            self._selecting = False
        if paper_id is not None and self.records.row_of(paper_id) < 0 and not self.records.complete:
            # Only a search's first hits are shown yet: ``paper_id`` may be further down the whole list.
            self._wanted = (paper_id, others, self.current_id())
        wanted = set(others or ()) - {paper_id}
        if wanted:  # one pass over the shown ids and one selection of row ranges, however many there are
            rows = [r for r, pid in enumerate(self.records.ids) if pid in wanted]
            blocks = QItemSelection()
            start = previous = None
            for r in rows + [None]:
                if start is not None and (r is None or r != previous + 1):
                    blocks.select(self.records.index(start, 0), self.records.index(previous, 0))
                    start = None
                if r is not None and start is None:
                    start = r
                previous = r
            if blocks.count():
                self.selectionModel().select(blocks, QItemSelectionModel.Select | QItemSelectionModel.Rows)
        return True

    def apply_changes(self, changes) -> None:
        """Refresh what the table shows, keeping the current record (and the selection) where they still are.

        While another page of the shown window covers the table (the Duplicates queue, where a merge follows a
        merge), a change that needs the query again only marks it ``deferred``: the ordered list of a million
        records takes most of a second to read, a freeze per merge for a table nobody sees; it is read when the
        table shows again (``showEvent``)."""
        if self.records.loaded and changes and not self.isVisible() and self.window().isVisible() \
                and self.records.needs_requery(changes):
            self.deferred = True
            self.records.refresh_rows(changes.records)
            return
        self._refresh(changes)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.deferred:
            self.deferred = False
            self._refresh(None)

    def _refresh(self, changes) -> None:
        """``changes`` applied (None: the query again, for changes deferred while the table was hidden)."""
        keep, selected = self.current_id(), self.selected_ids()
        row, scroll = self.currentIndex().row(), self.verticalScrollBar().value()
        if changes is None:
            self.records.reload()
        if changes is None or self.records.apply_changes(changes):
            # the list stays where it was (a reload would show its top): the librarian keeps their place
            self.updateGeometries()
            self.verticalScrollBar().setValue(scroll)
            if keep is not None and self.records.row_of(keep) < 0 and row >= 0 and self.records.rowCount() \
                    and self.records.complete:
                # the current record left (moved to the Trash, merged away): the one now in its row is
                # current, as in a mail client, not the first of the list
                self.reselect(self.records.id_at(min(row, self.records.rowCount() - 1)))
            else:
                self.reselect(keep, selected)
