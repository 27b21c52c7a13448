"""sqlite-utils, imported without numpy.

sqlite-utils imports numpy when it is installed (0.1-0.2 s, and ~20 MB) only to map numpy's number types to
column types; Paperdesk never stores numpy values through it, and numpy is otherwise needed only by the
duplicate scan and the charts, which import it themselves when they run. So start-up hides numpy from that
one optional import. Import ``sqlite_utils`` from here, not directly.
"""

from __future__ import annotations

import sys


def _import_without_numpy():
    if "sqlite_utils" in sys.modules or "numpy" in sys.modules:
        import sqlite_utils

        return sqlite_utils
    sys.modules["numpy"] = None  # type: ignore[assignment]  # its `import numpy` then fails, as if not installed
    try:
        import sqlite_utils
    finally:
        del sys.modules["numpy"]  # the duplicate scan and the charts still import the real numpy later
    return sqlite_utils


sqlite_utils = _import_without_numpy()
