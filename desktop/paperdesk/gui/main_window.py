"""The main window: sidebar, records table, detail pane, status bar; menus, shortcuts, undo, import, settings."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QItemSelectionModel, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QHeaderView, QInputDialog, QLabel, QLineEdit, \
    QMainWindow, QMenu, QMessageBox, QSplitter, QStackedWidget, QTableView, QToolBar, QUndoView, \
    QVBoxLayout, QDialog

from ..core import curation, query
from ..core.curation import ValidationError
from ..core.library import Library, LibraryError
from . import commands
from .detail_pane import DetailPane
from .author_page import AuthorPage, CompareView
from .authors_view import AuthorsView
from .duplicates_page import DuplicatesPage
from .dialogs.import_dialog import ImportDialog
from .dialogs.tag_manager import TagManager
from .dialogs.tag_picker import TagPicker
from .records_model import RecordsModel
from .review_page import ReviewPage
from .sidebar import Sidebar

DEFAULT_HIDDEN = {"date", "flags"}
SEARCH_DELAY_MS = 250
AUTHOR_FIGURES_DELAY_MS = 1500  # after the first screen, not competing with it


def app_settings() -> QSettings:
    return QSettings(QSettings.IniFormat, QSettings.UserScope, "Paperdesk", "Paperdesk")


class MainWindow(QMainWindow):
    def __init__(self, library: Library, settings: QSettings | None = None):
        super().__init__()
        self.library = library
        self.settings = settings or app_settings()
        # Qt appends the application's display name itself: "library.sqlite — Paperdesk".
        self.setWindowTitle(library.path.name)
        self.setAcceptDrops(True)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(lambda _: None)
        self._data_version = self._read_data_version()
        self.import_dialog: ImportDialog | None = None

        self.model = RecordsModel(library, self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(0, Qt.AscendingOrder)  # before sorting is switched on
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragOnly)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setContextMenuPolicy(Qt.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._context_menu)
        vertical = self.table.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.Fixed)  # ResizeToContents never finishes on a million rows
        vertical.setDefaultSectionSize(24)
        vertical.hide()
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setStretchLastSection(False)
        header.setContextMenuPolicy(Qt.CustomContextMenu)
        header.customContextMenuRequested.connect(self._column_menu)
        widths = {"title": 400, "authors": 240, "year": 54, "date": 90, "category": 70, "code": 48, "tags": 140,
                  "sources": 64, "flags": 100}
        for column, key in enumerate(query.COLUMN_KEYS):
            self.table.setColumnWidth(column, widths[key])
            self.table.setColumnHidden(column, key in DEFAULT_HIDDEN)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _: self.detail.title.setFocus())

        self.sidebar = Sidebar(library)
        self.sidebar.viewChosen.connect(self._view_chosen)
        self.sidebar.recordsDroppedOnTag.connect(self._tag_dropped)
        self.sidebar.tagMenuRequested.connect(self._tag_menu)
        self.sidebar.savedSearchDeleted.connect(self._delete_saved_search)
        self.sidebar.subjectDecided.connect(self.decide_subject)
        self.detail = DetailPane(library)
        self.detail.editRequested.connect(self.edit_record)
        self.review = ReviewPage(library)
        self.review.resolveRequested.connect(self._resolve)
        self.review.closeRequested.connect(self.show_records)
        self.review.recordShown.connect(self.detail.show_paper)

        self.duplicates = DuplicatesPage(library)
        self.duplicates.mergeRequested.connect(self.open_merge)
        self.duplicates.distinctRequested.connect(self.mark_distinct)
        self.duplicates.bulkRequested.connect(self.bulk_merge)
        self.duplicates.closeRequested.connect(self.show_records)
        self.duplicates.countChanged.connect(self._duplicate_count)
        self.duplicates.list.currentRowChanged.connect(self._duplicate_row)
        self.detail.unmergeRequested.connect(self.unmerge)
        self.detail.citekeyRequested.connect(self.set_citekey)

        self.stack = QStackedWidget()
        self.stack.addWidget(self.table)
        self.stack.addWidget(self.review)
        self.stack.addWidget(self.duplicates)
        self.author_page = AuthorPage(library)
        self.author_page.papersChosen.connect(self.show_papers)
        self.author_page.mergeNamesRequested.connect(self.merge_names)
        self.author_page.differentPeopleRequested.connect(self.different_people)
        self.stack.addWidget(self.author_page)
        self.authors_view = AuthorsView(library)
        self.authors_view.authorChosen.connect(self.show_author)
        self.authors_view.compareRequested.connect(self.compare_authors)
        self.stack.addWidget(self.authors_view)
        self.compare_view = CompareView(library)
        self.stack.addWidget(self.compare_view)
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.stack)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([270, 860, 400])
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search  (words, \"phrases\", author:, year:2021..2023, tag:, category:, "
                                       "has:code, source:, is:review)   Ctrl+F")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(520)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(lambda _: self._search_timer.start())
        self.search.returnPressed.connect(self._apply_search)
        self.count_label = QLabel("")
        self.statusBar().addPermanentWidget(self.count_label)
        self._build_actions()
        self.model.refreshed.connect(self._update_count)

        self._poll = QTimer(self, interval=2000)  # another Paperdesk may write to the same library
        self._poll.timeout.connect(self._check_outside_changes)
        self._poll.start()
        self._restore_settings()
        if not self.model.loaded:
            self.model.reload()
        self._update_count()
        if self.model.rowCount() and not self.selected_ids():
            self.select_row(0)
        # The per-author figures, brought up to date behind the first screen (a library fresh from an import
        # has none yet), so that the Authors view opens at once.
        self._authors_timer = QTimer(self, singleShot=True, interval=AUTHOR_FIGURES_DELAY_MS)
        self._authors_timer.timeout.connect(self.authors_view.prepare)
        self._authors_timer.start()

    def select_row(self, row: int) -> None:
        """Make ``row`` the current and only selected record (whatever the view's focus or visibility)."""
        index = self.model.index(row, 0)
        if index.isValid():
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.ClearAndSelect | QItemSelectionModel.Rows)
            self.table.scrollTo(index)

    # --- menus and actions ------------------------------------------------------------------------------

    def _action(self, menu: QMenu, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        menu.addAction(action)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self._action(file, "&Import dumps…", self.import_dialog_open, "Ctrl+I", "Import dump files into the library")
        self._action(file, "&Export…", self.open_export, "Ctrl+E", "Write records to BibTeX, CSL-JSON, RIS, CSV…")
        self._action(file, "&Refresh", self.refresh_all, QKeySequence.Refresh, "Show changes made elsewhere")
        file.addSeparator()
        self._action(file, "&Quit", self.close, QKeySequence.Quit)

        edit = bar.addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence("Ctrl+Z"))
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        edit.addAction(undo)
        edit.addAction(redo)
        self.undo_action, self.redo_action = undo, redo
        self._action(edit, "&History…", self.show_history, "Ctrl+H", "Every change of this session, undoable")
        edit.addSeparator()
        self._action(edit, "&Tag selection…", self.tag_selection, "T", "Add a tag to the selected records")
        self._action(edit, "Remove tag from selection…", lambda: self.tag_selection(remove=True), "Shift+T")
        self._action(edit, "Tag &manager…", self.open_tag_manager, "Ctrl+Shift+T")
        edit.addSeparator()
        self._action(edit, "&Find", self.focus_search, QKeySequence.Find)
        self._action(edit, "&Save this search…", self.save_current_search, "Ctrl+Shift+S")
        edit.addSeparator()
        self._action(edit, "&Preferences…", self.open_preferences, QKeySequence.Preferences)

        view = bar.addMenu("&View")
        self._action(view, "Needs &review queue", self.show_review, "Ctrl+R")
        self._action(view, "&Duplicates", self.show_duplicates, "Ctrl+D", "Find and merge duplicate records")
        self._action(view, "&Authors", self.show_authors, "Ctrl+U", "Every author with their figures")
        self._action(view, "&Records", self.show_records, "Ctrl+1")
        columns = view.addMenu("&Columns")
        self.column_actions = []
        for column, (key, title, _, _) in enumerate(query.COLUMNS):
            action = QAction(title, self, checkable=True)
            action.setChecked(not self.table.isColumnHidden(column))
            action.toggled.connect(lambda on, c=column: self.table.setColumnHidden(c, not on))
            if key == "title":
                action.setEnabled(False)
            columns.addAction(action)
            self.column_actions.append(action)

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&Keyboard shortcuts", self.show_shortcuts, "F1")
        self._action(help_menu, "&About Paperdesk", self.show_about)

        toolbar = QToolBar("Search")
        toolbar.setObjectName("search-toolbar")
        toolbar.setMovable(False)
        toolbar.addWidget(self.search)
        save = QAction("Save search", self)
        save.triggered.connect(self.save_current_search)
        toolbar.addAction(save)
        self.addToolBar(toolbar)

    def _column_menu(self, pos) -> None:
        menu = QMenu(self)
        for action in self.column_actions:
            menu.addAction(action)
        menu.exec(self.table.horizontalHeader().mapToGlobal(pos))

    def _context_menu(self, pos) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        menu = QMenu(self)
        menu.addAction(f"Tag {len(ids)} record{'s' if len(ids) != 1 else ''}…  (T)", self.tag_selection)
        menu.addAction("Remove a tag…  (Shift+T)", lambda: self.tag_selection(remove=True))
        menu.addAction(f"Export {len(ids)} record{'s' if len(ids) != 1 else ''}…  (Ctrl+E)", self.open_export)
        detail = self.detail.detail
        if detail and detail["authors"]:
            people = menu.addMenu("Author page")
            for position, name in enumerate(detail["authors"]):
                people.addAction(name, lambda p=position: self.open_author_of_current(p))
        tags = curation.tags(self.library)
        if tags:
            add = menu.addMenu("Add tag")
            remove = menu.addMenu("Remove tag")
            for tag in tags:
                add.addAction(tag["name"], lambda t=tag: self.apply_tag(ids, t["id"], t["name"]))
                remove.addAction(tag["name"], lambda t=tag: self.apply_tag(ids, t["id"], t["name"], remove=True))
        menu.exec(self.table.viewport().mapToGlobal(pos))

    # --- views and filters --------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.show_records()
        self.search.setFocus()
        self.search.selectAll()

    def _apply_search(self) -> None:
        self._search_timer.stop()
        self._set_filter(search=self.search.text())

    def _view_chosen(self, changes: dict) -> None:
        if changes.get("page") == "duplicates":
            self.show_duplicates()
            return
        if changes.get("page") == "authors":
            self.show_authors()
            return
        if "search" in changes:
            self.search.blockSignals(True)
            self.search.setText(changes["search"])
            self.search.blockSignals(False)
        self.show_records()
        self._set_filter(**changes)

    def _set_filter(self, **changes) -> None:
        keep = self.current_id()
        self.model.set_filter(self.model.filter.with_(**changes))
        self._reselect(keep)

    def _reselect(self, paper_id: int | None) -> None:
        row = self.model.row_of(paper_id) if paper_id is not None else -1
        if row < 0 and self.model.rowCount():
            row = 0
        if row >= 0:
            self.select_row(row)
        else:
            self.detail.show_paper(None)

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        selected = len(self.table.selectionModel().selectedRows()) if self.table.selectionModel() else 0
        text = f"{shown:,} of {total:,} records"
        if selected > 1:
            text = f"{selected:,} selected — " + text
        self.count_label.setText(text)

    def selected_ids(self) -> list[int]:
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [self.model.id_at(r) for r in rows if self.model.id_at(r) is not None]

    def current_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.id_at(index.row()) if index.isValid() else None

    def _selection_changed(self, *_):
        ids = self.selected_ids()
        current = self.current_id()
        self.detail.show_paper(current if current in ids else (ids[0] if ids else None))
        self._update_count()

    def show_review(self) -> None:
        self.stack.setCurrentWidget(self.review)
        self.review.load_next()
        self.review.setFocus()

    def show_authors(self) -> None:
        self.stack.setCurrentWidget(self.authors_view)
        self.authors_view.open()
        self.authors_view.table.setFocus()

    def open_author_of_current(self, position: int = 0) -> None:
        """The context menu's Author page: the page of the current record's author at ``position``."""
        detail = self.detail.detail
        if detail and 0 <= position < len(detail["authors"]):
            self.show_author(detail["authors"][position])

    def compare_authors(self, names: list) -> None:
        self.stack.setCurrentWidget(self.compare_view)
        self.compare_view.compare(list(names))

    def show_author(self, name: str) -> None:
        self.stack.setCurrentWidget(self.author_page)
        self.author_page.show_author(name)

    def decide_subject(self, source_id: int, name: str, confirmed: bool) -> None:
        if self._push(lambda: commands.DecideSubject(self.library, self._changed, source_id, name, confirmed)):
            verb = "counts for" if confirmed else "is not about"
            self.statusBar().showMessage(f"The listing {verb} {name}", 5000)

    def merge_names(self, keep: str, others: list) -> None:
        if self._push(lambda: commands.MergeNames(self.library, self._changed, keep, list(others))):
            self.model.reload()
            self.author_page.show_author(keep)
            self.statusBar().showMessage(f"{', '.join(others)} merged into {keep} (Ctrl+Z undoes)", 6000)

    def different_people(self, name: str, other: str) -> None:
        if self._push(lambda: commands.DifferentPeople(self.library, self._changed, name, other)):
            self.author_page.show_author(name)

    def show_papers(self, label: str, ids: list) -> None:
        """Show exactly these records in the table (a chart's bar was clicked)."""
        self.show_records()
        self._set_filter(view="ids", ids=tuple(ids), search="", tag_ids=(), source_id=None)
        self.search.blockSignals(True)
        self.search.setText("")
        self.search.blockSignals(False)
        self.statusBar().showMessage(f"Showing {len(ids)} records: {label}", 8000)

    def show_duplicates(self) -> None:
        self.stack.setCurrentWidget(self.duplicates)
        if not self.duplicates.groups and self.duplicates.worker is None:
            self.duplicates.scan()
        self.duplicates.list.setFocus()

    def _duplicate_count(self, count: int) -> None:
        self.sidebar.duplicate_count = count
        self.sidebar.rebuild()

    def _duplicate_row(self, row: int) -> None:
        group = self.duplicates.current_group()
        if group:
            self.detail.show_paper(group.records[0])

    def open_merge(self, records: list, reasons: list, show: bool = True):
        from .dialogs.merge import MergeDialog

        dialog = MergeDialog(self.library, records, reasons, self)
        dialog.mergeRequested.connect(self._merge)
        if show:
            dialog.open()
        return dialog

    def _merge(self, survivor: int, others: list, fields: dict) -> None:
        if self._push(lambda: commands.MergeRecords(self.library, self._changed, survivor, others, fields)):
            self.duplicates.resolved([survivor, *others])
            self.statusBar().showMessage(f"Merged {len(others) + 1} records into record {survivor}", 5000)
            self.model.reload()

    def mark_distinct(self, records: list) -> None:
        if self._push(lambda: commands.MarkDistinct(self.library, self._changed, list(records))):
            self.duplicates.resolved(records)
            self.statusBar().showMessage("Marked as not duplicates; they will not be proposed again", 5000)

    def bulk_merge(self, groups: list, show: bool = True):
        from .dialogs.bulk_merge import BulkMergeDialog

        dialog = BulkMergeDialog(self.library, groups, self)
        dialog.planChosen.connect(self._bulk_merge)
        if show:
            dialog.open()
        return dialog

    def _bulk_merge(self, plan: list) -> None:
        if plan and self._push(lambda: commands.BulkMerge(self.library, self._changed, plan)):
            self.duplicates.resolved([i for s, o in plan for i in (s, *o)])
            self.model.reload()
            self.statusBar().showMessage(f"Merged {len(plan)} groups (one Ctrl+Z undoes them all)", 6000)

    def set_citekey(self, paper_id: int, key) -> None:
        if self._push(lambda: commands.SetCitekey(self.library, self._changed, paper_id, key)):
            self.statusBar().showMessage(f"Citation key set to {key}", 4000)

    def open_preferences(self, show: bool = True):
        from .dialogs.preferences import PreferencesDialog

        current = self.current_id()
        example = next(iter(self.library.iter_papers(ids=[current])), None) if current is not None else None
        dialog = PreferencesDialog(self.library, example, self)
        if show:
            dialog.open()
        return dialog

    def unmerge(self, merge_id: int, survivor: int, resolve=None) -> None:
        if self._push(lambda: commands.Unmerge(self.library, self._changed, merge_id, survivor, resolve)):
            self.model.reload()
            self.statusBar().showMessage("Unmerged: the records are back", 5000)

    def show_records(self) -> None:
        if self.stack.currentWidget() is not self.table:
            self.stack.setCurrentWidget(self.table)
            self._selection_changed()

    def show_history(self) -> None:
        dialog = QDialog(self)
        dialog.setWindowTitle("History of this session")
        layout = QVBoxLayout(dialog)
        view = QUndoView(self.undo_stack)
        view.setEmptyLabel("<library as opened>")
        layout.addWidget(QLabel("Click a step to go back (or forward) to it:"))
        layout.addWidget(view)
        dialog.resize(480, 360)
        dialog.exec()

    def show_about(self, show: bool = True):
        from .dialogs.about import make_about_box

        box = make_about_box(self.library.path, self)
        if show:
            box.open()
        return box

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", "\n".join([
            "Ctrl+F  search        Ctrl+I  import dumps        F5  refresh",
            "T  tag the selection        Shift+T  remove a tag        Ctrl+Shift+T  tag manager",
            "Ctrl+Z  undo        Ctrl+Shift+Z  redo        Ctrl+H  history",
            "Ctrl+R  needs-review queue (1-9 picks a reading, Ctrl+Enter splits at the cursor, Esc goes back)",
            "In the detail pane: Enter or leaving a field saves it; Ctrl+Enter in multi-line fields; Esc reverts",
        ]))

    # --- edits (each one an undoable command) -------------------------------------------------------------

    def _changed(self, paper_ids: list[int], counts_changed: bool) -> None:
        self.model.refresh_rows(paper_ids)
        self.authors_view.library_changed()
        if counts_changed:
            self.sidebar.rebuild()
        if self.detail.paper_id in paper_ids or counts_changed:
            self.detail.reload()
        self._data_version = self._read_data_version()

    def _push(self, make) -> bool:
        """Build a command (which may refuse with a ValidationError) and push it; report failures clearly."""
        try:
            command = make()
        except ValidationError as exc:
            self.detail.show_error(str(exc))
            self.statusBar().showMessage(str(exc), 8000)
            return False
        except LibraryError as exc:
            QMessageBox.warning(self, "Paperdesk", str(exc))
            return False
        if getattr(command, "is_noop", False):
            return False
        try:
            self.undo_stack.push(command)
        except LibraryError as exc:
            QMessageBox.warning(self, "Paperdesk", str(exc))
            return False
        return True

    def edit_record(self, paper_id: int, changes: dict) -> None:
        if self._push(lambda: commands.EditFields(self.library, self._changed, paper_id, changes)):
            self.statusBar().showMessage(f"Saved: {', '.join(changes)}", 3000)

    def tag_selection(self, remove: bool = False) -> None:
        ids = self.selected_ids()
        if not ids:
            self.statusBar().showMessage("Select records first", 3000)
            return
        picker = TagPicker([t["name"] for t in curation.tags(self.library)], len(ids), remove, self)
        if picker.exec() != QDialog.Accepted or not picker.tag_name():
            return
        name = picker.tag_name()
        tag = curation.tag_by_name(self.library, name)
        if tag is None:
            if remove:
                self.statusBar().showMessage(f"There is no tag called '{name}'", 4000)
                return
            self.undo_stack.beginMacro(f"Tag '{name}' on {len(ids)} records")
            ok = self._push(lambda: commands.CreateTag(self.library, self._changed, name))
            if ok:
                tag = curation.tag_by_name(self.library, name)
                self._push(lambda: commands.TagRecords(self.library, self._changed, ids, tag["id"], tag["name"]))
            self.undo_stack.endMacro()
        else:
            self.apply_tag(ids, tag["id"], tag["name"], remove)

    def apply_tag(self, ids: list[int], tag_id: int, name: str, remove: bool = False) -> None:
        self._push(lambda: commands.TagRecords(self.library, self._changed, ids, tag_id, name, remove))

    def _tag_dropped(self, tag_id: int, ids: list) -> None:
        tag = next((t for t in curation.tags(self.library) if t["id"] == tag_id), None)
        if tag:
            self.apply_tag([int(i) for i in ids], tag_id, tag["name"])

    def _resolve(self, paper_id: int, title: str, authors: list) -> None:
        if self._push(lambda: commands.ResolveReview(self.library, self._changed, paper_id, title, authors)):
            self.statusBar().showMessage(f"Resolved: {title}", 4000)
            self.review.load_next()

    def open_tag_manager(self, show: bool = True) -> TagManager:
        manager = TagManager(self.library, self)
        c = self._changed
        manager.createRequested.connect(lambda n: self._push(lambda: commands.CreateTag(self.library, c, n)))
        manager.renameRequested.connect(lambda t, n: self._push(lambda: commands.RenameTag(self.library, c, t, n)))
        manager.recolorRequested.connect(lambda t, col: self._push(lambda: commands.RecolorTag(self.library, c, t, col)))
        manager.mergeRequested.connect(lambda s, t: self._push(lambda: commands.MergeTags(
            self.library, c, s, t, "Merge tags")))
        manager.deleteRequested.connect(lambda t: self._push(lambda: commands.DeleteTag(
            self.library, c, t, next(x["name"] for x in curation.tags(self.library) if x["id"] == t))))
        for signal in (manager.createRequested, manager.renameRequested, manager.recolorRequested,
                       manager.mergeRequested, manager.deleteRequested):
            signal.connect(manager.reload)
        self.undo_stack.indexChanged.connect(manager.reload)
        manager.finished.connect(lambda _: self.undo_stack.indexChanged.disconnect(manager.reload))
        if show:
            manager.show()
        return manager

    def view_label(self) -> str:
        kind, value = self.sidebar.current_entry()
        items = [i for i in self.sidebar.tree.selectedItems() if i.data(0, Qt.UserRole)]
        label = ", ".join(i.text(0).rsplit("  (", 1)[0] for i in items) or "All records"
        if self.model.filter.search.strip():
            label += f", search '{self.model.filter.search.strip()}'"
        return label

    def open_export(self, show: bool = True):
        from .dialogs.export_dialog import ExportDialog

        dialog = ExportDialog(self.library, self.selected_ids(), list(self.model.ids), self.view_label(), self,
                              self.settings)
        if show:
            dialog.show()
        return dialog

    def _tag_menu(self, tag_id: int, global_pos) -> None:
        tag = next((t for t in curation.tags(self.library) if t["id"] == tag_id), None)
        if tag is None:
            return
        menu = QMenu(self)
        ids = self.selected_ids()
        if ids:
            menu.addAction(f"Tag the {len(ids)} selected records", lambda: self.apply_tag(ids, tag_id, tag["name"]))
            menu.addAction(f"Untag the {len(ids)} selected records",
                           lambda: self.apply_tag(ids, tag_id, tag["name"], remove=True))
            menu.addSeparator()
        menu.addAction("Manage tags…", self.open_tag_manager)
        menu.exec(global_pos)

    def _delete_saved_search(self, name: str) -> None:
        curation.delete_saved_search(self.library, name)
        self.sidebar.rebuild()

    def save_current_search(self) -> None:
        text = self.search.text().strip()
        if not text:
            self.statusBar().showMessage("Type a search first, then save it", 4000)
            return
        name, ok = QInputDialog.getText(self, "Save search", "Name for this search:", text=text)
        if ok and name.strip():
            curation.save_search(self.library, name.strip(), text)
            self.sidebar.rebuild()

    # --- import -------------------------------------------------------------------------------------------

    def import_dialog_open(self) -> None:
        last = self.settings.value("import/last_folder", str(Path.home()))
        paths, _ = QFileDialog.getOpenFileNames(self, "Import dumps", last, "Dumps (*.txt);;All files (*)")
        if paths:
            self.settings.setValue("import/last_folder", str(Path(paths[0]).parent))
            self.import_files(paths)

    def import_files(self, paths, captured=None) -> ImportDialog:
        dialog = ImportDialog(self.library.path, paths, captured, self)
        dialog.done_importing.connect(self._imported)
        self.import_dialog = dialog
        dialog.show()
        return dialog

    def _imported(self, results: list) -> None:
        self.refresh_all()
        added = sum(r["added"] for r in results)
        if added:
            self.sidebar.select("recent")
        self.statusBar().showMessage(f"Import finished: {added} records added", 8000)

    def dragEnterEvent(self, event):
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event):
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.import_files(paths)

    # --- another Paperdesk on the same library ------------------------------------------------------------

    def _read_data_version(self) -> int:
        return self.library.conn.execute("PRAGMA data_version").fetchone()[0]

    def _check_outside_changes(self) -> None:
        version = self._read_data_version()
        if version != self._data_version:
            self._data_version = version
            self.refresh_all()
            self.statusBar().showMessage("The library was changed elsewhere; the view is up to date", 5000)

    def refresh_all(self) -> None:
        keep = self.current_id()
        self.model.reload()
        self.sidebar.rebuild()
        self._reselect(keep)
        if self.stack.currentWidget() is self.review:
            self.review.load_next()
        self.authors_view.library_changed()
        self._data_version = self._read_data_version()

    # --- remembered layout --------------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        s = self.settings
        if s.value("window/geometry") is not None:
            self.restoreGeometry(QByteArray(s.value("window/geometry")))
        else:
            self.resize(1500, 860)
        if s.value("window/state") is not None:
            self.restoreState(QByteArray(s.value("window/state")))
        if s.value("window/splitter") is not None:
            self.splitter.restoreState(QByteArray(s.value("window/splitter")))
        if s.value("table/header") is not None:
            self.table.horizontalHeader().restoreState(QByteArray(s.value("table/header")))
            for column, action in enumerate(self.column_actions):
                action.setChecked(not self.table.isColumnHidden(column))
        header = self.table.horizontalHeader()
        sort_column = header.sortIndicatorSection()
        order = header.sortIndicatorOrder()
        search = s.value("view/search", "")
        kind, value = s.value("view/kind", "all"), s.value("view/value", None)
        if search:
            self.search.blockSignals(True)
            self.search.setText(search)
            self.search.blockSignals(False)
        if kind in ("review", "recent"):
            self.sidebar.select(kind)
        elif kind in ("source", "tag") and value is not None:
            try:
                self.sidebar.select(kind, int(value))
            except (TypeError, ValueError):
                pass
        self.model.sort(sort_column, order)
        self._set_filter(search=search)

    def save_settings(self) -> None:
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("window/splitter", self.splitter.saveState())
        s.setValue("table/header", self.table.horizontalHeader().saveState())
        kind, value = self.sidebar.current_entry()
        s.setValue("view/kind", kind)
        s.setValue("view/value", value)
        s.setValue("view/search", self.search.text())
        s.sync()

    def closeEvent(self, event):
        self.save_settings()
        self._poll.stop()
        self._authors_timer.stop()
        self.authors_view.shutdown()
        super().closeEvent(event)
