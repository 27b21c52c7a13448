"""Golden check for the parser: every reading of a fixed corpus, compared with what a reference version reads.

    python benchmarks/check_parse_golden.py --write REF.jsonl [--src DIR]   # record what DIR's code reads
    python benchmarks/check_parse_golden.py --check REF.jsonl               # compare this checkout with it
    python benchmarks/check_parse_golden.py --against DIR                   # both at once (DIR: a `desktop/`)

A speed change to the parser must not change any reading. The corpus is fixed: generated dumps in every layout
with the classic and the world's names (``generate.py``, seeds 1, 11 and 5), files mixing layouts, the 154 seed
records and the hostile test files; it is generated once into ``--corpus`` (default: a folder in the temporary
directory) and reused. For every file the script records the parse report and the profile, for every record
all of ``ParsedRecord`` (title, authors, et al., org, date, abstract, raw text, fingerprint, the review flag
with its reasons and the alternative readings with their scores); for every glued line it also records what
``names.split_glued`` reads from the line alone (no evidence), from the line in lower case (the lower-case
pass) and in capitals (names in one style throughout); and every record as a bulk import of all the files stores it (title, authors, flag and alternatives,
after the library's names have weighed the flagged ones). ``--check`` prints each difference and exits 1 if there is any.

To compare with main's code: ``git archive main desktop | tar -x -C /tmp/ref`` and ``--against /tmp/ref/desktop``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
CAPTURED = dt.date(2026, 6, 5)
CORPORA = (("classic", 1, 6000), ("world", 11, 6000), ("world", 5, 6000))


def corpus_files(corpus: Path) -> list[Path]:
    sys.path.insert(0, str(HERE))
    from generate import generate

    files: list[Path] = []
    for names, seed, records in CORPORA:
        out = corpus / f"{names}-{seed}-{records}"
        done = out / ".done"
        if not done.exists():
            generate(out, records, seed=seed, names=names, records_per_file=250)
            done.write_text("ok")
        files += sorted(out.glob("*.txt"))
    root = HERE.parent
    files += sorted((root / "seeds").glob("*.txt"))
    files += sorted(p for p in (root / "tests" / "data").rglob("*") if p.is_file() and p.suffix in (".txt", ""))
    return files


def readings(files: list[Path]) -> list[dict]:
    from paperdesk.core import dumps
    from paperdesk.core import names as N

    out: list[dict] = []
    for path in files:
        data = path.read_bytes()
        try:
            parsed = dumps.parse_bytes(data, path.name, CAPTURED)
        except dumps.DumpError as exc:
            out.append({"file": f"{path.parent.name}/{path.name}", "error": str(exc)})
            continue
        out.append({"file": f"{path.parent.name}/{path.name}", "layout": parsed.layout, "report": asdict(parsed.report),
                    "profile": asdict(parsed.profile) if parsed.profile else None})
        for record in parsed.records:
            out.append({"file": f"{path.parent.name}/{path.name}", "record": asdict(record)})
            lines = [s.strip() for s in record.raw.split("\n")[1:] if s.strip()]
            if lines and len(lines) <= 2:  # a glued line: its reading without evidence, in lower case, in capitals
                for variant in (lines[0], lines[0].lower(), lines[0].upper()):
                    split = N.split_glued(variant)
                    out.append({"file": f"{path.parent.name}/{path.name}", "line": record.line, "glued": variant,
                                "best": split.best.as_dict() if split.best else None,
                                "alternatives": [r.as_dict() for r in split.alternatives],
                                "truncated": split.truncated, "org": split.org, "reason": split.reason})
    out += library_readings(files)
    return out


def library_readings(files: list[Path]) -> list[dict]:
    """The same files imported into a fresh library as one bulk import (names the library already holds, from
    the earlier files, settle some flagged readings): every record's title, authors and flag as stored."""
    from paperdesk.core.library import Library

    with tempfile.TemporaryDirectory() as tmp:
        with Library(Path(tmp) / "golden.sqlite") as library:
            results = library.import_files(files, CAPTURED, bulk=True)
            out = [{"import": [r.status for r in results]}]
            for row in library.conn.execute("SELECT id, title, authors, authors_truncated, org, needs_review, review,"
                                            " fingerprint FROM papers ORDER BY id"):
                out.append({"paper": list(row[:6]) + [json.loads(row[6]) if row[6] else None, row[7]]})
    return out


def write(reference: Path, files: list[Path]) -> None:
    start = time.process_time()
    rows = readings(files)
    seconds = time.process_time() - start
    with open(reference, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{sum(1 for r in rows if 'record' in r):,} records from {len(files)} files written to {reference} "
          f"({seconds:.1f} s CPU)")


def check(reference: Path, files: list[Path], show: int = 20) -> int:
    start = time.process_time()
    rows = [json.loads(json.dumps(r, ensure_ascii=False, sort_keys=True)) for r in readings(files)]
    seconds = time.process_time() - start
    expected = [json.loads(line) for line in reference.read_text("utf-8").splitlines()]
    differences = 0
    if len(rows) != len(expected):
        print(f"DIFFERENT: {len(rows)} readings, the reference has {len(expected)}")
        differences += 1
    for got, want in zip(rows, expected):
        if got != want:
            differences += 1
            if differences <= show:
                keys = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
                print(f"DIFFERENT in {got.get('file')}:")
                for key in keys:
                    g, w = got.get(key), want.get(key)
                    if isinstance(g, dict) and isinstance(w, dict):
                        for sub in sorted(set(g) | set(w)):
                            if g.get(sub) != w.get(sub):
                                print(f"  {key}.{sub}: now {g.get(sub)!r}\n  {' ' * len(key + sub)}  was {w.get(sub)!r}")
                    else:
                        print(f"  {key}: now {g!r}\n  {' ' * len(key)}  was {w!r}")
    records = sum(1 for r in rows if "record" in r)
    print(f"{records:,} records, {len(rows):,} readings from {len(files)} files ({seconds:.1f} s CPU): "
          + ("IDENTICAL to the reference" if not differences else f"{differences} DIFFERENT"))
    return 1 if differences else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", type=Path, help="record the readings of --src's code (default: this checkout)")
    parser.add_argument("--check", type=Path, help="compare this checkout's readings with a recorded reference")
    parser.add_argument("--against", type=Path, help="a reference `desktop/` folder: record it, then compare")
    parser.add_argument("--src", type=Path, help="the `desktop/` folder whose code --write uses")
    parser.add_argument("--corpus", type=Path, default=Path(tempfile.gettempdir()) / "paperdesk-golden-corpus")
    parser.add_argument("--show", type=int, default=20, help="print at most this many differences")
    args = parser.parse_args(argv)
    if args.src:
        sys.path.insert(0, str(args.src.resolve()))
    else:
        sys.path.insert(0, str(HERE.parent / "desktop"))
    files = corpus_files(args.corpus)
    if args.write:
        write(args.write, files)
        return 0
    if args.check:
        return check(args.check, files, args.show)
    if args.against:
        with tempfile.TemporaryDirectory() as tmp:
            reference = Path(tmp) / "reference.jsonl"
            subprocess.run([sys.executable, __file__, "--write", str(reference), "--src", str(args.against),
                            "--corpus", str(args.corpus)], check=True, env=dict(os.environ))
            return check(reference, files, args.show)
    parser.error("one of --write, --check or --against")
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
