"""Where the files shipped beside the code are: the sample dumps (``seeds/``) and the icon and desktop entry
(``resources/``).

Paperdesk runs from three kinds of installs, and each keeps these folders in its own place:
a PyInstaller bundle (``sys._MEIPASS``), a wheel installed by pip (``<prefix>/share/paperdesk``, from the
``data-files`` in pyproject.toml) and the source checkout (the top of the repository). Qt-free on purpose:
the command line and the core use it too.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path

SEEDS = "seeds"
RESOURCES = "resources"
FONTS = "fonts"  # only the Linux bundle carries fonts, for systems that have none (see gui/app.py)
_OVERRIDES = {SEEDS: "PAPERDESK_SEEDS", RESOURCES: "PAPERDESK_RESOURCES", FONTS: "PAPERDESK_FONTS"}


def _candidates(kind: str) -> list[Path]:
    found = []
    if os.environ.get(_OVERRIDES[kind]):
        found.append(Path(os.environ[_OVERRIDES[kind]]))
    if getattr(sys, "_MEIPASS", None):
        found.append(Path(sys._MEIPASS) / kind)
    # A checkout wins over an installed copy: in an editable install both exist and the checkout is the live one.
    found.append(Path(__file__).resolve().parents[2] / kind)
    for prefix in dict.fromkeys([sysconfig.get_path("data"), sys.prefix, os.path.join(os.path.expanduser("~"), ".local")]):
        found.append(Path(prefix) / "share" / "paperdesk" / kind)
    return found


def data_dir(kind: str, must_have: str) -> Path | None:
    """The first folder of this kind that holds a file matching the glob ``must_have``, or None."""
    return next((c for c in _candidates(kind) if c.is_dir() and any(c.glob(must_have))), None)


def resource(name: str) -> Path | None:
    """A file from ``resources/`` (the icon, the desktop entry), wherever this install keeps it."""
    directory = data_dir(RESOURCES, name)
    return directory / name if directory else None
