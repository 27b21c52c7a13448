"""A library that cannot be opened at start (here: damaged) is not a dead end: the box offers to restore its latest
backup into a new library, to open another one, or to quit; the app ends only on Quit."""

from __future__ import annotations

import shutil

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from paperdesk.core import backup
from paperdesk.core.library import Library, LibraryError
from paperdesk.gui import refused_start
from paperdesk.gui.refused_start import RefusedStart


def damage(path):
    data = bytearray(path.read_bytes())
    for i in range(4096 * 2, min(len(data), 4096 * 40)):
        data[i] = 0x5A
    path.write_bytes(bytes(data))


def damaged_with_backup(tmp_path, seeded, with_backup=True):
    seeded.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = tmp_path / "thesis.sqlite"
    shutil.copy(seeded.path, path)
    if with_backup:
        with Library(path) as copy:
            backup.make_backup(copy, "daily")
    damage(path)
    try:
        Library(path).close()
    except LibraryError as exc:
        return path, str(exc)
    raise AssertionError("the damage did not show")


def press_in_box(texts: list[str], seen: list) -> None:
    """Press, in the box each time it shows, the button named by the next of ``texts`` (as the librarian would)."""
    def press():
        box = next((w for w in QApplication.topLevelWidgets()
                    if isinstance(w, QMessageBox) and w.objectName() == "refused-start-box" and w.isVisible()), None)
        if box is None:
            QTimer.singleShot(20, press)
            return
        seen.append({"text": box.text(), "informative": box.informativeText(), "details": box.detailedText(),
                     "buttons": [b.text() for b in box.buttons()]})
        button = next(b for b in box.buttons() if b.text() == texts[len(seen) - 1])
        button.click()
        if len(seen) < len(texts):
            QTimer.singleShot(20, press)

    QTimer.singleShot(0, press)


def test_restore_latest_backup_from_the_box_opens_the_restored_library(tmp_path, seeded, qtbot, monkeypatch):
    path, sentence = damaged_with_backup(tmp_path, seeded)
    before = path.read_bytes()
    target = tmp_path / "restored.sqlite"
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (asked.append(a[2]) or str(target), "")))
    seen = []
    press_in_box(["Restore latest backup…"], seen)
    library, message = RefusedStart(path, sentence).choose()
    try:
        assert library.path == target and library.count_papers() == 154
        assert library.conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0] >= 154
        assert message.startswith("Restored the latest backup (154 records) into") and str(target) in message
    finally:
        library.close()
    # The box said why and what it offers; the terminal commands are in its details only.
    assert seen[0]["text"] == "Cannot open the library thesis.sqlite."
    assert "damaged" in seen[0]["informative"] and "paperdesk" not in seen[0]["informative"]
    assert "paperdesk check --recover" in seen[0]["details"]
    assert {"Quit", "Open another library…", "Open the default library"} <= set(seen[0]["buttons"])
    assert asked and asked[0].startswith(str(tmp_path / "thesis-restored-"))  # beside it, by default
    assert path.read_bytes() == before  # the damaged file is left as it was


def test_open_another_library_then_quit_paths(tmp_path, seeded, qtbot, monkeypatch):
    path, sentence = damaged_with_backup(tmp_path, seeded, with_backup=False)
    other = tmp_path / "other.sqlite"
    Library(other).close()
    picks = iter([str(path), str(other)])  # first the damaged one again (refused, asked again), then another
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (next(picks), "")))
    seen = []
    press_in_box(["Open another library…", "Open another library…"], seen)
    library, message = RefusedStart(path, sentence).choose()
    try:
        assert library.path == other and message == f"Library: {other}"
    finally:
        library.close()
    assert len(seen) == 2 and "Restore latest backup…" not in seen[0]["buttons"]  # no backup: not offered
    seen.clear()
    press_in_box(["Quit"], seen)
    assert RefusedStart(path, sentence).choose() is None


def test_the_app_started_on_a_damaged_library_asks_and_ends_only_on_quit(tmp_path, seeded, qtbot, monkeypatch):
    path, _ = damaged_with_backup(tmp_path, seeded)
    from paperdesk.gui import app as app_module

    seen = []
    press_in_box(["Quit"], seen)
    assert app_module.run(db=str(path)) == 1
    assert seen and "Restore latest backup…" in seen[0]["buttons"]
    assert not [w for w in QApplication.topLevelWidgets() if w.objectName() == "main-window" and w.isVisible()]
    assert refused_start.LIBRARY_FILTER  # the module the app uses
