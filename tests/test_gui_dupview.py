"""The Duplicates list is a model over the queue (no widget item per group) that a merge, its undo and 'not
duplicates' change by the rows they concern: never rebuilt whole (a QListWidget refilled with 90,000 items froze
the window 30-40 s after each merge at a million records). The page is compared with SQLite after each step."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QListWidget

from generate import generate
from paperdesk.core import dupstore, merging
from paperdesk.core.library import Library
from paperdesk.gui.dialogs.merge import MergeDialog
from paperdesk.gui.main_window import MainWindow
from conftest import disk
from test_gui_dupstore import settled, shape, sidebar_count


@pytest.fixture
def many(tmp_path, qtbot):
    """A window on a generated library with many duplicate groups, its full scan done."""
    result = generate(tmp_path / "dumps", 3000, seed=5, records_per_file=500, sibling_share=0.04)
    library = Library(tmp_path / "many.sqlite")
    library.import_files(sorted(result.files), dt.date(2026, 6, 5))
    window = MainWindow(library, QSettings(str(tmp_path / "many.ini"), QSettings.IniFormat))
    qtbot.addWidget(window)
    window.show()
    window.actions_by_name["show_duplicates"].trigger()
    settled(window, qtbot)
    assert len(window.duplicates.groups) >= 100
    return window


class Changes:
    """What the list's model reports to its view."""

    def __init__(self, model):
        self.log = []
        model.modelReset.connect(lambda: self.log.append(("reset",)))
        model.layoutChanged.connect(lambda *_: self.log.append(("layout",)))
        model.rowsRemoved.connect(lambda _, a, b: self.log.append(("removed", a, b)))
        model.rowsInserted.connect(lambda _, a, b: self.log.append(("inserted", a, b)))

    def rows(self):
        return sum(entry[2] - entry[1] + 1 for entry in self.log if entry[0] in ("removed", "inserted"))


def check(window):
    """The list shows the groups the library stores (read on a connection of its own), row for row."""
    page = window.duplicates
    with Library(window.library.path) as own:
        stored = dupstore.load(own)
    assert shape(page.groups) == shape(stored.groups)
    assert page.list.count() == page.model.rowCount() == len(page.groups)
    for row in (0, len(page.groups) // 2, len(page.groups) - 1):
        group = page.groups[row]
        assert page.model.data(page.model.index(row), Qt.UserRole) == group.records
        assert page.list.text(row).split("\n")[0].endswith("; ".join(group.reasons))
        for pid, line in zip(group.records, page.list.text(row).split("\n")[1:]):
            title = disk(window.library, "SELECT title FROM papers WHERE id = ?", pid)[0][0]
            assert line.startswith(f"   {pid}: {title}")
    assert sidebar_count(window) == f"Duplicates  ({len(page.groups):,})"


def test_the_list_is_a_model_and_a_merge_undo_and_n_change_only_their_rows(many, qtbot):
    window, page = many, many.duplicates
    assert not page.findChildren(QListWidget) and page.list.uniformItemSizes()
    check(window)
    # the row a merge takes away is removed (and the survivor's group, if it changed), nothing laid out whole
    row = len(page.groups) // 2
    page.list.setCurrentRow(row)
    merged, below = page.groups[row].records, page.groups[row + 1].records
    changes = Changes(page.model)
    qtbot.keyClick(page.list, Qt.Key_M)
    dialog = next(d for d in QApplication.topLevelWidgets() if isinstance(d, MergeDialog) and d.isVisible())
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()  # the Merge button
    settled(window, qtbot)
    assert disk(window.library, "SELECT COUNT(*) FROM merges")[0][0] == 1
    assert ("reset",) not in changes.log and ("layout",) not in changes.log
    assert 1 <= changes.rows() <= 4, changes.log
    assert page.groups[page.list.currentRow()].records == below  # the next group, where the librarian was
    assert not any(set(merged[1:]) & set(g.records) for g in page.groups)
    check(window)
    # its undo (Ctrl+Z) brings the group back by inserting its row
    changes = Changes(page.model)
    window.undo_action.trigger()
    settled(window, qtbot)
    assert ("reset",) not in changes.log and 1 <= changes.rows() <= 4, changes.log
    assert any(g.records == merged for g in page.groups)
    # nothing was imported: no group is NEW, the title counts none (an undone merge's group was shown NEW)
    assert not any(page.list.text(i).startswith("NEW") for i in range(page.list.count()))
    assert "new records" not in page.title.text() and not disk(window.library, "SELECT id FROM dup_fresh")
    check(window)
    # redo (Ctrl+Shift+Z) takes it away again
    window.redo_action.trigger()
    settled(window, qtbot)
    assert not any(g.records == merged for g in page.groups)
    check(window)
    # N: one row goes, the next is current
    row = 3
    page.list.setCurrentRow(row)
    distinct, below = page.groups[row].records, page.groups[row + 1].records
    changes = Changes(page.model)
    qtbot.keyClick(page.list, Qt.Key_N)
    settled(window, qtbot)
    assert changes.log == [("removed", row, row)]
    assert page.groups[page.list.currentRow()].records == below
    assert shape(page.groups) == shape(merging.scan(window.library))
    check(window)
