"""Moving around the window: the pages of the central stack, the sidebar's views, the search box.

A mixin of MainWindow: it uses the window's table, sidebar, stack, pages and search box.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from ..core import query


class Navigation:
    # --- pages -----------------------------------------------------------------------------------------------

    def show_records(self) -> None:
        if self.stack.currentWidget() is not self.table:
            self.stack.setCurrentWidget(self.table)
            self._selection_changed()

    def show_review(self) -> None:
        self.stack.setCurrentWidget(self.review)
        self.review.load_next()
        self.review.setFocus()

    def show_duplicates(self) -> None:
        self.stack.setCurrentWidget(self.duplicates)
        if (not self.duplicates.scanned or self.duplicates.stale) and self.duplicates.worker is None:
            self.duplicates.scan()
        self.duplicates.list.setFocus()

    def show_authors(self) -> None:
        self.stack.setCurrentWidget(self.authors_view)
        self.authors_view.open()
        self.authors_view.table.setFocus()

    def show_author(self, name: str) -> None:
        self.stack.setCurrentWidget(self.author_page)
        self.author_page.show_author(name)

    def compare_authors(self, names: list) -> None:
        self.stack.setCurrentWidget(self.compare_view)
        self.compare_view.compare(list(names))

    def open_author_of_current(self, position: int = 0) -> None:
        """The context menu's Author page: the page of the current record's author at ``position``."""
        detail = self.detail.detail
        if detail and 0 <= position < len(detail["authors"]):
            self.show_author(detail["authors"][position])

    def show_papers(self, label: str, ids: list) -> None:
        """Show exactly these records in the table (a chart's bar was clicked)."""
        self.show_records()
        self._set_filter(view="ids", ids=tuple(ids), search="", tag_ids=(), source_id=None)
        self._set_search_text("")
        self.statusBar().showMessage(f"Showing {len(ids)} records: {label}", 8000)

    # --- the table's filter ------------------------------------------------------------------------------------

    def focus_search(self) -> None:
        self.show_records()
        self.search.setFocus()
        self.search.selectAll()

    def _set_search_text(self, text: str) -> None:
        self.search.blockSignals(True)
        self.search.setText(text)
        self.search.blockSignals(False)

    def _apply_search(self, typed: bool = False) -> None:
        """Run the search in the box. While typing (``typed``), a search of only one- or two-letter words waits
        and a hint says why (core.query.MIN_TYPED_LETTERS); Enter runs any search."""
        self._search_timer.stop()
        text = self.search.text()
        if typed and query.too_short_to_type(text):
            self.statusBar().showMessage(query.TOO_SHORT_HINT, 8000)
            self.search.setToolTip(query.TOO_SHORT_HINT)
            return
        from ..core.search import parse_search

        problems = parse_search(text).problems  # "yeer:2021" finds nothing: say why instead of staying silent
        self.search.setToolTip("\n".join(problems))
        if problems:
            self.statusBar().showMessage(problems[0], 10000)
        self._set_filter(search=text)

    def _view_chosen(self, changes: dict) -> None:
        if changes.get("page") == "duplicates":
            self.show_duplicates()
            return
        if changes.get("page") == "authors":
            self.show_authors()
            return
        if "search" in changes:
            self._set_search_text(changes["search"])
        self.show_records()
        self._set_filter(**changes)

    def _set_filter(self, **changes) -> None:
        keep = self.current_id()
        self.model.set_filter(self.model.filter.with_(**changes))
        self._reselect(keep)

    def _reselect(self, paper_id: int | None) -> None:
        if not self.table.reselect(paper_id):
            self.detail.show_paper(None)

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

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total
        selected = self.table.selected_count()
        text = f"{shown:,} of {total:,} records"
        if selected > 1:
            text = f"{selected:,} selected — " + text
        self.count_label.setText(text)
