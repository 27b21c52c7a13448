"""The needs-review queue: one flagged record at a time with its raw line and the candidate readings.

Press 1-9 (or click) to take a reading, or put the cursor where the title ends and press Ctrl+Enter; the
next record comes up at once.
"""

from __future__ import annotations

import html
import os

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from ..core import curation
from ..core.library import Library
from ..core.names import split_at


def _reading_row(key: str, title_html: str, authors_html: str, on_click) -> QWidget:
    """One candidate reading on a row: its key, the title, the authors (the header row when on_click is None)."""
    row = QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    button = QPushButton(key)
    button.setFixedWidth(36)
    if on_click is None:
        button.setFlat(True)
        button.setEnabled(False)
    else:
        button.clicked.connect(on_click)
        button.setToolTip(f"Take this reading (key {key})")
    layout.addWidget(button)
    for text, stretch in ((title_html, 3), (authors_html, 2)):
        label = QLabel(text)
        label.setTextFormat(Qt.RichText)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        layout.addWidget(label, stretch)
    return row


class ReviewPage(QWidget):
    KEYS = (("1-9", "take that reading"), ("Ctrl+Enter", "split where the cursor is"), ("Esc", "back to the records"))
    resolveRequested = Signal("qint64", str, list)  # paper id, title, authors
    closeRequested = Signal()
    recordShown = Signal(object)  # the paper id on screen, or None

    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self.paper_id: int | None = None
        self.readings: list[dict] = []
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.counter = QLabel("")
        self.counter.setStyleSheet("font-weight: bold; font-size: 14px;")
        top.addWidget(self.counter)
        top.addStretch(1)
        back = QPushButton("Back to the records (Esc)")
        back.clicked.connect(self.closeRequested)
        top.addWidget(back)
        layout.addLayout(top)
        self.reasons = QLabel("")
        self.reasons.setStyleSheet("color: #b35900;")
        self.reasons.setWordWrap(True)
        layout.addWidget(self.reasons)
        layout.addWidget(QLabel("The record as it appeared in the dump:"))
        self.raw = QPlainTextEdit()
        self.raw.setReadOnly(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.Monospace)
        self.raw.setFont(mono)
        self.raw.setMaximumHeight(130)
        layout.addWidget(self.raw)
        layout.addWidget(QLabel("Which reading is right?"))
        self.choices = QVBoxLayout()
        layout.addLayout(self.choices)
        layout.addWidget(QLabel("Or put the cursor where the title ends and press Ctrl+Enter:"))
        hand = QHBoxLayout()
        self.line = QLineEdit()
        self.line.setFont(mono)
        hand.addWidget(self.line, 1)
        cut = QPushButton("Split at cursor")
        cut.clicked.connect(self.split_at_cursor)
        hand.addWidget(cut)
        layout.addLayout(hand)
        self.preview = QLabel("")
        self.preview.setWordWrap(True)
        layout.addWidget(self.preview)
        self.line.cursorPositionChanged.connect(self._preview_cut)
        self.line.returnPressed.connect(self.split_at_cursor)
        layout.addStretch(1)
        self.line.setFocusPolicy(Qt.ClickFocus)  # digits pick readings unless the librarian clicks into the line
        self.setFocusPolicy(Qt.StrongFocus)

    def keyPressEvent(self, event):
        key, mods = event.key(), event.modifiers()
        if Qt.Key_1 <= key <= Qt.Key_9 and not mods & (Qt.ControlModifier | Qt.AltModifier):
            self.choose(key - Qt.Key_1)
        elif key in (Qt.Key_Return, Qt.Key_Enter) and mods & Qt.ControlModifier:
            self.split_at_cursor()
        elif key == Qt.Key_Escape:
            self.closeRequested.emit()
        else:
            super().keyPressEvent(event)

    def load_next(self) -> bool:
        """Show the first flagged record; False when the queue is empty."""
        queue = curation.review_queue(self.library)
        self.counter.setText(f"Needs review: {len(queue)} record{'s' if len(queue) != 1 else ''} left"
                             if queue else "Nothing needs review.")
        while self.choices.count():
            item = self.choices.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        if not queue:
            self.paper_id = None
            self.recordShown.emit(None)
            for w in (self.raw, ):
                w.setPlainText("")
            self.line.setText("")
            self.reasons.setText("Every record has been checked.")
            self.preview.setText("")
            return False
        self.paper_id = queue[0]
        self.recordShown.emit(self.paper_id)
        detail = curation.paper_detail(self.library, self.paper_id)
        review = detail["review"] or {}
        self.reasons.setText("Why: " + "; ".join(review.get("reasons", ["flagged"])))
        raw = detail["provenance"][0]["raw"] if detail["provenance"] else ""
        self.raw.setPlainText(raw)
        self.readings = list(review.get("alternatives") or [])
        if not self.readings:
            self.readings = [{"title": detail["title"], "authors": detail["authors"]}]
        if not review.get("alternatives"):
            # "Keep as it is" means the record as it is when the key is pressed, not as it was when shown.
            self.readings[0]["keep"] = True
        self.choices.addWidget(_reading_row("", "<b>Title</b>", "<b>Authors</b>", None))
        shared = os.path.commonprefix([r["title"] for r in self.readings]) if len(self.readings) > 1 else ""
        for n, reading in enumerate(self.readings, start=1):
            note = " (best guess)" if n == 1 and review.get("alternatives") else ""
            if not review.get("alternatives"):
                note = " (keep as it is)"
            title, names = reading["title"], reading["authors"]
            # Side by side, the readings differ only where the title ends: show that part in bold.
            head, tail = title[: len(shared)], title[len(shared):]
            if len(head) > 48:
                head = "…" + head[-47:]
            title_html = f"{html.escape(head)}<b>{html.escape(tail)}</b>{html.escape(note)}"
            authors_html = ", ".join(f"<b>{html.escape(x)}</b>" if i == 0 else html.escape(x)
                                     for i, x in enumerate(names))
            self.choices.addWidget(_reading_row(str(n), title_html, authors_html, lambda _=False, i=n - 1: self.choose(i)))
        lines = [line for line in raw.split("\n")[1:] if line.strip()]
        self.line.setText(lines[0].strip() if lines else detail["title"])
        self.line.setCursorPosition(len(detail["title"]))
        self._preview_cut()
        return True

    def choose(self, index: int) -> None:
        if self.paper_id is None or not 0 <= index < len(self.readings):
            return
        reading = self.readings[index]
        if reading.get("keep"):
            now = curation.paper_detail(self.library, self.paper_id)
            if now is None:
                return
            reading = {"title": now["title"], "authors": now["authors"]}
        self.resolveRequested.emit(self.paper_id, reading["title"], list(reading["authors"]))

    def apply_changes(self, changes) -> None:
        """The record on screen changed (the detail pane, another window): show it as it is now."""
        if self.paper_id is not None and self.isVisible() and (changes.touches([self.paper_id])
                                                                or "needs_review" in changes.fields):
            self.load_next()

    def _cut(self):
        return split_at(self.line.text(), self.line.cursorPosition())

    def _preview_cut(self) -> None:
        title, names, truncated, org = self._cut()
        extra = " et al." if truncated else ""
        self.preview.setText(f"<b>Title:</b> {title or '—'}<br><b>Authors:</b> {', '.join(names) or '—'}{extra}")

    def split_at_cursor(self) -> None:
        if self.paper_id is None:
            return
        title, names, _, _ = self._cut()
        if title and names:
            self.resolveRequested.emit(self.paper_id, title, names)
