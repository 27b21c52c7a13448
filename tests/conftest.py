"""Shared fixtures: a fresh library in a temp folder per test, the seed files, offscreen Qt.

Qt must import for the GUI tests to mean anything: a missing system library (libEGL) fails loudly here
instead of letting GUI tests skip while CI stays green.
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SEED_CAPTURED = dt.date(2026, 6, 5)
sys.path.insert(0, str(ROOT / "benchmarks"))

from paperdesk.core.library import Library  # noqa: E402


@pytest.fixture(autouse=True)
def away_from_the_user(tmp_path_factory, monkeypatch):
    """Every test runs with HOME, the XDG folders, the log folder and Qt's per-user settings path in a temp
    folder of its own (qutebrowser's idea): no test reads or writes the real user's settings or data."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    for name, sub in (("XDG_CONFIG_HOME", ".config"), ("XDG_DATA_HOME", ".local/share"),
                      ("XDG_STATE_HOME", ".local/state"), ("XDG_CACHE_HOME", ".cache")):
        monkeypatch.setenv(name, str(home / sub))
    monkeypatch.setenv("PAPERDESK_LOG_DIR", str(home / "logs"))
    monkeypatch.delenv("PAPERDESK_DB", raising=False)
    try:
        from PySide6.QtCore import QSettings, QStandardPaths
    except ImportError:  # Qt missing: the GUI tests fail on their own, loudly
        yield home
        return
    QStandardPaths.setTestModeEnabled(True)
    for fmt in (QSettings.IniFormat, QSettings.NativeFormat):
        QSettings.setPath(fmt, QSettings.UserScope, str(home / ".config"))
    from paperdesk.core import logfile

    logfile.teardown()
    yield home
    logfile.teardown()


@pytest.fixture
def seed_paths() -> list[Path]:
    return sorted(SEEDS.glob("*.txt"))


@pytest.fixture
def library(tmp_path) -> Library:
    lib = Library(tmp_path / "library.sqlite")
    yield lib
    lib.close()


@pytest.fixture
def seeded(library, seed_paths) -> Library:
    for path in seed_paths:
        assert library.import_file(path, SEED_CAPTURED).status == "imported"
    return library


@pytest.fixture
def write_dump(tmp_path):
    """Write a small dump file (text or bytes) and return its path."""

    def write(content, name="dump.txt"):
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")
        return path

    return write


@pytest.fixture
def window(seeded, tmp_path, qtbot):
    """The main window on the seeded library, shown offscreen, with settings of its own."""
    from PySide6.QtCore import QSettings

    from paperdesk.gui.main_window import MainWindow

    w = MainWindow(seeded, QSettings(str(tmp_path / "window-settings.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    w.show()
    return w


# Titles of seed records the dump below copies: one already in a certain group (with its copy in another seed
# file), two in none.
DUPLICATED_TITLES = ("How Can Recommender Systems Benefit from Large Language Models: A Survey",
                     "Can Recommender Systems Teach Themselves?%", "Personalized Deep Research:%")


@pytest.fixture
def duplicating_dump(tmp_path):
    """A dump of four records: three copies of seed records as another listing would show them (a hyphen
    written as a space, a changed date, one word misspelt) and one record the library does not hold. Returns
    (path, the ids of the copied records, in that order)."""

    def write(library: Library, name: str = "again.txt"):
        ids, raws = [], []
        for title in DUPLICATED_TITLES:
            pid, raw = library.conn.execute(
                "SELECT p.id, pv.raw FROM papers p JOIN provenance pv ON pv.paper_id = p.id WHERE p.title LIKE ?"
                " ORDER BY p.id LIMIT 1", (title,)).fetchone()
            ids.append(pid)
            raws.append(raw.split("\n"))
        raws[0][1] = raws[0][1].replace("Benefit from", "Benefit frm")
        raws[1][0] = raws[1][0].replace("May 9", "May 10")
        raws[2][1] = raws[2][1].replace("User-Centric", "User Centric")
        fresh = ["IRMay 12", "Tidal Gardens: Grazing Bandits for Seaweed Farms That Nobody AskedAna Lee, Bo Chen",
                 "We study seaweed, slowly."]
        path = tmp_path / name
        path.write_text("\n".join("\n".join(r) for r in [*raws, fresh]) + "\n", encoding="utf-8", newline="")
        return path, ids

    return write


def disk(library, sql, *params):
    """What SQLite holds, read on a connection of its own (not the window's), for tests to compare views with."""
    conn = sqlite3.connect(library.path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def hold_quick_check(monkeypatch):
    """Make the next import check the library (as a large one never checked, nor trusted, in this process) and
    hold that check until ``release`` is set; ``reached`` is set once it started. Returns (reached, release)."""
    import threading

    from paperdesk.core import cleanmark
    from paperdesk.core import library as library_mod

    monkeypatch.setattr(library_mod, "QUICK_CHECK_AT_OPEN_BYTES", 0)  # the fresh library counts as large
    monkeypatch.setattr(cleanmark, "_TRUSTED", {})  # not the library this window made: unknown, to be checked
    monkeypatch.setattr(cleanmark, "_CHECKED_AT", {})
    real, reached, release = Library._quick_check, threading.Event(), threading.Event()

    def held_check(self):
        reached.set()
        assert release.wait(30)
        return real(self)

    monkeypatch.setattr(Library, "_quick_check", held_check)
    return reached, release
