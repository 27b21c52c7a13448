"""Several libraries in the desktop app: File › New library…, Open library…, Open recent, New window; the library's
name in the title bar; and where a second window goes (beside the first, not on top of it).

One window shows one library (as Zotero does), and everything in a window belongs to its library: the views,
the undo history, the background workers. Opening another library therefore puts a new window, built for that
library, in the place of the old one, and retires the old window completely: its workers are stopped (an import
is cancelled after asking, a pinned export gets its last write), its view is saved into its library, its
connection closed and its undo history dropped with it, so an undo can never reach a different library. To see
two libraries at once, File › New window opens a second window (on the same library), where Open library then
switches that window only; the second window is placed beside the first.

Per-user state lives in gui/settings.py (the recent list, the window's size); the library's own state (last
view, search, saved searches, key pattern) in the library file (core/libraries.py).
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from pathlib import Path

import shiboken6

from PySide6.QtCore import QCoreApplication, QFileSystemWatcher, QLockFile, QRect, QSize, QStandardPaths, QThread, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox, QWidget

from ..core import libraries
from ..core.library import Library, LibraryError, default_db_path

log = logging.getLogger(__name__)

RECENT_MAX = 10
FILTER = "Paperdesk libraries (*.sqlite *.db *.sqlite3);;All files (*)"
REGISTRY_DELAY_MS = 400  # a window being dragged rewrites its place once it rests

# The windows of this process: a window replaced by another library's window is dropped from here (and from
# Python) once it has shut down.
OPEN_WINDOWS: list = []


# --- the recent list (per user) ------------------------------------------------------------------------------

def _same_file(a, b) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _short_folder(folder: Path) -> str:
    """A folder as a menu shows it: the home folder as ~."""
    try:
        return "~/" + folder.relative_to(Path.home()).as_posix() if folder != Path.home() else "~"
    except ValueError:
        return str(folder)


def recent_libraries(settings) -> list[str]:
    """The libraries opened last, newest first (absolute paths; some may no longer exist)."""
    try:
        value = json.loads(settings.get("library/recent") or "[]")
    except ValueError:
        return []
    return [p for p in value if isinstance(p, str)][:RECENT_MAX] if isinstance(value, list) else []


def remember_recent(settings, path, sync: bool = True) -> list[str]:
    """``sync`` False: written to the settings file later (by Qt, or the caller), not now."""
    path = str(Path(path).absolute())
    paths = [path] + [p for p in recent_libraries(settings) if p != path and not _same_file(p, path)]
    settings.set("library/recent", json.dumps(paths[:RECENT_MAX], ensure_ascii=False))
    settings.set("library/last", path)
    if sync:
        settings.sync()
    return paths[:RECENT_MAX]


def forget_recent(settings, path=None) -> None:
    """Take ``path`` off the list (all of them when None)."""
    paths = [] if path is None else [p for p in recent_libraries(settings) if p != str(path)]
    settings.set("library/recent", json.dumps(paths, ensure_ascii=False))
    settings.sync()


def last_library(settings) -> Path | None:
    """The library open in the app when it was last used, if it is still there (the app starts on it)."""
    path = settings.get("library/last")
    return Path(path) if path and Path(path).is_file() else None


# --- where a window goes -----------------------------------------------------------------------------------

def place_beside(size: QSize, other: QRect, available: QRect, minimum: QSize) -> tuple[QRect, QRect | None]:
    """Where a window of ``size`` (frame included) goes so that it does not cover ``other``: to its right, else to
    its left, else into the wider free strip beside it (narrowed, not below ``minimum``). Where no strip is wide
    enough (``other`` fills the screen), the two share the screen: returns the new window's half and the half
    ``other`` should move into (None when ``other`` can stay where it is)."""
    width, height = min(size.width(), available.width()), min(size.height(), available.height())
    top = max(available.top(), min(other.top(), available.bottom() + 1 - height))
    right_room = available.right() - other.right()
    left_room = other.left() - available.left()
    if right_room >= width:
        return QRect(other.right() + 1, top, width, height), None
    if left_room >= width:
        return QRect(other.left() - width, top, width, height), None
    room, to_right = max((right_room, True), (left_room, False))
    if room >= minimum.width():
        return QRect(other.right() + 1 if to_right else available.left(), top, room, height), None
    half = available.width() // 2
    left_half = QRect(available.left(), available.top(), half, available.height())
    right_half = QRect(available.left() + half, available.top(), available.width() - half, available.height())
    if other.center().x() <= available.center().x():
        return right_half, left_half
    return left_half, right_half


def onto_screen(rect: QRect, available: QRect) -> QRect:
    """``rect`` moved (and shrunk, where it is larger than the screen) so that all of it is on ``available``: a
    window never opens with its edge, its detail pane or its title bar off screen."""
    width, height = min(rect.width(), available.width()), min(rect.height(), available.height())
    left = max(available.left(), min(rect.left(), available.right() + 1 - width))
    top = max(available.top(), min(rect.top(), available.bottom() + 1 - height))
    return QRect(left, top, width, height)


CASCADE = 32  # pixels down and right of the newest window, when the screen has no free place for another


def place_among(size: QSize, others: list[QRect], available: QRect, minimum: QSize) -> tuple[QRect, int | None,
                                                                                           QRect | None]:
    """Where a new window goes among several open ones (``others``, the preferred first): beside one of them
    without covering any (place_beside for each in turn); with one other and no room, the two share the screen;
    with more and no free place, a cascade from the first. Returns the new window's place and, when one of the
    others should move to make room, its index and place."""
    if len(others) == 1:
        new, moved = place_beside(size, others[0], available, minimum)
        return new, (0 if moved is not None else None), moved
    width, height = min(size.width(), available.width()), min(size.height(), available.height())
    for other in others:
        new, moved = place_beside(size, other, available, minimum)
        left = max(available.left(), min(other.left(), available.right() + 1 - width))
        below = QRect(left, other.bottom() + 1, width, height)
        above = QRect(left, other.top() - height, width, height)
        for candidate in ([new] if moved is None else []) + [below, above]:
            if available.contains(candidate) and not any(candidate.intersects(o) for o in others):
                return candidate, None, None
    newest = others[0]
    left = min(newest.left() + CASCADE, available.right() + 1 - width)
    top = min(newest.top() + CASCADE, available.bottom() + 1 - height)
    return QRect(max(left, available.left()), max(top, available.top()), width, height), None, None


def available_geometry(window, point) -> QRect:
    """The desktop area (without panels and docks) of the screen showing ``point``."""
    screen = QGuiApplication.screenAt(point) or window.screen() or QGuiApplication.primaryScreen()
    return screen.availableGeometry()


class WindowRegistry:
    """The open windows of every Paperdesk process of this user, with their place on the screen, so that a second
    instance can open beside the first. One JSON file per window beside the per-user settings, with a QLockFile
    held while the window lives: a window of a process that died leaves a stale lock, which Qt recognises by
    its process id (on every system) and which is then cleared."""

    def __init__(self, settings):
        self.folder = Path(settings.q.fileName()).parent / "windows"

    def add(self, window_id: str, library, rect: QRect) -> QLockFile | None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None  # no place to note it: a second window may then open on top, nothing worse
        lock = QLockFile(str(self.folder / f"{window_id}.lock"))
        lock.setStaleLockTime(0)
        if not lock.tryLock(0):
            return None
        self.update(window_id, library, rect)
        return lock

    def update(self, window_id: str, library, rect: QRect) -> None:
        entry = {"library": str(library), "pid": os.getpid(), "rect": [rect.x(), rect.y(), rect.width(),
                                                                        rect.height()]}
        try:
            (self.folder / f"{window_id}.json").write_text(json.dumps(entry), encoding="utf-8")
        except OSError:
            pass

    def remove(self, window_id: str, lock: QLockFile | None) -> None:
        try:
            (self.folder / f"{window_id}.json").unlink(missing_ok=True)
            (self.folder / f"{window_id}.move").unlink(missing_ok=True)
        except OSError:
            pass
        if lock is not None:
            lock.unlock()

    def ask_to_move(self, window_id: str, rect: QRect) -> None:
        """Ask another process's window to move into ``rect`` (frame included): the two then share the screen.
        It reads the request when the folder changes (take_move); a window that is gone never reads it."""
        try:
            (self.folder / f"{window_id}.move").write_text(json.dumps([rect.x(), rect.y(), rect.width(),
                                                                      rect.height()]), encoding="utf-8")
        except OSError:
            pass  # that window stays where it is: the new one still fits the screen

    def take_move(self, window_id: str) -> QRect | None:
        path = self.folder / f"{window_id}.move"
        try:
            rect = QRect(*[int(v) for v in json.loads(path.read_text(encoding="utf-8"))])
            path.unlink(missing_ok=True)
        except (OSError, ValueError, TypeError):
            return None
        return rect

    def others(self, window_id: str | None = None) -> list[dict]:
        """The live windows other than ``window_id``, most recently placed first."""
        found = []
        for path in sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True) \
                if self.folder.is_dir() else []:
            other_id = path.stem
            if other_id == window_id:
                continue
            lock = QLockFile(str(self.folder / f"{other_id}.lock"))
            lock.setStaleLockTime(0)
            if lock.tryLock(0):  # nobody holds it: that window is gone (its process ended or crashed)
                lock.unlock()
                path.unlink(missing_ok=True)
                continue
            try:
                entry = json.loads(path.read_text(encoding="utf-8"))
                entry["id"] = other_id
                entry["rect"] = QRect(*[int(v) for v in entry["rect"]])
            except (OSError, ValueError, TypeError, KeyError):
                continue
            found.append(entry)
        return found


# --- the window's side ---------------------------------------------------------------------------------------

class LibraryFiles:
    """Mixed into MainWindow: new, open, recent, new window, the title bar, and the clean shutdown a switch needs."""

    def init_library_files(self, owns_library: bool) -> None:
        self.owns_library = owns_library  # a window that opened its library closes it when it closes
        self.window_id = uuid.uuid4().hex
        self._shut_down = False
        self._registry = WindowRegistry(self.settings)
        self._registry_lock: QLockFile | None = None
        self._registry_timer = QTimer(self, singleShot=True, interval=REGISTRY_DELAY_MS)
        self._registry_timer.timeout.connect(self._note_place)
        name = libraries.display_name(self.library.path)
        # Qt appends the application's display name on Linux and Windows: "thesis-library — Paperdesk".
        self.setWindowTitle(name)
        self.setWindowFilePath(str(self.library.path))  # macOS: the proxy icon in the title bar
        self.library_label = QLabel(name)
        self.library_label.setObjectName("library-label")
        self.library_label.setToolTip(str(self.library.path))
        self.statusBar().addPermanentWidget(self.library_label)
        # Written to the settings file once the window is up: the write waits for the disk (0.3 s when busy).
        remember_recent(self.settings, self.library.path, sync=False)
        QTimer.singleShot(0, self, self.settings.sync)
        if self not in OPEN_WINDOWS:
            OPEN_WINDOWS.append(self)

    daily_backups = False  # the app's windows make the daily backup of their library; tests' windows do not

    def schedule_daily_backup(self, delay_ms: int = 2000) -> None:
        """The daily backup of this window's library, once the window has painted (in the background)."""
        self.daily_backups = True
        self._backup_timer = QTimer(self, singleShot=True, interval=delay_ms)
        self._backup_timer.timeout.connect(self.backup_if_due)
        self._backup_timer.start()

    @property
    def library_name(self) -> str:
        return libraries.display_name(self.library.path)

    # --- the menu's entries ------------------------------------------------------------------------------

    def _dialog_folder(self) -> str:
        """Where the file dialogs start: the open library's folder, unless that is the hidden per-user data folder
        (the default library's), where nobody would look for their own files: then their Documents folder."""
        folder = self.library.path.parent
        if folder == default_db_path().parent:
            documents = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
            folder = Path(documents) if documents and Path(documents).is_dir() else Path.home()
        return str(folder)

    def new_library(self):
        """File › New library…: an empty library at a chosen place, opened in this window."""
        suggested = str(Path(self._dialog_folder()) / "new-library.sqlite")
        # Not Qt's "replace it?" question: a file chosen here is never replaced (create_library says what happens).
        path, _ = QFileDialog.getSaveFileName(self, "New library", suggested, FILTER,
                                              options=QFileDialog.DontConfirmOverwrite)
        if not path:
            return None
        path = libraries.with_suffix(path)
        if _same_file(path, self.library.path):
            self.statusBar().showMessage(f"{path} is the library open here; it was left as it is", 6000)
            return self
        if not self._may_stop_work(libraries.display_name(path)):
            return None
        try:
            library, created = libraries.create_library(path)
        except LibraryError as exc:
            self._library_refused(str(exc))
            return None
        note = "New empty library" if created else "This is a library already; opened as it is"
        return self._switch(library, f"{note}: {path} (Ctrl+I imports dumps into it)")

    def open_library(self):
        """File › Open library…"""
        path, _ = QFileDialog.getOpenFileName(self, "Open library", self._dialog_folder(), FILTER)
        if not path:
            return None
        return self.switch_to(path)

    def open_dropped_library(self, paths: list[str]) -> bool:
        """One library file dropped on the window: open it (dump files are imported instead)."""
        if len(paths) != 1 or not libraries.is_library(paths[0]):
            return False
        QTimer.singleShot(0, lambda: self.switch_to(paths[0]))  # after the drop has finished
        return True

    def open_recent(self, path: str):
        if not Path(path).exists():
            forget_recent(self.settings, path)
            self.statusBar().showMessage(f"{path} is no longer there; it was taken off the recent list", 8000)
            return None
        return self.switch_to(path)

    def clear_recent_libraries(self) -> None:
        forget_recent(self.settings)
        remember_recent(self.settings, self.library.path)  # the open library stays: it is the newest
        self.statusBar().showMessage("Recent libraries cleared", 4000)

    def fill_recent_menu(self, menu) -> None:
        """Open recent, built each time it opens: a library no longer there is shown as missing (choosing it
        takes it off the list), the open one is ticked."""
        menu.clear()
        menu.setToolTipsVisible(True)
        paths = recent_libraries(self.settings)
        for number, path in enumerate(paths, start=1):
            name = libraries.display_name(path).replace("&", "&&")
            shortcut = f"&{number % 10} " if number <= 10 else ""
            here = _same_file(path, self.library.path)
            missing = not here and not Path(path).exists()
            where = _short_folder(Path(path).parent).replace("&", "&&")
            text = f"{shortcut}{name}\t{where}" + ("   (missing: choose to take it off the list)" if missing else "")
            action = menu.addAction(text, lambda p=path: self.open_recent(p))
            action.setToolTip(path)
            action.setStatusTip(path)
            action.setObjectName("recent-missing" if missing else "recent-library")
            action.setData(path)
            if here:
                action.setCheckable(True)
                action.setChecked(True)
                action.setEnabled(False)
        if paths:
            menu.addSeparator()
        clear = menu.addAction("Clear list", self.clear_recent_libraries)
        clear.setObjectName("recent-clear")
        clear.setEnabled(len(paths) > 1)

    def close_window(self) -> None:
        """File › Close window (Ctrl+W): this window only; it keeps its settings and stops its work like any close.
        The last window closed ends the app."""
        self.close()

    def quit_app(self) -> None:
        """File › Quit: every window closes (each keeps its settings and stops its work), then the app ends."""
        for window in reversed(live_windows()):
            window.close()
        self.close()

    def new_window(self):
        """File › New window: this library once more, in a window beside this one."""
        try:
            library = Library(self.library.path, create=False)
        except LibraryError as exc:
            self._library_refused(str(exc))
            return None
        self.save_settings()
        window = type(self)(library, self.settings.q, owns_library=True)
        self._carry_over(window)
        window.place_beside_others()
        window.show()
        return window

    def _carry_over(self, window) -> None:
        """What a window made from this one inherits: the error reporter, the daily backup."""
        window._adopt_error_reporter(self)
        if self.daily_backups:
            window.schedule_daily_backup()

    # --- switching ---------------------------------------------------------------------------------------

    def switch_to(self, path):
        """Open the library at ``path`` in this window's place; the current one stays open if it cannot be."""
        path = Path(path)
        if _same_file(path, self.library.path):
            self.statusBar().showMessage(f"{self.library_name} is open already", 4000)
            return self
        if not self._may_stop_work(libraries.display_name(path)):
            return None
        try:
            library = Library(path, create=False)
        except LibraryError as exc:
            self._library_refused(str(exc))
            return None
        count = library.count_papers()
        return self._switch(library, f"Opened {libraries.display_name(path)}: {count:,} record"
                                     f"{'' if count == 1 else 's'} ({path})")

    def _switch(self, library: Library, message: str):
        self.save_settings()  # this window's size and columns, for the new one; this library's view, for later
        try:
            window = type(self)(library, self.settings.q, owns_library=True)
        except Exception:
            library.close()
            raise
        if self.isMaximized() or self.isFullScreen():
            window.setWindowState(self.windowState())
        else:
            window.setGeometry(self.geometry())  # exactly in its place (restoreGeometry drifts by the frame)
        self._carry_over(window)
        window.show()
        self.close()  # closeEvent → shutdown: workers stopped, view kept with the library, connection closed
        self.deleteLater()  # with its views, models and undo history
        window.activateWindow()
        window.statusBar().showMessage(message, 10000)
        return window

    def _library_refused(self, sentence: str) -> None:
        """The library chosen cannot be opened: say why in one sentence; this window and its library stay."""
        self.statusBar().showMessage(sentence, 15000)
        box = QMessageBox(QMessageBox.Warning, "Paperdesk", sentence, QMessageBox.Ok, self)
        box.setInformativeText(f"{self.library_name} is still open.")
        box.setObjectName("library-refused-box")
        box.open()
        self.library_refused_box = box

    def _adopt_error_reporter(self, other) -> None:
        if getattr(other, "error_reporter", None) is not None:
            from .errors import install

            self.error_reporter = install(self)

    def _running_work(self) -> list[str]:
        """Work the librarian started and would lose by a switch (an import, an export), in words."""
        work = []
        bulk = self.ops.busy
        if bulk:
            work.append(f"“{bulk}”")
        dialog = getattr(self, "import_dialog", None)
        if dialog is not None and dialog.results is None:
            work.append("an import")
        from .dialogs.export_dialog import ExportDialog

        if any(d.worker is not None for d in self.findChildren(ExportDialog)):
            work.append("an export")
        return work

    def _may_stop_work(self, target: str) -> bool:
        work = self._running_work()
        if not work:
            return True
        what = " and ".join(work)
        box = QMessageBox(QMessageBox.Question, "Open another library",
                          f"{what[:1].upper() + what[1:]} {'is' if len(work) == 1 else 'are'} still running in"
                          f" {self.library_name}. Stop {'it' if len(work) == 1 else 'them'} and open {target}?",
                          QMessageBox.Cancel | QMessageBox.Ok, self)
        box.button(QMessageBox.Ok).setText("Stop and open")
        box.setInformativeText("A stopped import rolls back the file it was writing (the files before it stay); a"
                               " stopped bulk change rolls back whole.")
        box.setObjectName("stop-work-box")
        self.stop_work_box = box
        return box.exec() == QMessageBox.Ok

    # --- where the window goes -----------------------------------------------------------------------------

    def place_beside_others(self) -> bool:
        """Before the first show: if another Paperdesk window is open (this process or another), go beside it
        (preferring one on the same library). Returns whether the window was moved."""
        others = self._registry.others(self.window_id)
        if not others:
            return False
        same = [o for o in others if _same_file(o["library"], self.library.path)]
        ordered = same + [o for o in others if o not in same]
        available = available_geometry(self, ordered[0]["rect"].center())
        frame_extra = QSize(max(self.frameGeometry().width() - self.width(), 0),
                            max(self.frameGeometry().height() - self.height(), 0))
        size = self.size() + frame_extra
        minimum = self.minimumSizeHint().expandedTo(self.minimumSize()) + frame_extra
        on_screen = [o for o in ordered if available.intersects(o["rect"])] or ordered[:1]
        new, which, moved = place_among(size, [o["rect"] for o in on_screen], available, minimum)
        if moved is not None:
            other = on_screen[which]
            mine = next((w for w in OPEN_WINDOWS if getattr(w, "window_id", None) == other["id"]), None)
            if mine is None:
                self._registry.ask_to_move(other["id"], moved)  # another process's window: it moves itself
            elif mine.isVisible() and not mine.isMaximized():
                mine.move_into(moved)
        self.move_into(new, available)
        self._placed_frame = new if self.frameGeometry() == self.geometry() else None  # frame not known yet
        return True

    def move_into(self, frame: QRect, available: QRect | None = None) -> None:
        """Move this window so that its frame is ``frame``; no narrower than its minimum, and wholly on the
        screen (``available``, else the one showing ``frame``): where the minimum is wider than ``frame``, the
        window is shifted back onto the screen rather than left reaching past its edge."""
        frame_extra = QSize(max(self.frameGeometry().width() - self.width(), 0),
                            max(self.frameGeometry().height() - self.height(), 0))
        minimum = self.minimumSizeHint().expandedTo(self.minimumSize()) + frame_extra
        if available is None:
            available = available_geometry(self, frame.center())
        fitted = onto_screen(QRect(frame.topLeft(), frame.size().expandedTo(minimum)), available)
        self.move(fitted.topLeft())
        self.resize(fitted.size() - frame_extra)

    def _take_move_request(self, _folder: str = "") -> None:
        """Another Paperdesk process opened a window beside this one and asked it to make room."""
        rect = self._registry.take_move(self.window_id)
        if rect is not None and not self._shut_down and not (self.isMaximized() or self.isFullScreen()):
            self.move_into(rect)

    def _note_place(self) -> None:
        if self._shut_down:
            return
        if self._registry_lock is None:
            self._registry_lock = self._registry.add(self.window_id, self.library.path, self.frameGeometry())
            if self._registry_lock is not None:  # listed: another process may ask this window to make room
                self._registry_watcher = QFileSystemWatcher([str(self._registry.folder)], self)
                self._registry_watcher.directoryChanged.connect(self._take_move_request)
        else:
            self._registry.update(self.window_id, self.library.path, self.frameGeometry())

    def showEvent(self, event):
        super().showEvent(event)
        if not getattr(self, "_fitted_once", False):
            self._fitted_once = True
            self._fit_with_frame()
        if not getattr(self, "_shut_down", True):
            self._registry_timer.start(0)

    def _fit_with_frame(self) -> None:
        """Once shown, the window's frame (title bar, borders) is known, which it was not when it was placed:
        where the frame now reaches past the screen's edge, the window comes back wholly onto it."""
        if self.isMaximized() or self.isFullScreen():
            return
        frame = self.frameGeometry()
        available = available_geometry(self, frame.center())
        placed = getattr(self, "_placed_frame", None)
        if placed is not None and frame != placed:
            self.move_into(placed, available)  # the place chosen beside the others, frame included this time
        elif not available.contains(frame) and frame.width() <= available.width() \
                and frame.height() <= available.height():
            # moved back where it then fits; a window larger than the screen (a size set on purpose, a test's
            # small screen) is left as it is
            self.move(onto_screen(frame, available).topLeft())

    def moveEvent(self, event):
        super().moveEvent(event)
        if not getattr(self, "_shut_down", True) and self.isVisible():
            self._registry_timer.start()

    def resizeEvent(self, event):
        super().resizeEvent(event)
        if not getattr(self, "_shut_down", True) and self.isVisible():
            self._registry_timer.start()

    # --- shutting down (closing the window, or switching it to another library) ---------------------------

    def _stop_workers(self) -> None:
        dialog = getattr(self, "import_dialog", None)
        if dialog is not None and dialog.results is None:
            dialog.cancel()
        from .dialogs.export_dialog import ExportDialog

        for export in self.findChildren(ExportDialog):
            if export.worker is not None:
                export.worker.cancel.set()
        self.duplicates.stop()
        self.authors_view.stop()
        self.model.shutdown()  # a search's hit list being built
        for thread in self.findChildren(QThread):  # imports, exports, backups, pinned writes, bulk operations
            try:
                if thread.isRunning():
                    thread.quit()  # ends its event loop once the worker's run() has returned
                    thread.wait(60_000)
            except RuntimeError:  # already deleted
                pass

    def shutdown(self) -> None:
        """Stop everything this window runs on its library, keep its view with the library, close its connection.
        Safe to call twice."""
        if self._shut_down:
            return
        self._shut_down = True
        for timer in (self._poll, self._search_timer, self._authors_timer, self._registry_timer,
                      getattr(self, "_backup_timer", None)):
            if timer is not None:
                timer.stop()
        self.ops.shutdown()  # a bulk operation still running is cancelled (rolled back) and waited for
        self.stop_backup()  # a daily backup still copying stops at once instead of being waited for
        self._stop_workers()
        # What the stopped workers reported is still queued: let it arrive while the library is open, but start
        # no new work from it (an import's end would otherwise start a new duplicates scan), then stop anything
        # that began all the same.
        self.ops.blockSignals(True)
        QCoreApplication.sendPostedEvents()
        self._stop_workers()
        QCoreApplication.sendPostedEvents()
        self._poll.stop()
        self.pinned.stop()
        try:
            self.save_settings()
        except Exception as exc:  # closing never fails in the librarian's face; the log has it
            from ..core.logfile import log_exception

            log_exception(exc, "saving the window's settings")
        for child in self.findChildren(QWidget):  # its dialogs (an import's report, an export) go with it
            if child.isWindow() and child.isVisible():
                child.close()
        self._registry.remove(self.window_id, self._registry_lock)
        self._registry_lock = None
        if self.owns_library:
            self.library.close()
        QTimer.singleShot(0, _drop_closed_windows)


def live_windows() -> list:
    return [w for w in OPEN_WINDOWS if shiboken6.isValid(w) and not getattr(w, "_shut_down", False)]


def _drop_closed_windows() -> None:
    OPEN_WINDOWS[:] = live_windows()


def save_all_windows() -> None:
    """When the app quits (the session ends): each open window keeps its settings and its library's view."""
    for window in live_windows():
        window.save_settings()
