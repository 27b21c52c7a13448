"""The Duplicates queue as a list model: 90,000 groups at a million records cost no widget item each.

A QListWidget held one item per group and laid out all of them (a size hint, with text shaping, per item) every
time it was refilled: a merge at 1M froze the window for 30-40 s. Here the view asks only for the rows on screen,
every row has the same height (header line + three record lines), the records' titles are read on demand a screen
at a time, and a change of the queue removes and inserts only the rows that differ (``set_groups``, ``remove``).
"""

from __future__ import annotations

import bisect

from PySide6.QtCore import QAbstractListModel, QModelIndex, QSize, Qt
from PySide6.QtGui import QColor

from ..core import curation
from ..core.duplicates import Group
from ..core.dupstore import order_key
from ..core.wording import count

COLORS = {"certain": "#1b5e20", "likely": "#8a6d00", "possible": "#6d6d6d"}
LINES = 4  # the header and three records (a bigger group: two and "… and N more")
BRIEFS_AHEAD = 120  # rows whose records are read at once when a row on screen needs its titles


def _key(group: Group) -> tuple:
    return group.records, group.confidence, group.score, tuple(group.reasons)


class GroupModel(QAbstractListModel):
    def __init__(self, library, parent=None):
        super().__init__(parent)
        self.library = library
        self.groups: list[Group] = []
        self.fresh: set[int] = set()
        self.briefs: dict[int, dict | None] = {}  # record -> title, authors, year (None: not in the library)
        self.line_height = 16
        self._by_record: dict[int, list[Group]] | None = None  # record -> its groups (_rows_touching)

    # --- what the view asks ------------------------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self.groups)

    def is_new(self, group: Group) -> bool:
        return bool(self.fresh.intersection(group.records))

    def text(self, row: int) -> str:
        group = self.groups[row]
        self._read_briefs(row)
        shown = group.records if len(group.records) <= LINES - 1 else group.records[:LINES - 2]
        lines = [("NEW  " if self.is_new(group) else "") + f"{group.confidence.upper()}  {group.score:.0f}   "
                 + "; ".join(group.reasons)]
        for pid in shown:
            b = self.briefs.get(pid)
            lines.append(f"   {pid}: {b['title']}  —  {b['authors']} ({b['year'] or '?'})" if b else f"   {pid}")
        if len(shown) < len(group.records):
            lines.append(f"   … and {count(len(group.records) - len(shown), 'more record')} (M shows them all)")
        return "\n".join(lines)

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self.groups):
            return None
        group = self.groups[index.row()]
        if role == Qt.DisplayRole:
            return self.text(index.row())
        if role == Qt.ForegroundRole:
            return QColor(COLORS[group.confidence])
        if role == Qt.ToolTipRole:
            return "M merge, N not duplicates, S skip"
        if role == Qt.UserRole:
            return group.records
        if role == Qt.TextAlignmentRole:  # header lines in line, whatever the number of records below
            return int(Qt.AlignLeft | Qt.AlignTop)
        if role == Qt.SizeHintRole:  # one height for every row: the view never measures them one by one
            return QSize(200, LINES * self.line_height + 6)
        return None

    def _read_briefs(self, row: int) -> None:
        """The titles of this row's records and of the rows after it, in one query, when not read yet."""
        if all(pid in self.briefs for pid in self.groups[row].records):
            return
        wanted = [pid for g in self.groups[row:row + BRIEFS_AHEAD] for pid in g.records if pid not in self.briefs]
        named = curation.briefs(self.library, wanted)
        for pid in wanted:
            self.briefs[pid] = named.get(pid)

    # --- changes -----------------------------------------------------------------------------------------

    def forget(self, records=None) -> None:
        """Titles to read again (records edited; None: all); the rows on screen are drawn again."""
        if records is None:
            self.briefs.clear()
        else:
            for pid in records:
                self.briefs.pop(pid, None)
        if self.groups:
            self.dataChanged.emit(self.index(0), self.index(len(self.groups) - 1), [Qt.DisplayRole])

    def set_groups(self, groups: list[Group], fresh: set[int]) -> tuple[int, int, int]:
        """Show ``groups``: the rows they share at the start and at the end with the rows shown stay; the rest
        is removed and inserted (one block). Returns (first changed row, rows removed, rows inserted)."""
        old, new = self.groups, list(groups)
        new_flags = [bool(fresh.intersection(g.records)) for g in new] if fresh else [False] * len(new)
        old_flags = [self.is_new(g) for g in old] if self.fresh else [False] * len(old)
        same = lambda a, b: _key(old[a]) == _key(new[b]) and old_flags[a] == new_flags[b]  # noqa: E731
        start = 0
        while start < len(old) and start < len(new) and same(start, start):
            start += 1
        end_old, end_new = len(old), len(new)
        while end_old > start and end_new > start and same(end_old - 1, end_new - 1):
            end_old, end_new = end_old - 1, end_new - 1
        self.fresh = set(fresh)
        if end_old > start:
            self.beginRemoveRows(QModelIndex(), start, end_old - 1)
            self.groups = old[:start] + old[end_old:]
            self.endRemoveRows()
        if end_new > start:
            self.beginInsertRows(QModelIndex(), start, end_new - 1)
            self.groups = self.groups[:start] + new[start:end_new] + self.groups[start:]
            self.endInsertRows()
        self.groups = new  # equal row for row to what the view was told
        self._by_record = None
        self._index()  # now, with the queue read, rather than at the first merge
        return start, end_old - start, end_new - start

    def insert_sorted(self, groups: list[Group], key) -> None:
        """Insert each of ``groups`` where ``key`` (the queue's order) puts it, one row at a time."""
        for group in sorted(groups, key=key):
            row = bisect.bisect_left(self.groups, key(group), key=key)
            self.beginInsertRows(QModelIndex(), row, row)
            self.groups.insert(row, group)
            self.endInsertRows()
            if self._by_record is not None:
                for pid in group.records:
                    self._by_record.setdefault(pid, []).append(group)

    def set_fresh(self, fresh: set[int]) -> None:
        if fresh != self.fresh:
            self.fresh = set(fresh)
            self.forget([])  # the NEW marks drawn again

    def _index(self) -> dict[int, list[Group]]:
        if self._by_record is None:
            self._by_record = {}
            for group in self.groups:
                for pid in group.records:
                    self._by_record.setdefault(pid, []).append(group)
        return self._by_record

    def _rows_touching(self, records) -> list[int]:
        """The rows of the groups holding any of ``records``, found through a record -> groups index (built at
        the first need after the groups were replaced) and the queue's order, not by a pass over 90,000 groups."""
        index = self._index()
        found = {id(g): g for pid in records for g in index.get(pid, ())}
        rows = []
        for group in found.values():
            row = bisect.bisect_left(self.groups, order_key(group), key=order_key)
            if not (row < len(self.groups) and self.groups[row] is group):  # a queue not in order (tests)
                row = next(i for i, g in enumerate(self.groups) if g is group)
            rows.append(row)
        return sorted(rows)

    def remove(self, drop, among=None) -> list[int]:
        """Remove the groups for which ``drop(group)`` is true, a run of rows at a time (bottom first, so the
        rows above keep their numbers); returns the rows removed (as they were numbered before). ``among``: the
        records every such group holds one of (only their groups are looked at)."""
        candidates = self._rows_touching(among) if among is not None else range(len(self.groups))
        rows = [i for i in candidates if drop(self.groups[i])]
        if self._by_record is not None:
            for i in rows:
                for pid in self.groups[i].records:
                    held = self._by_record.get(pid)
                    if held is not None:
                        held[:] = [g for g in held if g is not self.groups[i]]
        runs: list[list[int]] = []
        for r in rows:
            if runs and runs[-1][1] == r - 1:
                runs[-1][1] = r
            else:
                runs.append([r, r])
        for first, last in reversed(runs):
            self.beginRemoveRows(QModelIndex(), first, last)
            del self.groups[first:last + 1]
            self.endRemoveRows()
        return rows
