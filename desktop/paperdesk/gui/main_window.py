"""The main window: for now the records table over the library."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtWidgets import QHeaderView, QMainWindow, QTableView

from ..core.library import Library

COLUMNS = (("title", "Title"), ("authors", "Authors"), ("date", "Date"), ("category", "Category"))


class SimpleRecordsModel(QAbstractTableModel):
    """Rows fetched a page at a time by id, so the model never holds the whole table."""

    PAGE = 200

    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self._count = library.count_papers()
        self._pages: dict[int, list[tuple]] = {}

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return COLUMNS[section][1]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if role != Qt.DisplayRole or not index.isValid():
            return None
        page, offset = divmod(index.row(), self.PAGE)
        if page not in self._pages:
            cols = ", ".join(c for c, _ in COLUMNS)
            self._pages[page] = self.library.conn.execute(
                f"SELECT {cols} FROM papers WHERE merged_into IS NULL ORDER BY id LIMIT ? OFFSET ?",
                (self.PAGE, page * self.PAGE),
            ).fetchall()
        rows = self._pages[page]
        return rows[offset][index.column()] if offset < len(rows) else None


class MainWindow(QMainWindow):
    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self.setWindowTitle(f"Paperdesk — {library.path.name}")
        self.table = QTableView()
        self.table.setModel(SimpleRecordsModel(library))
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.Stretch)
        self.setCentralWidget(self.table)
        self.resize(1100, 700)
