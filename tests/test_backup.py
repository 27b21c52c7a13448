"""Backups: made with SQLite's online backup, listed, pruned, restored; a kill mid-backup loses nothing."""

from __future__ import annotations

import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

import pytest

from paperdesk.cli import main as cli
from paperdesk.core import backup
from paperdesk.core.library import Library, LibraryError


def _titles(path) -> list[tuple]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return conn.execute("SELECT id, title, merged_into FROM papers ORDER BY id").fetchall()
    finally:
        conn.close()


def test_a_backup_holds_the_library_as_it_was_and_is_listed(seeded):
    info = backup.make_backup(seeded, "manual")
    assert info.path.parent == backup.backups_dir(seeded.path)
    assert info.records == 154 == backup.check_backup(info.path)
    assert _titles(info.path) == _titles(seeded.path)
    assert not list(info.path.parent.glob("*-wal")), "a backup is one self-contained file"
    listed = backup.list_backups(seeded.path)
    assert [(i.path, i.reason, i.records) for i in listed] == [(info.path, "manual", 154)]


def test_backups_are_pruned_to_the_newest_n(seeded):
    backup.set_keep_count(seeded, 2)
    made = [backup.make_backup(seeded, f"run {i}").path for i in range(4)]
    kept = [i.path for i in backup.list_backups(seeded.path)]
    assert kept == [made[3], made[2]]
    assert not made[0].exists() and not made[0].with_name(made[0].name + ".json").exists()


def test_restore_into_a_new_file_leaves_the_library_alone(seeded, tmp_path):
    info = backup.make_backup(seeded)
    seeded.conn.execute("UPDATE papers SET title = 'changed after the backup' WHERE id = 1")
    result = backup.restore(info.path, into=tmp_path / "restored.sqlite")
    assert result["records"] == 154
    assert _titles(tmp_path / "restored.sqlite") == _titles(info.path)
    assert seeded.conn.execute("SELECT title FROM papers WHERE id = 1").fetchone()[0] == "changed after the backup"
    with pytest.raises(LibraryError, match="already there"):
        backup.restore(info.path, into=tmp_path / "restored.sqlite")


def test_restore_over_the_library_keeps_a_safety_backup_of_what_it_replaced(seeded):
    info = backup.make_backup(seeded)
    before = _titles(seeded.path)
    seeded.conn.execute("UPDATE papers SET title = 'changed after the backup' WHERE id = 1")
    changed = _titles(seeded.path)
    result = backup.restore(info.path, over=seeded)
    assert _titles(seeded.path) == before
    assert _titles(result["safety_backup"]) == changed
    assert seeded.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert seeded.events("restore")[-1]["details"]  # the restore is in the library's history
    reasons = [i.reason for i in backup.list_backups(seeded.path)]
    assert reasons == ["before restore", "manual"]


def test_a_damaged_or_foreign_backup_is_refused_with_a_sentence(seeded, tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LibraryError, match="not a Paperdesk backup"):
        backup.restore(junk, into=tmp_path / "new.sqlite")
    with pytest.raises(LibraryError, match="no backup here"):
        backup.check_backup(tmp_path / "missing.sqlite")
    assert not (tmp_path / "new.sqlite").exists()


def test_a_cancelled_backup_leaves_nothing(seeded, monkeypatch):
    monkeypatch.setattr(backup, "_PAGES_PER_STEP", 8)
    seen = []
    with pytest.raises(backup.BackupCancelled):
        backup.make_backup(seeded, progress=lambda done, total: seen.append(done), cancelled=lambda: len(seen) > 2)
    folder = backup.backups_dir(seeded.path)
    assert list(folder.iterdir()) == []
    assert seeded.count_papers() == 154


def test_the_daily_backup_is_due_after_a_day(seeded):
    assert backup.backup_due(seeded.path)
    info = backup.make_backup(seeded, "daily")
    made = dt.datetime.fromisoformat(info.created)
    assert not backup.backup_due(seeded.path, made + dt.timedelta(hours=23))
    assert backup.backup_due(seeded.path, made + dt.timedelta(days=1, seconds=1))


def test_a_kill_mid_backup_leaves_the_library_and_earlier_backups_intact(seeded, tmp_path):
    earlier = backup.make_backup(seeded, "earlier")
    script = textwrap.dedent(f"""
        import sys, time
        from paperdesk.core import backup
        from paperdesk.core.library import Library
        backup._PAGES_PER_STEP = 4
        def progress(done, total):
            if done >= 8:
                print("copying", flush=True)
                time.sleep(60)
        backup.make_backup(Library({str(seeded.path)!r}), progress=progress)
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "copying"
        partials = list(backup.backups_dir(seeded.path).glob("*.partial"))
        assert partials, "the backup was half-way when killed"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(10)
    assert seeded.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert seeded.count_papers() == 154
    assert backup.check_backup(earlier.path) == 154
    assert [i.path for i in backup.list_backups(seeded.path)] == [earlier.path]  # the half-way one is no backup
    backup.make_backup(seeded)
    assert not list(backup.backups_dir(seeded.path).glob("*.partial*")), "the next backup clears the leftovers"


def test_cli_backup_list_and_restore(seeded, tmp_path, capsys):
    db = str(seeded.path)
    assert cli(["backup", "--db", db]) == 0
    made = capsys.readouterr().out
    assert "backed up 154 records" in made
    path = backup.list_backups(seeded.path)[0].path
    assert cli(["backup", "--db", db, "--list"]) == 0
    assert path.name in capsys.readouterr().out
    assert cli(["restore", str(path), "--db", db]) == 2  # over the library only with --yes
    assert "--yes" in capsys.readouterr().err
    assert cli(["restore", str(path), "--db", db, "--to", str(tmp_path / "copy.sqlite")]) == 0
    assert _titles(tmp_path / "copy.sqlite") == _titles(seeded.path)
    capsys.readouterr()
    assert cli(["restore", str(path), "--db", db, "--yes"]) == 0
    assert "restored 154 records over" in capsys.readouterr().out
    assert cli(["restore", str(tmp_path / "nope.sqlite"), "--db", db, "--yes"]) == 1
    assert capsys.readouterr().err.startswith("paperdesk: ")


def test_cli_backup_keep_must_be_positive(seeded, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli(["backup", "--db", str(seeded.path), "--keep", "0"])
    assert exit_.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err


def test_killing_the_app_mid_backup_leaves_the_library_and_earlier_backups_intact(seeded, tmp_path):
    """The desktop app itself (its window, File › Back up now, the backup in its worker thread) killed with
    SIGKILL while the backup is half-way: the library and the earlier backups are as they were."""
    earlier = backup.make_backup(seeded, "earlier")
    script = textwrap.dedent(f"""
        import os, sys, time
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtCore import QSettings
        from PySide6.QtWidgets import QApplication
        from paperdesk.core import backup
        from paperdesk.core.library import Library
        from paperdesk.gui import care
        from paperdesk.gui.main_window import MainWindow
        backup._PAGES_PER_STEP = 4
        care.QUICK_BACKUP_BYTES = 0  # the backup runs in the window's worker, as for a large library
        real = backup.make_backup
        def slow(library, reason="manual", dest=None, *, progress=None, cancelled=None, keep=None):
            def step(done, total):
                if progress is not None:
                    progress(done, total)
                if done >= 8:
                    print("copying", flush=True)
                    time.sleep(60)
            return real(library, reason, dest, progress=step, cancelled=cancelled, keep=keep)
        backup.make_backup = slow
        app = QApplication([])
        window = MainWindow(Library({str(seeded.path)!r}),
                            QSettings({str(tmp_path / "app.ini")!r}, QSettings.IniFormat))
        window.show()
        window.actions_by_name["backup_now"].trigger()
        assert window.ops.job is not None, "the backup runs in the worker"
        app.exec()
    """)
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                             env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    try:
        assert child.stdout.readline().strip() == "copying"
        assert list(backup.backups_dir(seeded.path).glob("*.partial")), "the backup was half-way when killed"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(10)
    assert child.returncode == -signal.SIGKILL
    assert seeded.conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    assert seeded.count_papers() == 154
    assert backup.check_backup(earlier.path) == 154
    assert _titles(earlier.path) == _titles(seeded.path)
    assert [i.path for i in backup.list_backups(seeded.path)] == [earlier.path]


def test_a_backup_the_disk_has_no_room_for_is_refused_before_a_page_is_written(seeded, monkeypatch):
    """Checked first: the backup would need the whole library's size, and a disk filled to the last byte
    would make the library's own next write fail."""
    needed = backup.backup_size(seeded)
    monkeypatch.setattr(backup, "free_space", lambda folder: needed + backup.SPARE_BYTES - 1)
    with pytest.raises(LibraryError) as refused:
        backup.make_backup(seeded, "daily")
    sentence = str(refused.value)
    assert sentence.startswith("No backup made: it needs ") and "free" in sentence and "Preferences" in sentence
    assert backup.size_text(needed) in sentence
    folder = backup.backups_dir(seeded.path)
    assert not folder.exists() or list(folder.iterdir()) == []
    monkeypatch.setattr(backup, "free_space", lambda folder: needed + backup.SPARE_BYTES)
    made = backup.make_backup(seeded, "daily")  # room enough: made, of the size foreseen
    assert made.records == 154 and made.size == needed


def test_the_free_space_is_read_on_the_disk_of_a_folder_not_made_yet(seeded):
    folder = backup.backups_dir(seeded.path)
    assert not folder.exists()
    import shutil

    # (other processes write to the same disk meanwhile: equal within a margin)
    assert abs(backup.free_space(folder) - shutil.disk_usage(seeded.path.parent).free) < 512 * 1024 * 1024


def test_the_backups_space_can_be_limited_oldest_first_never_the_newest(seeded):
    one = backup.make_backup(seeded, "first").size
    backup.set_space_limit(seeded, int(2.5 * one))
    assert backup.space_limit(seeded) == int(2.5 * one)
    made = [backup.make_backup(seeded, f"run {i}").path for i in range(4)]
    kept = [i.path for i in backup.list_backups(seeded.path)]
    assert kept == [made[3], made[2]]  # two fit in 2.5 backups' space
    assert backup.backups_total(seeded.path) == sum(p.stat().st_size for p in kept)
    backup.set_space_limit(seeded, 1)  # smaller than one backup: the newest is kept all the same
    newest = backup.make_backup(seeded, "last").path
    assert [i.path for i in backup.list_backups(seeded.path)] == [newest]
    backup.set_space_limit(seeded, None)
    assert backup.space_limit(seeded) is None


@pytest.mark.parametrize("size,text", [(0, "0 bytes"), (999, "999 bytes"), (40_960, "41.0 KB"),
                                       (812_000_000, "812 MB"), (3_401_555_968, "3.4 GB"),
                                       (123_400_000_000, "123 GB")])
def test_sizes_read_as_a_file_manager_shows_them(size, text):
    assert backup.size_text(size) == text
