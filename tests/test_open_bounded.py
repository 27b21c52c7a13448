"""Opening a library never waits for SQLite to read the whole of a mid-sized file (trial 2, item 6: a 312 MB
library, quick-checked at every open, showed no window for 45 s from a cold disk). Above the bound the check
runs before the first import instead (the import dialog says so), so a damaged file is still never written to."""

from __future__ import annotations

from paperdesk.core import cleanmark
from paperdesk.core.library import Library


def test_a_library_over_the_bound_is_not_read_whole_at_open(tmp_path, monkeypatch):
    path = tmp_path / "mid.sqlite"
    lib = Library(path)
    # 100 MB: a third of the trial's library, well above what a window may wait for
    lib.conn.execute("CREATE TABLE padding (b BLOB)")
    lib.conn.execute("INSERT INTO padding VALUES (zeroblob(100 * 1024 * 1024))")
    lib.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    lib.close()
    assert path.stat().st_size > 100 * 1024 * 1024
    cleanmark.store_path().unlink(missing_ok=True)  # a library this user's Paperdesk never closed cleanly
    monkeypatch.setattr(cleanmark, "_TRUSTED", {})
    checks = []
    real = Library._quick_check
    monkeypatch.setattr(Library, "_quick_check", lambda self: (checks.append(self.path), real(self))[1])
    lib = Library(path, create=False)
    try:
        assert checks == [] and lib.needs_check  # not at open ...
        lib.ensure_checked()  # ... but before the first import writes into it
        assert checks == [path] and not lib.needs_check
    finally:
        lib.close()
