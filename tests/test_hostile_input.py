"""Every input, every output (issue 13, items 5, 6, 7, 11, 12, 14 and the unclear messages): files that are not
files, file names that are not text, encodings with a BOM, control characters, standard output that fails,
exports that a merge or a kill interrupts."""

from __future__ import annotations

import codecs
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from paperdesk.core import dumps, merging
from paperdesk.core.export.runner import ExportScope, export
from paperdesk.core.library import Library
from paperdesk.core.text import clean_text, escape_controls, escape_name, unescape_name

from conftest import SEED_CAPTURED

DUMP = "LGMay 28Code\nA Study of Things\nWei Guo, Rong Su\nWe study things.\n"


def run_cli(*args, tmp_path, **kwargs):
    env = dict(os.environ, PAPERDESK_LOG_DIR=str(tmp_path / "log"))
    return subprocess.run([sys.executable, "-m", "paperdesk", *map(str, args)], env=env, timeout=120, **kwargs)


def make_big_library(path: Path, records: int = 3000) -> Path:
    lines = []
    for r in range(records):
        lines += [f"LGMay {1 + r % 28}Code", f"Paper Number {r} on Snapshot Reads",
                  f"Author{r} Alpha, Co Writer", f"Abstract of paper {r} about consistent reads."]
    dump = path.with_suffix(".txt")
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Library(path) as library:
        assert library.import_file(dump, SEED_CAPTURED).added == records
    return path


# --- files that are not files -------------------------------------------------------------------------------


def test_a_fifo_is_refused_by_its_kind_and_the_other_files_still_import(tmp_path, seed_paths):
    """Issue 13, item 5: a FIFO given as FILE hung with no message."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    done = run_cli("import", seed_paths[0], fifo, seed_paths[1], "--db", tmp_path / "l.sqlite", "--captured",
                   "2026-06-05", tmp_path=tmp_path, capture_output=True, text=True)
    assert done.returncode == 1
    assert "pipe.txt: this is a named pipe, not a dump file; it was not read" in done.stderr
    assert done.stdout.count("22 records added") == 2


def test_devices_sockets_and_folders_are_refused_before_reading(tmp_path, library):
    """Issue 13, item 5: /dev/zero was read until memory ran out (the size check trusted st_size)."""
    started = time.monotonic()
    result = library.import_file("/dev/zero")
    assert result.status == "failed" and result.message == "zero: this is a character device, not a dump file;" \
                                                           " it was not read"
    assert time.monotonic() - started < 5
    sock_path = tmp_path / "s.sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    try:
        assert "is a socket" in library.import_file(sock_path).message
    finally:
        server.close()
    assert "is a folder" in library.import_file(tmp_path).message


def test_reading_is_capped_by_the_bytes_read_not_the_size_the_file_claims(monkeypatch):
    """/proc files say they are empty (st_size 0) and are not."""
    proc = Path("/proc/self/smaps")
    if not proc.exists() or proc.stat().st_size != 0:
        pytest.skip("needs a file whose st_size understates its length (Linux /proc)")
    monkeypatch.setattr(dumps, "MAX_FILE_BYTES", 4096)
    with pytest.raises(dumps.DumpError, match="more than its size said"):
        dumps.read_dump(proc)


# --- file names and encodings --------------------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_stored_losslessly_shown_escaped_and_the_next_file_still_imports(
        tmp_path, seed_paths):
    """Issue 13, item 6: a file name that is not valid UTF-8 crashed the import at the INSERT INTO sources and
    the files after it were never imported."""
    raw = b"caf\xe9-\xff\\dump.txt"
    name = os.fsdecode(raw)
    odd = tmp_path / name
    odd.write_text(DUMP, encoding="utf-8")
    db = tmp_path / "l.sqlite"
    done = run_cli("import", odd, seed_paths[0], "--db", db, "--captured", "2026-06-05", tmp_path=tmp_path,
                   capture_output=True)
    out = done.stdout.decode("utf-8")
    assert done.returncode == 0, done.stderr
    assert "caf\\xe9-\\xff\\\\dump.txt: 1 record added" in out and "22 records added" in out
    with Library(db) as library:
        stored = [s["file_name"] for s in library.sources()]
        paths = [s["path"] for s in library.sources()]
    assert stored[0] == "caf\\xe9-\\xff\\\\dump.txt"
    assert os.fsencode(unescape_name(stored[0])) == raw  # lossless
    assert os.fsencode(unescape_name(paths[0])) == os.fsencode(str(odd.resolve()))


def test_a_file_name_with_a_newline_does_not_split_the_report_line(tmp_path):
    odd = tmp_path / "two\nlines\x1b[31m.txt"
    odd.write_text(DUMP, encoding="utf-8")
    done = run_cli("import", odd, "--db", tmp_path / "l.sqlite", "--captured", "2026-06-05", tmp_path=tmp_path,
                   capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "two\\nlines\\u001b[31m.txt: 1 record added"
    assert "\x1b" not in done.stdout


def test_names_escape_and_come_back():
    for name in ["plain.txt", "back\\slash", "new\nline", "tab\there", os.fsdecode(b"\xff\xfe.txt"), "\x1b[2J",
                 "é ü 中文", "\\x41"]:
        shown = escape_name(name)
        assert unescape_name(shown) == name
        assert shown.isprintable() or "\\" in shown
        assert "\n" not in shown and "\x1b" not in shown


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_with_a_bom_are_read(library, write_dump, encoding):
    """Issue 13: UTF-16/UTF-32 dumps with a BOM were refused as "binary"."""
    bom = {"utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE, "utf-32-le": codecs.BOM_UTF32_LE,
           "utf-32-be": codecs.BOM_UTF32_BE}[encoding]
    text = DUMP.replace("Things", "Thíngs — Ünïcode")
    result = library.import_file(write_dump(bom + text.encode(encoding), f"{encoding}.txt"), SEED_CAPTURED)
    assert result.status == "imported", result.message
    assert result.report["encoding"] == encoding
    title = library.conn.execute("SELECT title FROM papers").fetchone()[0]
    assert title == "A Study of Thíngs — Ünïcode"


# --- control characters ------------------------------------------------------------------------------------


def test_a_nul_after_the_first_64_kb_is_removed_with_a_warning_and_never_exported(library, write_dump, tmp_path):
    """Issue 13, item 12: a NUL byte after the first 64 KB was stored and written raw into RIS and CSV."""
    filler = "".join(f"LGMay 2{i % 8}\nFiller Paper {i}\nWei Guo, Rong Su\nAbout filler {i} words.\n"
                     for i in range(1200))
    assert len(filler) > 65536
    text = filler + "LGMay 28Code\nPoisoned\x00 Title\nWei Guo, Rong Su\nAn abstract with a \x00 NUL.\n"
    result = library.import_file(write_dump(text, "nul.txt"), SEED_CAPTURED)
    assert result.status == "imported", result.message
    warnings = [w["message"] for w in result.report["warnings"]]
    assert any("removed 1 control character" in w for w in warnings), warnings
    nul_rows = library.conn.execute(
        "SELECT COUNT(*) FROM papers WHERE instr(title, char(0)) OR instr(abstract, char(0))").fetchone()[0]
    raw_rows = library.conn.execute("SELECT COUNT(*) FROM provenance WHERE instr(raw, char(0))").fetchone()[0]
    assert nul_rows == 0 and raw_rows == 0
    assert library.conn.execute("SELECT COUNT(*) FROM papers WHERE title = 'Poisoned Title'").fetchone()[0] == 1
    for fmt in ("ris", "csv"):
        out = tmp_path / f"out.{fmt}"
        export(library, fmt, out)
        assert b"\x00" not in out.read_bytes()


def test_terminal_escapes_never_reach_the_terminal_the_library_or_an_export(tmp_path, write_dump):
    """Issue 13, item 12: terminal escape sequences in titles and file names reached the terminal from import
    and duplicates and landed in RIS."""
    evil = "LGMay 28Code\nEvil \x1b]0;pwned\x07Title\x1b[2J Here\nWei Guo, Rong Su\nSame abstract text here.\n"
    dump = write_dump(evil + evil.replace("Evil", "Evil "), "evil\x1b[31m.txt")
    db = tmp_path / "l.sqlite"
    done = run_cli("import", dump, "--db", db, "--captured", "2026-06-05", tmp_path=tmp_path, capture_output=True)
    assert done.returncode == 0 and b"\x1b" not in done.stdout + done.stderr
    assert b"removed" in done.stdout  # the warning
    with Library(db) as library:
        titles = [r[0] for r in library.conn.execute("SELECT title FROM papers")]
    assert titles and all("\x1b" not in t and "\x07" not in t for t in titles)
    assert "Evil Title Here" in titles
    dup = run_cli("duplicates", "--db", db, tmp_path=tmp_path, capture_output=True)
    assert dup.returncode == 0 and b"\x1b" not in dup.stdout
    out = tmp_path / "out.ris"
    assert run_cli("export", "--format", "ris", "-o", out, "--db", db, tmp_path=tmp_path).returncode == 0
    assert b"\x1b" not in out.read_bytes()


def test_control_characters_already_in_a_library_are_removed_on_export_with_a_warning(seeded, tmp_path):
    seeded.conn.execute("UPDATE papers SET title = 'Old' || char(0) || 'Import' || char(27) || '[31m' WHERE id = 1")
    out = tmp_path / "out.csv"
    result = export(seeded, "csv", out)
    assert b"\x00" not in out.read_bytes() and b"\x1b" not in out.read_bytes()
    assert "OldImport" in out.read_text("utf-8")
    assert result.messages and "from 1 record on the way out" in result.messages[0]


def test_text_helpers():
    assert clean_text("a\x00b\x1b[1;31mc\x1b]8;;http://x\x07d\te\n") == ("abcd\te\n", 22)
    assert escape_controls("ok\x1b[2J\n") == "ok\\x1b[2J\n"


# --- standard output that fails ----------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_standard_output_on_a_full_disk_ends_in_one_sentence_and_the_import_imports_every_file(tmp_path,
                                                                                                seed_paths):
    """Issue 13, item 7: OSError tracebacks from export, import, duplicates and author; a three-file import
    stopped after the first."""
    db = tmp_path / "l.sqlite"
    with open("/dev/full", "w") as full:
        done = run_cli("import", *seed_paths[:3], "--db", db, "--captured", "2026-06-05", tmp_path=tmp_path,
                       stdout=full, stderr=subprocess.PIPE, text=True)
    assert done.returncode == 1
    assert done.stderr.strip() == ("paperdesk: could not write the output to standard output (No space left on"
                                   " device); it is incomplete")
    with Library(db) as library:
        assert len(library.sources()) == 3
    for argv in (["export", "--format", "csv"], ["export", "--format", "bibtex"], ["duplicates"],
                 ["duplicates", "--json"], ["author", "Hao Gu"], ["author", "Hao Gu", "--json"], ["paths"],
                 ["import", seed_paths[3], "--json"]):
        with open("/dev/full", "w") as full:
            done = run_cli(*argv, "--db", db, tmp_path=tmp_path, stdout=full, stderr=subprocess.PIPE, text=True)
        assert done.returncode == 1, argv
        assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, (argv, done.stderr)
        assert done.stderr.strip().endswith("(No space left on device); it is incomplete"), (argv, done.stderr)
    with Library(db) as library:
        assert len(library.sources()) == 4


def test_a_closed_pipe_ends_in_one_sentence_and_the_import_still_imports_every_file(tmp_path, seed_paths):
    db = tmp_path / "l.sqlite"
    env = dict(os.environ, PAPERDESK_LOG_DIR=str(tmp_path / "log"))
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line
    proc = subprocess.Popen([sys.executable, "-m", "paperdesk", "import", *map(str, seed_paths[:3]), "--db", str(db),
                             "--captured", "2026-06-05"], stdout=write_end, stderr=subprocess.PIPE, env=env)
    os.close(write_end)
    err = proc.communicate(timeout=120)[1].decode()
    assert proc.returncode == 1
    assert err.strip() == "paperdesk: the output was cut short: the program reading it stopped (Broken pipe)"
    with Library(db) as library:
        assert len(library.sources()) == 3


# --- exports: one state, whole files ---------------------------------------------------------------------------


def test_an_export_running_while_a_merge_commits_writes_the_state_before_it(tmp_path):
    """Issue 13, item 11: an export running while a merge committed wrote neither the before nor the after
    state (it read in batches outside one read transaction)."""
    path = make_big_library(tmp_path / "big.sqlite", 4500)
    with Library(path) as library:
        before = tmp_path / "before.json"
        export(library, "json", before)
        merged_in_progress = []

        def merge_meanwhile(done, total):
            if not merged_in_progress:
                with Library(path) as other:  # another window merges while the export is under way
                    merging.merge(other, 10, [4000])
                merged_in_progress.append(done)

        during = tmp_path / "during.json"
        export(library, "json", during, progress=merge_meanwhile)
        assert merged_in_progress and merged_in_progress[0] < 2000
        assert json.loads(during.read_text("utf-8")) == json.loads(before.read_text("utf-8"))
        after = tmp_path / "after.json"
        export(library, "json", after)
        assert len(json.loads(after.read_text("utf-8"))) == 4499


def test_a_kill_during_export_leaves_only_the_previous_file(tmp_path):
    """Issue 13, item 14: a kill during export -o left out.bib.partial behind."""
    path = make_big_library(tmp_path / "big.sqlite", 6000)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "out.json"
    out.write_text("[]", encoding="utf-8")  # the previous export
    env = dict(os.environ, PAPERDESK_LOG_DIR=str(tmp_path / "log"))
    argv = [sys.executable, "-m", "paperdesk", "export", "--format", "json", "-o", str(out), "--db", str(path)]
    rng = random.Random(14)
    for attempt in range(4):
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3 + rng.random() * 1.2)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        contents = json.loads(out.read_text("utf-8"))  # always a whole file: the previous one or the new one
        assert len(contents) in (0, 6000)
        leftovers = sorted(p.name for p in out_dir.iterdir() if p != out)
        assert all(name.endswith(".paperdesk-partial") for name in leftovers), leftovers
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out_dir.iterdir()) == ["out.json"]
    assert len(json.loads(out.read_text("utf-8"))) == 6000


def test_export_with_a_read_only_connection_does_not_write(tmp_path, seed_paths):
    db = tmp_path / "l.sqlite"
    with Library(db) as library:
        library.import_file(seed_paths[0], SEED_CAPTURED)
    with Library(db, readonly=True) as library:
        result = export(library, "json", tmp_path / "o.json", ExportScope(search="learning"))
        assert result.count > 0
    with pytest.raises(sqlite3.OperationalError):
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
            conn.execute("INSERT INTO settings VALUES ('x', 'y')")


def test_a_duplicate_scan_reads_one_state_of_the_library(seeded, monkeypatch):
    """Item 11 for scans: a merge committed by another window half-way through a scan does not mix states."""
    monkeypatch.setattr(merging, "_BATCH", 20)  # titles read 20 at a time: the merge lands between batches
    before = [g.records for g in merging.scan(seeded)]
    group = next(g for g in before if min(g) > 20)  # read after the first batch
    done = []

    def merge_meanwhile(stage, n, total):
        if not done:
            with Library(seeded.path) as other:
                merging.merge(other, group[0], list(group[1:]))
            done.append(stage)

    during = [g.records for g in merging.scan(seeded, progress=merge_meanwhile)]
    assert done and during == before
    assert group not in [g.records for g in merging.scan(seeded)]
