"""The merge dialog: two or more records side by side, differences highlighted word by word, a choice per field,
a free edit of the result, and a live preview of the merged record and of its BibTeX.

Nothing is deleted: the records not chosen as survivor are hidden and linked to it, and the merge can be undone
later from the survivor's history (core.merging).
"""

from __future__ import annotations

import difflib
import html
import io

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QGridLayout, QLabel, QLineEdit, \
    QPlainTextEdit, QRadioButton, QScrollArea, QSplitter, QTextBrowser, QVBoxLayout, QWidget

from ...core import curation
from ...core.library import Library
from ...core.wording import count, shorten

PREVIEW_ABSTRACT = 1500  # characters of the abstract in the preview (it scrolls); longer ones end in "…"

FIELDS = (("title", "Title"), ("authors", "Authors"), ("authors_truncated", "et al."), ("date", "Date"),
          ("category", "Category"), ("has_code", "Code"), ("org", "Organisation"), ("abstract", "Abstract"))


def as_text(field: str, value) -> str:
    if field == "authors":
        return ", ".join(value)
    if field in ("has_code", "authors_truncated"):
        return "yes" if value else "no"
    return "" if value is None else str(value)


def from_text(field: str, text: str):
    if field == "authors":
        return [n.strip() for n in text.split(",") if n.strip()]
    if field in ("has_code", "authors_truncated"):
        return text.strip().lower() in ("yes", "true", "1")
    return text


def word_diff_html(text: str, other: str) -> str:
    """``text`` with the words that ``other`` lacks highlighted."""
    a, b = text.split(), other.split()
    out = []
    for op, i1, i2, _, _ in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        chunk = html.escape(" ".join(a[i1:i2]))
        if not chunk:
            continue
        out.append(chunk if op == "equal" else f"<span style='background:#ffe08a'>{chunk}</span>")
    return " ".join(out)


class MergeDialog(QDialog):
    mergeRequested = Signal("qint64", list, dict)  # survivor, others, fields

    def __init__(self, library: Library, paper_ids: list[int], reasons: list[str] | None = None, parent=None):
        super().__init__(parent)
        self.library = library
        self.ids = list(paper_ids)
        self.details = [curation.paper_detail(library, pid) for pid in self.ids]
        self.setWindowTitle(f"Merge {count(len(self.ids), 'record')}")
        self.resize(1280, 820)
        layout = QVBoxLayout(self)
        if reasons:
            why = QLabel("Why these look like one paper: " + "; ".join(reasons))
            why.setWordWrap(True)
            layout.addWidget(why)
        head = QGridLayout()
        head.addWidget(QLabel("<b>Keep as the surviving record:</b>"), 0, 0)
        self.survivor = QComboBox()
        for d in self.details:
            self.survivor.addItem(f"record {d['id']} — {d['provenance'][0]['file'] if d['provenance'] else ''}", d["id"])
        head.addWidget(self.survivor, 0, 1)
        head.setColumnStretch(2, 1)
        layout.addLayout(head)

        splitter = QSplitter(Qt.Vertical)
        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setColumnStretch(len(self.ids) + 1, 2)
        grid.addWidget(QLabel("<b>Field</b>"), 0, 0)
        for col, d in enumerate(self.details, start=1):
            grid.addWidget(QLabel(f"<b>Record {d['id']}</b>"), 0, col)
            grid.setColumnStretch(col, 2)
        grid.addWidget(QLabel("<b>Merged record (editable)</b>"), 0, len(self.ids) + 1)
        self.choices: dict[str, QButtonGroup] = {}
        self.results: dict[str, QWidget] = {}
        for row, (field, label) in enumerate(FIELDS, start=1):
            grid.addWidget(QLabel(label), row, 0, Qt.AlignTop)
            values = [as_text(field, d[field]) for d in self.details]
            group = QButtonGroup(self)
            for col, value in enumerate(values):
                others = " ".join(v for i, v in enumerate(values) if i != col)
                button = QRadioButton()
                button.setToolTip(f"Take the {label.lower()} of record {self.ids[col]}")
                shown = QLabel(word_diff_html(value, others) if len(set(values)) > 1 else html.escape(value))
                shown.setWordWrap(True)
                shown.setTextFormat(Qt.RichText)
                shown.setMaximumHeight(120 if field == "abstract" else 60)
                cell = QWidget()
                cell_layout = QGridLayout(cell)
                cell_layout.setContentsMargins(0, 0, 0, 0)
                cell_layout.addWidget(button, 0, 0, Qt.AlignTop)
                cell_layout.addWidget(shown, 0, 1)
                cell_layout.setColumnStretch(1, 1)
                group.addButton(button, col)
                grid.addWidget(cell, row, col + 1)
            group.button(0).setChecked(True)
            group.idClicked.connect(lambda col, f=field: self._take(f, col))
            self.choices[field] = group
            editor = QPlainTextEdit(values[0]) if field == "abstract" else QLineEdit(values[0])
            if field == "abstract":
                editor.setMaximumHeight(120)
                editor.textChanged.connect(self.update_preview)
            else:
                editor.setCursorPosition(0)
                editor.textEdited.connect(lambda _: self.update_preview())
            self.results[field] = editor
            grid.addWidget(editor, row, len(self.ids) + 1)
        grid.setRowStretch(len(FIELDS) + 1, 1)  # spare height goes below the fields, not between them
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(grid_host)
        splitter.addWidget(scroll)

        bottom = QWidget()
        bottom_layout = QGridLayout(bottom)
        tags = sorted({t for d in self.details for t in d["tags"]})
        sources = [f"{p['file']}:{p['line']}" for d in self.details for p in d["provenance"]]
        union = QLabel(f"<b>Tags after the merge:</b> {html.escape(', '.join(tags)) or 'none'}<br>"
                       f"<b>Sources kept:</b> {html.escape(', '.join(sources))}<br>"
                       "The other records are hidden and linked to the survivor; Unmerge in its history brings "
                       "them back.")
        union.setWordWrap(True)
        bottom_layout.addWidget(union, 0, 0, 1, 2)
        self.preview = QTextBrowser()
        self.bibtex = QPlainTextEdit()
        self.bibtex.setReadOnly(True)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.Monospace)
        self.bibtex.setFont(mono)
        bottom_layout.addWidget(QLabel("<b>Merged record</b>"), 1, 0)
        bottom_layout.addWidget(QLabel("<b>Its BibTeX</b>"), 1, 1)
        bottom_layout.addWidget(self.preview, 2, 0)
        bottom_layout.addWidget(self.bibtex, 2, 1)
        splitter.addWidget(bottom)
        splitter.setSizes([520, 280])
        layout.addWidget(splitter, 1)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b00020")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("&Merge")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.update_preview()

    def _take(self, field: str, col: int) -> None:
        value = as_text(field, self.details[col][field])
        editor = self.results[field]
        if isinstance(editor, QPlainTextEdit):
            editor.setPlainText(value)
        else:
            editor.setText(value)
            editor.setCursorPosition(0)
        self.update_preview()

    def merged_fields(self) -> dict:
        fields = {}
        for field, _ in FIELDS:
            editor = self.results[field]
            text = editor.toPlainText() if isinstance(editor, QPlainTextEdit) else editor.text()
            fields[field] = from_text(field, text)
        return fields

    def merged_paper(self) -> dict:
        survivor = self.details[self.ids.index(self.survivor.currentData())]
        fields = self.merged_fields()
        return {
            **fields,
            "id": survivor["id"],
            "citekey": None,
            "score": survivor["score"],
            "code_urls": sorted({u for d in self.details for u in d["code_urls"]}),
            "tags": sorted({t for d in self.details for t in d["tags"]}),
            "needs_review": False,
            "review": None,
            "sources": [{"file": p["file"], "line": p["line"]} for d in self.details for p in d["provenance"]],
        }

    def update_preview(self) -> None:
        # The preview scrolls: the abstract is shown whole up to a long limit, then cut between words with "…".
        paper = self.merged_paper()
        lines = [f"<b>{html.escape(paper['title'])}</b>", html.escape(", ".join(paper["authors"]) +
                                                                      (" et al." if paper["authors_truncated"] else "")),
                 f"{html.escape(str(paper['date'] or 'no date'))} · {html.escape(str(paper['category']))}"
                 f"{' · code' if paper['has_code'] else ''}", html.escape(shorten(paper["abstract"], PREVIEW_ABSTRACT))]
        self.preview.setHtml("<br>".join(lines))
        buffer = io.StringIO()
        try:
            from ...core.export import make_writer

            make_writer("bibtex")([paper], buffer)
            self.bibtex.setPlainText(buffer.getvalue())
        except Exception as exc:  # the preview must never stop the librarian from merging
            self.bibtex.setPlainText(f"(no preview: {exc})")

    def _accept(self) -> None:
        survivor = self.survivor.currentData()
        fields = self.merged_fields()
        for field, value in fields.items():
            try:
                curation.validate(field, value)
            except curation.ValidationError as exc:
                self.error.setText(str(exc))
                return
        self.mergeRequested.emit(survivor, [i for i in self.ids if i != survivor], fields)
        self.accept()
