"""Edit > Preferences: the citation key pattern, in the style JabRef users know, with a live example."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QMessageBox, QPushButton, \
    QSpinBox, QVBoxLayout

from ...core import backup
from ...core.curation import ValidationError
from ...core.export import keys
from ...core.library import Library, LibraryError
from ...core.wording import count


class PreferencesDialog(QDialog):
    def __init__(self, library: Library, example: dict | None, parent=None, run=None):
        super().__init__(parent)
        self.library = library
        self.example = example
        # The window's Operations.run: the change reaches every view. Alone (tests), run it directly.
        self.run = run or (lambda operation, *args, **kwargs: operation(library, *args, **kwargs))
        self.setWindowTitle("Preferences")
        self.resize(640, 260)
        layout = QVBoxLayout(self)
        from ...core.libraries import display_name

        scope = QLabel(f"These settings belong to the library <b>{html.escape(display_name(library.path))}</b>:"
                       " they are kept in its file and travel with it.")
        scope.setObjectName("preferences-scope")
        scope.setToolTip(str(library.path))
        scope.setWordWrap(True)
        layout.addWidget(scope)
        form = QFormLayout()
        self.pattern = QLineEdit(keys.get_pattern(library))
        self.pattern.textChanged.connect(self._preview)
        form.addRow("Citation key &pattern", self.pattern)
        self.sample = QLabel("")
        form.addRow("For the selected record", self.sample)
        layout.addLayout(form)
        help_text = QLabel("Markers: [auth] [authN] [authors] [authorsN] [authEtAl] [year] [shortyear] [title] "
                           "[shorttitle] [veryshorttitle] [camel], with :lower :upper :abbr. Keys are made once and "
                           "kept, even after edits; a new pattern applies to records without a key, or to all "
                           "after Regenerate.")
        help_text.setWordWrap(True)
        layout.addWidget(help_text)
        backups = QFormLayout()
        self.keep = QSpinBox()
        self.keep.setObjectName("backups-kept")
        self.keep.setRange(1, 999)
        self.keep.setValue(backup.keep_count(library))
        self.keep.setToolTip("Automatic and manual backups of this library beyond this number are deleted, oldest"
                             " first, when the next backup is made")
        backups.addRow("&Backups kept", self.keep)
        self.space = QSpinBox()
        self.space.setObjectName("backups-space")
        self.space.setRange(0, 100_000)
        self.space.setSuffix(" GB")
        self.space.setSpecialValueText("no limit")
        limit = backup.space_limit(library)
        self.space.setValue(round(limit / 1e9) if limit else 0)
        self.space.setToolTip("All backups of this library together take at most this much: the oldest beyond it"
                              " are deleted when the next backup is made (the newest is always kept)")
        backups.addRow("Backups take at &most", self.space)
        self.space_now = QLabel(self._space_now())
        self.space_now.setObjectName("backups-space-now")
        backups.addRow("", self.space_now)
        layout.addLayout(backups)
        self.error = QLabel("")
        self.error.setStyleSheet("color: #b00020")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        self.regenerate = QPushButton("Regenerate all keys…")
        self.regenerate.clicked.connect(self._regenerate)
        buttons.addButton(self.regenerate, QDialogButtonBox.ResetRole)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self._preview()

    def _space_now(self) -> str:
        backups = backup.list_backups(self.library.path)
        return (f"Now: {count(len(backups), 'backup')} taking {backup.size_text(sum(b.size for b in backups))};"
                f" each about {backup.size_text(backup.backup_size(self.library))}")

    def _preview(self) -> None:
        try:
            pattern = keys.validate_pattern(self.pattern.text())
        except (ValidationError, ValueError) as exc:
            self.error.setText(str(exc))
            self.sample.setText("")
            return
        self.error.setText("")
        self.sample.setText(keys.generate_key(self.example, pattern) if self.example else "(no record selected)")

    def save(self) -> bool:
        try:
            self.run(keys.set_pattern, self.pattern.text())
            if self.keep.value() != backup.keep_count(self.library):
                backup.set_keep_count(self.library, self.keep.value())
            limit = backup.space_limit(self.library)
            if self.space.value() != (round(limit / 1e9) if limit else 0):
                backup.set_space_limit(self.library, int(self.space.value() * 1e9))
        except (ValidationError, ValueError, LibraryError) as exc:
            self.error.setText(str(exc))
            return False
        self.accept()
        return True

    def _regenerate(self) -> None:
        if QMessageBox.question(self, "Regenerate citation keys",
                                "Give every record a new key from this pattern? Documents that cite the old keys "
                                "will need updating. This cannot be undone with Ctrl+Z.") != QMessageBox.Yes:
            return
        if self.save():
            done = self.run(keys.assign_keys, None, keys.get_pattern(self.library), regenerate=True)
            QMessageBox.information(self.parentWidget(), "Citation keys", f"{count(len(done), 'key')} regenerated.")
