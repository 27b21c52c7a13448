"""The suite never touches the real user's settings: run GUI tests with a HOME that holds a real-looking
Paperdesk config (a saved search, odd values) and check they pass and leave every byte of it as it was."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ODD_CONFIG = """[General]
[view]
kind=tag
value=not-a-number
search=author:\\"nobody at all\\" year:1800
[table]
header=@ByteArray(garbage)
[window]
geometry=@ByteArray(\\0\\0)
splitter=12
[export]
format=nonsense
ascii=maybe
folder=/nonexistent/folder
[import]
last_folder=/also/not/here
"""


def digest(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_suite_leaves_a_real_users_config_untouched(tmp_path):
    home = tmp_path / "user"
    config = home / ".config" / "Paperdesk"
    config.mkdir(parents=True)
    (config / "Paperdesk.ini").write_text(ODD_CONFIG, encoding="utf-8")
    data = home / ".local" / "share" / "Paperdesk"
    data.mkdir(parents=True)
    (data / "notes.txt").write_text("the librarian's own file\n", encoding="utf-8")
    before = digest(home)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "PAPERDESK_"))}
    env.update(HOME=str(home), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "tests/test_gui_views.py",
         "tests/test_gui_start.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert digest(home) == before


def test_a_window_with_odd_settings_opens_on_defaults(seeded, tmp_path, qtbot):
    from PySide6.QtCore import QSettings

    from paperdesk.gui.main_window import MainWindow

    ini = tmp_path / "odd.ini"
    odd = "\n".join(line for line in ODD_CONFIG.splitlines() if not line.startswith("search="))
    ini.write_text(odd, encoding="utf-8")
    window = MainWindow(seeded, QSettings(str(ini), QSettings.IniFormat))
    qtbot.addWidget(window)
    window.show()
    assert window.model.rowCount() == seeded.count_papers()
    assert window.settings.get("export/ascii") is False and window.settings.get("export/format") == "nonsense"
