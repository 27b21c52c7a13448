"""Bulk merge of the certain groups: a preview list the librarian can untick, merged as one undoable step."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QListWidget, QListWidgetItem, QVBoxLayout

from ...core import curation
from ...core.library import Library
from ...core.wording import count


class BulkMergeDialog(QDialog):
    planChosen = Signal(list)  # [(survivor, [others])]

    def __init__(self, library: Library, groups: list, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Merge all certain groups")
        self.resize(900, 560)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{count(len(groups), 'certain group')}. Each merges into its oldest record, keeping its fields;"
                                " untick any you want to look at first. One Ctrl+Z undoes them all."))
        self.list = QListWidget()
        self.groups = groups
        for group in groups:
            named = curation.briefs(library, group.records)
            first = named.get(group.records[0], {}).get("title", "")
            item = QListWidgetItem(f"{first}\n   records {', '.join(map(str, group.records))} — {'; '.join(group.reasons)}")
            item.setFlags(item.flags() | Qt.ItemIsUserCheckable)
            item.setCheckState(Qt.Checked)
            self.list.addItem(item)
        layout.addWidget(self.list, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Merge ticked groups")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def plan(self) -> list:
        return [(g.records[0], g.records[1:]) for i, g in enumerate(self.groups)
                if self.list.item(i).checkState() == Qt.Checked]

    def _accept(self) -> None:
        self.planChosen.emit(self.plan())
        self.accept()
