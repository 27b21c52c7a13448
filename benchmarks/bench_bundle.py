"""The Linux bundle: size on disk and start-up time to the main window shown.

    python benchmarks/bench_bundle.py dist/paperdesk-<version>-linux-x86_64.tar.gz [--runs 7]

Unpacks the tarball in a scratch folder and starts the bundled app there `--runs` times with a fresh HOME
(so each start is a first start: it creates the library and loads the sample dumps), offscreen and outside
any virtual environment. Two start-up figures per run: what the app itself measures from the moment the OS
started its process to the window shown (`paperdesk gui --exit-when-shown`), and the whole command's wall time,
which also includes shutting down. The first run is reported apart: before it the script asks the kernel to
drop its page cache (root only; it says whether that worked), so it reads the whole bundle from disk like the
first start after a reboot.
Prints the figures and one JSON object on the last line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path


def folder_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def start_once(app: Path, home: Path) -> tuple[float, float]:
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}
    t0 = time.perf_counter()
    out = subprocess.run([str(app), "gui", "--exit-when-shown"], env=env, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - t0
    shown = re.search(r"window shown after ([\d.]+) s", out.stdout)
    if not shown:
        raise RuntimeError(f"the app did not report its window: {out.stdout!r} {out.stderr[-500:]!r}")
    return float(shown.group(1)), wall


def drop_page_cache() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tarball", type=Path)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        with tarfile.open(args.tarball) as tar:
            tar.extractall(scratch / "unpacked", filter="tar")
        bundle = next((scratch / "unpacked").iterdir())
        unpacked = folder_size(bundle)
        internal = bundle / "_internal"
        biggest = sorted(((folder_size(p) if p.is_dir() else p.stat().st_size, p.name) for p in internal.iterdir()
                          if not p.is_symlink()),
                         reverse=True)[:6]
        runs = []
        cold = drop_page_cache()
        for run in range(args.runs):
            home = scratch / f"home{run}"
            home.mkdir()
            runs.append(start_once(bundle / "paperdesk", home))

    first, warm = runs[0], runs[1:] or runs
    figures = {
        "first_start_cold_cache": cold,
        "tarball_mb": round(args.tarball.stat().st_size / 1e6, 1),
        "unpacked_mb": round(unpacked / 1e6, 1),
        "first_start_shown_s": first[0],
        "first_start_wall_s": round(first[1], 2),
        "start_shown_median_s": round(statistics.median(r[0] for r in warm), 2),
        "start_shown_max_s": round(max(r[0] for r in warm), 2),
        "start_wall_median_s": round(statistics.median(r[1] for r in warm), 2),
        "runs": len(runs),
        "cpus": os.cpu_count(),
    }
    print(f"tarball {figures['tarball_mb']} MB, unpacked {figures['unpacked_mb']} MB")
    print("largest parts: " + ", ".join(f"{name} {size / 1e6:.0f} MB" for size, name in biggest))
    print(f"first start ({'page cache dropped' if cold else 'page cache NOT dropped: not root'}): window shown after {first[0]:.2f} s (command {first[1]:.2f} s)")
    print(f"next {len(warm)} starts: window shown after median {figures['start_shown_median_s']} s, "
          f"max {figures['start_shown_max_s']} s (command median {figures['start_wall_median_s']} s)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
