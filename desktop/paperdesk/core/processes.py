"""Process pools whose workers never outlive the process that started them.

A ``ProcessPoolExecutor`` worker waits on a queue whose writing end it holds itself, so when its parent is killed
(SIGKILL, a crash, the machine's OOM killer) it never sees the end of its input and stays, idle, for ever: each
killed import or duplicate scan left orphaned processes behind. Each worker here watches its parent's sentinel
(a pipe the parent holds open for as long as it lives) in a thread of its own and exits as soon as it closes.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.connection
import os
import threading
from concurrent.futures import ProcessPoolExecutor


def _exit_with_parent() -> None:
    """A pool worker's initializer: end this process when its parent is gone."""
    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch() -> None:
        multiprocessing.connection.wait([parent.sentinel])
        os._exit(1)  # the parent is gone: nobody reads what this process would still produce

    threading.Thread(target=watch, name="paperdesk-parent-watch", daemon=True).start()


def process_pool(workers: int) -> ProcessPoolExecutor:
    """``workers`` fresh (spawned) processes that end with this one, however it ends."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_exit_with_parent)
