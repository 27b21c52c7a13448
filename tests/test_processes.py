"""Pool workers never outlive their process: a SIGKILL of the process that started a pool (an import, a
duplicate scan, an export) leaves no orphaned workers behind (they were left idle for ever before)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from paperdesk.core.processes import process_pool


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie (exited, not reaped yet by whoever adopted it) is gone all the same
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def _worker_pid() -> int:
    return os.getpid()


def test_a_pool_does_its_work():
    pool = process_pool(2)
    try:
        pids = {pool.submit(_worker_pid).result(timeout=60) for _ in range(4)}
    finally:
        pool.shutdown()
    assert pids and os.getpid() not in pids


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc to find the workers")
@pytest.mark.parametrize("busy", [False, True])
def test_the_workers_of_a_killed_process_end_with_it(tmp_path, busy):
    """``busy``: a worker is in the middle of a task when its parent dies; else they wait idle for the next."""
    script = textwrap.dedent(f"""
        import os, sys, time
        from paperdesk.core.processes import process_pool
        from test_processes import _worker_pid, _sleep

        pool = process_pool(2)
        pids = {{pool.submit(_worker_pid).result(timeout=60) for _ in range(6)}}
        if {busy!r}:
            pool.submit(_sleep, 120)
        print(" ".join(map(str, sorted(pids))), flush=True)
        time.sleep(120)
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.dirname(__file__), os.environ.get("PYTHONPATH", "")]))
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, env=env)
    workers: list[int] = []
    try:
        workers = [int(p) for p in parent.stdout.readline().split()]
        assert workers and all(_alive(pid) for pid in workers)
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(30)
        deadline = time.monotonic() + 60  # a condition waited for, not a fixed sleep: a loaded machine is slow
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [pid for pid in workers if _alive(pid)], "orphaned pool workers"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait(30)
        for pid in workers:  # whatever this test started and left, it ends
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _sleep(seconds: float) -> None:
    time.sleep(seconds)
