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
    assert dialog.status.text().startswith("1 file read: 1 record added from 1")
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
