"""The keyboard tag picker (T): type a tag's name with completion, Enter tags the selection.

A new name creates the tag. "Remove" mode (Shift+T) untags instead.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCompleter, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout


class TagPicker(QDialog):
    def __init__(self, tag_names: list[str], count: int, remove: bool = False, parent=None):
        super().__init__(parent)
        self.remove = remove
        self.setWindowTitle("Remove a tag" if remove else "Tag records")
        layout = QVBoxLayout(self)
        verb = "Remove which tag from" if remove else "Tag"
        layout.addWidget(QLabel(f"{verb} the {count} selected record{'s' if count != 1 else ''}:"))
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("tag name (a new name creates the tag)" if not remove else "tag name")
        completer = QCompleter(tag_names, self)
        completer.setCaseSensitivity(Qt.CaseInsensitive)
        completer.setFilterMode(Qt.MatchContains)
        self.edit.setCompleter(completer)
        layout.addWidget(self.edit)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Remove" if remove else "Tag")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(380, 120)

    def tag_name(self) -> str:
        return " ".join(self.edit.text().split())
