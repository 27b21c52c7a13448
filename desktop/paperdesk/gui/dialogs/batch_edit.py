"""Edit › Batch edit… (Ctrl+Shift+B): one change to many records, with every record's before and after shown
first. Untick a row to leave that record alone; rows the change would make invalid are shown with the reason and
left out. Applying is one step in History (Ctrl+Z undoes all of it)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, \
    QPushButton, QStackedWidget, QTableView, QVBoxLayout, QWidget

from ...core import batch
from ...core.library import LibraryError
from ...core.wording import count

KINDS = (("replace", "Find and replace"), ("set", "Set a field"), ("rename_author", "Rename an author"))


def _shown(value) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


class PreviewModel(QAbstractTableModel):
    HEADERS = ("", "Record", "Before", "After")

    def __init__(self, rows: list[batch.PreviewRow]):
        super().__init__()
        self.rows = rows
        self.unticked: set[int] = {r.id for r in rows if r.error}

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else 4

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.HEADERS[section]
        return None

    def flags(self, index):
        flags = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if index.column() == 0 and not self.rows[index.row()].error:
            flags |= Qt.ItemIsUserCheckable
        return flags

    def data(self, index, role=Qt.DisplayRole):
        row = self.rows[index.row()]
        column = index.column()
        if role == Qt.CheckStateRole and column == 0:
            return Qt.Unchecked if row.id in self.unticked else Qt.Checked
        if role == Qt.DisplayRole:
            if column == 1:
                return str(row.id)
            if column == 2:
                return _shown(row.before)
            if column == 3:
                return f"({row.error}) {_shown(row.after)}" if row.error else _shown(row.after)
        if role == Qt.ForegroundRole and row.error:
            return QColor("#b00020")
        if role == Qt.ToolTipRole and column in (2, 3):
            return _shown(row.before if column == 2 else row.after)
        return None

    def setData(self, index, value, role=Qt.EditRole):
        if role != Qt.CheckStateRole or index.column() != 0:
            return False
        row = self.rows[index.row()]
        if Qt.CheckState(value) == Qt.Checked:
            self.unticked.discard(row.id)
        else:
            self.unticked.add(row.id)
        self.dataChanged.emit(index, index, [Qt.CheckStateRole])
        return True

    def ticked(self) -> list[int]:
        return [r.id for r in self.rows if r.id not in self.unticked]


class BatchEditDialog(QDialog):
    applyRequested = Signal(object, list)  # BatchEdit, ticked record ids

    def __init__(self, library, ids: list[int], scope: str, parent=None):
        super().__init__(parent)
        self.library, self.ids = library, list(ids)
        self.setObjectName("batch-edit-dialog")
        self.setWindowTitle("Batch edit")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Change {scope}:"))
        self.kind = QComboBox()
        for key, label in KINDS:
            self.kind.addItem(label, key)
        layout.addWidget(self.kind)
        self.pages = QStackedWidget()
        # Find and replace
        page = QWidget()
        form = QFormLayout(page)
        self.replace_field = QComboBox()
        self.replace_field.addItems(batch.TEXT_FIELDS)
        self.find = QLineEdit()
        self.replacement = QLineEdit()
        options = QHBoxLayout()
        self.regex = QCheckBox("regular expression")
        self.ignore_case = QCheckBox("ignore case")
        options.addWidget(self.regex)
        options.addWidget(self.ignore_case)
        form.addRow("In", self.replace_field)
        form.addRow("&Find", self.find)
        form.addRow("Replace &with", self.replacement)
        form.addRow("", options)
        self.pages.addWidget(page)
        # Set a field
        page = QWidget()
        form = QFormLayout(page)
        self.set_field = QComboBox()
        self.set_field.addItems(batch.SETTABLE_FIELDS)
        self.value = QLineEdit()
        self.value.setPlaceholderText("category: LG; date: 2024-05-28; has_code: yes or no")
        form.addRow("Field", self.set_field)
        form.addRow("&Value", self.value)
        self.pages.addWidget(page)
        # Rename an author
        page = QWidget()
        form = QFormLayout(page)
        self.old_name = QLineEdit()
        self.new_name = QLineEdit()
        form.addRow("Name as it is", self.old_name)
        form.addRow("Name it becomes", self.new_name)
        self.pages.addWidget(page)
        self.kind.currentIndexChanged.connect(self.pages.setCurrentIndex)
        layout.addWidget(self.pages)
        buttons = QHBoxLayout()
        self.preview_button = QPushButton("&Preview")
        self.preview_button.setDefault(True)
        self.preview_button.clicked.connect(self.preview)
        buttons.addWidget(self.preview_button)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        self.table = QTableView()
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        self.summary = QLabel("Preview shows every record's before and after; nothing changes until you apply.")
        self.summary.setObjectName("batch-summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        row = QHBoxLayout()
        row.addStretch(1)
        self.apply_button = QPushButton("&Apply")
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        row.addWidget(self.apply_button)
        row.addWidget(cancel)
        layout.addLayout(row)
        self.model: PreviewModel | None = None
        self.edit: batch.BatchEdit | None = None
        self.resize(860, 560)

    def current_edit(self) -> batch.BatchEdit:
        kind = self.kind.currentData()
        if kind == "replace":
            return batch.BatchEdit("replace", field=self.replace_field.currentText(), find=self.find.text(),
                                   replacement=self.replacement.text(), regex=self.regex.isChecked(),
                                   ignore_case=self.ignore_case.isChecked())
        if kind == "set":
            field, value = self.set_field.currentText(), self.value.text()
            if field in ("has_code", "authors_truncated"):
                value = value.strip().lower() in ("yes", "true", "1", "y")
            return batch.BatchEdit("set", field=field, value=value)
        return batch.BatchEdit("rename_author", find=self.old_name.text(), replacement=self.new_name.text())

    def preview(self) -> None:
        try:
            self.edit = self.current_edit()
        except LibraryError as exc:
            self.summary.setText(str(exc))
            self.apply_button.setEnabled(False)
            return
        rows = list(batch.preview(self.library, self.ids, self.edit))
        self.model = PreviewModel(rows)
        self.model.dataChanged.connect(self._count)
        self.table.setModel(self.model)
        self.table.setColumnWidth(0, 28)
        self.table.setColumnWidth(1, 70)
        self.table.setColumnWidth(2, 330)
        self._count()

    def _count(self, *_) -> None:
        ticked = len(self.model.ticked())
        refused = sum(1 for r in self.model.rows if r.error)
        text = f"{ticked} of {count(len(self.ids), 'record')} will change"
        if refused:
            text += f"; {refused} cannot take this change (shown in red, left as they are)"
        if not self.model.rows:
            text = f"None of the {count(len(self.ids), 'record')} would change." if len(self.ids) != 1 else "The record would not change."
        self.summary.setText(text + ".")
        self.apply_button.setEnabled(ticked > 0)

    def apply(self) -> None:
        if self.model is None or self.edit is None:
            return
        self.applyRequested.emit(self.edit, self.model.ticked())
        self.accept()
