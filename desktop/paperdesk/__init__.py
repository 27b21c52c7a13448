"""Paperdesk: curate paper records from listing dumps.

`paperdesk.core` is Qt-free (parsing, the SQLite library, exports); `paperdesk.gui` is a thin PySide6 layer over it.
"""

__version__ = "0.1.0"
