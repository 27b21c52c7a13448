"""Numbers beyond Qt's 32-bit int through the window's signals (trial 2, item 3): the size of a 3.4 GB library
sent through Signal(int) raised OverflowError ("Something went wrong") and arrived wrapped to a negative number.
Every signal that may carry a size, a record/tag/source id, a count or a time is declared qint64 (or object)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from PySide6.QtCore import QObject, QSettings, Signal

import paperdesk.gui
from conftest import SEED_CAPTURED, hold_quick_check
from paperdesk.core.backup import size_text
from paperdesk.core.library import Library

BIG = 3_644_628_992  # the trial's library, in bytes: above 2**31
# Signals that carry only what Qt itself keeps in an int (a row of a view).
ROWS_ONLY = {("GroupList", "currentRowChanged")}


def _gui_signals():
    for info in pkgutil.walk_packages(paperdesk.gui.__path__, "paperdesk.gui."):
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, QObject):
                continue
            meta = cls.staticMetaObject
            for i in range(meta.methodOffset(), meta.methodCount()):
                method = meta.method(i)
                if method.methodType() == method.MethodType.Signal:
                    yield name, bytes(method.name()).decode(), [bytes(t).decode() for t in method.parameterTypes()]


def test_no_window_signal_carries_a_32_bit_int():
    found = list(_gui_signals())
    assert any(name == "ImportWorker" and signal == "checking" for name, signal, _ in found)  # the scan sees them
    narrow = [(name, signal, types) for name, signal, types in found
              if "int" in types and (name, signal) not in ROWS_ONLY]
    assert not narrow, narrow


def test_a_signal_declared_qint64_carries_a_big_number():
    class Probe(QObject):
        sent = Signal("qint64")

    probe, got = Probe(), []
    probe.sent.connect(got.append)
    probe.sent.emit(BIG)
    assert got == [BIG]


def test_the_import_dialog_says_the_size_of_a_library_over_2_gib(tmp_path, qtbot, seed_paths, monkeypatch):
    from paperdesk.gui.main_window import MainWindow

    library = Library(tmp_path / "fresh.sqlite")
    window = MainWindow(library, QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    qtbot.addWidget(window)
    reached, release = hold_quick_check(monkeypatch)
    try:
        dialog = window.import_files([str(p) for p in seed_paths], SEED_CAPTURED)
        qtbot.waitUntil(reached.is_set, timeout=30000)
        dialog.worker.checking.emit(BIG)  # what the worker sends for the trial's 3.4 GB library
        assert dialog.status.text().startswith(f"Checking the library ({size_text(BIG)}) before"), \
            dialog.status.text()
        assert size_text(BIG) == "3.6 GB"
        release.set()
        qtbot.waitUntil(lambda: dialog.results is not None, timeout=30000)
        assert "went wrong" not in dialog.status.text()
    finally:
        release.set()
        library.close()
