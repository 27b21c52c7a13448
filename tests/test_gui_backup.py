"""The daily backup and Back up now as a librarian meets them on a large library: in the background with their
size, progress and a way to stop them, the window usable meanwhile, a sentence at the end saying what was made
(and what the backups take), a clear refusal when the disk has no room. Held half-way by a gate in the backup's
own progress, so that what the window shows meanwhile can be looked at."""

from __future__ import annotations

import re
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from paperdesk.core import backup, trash
from paperdesk.gui import backup_status


class HeldBackup:
    """Holds every backup after its first step until ``release()``; the pages are copied a few at a time."""

    def __init__(self, monkeypatch):
        self.released = threading.Event()
        self.reached = threading.Event()
        real = backup.make_backup
        monkeypatch.setattr(backup, "_PAGES_PER_STEP", 4)

        def held(library, reason="manual", dest=None, *, progress=None, cancelled=None, keep=None):
            def step(done, total):
                if progress is not None:
                    progress(done, total)
                self.reached.set()
                for _ in range(3000):  # held, 30 s at most; a Stop (the worker's cancel) ends the hold
                    if self.released.wait(0.01) or (cancelled is not None and cancelled()):
                        return
                raise AssertionError("the backup was held for 30 s")

            return real(library, reason, dest, progress=step, cancelled=cancelled, keep=keep)

        monkeypatch.setattr(backup, "make_backup", held)

    def release(self):
        self.released.set()


@pytest.fixture
def shown_for_any_size(monkeypatch):
    monkeypatch.setattr(backup_status, "SHOWN_FROM_BYTES", 0)  # the seeds are small; a real library is not


def _message(window) -> str:
    return window.statusBar().currentMessage()


def test_the_daily_backup_shows_its_size_and_progress_and_the_window_stays_usable(window, qtbot, monkeypatch,
                                                                                  shown_for_any_size):
    gate = HeldBackup(monkeypatch)
    window.schedule_daily_backup(delay_ms=0)  # as the app does once the window has painted
    qtbot.waitUntil(gate.reached.is_set, timeout=10000)
    worker = window.backup_worker
    status = window.backup_status
    qtbot.waitUntil(lambda: status.isVisible() and status.bar.maximum() > 0, timeout=5000)
    size = backup.backup_size(window.library)
    folder = backup.backups_dir(window.library.path)
    assert status.label.text() == f"Daily backup of this library ({backup.size_text(size)}) into {folder.name}…"
    assert str(folder) in status.label.toolTip() and status.stop_button.isVisible()
    assert 0 < status.bar.value() < status.bar.maximum() == size // window.library.conn.execute(
        "PRAGMA page_size").fetchone()[0]
    # The librarian works meanwhile: a record trashed with Delete, at once, without waiting for the backup.
    window.table.setFocus()
    window.select_row(0)
    chosen = window.current_id()
    qtbot.keyClick(window.table, Qt.Key_Delete)
    assert trash.count_trashed(window.library) == 1 and chosen not in window.model.ids
    gate.release()
    qtbot.waitUntil(lambda: _message(window).startswith("Daily backup made"), timeout=10000)
    made = backup.list_backups(window.library.path)
    assert [b.reason for b in made] == ["daily"] and made[0].records == 154  # the library as the backup began
    size = re.escape(backup.size_text(made[0].size))
    assert re.fullmatch(rf"Daily backup made: 154 records \({size}\) in {re.escape(str(made[0].path.parent))}"
                        rf" \(1 backup there, {size} in all; [\d.,]+ [KMG]?B free\)", _message(window)), \
        _message(window)  # (the free space is another process's to change meanwhile)
    assert not status.isVisible()
    del worker


def test_stop_ends_the_daily_backup_and_leaves_nothing_behind(window, qtbot, monkeypatch, shown_for_any_size):
    gate = HeldBackup(monkeypatch)
    window.backup_if_due()
    assert gate.reached.wait(10)
    status = window.backup_status
    qtbot.waitUntil(status.isVisible, timeout=5000)
    qtbot.mouseClick(status.stop_button, Qt.LeftButton)
    assert not status.stop_button.isEnabled() and status.label.text() == "Stopping the backup…"
    gate.release()
    qtbot.waitUntil(lambda: _message(window).startswith("Daily backup stopped"), timeout=10000)
    assert _message(window) == ("Daily backup stopped: none was made (it is made at the next start);"
                                " the library is unchanged")
    assert not status.isVisible()
    folder = backup.backups_dir(window.library.path)
    assert backup.list_backups(window.library.path) == [] and list(folder.glob("*.partial")) == []
    assert window.library.count_papers() == 154


def test_the_daily_backup_refuses_with_a_sentence_when_the_disk_has_no_room(window, qtbot, monkeypatch):
    monkeypatch.setattr(backup, "free_space", lambda folder: 10 * 1024 * 1024)
    window.backup_if_due()
    status = window.backup_status
    # Short first words in the status bar, where they fit (not a long sentence cut off at the window's edge)...
    qtbot.waitUntil(lambda: status.label.text() == "Daily backup not made: no room on the disk", timeout=10000)
    assert status.isVisible() and not status.stop_button.isVisible() and status.details_button.isVisible()
    # ... and the whole sentence one click away (and in the tooltip), in a box, until it is read.
    needed = backup.size_text(backup.backup_size(window.library))
    sentence = status.label.toolTip()
    assert sentence.startswith("Daily backup not made: no room on the disk. It needs ")
    assert f"It needs {needed} and the disk holding {backup.backups_dir(window.library.path)}" in sentence
    assert "10.5 MB free" in sentence and "Preferences" in sentence and sentence.endswith("unchanged.")
    qtbot.mouseClick(status.details_button, Qt.LeftButton)
    box = status.details_box
    qtbot.waitUntil(box.isVisible, timeout=3000)
    assert box.text() == sentence
    qtbot.mouseClick(box.button(QMessageBox.Ok), Qt.LeftButton)
    qtbot.waitUntil(lambda: not status.isVisible(), timeout=3000)
    assert backup.list_backups(window.library.path) == []
    from paperdesk.core import logfile

    assert sentence in logfile.log_path().read_text("utf-8")  # the log window keeps it too


def test_closing_the_window_stops_a_daily_backup_instead_of_waiting_for_it(window, qtbot, monkeypatch,
                                                                           shown_for_any_size):
    gate = HeldBackup(monkeypatch)
    worker = window.backup_if_due()
    ended = []
    worker.stopped.connect(ended.append, Qt.DirectConnection)
    worker.failed.connect(ended.append, Qt.DirectConnection)
    assert gate.reached.wait(10)
    window.close()  # held half-way: only the window's Stop ends it (else the hold fails after 30 s)
    QApplication.processEvents()
    assert worker.cancel.is_set()
    assert ended == ["Daily backup stopped: none was made (it is made at the next start); the library is unchanged"]
    folder = backup.backups_dir(window.library.path)
    assert not list(folder.glob("*.partial")) and backup.list_backups(window.library.path) == []


def test_back_up_now_in_the_backups_dialog_runs_in_the_background_and_says_what_the_backups_take(
        window, qtbot, monkeypatch):
    window.actions_by_name["restore_backup"].trigger()
    dialog = window.backups_dialog
    assert dialog.isVisible()
    size = backup.size_text(backup.backup_size(window.library))
    assert dialog.where.text().startswith(f"In {backup.backups_dir(window.library.path)}: 0 backups taking 0 bytes")
    assert f"a whole copy of the library ({size} now); the newest 10 are kept" in dialog.where.text()
    gate = HeldBackup(monkeypatch)
    qtbot.mouseClick(dialog.backup_button, Qt.LeftButton)
    assert gate.reached.wait(10)
    assert dialog.bar.isVisible() and dialog.backup_button.text() == "&Stop the backup"
    assert not dialog.over_button.isEnabled() and dialog.message.text() == f"Backing up {size}…"
    QApplication.processEvents()  # the dialog answers while the backup is held half-way
    gate.release()
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=10000)
    info = backup.list_backups(window.library.path)[0]
    assert dialog.message.text() == f"Backed up 154 records ({backup.size_text(info.size)})."
    assert dialog.where.text().startswith(f"In {info.path.parent}: 1 backup taking {backup.size_text(info.size)};")
    assert not dialog.bar.isVisible() and dialog.over_button.isEnabled()
    # Stopped half-way: nothing new, and the dialog says so.
    gate.released.clear()
    gate.reached.clear()
    qtbot.mouseClick(dialog.backup_button, Qt.LeftButton)
    assert gate.reached.wait(10)
    qtbot.mouseClick(dialog.backup_button, Qt.LeftButton)  # "Stop the backup"
    gate.release()
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Backup stopped"), timeout=10000)
    assert [b.path for b in backup.list_backups(window.library.path)] == [info.path]
    dialog.accept()


def test_the_backups_space_limit_is_set_in_preferences_and_prunes_the_oldest(window, qtbot):
    window.actions_by_name["open_preferences"].trigger()
    dialog = next(w for w in QApplication.topLevelWidgets() if w.windowTitle() == "Preferences" and w.isVisible())
    assert dialog.space.value() == 0 and dialog.space.text() == "no limit"
    assert dialog.space_now.text().startswith("Now: 0 backups taking 0 bytes; each about ")
    dialog.space.setValue(3)
    assert dialog.save()
    assert backup.space_limit(window.library) == 3_000_000_000
    backup.set_space_limit(window.library, 1)  # (a limit below one backup, as a 3 GB library meets 3 GB)
    for reason in ("one", "two"):
        backup.make_backup(window.library, reason)
    assert [b.reason for b in backup.list_backups(window.library.path)] == ["two"]


def test_a_library_of_several_gigabytes_is_named_by_its_size(window, qtbot, monkeypatch):
    """A 3.5 GB size does not fit Qt's 32-bit int: it reached the status bar as an overflow warning and a wrong
    number before the signal carried a Python int."""
    monkeypatch.setattr(backup, "backup_size", lambda library: 3_522_625_536)
    monkeypatch.setattr(backup, "free_space", lambda folder: 40_000_000_000)
    gate = HeldBackup(monkeypatch)
    window.backup_if_due()
    assert gate.reached.wait(10)
    status = window.backup_status
    qtbot.waitUntil(status.isVisible, timeout=10000)
    assert status.label.text() == "Daily backup of this library (3.5 GB) into library-backups…"
    gate.release()
    qtbot.waitUntil(lambda: _message(window).startswith("Daily backup made"), timeout=10000)
