"""The bundled sample library: the five seed dumps shipped with Paperdesk (``seeds/`` at the top of the project)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from .. import bundled
from .library import ImportResult, Library


def seeds_dir() -> Path | None:
    """Where the seed dumps are: $PAPERDESK_SEEDS, a PyInstaller bundle, the checkout or an installed wheel."""
    return bundled.data_dir(bundled.SEEDS, "*.txt")


def seed_files(directory: Path | None = None) -> list[Path]:
    directory = directory or seeds_dir()
    return sorted(directory.glob("*.txt")) if directory else []


def seeds_capture_date(directory: Path | None = None) -> dt.date | None:
    """The capture date written in seeds/manifest.json: file times of a fresh checkout say nothing about it."""
    directory = directory or seeds_dir()
    try:
        return dt.date.fromisoformat(json.loads((directory / "manifest.json").read_text("utf-8"))["captured"])
    except (OSError, TypeError, KeyError, ValueError):
        return None


def load_seeds(library: Library) -> list[ImportResult]:
    directory = seeds_dir()
    captured = seeds_capture_date(directory)
    # One run, so that "Recently imported" holds every record this first start loaded, not the last file's.
    return library.import_files(seed_files(directory), captured)
