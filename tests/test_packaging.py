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


# Seconds a command may take before a test gives up on it: a bound against a hang, not a speed claim (start-up
# figures come from benchmarks/bench_startup.py); a machine busy with other work starts Python and Qt slowly.
HANG = 300


def _paperdesk(*args, env=None, timeout=HANG):
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
    assert seconds > 0
    from paperdesk.core.library import Library
    library = Library(tmp_path / "data" / "Paperdesk" / "library.sqlite", create=False)
    assert library.count_papers() == 154
    library.close()


def test_the_window_title_names_the_library_once_and_the_app_once(window):
    from PySide6.QtWidgets import QApplication

    from paperdesk.gui.app import make_app

    make_app()
    assert window.windowTitle() == "library"  # library.sqlite; Qt adds " — Paperdesk" when it shows the title
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

def _fake_bundle(tmp_path: Path, version: str, crlf: bool = False) -> Path:
    top = tmp_path / "stage" / f"paperdesk-{version}-linux-x86_64"
    (top / "_internal").mkdir(parents=True)
    launcher = top / "paperdesk"
    if crlf:  # as a Windows program prints to a pipe: every line ends in CR LF
        launcher.write_text(f'#!/bin/bash\nset -o pipefail\n"{sys.executable}" -m paperdesk "$@" | sed "s/$/\\r/"\n')
    else:
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


def _smoke(tmp_path: Path, tarball: Path, allow_network: bool = False, bash: tuple[str, ...] = ("bash",)):
    # TMPDIR ends in "/", as on macOS.
    env = {**os.environ, "SMOKE_OUT": str(tmp_path / "out"), "TMPDIR": str(tmp_path) + "/"}
    allowed = subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0 or \
        subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0
    if allow_network or not allowed:
        env["SMOKE_ALLOW_NETWORK"] = "1"
    return subprocess.run([*bash, str(PACKAGING / "smoke_test.sh"), str(tarball)], capture_output=True, text=True,
                          env=env, timeout=3 * HANG)


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("unshare") is None, reason="Linux script")
def test_smoke_test_passes_a_working_bundle_and_fails_a_broken_one(tmp_path):
    # The app's output in CR LF lines (as on Windows) and TMPDIR ending in "/" (as on macOS).
    good = _smoke(tmp_path / "good", _fake_bundle(tmp_path / "good", paperdesk.__version__, crlf=True))
    assert good.returncode == 0, good.stdout + good.stderr
    assert "SMOKE PASS" in good.stdout
    for step in ("--version", "first start loaded the sample library: 154 records", "import of 5 seed dumps: 154",
                 "large import (185 files, 9 MB, ", "): 5698 records",
                 "BibTeX export: 154 entries", "rendered offscreen", "install.sh: command, menu entry"):
        assert step in good.stdout
    assert (tmp_path / "good" / "out" / "main-window.png").stat().st_size > 20000
    if shutil.which("bibtex"):  # .ci/run installs TeX Live
        assert "bibtex reads the export with no error or warning and formats all 154 entries" in good.stdout

    # A bundle that says it is another version than it is must fail, and say why. This run also takes the path of
    # the macOS and Windows runners (no network namespace: an empty array under `set -u`, which bash 3.2 rejects
    # unless guarded), in bash's POSIX mode.
    bad = _smoke(tmp_path / "bad", _fake_bundle(tmp_path / "bad", "9.9.9"), allow_network=True,
                 bash=("bash", "--posix"))
    assert bad.returncode == 1
    assert "SMOKE FAIL" in bad.stderr and "9.9.9" in bad.stderr
    assert "unbound variable" not in bad.stderr and "NOT cut off from the network" in bad.stdout


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


# --- the launcher's glibc floor, the symbol scan, and the messages for a missing display or library --------------

LAUNCHER = PACKAGING / "linux" / "paperdesk.sh"


def _launcher_bundle(tmp_path: Path, glibc: str | None) -> tuple[Path, dict]:
    """The Linux bundle's launcher beside a stand-in paperdesk-bin, with a `getconf` that reports `glibc`."""
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    shutil.copy(LAUNCHER, bundle / "paperdesk")
    (bundle / "paperdesk-bin").write_text('#!/bin/sh\necho "started with $*"\n')
    fake_bin = tmp_path / "bin"
    fake_bin.mkdir()
    if glibc is None:  # a system without glibc (musl): getconf knows no GNU_LIBC_VERSION
        (fake_bin / "getconf").write_text('#!/bin/sh\necho "getconf: Unrecognized variable" >&2\nexit 1\n')
    else:
        (fake_bin / "getconf").write_text(f'#!/bin/sh\n[ "$1" = GNU_LIBC_VERSION ] && echo "glibc {glibc}"\n')
    for f in (bundle / "paperdesk", bundle / "paperdesk-bin", fake_bin / "getconf"):
        f.chmod(0o755)
    return bundle / "paperdesk", {"PATH": f"{fake_bin}:/usr/bin:/bin"}


@pytest.mark.parametrize("glibc", ["2.31", "2.33", None])
def test_below_the_glibc_floor_the_launcher_says_so_in_one_sentence(tmp_path, glibc):
    launcher, env = _launcher_bundle(tmp_path, glibc)
    out = subprocess.run([str(launcher), "--version"], capture_output=True, text=True, env=env)
    assert out.returncode == 1 and out.stdout == ""
    assert len(out.stderr.splitlines()) == 1
    assert "needs glibc 2.34 or newer" in out.stderr
    assert f"this system's C library is {f'glibc {glibc}' if glibc else 'not glibc'}, and this" in out.stderr


@pytest.mark.parametrize("glibc", ["2.34", "2.36", "2.41", "3.0"])
def test_at_or_above_the_floor_the_launcher_starts_the_program_with_its_arguments(tmp_path, glibc):
    launcher, env = _launcher_bundle(tmp_path, glibc)
    # through a symbolic link, as ~/.local/bin/paperdesk is one
    link = tmp_path / "link"
    link.symlink_to(launcher)
    out = subprocess.run([str(link), "import", "a file.txt"], capture_output=True, text=True, env=env)
    assert out.returncode == 0 and out.stdout == "started with import a file.txt\n", out.stderr


def test_the_floor_is_one_number_everywhere():
    floor = next(line.split("=", 1)[1] for line in LAUNCHER.read_text().splitlines() if line.startswith("FLOOR="))
    assert floor == "2.34"
    assert f"glibc {floor} or newer" in (PACKAGING / "linux" / "README.txt").read_text()
    assert f"glibc {floor}" in (PACKAGING / "README.md").read_text()


def _glibc_need(path: Path) -> str:
    out = subprocess.run(["readelf", "-V", "-W", str(path)], capture_output=True, text=True, check=True).stdout
    versions = {line.split("GLIBC_", 1)[1].split()[0] for line in out.splitlines() if "Name: GLIBC_" in line}
    return max(versions, key=lambda v: tuple(int(x) for x in v.split(".")))


@pytest.mark.skipif(shutil.which("readelf") is None or not Path("/bin/ls").is_file(), reason="needs binutils")
def test_the_symbol_scan_fails_a_bundle_with_a_file_above_the_floor(tmp_path):
    bundle = tmp_path / "bundle"
    (bundle / "_internal").mkdir(parents=True)
    shutil.copy("/bin/ls", bundle / "_internal" / "some-program")
    (bundle / "README.txt").write_text("not an ELF file\n")
    need = _glibc_need(bundle / "_internal" / "some-program")
    major, minor = (int(x) for x in need.split(".")[:2])
    scan = [str(PACKAGING / "glibc_floor.sh"), str(bundle)]

    at = subprocess.run([*scan, need], capture_output=True, text=True)
    assert at.returncode == 0, at.stderr
    assert f"1 ELF files, the highest need is GLIBC_{need} (_internal/some-program)" in at.stdout

    below = subprocess.run([*scan, f"{major}.{minor - 1}"], capture_output=True, text=True)
    assert below.returncode == 1
    assert f"_internal/some-program needs GLIBC_{need}" in below.stderr

    empty = tmp_path / "empty"
    empty.mkdir()
    assert subprocess.run([str(PACKAGING / "glibc_floor.sh"), str(empty)], capture_output=True).returncode == 1


def test_build_linux_runs_the_scan_and_installs_the_launcher_and_leaves_out_the_cpp_runtime():
    build = (PACKAGING / "build_linux.sh").read_text()
    assert '"$ROOT/packaging/glibc_floor.sh" "$BUILD/dist/paperdesk"' in build
    assert build.index("glibc_floor.sh") < build.index("tar --sort=name")
    assert 'packaging/linux/paperdesk.sh" "$BUILD/dist/paperdesk/paperdesk"' in build
    assert set(_spec_list("SYSTEM_RUNTIME")) == {"libstdc++.so.6", "libgcc_s.so.1"}


def _gui(env: dict, *args: str):
    clean = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    return subprocess.run([sys.executable, "-m", "paperdesk", *args], capture_output=True, text=True, timeout=HANG,
                          env={**clean, **env})


def test_with_no_display_the_window_says_so_instead_of_qt_aborting(tmp_path):
    env = {"XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "cfg"), "PAPERDESK_DB": ""}
    for argv in ([], ["gui"], ["gui", "--exit-when-shown"]):
        out = _gui(env, *argv)
        assert out.returncode == 1, (argv, out.returncode, out.stderr)  # Qt's own abort is 134
        assert out.stderr == ("paperdesk: no display found; run from a desktop session or set "
                              "QT_QPA_PLATFORM=offscreen for the command line\n")
    assert not (tmp_path / "data").exists()  # nothing was created
    # the window-less commands need no display
    assert _gui(env, "--version").returncode == 0


def test_a_missing_x11_library_is_named_with_its_packages(monkeypatch):
    from paperdesk import display

    gone = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    real_loads = display._loads
    monkeypatch.setattr(display, "_loads", lambda name: name not in gone and real_loads(name))
    problem = display.window_problem({"DISPLAY": ":0"})
    if display.missing_libraries([n for n in display.XCB_LIBRARIES if n not in gone]):
        pytest.skip("this machine lacks other X11 libraries too")
    assert problem == ("the window cannot open on xcb: libxcb-icccm.so.4, libxcb-keysyms.so.1 are missing; "
                       "on Debian/Ubuntu `sudo apt-get install libxcb-icccm4 libxcb-keysyms1`, "
                       "on Fedora/RHEL `sudo dnf install xcb-util-wm xcb-util-keysyms`")
    # offscreen needs no X server and no X library
    assert display.window_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert display.window_problem({}) == display.NO_DISPLAY
    assert display.window_problem({"QT_QPA_PLATFORM": "xcb"}) == display.NO_DISPLAY
    assert display.missing_libraries(["libpaperdesk-no-such-library.so.7"]) == ["libpaperdesk-no-such-library.so.7"]


def test_a_qtgui_loader_error_names_the_library_that_failed_and_its_packages():
    from paperdesk.display import qtgui_problem

    problem = qtgui_problem(ImportError("libEGL.so.1: cannot open shared object file: No such file or directory"))
    assert problem.startswith("the window cannot start: libEGL.so.1 is missing; ")
    assert "`sudo apt-get install libegl1`" in problem and "`sudo dnf install libglvnd-egl`" in problem
    odd = qtgui_problem(ImportError("libfoo.so.3: cannot open shared object file"))
    assert "install the package that provides libfoo.so.3" in odd


def _needed(path: Path) -> set[str]:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True, check=True).stdout
    return {line.split("[", 1)[1].split("]", 1)[0] for line in out.splitlines() if "(NEEDED)" in line}


@pytest.mark.skipif(not sys.platform.startswith("linux") or shutil.which("readelf") is None, reason="Linux, binutils")
def test_the_package_table_covers_every_system_library_qt_links_and_the_readme_lists_them():
    import PySide6

    from paperdesk import display

    qt = Path(PySide6.__file__).parent / "Qt"
    files = [qt / "plugins" / "platforms" / "libqxcb.so", qt / "lib" / "libQt6XcbQpa.so.6", qt / "lib" / "libQt6Gui.so.6"]
    system = set().union(*(_needed(f) for f in files))
    system = {n for n in system if not n.startswith(("libQt6", "libicu", "libpyside", "libshiboken"))} - {
        "libc.so.6", "libm.so.6", "libstdc++.so.6", "libgcc_s.so.1", "ld-linux-x86-64.so.2", "libz.so.1",
        "libzstd.so.1"}  # libc, the C++ runtime and compression are part of every system
    assert system <= set(display.XCB_LIBRARIES), system - set(display.XCB_LIBRARIES)
    assert set(display.XCB_LIBRARIES) <= set(display.PACKAGES)

    readme = (ROOT / "README.md").read_text()
    apt = set(readme.split("`sudo apt-get install ", 1)[1].split("`", 1)[0].split())
    dnf = set(readme.split("`sudo dnf install ", 1)[1].split("`", 1)[0].split())
    assert {display.PACKAGES[n][0] for n in display.XCB_LIBRARIES} <= apt
    assert {display.PACKAGES[n][1] for n in display.XCB_LIBRARIES} <= dnf
    assert "python3-venv" in apt  # Debian's python3 makes no venv without it


def test_install_sh_sets_modes_whatever_the_umask_and_uninstall_removes_only_what_it_made(tmp_path):
    bundle = tmp_path / "b"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "_internal" / "lib.so").write_text("x")
    (bundle / "paperdesk").write_text("#!/bin/sh\necho hi\n")
    for f in ("paperdesk.desktop", "paperdesk.svg"):
        shutil.copy(ROOT / "resources" / f, bundle)
    shutil.copy(PACKAGING / "linux" / "install.sh", bundle)
    (bundle / "VERSION").write_text("1.2.3\n")
    # unpacked by someone with umask 077: nothing readable by others
    for path in [bundle, *bundle.rglob("*")]:
        path.chmod(0o700 if path.is_dir() or path.name in ("paperdesk", "install.sh") else 0o600)
    home = tmp_path / "home"
    library = home / ".local" / "share" / "Paperdesk" / "library.sqlite"
    library.parent.mkdir(parents=True)
    library.write_text("the user's library")
    (home / ".local" / "bin").mkdir()
    (home / ".local" / "bin" / "other-tool").write_text("mine")

    def sh(*args, **env):
        return subprocess.run(["sh", "-c", 'umask 077; exec sh "$@"', "sh", str(bundle / "install.sh"), *args],
                              capture_output=True, text=True, env={"HOME": str(home), "PATH": "/usr/bin:/bin", **env})

    def mode(p: Path) -> int:
        return stat.S_IMODE(p.stat().st_mode)

    out = sh()
    assert out.returncode == 0, out.stderr
    app = home / ".local" / "share" / "paperdesk-app"
    assert mode(app) == 0o755 and mode(app / "_internal") == 0o755 and mode(app / "paperdesk") == 0o755
    assert mode(app / "_internal" / "lib.so") == 0o644 and mode(app / "VERSION") == 0o644
    assert mode(home / ".local" / "share" / "applications") == 0o755
    assert mode(home / ".local" / "share" / "icons" / "hicolor" / "scalable" / "apps") == 0o755
    assert mode(home / ".local" / "share" / "applications" / "paperdesk.desktop") == 0o644

    out = sh("--uninstall")
    assert out.returncode == 0, out.stderr
    assert library.read_text() == "the user's library"
    assert (home / ".local" / "bin" / "other-tool").read_text() == "mine"  # a folder it did not make stays
    share = home / ".local" / "share"
    assert sorted(p.name for p in share.iterdir()) == ["Paperdesk"]  # applications/, icons/, the app: gone

    # --system, staged with DESTDIR (as a packager would): the same modes, the real paths in the menu entry
    stage = tmp_path / "stage"
    out = sh("--system", DESTDIR=str(stage))
    assert out.returncode == 0, out.stderr
    assert mode(stage / "opt" / "paperdesk") == 0o755 and mode(stage / "opt" / "paperdesk" / "paperdesk") == 0o755
    assert mode(stage / "usr" / "local" / "share" / "applications") == 0o755
    entry = (stage / "usr" / "local" / "share" / "applications" / "paperdesk.desktop").read_text()
    assert 'Exec="/opt/paperdesk/paperdesk"' in entry
    assert os.readlink(stage / "usr" / "local" / "bin" / "paperdesk") == "/opt/paperdesk/paperdesk"
    assert sh("--system", "--uninstall", DESTDIR=str(stage)).returncode == 0
    assert not stage.exists()  # every folder under it was made by the install


def test_every_bash_array_expansion_is_safe_under_bash_3_2():
    # macOS's bash 3.2 aborts on "${a[@]}" of an empty array under `set -u`; ${a[@]+"${a[@]}"} is the safe form.
    import re

    for script in PACKAGING.rglob("*.sh"):
        text = script.read_text()
        bare = [m.group(0) for m in re.finditer(r'(?<!\+)"\$\{(\w+)\[@\]\}"', text)]
        assert bare == [], f"{script.name}: unguarded array expansion {bare}"
    assert '${ISOLATE[@]+"${ISOLATE[@]}"}' in (PACKAGING / "smoke_test.sh").read_text()


def test_the_workflow_uses_current_runners_and_the_fixed_font_package():
    flow = (ROOT / ".github" / "workflows" / "bundles.yml").read_text()
    assert "macos-14" not in flow and "runs-on: macos-15" in flow
    assert "runs-on: windows-latest" in flow and "fonts-dejavu-extra" in flow
    assert 'PYTHONUTF8: "1"' in flow
    assert '("X utf8_mode=1", None, "OPTION")' in (PACKAGING / "paperdesk.spec").read_text()
    assert 'mkdir -p "$ROOT/packaging/macos"' in (PACKAGING / "build_macos.sh").read_text()


def test_requires_python_matches_the_pins():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["requires-python"] == ">=3.11"
    versions = {c.rsplit(":: ", 1)[1] for c in project["classifiers"] if c.startswith("Programming Language :: Python :: 3.")}
    assert versions == {"3.11"}
    pins = (PACKAGING / "constraints.txt").read_text()
    assert "numpy==2." in pins  # numpy 2.3 and later need Python 3.11
    build = (PACKAGING / "requirements-build.txt").read_text()
    for tool in ("pyinstaller==", "pyinstaller-hooks-contrib==", "altgraph==", "packaging==", "setuptools=="):
        assert tool in build
