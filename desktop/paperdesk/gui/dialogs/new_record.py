"""File › New record (Ctrl+N): the record's fields, checked as the detail pane checks an edit, before it is added."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QPlainTextEdit, \
    QVBoxLayout

from ...core import hand_entry
from ...core.curation import ValidationError, names_from_lines


def names_from_text(text: str) -> list[str]:
    """One author per line; a line written "Surname, Given" becomes "Given Surname" (an ambiguous line raises
    ValidationError: core.curation.names_from_lines)."""
    return names_from_lines(text.splitlines())


class NewRecordDialog(QDialog):
    recordRequested = Signal(dict)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("new-record-dialog")
        self.setWindowTitle("New record")
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.title = QLineEdit()
        self.title.setPlaceholderText("required")
        self.authors = QPlainTextEdit()
        self.authors.setPlaceholderText("one per line: Ana Lee, or Lee, Ana")
        self.authors.setFixedHeight(80)
        self.authors.setTabChangesFocus(True)  # Tab goes to the next field, as in every other form
        self.truncated = QCheckBox("the list goes on (et al.)")
        self.org = QLineEdit()
        self.category = QLineEdit()
        self.category.setPlaceholderText("subject class: LG, CL, cs.IR…")
        self.date = QLineEdit()
        self.date.setPlaceholderText("YYYY-MM-DD")
        self.has_code = QCheckBox("has code")
        self.abstract = QPlainTextEdit()
        self.abstract.setTabChangesFocus(True)
        for label, widget in (("&Title", self.title), ("&Authors", self.authors), ("", self.truncated),
                              ("&Organisation", self.org), ("&Category", self.category), ("&Date", self.date),
                              ("", self.has_code), ("A&bstract", self.abstract)):
            form.addRow(label, widget)
        layout.addLayout(form)
        self.error = QLabel("")
        self.error.setObjectName("new-record-error")
        self.error.setStyleSheet("color: #b00020")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        layout.addWidget(QLabel("The record's provenance will say it was entered by hand, by you, now."))
        self.buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.buttons.button(QDialogButtonBox.Ok).setText("Add record")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.resize(560, 520)

    def fields(self) -> dict:
        return {"title": self.title.text(), "authors": names_from_text(self.authors.toPlainText()),
                "authors_truncated": self.truncated.isChecked(), "org": self.org.text(),
                "category": self.category.text(), "date": self.date.text(), "has_code": self.has_code.isChecked(),
                "abstract": self.abstract.toPlainText()}

    def show_error(self, message: str) -> None:
        self.error.setText(message)

    def submit(self) -> None:
        try:
            fields = self.fields()
            hand_entry.validate_fields(fields)
        except ValidationError as exc:
            self.show_error(str(exc))
            return
        self.show_error("")
        self.recordRequested.emit(fields)
