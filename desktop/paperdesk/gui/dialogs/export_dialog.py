"""File > Export…: format, scope and options, a live preview of the first entries exactly as they will be
written, then the export in the background with progress and Cancel."""

from __future__ import annotations

import io
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QButtonGroup, QCheckBox, QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout, \
    QLabel, QPlainTextEdit, QProgressBar, QPushButton, QRadioButton, QVBoxLayout

from ...core.export.runner import EXTENSIONS, ExportCancelled, ExportScope, export
from ...core.library import Library, LibraryError
from ..workers import start_in_thread
from ...core import wording

FORMATS = (
    ("bibtex", "BibTeX (.bib) — for LaTeX with bibtex"),
    ("biblatex", "biblatex (.bib) — for LaTeX with biber"),
    ("csljson", "CSL-JSON (.json) — for Zotero, pandoc"),
    ("ris", "RIS (.ris) — for EndNote, Mendeley, Zotero"),
    ("csv", "CSV (.csv) — for spreadsheets"),
    ("json", "JSON (.json) — Paperdesk's own shape"),
)
PREVIEW_RECORDS = 3


class ExportWorker(QObject):
    progress = Signal("qint64", "qint64")
    finished = Signal("qint64", str)
    failed = Signal(str)

    def __init__(self, db_path, fmt, target, scope, ascii, origin=None):
        super().__init__()
        self.args = (db_path, fmt, target, scope, ascii)
        self.origin = origin
        self.cancel = threading.Event()

    def run(self):
        db_path, fmt, target, scope, ascii = self.args
        try:
            with Library(db_path, origin=self.origin) as library:
                result = export(library, fmt, target, scope, ascii=ascii, cancel=self.cancel,
                                progress=lambda done, total: self.progress.emit(done, total))
            self.finished.emit(result.count, str(result.path))
        except ExportCancelled:
            self.failed.emit("Export cancelled; no file was written.")
        except LibraryError as exc:
            self.failed.emit(str(exc))
        except Exception as exc:  # shown to the librarian rather than lost in a thread; the traceback is logged
            from ...core.logfile import log_exception

            log_exception(exc, "export worker")
            self.failed.emit(f"The export stopped: {exc}")


class ExportDialog(QDialog):
    def __init__(self, library: Library, selection: list[int], view_ids: list[int], view_label: str, parent=None,
                 settings=None, origin: str | None = None):
        super().__init__(parent)
        self.library = library
        self.selection, self.view_ids = selection, view_ids
        self.settings = settings  # a gui.settings.Settings, or None
        self.origin = origin  # the worker's events count as the window's own
        self.setWindowTitle("Export")
        self.resize(760, 620)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.format = QComboBox()
        for key, label in FORMATS:
            self.format.addItem(label, key)
        form.addRow("&Format", self.format)
        scope_box = QVBoxLayout()
        self.scope_group = QButtonGroup(self)
        self.scope_selection = QRadioButton(f"The selected records ({len(selection)})")
        self.scope_view = QRadioButton(f"What the table shows: {view_label} ({len(view_ids)})")
        self.scope_all = QRadioButton(f"Every record ({library.count_papers()})")
        for i, button in enumerate((self.scope_selection, self.scope_view, self.scope_all)):
            self.scope_group.addButton(button, i)
            scope_box.addWidget(button)
        self.scope_selection.setEnabled(bool(selection))
        (self.scope_selection if len(selection) > 1 else self.scope_view).setChecked(True)
        form.addRow("Records", scope_box)
        self.ascii = QCheckBox("Plain ASCII with LaTeX accents (for classic BibTeX; biber reads UTF-8)")
        form.addRow("", self.ascii)
        layout.addLayout(form)
        layout.addWidget(QLabel("Preview of the first entries, exactly as they will be written:"))
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.Monospace)
        self.preview.setFont(mono)
        self.preview.setLineWrapMode(QPlainTextEdit.NoWrap)
        layout.addWidget(self.preview, 1)
        self.bar = QProgressBar()
        self.bar.hide()
        layout.addWidget(self.bar)
        self.status = QLabel("")
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.export_button = QPushButton("&Export…")
        self.export_button.setDefault(True)
        self.export_button.clicked.connect(self.choose_file_and_export)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.cancel_or_close)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.close_button)
        layout.addLayout(buttons)
        self.worker = None
        if settings is not None:
            index = self.format.findData(settings.get("export/format"))
            self.format.setCurrentIndex(max(index, 0))
            self.ascii.setChecked(settings.get("export/ascii"))
        self.format.currentIndexChanged.connect(self.update_preview)
        self.scope_group.idClicked.connect(lambda _: self.update_preview())
        self.ascii.toggled.connect(lambda _: self.update_preview())
        self.update_preview()

    def fmt(self) -> str:
        return self.format.currentData()

    def scope(self) -> ExportScope:
        checked = self.scope_group.checkedId()
        if checked == 0:
            return ExportScope(ids=list(self.selection))
        if checked == 1:
            return ExportScope(ids=list(self.view_ids))
        return ExportScope()

    def update_preview(self) -> None:
        self.ascii.setEnabled(self.fmt() in ("bibtex", "biblatex"))
        scope = self.scope()
        ids = scope.ids[:PREVIEW_RECORDS] if scope.ids is not None else \
            [p["id"] for _, p in zip(range(PREVIEW_RECORDS), self.library.iter_papers(batch=PREVIEW_RECORDS))]
        buffer = io.StringIO()
        try:
            # Assigns the previewed records' keys for good: the preview shows the keys the file will carry.
            export(self.library, self.fmt(), buffer, ExportScope(ids=ids), ascii=self.ascii.isChecked())
        except LibraryError as exc:
            self.preview.setPlainText(str(exc))
            return
        self.preview.setPlainText(buffer.getvalue())

    def choose_file_and_export(self) -> None:
        fmt = self.fmt()
        folder = self.settings.get("export/folder") if self.settings is not None else str(Path.home())
        suggested = str(Path(folder) / f"paperdesk{EXTENSIONS[fmt]}")
        path, _ = QFileDialog.getSaveFileName(self, "Export to", suggested)
        if path:
            self.start_export(path)

    def start_export(self, path: str) -> None:
        if self.settings is not None:
            self.settings.set("export/format", self.fmt())
            self.settings.set("export/ascii", self.ascii.isChecked())
            self.settings.set("export/folder", str(Path(path).parent))
        self.export_button.setEnabled(False)
        self.close_button.setText("Cancel")
        self.bar.show()
        self.bar.setRange(0, 0)
        self.status.setText(f"Exporting to {path}…")
        self.worker = ExportWorker(self.library.path, self.fmt(), path, self.scope(), self.ascii.isChecked(),
                                   self.origin)
        self.worker.progress.connect(self._progress)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.thread = start_in_thread(self.worker, self)

    def _progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(done)

    def _finished(self, count: int, path: str) -> None:
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.status.setText(f"{wording.count(count, 'record')} written to {path}")
        self._done()

    def _failed(self, message: str) -> None:
        self.bar.hide()
        self.status.setText(message)
        self._done()

    def _done(self) -> None:
        self.worker = None
        self.export_button.setEnabled(True)
        self.close_button.setText("Close")

    def cancel_or_close(self) -> None:
        if self.worker is not None:
            self.worker.cancel.set()
        else:
            self.accept()

    def reject(self) -> None:
        self.cancel_or_close()
