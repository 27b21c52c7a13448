"""The detail pane: every field of the selected record, editable, and its provenance, read-only.

A field is committed when it loses focus or on Enter (Ctrl+Enter in the multi-line fields); the window turns
each commit into one undoable command. Invalid input is refused with the reason next to the field.

One record at a time: ``detail`` (read from SQLite) is both what the fields show and where a commit goes. When the
window shows another record while a field holds unsaved typing (the table's rows moved under the librarian: a
count arriving, a change elsewhere), the typing is kept for the record it was typed for (``drafts``), never
written to another one, and comes back when that record is shown again.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QFrame, \
    QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPlainTextEdit, QPushButton, QRadioButton, QScrollArea, \
    QVBoxLayout, QWidget

from ..core.categories import CATEGORIES
from ..core import merging
from ..core.curation import ValidationError, names_from_lines, paper_detail
from ..core.library import Library


class CommitTextEdit(QPlainTextEdit):
    """A multi-line field that commits on focus loss or Ctrl+Enter; with ``enter_commits`` (the title, one
    logical line that wraps) plain Enter commits too and never breaks the line."""

    committed = Signal()

    def __init__(self, enter_commits: bool = False):
        super().__init__()
        self.enter_commits = enter_commits

    def focusOutEvent(self, event):
        super().focusOutEvent(event)
        self.committed.emit()

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key_Return, Qt.Key_Enter) and (
                self.enter_commits or event.modifiers() & Qt.ControlModifier):
            self.committed.emit()
            return
        super().keyPressEvent(event)


class DetailPane(QWidget):
    KEYS = (("Enter", "saves the title, date, organisation or citation key"),
            ("Ctrl+Enter", "saves the authors or the abstract (one author per line, 'Surname, Given' too)"),
            ("Tab / Shift+Tab", "next / previous field (from the records table, Tab enters this pane)"),
            ("Esc", "reverts what was typed"))
    editRequested = Signal("qint64", dict)  # paper id, {field: new value}
    unmergeRequested = Signal("qint64", "qint64", object)  # merge id, survivor, answers to its conflicts (or None)
    citekeyRequested = Signal("qint64", object)  # paper id, key (None clears)
    draftKept = Signal("qint64", list)  # paper id, the fields whose unsaved typing was kept when another record came

    def __init__(self, library: Library):
        super().__init__()
        self.library = library
        self.paper_id: int | None = None
        self.detail: dict | None = None
        self.drafts: dict[int, dict[str, str]] = {}  # paper id -> {field: typed text} not saved yet
        self._loading = False

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.NoFrame)
        # Narrower than its fields (a small screen), the pane scrolls sideways rather than cut them off.
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        scroll.setFocusPolicy(Qt.NoFocus)  # Tab goes straight to the first field
        outer.addWidget(scroll)
        body = QWidget()
        scroll.setWidget(body)
        layout = QVBoxLayout(body)

        self.heading = QLabel("No record selected")
        font = QFont()
        font.setPointSize(font.pointSize() + 2)
        font.setBold(True)
        self.heading.setFont(font)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.WrapLongRows)  # a narrow pane puts labels above their fields
        self.title = CommitTextEdit(enter_commits=True)
        self.title.setFixedHeight(56)
        self.title.setTabChangesFocus(True)
        self.title.committed.connect(lambda: self._commit("title", self.title.toPlainText()))
        form.addRow("&Title", self.title)
        self.authors = CommitTextEdit()
        self.authors.setFixedHeight(72)
        self.authors.setTabChangesFocus(True)
        self.authors.setPlaceholderText("One author per line: Ana Lee, or Lee, Ana")
        self.authors.committed.connect(self._commit_authors)
        form.addRow("&Authors", self.authors)
        self.truncated = QCheckBox("more authors (et al.)")
        self.truncated.setToolTip("The list goes on: more authors than shown")
        self.truncated.toggled.connect(lambda v: self._commit("authors_truncated", v))
        form.addRow("", self.truncated)
        self.date = QLineEdit()
        self.date.setPlaceholderText("YYYY-MM-DD")
        self.date.editingFinished.connect(lambda: self._commit("date", self.date.text()))
        form.addRow("&Date", self.date)
        self.category = QComboBox()
        self.category.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.category.setMinimumContentsLength(8)
        for code, (arxiv, name) in sorted(CATEGORIES.items(), key=lambda kv: kv[1][0]):
            self.category.addItem(f"{code} — {arxiv} {name}", code)
        self.category.activated.connect(lambda _: self._commit("category", self.category.currentData()))
        form.addRow("&Category", self.category)
        self.has_code = QCheckBox("has code")
        self.has_code.toggled.connect(lambda v: self._commit("has_code", v))
        form.addRow("", self.has_code)
        self.org = QLineEdit()
        self.org.editingFinished.connect(lambda: self._commit("org", self.org.text()))
        form.addRow("&Organisation", self.org)
        self.citekey = QLineEdit()
        self.citekey.setPlaceholderText("made from the pattern at the first export")
        self.citekey.editingFinished.connect(self._commit_citekey)
        form.addRow("Citation &key", self.citekey)
        self.abstract = CommitTextEdit()
        self.abstract.setMinimumHeight(140)
        self.abstract.setTabChangesFocus(True)
        self.abstract.committed.connect(lambda: self._commit("abstract", self.abstract.toPlainText()))
        form.addRow("A&bstract", self.abstract)
        self.info = QLabel("")
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextSelectableByMouse | Qt.LinksAccessibleByMouse)
        self.info.setOpenExternalLinks(True)
        form.addRow("", self.info)
        layout.addLayout(form)

        provenance_title = QLabel("Where this record came from")
        provenance_title.setStyleSheet("font-weight: bold; margin-top: 8px;")
        layout.addWidget(provenance_title)
        self.provenance = QPlainTextEdit()
        self.provenance.setReadOnly(True)
        self.provenance.setMinimumHeight(120)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.Monospace)
        self.provenance.setFont(mono)
        self.provenance.setLineWrapMode(QPlainTextEdit.WidgetWidth)
        layout.addWidget(self.provenance)
        self.history_title = QLabel("Merges")
        self.history_title.setStyleSheet("font-weight: bold; margin-top: 8px;")
        layout.addWidget(self.history_title)
        self.history = QVBoxLayout()
        layout.addLayout(self.history)
        layout.addStretch(1)
        QShortcut(QKeySequence("Escape"), self, activated=self.discard_typing)
        self.draft_note = QLabel("")
        self.draft_note.setStyleSheet("color: #b35900;")
        self.draft_note.setWordWrap(True)
        self.draft_note.hide()
        layout.insertWidget(2, self.draft_note)  # under the heading and the error
        self._library_keys = _LibraryUndoKeys(self)
        for field in self.text_fields().values():
            field.installEventFilter(self._library_keys)
        self.setEnabled(False)

    def tab_chain(self) -> list:
        """The fields in the order Tab visits them."""
        return [self.title, self.authors, self.truncated, self.date, self.category, self.has_code, self.org,
                self.citekey, self.abstract, self.provenance]

    def text_fields(self) -> dict:
        return {"title": self.title, "authors": self.authors, "date": self.date, "org": self.org,
                "citekey": self.citekey, "abstract": self.abstract}

    def _saved_text(self, field: str) -> str:
        """What ``field`` shows for the record as SQLite holds it."""
        d = self.detail or {}
        if field == "authors":
            return "\n".join(d.get("authors") or [])
        return d.get(field) or ""

    def _typed(self, field: str) -> str:
        widget = self.text_fields()[field]
        return widget.text() if isinstance(widget, QLineEdit) else widget.toPlainText()

    def unsaved(self) -> dict[str, str]:
        """The fields whose text differs from the shown record's saved value: typing not committed yet."""
        if self.detail is None:
            return {}
        typed = {}
        for field in self.text_fields():
            text, saved = self._typed(field), self._saved_text(field)
            same = " ".join(text.split()) == saved if field == "title" else \
                text.strip() == saved if field in ("date", "org", "citekey") else text == saved
            if not same:
                typed[field] = text
        return typed

    def in_use(self) -> bool:
        """The librarian is working on the shown record: the focus is in this pane, or typing is unsaved."""
        focus = QApplication.focusWidget()
        return bool(focus is not None and self.isAncestorOf(focus) or self.unsaved())

    def show_paper(self, paper_id: int | None) -> None:
        """Show ``paper_id``; typing not saved for the record shown until now is kept for that record."""
        shown = self.detail["id"] if self.detail is not None else None
        if shown is not None and paper_id != shown:
            typed = self.unsaved()
            if typed:
                self.drafts[shown] = typed
                self.draftKept.emit(shown, list(typed))
        self.paper_id = paper_id
        self.reload()

    def discard_typing(self) -> None:
        """Esc: what was typed (and kept) for the shown record goes; the fields show its saved values."""
        if self.paper_id is not None:
            self.drafts.pop(self.paper_id, None)
        self.reload(keep_typing=False)

    def reload(self, keep_typing: bool = True) -> None:
        """Read the record again (it changed, or another is shown). Typing not saved yet for this same record
        stays in its fields (``keep_typing``); typing kept for it while another record was shown comes back."""
        self.error.hide()
        same = self.detail is not None and self.detail["id"] == self.paper_id
        typing = self.unsaved() if same and keep_typing else {}
        before = {field: self._saved_text(field) for field in typing}
        detail = paper_detail(self.library, self.paper_id) if self.paper_id is not None else None
        self.detail = detail
        self.paper_id = detail["id"] if detail is not None else None  # one record: shown, edited, named
        self._loading = True
        try:
            self._fill(detail)
        finally:
            self._loading = False
        # a field whose saved value changed (the commit of that typing, or a change elsewhere) shows the new value
        typing = {f: text for f, text in typing.items() if self._saved_text(f) == before[f]}
        kept = self.drafts.pop(self.paper_id, {}) if self.paper_id is not None else {}
        self._put_back({**kept, **typing})
        names = ", ".join(kept)
        self.draft_note.setText(f"Your unsaved typing in {names} is back: Enter saves it, Esc discards it."
                                if kept else "")
        self.draft_note.setVisible(bool(kept))

    def _put_back(self, typed: dict[str, str]) -> None:
        self._loading = True
        try:
            for field, text in typed.items():
                widget = self.text_fields()[field]
                widget.setText(text) if isinstance(widget, QLineEdit) else widget.setPlainText(text)
        finally:
            self._loading = False

    def _fill(self, detail: dict | None) -> None:
        self.setEnabled(detail is not None)
        if detail is None:
            self.heading.setText("No record selected")
            for w in (self.title, self.authors, self.abstract, self.provenance):
                w.setPlainText("")
            self.date.setText("")
            self.org.setText("")
            self.citekey.setText("")
            self.info.setText("")
            # no record: no ticks and no category either, or the greyed pane reads as a record's values
            self.truncated.setChecked(False)
            self.has_code.setChecked(False)
            self.category.setCurrentIndex(-1)
            return
        self.heading.setText(detail["title"])
        self.title.setPlainText(detail["title"])
        self.authors.setPlainText("\n".join(detail["authors"]))
        self.truncated.setChecked(detail["authors_truncated"])
        self.date.setText(detail["date"] or "")
        index = self.category.findData(detail["category"])
        if index < 0:
            self.category.addItem(f"{detail['category']} — unknown", detail["category"])
            index = self.category.count() - 1
        self.category.setCurrentIndex(index)
        self.has_code.setChecked(detail["has_code"])
        self.org.setText(detail["org"] or "")
        self.citekey.setText(detail.get("citekey") or "")
        self.abstract.setPlainText(detail["abstract"] or "")
        info = []
        if detail["score"] is not None:
            info.append(f"Trending score {detail['score']}")
        if detail["tags"]:
            info.append("Tags: " + ", ".join(detail["tags"]))
        for url in detail["code_urls"]:
            info.append(f'Code: <a href="{url}">{url}</a>')
        if detail["needs_review"]:
            reasons = "; ".join((detail["review"] or {}).get("reasons", [])) or "flagged"
            info.append(f"<span style='color:#b35900'>Needs review: {reasons}</span>")
        info.append(f"Record {detail['id']}, last changed {detail['updated_at']}")
        self.info.setText("<br>".join(info))
        blocks = []
        for source in detail["provenance"]:
            if source["line"] is None:  # entered by hand
                by = f" by {source['entered_by']}" if source.get("entered_by") else ""
                when = f", {source['entered_at'][:16].replace('T', ' ')}" if source.get("entered_at") else ""
                heading = f"{source['file']}{by}{when}"
            else:
                heading = f"{source['file']}, line {source['line']} (captured {source['captured']})"
            blocks.append(f"{heading}\n{'-' * 40}\n{source['raw']}")
        self.provenance.setPlainText("\n\n".join(blocks))
        self._show_merges(detail["id"])

    def _show_merges(self, paper_id: int) -> None:
        while self.history.count():
            item = self.history.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        merges = merging.merges_of(self.library, paper_id)
        self.history_title.setVisible(bool(merges))
        for m in merges:
            row = QWidget()
            line = QHBoxLayout(row)
            line.setContentsMargins(0, 0, 0, 0)
            others = ", ".join(map(str, m["merged"]))
            if m["undone_at"]:
                text = f"{m['at'][:16]}: records {others} merged into {m['survivor']} — undone {m['undone_at'][:16]}"
            else:
                text = f"{m['at'][:16]}: records {others} merged into record {m['survivor']}"
            label = QLabel(text)
            label.setWordWrap(True)
            line.addWidget(label, 1)
            if not m["undone_at"]:
                button = QPushButton("Unmerge")
                button.clicked.connect(lambda _=False, mid=m["id"], s=m["survivor"]: self.request_unmerge(mid, s))
                line.addWidget(button)
            self.history.addWidget(row)

    def request_unmerge(self, merge_id: int, survivor: int) -> None:
        """Unmerge at once, or first ask which value stays where the merge and a later edit changed one field."""
        conflicts = merging.unmerge_conflicts(self.library, merge_id)
        if not conflicts:
            self.unmergeRequested.emit(merge_id, survivor, None)
            return
        self.conflict_dialog = UnmergeConflictDialog(merge_id, survivor, conflicts, self)
        self.conflict_dialog.accepted.connect(
            lambda: self.unmergeRequested.emit(merge_id, survivor, self.conflict_dialog.answers()))
        self.conflict_dialog.open()

    def _commit_citekey(self) -> None:
        if self._loading or self.detail is None:
            return
        key = self.citekey.text().strip() or None
        if key != (self.detail.get("citekey") or None):
            self.citekeyRequested.emit(self.detail["id"], key)

    def _commit_authors(self) -> None:
        """One name per line, "Given Surname" or "Surname, Given"; a line that reads two ways is refused with the
        reason (the text stays as typed, to be corrected)."""
        if self._loading or self.detail is None:
            return
        try:
            names = names_from_lines(self.authors.toPlainText().splitlines())
        except ValidationError as exc:
            self.show_error(str(exc))
            return
        self._commit("authors", names)

    def _commit(self, field: str, value) -> None:
        if self._loading or self.detail is None:
            return
        current = self.detail.get(field)
        if field == "title":
            value = " ".join(value.split())
        if field == "date":
            value = value.strip() or None
        if field == "org":
            value = value.strip() or None
        if value == current:
            return
        self.editRequested.emit(self.detail["id"], {field: value})

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()


class UnmergeConflictDialog(QDialog):
    """Asks, field by field, whether the value changed after the merge stays or the one from before comes back."""

    def __init__(self, merge_id: int, survivor: int, conflicts: list[dict], parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"Unmerge: record {survivor} changed since the merge")
        layout = QVBoxLayout(self)
        intro = QLabel(f"Merge {merge_id} changed these fields of record {survivor}, and they were changed again"
                       " after it. Which value should the record keep?")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        grid = QGridLayout()
        layout.addLayout(grid)
        self.groups: dict[str, QButtonGroup] = {}
        for row, c in enumerate(conflicts):
            grid.addWidget(QLabel(f"<b>{c['field']}</b><br>the merge set: {_short(c['merged'])}"), row, 0)
            keep = QRadioButton(f"Keep the current value: {_short(c['current'])}")
            restore = QRadioButton(f"Restore the value from before the merge: {_short(c['before'])}")
            keep.setChecked(True)
            group = QButtonGroup(self)
            group.addButton(keep, 0)
            group.addButton(restore, 1)
            self.groups[c["field"]] = group
            grid.addWidget(keep, row, 1)
            grid.addWidget(restore, row, 2)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Unmerge")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def answers(self) -> dict:
        return {field: "restore" if group.checkedId() == 1 else "keep" for field, group in self.groups.items()}


class _LibraryUndoKeys(QObject):
    """Ctrl+Z / Ctrl+Shift+Z in a field with no typing of its own to undo (right after Enter saved it) undo and
    redo the library's last change, as from the table; while the field has its own typing, they undo that."""

    def eventFilter(self, watched, event):
        if event.type() == QEvent.ShortcutOverride:
            undo, redo = event.matches(QKeySequence.Undo), event.matches(QKeySequence.Redo)
            if undo or redo:
                document = watched if isinstance(watched, QLineEdit) else watched.document()
                own = document.isUndoAvailable() if undo else document.isRedoAvailable()
                if not own:
                    event.ignore()
                    return True  # not taken by the field: the window's Undo / Redo action gets the keys
        return False


def _short(value) -> str:
    if isinstance(value, list):
        value = ", ".join(map(str, value))
    text = "(empty)" if value in (None, "") else str(value)
    return text if len(text) <= 80 else text[:77] + "…"
