"""Before Qt starts a window on Linux: is there a display, and can Qt's platform plugin load its libraries?

Qt itself aborts the process (exit code 134) when it cannot connect to a display or load its xcb plugin, and
its message names the wrong culprit ("xcb-cursor0 is needed" for any missing X11 library, or with no display
at all). This module finds out first, without importing Qt, and returns one sentence that says what is wrong
and, for a missing library, the exact package that provides it on Debian/Ubuntu and on Fedora/RHEL.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
from pathlib import Path

NO_DISPLAY = "no display found; run from a desktop session or set QT_QPA_PLATFORM=offscreen for the command line"

# soname -> (Debian/Ubuntu package, Fedora/RHEL package). The libraries Qt's GUI module and its xcb and Wayland
# plugins link to (readelf -d on PySide6's libQt6Gui, libQt6XcbQpa, libqxcb, libqwayland) that the system
# provides; tests/test_packaging.py checks this table covers them all.
PACKAGES: dict[str, tuple[str, str]] = {
    "libGL.so.1": ("libgl1", "libglvnd-glx"),
    "libEGL.so.1": ("libegl1", "libglvnd-egl"),
    "libOpenGL.so.0": ("libopengl0", "libglvnd-opengl"),
    "libfontconfig.so.1": ("libfontconfig1", "fontconfig"),
    "libfreetype.so.6": ("libfreetype6", "freetype"),
    "libdbus-1.so.3": ("libdbus-1-3", "dbus-libs"),
    "libglib-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libgthread-2.0.so.0": ("libglib2.0-0", "glib2"),
    "libz.so.1": ("zlib1g", "zlib"),
    "libzstd.so.1": ("libzstd1", "libzstd"),
    "libxkbcommon.so.0": ("libxkbcommon0", "libxkbcommon"),
    "libxkbcommon-x11.so.0": ("libxkbcommon-x11-0", "libxkbcommon-x11"),
    "libX11.so.6": ("libx11-6", "libX11"),
    "libX11-xcb.so.1": ("libx11-xcb1", "libX11-xcb"),
    "libxcb.so.1": ("libxcb1", "libxcb"),
    "libxcb-cursor.so.0": ("libxcb-cursor0", "xcb-util-cursor"),
    "libxcb-icccm.so.4": ("libxcb-icccm4", "xcb-util-wm"),
    "libxcb-keysyms.so.1": ("libxcb-keysyms1", "xcb-util-keysyms"),
    "libxcb-image.so.0": ("libxcb-image0", "xcb-util-image"),
    "libxcb-render-util.so.0": ("libxcb-render-util0", "xcb-util-renderutil"),
    "libxcb-util.so.1": ("libxcb-util1", "xcb-util"),
    "libxcb-randr.so.0": ("libxcb-randr0", "libxcb"),
    "libxcb-render.so.0": ("libxcb-render0", "libxcb"),
    "libxcb-shape.so.0": ("libxcb-shape0", "libxcb"),
    "libxcb-shm.so.0": ("libxcb-shm0", "libxcb"),
    "libxcb-sync.so.1": ("libxcb-sync1", "libxcb"),
    "libxcb-xfixes.so.0": ("libxcb-xfixes0", "libxcb"),
    "libxcb-xkb.so.1": ("libxcb-xkb1", "libxcb"),
    "libwayland-client.so.0": ("libwayland-client0", "libwayland-client"),
    "libwayland-cursor.so.0": ("libwayland-cursor0", "libwayland-cursor"),
    "libwayland-egl.so.1": ("libwayland-egl1", "libwayland-egl"),
}

# What the xcb platform plugin needs from the system (libqxcb.so and libQt6XcbQpa.so.6, Qt 6.11).
XCB_LIBRARIES = [
    "libGL.so.1", "libEGL.so.1", "libfontconfig.so.1", "libfreetype.so.6", "libglib-2.0.so.0",
    "libgthread-2.0.so.0", "libxkbcommon.so.0", "libxkbcommon-x11.so.0", "libX11.so.6", "libX11-xcb.so.1",
    "libxcb.so.1", "libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1", "libxcb-image.so.0",
    "libxcb-render-util.so.0", "libxcb-util.so.1", "libxcb-randr.so.0", "libxcb-render.so.0", "libxcb-shape.so.0",
    "libxcb-shm.so.0", "libxcb-sync.so.1", "libxcb-xfixes.so.0", "libxcb-xkb.so.1",
]

_SONAME = re.compile(r"(lib[\w.+-]+\.so(?:\.\d+)*)")


def missing_library_from_error(message: str) -> str | None:
    """The library a loader error names: 'libGL.so.1: cannot open shared object file: ...' -> 'libGL.so.1'."""
    match = _SONAME.search(message)
    return match.group(1) if match else None


def install_advice(sonames: list[str]) -> str:
    """'install libgl1 (Debian/Ubuntu) or libglvnd-glx (Fedora/RHEL)' for the libraries given, in that order."""
    known = [s for s in sonames if s in PACKAGES]
    unknown = [s for s in sonames if s not in PACKAGES]
    parts = []
    if known:
        debian = " ".join(dict.fromkeys(PACKAGES[s][0] for s in known))
        fedora = " ".join(dict.fromkeys(PACKAGES[s][1] for s in known))
        parts.append(f"on Debian/Ubuntu `sudo apt-get install {debian}`, on Fedora/RHEL `sudo dnf install {fedora}`")
    if unknown:
        parts.append(f"install the package that provides {', '.join(unknown)}")
    return "; ".join(parts)


def _bundled(name: str) -> bool:
    """The Linux bundle carries some of these libraries itself (next to the program, in _internal/)."""
    here = getattr(sys, "_MEIPASS", None)
    return bool(here) and (Path(here) / name).exists()


def _loads(name: str) -> bool:
    if _bundled(name):
        return True
    try:
        ctypes.CDLL(name)
    except OSError:
        return False
    return True


def missing_libraries(names: list[str]) -> list[str]:
    return [name for name in names if not _loads(name)]


def _platform(environ) -> str:
    """The platform plugin Qt will pick: QT_QPA_PLATFORM's first choice, else Wayland in a Wayland session with a
    Wayland display, else xcb (Qt's default on Linux)."""
    chosen = environ.get("QT_QPA_PLATFORM", "").split(";")[0].split(":")[0].strip()
    if chosen:
        return chosen
    if environ.get("WAYLAND_DISPLAY") and (environ.get("XDG_SESSION_TYPE") == "wayland" or not environ.get("DISPLAY")):
        return "wayland"
    return "xcb"


def window_problem(environ=None) -> str | None:
    """One sentence saying why a window cannot open here, or None when Qt can try. Linux only."""
    if not sys.platform.startswith("linux"):
        return None
    environ = os.environ if environ is None else environ
    platform = _platform(environ)
    if platform == "xcb":
        if not environ.get("DISPLAY"):
            return NO_DISPLAY
        missing = missing_libraries(XCB_LIBRARIES)
    elif platform.startswith("wayland"):
        if not environ.get("WAYLAND_DISPLAY") and not environ.get("DISPLAY"):
            return NO_DISPLAY
        missing = missing_libraries(["libwayland-client.so.0", "libwayland-cursor.so.0", "libGL.so.1",
                                     "libxkbcommon.so.0"])
    else:  # offscreen, minimal, vnc... : Qt needs no display, QtGui's own libraries are checked at import
        return None
    if missing:
        return (f"the window cannot open on {platform}: {', '.join(missing)} "
                f"{'is' if len(missing) == 1 else 'are'} missing; {install_advice(missing)}")
    return None


def qtgui_problem(error: BaseException) -> str:
    """The sentence for a failed `import PySide6.QtGui` (a library it links to is missing)."""
    soname = missing_library_from_error(str(error))
    if soname:
        return (f"the window cannot start: {soname} is missing; {install_advice([soname])}. "
                "The command line (import, export...) works without it.")
    return (f"the window cannot start: {error}. Qt needs the system's OpenGL libraries: "
            f"{install_advice(['libGL.so.1', 'libEGL.so.1'])}. The command line (import, export...) works without them.")
