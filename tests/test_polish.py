"""Issue 16 item 8: the small things a polished app gets right, each driven through the real widgets and checked
against what SQLite holds."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtTest import QTest

from paperdesk.core import query
from paperdesk.core.library import Library
from paperdesk.gui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "desktop" / "paperdesk"


def db_value(library, sql, params=()):
    return library.conn.execute(sql, params).fetchone()[0]


def surname(name: str) -> str:
    """The surname as a librarian reads "Given Surname": the last word, or the one before Jr./Sr./II…"""
    words = name.split()
    if len(words) > 1 and words[-1] in {"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV", "2nd", "3rd"}:
        words = words[:-1]
    return words[-1]


def make_window(library, tmp_path, qtbot) -> MainWindow:
    w = MainWindow(library, QSettings(str(tmp_path / "window-settings.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    w.show()
    return w


# --- sort authors by surname ----------------------------------------------------------------------------------

def _click_header(window, qtbot, key: str) -> None:
    column = query.COLUMN_KEYS.index(key)
    header = window.table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(header.viewport(), Qt.LeftButton, pos=QPoint(x, header.height() // 2))


def test_the_authors_column_sorts_by_the_first_authors_surname(window, qtbot):
    _click_header(window, qtbot, "authors")
    assert window.model.filter.sort == "first_author" and not window.model.filter.descending
    shown_ids = [window.model.id_at(r) for r in range(window.model.rowCount())]
    first = dict(window.library.conn.execute("SELECT id, first_author FROM papers"))
    keys = [(surname(first[i]).casefold(), first[i].casefold()) for i in shown_ids if first[i]]
    assert keys == sorted(keys)
    # Not by the given name: the seeds have first authors whose given names sort otherwise.
    by_given = sorted((first[i].casefold() for i in shown_ids if first[i]))
    assert [k[1] for k in keys] != by_given
    # What the table shows in its Authors column is what SQLite holds, in that order.
    authors_col = query.COLUMN_KEYS.index("authors")
    top = window.model.data(window.model.index(0, authors_col))
    assert top.startswith(first[shown_ids[0]])
    _click_header(window, qtbot, "authors")  # again: descending
    assert window.model.filter.descending
    shown_desc = [window.model.id_at(r) for r in range(window.model.rowCount())]
    keys_desc = [(surname(first[i]).casefold(), first[i].casefold()) for i in shown_desc if first[i]]
    assert keys_desc == sorted(keys_desc, reverse=True)


def test_surname_sort_is_read_off_an_index_and_knows_suffixes(library, write_dump):
    text = ("LGMay 28\nA Study of Kings\nMartin Luther King Jr., Ana Lee\nAbstract one.\n\n"
            "LGMay 27\nA Study of Bees\nZoe Abbott, Ana Lee\nAbstract two.\n\n"
            "LGMay 26\nA Study of Trees\nAaron Young\nAbstract three.\n\n"
            "LGMay 25\nA Study of Seas\nPlato\nAbstract four.\n")
    assert library.import_file(write_dump(text), None).status == "imported"
    order = query.ordered_ids(library.conn, query.RecordFilter(sort="first_author"))
    names = [db_value(library, "SELECT first_author FROM papers WHERE id = ?", (i,)) for i in order]
    assert names == ["Zoe Abbott", "Martin Luther King Jr.", "Plato", "Aaron Young"]
    assert db_value(library, "SELECT first_author_surname FROM papers WHERE first_author LIKE 'Martin%'") == "King"
    f = query.RecordFilter(sort="first_author")
    plan = " ".join(str(r) for r in library.conn.execute(
        f"EXPLAIN QUERY PLAN SELECT p.id FROM visible_papers p WHERE {query.compile_filter(f).sql_where}"
        f" ORDER BY {query.order_by(f)}"))
    assert "idx_papers_first_author_surname" in plan and "TEMP B-TREE" not in plan
    # An edit of the authors moves the record at once: the key is computed from the name, never stale.
    from paperdesk.core import curation

    pid = db_value(library, "SELECT id FROM papers WHERE first_author = 'Aaron Young'")
    curation.update_fields(library, pid, {"authors": ["Aaron Aardvark"]})
    order = query.ordered_ids(library.conn, query.RecordFilter(sort="first_author"))
    assert order[0] == pid


def test_the_authors_view_sorts_names_by_surname(seeded):
    from paperdesk.core import authors

    authors.ensure_stats(seeded) if hasattr(authors, "ensure_stats") else authors.refresh_stats(seeded)
    _, rows = authors.authors_page(seeded, sort="name", limit=10_000)
    keys = [(surname(r["name"]).casefold(), r["name"].casefold()) for r in rows]
    assert len(keys) > 100 and keys == sorted(keys)


# --- "1 record", not "1 records" ------------------------------------------------------------------------------

# A count written by hand before a plural noun: "{n} records". Counts go through core.wording.count instead.
_HAND_PLURAL = re.compile(r"\{[^{}]*\}( [a-z-]+)? (records|papers|files|groups|steps|tags|authors|lines|entries|"
                          r"names|merges|backups|rows|dumps|events|keys|citations|characters|problems|terms)\b")


def test_no_count_is_written_with_a_fixed_plural():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if _HAND_PLURAL.search(line) and ("f\"" in line or "f'" in line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


# A count followed by a verb written for many ("{count(n, 'file')} are"), or "These" before one: "These 1 file are".
_FIXED_VERB = re.compile(r"\{count\([^{}]*\)\} (are|were|have)\b|\b[Tt]hese \{count\(")


def test_no_count_is_followed_by_a_fixed_plural_verb():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if _FIXED_VERB.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_import_promise_and_its_cancel_agree_with_one_file():
    from paperdesk.core.wording import agree
    from paperdesk.gui.dialogs.import_dialog import outcome, promise

    assert promise(1, True).startswith("This file is large enough") and "1 file are" not in promise(1, True)
    assert promise(3, True).startswith("These 3 files are large enough")
    assert "its 1 file is added" in outcome(1, [], True, True)
    assert "its 2 files are added" in outcome(2, [], True, True)
    assert agree(1, "this is") == "this is" and agree(2, "this is") == "these are" and agree(None, "has") == "have"


def test_a_merge_says_which_records_went_into_which():
    from paperdesk.core.wording import merged_into

    assert merged_into([170], 162) == "record 170 into record 162"
    assert merged_into([170, 171], 162) == "records 170 and 171 into record 162"
    assert merged_into([3, 4, 5], 2) == "records 3, 4 and 5 into record 2"


def test_the_merge_preview_cuts_a_long_abstract_between_words(window, qtbot):
    a, b = window.model.id_at(0), window.model.id_at(1)
    words = [f"word{i:04d}" for i in range(400)]  # 3,600 characters, no word a prefix of another
    for pid in (a, b):
        window.edit_record(pid, {"abstract": " ".join(words)})
    assert db_value(window.library, "SELECT abstract FROM papers WHERE id = ?", (a,)) == " ".join(words)
    dialog = window.open_merge([a, b], [], show=False)
    last = dialog.preview.toPlainText().splitlines()[-1]
    assert last.endswith("…") and len(last) < len(" ".join(words))
    shown = last[:-1].split()
    assert shown == words[:len(shown)]  # every word shown is whole, in order; the last one too
    from paperdesk.core.wording import shorten

    assert shorten("Short and whole.", 10) == "Short and…" and shorten("Short and whole.", 16) == "Short and whole."
    assert shorten("x" * 50, 20) == "x" * 20 + "…"  # one long "word" (a URL): cut, and still marked


def test_one_record_is_one_record_in_the_window_and_the_cli(tmp_path, qtbot, write_dump):
    dump = write_dump("LGMay 28\nA Single Paper on Bees\nAna Lee\nAbstract.\n", "one.txt")
    db = tmp_path / "one.sqlite"
    out = subprocess.run([sys.executable, "-m", "paperdesk", "import", str(dump), "--db", str(db),
                          "--captured", "2026-06-05"], capture_output=True, text=True, env=_env(tmp_path))
    assert out.returncode == 0, out.stderr
    assert "1 record added" in out.stdout and "1 records" not in out.stdout
    assert "1 record read" in out.stdout
    library = Library(db)
    try:
        assert db_value(library, "SELECT COUNT(*) FROM papers") == 1
        w = make_window(library, tmp_path, qtbot)
        assert w.count_label.text() == "1 of 1 record"
        w.select_row(0)
        w.table.setFocus()
        menu_texts = _context_menu_texts(w)
        assert "Export 1 record…  (Ctrl+E)" in menu_texts and not any("1 records" in t for t in menu_texts)
        assert "Recently imported  (1)" in [w.sidebar.tree.topLevelItem(0).child(i).text(0)
                                            for i in range(w.sidebar.tree.topLevelItem(0).childCount())]
        w.close()
    finally:
        library.close()


def _env(tmp_path):
    import os

    env = dict(os.environ, HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    env.pop("PAPERDESK_DB", None)
    return env


def _context_menu_texts(window) -> list[str]:
    """The records table's context menu, as the librarian would see it (opened, read, closed)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMenu

    seen: list[str] = []

    def read_and_close():
        menu = QApplication.activePopupWidget()
        if isinstance(menu, QMenu):
            seen.extend(a.text() for a in menu.actions())
            menu.close()

    QTimer.singleShot(50, read_and_close)
    rect = window.table.visualRect(window.model.index(0, 0))
    window._context_menu(rect.center())
    return seen


def test_import_report_and_status_bar_say_one_record(tmp_path, qtbot, write_dump, library):
    dump = write_dump("LGMay 28\nA Single Paper on Bees\nAna Lee\nAbstract.\n", "one.txt")
    w = make_window(library, tmp_path, qtbot)
    dialog = w.import_files([str(dump)])
    qtbot.waitUntil(lambda: dialog.results is not None, timeout=20000)
    assert dialog.status.text() == "1 record added from 1 file."
    assert "1 record read" in dialog.report.toPlainText()
    assert "1 records" not in dialog.report.toPlainText() + dialog.status.text()
    assert w.statusBar().currentMessage() == "Import finished: 1 record added"
    assert db_value(library, "SELECT COUNT(*) FROM papers") == 1


# --- after the first start, "Recently imported" holds what that start loaded ---------------------------------

def test_first_start_recently_imported_holds_all_the_seed_records(tmp_path, qtbot):
    from paperdesk.core.library import default_db_path
    from paperdesk.gui.app import open_library_for_gui

    library, message = open_library_for_gui(None)
    try:
        assert library.path == default_db_path()  # in the test's own HOME (conftest)
        total = db_value(library, "SELECT COUNT(*) FROM papers")
        assert total == 154 and "154 records from 5 dumps" in message
        w = make_window(library, tmp_path, qtbot)
        w.sidebar.select("recent")
        assert w.model.rowCount() == total
        labels = [w.sidebar.tree.topLevelItem(0).child(i).text(0)
                  for i in range(w.sidebar.tree.topLevelItem(0).childCount())]
        assert f"Recently imported  ({total})" in labels
        w.close()
    finally:
        library.close()


# --- the detail pane: the title saves on Enter; "Surname, Given" names -----------------------------------------

def test_the_title_saves_on_enter(window, qtbot):
    pid = window.current_id()
    before = db_value(window.library, "SELECT title FROM papers WHERE id = ?", (pid,))
    title = window.detail.title
    title.setFocus()
    title.selectAll()
    qtbot.keyClicks(title, "A Retitled Paper")
    qtbot.keyClick(title, Qt.Key_Return)
    assert db_value(window.library, "SELECT title FROM papers WHERE id = ?", (pid,)) == "A Retitled Paper"
    assert "\n" not in title.toPlainText() and title.hasFocus()
    window.undo_action.trigger()
    assert db_value(window.library, "SELECT title FROM papers WHERE id = ?", (pid,)) == before
    assert window.detail.title.toPlainText() == before


def _type_authors(window, qtbot, text: str) -> None:
    box = window.detail.authors
    box.setFocus()
    box.selectAll()
    box.insertPlainText(text)
    QTest.keyClick(box, Qt.Key_Return, Qt.ControlModifier)


def test_the_detail_pane_takes_surname_first_names_and_flags_ambiguous_ones(window, qtbot):
    lib, pid = window.library, window.current_id()

    def stored():
        return [r[0] for r in lib.conn.execute(
            "SELECT a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id WHERE pa.paper_id = ?"
            " ORDER BY pa.position", (pid,))]

    before = stored()
    _type_authors(window, qtbot, "Lee, Ana\nBo Kim\nvan der Berg, Jan Piet\nKing, Martin Luther, Jr.")
    assert stored() == ["Ana Lee", "Bo Kim", "Jan Piet van der Berg", "Martin Luther King Jr."]
    assert db_value(lib, "SELECT first_author FROM papers WHERE id = ?", (pid,)) == "Ana Lee"
    assert window.detail.authors.toPlainText().splitlines()[0] == "Ana Lee"
    # Two readings: one name written surname first, or two names on one line? Refused, with the reason.
    _type_authors(window, qtbot, "Hao Wang, Na Li")
    assert window.detail.error.isVisible() and "two names" in window.detail.error.text()
    assert stored() == ["Ana Lee", "Bo Kim", "Jan Piet van der Berg", "Martin Luther King Jr."]
    _type_authors(window, qtbot, "Lee, Ana, Kim, Bo")
    assert "several commas" in window.detail.error.text()
    window.detail.reload()
    window.undo_action.trigger()
    assert stored() == before


# --- the records table fits a 1024-pixel-wide window; the sidebar's hints are whole ---------------------------

def test_at_1024_pixels_the_columns_fit_and_the_sidebar_hints_are_whole(seeded, tmp_path, qtbot):
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QApplication

    w = MainWindow(seeded, QSettings(str(tmp_path / "fresh.ini"), QSettings.IniFormat))  # the default layout
    qtbot.addWidget(w)
    w.resize(1024, 700)
    w.show()
    qtbot.waitExposed(w)
    QApplication.processEvents()
    table = w.table
    shown = [c for c in range(len(query.COLUMNS)) if not table.isColumnHidden(c)]
    assert not table.horizontalScrollBar().isVisible()
    assert sum(table.columnWidth(c) for c in shown) <= table.viewport().width()
    assert table.columnWidth(query.COLUMN_KEYS.index("title")) >= 140
    assert table.columnWidth(query.COLUMN_KEYS.index("authors")) >= 90
    # The detail pane's fields are not cut at its right edge.
    detail = w.detail
    assert detail.date.mapTo(detail, detail.date.rect().topRight()).x() <= detail.width()
    # Hints in the sidebar: every line of them fits in its row.
    tree = w.sidebar.tree
    hints = [i for i in w.sidebar._all_items() if not i.flags() & Qt.ItemIsSelectable and not i.data(0, Qt.UserRole)]
    assert hints, "an empty library section shows a hint"
    metrics = QFontMetrics(tree.font())
    for item in hints:
        rect = tree.visualItemRect(item)
        assert all(metrics.horizontalAdvance(line) <= rect.width() for line in item.text(0).split("\n")), item.text(0)
        assert metrics.lineSpacing() * len(item.text(0).split("\n")) <= rect.height() + 2
    mode_label = w.sidebar.findChildren(type(w.count_label))[0]
    assert mode_label.width() >= mode_label.sizeHint().width()
    # The Authors list leaves its names room too.
    w.show_authors()
    qtbot.waitUntil(lambda: w.authors_view.worker is None and w.authors_view.model.rowCount() > 0, timeout=20000)
    assert w.authors_view.table.columnWidth(0) >= 100
    assert not w.authors_view.table.horizontalScrollBar().isVisible()
    w.show_records()
    # Wider: the authors and tags columns take their widths back.
    w.resize(1500, 700)
    QApplication.processEvents()
    assert table.columnWidth(query.COLUMN_KEYS.index("authors")) == query.COLUMNS[1].width


# --- the focus is clearly visible and Tab reaches the detail pane ----------------------------------------------

def test_tab_goes_from_the_table_into_the_detail_pane_and_the_focus_is_ringed(window, qtbot):
    from PySide6.QtWidgets import QApplication

    window.resize(1024, 700)
    window.place_panes()  # the default layout at this width
    window.activateWindow()
    window.table.setFocus()
    QApplication.processEvents()
    visited = []
    for _ in range(12):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key_Tab)
        visited.append(QApplication.focusWidget())
    assert visited[0] is window.detail.title  # straight from the records to the first field
    assert window.detail.authors in visited and window.detail.date in visited and window.search in visited
    # The ring is drawn around whatever has the focus, in the highlight colour.
    window.detail.date.setFocus()
    QApplication.processEvents()
    ring = window.focus_ring
    assert ring.isVisible()
    date_rect = window.detail.date.rect()
    top_left = window.detail.date.mapTo(window, date_rect.topLeft())
    assert ring.geometry().contains(top_left) and ring.geometry().width() == date_rect.width() + 4
    picture = window.grab().toImage()
    edge = picture.pixelColor(ring.geometry().left() + 1, ring.geometry().center().y())
    highlight = ring.palette().color(ring.palette().ColorGroup.Active, ring.palette().ColorRole.Highlight)
    assert edge == highlight
    window.table.setFocus()
    QApplication.processEvents()
    assert ring.geometry().contains(window.table.mapTo(window, window.table.rect().center()))


# --- Ctrl+/ lists every shortcut ------------------------------------------------------------------------------

def test_ctrl_slash_lists_every_shortcut_of_the_window_and_its_pages(window, qtbot):
    from PySide6.QtGui import QAction, QKeySequence, QShortcut
    from PySide6.QtWidgets import QApplication, QDialog

    from paperdesk.gui import actions

    window.activateWindow()
    window.table.setFocus()
    QTest.keyClick(window.table, Qt.Key_Slash, Qt.ControlModifier)
    boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()
             and w.objectName() == "shortcuts-box"]
    assert len(boxes) == 1
    text = boxes[0].text.toPlainText()
    keys = set()
    for action in window.findChildren(QAction):
        for sequence in action.shortcuts():
            keys.add(sequence.toString(QKeySequence.NativeText))
    for shortcut in window.findChildren(QShortcut):
        keys.add(shortcut.key().toString(QKeySequence.NativeText))
    keys.discard("")
    assert {"Ctrl+1", "Alt+Left", "Ctrl+Z", "Ctrl+Y", "F1", "Ctrl+/", "Del", "T"} <= keys
    missing = [k for k in keys if not re.search(rf"(^|\s|\(){re.escape(k)}(\s|\)|$)", text, re.M)]
    assert missing == []
    for _where, page_keys in actions.page_keys():
        for key, what in page_keys:
            assert f"{key}  {what}" in text
    boxes[0].accept()


# --- Ctrl+1 from the duplicates page -------------------------------------------------------------------------

def test_ctrl_1_from_the_duplicates_page_returns_to_the_records(window, qtbot):
    from PySide6.QtWidgets import QApplication

    window.activateWindow()
    window.sidebar.select("duplicates")
    assert window.stack.currentWidget() is window.duplicates
    qtbot.waitUntil(lambda: window.duplicates.scanned and window.duplicates.list.count() > 0, timeout=30000)
    window.duplicates.list.setCurrentRow(0)
    window.duplicates.list.setFocus()
    QTest.keyClick(window.duplicates.list, Qt.Key_1, Qt.ControlModifier)
    assert window.stack.currentWidget() is window.table
    assert QApplication.focusWidget() is window.table
    # The sidebar says what the table shows, and Duplicates opens again with one click.
    assert [i.data(0, Qt.UserRole) for i in window.sidebar.tree.selectedItems()] == ["all"]
    item = next(i for i in window.sidebar._all_items() if i.data(0, Qt.UserRole) == "duplicates")
    rect = window.sidebar.tree.visualItemRect(item)
    qtbot.mouseClick(window.sidebar.tree.viewport(), Qt.LeftButton, pos=rect.center())
    assert window.stack.currentWidget() is window.duplicates
    QTest.keyClick(window.duplicates.list, Qt.Key_1, Qt.ControlModifier)
    qtbot.mouseClick(window.sidebar.tree.viewport(), Qt.LeftButton, pos=rect.center())  # again: still opens
    assert window.stack.currentWidget() is window.duplicates
    assert window.model.rowCount() == db_value(window.library, "SELECT COUNT(*) FROM visible_papers")


# --- the GUI import sets the capture date ----------------------------------------------------------------------

def test_the_gui_import_asks_for_the_capture_date(library, tmp_path, qtbot, write_dump, monkeypatch):
    import os

    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QFileDialog

    # A listing whose dates have no year: "Dec 30" read against a capture on 2026-01-05 is 2025-12-30.
    dump = write_dump("LGDec 30\nA Paper From Last Winter\nAna Lee\nAbstract.\n", "winter.txt")
    os.utime(dump, (1_780_000_000, 1_780_000_000))  # saved in 2026-05: would read as 2025-12-30 too, so …
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(dump)], "")))
    w = make_window(library, tmp_path, qtbot)
    w.actions_by_name["import_dialog_open"].trigger()
    question = w.capture_question
    assert question.isVisible() and question.from_files.isChecked()
    question.date.setDate(QDate(2025, 3, 1))  # … captured on 2025-03-01: Dec 30 is then 2024-12-30
    assert question.on_day.isChecked()
    question.accept()
    qtbot.waitUntil(lambda: w.import_dialog is not None and w.import_dialog.results is not None, timeout=20000)
    assert db_value(library, "SELECT date FROM papers") == "2024-12-30"
    assert db_value(library, "SELECT captured FROM sources") == "2025-03-01"
    assert db_value(library, "SELECT capture_source FROM sources") != "file modification time"


# --- author pages ----------------------------------------------------------------------------------------------

def _bar_point(chart, index: int):
    """The centre of bar ``index`` in the chart's viewport coordinates."""
    x0, x1, y0, y1, _tip, _sel = chart.bars[index]
    from PySide6.QtCore import QPointF

    scene = chart.getPlotItem().vb.mapViewToScene(QPointF((x0 + x1) / 2, (y0 + y1) / 2))
    return chart.mapFromScene(scene)


def _author_window(window, qtbot, name="Hao Gu"):
    from PySide6.QtWidgets import QApplication

    window.resize(1280, 800)
    window.show_author(name)
    QApplication.processEvents()
    qtbot.waitUntil(lambda: window.author_page.charts["per_year"].isVisible(), timeout=5000)
    return window.author_page


def test_a_bars_tooltip_stays_while_the_pointer_rests_on_it(window, qtbot):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QHelpEvent
    from PySide6.QtWidgets import QApplication, QToolTip

    page = _author_window(window, qtbot)
    chart = page.charts["categories"]
    point = _bar_point(chart, 0)
    QTest.mouseMove(chart.viewport(), point)
    qtbot.waitUntil(QToolTip.isVisible, timeout=2000)
    tip = chart.bars[0][4]
    assert QToolTip.text() == tip and tip.startswith(next(iter(page.data["categories"])))
    # The pointer rests: Qt sends the view its tooltip event; the scene (no item has a tooltip) used to hide it.
    QApplication.sendEvent(chart.viewport(), QHelpEvent(QEvent.ToolTip, point, chart.viewport().mapToGlobal(point)))
    qtbot.wait(1500)
    assert QToolTip.isVisible() and QToolTip.text() == tip
    QToolTip.hideText()


def test_clicking_a_bar_says_what_the_records_are_and_back_returns(window, qtbot):
    from paperdesk.core import authors

    page = _author_window(window, qtbot)
    chart = page.charts["per_year"]
    bar = next(i for i, b in enumerate(chart.bars) if b[3] - b[2] >= 2)  # a bar of two papers or more
    year = int(chart.bars[bar][5]["year"])
    category = chart.bars[bar][5]["category"]
    qtbot.mouseClick(chart.viewport(), Qt.LeftButton, pos=_bar_point(chart, bar))
    assert window.stack.currentWidget() is window.table
    expected = set(authors.paper_ids(window.library, "Hao Gu", year, category))
    shown = {window.model.id_at(r) for r in range(window.model.rowCount())}
    assert shown == expected and shown
    for pid in shown:  # what SQLite holds for them is what the bar said
        assert db_value(window.library, "SELECT year FROM papers WHERE id = ?", (pid,)) == year
    banner = window.banner
    assert banner.isVisible() and "Hao Gu" in banner.label.text() and str(year) in banner.label.text()
    assert f"Showing {len(shown)} record" in banner.label.text() and banner.back.isEnabled()
    QTest.keyClick(window.table, Qt.Key_Left, Qt.AltModifier)  # Alt+Left
    assert window.stack.currentWidget() is window.author_page and page.name == "Hao Gu"
    assert not banner.isVisible()
    chart = page.charts["per_year"]
    qtbot.mouseClick(chart.viewport(), Qt.LeftButton, pos=_bar_point(chart, bar))
    assert banner.isVisible()
    qtbot.mouseClick(banner.back, Qt.LeftButton)  # the visible button does the same
    assert window.stack.currentWidget() is window.author_page
    chart = page.charts["per_year"]
    qtbot.mouseClick(chart.viewport(), Qt.LeftButton, pos=_bar_point(chart, bar))
    qtbot.mouseClick(banner.all, Qt.LeftButton)
    assert not banner.isVisible() and window.model.rowCount() == db_value(
        window.library, "SELECT COUNT(*) FROM visible_papers")


def test_a_saved_chart_is_a_full_picture_where_the_librarian_chooses(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtGui import QColor, QImage
    from PySide6.QtWidgets import QFileDialog

    page = _author_window(window, qtbot)
    chart = page.charts["per_year"]
    asked = []
    target = tmp_path / "pictures" / "mine.png"
    target.parent.mkdir()

    def save_as(parent, caption, proposed, filters):
        asked.append(proposed)
        return str(target), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_as))
    monkeypatch.chdir(tmp_path)
    assert chart._export_dialog("png") == str(target)
    assert Path(asked[0]).is_absolute() and Path(asked[0]).name == "Hao Gu - Papers per year, by category.png"
    assert not (tmp_path / "chart.png").exists()
    picture = QImage(str(target))
    assert picture.width() == 1600 and picture.height() > 500
    assert picture.text("Title") == "Hao Gu — Papers per year, by category"
    assert picture.pixelColor(3, 3) == QColor("white") and picture.pixelColor(1597, picture.height() - 3) == QColor("white")
    colours = {picture.pixelColor(x, y).name() for x in range(0, 1600, 7) for y in range(110, picture.height(), 7)}
    from paperdesk.gui.author_page import category_color

    assert category_color(chart.bars[0][5]["category"]) in colours  # the bars are drawn, at full size
    dark = sum(1 for x in range(0, 800, 2) for y in range(20, 90, 2) if picture.pixelColor(x, y).lightness() < 100)
    assert dark > 200  # the author's name is written above the chart
    # The next save starts in the folder chosen this time.
    asked.clear()
    target = tmp_path / "pictures" / "again.svg"
    assert chart._export_dialog("svg") == str(target)
    assert Path(asked[0]).parent == tmp_path / "pictures"
    svg = target.read_text("utf-8")
    assert "Hao Gu" in svg and 'fill="#ffffff"' in svg.lower()


def test_compared_lines_leave_years_without_papers_empty(window, qtbot, write_dump):
    import math

    from paperdesk.core import authors

    lib = window.library
    # An author with papers in 2019 and 2022 only: 2020 and 2021 are gaps, not zeros and not a joined line.
    text = ("LGMay 28, 2019\nFirst Lonely Paper\nZed Gapson, Hao Gu\nAbstract.\n\n"
            "LGMay 28, 2022\nSecond Lonely Paper\nZed Gapson\nAbstract.\n")
    assert lib.import_file(write_dump(text, "gaps.txt"), None).status == "imported"
    window.refresh_all()
    figures = authors.figures(lib, "Zed Gapson")
    assert set(figures["per_year"]) == {"2019", "2022"}
    window.compare_authors(["Zed Gapson", "Hao Gu"])
    papers_curve, code_curve = window.compare_view.curves["Zed Gapson"]
    for curve in (papers_curve, code_curve):
        xs, ys = curve.getData()
        values = dict(zip(map(int, xs), ys))
        assert math.isnan(values[2020]) and math.isnan(values[2021])
        assert not math.isnan(values[2019]) and not math.isnan(values[2022])
        assert curve.opts["connect"] == "finite"
    xs, ys = papers_curve.getData()
    assert dict((int(x), int(y)) for x, y in zip(xs, ys) if y == y) == {2019: 1, 2022: 1}
