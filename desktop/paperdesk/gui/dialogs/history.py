"""Edit › History (Ctrl+H): every step of this session; clicking one goes back (or forward) to it.

Not a QUndoView: that moves the undo stack itself, at once, on the GUI thread. Here a click asks the window's
Operations to step towards the chosen entry one command at a time, so a bulk step runs in its worker with a
progress bar and Cancel like Ctrl+Z (and Cancel stops there, nothing half-done)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QLabel, QListWidget, QVBoxLayout

EMPTY = "<library as opened>"


class HistoryDialog(QDialog):
    def __init__(self, ops, parent=None):
        super().__init__(parent)
        self.ops, self.stack = ops, ops.undo_stack
        self.setObjectName("history-dialog")
        self.setWindowTitle("History of this session")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Click a step to go back (or forward) to it:"))
        self.view = QListWidget()
        self.view.itemClicked.connect(lambda item: self.ops.jump_to(self.view.row(item)))
        layout.addWidget(self.view)
        self.resize(480, 360)
        self.stack.indexChanged.connect(self.fill)
        self.fill()

    def fill(self, *_) -> None:
        try:
            texts, index = [self.stack.text(i) for i in range(self.stack.count())], self.stack.index()
        except RuntimeError:  # the window (and its undo stack) is being destroyed
            return
        self.view.clear()
        self.view.addItem(EMPTY)
        self.view.addItems(texts)
        self.view.setCurrentRow(index)
