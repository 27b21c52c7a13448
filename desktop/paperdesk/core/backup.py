"""Backups of a library and restoring them. Qt-free; the GUI and the CLI call these same functions.

A backup is made with SQLite's online backup API from the library's own connection inside one read
transaction, so it is one consistent state of the library even while another window writes (a file copy of a
live WAL database can miss the pages still in the -wal file). It is written to a ``.partial`` file in the
backups folder, synced, and renamed into place: a crash or a kill mid-backup leaves the library and the earlier
backups as they were, and the next backup removes the leftover.

Backups live beside the library, in ``<library name>-backups/``, one file each, named by their UTC time, with a
small JSON sidecar (when, why, how many records). ``restore`` copies a backup into a new file, or over the
current library after a safety backup of what it replaces.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable

from .library import Library, LibraryError
from . import store
from .progress import Cancelled

DEFAULT_KEEP = 10
KEEP_SETTING = "backup_keep"
SPACE_SETTING = "backup_space_limit"  # bytes all backups of the library may take together; none: no limit
# Left free on the disk after a backup: a backup that fills the disk would make the library's next write fail.
SPARE_BYTES = 256 * 1024 * 1024
AUTO_INTERVAL = dt.timedelta(days=1)
_PAGES_PER_STEP = 4096  # 16 MB at 4 KB pages: progress a few times a second, cancel within a fraction of one


class BackupCancelled(Cancelled):
    """The librarian cancelled a backup; the partial file is removed, nothing else changed."""

    def __init__(self, what: str = "the backup"):
        super().__init__(what)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: str  # ISO time, UTC
    reason: str  # "manual", "daily", "before bulk merge", ...
    records: int | None  # visible records at the time of the backup, None when unknown
    size: int

    def as_dict(self) -> dict:
        data = asdict(self)
        data["path"] = str(self.path)
        return data

    @property
    def shown(self) -> str:
        """The moment as a person reads it: ``2026-11-24 00:43 UTC`` (no seconds, no ISO 'T')."""
        try:
            moment = dt.datetime.fromisoformat(self.created)
        except ValueError:
            return self.created
        return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")

    def restored_name(self, library_path: str | os.PathLike) -> str:
        """A file name to suggest for restoring this backup beside the library: ``<library>-restored-<day>-<time>``."""
        try:
            moment = dt.datetime.fromisoformat(self.created).astimezone(dt.timezone.utc).strftime("%Y-%m-%d-%H%M")
        except ValueError:
            moment = "backup"
        return f"{Path(library_path).stem}-restored-{moment}.sqlite"


def backups_dir(library_path: str | os.PathLike) -> Path:
    path = Path(library_path)
    return path.with_name(f"{path.stem}-backups")


def keep_count(library: Library) -> int:
    row = library.conn.execute("SELECT value FROM settings WHERE key = ?", (KEEP_SETTING,)).fetchone()
    try:
        return max(1, int(row[0])) if row else DEFAULT_KEEP
    except ValueError:
        return DEFAULT_KEEP


def set_keep_count(library: Library, keep: int) -> None:
    if keep < 1:
        raise LibraryError("keep at least one backup")
    with library.transaction() as conn:
        conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (KEEP_SETTING, str(keep)))


def space_limit(library: Library) -> int | None:
    """The bytes all backups may take together (oldest pruned first beyond it), None when only their number
    is limited."""
    row = library.conn.execute("SELECT value FROM settings WHERE key = ?", (SPACE_SETTING,)).fetchone()
    try:
        return int(row[0]) if row and int(row[0]) > 0 else None
    except ValueError:
        return None


def set_space_limit(library: Library, limit: int | None) -> None:
    """Limit the backups' space to ``limit`` bytes (None or 0: no limit beyond their number)."""
    with library.transaction() as conn:
        if limit:
            conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (SPACE_SETTING, str(int(limit))))
        else:
            conn.execute("DELETE FROM settings WHERE key = ?", (SPACE_SETTING,))


def size_text(size: int | float) -> str:
    """Bytes as a person reads them: ``3.4 GB``, ``812 MB``, ``40 KB`` (decimal units, as file managers show)."""
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if size >= scale:
            value = size / scale
            return f"{value:.1f} {unit}" if value < 100 else f"{value:,.0f} {unit}"
    return f"{int(size)} bytes"


def backup_size(library: Library) -> int:
    """What a backup of ``library`` writes: every page of its database (the WAL's pages included, as of now)."""
    pages, page_size = (library.conn.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_count", "page_size"))
    return pages * page_size


def free_space(folder: Path) -> int:
    """Free bytes on the disk that holds ``folder`` (or its nearest existing parent: it may not exist yet)."""
    probe = Path(folder)
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    return shutil.disk_usage(probe).free


class NoRoom(LibraryError):
    """No backup made: the disk has no room for it. ``detail`` is the why and what to do, without the first
    words (a window puts its own short ones first: "Daily backup not made: no room on the disk")."""

    def __init__(self, detail: str):
        super().__init__(f"No backup made: {detail}")
        self.detail = detail


def check_room(library: Library, folder: Path) -> int:
    """Refuse, with a sentence, a backup the disk has no room for (checked before a page is written); returns
    the backup's expected size."""
    needed = backup_size(library)
    try:
        free = free_space(folder)
    except OSError:
        return needed  # the backup itself will say what the disk refuses
    if free < needed + SPARE_BYTES:
        raise NoRoom(
            f"it needs {size_text(needed)} and the disk holding {folder} has {size_text(free)}"
            f" free (with {size_text(SPARE_BYTES)} kept spare). Free some space there, or keep fewer backups"
            " (Edit › Preferences); the library is unchanged.")
    return needed


def backups_total(library_path: str | os.PathLike) -> int:
    """The bytes the library's backups take together."""
    return sum(info.size for info in list_backups(library_path))


def _stamp(moment: dt.datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S%fZ")


def make_backup(
    library: Library,
    reason: str = "manual",
    dest: str | os.PathLike | None = None,
    *,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    keep: int | None = None,
) -> BackupInfo:
    """Back up ``library`` to ``dest`` (default: a new file in its backups folder) and prune old backups there.

    ``progress(done_pages, total_pages)`` is called as pages are copied; ``cancelled()`` returning True stops
    the backup (BackupCancelled) and leaves nothing behind.
    """
    created = dt.datetime.now(dt.timezone.utc)
    in_folder = dest is None
    folder = backups_dir(library.path) if in_folder else Path(dest).parent
    target = folder / f"{library.path.stem}-{_stamp(created)}.sqlite" if in_folder else Path(dest)
    partial = target.with_name(target.name + ".partial")
    check_room(library, folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(folder)
        if partial.exists():
            partial.unlink()
    except OSError as exc:
        raise LibraryError(f"{folder}: cannot write a backup there ({exc.strerror or exc})") from exc

    conn = library.conn
    own_read = not conn.in_transaction
    copy = None
    try:
        if own_read:
            conn.execute("BEGIN")  # one snapshot: the count and the pages are of the same state
        records = conn.execute("SELECT count(*) FROM visible_papers").fetchone()[0]

        def step(status, remaining, total):
            if cancelled is not None and cancelled():
                raise BackupCancelled()
            if progress is not None:
                progress(total - remaining, total)

        copy = sqlite3.connect(partial)
        conn.backup(copy, pages=_PAGES_PER_STEP, progress=step)
        copy.execute("PRAGMA journal_mode = DELETE")  # a backup is one self-contained file, no -wal beside it
        copy.close()
        copy = None
        _fsync(partial)
        # The description first, then the backup under its name: whoever lists the backups the moment it
        # appears reads its reason and count, never "unknown".
        info = BackupInfo(target, created.isoformat(timespec="seconds"), reason, records, partial.stat().st_size)
        _write_sidecar(info)
        os.replace(partial, target)
        _fsync_dir(folder)
    except BackupCancelled:
        _discard(copy, partial)
        raise
    except sqlite3.Error as exc:
        _discard(copy, partial)
        raise LibraryError(f"{target}: the backup failed ({exc}); the library is unchanged") from exc
    except OSError as exc:
        _discard(copy, partial)
        raise LibraryError(f"{target}: the backup could not be written ({exc.strerror or exc}); "
                           "the library is unchanged") from exc
    finally:
        if own_read and conn.in_transaction:
            conn.execute("COMMIT")

    if in_folder:
        prune(library.path, keep if keep is not None else keep_count(library), spare=target,
              limit=space_limit(library))
    return info


def _discard(copy, partial: Path) -> None:
    if copy is not None:
        copy.close()
    try:
        partial.unlink()
    except OSError:
        pass


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    if os.name == "nt":  # Windows cannot open a folder for syncing; its rename is durable enough
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _remove_leftovers(folder: Path) -> None:
    """A backup killed half-way leaves ``*.partial`` (and its ``*.partial-journal``); it was never a backup, so
    it goes."""
    for leftover in folder.glob("*.partial*"):
        leftover.unlink()


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def _write_sidecar(info: BackupInfo) -> None:
    sidecar = _sidecar(info.path)
    temporary = sidecar.with_name(sidecar.name + ".partial")
    data = {"created": info.created, "reason": info.reason, "records": info.records}
    try:
        temporary.write_text(json.dumps(data), encoding="utf-8")
        os.replace(temporary, sidecar)
    except OSError:
        pass  # the backup itself is complete; listing falls back to reading the file


def _read_info(path: Path) -> BackupInfo:
    try:
        data = json.loads(_sidecar(path).read_text("utf-8"))
    except (OSError, ValueError):
        data = {}
    created = data.get("created")
    if not created:
        created = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).isoformat(timespec="seconds")
    records = data.get("records")
    if records is None:
        records = _count_in(path)
    return BackupInfo(path, created, data.get("reason", "unknown"), records, path.stat().st_size)


def _count_in(path: Path) -> int | None:
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM visible_papers").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return None


def list_backups(library_path: str | os.PathLike) -> list[BackupInfo]:
    """The backups in the library's backups folder, newest first."""
    folder = backups_dir(library_path)
    if not folder.is_dir():
        return []
    infos = [_read_info(p) for p in folder.glob("*.sqlite") if p.is_file()]
    return sorted(infos, key=lambda i: (i.created, i.path.name), reverse=True)


def prune(library_path: str | os.PathLike, keep: int, spare: Path | None = None,
          limit: int | None = None) -> list[Path]:
    """Delete all but the newest ``keep`` backups, and the oldest while all of them take more than ``limit``
    bytes; never ``spare`` nor the newest one. Returns what was deleted."""
    backups = list_backups(library_path)
    going = backups[max(1, keep):]
    if limit:
        kept = backups[:max(1, keep)]
        total = sum(info.size for info in kept)
        while len(kept) > 1 and total > limit:
            oldest = kept.pop()
            total -= oldest.size
            going.insert(0, oldest)
    removed = []
    for info in going:
        if spare is not None and info.path == spare:
            continue
        for path in (info.path, _sidecar(info.path)):
            try:
                path.unlink()
            except FileNotFoundError:
                pass
        removed.append(info.path)
    return removed


def backup_due(library_path: str | os.PathLike, now: dt.datetime | None = None) -> bool:
    """Whether the daily automatic backup is due: no backup yet, or the newest is a day old."""
    backups = list_backups(library_path)
    if not backups:
        return True
    now = now or dt.datetime.now(dt.timezone.utc)
    return now - dt.datetime.fromisoformat(backups[0].created) >= AUTO_INTERVAL


def check_backup(path: str | os.PathLike) -> int:
    """Open a backup read-only, check it is a whole Paperdesk library; returns its record count."""
    path = Path(path)
    if not path.is_file():
        raise LibraryError(f"{path}: no backup here")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            if conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise LibraryError(f"{path}: this backup is damaged; choose another")
            return conn.execute("SELECT count(*) FROM visible_papers").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise LibraryError(f"{path}: not a Paperdesk backup ({exc})") from exc


def restore(
    backup_path: str | os.PathLike,
    *,
    into: str | os.PathLike | None = None,
    over: Library | None = None,
) -> dict:
    """Restore a backup into a new file ``into``, or over the open library ``over``.

    Over the current library, a safety backup of what is replaced is made first (reason "before restore"),
    so a restore can itself be undone from the backup list. Returns {"records", "path", "safety_backup"}.
    """
    if (into is None) == (over is None):
        raise ValueError("restore either into a new file or over the current library")
    source_path = Path(backup_path)
    records = check_backup(source_path)
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        if into is not None:
            target = Path(into)
            if target.exists():
                raise LibraryError(f"{target}: a file is already there; choose a new name")
            partial = target.with_name(target.name + ".partial")
            try:
                copy = sqlite3.connect(partial)
                source.backup(copy)
                copy.close()
                os.replace(partial, target)
            except (sqlite3.Error, OSError) as exc:
                partial.unlink(missing_ok=True)
                raise LibraryError(f"{target}: cannot write the restored library ({exc})") from exc
            return {"records": records, "path": str(target), "safety_backup": None}
        safety = make_backup(over, "before restore")
        try:
            source.backup(over.conn)  # page by page into the live file, under SQLite's own locking
        except sqlite3.Error as exc:
            raise LibraryError(f"{over.path}: the restore failed ({exc}); the library is unchanged") from exc
        with over.transaction() as conn:
            store.new_generation(conn)  # other windows on this file learn that their history no longer applies
            over.log("restore", {"from": str(source_path), "records": records, "safety_backup": str(safety.path)})
        return {"records": records, "path": str(over.path), "safety_backup": str(safety.path)}
    finally:
        source.close()
