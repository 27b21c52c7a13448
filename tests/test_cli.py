"""The command line: import reports and exit codes, JSON and CSV export, the library path rules."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys


from paperdesk.cli import main
from paperdesk.core.library import resolve_db_path



def run_cli(*args, env=None, cwd=None):
    return subprocess.run([sys.executable, "-m", "paperdesk", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=120)


def test_import_seeds_prints_reports_and_exits_0(tmp_path, seed_paths, capsys):
    db = tmp_path / "lib.sqlite"
    assert main(["import", *map(str, seed_paths), "--db", str(db), "--captured", "2026-06-05"]) == 0
    out = capsys.readouterr().out
    assert "000_5a68bbb2f97f349e.txt: 22 records added" in out
    assert "22 records read, 0 flagged for review, layout A, utf-8" in out
    assert main(["import", str(seed_paths[0]), "--db", str(db), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["files"][0]["status"] == "unchanged"


def test_import_json_and_exit_1_when_one_file_fails(tmp_path, seed_paths, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    db = tmp_path / "lib.sqlite"
    code = main(["--db", str(db), "import", str(empty), str(seed_paths[3]), "--captured", "2026-06-05", "--json"])
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    assert [f["status"] for f in report["files"]] == ["failed", "imported"]
    assert report["files"][0]["message"] == "empty.txt: the file is empty"
    assert report["files"][1]["added"] == 24 and report["files"][1]["report"]["layout"] == "C"


def test_usage_errors_exit_2(tmp_path):
    assert run_cli("import").returncode == 2
    bad_date = run_cli("import", "x.txt", "--captured", "June 5", "--db", str(tmp_path / "l.sqlite"))
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr
    assert run_cli("export", "--format", "docx").returncode == 2


def test_bad_files_give_one_line_and_no_traceback(tmp_path):
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\x00\x00" * 100)
    done = run_cli("import", str(binary), str(tmp_path / "missing.txt"), "--db", str(tmp_path / "l.sqlite"))
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        "image.png: this is a binary file, not a text dump",
        "missing.txt: cannot read the file (No such file or directory)",
    ]


def test_export_json_has_the_documented_shape(tmp_path, seed_paths, capsys):
    db = tmp_path / "lib.sqlite"
    main(["import", *map(str, seed_paths), "--db", str(db), "--captured", "2026-06-05"])
    capsys.readouterr()
    out = tmp_path / "papers.json"
    # The key is the one the .bib export writes (and stores), so the table joins to the .bib (issue 14).
    bib = tmp_path / "papers.bib"
    assert main(["export", "--format", "bibtex", "--db", str(db), "-o", str(bib)]) == 0
    assert main(["export", "--format", "json", "--db", str(db), "-o", str(out)]) == 0
    papers = json.loads(out.read_text("utf-8"))
    assert len(papers) == 154
    keys = {"id", "citekey", "title", "authors", "authors_truncated", "org", "category", "date", "has_code",
            "score", "abstract", "tags", "needs_review", "sources"}
    assert all(keys <= set(p) for p in papers)
    bib_keys = re.findall(r"^@misc\{([^,]+),", bib.read_text("utf-8"), re.MULTILINE)
    assert bib_keys == [p["citekey"] for p in papers] and len(set(bib_keys)) == 154
    leanvae = next(p for p in papers if p["title"].startswith("LeanVAE"))
    assert leanvae["authors"] == ["Yu Cheng", "Fajie Yuan"] and leanvae["authors_truncated"] is False
    assert leanvae["date"] == "2025-03-18" and leanvae["category"] == "CV" and leanvae["has_code"] is True
    assert leanvae["sources"] == [{"file": "001_927e0f4092a60a46.txt", "line": 7}]
    assert not (tmp_path / "papers.json.partial").exists()


def test_export_to_stdout_and_csv_is_formula_safe(tmp_path, write_dump, capsys):
    db = tmp_path / "lib.sqlite"
    dump = write_dump("LGMay 28\n=HYPERLINK(\"http://x\")Wei Guo, Rong Su\n+cmd|' /C calc'!A0 abstract.\n", "evil.txt")
    main(["import", str(dump), "--db", str(db), "--captured", "2026-06-05"])
    capsys.readouterr()
    assert main(["export", "--format", "csv", "--db", str(db)]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows[0]["title"] == "'=HYPERLINK(\"http://x\")"
    assert rows[0]["abstract"].startswith("'+cmd")
    assert rows[0]["authors"] == "Wei Guo; Rong Su"
    assert rows[0]["sources"] == "evil.txt:1"
    assert rows[0]["citekey"] == "guo2026Hyperlinkhttpx"


def test_piped_export_is_utf8_whatever_the_console_code_page(tmp_path, seed_paths):
    # On Windows a pipe gets the ANSI code page (cp1252): the first τ used to end the export with a traceback.
    db = tmp_path / "lib.sqlite"
    assert run_cli("import", *map(str, seed_paths), "--db", str(db), "--captured", "2026-06-05").returncode == 0
    for fmt in ("json", "csljson", "bibtex", "ris", "csv"):
        done = run_cli("export", "--format", fmt, "--db", str(db), env=dict(os.environ, PYTHONIOENCODING="cp1252"))
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
        assert "Naïve" in done.stdout and ("τ" in done.stdout or fmt == "bibtex"), fmt  # .bib: τ in math is \\tau


def test_export_of_a_missing_library_fails_clearly(tmp_path):
    done = run_cli("export", "--db", str(tmp_path / "none.sqlite"))
    assert done.returncode == 1 and "no library here" in done.stderr
    assert not (tmp_path / "none.sqlite").exists()


def test_library_path_rules(tmp_path, monkeypatch):
    monkeypatch.setenv("PAPERDESK_DB", str(tmp_path / "env.sqlite"))
    assert resolve_db_path("x.sqlite").name == "x.sqlite"
    assert resolve_db_path(None) == tmp_path / "env.sqlite"
    monkeypatch.delenv("PAPERDESK_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert resolve_db_path(None) == tmp_path / "data" / "Paperdesk" / "library.sqlite"


def test_env_library_is_used_by_the_command_line(tmp_path, seed_paths):
    import os

    env = dict(os.environ, PAPERDESK_DB=str(tmp_path / "env.sqlite"))
    done = run_cli("import", str(seed_paths[1]), "--captured", "2026-06-05", env=env)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "env.sqlite").exists()
