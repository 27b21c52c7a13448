"""Moving around the window: the pages of the central stack, the sidebar's views, the search box, and Back.

A mixin of MainWindow: it uses the window's table, sidebar, stack, pages and search box.

Back (Alt+Left, or the Back buttons) returns to where the librarian was before opening a page: from the records a
chart's bar listed to that author page, from an author page to the Authors list or the records.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from ..core.wording import count

BACK_DEPTH = 50


class FilterBanner(QFrame):
    """Above the records table while it lists what a chart's bar selected: which records these are, Back to the
    page they came from, and the way to all records."""

    backRequested = Signal()
    allRequested = Signal()

    def __init__(self):
        super().__init__()
        self.setObjectName("filter-banner")
        self.setStyleSheet("#filter-banner { background: #fff4cc; border: 1px solid #e0c060; border-radius: 3px; }")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel("")
        self.label.setWordWrap(True)
        row.addWidget(self.label, 1)
        self.back = QPushButton("Back")
        self.back.setToolTip("Back to the page these records came from (Alt+Left)")
        self.back.clicked.connect(self.backRequested)
        row.addWidget(self.back)
        self.all = QPushButton("All records")
        self.all.clicked.connect(self.allRequested)
        row.addWidget(self.all)
        self.hide()


class Navigation:
    # --- Back ------------------------------------------------------------------------------------------------

    def _location(self) -> tuple:
        page = self.stack.currentWidget()
        if page is self.author_page:
            return ("author", self.author_page.name)
        if page is self.authors_view:
            return ("authors",)
        if page is self.compare_view:
            return ("compare", tuple(self.compare_view.names))
        if page is self.duplicates:
            return ("duplicates",)
        if page is self.review:
            return ("review",)
        return ("records", self.model.filter, self.banner_text)

    def _remember(self) -> None:
        """Before going elsewhere: where we are, for Back."""
        back = self.__dict__.setdefault("back_stack", [])
        here = self._location()
        if not back or back[-1] != here:
            back.append(here)
            del back[:-BACK_DEPTH]
        self._update_back()

    def go_back(self) -> None:
        """Alt+Left: to the page before (the author page a chart's bar came from, say)."""
        back = self.__dict__.setdefault("back_stack", [])
        here = self._location()
        while back and back[-1] == here:
            back.pop()
        if not back:
            self.statusBar().showMessage("Nothing to go back to", 3000)
            return
        place = back.pop()
        kind = place[0]
        if kind == "author":
            self.stack.setCurrentWidget(self.author_page)
            if self.author_page.name != place[1]:
                self.author_page.show_author(place[1])
            self.sidebar.mark(None)
        elif kind == "authors":
            self.stack.setCurrentWidget(self.authors_view)
            self.sidebar.mark("authors")
        elif kind == "compare":
            self.stack.setCurrentWidget(self.compare_view)
        elif kind == "duplicates":
            self.show_duplicates()
        elif kind == "review":
            self.show_review()
        else:
            _, old_filter, banner = place
            self.banner_text = banner
            self.stack.setCurrentWidget(self.table)
            self._set_search_text(old_filter.search)
            keep = self.current_id()
            self.model.set_filter(old_filter)
            self._reselect(keep)
            self._mark_sidebar()
        self._update_banner()
        self._update_back()

    def _update_back(self) -> None:
        can = bool(self.__dict__.get("back_stack"))
        for button in (self.banner.back, self.author_page.back):
            button.setEnabled(can)

    def _update_banner(self, *_) -> None:
        on = self.stack.currentWidget() is self.table and self.model.filter.view == "ids"
        if on:
            self.banner.label.setText(self.banner_text or f"Showing {count(len(self.model.ids), 'chosen record')}")
        self.banner.setVisible(on)

    # --- pages -----------------------------------------------------------------------------------------------

    def show_records(self, mark: bool = True) -> None:
        """Back to the records table (Ctrl+1); ``mark``: the sidebar selects what the table shows (not when the
        sidebar itself asked for it)."""
        if self.stack.currentWidget() is not self.table:
            self._remember()
            self.stack.setCurrentWidget(self.table)
            self._selection_changed()
            if mark:
                self._mark_sidebar()
        if self.focusWidget() is None or not self.focusWidget().isVisible():
            self.table.setFocus()

    def _mark_sidebar(self) -> None:
        """The sidebar selects the entry of what the table shows (not the page just left)."""
        f = self.model.filter
        if f.view == "tags":
            self.sidebar.mark("tag", f.tag_ids)
        elif f.view == "source":
            self.sidebar.mark("source", f.source_id)
        elif f.view == "ids":
            self.sidebar.mark(None)
        else:
            self.sidebar.mark(f.view)

    def show_review(self) -> None:
        self._remember()
        self.stack.setCurrentWidget(self.review)
        self.review.load_next()
        self.review.setFocus()

    def show_duplicates(self) -> None:
        if self.stack.currentWidget() is not self.duplicates:
            self._remember()
        self.stack.setCurrentWidget(self.duplicates)
        self._duplicate_row(self.duplicates.list.currentRow())  # the pane follows the page now on screen
        self.sidebar.mark("duplicates")
        self.duplicates.opened()
        self.duplicates.list.setFocus()

    def show_authors(self) -> None:
        if self.stack.currentWidget() is not self.authors_view:
            self._remember()
        self.stack.setCurrentWidget(self.authors_view)
        self.sidebar.mark("authors")
        self.authors_view.open()
        self.authors_view.table.setFocus()

    def show_author(self, name: str) -> None:
        self._remember()
        self.stack.setCurrentWidget(self.author_page)
        self.sidebar.mark(None)
        self.author_page.show_author(name)

    def compare_authors(self, names: list) -> None:
        self._remember()
        self.stack.setCurrentWidget(self.compare_view)
        self.compare_view.compare(list(names))

    def open_author_of_current(self, position: int = 0) -> None:
        """The context menu's Author page: the page of the current record's author at ``position``."""
        detail = self.detail.detail
        if detail and 0 <= position < len(detail["authors"]):
            self.show_author(detail["authors"][position])

    def show_papers(self, label: str, ids: list) -> None:
        """Show exactly these records in the table (a chart's bar was clicked); the banner above the table says
        which they are, and Back returns to the page the bar was on."""
        self._remember()
        self.banner_text = f"Showing {count(len(ids), 'record')}: {label}"
        self.show_records(mark=False)
        self._set_filter(view="ids", ids=tuple(ids), search="", tag_ids=(), source_id=None)
        self._set_search_text("")
        self._mark_sidebar()
        self._update_banner()
        self._update_back()
        self.statusBar().showMessage(self.banner_text, 8000)

    # --- the table's filter ------------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.show_records()
        self.search.setFocus()
        self.search.selectAll()

    def _set_search_text(self, text: str) -> None:
        self.search.blockSignals(True)
        self.search.setText(text)
        self.search.blockSignals(False)
        self._show_search_problems(text)

    def _show_search_problems(self, text: str) -> list[str]:
        """Why ``text`` may not find what was meant ("yeer:2021"), in the box's tooltip and under it; returns
        the sentences (none for a good search)."""
        from ..core.search import parse_search

        problems = parse_search(text).problems if text.strip() else []
        self.search.setToolTip("\n".join(problems))
        self.search_problems.setText("\n".join(problems))
        self.search_problems.setVisible(bool(problems))
        return problems

    def _search_typed(self, text: str) -> None:
        """A keystroke in the search box: the search runs after a pause, and until its first screen is in,
        the count says so (the rows shown meanwhile are the previous search's)."""
        self._search_timer.start()
        self._update_count()

    def _searching_sign(self) -> str | None:
        """While a typed search waits to run: what the count label says instead of the previous search's count."""
        text = self.search.text()
        if not self._search_timer.isActive() or text == self.model.filter.search:
            return None  # nothing typed since (or typed back to the search shown: its count stands)
        return f"Searching for ‘{text.strip()}’…" if text.strip() else "Showing every record…"

    def _apply_search(self) -> None:
        """Run the search in the box (typed: after a pause; Enter: now). However short, it shows its first
        screen at once; the whole hit list and its count follow (RecordsModel, core.hits)."""
        self._search_timer.stop()
        text = self.search.text()
        problems = self._show_search_problems(text)  # "yeer:2021" finds nothing: say why, not stay silent
        if problems:
            self.statusBar().showMessage(problems[0], 10000)
        self.statusBar().layout().activate()  # room for the sign's words, then paint it now: it stays on screen
        self.count_label.repaint()  # while the first screen is fetched (on this thread)
        self._set_filter(search=text)
        self._update_count()  # the first screen is in: the sign gives way to the count (also when unchanged)

    def _view_chosen(self, changes: dict) -> None:
        if changes.get("page") == "duplicates":
            self.show_duplicates()
            return
        if changes.get("page") == "authors":
            self.show_authors()
            return
        if "search" in changes:
            self._set_search_text(changes["search"])
        self.show_records(mark=False)
        self._set_filter(**changes)

    def _set_filter(self, **changes) -> None:
        keep = self.current_id()
        self.model.set_filter(self.model.filter.with_(**changes))
        self._reselect(keep)

    def _hits_completed(self, _replaced: bool) -> None:
        """The whole hit list arrived (the table has selected again what it had to): the pane and the count
        follow."""
        self._sync_detail()
        self._update_count()

    def _reselect(self, paper_id: int | None) -> None:
        self.table.reselect(paper_id)
        self._sync_detail()

    def view_label(self) -> str:
        items = [i for i in self.sidebar.tree.selectedItems() if i.data(0, Qt.UserRole)]
        label = ", ".join(i.text(0).rsplit("  (", 1)[0] for i in items) or "All records"
        if self.model.filter.search.strip():
            label += f", search '{self.model.filter.search.strip()}'"
        return label

    # --- selection and the status bar's count ------------------------------------------------------------------

    def select_row(self, row: int) -> None:
        self.table.select_row(row)

    def selected_ids(self) -> list[int]:
        return self.table.selected_ids()

    def current_id(self) -> int | None:
        return self.table.current_id()

    def _selection_changed(self, *_):
        ids = self.selected_ids()
        current = self.current_id()
        self.detail.show_paper(current if current in ids else (ids[0] if ids else None))
        self._update_count()

    def _sync_detail(self) -> None:
        """The detail pane shows the table's current record, or none: never one the table no longer lists
        (after a change here or in another window moved the rows without a selection signal)."""
        if self.stack.currentWidget() is not self.table:
            return
        ids = self.selected_ids()
        current = self.current_id()
        wanted = current if current in ids else (ids[0] if ids else None)
        if wanted != self.detail.paper_id:
            self.detail.show_paper(wanted)

    def _update_count(self) -> None:
        sign = self._searching_sign()
        if sign is not None:  # the rows below are still the previous search's: no count of them
            self.count_label.setText(sign)
            return
        shown, total = self.model.rowCount(), self.model.total
        selected = self.table.selected_count()
        text = f"{shown:,} of {count(total, 'record', grouped=True)}"
        if not self.model.complete:  # a search's first hits: the whole list and its count are on their way
            text = f"{shown:,}+ of {count(total, 'record', grouped=True)} — counting…"
        if selected > 1:
            text = f"{selected:,} selected — " + text
        if self.table.deferred:  # changed while another page covers the table: counted again when it shows
            text += " (before the last changes: counted again when the records show)"
        self.count_label.setText(text)
