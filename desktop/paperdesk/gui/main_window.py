"""The main window: puts the pieces together and turns the librarian's requests into operations.

Where things are:
- records_table.py: the records table (columns, selection);  sidebar.py, detail_pane.py: left and right;
- actions.py: every menu, action and shortcut, declared in one table;
- navigation.py: switching pages, the sidebar's views and the search box;
- settings.py: the per-user settings (declared with types and defaults), window layout saved and restored;
- operations.py: runs each change, keeps undo/redo, and tells every view what changed (``_on_changes``);
- commands.py: the undoable commands themselves.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QInputDialog, QLabel, QLineEdit, QMainWindow, QMenu, \
    QMessageBox, QSplitter, QStackedWidget, QVBoxLayout, QWidget

from ..core import curation
from ..core.library import Library, LibraryError
from . import actions, commands
from .author_page import AuthorPage, CompareView
from .authors_view import AuthorsView
from .care import LibraryCare
from .detail_pane import DetailPane
from .dialogs.import_dialog import ImportDialog
from .dialogs.tag_manager import TagManager
from .dialogs.tag_picker import TagPicker
from .duplicates_page import DuplicatesPage
from .errors import show_error
from .focus_ring import FocusRing
from .libraries import LibraryFiles
from .navigation import FilterBanner, Navigation
from .operations import Operations
from .pinned import PinnedExports
from .records_table import RecordsTable
from .review_page import ReviewPage
from .settings import Settings, app_settings, restore_window, save_window
from .sidebar import Sidebar
from ..core.wording import count, merged_into

SEARCH_DELAY_MS = 250
AUTHOR_FIGURES_DELAY_MS = 1500  # after the first screen, not competing with it
SOURCE_COUNTS_DELAY_MS = 1000  # a large library's source counts, likewise (gui/sidebar.py)
# SQLite's page cache for the window's own connection. The table's queries read each index in one pass (the
# title index is 61 MB at a million records) and the OS keeps the file's pages cached anyway; the default
# 64 MB cache would only hold a second copy of them in the window's memory.
WINDOW_CACHE_MB = 16
POLL_MS = 2000
DEFAULT_PANES = (270, 860, 400)  # sidebar, table, detail on a wide screen; shared out by these shares when narrower
NARROW_PANES = (0.19, 0.55, 0.26)

__all__ = ["MainWindow", "app_settings"]


class MainWindow(Navigation, LibraryCare, LibraryFiles, QMainWindow):
    def __init__(self, library: Library, settings: QSettings | None = None, owns_library: bool = False):
        """``owns_library``: the window opened ``library`` itself and closes it when it closes (a window given a
        library by its caller leaves it open)."""
        super().__init__()
        self.library = library
        library.set_cache_mb(WINDOW_CACHE_MB)
        self.settings = Settings(settings)
        self.setAcceptDrops(True)
        self.undo_stack = QUndoStack(self)
        self.ops = Operations(library, self.undo_stack, self)
        self.ops.changed.connect(self._on_changes)
        self.pinned = PinnedExports(library, self.ops.worker_origin("pinned"), self)
        self.pinned.updated.connect(self._pins_updated)
        self.pinned.failed.connect(lambda sentence: self.statusBar().showMessage(sentence, 10000))
        self.ops.failed.connect(self._failed)
        self.ops.replaced.connect(lambda sentence: self.statusBar().showMessage(sentence, 10000))
        self.ops.refused.connect(self._refused)
        self.import_dialog: ImportDialog | None = None
        self.error_box = None

        self.table = RecordsTable(library)
        self.model = self.table.records
        self.table.contextMenuAt.connect(self._context_menu)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _: self.detail.title.setFocus())

        self.sidebar = Sidebar(library)
        self.sidebar.viewChosen.connect(self._view_chosen)
        self.sidebar.recordsDroppedOnTag.connect(self._tag_dropped)
        self.sidebar.tagMenuRequested.connect(self._tag_menu)
        self.sidebar.savedSearchDeleted.connect(self._delete_saved_search)
        self.sidebar.pinRemoved.connect(self.unpin_export)
        self.sidebar.subjectDecided.connect(self.decide_subject)
        self.sidebar.removeImportRequested.connect(self.remove_import)
        self.sidebar.emptyTrashRequested.connect(self.empty_trash)
        self.detail = DetailPane(library)
        # the pane's edits pass one check first: they go to the record whose values are on screen
        self.detail.editRequested.connect(lambda pid, changes: self._edits_shown_record(pid)
                                          and self.edit_record(pid, changes))
        self.detail.unmergeRequested.connect(self.unmerge)
        self.detail.citekeyRequested.connect(lambda pid, key: self._edits_shown_record(pid)
                                             and self.set_citekey(pid, key))
        self.detail.draftKept.connect(self._draft_kept)
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
        self.duplicates.scanStarted.connect(self._duplicates_scanning)
        self.duplicates.list.currentRowChanged.connect(self._duplicate_row)
        self.author_page = AuthorPage(library)
        self.author_page.papersChosen.connect(self.show_papers)
        self.author_page.mergeNamesRequested.connect(self.merge_names)
        self.author_page.differentPeopleRequested.connect(self.different_people)
        self.authors_view = AuthorsView(library)
        self.authors_view.authorChosen.connect(self.show_author)
        self.authors_view.compareRequested.connect(self.compare_authors)
        self.compare_view = CompareView(library)

        self.stack = QStackedWidget()
        for page in (self.table, self.review, self.duplicates, self.author_page, self.authors_view,
                     self.compare_view):
            self.stack.addWidget(page)
        self.banner = FilterBanner()  # above the table: which records a chart's bar listed, and Back
        self.banner_text = ""
        self.banner.backRequested.connect(self.go_back)
        self.banner.allRequested.connect(lambda: self.sidebar.select("all"))
        self.author_page.backRequested.connect(self.go_back)
        center = QWidget()
        center_layout = QVBoxLayout(center)
        center_layout.setContentsMargins(0, 0, 0, 0)
        center_layout.setSpacing(2)
        # Under the search box: why a search finds nothing when the words were not what was meant ("yeer:2021").
        self.search_problems = QLabel("")
        self.search_problems.setObjectName("search-problems")
        self.search_problems.setWordWrap(True)
        self.search_problems.setStyleSheet("color: #b35900; padding: 2px 6px")
        self.search_problems.hide()
        center_layout.addWidget(self.search_problems)
        center_layout.addWidget(self.banner)
        center_layout.addWidget(self.stack, 1)
        self.stack.currentChanged.connect(self._update_banner)
        self.splitter = QSplitter(Qt.Horizontal)
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(center)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes(list(DEFAULT_PANES))
        self.splitter.setChildrenCollapsible(False)
        self.setCentralWidget(self.splitter)

        self.search = QLineEdit()
        self.search.setPlaceholderText("Search  (words, \"phrases\", author:, year:2021..2023, tag:, category:, "
                                       "has:code, source:, is:review)   Ctrl+F")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(520)
        self._search_timer = QTimer(self, singleShot=True, interval=SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search.textChanged.connect(self._search_typed)
        self.search.returnPressed.connect(self._apply_search)
        self.count_label = QLabel("")
        self.statusBar().addPermanentWidget(self.count_label)
        self.setup_bulk_progress()  # care.py: the progress bar and Cancel of bulk operations
        self.setup_backup_status()  # care.py: the daily backup's progress and Stop
        self.actions_by_name = actions.build(self)
        self.undo_action, self.redo_action = self.actions_by_name["undo"], self.actions_by_name["redo"]
        self.column_actions = self.table.column_actions
        self.model.refreshed.connect(self._update_count)
        self.model.refreshed.connect(self._update_banner)
        self.model.completed.connect(self._hits_completed)
        self.model.rowsInserted.connect(lambda *_: self._update_count())  # rows fetched while counting
        self.author_page.settings = self.settings  # where its charts are saved
        self._update_back()
        self.init_library_files(owns_library)  # the title bar, the recent list (gui/libraries.py)

        self._poll = QTimer(self, interval=POLL_MS)  # another Paperdesk may write to the same library
        self._poll.timeout.connect(self._check_outside_changes)
        self._poll.start()
        # The record the detail pane shows is the table's current one; once the librarian works on it there, the
        # table never moves away from it by itself (a search's whole list arriving; see RecordsTable).
        self.table.holds_current = self.detail.in_use
        QApplication.instance().focusChanged.connect(self._focus_changed)
        self.focus_ring = FocusRing(self)  # the keyboard focus, clearly visible wherever it is
        # Tab goes round the window in reading order: search, sidebar, records, then the detail pane's fields.
        order = [self.search, self.sidebar.tree, self.sidebar.tag_mode, self.table, *self.detail.tab_chain()]
        for first, second in zip(order, order[1:]):
            QWidget.setTabOrder(first, second)
        restore_window(self, self.settings)
        if not self.model.loaded:
            self.model.reload()
        self._update_count()
        if self.model.rowCount() and not self.selected_ids():
            # the record the librarian had chosen when the library was closed, if the view still shows it
            record = getattr(self, "restored_record", None)
            if record is not None:
                self._reselect(record)  # the first row when the record is no longer shown
            else:
                self.select_row(0)
        # The per-author figures, brought up to date behind the first screen (a library fresh from an import
        # has none yet), so that the Authors view opens at once.
        self._authors_timer = QTimer(self, singleShot=True, interval=AUTHOR_FIGURES_DELAY_MS)
        self._authors_timer.timeout.connect(self.authors_view.prepare)
        self._authors_timer.start()
        QTimer.singleShot(SOURCE_COUNTS_DELAY_MS, self, self.sidebar.start_background_counts)
        # the duplicates queue the library holds (core/dupstore.py): the sidebar's count without a scan
        QTimer.singleShot(SOURCE_COUNTS_DELAY_MS, self, self.duplicates.load)

    def showEvent(self, event):
        super().showEvent(event)
        if not getattr(self, "_panes_placed", False):
            self._panes_placed = True
            if self.settings.get("window/splitter") is None:
                self.place_panes()

    def place_panes(self) -> None:
        """The default layout: on a narrow window (1024 pixels) the panes share the width so that the records
        table keeps room for its columns; on a wide one they take DEFAULT_PANES."""
        total = self.splitter.width() - self.splitter.handleWidth() * 2
        if total >= sum(DEFAULT_PANES):
            sizes = list(DEFAULT_PANES)
        else:
            sidebar = max(self.sidebar.minimumSizeHint().width(), round(total * NARROW_PANES[0]))
            detail = round(total * NARROW_PANES[2])
            sizes = [sidebar, total - sidebar - detail, detail]
        self.splitter.setSizes(sizes)

    # --- what changed: one path for do, undo, redo and other windows ---------------------------------------

    def _on_changes(self, changes) -> None:
        """Every view refreshes what ``changes`` touch (after an operation, its undo or redo, or elsewhere)."""
        self.table.apply_changes(changes)
        self.sidebar.apply_changes(changes)
        self.duplicates.apply_changes(changes)
        self.authors_view.apply_changes(changes)
        self.author_page.apply_changes(changes)
        self.review.apply_changes(changes)
        self.pinned.library_changed(changes)
        shown = self.detail.paper_id
        if shown is not None and (changes.touches([shown]) or changes.tags):
            self.detail.reload()
        self._sync_detail()
        self._update_count()

    # --- pinned exports ------------------------------------------------------------------------------------

    def pin_export(self) -> None:
        """File › Keep a .bib in sync: what the table shows now (its search and tags), rewritten on every change."""
        path, _ = QFileDialog.getSaveFileName(self, "Keep a .bib in sync", "references.bib", "BibTeX (*.bib)")
        if not path:
            return
        tags = [t["name"] for t in curation.tags(self.library) if t["id"] in (self.model.filter.tag_ids or ())]
        try:
            pin = self.pinned.pin(path, "bibtex", tags=tags, search=self.model.filter.search or "")
        except LibraryError as exc:
            self._failed(str(exc))
            return
        self.statusBar().showMessage(f"Keeping {pin.path} in sync: {pin.scope.describe()}", 8000)

    def unpin_export(self, pin_id: int) -> None:
        self.pinned.unpin(pin_id)

    def _pins_updated(self) -> None:
        self.sidebar.rebuild()

    def _failed(self, sentence: str) -> None:
        self.statusBar().showMessage(sentence, 10000)
        box = QMessageBox(QMessageBox.Warning, "Paperdesk", sentence, QMessageBox.Ok, self)
        box.setObjectName("failed-box")
        box.open()
        self.error_box = box

    def _refused(self, sentence: str) -> None:
        self.detail.show_error(sentence)
        self.statusBar().showMessage(sentence, 8000)

    def _push(self, command) -> bool:
        return self.ops.push(command)

    # --- menus ---------------------------------------------------------------------------------------------

    def _context_menu(self, pos) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        menu = QMenu(self)
        chosen = count(len(ids), "record")
        in_trash = self.model.filter.view == "trash"
        if in_trash:
            # a trashed record is only restored or looked at: tagging, exporting or opening an author page from
            # the Trash would act on records the library no longer shows
            menu.addAction(f"Restore {chosen} from the Trash", self.restore_selection)
        else:
            menu.addAction(f"Tag {chosen}…  (T)", self.tag_selection)
            menu.addAction("Remove a tag…  (Shift+T)", lambda: self.tag_selection(remove=True))
            menu.addAction(f"Export {chosen}…  (Ctrl+E)", lambda: self.open_export())
        menu.addAction("Copy BibTeX  (Ctrl+Shift+C)", self.copy_bibtex)
        cite = menu.addMenu("Copy citation as")
        from ..core.citation import STYLES

        for key, label in STYLES.items():
            cite.addAction(label, lambda k=key: self.choose_citation_style(k))
        if not in_trash:
            self._library_record_menu(menu, ids, chosen)
        self.context_menu = menu  # what was offered last, for tests
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def _library_record_menu(self, menu: QMenu, ids: list[int], chosen: str) -> None:
        menu.addAction(f"Move {chosen} to the Trash  (Del)", self.trash_selection)
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

    def _tag_menu(self, tag_id: int, global_pos) -> None:
        tag = next((t for t in curation.tags(self.library) if t["id"] == tag_id), None)
        if tag is None:
            return
        menu = QMenu(self)
        ids = self.selected_ids()
        if ids:
            menu.addAction(f"Tag the {count(len(ids), 'selected record')}", lambda: self.apply_tag(ids, tag_id, tag["name"]))
            menu.addAction(f"Untag the {count(len(ids), 'selected record')}",
                           lambda: self.apply_tag(ids, tag_id, tag["name"], remove=True))
            menu.addSeparator()
        menu.addAction("Manage tags…", lambda: self.open_tag_manager())
        menu.exec(global_pos)

    def show_history(self, show: bool = True) -> QDialog:
        from .dialogs.history import HistoryDialog

        dialog = HistoryDialog(self.ops, self)
        if show:
            dialog.open()
        return dialog

    def show_about(self, show: bool = True):
        from .dialogs.about import make_about_box

        box = make_about_box(self.library.path, self)
        if show:
            box.open()
        return box

    def show_guide(self, show: bool = True) -> QDialog:
        """F1: Help › Getting started, a short guide naming this library's own paths (gui/guide.py)."""
        from .guide import make_guide

        box = make_guide(self.library.path, self)
        if show:
            box.open()
        return box

    def show_shortcuts(self, show: bool = True) -> QDialog:
        """Ctrl+/: every shortcut, the menus' and each page's, in a list that scrolls on a small screen."""
        from PySide6.QtWidgets import QDialogButtonBox, QPlainTextEdit

        box = QDialog(self)
        box.setObjectName("shortcuts-box")
        box.setWindowTitle("Keyboard shortcuts")
        layout = QVBoxLayout(box)
        box.text = QPlainTextEdit("\n".join(actions.shortcut_lines()))
        box.text.setReadOnly(True)
        box.text.setLineWrapMode(QPlainTextEdit.NoWrap)
        layout.addWidget(box.text)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok)
        buttons.accepted.connect(box.accept)
        layout.addWidget(buttons)
        screen = self.screen().availableGeometry()
        box.resize(min(640, screen.width() - 40), min(640, screen.height() - 80))
        if show:
            box.open()
        return box

    def open_preferences(self, show: bool = True):
        from .dialogs.preferences import PreferencesDialog

        current = self.current_id()
        example = next(iter(self.library.iter_papers(ids=[current])), None) if current is not None else None
        dialog = PreferencesDialog(self.library, example, self, run=self.ops.run)
        if show:
            dialog.open()
        return dialog

    def open_export(self, show: bool = True):
        from .dialogs.export_dialog import ExportDialog

        dialog = ExportDialog(self.library, self.selected_ids(), self.model.all_ids(), self.view_label(), self,
                              self.settings, origin=self.ops.worker_origin("export"))
        if show:
            dialog.show()
        return dialog

    def open_tag_manager(self, show: bool = True) -> TagManager:
        manager = TagManager(self.library, self)
        lib = self.library
        manager.createRequested.connect(lambda n: self._push(commands.CreateTag(lib, n)))
        manager.renameRequested.connect(lambda t, n: self._push(commands.RenameTag(lib, t, n)))
        manager.recolorRequested.connect(lambda t, col: self._push(commands.RecolorTag(lib, t, col)))
        manager.mergeRequested.connect(lambda s, t: self._push(commands.MergeTags(lib, s, t, "Merge tags")))
        manager.deleteRequested.connect(lambda t: self._push(commands.DeleteTag(
            lib, t, next(x["name"] for x in curation.tags(lib) if x["id"] == t))))
        self.ops.changed.connect(manager.reload)
        manager.finished.connect(lambda _: self.ops.changed.disconnect(manager.reload))
        if show:
            manager.show()
        return manager

    # --- edits (each one an undoable command) -------------------------------------------------------------

    def _focus_changed(self, _old, new) -> None:
        if new is not None and self.detail.isAncestorOf(new):
            self.table.keep_current()

    def _draft_kept(self, paper_id: int, fields: list) -> None:
        self.statusBar().showMessage(
            f"Not saved: your typing in {', '.join(fields)} of record {paper_id} is kept for that record and comes"
            " back when it is shown again (Esc there discards it)", 10000)

    def _edits_shown_record(self, paper_id: int) -> bool:
        """An edit from the detail pane goes to the record whose values it shows, which is the records table's
        current record while the table is on screen; if they ever differ, nothing is written."""
        if self.stack.currentWidget() is not self.table:
            return True  # the Review and Duplicates pages choose the pane's record themselves
        current = self._table_record()
        if paper_id == current:
            return True
        self.detail.show_error(f"Not saved: the record on screen changed (record {current} is current, the edit"
                               f" was for record {paper_id}). Type it again where you mean it.")
        self._sync_detail()
        return False

    def edit_record(self, paper_id: int, changes: dict) -> None:
        if self._push(commands.EditFields(self.library, paper_id, changes)):
            self.statusBar().showMessage(f"Saved: {', '.join(changes)}", 3000)

    def tag_selection(self, remove: bool = False) -> None:
        ids = self.selected_ids()
        if not ids:
            self.statusBar().showMessage("Select records first", 3000)
            return
        picker = TagPicker([t["name"] for t in curation.tags(self.library)], len(ids), remove, self)
        self.tag_picker = picker
        if picker.exec() != QDialog.Accepted or not picker.tag_name():
            return
        name = picker.tag_name()
        tag = curation.tag_by_name(self.library, name)
        if tag is None:
            if remove:
                self.statusBar().showMessage(f"There is no tag called '{name}'", 4000)
                return
            self._push(commands.CreateAndTag(self.library, name, ids))
        else:
            self.apply_tag(ids, tag["id"], tag["name"], remove)

    def apply_tag(self, ids: list[int], tag_id: int, name: str, remove: bool = False) -> None:
        self._push(commands.TagRecords(self.library, ids, tag_id, name, remove))

    def _tag_dropped(self, tag_id: int, ids: list) -> None:
        tag = next((t for t in curation.tags(self.library) if t["id"] == tag_id), None)
        if tag:
            self.apply_tag([int(i) for i in ids], tag_id, tag["name"])

    def _resolve(self, paper_id: int, title: str, authors: list) -> None:
        if self._push(commands.ResolveReview(self.library, paper_id, title, authors)):
            self.statusBar().showMessage(f"Resolved: {title}", 4000)
            self.review.load_next()

    def decide_subject(self, source_id: int, name: str, confirmed: bool) -> None:
        if self._push(commands.DecideSubject(self.library, source_id, name, confirmed)):
            verb = "counts for" if confirmed else "is not about"
            self.statusBar().showMessage(f"The listing {verb} {name}", 5000)

    def merge_names(self, keep: str, others: list) -> None:
        if self._push(commands.MergeNames(self.library, keep, list(others))):
            self.author_page.show_author(keep)
            self.statusBar().showMessage(f"{', '.join(others)} merged into {keep} (Ctrl+Z undoes)", 6000)

    def different_people(self, name: str, other: str) -> None:
        if self._push(commands.DifferentPeople(self.library, name, other)):
            self.author_page.show_author(name)

    def open_merge(self, records: list, reasons: list, show: bool = True):
        from .dialogs.merge import MergeDialog

        dialog = MergeDialog(self.library, records, reasons, self)
        dialog.mergeRequested.connect(self._merge)
        if show:
            dialog.open()
        return dialog

    def _merge(self, survivor: int, others: list, fields: dict) -> None:
        if self._push(commands.MergeRecords(self.library, survivor, others, fields)):
            self.statusBar().showMessage(f"Merged {merged_into(others, survivor)}", 5000)

    def mark_distinct(self, records: list) -> None:
        if self._push(commands.MarkDistinct(self.library, list(records))):
            self.statusBar().showMessage("Marked as not duplicates; they will not be proposed again", 5000)

    def bulk_merge(self, groups: list, show: bool = True):
        from .dialogs.bulk_merge import BulkMergeDialog

        dialog = BulkMergeDialog(self.library, groups, self)
        dialog.planChosen.connect(self._bulk_merge)
        if show:
            dialog.open()
        return dialog

    def _bulk_merge(self, plan: list) -> None:
        if plan and self._push(commands.BulkMerge(self.library, plan)):
            self.statusBar().showMessage(f"Merged {count(len(plan), 'group')} (one Ctrl+Z undoes it all)", 6000)

    def unmerge(self, merge_id: int, survivor: int, resolve=None) -> None:
        if self._push(commands.Unmerge(self.library, merge_id, survivor, resolve)):
            self.statusBar().showMessage("Unmerged: the records are back", 5000)

    def set_citekey(self, paper_id: int, key) -> None:
        if self._push(commands.SetCitekey(self.library, paper_id, key)):
            self.statusBar().showMessage(f"Citation key set to {key}", 4000)

    def _duplicate_count(self, count: int) -> None:
        """The Duplicates page's count of groups; -1: none known (never scanned, or its scan was cancelled).
        Only the entry's words change (in place): a rebuild recounts every view, a fifth of a second at a
        million records, and the count changes with every merge."""
        self.sidebar.duplicate_note = "not scanned yet" if count < 0 else ""
        self.sidebar.duplicate_count = count if count >= 0 else None
        self.sidebar.show_duplicates_state()

    def _duplicates_scanning(self) -> None:
        if self.sidebar.duplicate_count is None and self.duplicates.worker is not None \
                and not self.duplicates.worker.load:  # a scan with no count shown yet: said, not a blank
            self.sidebar.duplicate_note = "looking…"
            self.sidebar.show_duplicates_state()

    def _duplicate_row(self, row: int) -> None:
        # The Duplicates page refills its list whenever its groups change (an import's scan, an undo) while the
        # table may be showing: only the page on screen may choose the detail pane's record, or an edit typed
        # there would go to a record the table does not have selected.
        if self.stack.currentWidget() is not self.duplicates:
            return
        group = self.duplicates.current_group()
        if group:
            self.detail.show_paper(group.records[0])

    # --- saved searches (not undoable; the views hear of them all the same) --------------------------------

    def _delete_saved_search(self, name: str) -> None:
        self.ops.run(curation.delete_saved_search, name)

    def save_current_search(self) -> None:
        text = self.search.text().strip()
        if not text:
            self.statusBar().showMessage("Type a search first, then save it", 4000)
            return
        name, ok = QInputDialog.getText(self, "Save search", "Name for this search:", text=text)
        if ok and name.strip():
            self.ops.run(curation.save_search, name.strip(), text)

    # --- import -------------------------------------------------------------------------------------------

    def import_dialog_open(self) -> None:
        last = self.settings.get("import/last_folder")
        paths, _ = QFileDialog.getOpenFileNames(self, "Import dumps", last, "Dumps (*.txt);;All files (*)")
        if paths:
            self.settings.set("import/last_folder", str(Path(paths[0]).parent))
            self.ask_and_import(paths)

    def ask_and_import(self, paths, show: bool = True):
        """Ask when the pages were captured (the dates without a year are read against it), then import."""
        from .dialogs.import_dialog import CaptureQuestion

        question = CaptureQuestion(paths, self)
        question.accepted.connect(lambda: self.import_files(paths, question.captured()))
        self.capture_question = question
        if show:
            question.open()
        return question

    def import_files(self, paths, captured=None) -> ImportDialog | None:
        if self.ops.refuse_while_busy():  # one writer at a time: the import would wait on the bulk change
            return None
        dialog = ImportDialog(self.library.path, paths, captured, self, origin=self.ops.worker_origin("import"))
        dialog.done_importing.connect(lambda results: self._imported(results, dialog))
        self.import_dialog = dialog
        dialog.show()
        return dialog

    def _imported(self, results: list, dialog: ImportDialog | None = None) -> None:
        self.ops.check_elsewhere(force=True)  # the Duplicates page hears of the new records and scans them
        added = sum(r["added"] for r in results)
        if added:
            self.sidebar.select("recent")
        self.statusBar().showMessage(f"Import finished: {count(added, 'record')} added", 8000)
        if dialog is not None:
            dialog.follow_duplicates(self.duplicates)

    def dragEnterEvent(self, event):
        if event.mimeData().hasUrls() and all(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event):
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            if not self.open_dropped_library(paths):  # a library file dropped on the window opens it
                self.ask_and_import(paths)  # dump files: when were they captured? then imported

    # --- another Paperdesk on the same library ------------------------------------------------------------

    def _check_outside_changes(self) -> None:
        _, foreign = self.ops.check_elsewhere()
        if foreign:
            self.statusBar().showMessage("The library was changed elsewhere; the view is up to date", 5000)

    def refresh_all(self) -> None:
        """F5: read everything again (after a change no event describes, say a restored backup)."""
        from ..core.changes import EVERYTHING

        self.ops.check_elsewhere(force=True)
        self._on_changes(EVERYTHING)

    # --- remembered layout --------------------------------------------------------------------------------

    def save_settings(self) -> None:
        save_window(self, self.settings)

    def closeEvent(self, event):
        # Settings saved, timers and workers stopped (a search typed just before closing must not run on a
        # closed library), the connection closed if this window opened it: gui/libraries.py.
        self.shutdown()
        super().closeEvent(event)
