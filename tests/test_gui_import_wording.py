"""The import dialog says what is happening at each moment: files counted while they are imported, a busy bar
(not a full one) while a large import builds its indexes, "waiting" (without a Stop button) while another scan
holds the Duplicates page, "looking" with Stop once the scan of the new records runs, and the outcome."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QFileDialog

from paperdesk.core import merging
from paperdesk.core.backup import size_text
from paperdesk.gui.dialogs import import_dialog as import_dialog_mod


def bar_state(dialog):
    bar = dialog.bar
    assert not dialog.stop_scan.isVisible()  # nothing to stop while the files are imported
    return bar.minimum(), bar.maximum(), bar.value(), bar.format(), dialog.status.text()


def test_a_large_import_shows_its_files_then_a_busy_bar_while_it_builds_its_indexes(window, qtbot, seed_paths,
                                                                                     monkeypatch):
    from paperdesk.core import library as library_mod

    monkeypatch.setattr(library_mod, "is_bulk", lambda paths: True)  # the seeds, imported as a large import is
    monkeypatch.setattr(import_dialog_mod, "is_bulk", lambda paths: True)
    seen = []

    class Recorder(QObject):  # lives on the GUI thread: its slot runs after the dialog's, as the window sees it
        @Slot(int, int, str, int)
        def record(self, *_):
            seen.append(bar_state(dialog))

    recorder = Recorder()
    dialog = window.import_files([str(p) for p in seed_paths])
    dialog.worker.progress.connect(recorder.record)
    qtbot.waitUntil(lambda: dialog.results is not None, timeout=60000)
    total = len(seed_paths)
    assert len(seen) == total
    sizes = [p.stat().st_size for p in seed_paths]
    for done, (low, high, value, form, status) in enumerate(seen[:-1], start=1):
        # the files done fill the bar by their bytes, never full while files remain; the next one is named
        assert form == f"{done} of {total} files · now {seed_paths[done].name} ({size_text(sizes[done])})…"
        if sizes[done] * 2 >= sum(sizes):
            assert (low, high) == (0, 0)  # that file is most of the import: busy while it runs
        else:
            assert (low, high, value) == (0, sum(sizes) // 1024, sum(sizes[:done]) // 1024) and value < high
        # read, not added: the run is kept only when all of it is written
        assert status.startswith(f"{done} of {total} files read, ") and "ready to add when the whole import" in status
        assert "added" not in status.replace("ready to add", "").replace("(added when", "")
    low, high, _, form, status = seen[-1]
    assert (low, high) == (0, 0) and form == "Building the indexes…"  # busy while the indexes are built
    assert status.startswith(f"All {total} files read; building")
    qtbot.waitUntil(lambda: window.duplicates.worker is None, timeout=30000)
    assert dialog.bar.value() == dialog.bar.maximum() and dialog.bar.format().startswith("Import finished")
    assert not dialog.stop_scan.isVisible()  # the seeds were there already: no new records, nothing looked for


def test_a_single_file_import_shows_a_moving_bar_with_its_name_not_0_of_1_files(window, qtbot, seed_paths):
    one = seed_paths[-1]
    dialog = window.import_files([str(one)])
    # As the window shows it before the file's end (the worker's signals are handled by this thread's loop).
    assert (dialog.bar.minimum(), dialog.bar.maximum()) == (0, 0)  # busy: it moves
    assert dialog.bar.format() == f"Importing {one.name} ({size_text(one.stat().st_size)})…"
    assert "0 of 1" not in dialog.bar.format()
    assert dialog.status.text() == dialog.bar.format()  # the line above the bar says it (a busy bar shows no text)
    qtbot.waitUntil(lambda: dialog.results is not None, timeout=60000)
    assert dialog.bar.maximum() > 0 and dialog.bar.value() == dialog.bar.maximum()
    assert dialog.bar.format() == "Import finished"
    qtbot.waitUntil(lambda: window.duplicates.worker is None, timeout=30000)


def test_the_dialog_waits_for_a_running_scan_then_looks_with_a_stop_button(window, qtbot, duplicating_dump,
                                                                           monkeypatch):
    full_held, new_held, new_started = threading.Event(), threading.Event(), threading.Event()
    real_full, real_new = merging.scan_pairs, merging.scan_new_pairs

    def held_full(*args, **kwargs):
        assert full_held.wait(30)
        return real_full(*args, **kwargs)

    def held_new(*args, **kwargs):
        worker = window.duplicates.worker
        if worker is not None and not worker.whole:  # not the full scan catching up with its own tail
            new_started.set()
            assert new_held.wait(30)
        return real_new(*args, **kwargs)

    monkeypatch.setattr(merging, "scan_pairs", held_full)
    monkeypatch.setattr(merging, "scan_new_pairs", held_new)
    window.actions_by_name["show_duplicates"].trigger()  # a full scan, held
    qtbot.waitUntil(lambda: window.duplicates.worker is not None and window.duplicates.worker.whole, timeout=20000)
    path, _ = duplicating_dump(window.library)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(path)], "")))
    window.actions_by_name["import_dialog_open"].trigger()
    window.capture_question.accept()
    qtbot.waitUntil(lambda: window.import_dialog is not None and window.import_dialog.results is not None,
                    timeout=30000)
    dialog = window.import_dialog
    qtbot.waitUntil(lambda: dialog.duplicates_line.isVisible(), timeout=10000)
    # the full scan still runs: the new records wait for their turn, and there is nothing of theirs to stop yet
    assert dialog.duplicates_line.text().startswith("Waiting for the scan running now to finish")
    assert not dialog.stop_scan.isVisible()
    assert (dialog.bar.minimum(), dialog.bar.maximum(), dialog.bar.format()) == (0, 0, "Waiting…")
    # the full scan ends, the scan of the new records starts: looking, with Stop
    full_held.set()
    qtbot.waitUntil(new_started.is_set, timeout=30000)
    qtbot.waitUntil(lambda: dialog.stop_scan.isVisible(), timeout=10000)
    assert dialog.duplicates_line.text().startswith("Looking for duplicates of the 4 new records")
    new_held.set()
    qtbot.waitUntil(lambda: window.duplicates.worker is None and not dialog.stop_scan.isVisible(), timeout=30000)
    assert dialog.duplicates_line.text().startswith("Possible duplicates: 3 of the 4 new records")
    assert dialog.bar.value() == dialog.bar.maximum() == 1
    assert dialog.bar.format() == "Import finished, duplicates looked for"
