"""What the offline bundles rely on, checked without building one (the build and its smoke test are
`packaging/build_linux.sh` and `packaging/smoke_test.sh`; README "Bundles").

- the PyInstaller spec leaves out no Qt module the app imports;
- the sample dumps and the icon travel in the wheel and are found where pip puts them;
- `paperdesk --version`, `paperdesk paths`, `paperdesk gui --exit-when-shown` and Help > About;
- the icon files made for Windows and macOS;
- the smoke test itself: it passes a working app and fails a broken one.
"""

from __future__ import annotations

import ast
import os
import shutil
import stat
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import paperdesk
from paperdesk import bundled
from paperdesk.core.seeds import seed_files, seeds_dir

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"


def _spec_list(name: str) -> list[str]:
    tree = ast.parse((PACKAGING / "paperdesk.spec").read_text("utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return [ast.literal_eval(element) for element in node.value.elts]
    raise AssertionError(f"{name} not found in the spec")


def _modules_imported_by_the_app() -> set[str]:
    found = set()
    for path in (ROOT / "desktop" / "paperdesk").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def test_the_spec_excludes_no_qt_module_the_app_or_pyqtgraph_needs():
    excluded = set(_spec_list("QT_EXCLUDES"))
    imported = {m for m in _modules_imported_by_the_app() if m.startswith("PySide6.Qt")}
    assert imported >= {"PySide6.QtCore", "PySide6.QtGui", "PySide6.QtWidgets", "PySide6.QtSvg"}
    assert imported & excluded == set()
    # pyqtgraph's curves import these two through importlib: the spec must name them, or the bundle dies at start.
    import pyqtgraph.Qt.OpenGLHelpers as helpers
    source = Path(helpers.__file__).read_text("utf-8")
    for module in ("QtOpenGL", "QtOpenGLWidgets"):
        assert module in source
        assert f"PySide6.{module}" not in excluded
    spec = (PACKAGING / "paperdesk.spec").read_text("utf-8")
    assert 'hiddenimports=["PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets"]' in spec


def test_the_wheel_carries_the_sample_dumps_and_the_icon(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path), str(ROOT)], check=True, capture_output=True)
    wheel = next(tmp_path.glob("paperdesk-*.whl"))
    assert wheel.name.startswith(f"paperdesk-{paperdesk.__version__}-")
    names = zipfile.ZipFile(wheel).namelist()
    data = f"paperdesk-{paperdesk.__version__}.data/data/share/"
    for seed in seed_files(ROOT / "seeds"):
        assert data + "paperdesk/seeds/" + seed.name in names
    assert data + "paperdesk/seeds/manifest.json" in names
    assert data + "paperdesk/resources/paperdesk.svg" in names
    assert data + "applications/paperdesk.desktop" in names
    assert data + "icons/hicolor/scalable/apps/paperdesk.svg" in names


def test_an_installed_copy_finds_the_dumps_under_its_prefix(tmp_path, monkeypatch):
    # As pip lays a wheel out: the module in site-packages, the data under <prefix>/share/paperdesk.
    site = tmp_path / "venv" / "lib" / "python3" / "site-packages" / "paperdesk"
    share = tmp_path / "venv" / "share" / "paperdesk"
    shutil.copytree(ROOT / "seeds", share / "seeds")
    shutil.copytree(ROOT / "resources", share / "resources")
    monkeypatch.setattr(bundled, "__file__", str(site / "bundled.py"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    monkeypatch.delenv("PAPERDESK_SEEDS", raising=False)
    monkeypatch.delattr(sys, "_MEIPASS", raising=False)
    assert seeds_dir() == share / "seeds"
    assert len(seed_files()) == 5
    assert bundled.resource("paperdesk.svg") == share / "resources" / "paperdesk.svg"
    # and a frozen bundle's own folder comes first
    frozen = tmp_path / "bundle" / "_internal"
    shutil.copytree(ROOT / "seeds", frozen / "seeds")
    monkeypatch.setattr(sys, "_MEIPASS", str(frozen), raising=False)
    assert seeds_dir() == frozen / "seeds"


def test_nothing_found_is_none_not_a_crash(tmp_path, monkeypatch):
    monkeypatch.setattr(bundled, "__file__", str(tmp_path / "a" / "b" / "bundled.py"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    monkeypatch.setattr(bundled.sysconfig, "get_path", lambda name: str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("PAPERDESK_SEEDS", raising=False)
    assert seeds_dir() is None and seed_files() == [] and bundled.resource("paperdesk.svg") is None


def _paperdesk(*args, env=None, timeout=60):
    return subprocess.run([sys.executable, "-m", "paperdesk", *args], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})})


def test_version_and_paths(tmp_path):
    out = _paperdesk("--version")
    assert out.returncode == 0 and out.stdout.strip() == f"paperdesk {paperdesk.__version__}"
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "PAPERDESK_DB": ""}
    lines = dict(line.split(": ", 1) for line in _paperdesk("paths", env=env).stdout.splitlines())
    assert lines["default library"] == str(tmp_path / "data" / "Paperdesk" / "library.sqlite")
    assert lines["library"] == lines["default library"]
    assert lines["sample dumps"] == str(ROOT / "seeds")
    explicit = dict(line.split(": ", 1) for line in _paperdesk("--db", str(tmp_path / "x.sqlite"), "paths").stdout.splitlines())
    assert explicit["library"] == str(tmp_path / "x.sqlite")


def test_gui_exit_when_shown_starts_on_the_sample_library_and_reports(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "PAPERDESK_DB": "", "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    out = _paperdesk("gui", "--exit-when-shown", env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("window shown after ") and out.stdout.rstrip().endswith(" s")
    seconds = float(out.stdout.split()[3])
    assert 0 < seconds < 60
    from paperdesk.core.library import Library
    library = Library(tmp_path / "data" / "Paperdesk" / "library.sqlite", create=False)
    assert library.count_papers() == 154
    library.close()


def test_the_window_title_names_the_library_once_and_the_app_once(window):
    from PySide6.QtWidgets import QApplication

    from paperdesk.gui.app import make_app

    make_app()
    assert window.windowTitle() == "library.sqlite"  # Qt adds " — Paperdesk" when it shows the title
    assert QApplication.applicationDisplayName() == "Paperdesk"
    assert QApplication.desktopFileName() == "paperdesk"


def test_help_about_names_the_version_and_the_library(window, tmp_path):
    about = [a for a in window.menuBar().actions() if a.text() == "&Help"][0].menu().actions()
    assert "&About Paperdesk" in [a.text() for a in about]
    box = window.show_about(show=False)
    text = box.text()
    assert f"Paperdesk {paperdesk.__version__}" in text
    assert str(window.library.path) in text
    assert "PySide6" in text and "Qt " in text
    box.show()
    box.grab().save(str(tmp_path / "about.png"))
    assert (tmp_path / "about.png").stat().st_size > 1000


def test_make_icons_writes_an_ico_windows_and_qt_can_read(tmp_path):
    subprocess.run([sys.executable, str(PACKAGING / "make_icons.py"), "--ico", str(tmp_path / "p.ico"),
                    "--iconset", str(tmp_path / "p.iconset")], check=True, capture_output=True,
                   env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    data = (tmp_path / "p.ico").read_bytes()
    reserved, kind, count = struct.unpack("<HHH", data[:6])
    assert (reserved, kind, count) == (0, 1, 7)
    sizes = []
    for i in range(count):
        w, h, _, _, planes, bpp, length, offset = struct.unpack("<BBBBHHII", data[6 + 16 * i: 22 + 16 * i])
        assert data[offset:offset + 8] == b"\x89PNG\r\n\x1a\n" and offset + length <= len(data)
        sizes.append(w or 256)
    assert sizes == [16, 24, 32, 48, 64, 128, 256]
    from PySide6.QtGui import QImageReader
    reader = QImageReader(str(tmp_path / "p.ico"))
    assert reader.imageCount() == 7 and not reader.read().isNull()
    iconset = sorted(p.name for p in (tmp_path / "p.iconset").iterdir())
    assert len(iconset) == 10 and "icon_512x512@2x.png" in iconset


# --- the smoke test of a bundle, run on a stand-in bundle whose `paperdesk` starts this checkout ------------------

def _fake_bundle(tmp_path: Path, version: str) -> Path:
    top = tmp_path / "stage" / f"paperdesk-{version}-linux-x86_64"
    (top / "_internal").mkdir(parents=True)
    launcher = top / "paperdesk"
    launcher.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m paperdesk "$@"\n')
    launcher.chmod(launcher.stat().st_mode | stat.S_IEXEC)
    shutil.copy(PACKAGING / "linux" / "install.sh", top / "install.sh")
    shutil.copy(ROOT / "resources" / "paperdesk.desktop", top)
    shutil.copy(ROOT / "resources" / "paperdesk.svg", top)
    (top / "VERSION").write_text(version + "\n")
    tarball = tmp_path / f"{top.name}.tar.gz"
    subprocess.run(["tar", "-czf", str(tarball), "-C", str(top.parent), top.name], check=True)
    return tarball


def test_the_smoke_tests_large_import_is_large_enough_for_the_worker_process():
    # smoke_test.sh imports just over 9 MB of dumps at once to exercise the spawned parser in a frozen bundle.
    from paperdesk.core import library

    assert library.PROCESS_PARSE_BYTES < 9_000_000
    assert "9000000 / seed_bytes" in (PACKAGING / "smoke_test.sh").read_text()


def _smoke(tmp_path: Path, tarball: Path):
    env = {**os.environ, "SMOKE_OUT": str(tmp_path / "out"), "TMPDIR": str(tmp_path)}
    allowed = subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0 or \
        subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0
    if not allowed:
        env["SMOKE_ALLOW_NETWORK"] = "1"
    return subprocess.run(["bash", str(PACKAGING / "smoke_test.sh"), str(tarball)], capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("unshare") is None, reason="Linux script")
def test_smoke_test_passes_a_working_bundle_and_fails_a_broken_one(tmp_path):
    good = _smoke(tmp_path / "good", _fake_bundle(tmp_path / "good", paperdesk.__version__))
    assert good.returncode == 0, good.stdout + good.stderr
    assert "SMOKE PASS" in good.stdout
    for step in ("--version", "first start loaded the sample library: 154 records", "import of 5 seed dumps: 154",
                 "large import (185 files, 9 MB, ", "): 5698 records",
                 "BibTeX export: 154 entries", "rendered offscreen", "install.sh: command, menu entry"):
        assert step in good.stdout
    assert (tmp_path / "good" / "out" / "main-window.png").stat().st_size > 20000
    if shutil.which("bibtex"):  # .ci/run installs TeX Live
        assert "bibtex reads the export with no error or warning and formats all 154 entries" in good.stdout

    # A bundle that says it is another version than it is must fail, and say why.
    bad = _smoke(tmp_path / "bad", _fake_bundle(tmp_path / "bad", "9.9.9"))
    assert bad.returncode == 1
    assert "SMOKE FAIL" in bad.stderr and "9.9.9" in bad.stderr


@pytest.mark.parametrize("argv", [["gui"], [], ["snapshot", "x.png"]])
def test_without_the_systems_opengl_libraries_the_window_commands_say_what_to_install(argv, monkeypatch, capsys,
                                                                                       tmp_path):
    # As on a bare server: QtGui fails to load ("libGL.so.1: cannot open shared object file").
    from paperdesk import cli

    monkeypatch.setitem(sys.modules, "PySide6.QtGui", None)
    assert cli.main(["--db", str(tmp_path / "l.sqlite"), *argv]) == 1
    err = capsys.readouterr().err
    assert err.startswith("paperdesk: the window cannot start:") and "libgl1 libegl1" in err
    assert "Traceback" not in err
    assert not (tmp_path / "l.sqlite").exists()  # nothing was opened or created


DEJAVU = Path("/usr/share/fonts/truetype/dejavu")


@pytest.mark.skipif(not (DEJAVU / "DejaVuSans.ttf").is_file(), reason="needs Debian's fonts-dejavu-core (.ci/run installs it)")
def test_a_system_without_fonts_gets_the_bundled_ones(qapp, monkeypatch):
    from PySide6.QtGui import QFont

    from paperdesk.gui.app import ensure_fonts

    assert ensure_fonts(qapp, system_has_fonts=True) == []  # a normal desktop: nothing loaded
    assert ensure_fonts(qapp) == []  # and this machine has fonts (DejaVu at least), so it is one
    monkeypatch.setenv("PAPERDESK_FONTS", str(DEJAVU))
    before = qapp.font()
    try:
        families = ensure_fonts(qapp, system_has_fonts=False)  # as on a bare system
        assert {"DejaVu Sans", "DejaVu Sans Mono"} <= set(families)
        assert qapp.font().family() == "DejaVu Sans"
        assert QFont.substitute("monospace").lower() == "dejavu sans mono"  # Qt keeps substitutes lower-case
    finally:
        QFont.removeSubstitutions("monospace")
        qapp.setFont(before)


def test_no_bundled_fonts_is_no_error(qapp, monkeypatch, tmp_path):
    from paperdesk.gui.app import ensure_fonts

    monkeypatch.setattr(bundled, "__file__", str(tmp_path / "a" / "b" / "bundled.py"))
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    monkeypatch.setattr(bundled.sysconfig, "get_path", lambda name: str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("PAPERDESK_FONTS", raising=False)
    before = qapp.font()
    assert ensure_fonts(qapp, system_has_fonts=False) == []
    assert qapp.font() == before


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None, reason="needs desktop-file-utils")
def test_the_menu_entry_is_valid(tmp_path):
    # As shipped; smoke_test.sh validates it again as install.sh rewrites it with the program's full path.
    out = subprocess.run(["desktop-file-validate", str(ROOT / "resources" / "paperdesk.desktop")],
                         capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout == "" and out.stderr == ""
    # Docks match a window to its menu entry by WM_CLASS's class, which Qt sets to the application name.
    assert "StartupWMClass=Paperdesk" in (ROOT / "resources" / "paperdesk.desktop").read_text()


@pytest.mark.skipif(shutil.which("shellcheck") is None, reason="needs shellcheck (.ci/run installs it)")
def test_the_packaging_scripts_pass_shellcheck():
    # build_macos.sh and the AppImage step cannot run on this Linux machine; shellcheck at least reads them.
    scripts = sorted(str(p) for p in PACKAGING.rglob("*.sh"))
    assert len(scripts) >= 7
    out = subprocess.run(["shellcheck", "-x", "--severity=warning", *scripts], capture_output=True, text=True,
                         cwd=ROOT)
    assert out.returncode == 0, out.stdout
