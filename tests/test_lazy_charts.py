"""Start-up does not pay for charts nobody has asked for: pyqtgraph and numpy (0.2 s to import on a quiet machine,
over a second on a busy one) load only when an author page or a comparison is first drawn (sqlite-utils' own
optional numpy import is hidden: core/sqlitedb.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent("""
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from paperdesk.core.library import Library
    from paperdesk.core.seeds import seed_files
    app = QApplication([])
    library = Library(sys.argv[1])
    library.import_files(seed_files())
    from paperdesk.gui.main_window import MainWindow
    window = MainWindow(library, QSettings(sys.argv[2], QSettings.IniFormat))
    window.show()
    app.processEvents()
    print("window:", "pyqtgraph" in sys.modules, "numpy" in sys.modules)
    window.show_author("Wei Guo")
    app.processEvents()
    print("author page:", "pyqtgraph" in sys.modules, "numpy" in sys.modules, len(window.author_page.charts))
""")


def test_the_main_window_imports_pyqtgraph_and_numpy_only_for_an_author_page(tmp_path):
    script = tmp_path / "start.py"
    script.write_text(SCRIPT, encoding="utf-8")
    out = subprocess.run([sys.executable, str(script), str(tmp_path / "lib.sqlite"), str(tmp_path / "s.ini")],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "window: False False"
    assert lines[1] == "author page: True True 5"
