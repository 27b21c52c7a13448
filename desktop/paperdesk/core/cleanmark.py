"""Whether a large library is known sound without reading it all again: Paperdesk's own clean close, remembered.

SQLite's quick check reads every page (tens of seconds at a million records, minutes from a cold disk cache), so a
library too large to check at every open is checked before its first import of a session. When Paperdesk itself
closed that library cleanly after a check (or after an open that trusted it the same way), nothing can have
changed it since unless something wrote to the file: so at that close the file's identity and SQLite's state are
remembered, and the next session skips the check while they are exactly as remembered.

What is remembered, per library path: the file's device and inode (a copy or a replaced file is another file),
its size, modification and change times in nanoseconds (the change time cannot be set back by a program, so even
a tool that restores the modification time is seen), and a digest of SQLite's 100-byte header (change counter,
page count, schema cookie, free pages). It is written only after our last connection closed and SQLite removed
the write-ahead log, i.e. every change is in the file. So:

- a write by another program, a sync tool, a restore or a partial copy changes the times (and mostly the size or
  the header): the check runs;
- a crash (ours or another Paperdesk's) leaves a write-ahead log or a hot journal behind, or never wrote the
  marker after its changes: the check runs;
- while a connection of this process has the file open it stays trusted as long as its path names the same file
  (our own writes and checkpoints change every fact above); a program writing into the open file behind SQLite's
  back is out of sight until a later check, like damage that no write made. Once the last connection closed,
  the next open goes by the marker, as in a new process;
- damage that no write made (a failing disk flipping bits) keeps every fact above; the marker is then trusted for
  at most MAX_AGE, after which the check runs again. SQLite still refuses pages it cannot read, which stops an
  import with a sentence (the full check is ``paperdesk check``).

The markers live in the user's state folder (not in the library: writing them there would change the file), one
small JSON file; losing it costs one check.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import threading
from pathlib import Path

APP_NAME = "Paperdesk"
MAX_AGE = dt.timedelta(days=7)  # at least this often a large library is read whole again (a disk can rot silently)
KEEP = 50  # libraries remembered (the most recently closed)
_LOCK = threading.Lock()
# Libraries this process found sound (a quick check passed, or their marker held at open), by resolved path, with
# the file's (device, inode) then: only those get a marker at close, and only while the path is still that file.
_TRUSTED: dict[str, tuple[int, int]] = {}
_CHECKED_AT: dict[str, dt.datetime] = {}  # and when the check that vouches for each ran
# Connections of this process open on each library: the trust above lasts while one is; once the last closed,
# the next open goes by the marker (which sees a file changed meanwhile), like a new process.
_OPEN: dict[str, int] = {}


def store_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_state_dir(APP_NAME, appauthor=False)) / "checked.json"


def _key(path: Path) -> str:
    return str(Path(path).resolve())


def _sidecars_present(path: Path) -> bool:
    """A write-ahead log or a rollback journal beside the file: changes not (or not yet) in the file itself. (An
    empty log, which a read-only connection may leave, holds none.)"""
    for suffix in ("-wal", "-journal"):
        try:
            if Path(f"{path}{suffix}").stat().st_size > 0:
                return True
        except FileNotFoundError:
            continue
        except OSError:
            return True
    return False


def fingerprint(path: Path) -> dict | None:
    """The file's identity and SQLite's state as the marker records them; None when they cannot be read or
    changes are still outside the file (a write-ahead log or journal beside it)."""
    path = Path(path)
    try:
        st = path.stat()
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError:
        return None
    if _sidecars_present(path) or len(header) < 100:
        return None
    return {"dev": st.st_dev, "ino": st.st_ino, "size": st.st_size, "mtime_ns": st.st_mtime_ns,
            "ctime_ns": st.st_ctime_ns, "header": hashlib.sha256(header).hexdigest()}


def _read() -> dict:
    try:
        data = json.loads(store_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write(data: dict) -> None:
    target = store_path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(tmp, target)  # whole or not at all: a reader never sees half a file
    except OSError:
        pass  # no marker: the next session checks, as without this module


def known_clean(path: Path, now: dt.datetime | None = None) -> dt.datetime | None:
    """When the library was last found sound, if Paperdesk closed it cleanly since and nothing has touched the
    file; None otherwise (the check is due)."""
    entry = _read().get(_key(path))
    if not isinstance(entry, dict):
        return None
    try:
        checked = dt.datetime.fromisoformat(entry["checked_at"])
    except (KeyError, TypeError, ValueError):
        return None
    now = now or dt.datetime.now(dt.timezone.utc)
    if not (now - MAX_AGE <= checked <= now):
        return None
    state = fingerprint(path)
    return checked if state is not None and state == entry.get("state") else None


def trusted_here(path: Path) -> dt.datetime | None:
    """When the check vouching for the library ran, if this process found it sound and the path is still that
    file (changes made meanwhile went through SQLite, by us or another Paperdesk)."""
    key = _key(path)
    with _LOCK:
        if not _OPEN.get(key):
            return None
        identity, checked_at = _TRUSTED.get(key), _CHECKED_AT.get(key)
    try:
        st = Path(path).stat()
    except OSError:
        return None
    return checked_at if identity == (st.st_dev, st.st_ino) else None


def opened(path: Path) -> None:
    """A connection of this process opened the library."""
    key = _key(path)
    with _LOCK:
        if not _OPEN.get(key):  # the first: no trust left over from connections before (a failed open)
            _TRUSTED.pop(key, None)
            _CHECKED_AT.pop(key, None)
        _OPEN[key] = _OPEN.get(key, 0) + 1


def trust(path: Path, checked_at: dt.datetime | None = None) -> None:
    """This process found the library sound (a quick check passed, or its marker held): a clean close may
    remember it. ``checked_at``: when the check that vouches for it ran (now, by default)."""
    try:
        st = Path(path).stat()
    except OSError:
        return
    with _LOCK:
        _TRUSTED[_key(path)] = (st.st_dev, st.st_ino)
        _CHECKED_AT[_key(path)] = checked_at or dt.datetime.now(dt.timezone.utc)


def distrust(path: Path) -> None:
    """The library is damaged (or may be): no marker, and none left from before."""
    key = _key(path)
    with _LOCK:
        _TRUSTED.pop(key, None)
        _CHECKED_AT.pop(key, None)
        data = _read()
        if data.pop(key, None) is not None:
            _write(data)


def closed(path: Path, remember: bool = True) -> bool:
    """After a connection of ours closed: when it was this process's last one, the trust ends here; and when
    SQLite then moved every change into the file and removed the write-ahead log (no other program holds it) and
    this process trusted the file, its state is remembered. Returns whether it was."""
    key = _key(path)
    with _LOCK:
        left = max(_OPEN.get(key, 0) - 1, 0)
        _OPEN[key] = left
        if left:
            return False  # another connection of ours still writes through SQLite: nothing settled yet
        identity, checked_at = _TRUSTED.pop(key, None), _CHECKED_AT.pop(key, None)
        if identity is None or checked_at is None or not remember:
            return False
        state = fingerprint(path)
        if state is None or (state["dev"], state["ino"]) != identity:
            return False  # still open by another program, or the path now names another file
        data = _read()
        data[key] = {"state": state, "checked_at": checked_at.isoformat()}
        if len(data) > KEEP:
            kept = sorted(data.items(), key=lambda kv: str(kv[1].get("checked_at", "")), reverse=True)[:KEEP]
            data = dict(kept)
        _write(data)
        return True
