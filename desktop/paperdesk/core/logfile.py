"""The log file: every unexpected error with its traceback, in the per-user data folder. Qt-free.

Rotating and size-capped (``MAX_BYTES`` × (``BACKUPS`` + 1)), so it never fills a disk. The librarian sees one
sentence; the traceback is here for whoever fixes the bug.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

from .library import APP_NAME

MAX_BYTES = 1_000_000
BACKUPS = 3
_handler: logging.Handler | None = None


def log_dir() -> Path:
    if os.environ.get("PAPERDESK_LOG_DIR"):
        return Path(os.environ["PAPERDESK_LOG_DIR"])
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "logs"


def log_path() -> Path:
    return log_dir() / "paperdesk.log"


def setup() -> Path | None:
    """Send the ``paperdesk`` loggers to the log file (once per process). None if the folder is not writable."""
    global _handler
    if _handler is not None:
        return Path(_handler.baseFilename)
    path = log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                       encoding="utf-8", delay=True)
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("paperdesk")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    _handler = handler
    return path


def teardown() -> None:
    """Detach the file handler (tests, and a bundle switching folders)."""
    global _handler
    if _handler is not None:
        logging.getLogger("paperdesk").removeHandler(_handler)
        _handler.close()
        _handler = None


def log_exception(exc: BaseException, context: str) -> None:
    """Write ``exc`` with its full traceback (also when called outside an ``except`` block)."""
    setup()
    logging.getLogger("paperdesk").error("%s: %s", context, exc, exc_info=(type(exc), exc, exc.__traceback__))
