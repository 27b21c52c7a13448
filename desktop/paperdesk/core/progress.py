"""Long core operations report progress and can be cancelled. Qt-free.

A bulk operation (trashing 100,000 records, a batch edit, removing an import) takes two optional callables:
``progress(done, total)``, called after each chunk, and ``cancelled()``, asked before each chunk. When
``cancelled()`` says yes, the operation raises ``Cancelled`` inside its one transaction, which rolls back:
nothing has changed. The GUI runs such operations in a worker thread and passes its progress bar and its Cancel
button through these two callables; the command line passes neither.
"""

from __future__ import annotations

from typing import Callable, Iterable, Iterator

from .library import LibraryError

Progress = Callable[[int, int], None] | None
Cancel = Callable[[], bool] | None

CHUNK = 5000  # ids per statement when a bulk operation works through a list (bound as one JSON array)


class Cancelled(LibraryError):
    """The librarian cancelled; the operation's transaction was rolled back and nothing changed."""

    def __init__(self, what: str = "the operation"):
        super().__init__(f"{what} was cancelled; nothing was changed")


def checkpoint(cancelled: Cancel, progress: Progress, done: int, total: int, what: str = "the operation") -> None:
    """Between two chunks: stop if asked to (``Cancelled``), else report how far the work has got."""
    if cancelled is not None and cancelled():
        raise Cancelled(what)
    if progress is not None:
        progress(done, total)


def chunks(ids: Iterable[int], size: int = CHUNK) -> Iterator[list[int]]:
    chunk: list[int] = []
    for pid in ids:
        chunk.append(int(pid))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
