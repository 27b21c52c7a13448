"""The Authors view: every author with papers, first-author papers, years, co-authors and categories, sorted and
searched in SQL over the per-author aggregates (brought up to date in the background after each change)."""

from __future__ import annotations

import threading

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QAbstractItemView, QHBoxLayout, QHeaderView, QLabel, QLineEdit, QProgressBar, \
    QPushButton, QTableView, QVBoxLayout, QWidget

from ..core import authors
from ..core.library import Library

COLUMNS = (("name", "Author", "name"), ("papers", "Papers", "papers"), ("first_author", "First author", "first_author"),
           ("years", "Years", "years"), ("coauthors", "Co-authors", "coauthors"), ("categories", "Categories", None))
PAGE = 200


class AuthorsModel(QAbstractTableModel):
    """Rows arrive a page at a time (fetchMore) from an indexed ORDER BY ... LIMIT."""

    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self.search, self.sort_key = "", "papers"  # not "sort": that is the Qt method
        self.rows: list[dict] = []
        self.total = 0

    def reload(self) -> None:
        self.beginResetModel()
        self.total, self.rows = authors.authors_page(self.library, self.search, self.sort_key, PAGE, 0)
        self.endResetModel()

    def canFetchMore(self, parent=QModelIndex()):
        return not parent.isValid() and len(self.rows) < self.total

    def fetchMore(self, parent=QModelIndex()):
        _, more = authors.authors_page(self.library, self.search, self.sort_key, PAGE, len(self.rows))
        if more:
            self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(more) - 1)
            self.rows += more
            self.endInsertRows()

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section][1]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if role != Qt.DisplayRole or not index.isValid():
            return None
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][0]
        if key == "years":
            return f"{row['year_min']}–{row['year_max']}" if row["year_min"] else ""
        return row[key]

    def sort(self, column, order=Qt.AscendingOrder):
        key = COLUMNS[column][2]
        if key and key != self.sort_key:
            self.sort_key = key
            self.reload()

    def name_at(self, row: int) -> str | None:
        return self.rows[row]["name"] if 0 <= row < len(self.rows) else None


class StatsWorker(QObject):
    """Counts on its own connection, off the GUI thread. The view hands it the connection the previous count
    used (``library``) and keeps it afterwards: a fresh connection starts with an empty page cache, and
    re-reading the library's upper index pages made a catch-up at 1,000,000 records several times slower."""
    finished = Signal("qint64")
    failed = Signal(str)

    def __init__(self, db_path, full: bool = False, library: Library | None = None):
        super().__init__()
        self.db_path, self.full = db_path, full
        self.library: Library | None = library
        self._lock = threading.Lock()  # an interrupt never meets a connection being opened or closed
        self._stopped = False

    def stop(self) -> None:
        """Interrupt the counting (from another thread): it rolls back and ``failed`` follows."""
        with self._lock:
            self._stopped = True
            if self.library is not None:
                self.library.conn.interrupt()

    def run(self):
        try:
            with self._lock:
                stopped = self._stopped
                if not stopped and self.library is None:
                    self.library = Library(self.db_path, check=False,  # the window checked it at open
                                           cache_mb=authors.REBUILD_CACHE_MB)
            if stopped:
                self.close()
                return
            # Usually a catch-up on the authors the latest changes touched (well under a second); a full
            # recount when asked for, or when the aggregates were never built.
            library = self.library
            count = authors.refresh_stats(library) if self.full else authors.bring_up_to_date(library)
        except Exception as exc:
            self.close()  # an interrupted or failed count: the next one starts on a new connection
            self.failed.emit(f"Could not count the authors: {exc}")
            return
        self.finished.emit(count)

    def close(self) -> None:
        """Close the connection (the view does when it stops, or when the count failed)."""
        with self._lock:
            if self.library is not None:
                self.library.close()
                self.library = None


FIGURE_WIDTHS = (56, 84, 86, 76, 100)  # papers, first author, years, co-authors, categories


class AuthorsView(QWidget):
    KEYS = (("Enter or double-click", "open the author's page"),
            ("Ctrl-click", "select two to four authors, then Compare"))
    authorChosen = Signal(str)
    compareRequested = Signal(list)

    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self.worker = None
        self._counting_library: Library | None = None  # the workers' connection, kept between counts
        self._again = False  # a change arrived while counting: count again after
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.title = QLabel("Authors")
        self.title.setStyleSheet("font-weight: bold; font-size: 14px;")
        top.addWidget(self.title, 1)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Find an author")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self._search)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        top.addWidget(self.search, 1)
        self.compare_button = QPushButton("Compare selected")
        self.compare_button.setToolTip("Select two to four authors (Ctrl-click) and compare them")
        self.compare_button.clicked.connect(self._compare)
        top.addWidget(self.compare_button)
        refresh = QPushButton("Recount")
        refresh.clicked.connect(lambda: self.refresh(full=True))
        top.addWidget(refresh)
        layout.addLayout(top)
        # a busy bar while the figures are counted: at a million records the first count (a library fresh from
        # an import) takes seconds, and an empty table alone looked like a library without authors
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(8)
        self.busy.hide()
        layout.addWidget(self.busy)
        self.model = AuthorsModel(library)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(1, Qt.DescendingOrder)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        # The figures are short: narrow columns leave the name room in a 1024-pixel window.
        for column, width in enumerate(FIGURE_WIDTHS, start=1):
            self.table.setColumnWidth(column, width)
        self.table.setWordWrap(False)
        self.table.doubleClicked.connect(lambda index: self._open(index.row()))
        self.table.activated.connect(lambda index: self._open(index.row()))
        layout.addWidget(self.table, 1)
        layout.addWidget(QLabel("Double-click (or Enter) opens the author's page."))

    def open(self) -> None:
        """Show current aggregates at once, bringing them up to date first in the background when the library
        changed (only the authors the changes touched are recounted)."""
        if authors.stats_are_current(self.library):
            self.model.reload()
            self._count()
        else:
            self.refresh()

    def apply_changes(self, changes) -> None:
        """After any change (an edit, a merge, an import, an undo, here or in another window): keep the figures
        current while the list is on screen, catching up on the touched authors in the background; when hidden,
        the next open() does. Changes that cannot move a figure (tags, titles) cost one look at the events."""
        if changes and self.isVisible():
            self.open()

    def prepare(self) -> None:
        """Bring the aggregates up to date in the background (e.g. after start-up on a library fresh from an
        import), so that the Authors view opens at once."""
        if not authors.stats_are_current(self.library):
            self.refresh()

    def stop(self) -> None:
        """Stop background counting, wait for its thread and close the counting connection (the window is
        closing)."""
        worker, thread = self.worker, getattr(self, "thread", None)
        self._again = False
        if worker is not None and thread is not None:
            worker.stop()
            thread.join(10)
            if not thread.is_alive():
                worker.close()
        if self._counting_library is not None and (thread is None or not thread.is_alive()):
            self._counting_library.close()
        self._counting_library = None

    def refresh(self, full: bool = False) -> None:
        # the sign at once, also when a count begun behind the first screen (``prepare``) is still running
        self.title.setText(f"Authors — {self.model.total:,} (updating…)" if self.model.total
                           else "Authors — counting the authors' papers…")
        self.busy.show()
        if self.worker is not None:
            self._again = True
            return
        self.worker = StatsWorker(self.library.path, full, self._counting_library)
        self._counting_library = None  # the worker's until it is done
        self.worker.finished.connect(self._refreshed)
        self.worker.failed.connect(self._failed)
        # A plain Python thread rather than a QThread: a view destroyed while it counts (the app or a test
        # closing) must not abort the process; the signals reach the view through its event loop.
        self.thread = threading.Thread(target=self.worker.run, name="paperdesk-author-figures", daemon=True)
        self.thread.start()

    def _refreshed(self, _count: int) -> None:
        if self.worker is not None:
            self._counting_library = self.worker.library
        self.worker = None
        if self._again:
            self._again = False
            self.refresh()
            return
        self.busy.hide()
        self.model.reload()
        self._count()

    def _failed(self, message: str) -> None:
        self.worker = None
        self._again = False
        self.busy.hide()
        self.title.setText(message)

    def _count(self) -> None:
        self.title.setText(f"Authors — {self.model.total:,}")

    def _search(self) -> None:
        self._search_timer.stop()
        self.model.search = self.search.text()
        self.model.reload()
        self._count()

    def selected_names(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [n for n in (self.model.name_at(r) for r in rows) if n]

    def _compare(self) -> None:
        names = self.selected_names()
        if 2 <= len(names) <= 4:
            self.compareRequested.emit(names)
        else:
            self.title.setText("Select two to four authors to compare (Ctrl-click)")

    def _open(self, row: int) -> None:
        name = self.model.name_at(row)
        if name:
            self.authorChosen.emit(name)
