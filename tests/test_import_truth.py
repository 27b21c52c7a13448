"""The import's words tell the truth at every moment: a large import (one unit of work) says its files are
'read' while it runs and 'added' only after its commit, Cancel's sentence says what the library holds, and the
command line says the same; each checked against what SQLite holds, also after a SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from PySide6.QtCore import QSettings, Qt

from conftest import SEED_CAPTURED, disk, hold_quick_check
from paperdesk.core import library as library_mod
from paperdesk.core.library import Library
from paperdesk.gui.dialogs import import_dialog as import_dialog_mod


def papers(library) -> int:
    return disk(library, "SELECT COUNT(*) FROM papers")[0][0]


@pytest.fixture
def empty_window(tmp_path, qtbot):
    from paperdesk.gui.main_window import MainWindow

    library = Library(tmp_path / "fresh.sqlite")
    w = MainWindow(library, QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    yield w
    library.close()


def held_at(monkeypatch, call: int):
    """Library.import_parsed waits at the start of its ``call``-th file until released (the files before it
    are written and their progress sent)."""
    real = Library.import_parsed
    calls, reached, release = [0], threading.Event(), threading.Event()

    def import_parsed(self, *args, **kwargs):
        calls[0] += 1
        if calls[0] == call:
            reached.set()
            assert release.wait(30)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Library, "import_parsed", import_parsed)
    return reached, release


def fits(label) -> bool:
    """The label shows all its words: wrapped to its width, its height holds them."""
    return label.wordWrap() and label.heightForWidth(label.width()) <= label.height()


@pytest.mark.parametrize("bulk", [True, False], ids=["large import", "per-file import"])
def test_cancel_in_the_dialog_says_what_the_library_holds(empty_window, qtbot, seed_paths, monkeypatch, tmp_path,
                                                          bulk):
    monkeypatch.setattr(library_mod, "is_bulk", lambda paths: bulk)
    monkeypatch.setattr(import_dialog_mod, "is_bulk", lambda paths: bulk)
    reached, release = held_at(monkeypatch, 4)
    library = empty_window.library
    dialog = empty_window.import_files([str(p) for p in seed_paths], SEED_CAPTURED)
    total = len(seed_paths)
    promise = dialog.promise.text()
    if bulk:  # said up front: kept only when it finishes
        assert "only when all of them are written" in promise and "as it was before this import" in promise
    else:
        assert "the files added before it stay" in promise
    qtbot.waitUntil(reached.is_set, timeout=30000)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("3 of "), timeout=10000)
    status = dialog.status.text()
    if bulk:
        assert status.startswith(f"3 of {total} files read, ") and "ready to add when the whole import" in status
        assert " records added" not in status
        assert papers(library) == 0  # read, not added: SQLite holds none of them yet
    else:
        assert status.startswith(f"3 of {total} files imported") and "records added" in status
        assert papers(library) > 0
    held = papers(library)
    dialog.grab().save(str(tmp_path / f"import-running-{bulk}.png"))
    qtbot.mouseClick(dialog.cancel_button, Qt.LeftButton)
    release.set()
    qtbot.waitUntil(lambda: dialog.results is not None, timeout=30000)
    status = dialog.status.text()
    dialog.grab().save(str(tmp_path / f"import-cancelled-{bulk}.png"))
    if bulk:
        assert dialog.results == [] and not dialog.report.isVisible()  # no empty report box
        assert status.startswith("Cancelled: nothing was imported, the library is as it was before this import")
        assert papers(library) == 0
    else:
        added = sum(r["added"] for r in dialog.results)
        assert len(dialog.results) == 3 and added == papers(library) == held
        assert status == (f"{added} records added from 3 files. Cancelled: the file being written was rolled back;"
                          f" {total - 3} files not imported, the files before them stay.")
    assert fits(dialog.status) and fits(dialog.promise)  # wrapped, not cut off


def test_a_large_import_done_says_added_after_the_commit(empty_window, qtbot, seed_paths, monkeypatch):
    monkeypatch.setattr(library_mod, "is_bulk", lambda paths: True)
    monkeypatch.setattr(import_dialog_mod, "is_bulk", lambda paths: True)
    dialog = empty_window.import_files([str(p) for p in seed_paths], SEED_CAPTURED)
    qtbot.waitUntil(lambda: dialog.results is not None, timeout=60000)
    held = papers(empty_window.library)
    assert held > 0
    assert dialog.status.text() == f"{held} records added from {len(seed_paths)} files."


KILLED_RUN = """
import sys, time
from paperdesk import cli
from paperdesk.core import library
from paperdesk.core.library import Library
library.BULK_BYTES = {bulk_bytes}
real = Library.import_parsed
def slow(self, *a, **k):
    result = real(self, *a, **k)
    time.sleep(0.3)  # time for the test to read the line and kill us in the middle of the run
    return result
Library.import_parsed = slow
if __name__ == "__main__":  # the parsing processes import this module again: they must not import too
    sys.exit(cli.main(sys.argv[1:]))
"""


@pytest.mark.parametrize("bulk", [True, False], ids=["large import", "per-file import"])
def test_the_command_lines_words_hold_after_a_sigkill(tmp_path, seed_paths, bulk):
    db = tmp_path / "killed.sqlite"
    script = tmp_path / "killed_run.py"
    script.write_text(KILLED_RUN.format(bulk_bytes=1 if bulk else 10 ** 12), "utf-8")
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    out, err = tmp_path / "stdout.txt", tmp_path / "stderr.txt"
    with out.open("w") as stdout, err.open("w") as stderr_file:
        proc = subprocess.Popen([sys.executable, str(script), "--db", str(db), "import", "--captured",
                                 SEED_CAPTURED.isoformat(), "--no-duplicate-scan", *map(str, seed_paths)],
                                stdout=stdout, stderr=stderr_file, env=env)
    try:
        deadline = time.monotonic() + 60
        while len([line for line in out.read_text().splitlines(True) if line.endswith("\n")
                   and not line.startswith(" ")]) < 2:  # two files said, the third on its way
            assert proc.poll() is None and time.monotonic() < deadline, err.read_text()
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    lines = [line for line in out.read_text().splitlines(True) if line.endswith("\n")]
    said = [line.rstrip() for line in lines if not line.startswith(" ")]
    stderr = err.read_text()
    library = Library(db)
    try:
        held = papers(library)
    finally:
        library.close()
    if bulk:
        assert "as one unit" in stderr and "leaves it as before" in stderr
        assert all(" read (added when the whole import is written)" in line for line in said), said
        assert held == 0  # killed before the end: nothing, as said
    else:
        assert all(" added" in line for line in said), said
        claimed = sum(int(line.split(": ")[1].split()[0]) for line in said)
        assert held >= claimed > 0  # every file said added is there (the next may have been written meanwhile)


def test_a_new_sources_count_is_never_shown_as_zero_after_an_import_its_removal_and_undo(seeded, tmp_path, qtbot,
                                                                                          write_dump, monkeypatch):
    """A large library recounts its sources in the background; meanwhile a source new since the last count shows
    '…', never '(0)', then its count from SQLite; so after removing the import, its undo and redo."""
    from paperdesk.core import query
    from paperdesk.gui import main_window, sidebar as sidebar_mod

    monkeypatch.setattr(sidebar_mod, "SOURCE_COUNTS_IN_BACKGROUND", 1)  # the seeds count as a large library
    monkeypatch.setattr(main_window, "SOURCE_COUNTS_DELAY_MS", 0)
    window = main_window.MainWindow(seeded, QSettings(str(tmp_path / "s.ini"), QSettings.IniFormat))
    qtbot.addWidget(window)
    window.show()

    def labels():
        return {i.data(0, Qt.UserRole + 1): i.text(0) for i in window.sidebar._all_items()
                if i.data(0, Qt.UserRole) == "source"}

    def seen_labels(store):  # every label the sidebar ever showed, caught at each rebuild
        real = window.sidebar.rebuild

        def rebuild(**kwargs):
            real(**kwargs)
            store.append(labels())

        monkeypatch.setattr(window.sidebar, "rebuild", rebuild)

    def true_everywhere():
        expected = query.source_counts(seeded.conn)
        return all(label.endswith(f"({expected.get(source_id, 0):,})") for source_id, label in labels().items())

    qtbot.waitUntil(lambda: labels() and true_everywhere(), timeout=20000)
    shown = []
    seen_labels(shown)
    dump = write_dump("LGMay 28\nA Single Paper on Bees\nAna Lee\nAbstract.\n\nLGMay 27\nAnother Paper on Wasps\n"
                      "Bo Chen\nAbstract two.\n", "new-source.txt")
    dialog = window.import_files([str(dump)], SEED_CAPTURED)
    qtbot.waitUntil(lambda: dialog.results is not None, timeout=30000)
    new_id = dialog.results[0]["source_id"]
    assert dialog.results[0]["added"] == 2
    qtbot.waitUntil(lambda: new_id in labels() and labels()[new_id].endswith("(2)"), timeout=20000)
    assert true_everywhere()
    assert not any(labels_.get(new_id, "").endswith("(0)") for labels_ in shown), shown  # never a false 0
    assert window.remove_import(new_id, confirm=False)
    qtbot.waitUntil(lambda: new_id not in labels() and true_everywhere(), timeout=20000)
    window.undo_action.trigger()
    qtbot.waitUntil(lambda: new_id in labels() and labels()[new_id].endswith("(2)") and true_everywhere(),
                    timeout=20000)
    window.redo_action.trigger()
    qtbot.waitUntil(lambda: new_id not in labels() and true_everywhere(), timeout=20000)
    assert not any(labels_.get(new_id, "").endswith("(0)") for labels_ in shown), shown


def test_the_dialog_says_when_it_checks_a_large_library_before_writing(empty_window, qtbot, seed_paths,
                                                                       monkeypatch):
    """A library too large to check at open is checked before an import writes into it (tens of seconds at a
    million records): the dialog says so, with a busy bar, instead of 'Importing 5 files…' at 0."""
    reached, release = hold_quick_check(monkeypatch)
    first, second = seed_paths[:3], seed_paths[3:]
    dialog = empty_window.import_files([str(p) for p in first], SEED_CAPTURED)
    qtbot.waitUntil(reached.is_set, timeout=30000)
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Checking the library ("), timeout=10000)
    assert (dialog.bar.minimum(), dialog.bar.maximum(), dialog.bar.format()) == (0, 0, "Checking the library…")
    assert papers(empty_window.library) == 0
    release.set()
    qtbot.waitUntil(lambda: dialog.results is not None, timeout=30000)
    assert dialog.status.text() == f"{papers(empty_window.library)} records added from {len(first)} files."
    assert dialog.check_line.isVisible()
    assert dialog.check_line.text().startswith("The library (")
    assert "was checked before the import wrote into it: no damage found" in dialog.check_line.text()
    dialog.accept()
    # the next import of the session: the library is known sound since that check, and the dialog says so
    reached.clear()
    dialog = empty_window.import_files([str(p) for p in second], SEED_CAPTURED)
    qtbot.waitUntil(lambda: dialog.results is not None, timeout=30000)
    assert not reached.is_set()
    assert dialog.check_line.isVisible() and "was not checked again: it was found sound on" in \
        dialog.check_line.text()
    assert dialog.status.text().endswith(f"added from {len(second)} files.")


def test_distinguishing_folders():
    from paperdesk.core.curation import distinguishing_folders

    assert distinguishing_folders(["/d/x.txt"]) == [""]
    assert distinguishing_folders(["/d/a/x.txt", "/d/b/x.txt"]) == ["a", "b"]
    assert distinguishing_folders(["/p/a/x.txt", "/q/a/x.txt", "/q/b/x.txt"]) == ["p/a", "q/a", "q/b"]


def test_files_of_the_same_name_are_told_apart_in_the_sidebar(tmp_path, qtbot):
    from paperdesk.gui.main_window import MainWindow

    paths = []
    for folder, title in (("june", "A Paper on Bees"), ("july", "A Paper on Wasps")):
        (tmp_path / folder).mkdir()
        path = tmp_path / folder / "profile.txt"
        path.write_text(f"LGMay 28\n{title}\nAna Lee\nAbstract.\n", "utf-8")
        paths.append(path)
    library = Library(tmp_path / "same-names.sqlite")
    results = library.import_files(paths, SEED_CAPTURED)
    assert [r.status for r in results] == ["imported", "imported"]
    window = MainWindow(library, QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    qtbot.addWidget(window)
    items = {i.text(0): i.toolTip(0) for i in window.sidebar._all_items() if i.data(0, Qt.UserRole) == "source"}
    assert set(items) == {"profile.txt — june/  (1)", "profile.txt — july/  (1)"}
    for label, tip in items.items():
        folder = label.split(" — ")[1].split("/")[0]
        assert tip.startswith(str((tmp_path / folder / "profile.txt").resolve()))
    library.close()


def test_the_window_reopens_on_the_view_page_and_record_the_librarian_left(seeded, tmp_path, qtbot):
    from paperdesk.core import libraries
    from paperdesk.gui.main_window import MainWindow

    ini = str(tmp_path / "settings.ini")  # never the real settings
    source = seeded.sources()[2]["id"]
    w = MainWindow(seeded, QSettings(ini, QSettings.IniFormat))
    qtbot.addWidget(w)
    w.show()
    w.sidebar.select("source", source)
    w.select_row(3)
    chosen = w.current_id()
    assert chosen is not None and chosen != w.model.id_at(0)
    assert disk(seeded, "SELECT COUNT(*) FROM provenance WHERE paper_id = ? AND source_id = ?", chosen, source)[0][0]
    w.close()
    assert libraries.last_view(seeded)["record"] == chosen
    again = MainWindow(seeded, QSettings(ini, QSettings.IniFormat))
    qtbot.addWidget(again)
    again.show()
    assert again.model.filter.view == "source" and again.model.filter.source_id == source
    assert again.current_id() == chosen and again.detail.paper_id == chosen
    again.show_authors()  # a page, left open
    again.close()
    third = MainWindow(seeded, QSettings(ini, QSettings.IniFormat))
    qtbot.addWidget(third)
    third.show()
    qtbot.waitUntil(lambda: third.stack.currentWidget() is third.authors_view, timeout=10000)
    assert third.sidebar.current_entry() == ("authors", None)


def test_every_file_chosen_is_imported_or_told_why_not(empty_window, qtbot, tmp_path, monkeypatch):
    """A binary file, a missing one and a dump chosen together in the file dialog (which offers all files):
    the dump imported, each of the others a sentence in the report, none dropped silently."""
    from PySide6.QtWidgets import QFileDialog

    binary, missing, dump = tmp_path / "binary.bin", tmp_path / "gone.txt", tmp_path / "one.txt"
    binary.write_bytes(bytes(range(256)) * 20)
    dump.write_text("LGMay 28\nA Single Paper on Bees\nAna Lee\nAbstract.\n", "utf-8")
    filters = []

    def chosen(parent, caption, folder, filter_text):
        filters.append(filter_text)
        return [str(binary), str(missing), str(dump)], ""

    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(chosen))
    empty_window.actions_by_name["import_dialog_open"].trigger()
    assert "All files (*)" in filters[0]
    empty_window.capture_question.accept()
    dialog = empty_window.import_dialog
    qtbot.waitUntil(lambda: dialog.results is not None, timeout=30000)
    assert [r["file"] for r in dialog.results] == ["binary.bin", "gone.txt", "one.txt"]
    report = dialog.report.toPlainText()
    assert "binary.bin: this is a binary file, not a text dump" in report
    assert "gone.txt: cannot read the file" in report
    assert papers(empty_window.library) == 1
    assert dialog.status.text() == "1 record added from 1 file, 2 could not be imported."
