"""The GUI starts on the library, and a first start at the default location loads the bundled seeds."""

from __future__ import annotations

from paperdesk.gui.app import open_library_for_gui
from paperdesk.gui.main_window import MainWindow


def test_first_start_at_the_default_location_loads_the_seeds(tmp_path, monkeypatch, qtbot):
    monkeypatch.delenv("PAPERDESK_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    library, message = open_library_for_gui(None)
    assert library.path == tmp_path / "data" / "Paperdesk" / "library.sqlite"
    assert library.count_papers() == 154
    assert message == "First start: loaded the bundled sample library (154 records from 5 dumps)"
    assert {s["captured"] for s in library.sources()} == {"2026-06-05"}
    library.close()
    library, message = open_library_for_gui(None)  # the second start adds nothing
    assert library.count_papers() == 154 and message.startswith("Library: ")
    library.close()


def test_an_explicit_empty_library_stays_empty(tmp_path, qtbot):
    library, _ = open_library_for_gui(str(tmp_path / "mine.sqlite"))
    assert library.count_papers() == 0
    library.close()


def test_window_lists_the_library(seeded, qtbot, tmp_path):
    window = MainWindow(seeded)
    qtbot.addWidget(window)
    window.show()
    model = window.table.model()
    assert model.rowCount() == 154
    titles = {model.index(r, 0).data() for r in range(model.rowCount())}
    assert "UserGPT Technical Report" in titles
    window.grab().save(str(tmp_path / "main.png"))
