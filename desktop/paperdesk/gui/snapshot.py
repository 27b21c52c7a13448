"""``paperdesk snapshot``: render a view of the app offscreen to a PNG, for documentation and checks."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

VIEWS = ("main", "review", "tags", "duplicates", "merge", "about")


def snapshot(out: str | os.PathLike, db: str | None = None, view: str = "main", size=(1500, 860)) -> Path:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from ..core.library import resolve_db_path

    path = resolve_db_path(db)
    if not path.exists():
        raise FileNotFoundError(f"{path}: no library here")
    # A snapshot only reads: the window works on a copy, so the library itself never changes by a byte (the
    # window may refresh author figures or migrate an older library — in the copy). The copy and the window's
    # throwaway settings go with the folder when the picture is taken (a big library's copy is gigabytes).
    with tempfile.TemporaryDirectory(prefix="paperdesk-snapshot-") as folder:
        return _snapshot(Path(out), path, Path(folder), view, size)


def _snapshot(out: Path, path: Path, folder: Path, view: str, size) -> Path:
    from PySide6.QtCore import QSettings

    from ..core.libfile import checked_copy
    from ..core.library import Library
    from .app import make_app
    from .main_window import MainWindow

    app = make_app()
    library = Library(checked_copy(path, folder / path.name))
    # A throwaway settings file: a snapshot shows the default layout, whatever the user's window looks like.
    settings = QSettings(str(folder / "snapshot.ini"), QSettings.IniFormat)
    window = MainWindow(library, settings)
    try:
        return _render(app, window, library, out, view, size)
    finally:
        window.close()
        window.shutdown()
        library.close()
        settings.sync()


def _render(app, window, library, out: Path, view: str, size) -> Path:
    window.resize(*size)
    window.show()
    app.processEvents()
    target = window
    if view == "main":
        window.select_row(min(2, max(window.model.rowCount() - 1, 0)))
    elif view == "review":
        window.show_review()
    elif view == "tags":
        target = window.open_tag_manager(show=True)
        target.resize(520, 380)
    elif view in ("duplicates", "merge"):
        from ..core import merging

        groups = merging.scan(library)  # in this thread: a snapshot has nothing else to do meanwhile
        window.stack.setCurrentWidget(window.duplicates)
        window.duplicates.set_groups(groups)
        if view == "merge":
            if not groups:
                raise ValueError("no duplicate groups in this library: nothing to show in the merge dialog")
            target = window.open_merge(groups[0].records, groups[0].reasons, show=True)
    elif view == "about":
        target = window.show_about(show=True)
        app.processEvents()
    elif view.startswith("author:"):
        window.show_author(view.split(":", 1)[1])
    elif view.startswith("compare:"):
        window.compare_authors([n.strip() for n in view.split(":", 1)[1].split(",")])
    else:
        raise ValueError(f"unknown view {view!r}; one of {', '.join(VIEWS)}, author:NAME")
    app.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    if not target.grab().save(str(out)):
        raise OSError(f"{out}: cannot write the PNG")
    return out
