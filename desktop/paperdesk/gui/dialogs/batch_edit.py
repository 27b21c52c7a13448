"""Edit › Batch edit… (Ctrl+Shift+B): one change to many records, with every record's before and after shown
first. Untick a row to leave that record alone; rows the change would make invalid are shown with the reason and
left out. Applying is one step in History (Ctrl+Z undoes all of it)."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, \
    QProgressBar, QPushButton, QStackedWidget, QTableView, QVBoxLayout, QWidget

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
    """The preview's rows, read a page at a time as the table scrolls: the model holds the ids the edit would
    change (core.batch.Scan), the ids unticked, and a few pages of before/after values, never all of them."""

    HEADERS = ("", "Record", "Before", "After")
    PAGE = 200
    PAGES_KEPT = 20

    def __init__(self, library, edit: batch.BatchEdit, found: batch.Scan):
        super().__init__()
        self.library, self.edit = library, edit
        self.ids = found.ids
        self.refused = set(found.refused)
        self.unticked: set[int] = set(found.refused)
        self._pages: dict[int, list[batch.PreviewRow]] = {}

    def row(self, number: int) -> batch.PreviewRow:
        page = number // self.PAGE
        rows = self._pages.pop(page, None)
        if rows is None:
            ids = self.ids[page * self.PAGE:(page + 1) * self.PAGE]
            by_id = {r.id: r for r in batch.rows(self.library, ids, self.edit)}
            rows = [by_id.get(pid) or batch.PreviewRow(pid, None, None, "no longer in the library") for pid in ids]
            if len(self._pages) >= self.PAGES_KEPT:
                self._pages.pop(next(iter(self._pages)))
        self._pages[page] = rows  # most recently used last
        return rows[number % self.PAGE]

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else 4

    def headerData(self, section, orientation, role=Qt.DisplayRole):
        if orientation == Qt.Horizontal and role == Qt.DisplayRole:
            return self.HEADERS[section]
        return None

    def flags(self, index):
        flags = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if index.column() == 0 and self.ids[index.row()] not in self.refused:
            flags |= Qt.ItemIsUserCheckable
        return flags

    def data(self, index, role=Qt.DisplayRole):
        column, pid = index.column(), self.ids[index.row()]
        if role == Qt.CheckStateRole and column == 0:
            return Qt.Unchecked if pid in self.unticked else Qt.Checked
        if role == Qt.ForegroundRole:
            return QColor("#b00020") if pid in self.refused else None
        if role not in (Qt.DisplayRole, Qt.ToolTipRole):
            return None
        row = self.row(index.row())
        if role == Qt.DisplayRole:
            if column == 1:
                return str(row.id)
            if column == 2:
                return _shown(row.before)
            if column == 3:
                return f"({row.error}) {_shown(row.after)}" if row.error else _shown(row.after)
        if role == Qt.ToolTipRole and column in (2, 3):
            return _shown(row.before if column == 2 else row.after)
        return None

    def setData(self, index, value, role=Qt.EditRole):
        if role != Qt.CheckStateRole or index.column() != 0:
            return False
        pid = self.ids[index.row()]
        if pid in self.refused:
            return False
        if Qt.CheckState(value) == Qt.Checked:
            self.unticked.discard(pid)
        else:
            self.unticked.add(pid)
        self.dataChanged.emit(index, index, [Qt.CheckStateRole])
        return True

    def ticked(self) -> list[int]:
        return [pid for pid in self.ids if pid not in self.unticked]


class BatchEditDialog(QDialog):
    applyRequested = Signal(object, list)  # BatchEdit, ticked record ids

    def __init__(self, library, ids: list[int], scope: str, parent=None):
        super().__init__(parent)
        self.library, self.ids = library, list(ids)
        self.setObjectName("batch-edit-dialog")
        self.setWindowTitle("Batch edit")
        layout = QVBoxLayout(self)
        self.scope_label = QLabel(f"Change {scope}:")  # with the count, before any preview is worked out
        layout.addWidget(self.scope_label)
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
        self.bar = QProgressBar()  # a preview of many records is worked out in the background
        self.bar.hide()
        buttons.addWidget(self.bar, 1)
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop working out the preview (nothing is changed either way)")
        self.stop_button.clicked.connect(self.stop_preview)
        self.stop_button.hide()
        buttons.addWidget(self.stop_button)
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
        self.worker = None
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
        """Find the records the edit would change: here for a few, in a worker (progress, Cancel) for many."""
        from ..operations import BULK_RECORDS

        try:
            self.edit = self.current_edit()
        except LibraryError as exc:
            self.summary.setText(str(exc))
            self.apply_button.setEnabled(False)
            return
        if self.worker is not None:
            return
        edit = self.edit
        if len(self.ids) < 10 * BULK_RECORDS:  # reading and matching: ~100,000 records a second
            self._scanned(batch.scan(self.library, self.ids, edit), edit)
            return
        from ..workers import JobWorker

        ids = self.ids
        worker = JobWorker(self.library.path, self.library.origin,
                           lambda library, progress, cancelled: batch.scan(library, ids, edit, progress=progress,
                                                                           cancelled=cancelled))
        worker.progress.connect(self._progress)
        worker.finished.connect(lambda found, _: self._scanned(found, edit))
        worker.cancelled.connect(lambda _: self._scan_ended("Preview cancelled: nothing was changed."))
        worker.failed.connect(self._scan_ended)
        self.worker = worker
        self.bar.setRange(0, len(ids))
        self.bar.setValue(0)
        self.bar.show()
        self.stop_button.show()
        self.preview_button.setEnabled(False)
        self.apply_button.setEnabled(False)
        self.summary.setText(f"Looking through {count(len(ids), 'record', grouped=True)}…")
        worker.start()

    def _progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)

    def stop_preview(self) -> None:
        if self.worker is not None:
            self.worker.cancel.set()

    def _scan_ended(self, sentence: str) -> None:
        self.worker = None
        self.bar.hide()
        self.stop_button.hide()
        self.preview_button.setEnabled(True)
        self.summary.setText(sentence)

    def _scanned(self, found: batch.Scan, edit: batch.BatchEdit) -> None:
        self._scan_ended("")
        self.model = PreviewModel(self.library, edit, found)
        self.model.dataChanged.connect(self._count)
        self.table.setModel(self.model)
        self.table.setColumnWidth(0, 28)
        self.table.setColumnWidth(1, 70)
        self.table.setColumnWidth(2, 330)
        self._count()

    def _count(self, *_) -> None:
        ticked = len(self.model.ids) - len(self.model.unticked)
        refused = len(self.model.refused)
        total = len(self.ids)
        text = f"{ticked:,} of {count(total, 'record', grouped=True)} will change"
        if refused:
            text += f"; {refused:,} cannot take this change (shown in red, left as they are)"
        if not self.model.ids:
            text = (f"None of the {count(total, 'record', grouped=True)} would change." if total != 1
                    else "The record would not change.")
        self.summary.setText(text + ".")
        self.apply_button.setEnabled(ticked > 0)

    def reject(self) -> None:
        self.stop_preview()
        super().reject()

    def apply(self) -> None:
        if self.model is None or self.worker is not None:
            return
        self.applyRequested.emit(self.model.edit, self.model.ticked())
        self.accept()
