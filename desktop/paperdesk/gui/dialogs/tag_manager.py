"""The tag manager: create, rename, recolour, merge and delete tags, each one undoable."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog, QDialog, QHBoxLayout, QInputDialog, QListWidget, QListWidgetItem, \
    QMessageBox, QPushButton, QVBoxLayout

from ...core import curation
from ...core.library import Library
from ..sidebar import color_icon
from ...core.wording import count


class TagManager(QDialog):
    """Emits requests; the window turns them into undoable commands and calls ``reload``."""

    createRequested = Signal(str)
    renameRequested = Signal("qint64", str)
    recolorRequested = Signal("qint64", str)
    mergeRequested = Signal("qint64", "qint64")
    deleteRequested = Signal("qint64")

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.library = library
        self.setWindowTitle("Tags")
        layout = QHBoxLayout(self)
        self.list = QListWidget()
        self.list.setSelectionMode(QListWidget.SingleSelection)
        layout.addWidget(self.list, 1)
        buttons = QVBoxLayout()
        for text, slot in (("&New…", self.new_tag), ("&Rename…", self.rename), ("&Colour…", self.recolor),
                           ("&Merge into…", self.merge), ("&Delete", self.delete)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.resize(460, 360)
        self.reload()

    def reload(self) -> None:
        current = self.current()
        self.list.clear()
        self.tags = curation.tags(self.library)
        for tag in self.tags:
            item = QListWidgetItem(color_icon(tag["color"]), f"{tag['name']}   ({count(tag['count'], 'record')})")
            item.setData(Qt.UserRole, tag["id"])
            self.list.addItem(item)
            if current and tag["id"] == current["id"]:
                self.list.setCurrentItem(item)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)

    def current(self) -> dict | None:
        item = self.list.currentItem() if hasattr(self, "list") else None
        if item is None:
            return None
        return next((t for t in self.tags if t["id"] == item.data(Qt.UserRole)), None)

    def new_tag(self) -> None:
        name, ok = QInputDialog.getText(self, "New tag", "Name:")
        if ok and name.strip():
            self.createRequested.emit(name)

    def rename(self) -> None:
        tag = self.current()
        if tag:
            name, ok = QInputDialog.getText(self, "Rename tag", "New name:", text=tag["name"])
            if ok and name.strip() and name != tag["name"]:
                self.renameRequested.emit(tag["id"], name)

    def recolor(self) -> None:
        tag = self.current()
        if tag:
            color = QColorDialog.getColor(QColor(tag["color"]), self, f"Colour of '{tag['name']}'")
            if color.isValid():
                self.recolorRequested.emit(tag["id"], color.name())

    def merge(self) -> None:
        tag = self.current()
        others = [t for t in self.tags if tag and t["id"] != tag["id"]]
        if not others:
            return
        name, ok = QInputDialog.getItem(self, "Merge tags", f"Merge '{tag['name']}' into:",
                                        [t["name"] for t in others], 0, False)
        if ok:
            target = next(t for t in others if t["name"] == name)
            self.mergeRequested.emit(tag["id"], target["id"])

    def delete(self) -> None:
        tag = self.current()
        if tag and QMessageBox.question(
            self, "Delete tag", f"Delete the tag '{tag['name']}' from {count(tag['count'], 'record')}?\n"
            "You can undo this with Ctrl+Z.") == QMessageBox.Yes:
            self.deleteRequested.emit(tag["id"])
