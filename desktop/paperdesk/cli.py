"""The command line. Argument parsing and printing only: every verb calls the same core as the GUI.

Exit codes: 0 all went well, 1 some work failed (the rest was still done), 2 a usage error.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
from pathlib import Path

from . import __version__
from .core.wording import count, plural


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in the form YYYY-MM-DD: {text!r}") from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more: {text!r}")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paperdesk",
        description="Curate paper records from listing dumps. With no command, starts the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"paperdesk {__version__}")
    parser.add_argument("--db", help="library file (default: $PAPERDESK_DB, else the per-user data folder)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("import", help="import dump files into the library and print the parse report")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    p.add_argument("--captured", type=_date, metavar="YYYY-MM-DD",
                   help="capture date for year-less dates (default: each file's modification time)")
    p.add_argument("--json", action="store_true", help="print the reports as JSON")
    p.add_argument("--no-duplicate-scan", action="store_true",
                   help="do not look for duplicates of the new records afterwards (long on a large library)")

    p = sub.add_parser("export", help="write papers to BibTeX, biblatex, CSL-JSON, RIS, JSON or CSV")
    p.add_argument("--format", choices=("bibtex", "biblatex", "csljson", "ris", "json", "csv"), default="json")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    p.add_argument("-o", "--output", metavar="FILE", help="output file (default: standard output)")
    p.add_argument("--tag", action="append", default=[], metavar="T", help="records with this tag (repeatable: any)")
    p.add_argument("--search", default="", metavar="QUERY", help="records matching a search, as in the app")
    p.add_argument("--source", metavar="FILE", help="records from this dump (file name or part of it)")
    p.add_argument("--selection-file", metavar="IDS", help="a file of record ids, one per line")
    p.add_argument("--ascii", action="store_true", help="BibTeX in plain ASCII with LaTeX accents (classic BibTeX)")
    p.add_argument("--provenance", action="store_true",
                   help="say in each record's note which dump file and line it was listed in (off: styles print it)")
    p.add_argument("--code-note", action="store_true", help="the code repository as a printed note ('Code: URL')")
    p.add_argument("--et-al", choices=("marker", "note"), default="marker",
                   help="a cut author list as 'and others' (marker: LaTeX, pandoc) or stated in the note (for Zotero)")
    p.add_argument("--watch", action="store_true",
                   help="keep the -o file in sync: rewrite it whenever the library changes, until Ctrl+C")

    p = sub.add_parser("duplicates", help="list candidate duplicate groups")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    p.add_argument("--preset", choices=("strict", "balanced", "loose"), default="balanced")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("merge", help="merge records into one (one step), or every certain duplicate group",
                       description="Merge the records given into one (the --into record, else the lowest id, keeps"
                                   " its fields and gains the others' tags and sources), or with --auto every"
                                   " certain group the duplicate scan finds. Undo with: paperdesk unmerge ID.")
    p.add_argument("ids", nargs="*", type=_record_id, metavar="ID", help="records to merge into one")
    p.add_argument("--into", type=_record_id, metavar="ID", help="the record that stays (default: the lowest id)")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    p.add_argument("--auto", choices=("certain",), help="merge every group of this confidence")
    p.add_argument("--preset", choices=("strict", "balanced", "loose"), default="balanced")
    p.add_argument("--dry-run", action="store_true", help="only say what would be merged")

    p = sub.add_parser("unmerge", help="bring a record back out of the record it was merged into",
                       description="Undo the merge that took record ID in, whenever it was and whatever happened"
                                   " since (docs/merging.md): what the merge changed is undone, later edits stay."
                                   " Where both changed one field you are asked to choose --keep or --restore.")
    p.add_argument("id", type=_record_id, metavar="ID")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    answer = p.add_mutually_exclusive_group()
    answer.add_argument("--keep", action="store_true", help="on a conflict keep the current values")
    answer.add_argument("--restore", action="store_true", help="on a conflict restore the values from before the merge")

    p = sub.add_parser("history", help="a record's merges, edits, tags and decisions, oldest first")
    p.add_argument("id", type=_record_id, metavar="ID")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("author", help="an author's figures: papers, years, categories, co-authors, profile")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("keys", help="show or set citation keys and their pattern")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    p.add_argument("--pattern", help="set the key pattern, e.g. '[auth:lower][year][shorttitle]'")
    p.add_argument("--regenerate", action="store_true", help="give every record a new key from the pattern")
    p.add_argument("--set", nargs=2, metavar=("ID", "KEY"), help="set one record's key by hand")

    p = sub.add_parser("snapshot", help="render a view of the app offscreen to a PNG")
    p.add_argument("out", metavar="OUT.png")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    p.add_argument("--view", default="main", help="main, review, tags, duplicates, merge, about, author:NAME or compare:NAME,NAME")

    p = sub.add_parser("backup", help="back up the library (SQLite's online backup), or list its backups")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    p.add_argument("-o", "--output", metavar="FILE", help="write the backup here (default: the library's backups folder)")
    p.add_argument("--list", action="store_true", help="list the backups in the library's backups folder")
    p.add_argument("--keep", type=_positive, metavar="N", help="keep the newest N backups from now on (default 10)")

    p = sub.add_parser("restore", help="restore a backup into a new file, or over the library (asks for --yes)")
    p.add_argument("backup", metavar="BACKUP", nargs="?",
                   help="a backup file (default: list the backups to choose from)")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    p.add_argument("--to", metavar="NEW.sqlite", help="restore into this new file, leaving the library as it is")
    p.add_argument("--yes", action="store_true",
                   help="restore over the current library (a backup of it is made first)")

    p = sub.add_parser("edit", help="change many records at once (set a field, find and replace, rename an author)",
                       description="Change the records a search finds (default: every record), shown before and"
                                   " after. One step: it lands whole or not at all.")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    p.add_argument("--search", default="", metavar="QUERY", help="the records to change, as in the app's search")
    how = p.add_mutually_exclusive_group(required=True)
    how.add_argument("--set", metavar="FIELD=VALUE", help="set a field: category, date, has_code, org, title, abstract")
    how.add_argument("--replace", nargs=3, metavar=("FIELD", "OLD", "NEW"),
                     help="find and replace in title, abstract, org or authors")
    how.add_argument("--rename-author", nargs=2, metavar=("NAME", "NEW"), help="put one author name for another")
    p.add_argument("--regex", action="store_true", help="--replace: OLD is a regular expression (NEW may use \\1)")
    p.add_argument("--ignore-case", action="store_true", help="--replace: ignore upper and lower case")
    p.add_argument("--dry-run", action="store_true", help="only show what would change")

    p = sub.add_parser("check", help="check the library file for damage, and save what can be read from a damaged one",
                       description="A full integrity check of the library file (the app runs a quick one at every"
                                   " start). With --recover, what can still be read is saved into a new library:"
                                   " through SQLite's .recover when the sqlite3 program is installed, else row by"
                                   " row; the damaged file is left as it is.")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    p.add_argument("--quick", action="store_true", help="only the quick check the app runs at start")
    p.add_argument("--recover", metavar="NEW.sqlite", help="save what can be read into this new library file")

    p = sub.add_parser("new", help="create a new, empty library file (import dumps into it, or open it in the app)")
    p.add_argument("path", metavar="PATH", help="the new library file (.sqlite is added to a name without one)")

    p = sub.add_parser("paths", help="where the library file and the bundled sample dumps are")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)

    p = sub.add_parser("gui", help="start the desktop app (the default)")
    p.add_argument("--db", dest="db_sub", help=argparse.SUPPRESS)
    p.add_argument("--exit-when-shown", action="store_true",
                   help="quit as soon as the main window is shown and print how long the start took (start-up checks)")
    return parser


def _record_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a record id (a whole number): {text!r}") from None


class _GuardedOutput:
    """Standard output that cannot fail mid-command: a full disk or a closed pipe is remembered, later output is
    dropped, and the command goes on (a three-file import imports all three) and ends with one sentence. Control
    characters (terminal escape sequences) are shown escaped, never sent to the terminal."""

    def __init__(self, stream):
        self.stream = stream
        self.error: OSError | None = None

    def write(self, text: str) -> int:
        if self.error is None:
            try:
                self.stream.write(_escape_controls(text))
            except OSError as exc:
                self._failed(exc)
        return len(text)

    def flush(self) -> None:
        if self.error is None:
            try:
                self.stream.flush()
            except OSError as exc:
                self._failed(exc)

    def _failed(self, exc: OSError) -> None:
        self.error = exc
        # What is still buffered can never be written: point the descriptor at /dev/null so the interpreter's
        # own flush at exit does not fail again with a traceback.
        try:
            fd = self.stream.fileno()
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, fd)
            os.close(devnull)
        except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
            pass

    def __getattr__(self, name):
        return getattr(self.stream, name)


def _escape_controls(text: str) -> str:
    from .core.text import escape_controls

    return escape_controls(text)


def main(argv: list[str] | None = None) -> int:
    """Every failure ends in one sentence and exit 1 (2 for a usage error), never a traceback."""
    stdout = sys.stdout
    guarded = sys.stdout = _GuardedOutput(stdout)
    try:
        code = _main(argv)
        guarded.flush()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        print("paperdesk: interrupted", file=sys.stderr)
        code = 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence: a sentence, the details in the log
        code = _report_unexpected(exc)
    finally:
        sys.stdout = stdout
    if guarded.error is not None:
        why = guarded.error.strerror or str(guarded.error)
        if isinstance(guarded.error, BrokenPipeError):
            print(f"paperdesk: the output was cut short: the program reading it stopped ({why})", file=sys.stderr)
        else:
            print(f"paperdesk: could not write the output to standard output ({why}); it is incomplete",
                  file=sys.stderr)
        code = max(code, 1)
    return code


def _report_unexpected(exc: Exception) -> int:
    import sqlite3

    from .core.library import LibraryError, friendly_sqlite_error, resolve_db_path

    if isinstance(exc, LibraryError):
        message = str(exc)
    elif isinstance(exc, sqlite3.Error):
        message = friendly_sqlite_error(exc, resolve_db_path(None if _LAST_DB is None else _LAST_DB))
    elif isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        message = f"{where}{exc.strerror or exc}"
    else:
        message = f"an unexpected error ({type(exc).__name__}: {exc})"
    log = None
    if not isinstance(exc, LibraryError):  # tracebacks go to the log file, never to the librarian's terminal
        try:
            from .core.logfile import log_exception, log_path

            log_exception(exc, "paperdesk " + " ".join(sys.argv[1:2]))
            log = log_path()
        except Exception:  # noqa: BLE001 - the log is a help, never a second failure
            log = None
    print(f"paperdesk: {message}" + (f" (details in {log})" if log else ""), file=sys.stderr)
    return 1


_LAST_DB: str | None = None


def _utf8_streams() -> None:
    """Exports and reports are UTF-8 whatever the console's code page (a piped export on Windows would otherwise
    be written in cp1252 and stop at the first character it lacks)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and (getattr(stream, "encoding", "") or "").lower().replace("-", "") != "utf8":
            try:
                reconfigure(encoding="utf-8", errors="backslashreplace" if stream is sys.stderr else "strict")
            except (ValueError, OSError):  # a stream already written to in another encoding: leave it
                pass


def _main(argv: list[str] | None = None) -> int:
    global _LAST_DB
    args = _parser().parse_args(argv)
    _utf8_streams()
    db = _LAST_DB = getattr(args, "db_sub", None) or args.db
    if args.command in (None, "gui"):
        if not _qt_loads() or not _display_ready():
            return 1
        from .gui.app import run

        return run(db, exit_when_shown=getattr(args, "exit_when_shown", False))
    if args.command == "import":
        return _import(db, args)
    if args.command == "paths":
        return _paths(db)
    if args.command == "new":
        return _new(args.path)
    if args.command == "export":
        return _export(db, args)
    if args.command == "snapshot":
        return _snapshot(db, args)
    if args.command == "keys":
        return _keys(db, args)
    if args.command == "duplicates":
        return _duplicates(db, args)
    if args.command == "author":
        return _author(db, args)
    if args.command == "merge":
        return _merge(db, args)
    if args.command == "unmerge":
        return _unmerge(db, args)
    if args.command == "history":
        return _history(db, args)
    if args.command == "edit":
        return _edit(db, args)
    if args.command == "backup":
        return _backup(db, args)
    if args.command == "restore":
        return _restore(db, args)
    if args.command == "check":
        return _check(db, args)
    return 2


def _paths(db: str | None) -> int:
    """Answers "where is my library?" without opening anything; the smoke tests read it too."""
    from . import bundled
    from .core.library import default_db_path, resolve_db_path
    from .core.seeds import seeds_dir

    print(f"library: {resolve_db_path(db)}")
    print(f"default library: {default_db_path()}")
    print(f"sample dumps: {seeds_dir() or '(none found)'}")
    print(f"resources: {bundled.data_dir(bundled.RESOURCES, 'paperdesk.svg') or '(none found)'}")
    return 0


def _new(path: str) -> int:
    from .core import libraries
    from .core.library import LibraryError

    target = libraries.with_suffix(path)
    try:
        library, created = libraries.create_library(target)
    except LibraryError as exc:
        print(f"paperdesk: {exc}", file=sys.stderr)
        return 1
    with library:
        if not created:
            print(f"paperdesk: {target} is a Paperdesk library already ({count(library.count_papers(), 'record')}); it was"
                  " left as it is", file=sys.stderr)
            return 1
    print(f"New empty library: {target}")
    print(f"Import dumps into it: paperdesk import FILE... --db {target}")
    print(f"Open it in the app:   paperdesk --db {target}   (or File › Open library…)")
    return 0


def _open(db: str | None, *, create: bool, readonly: bool = False):
    """The library, or None after saying why not. ``readonly`` for commands that only read: not a byte changes."""
    from .core.library import Library, LibraryError, resolve_db_path

    path = resolve_db_path(db)
    try:
        return Library(path, create=create, readonly=readonly)
    except LibraryError as exc:
        print(f"paperdesk: {exc}", file=sys.stderr)
        return None


def _import(db: str | None, args) -> int:
    library = _open(db, create=True)
    if library is None:
        return 1
    from .core.library import is_bulk

    bulk = is_bulk([Path(f) for f in args.files])
    if bulk and not args.json:  # said before it starts: what a stop or a crash would leave
        print(f"Importing {count(len(args.files), 'file')} as one unit: the library keeps them only when all of them"
              " are written (Ctrl+C or a crash before the end leaves it as before).", file=sys.stderr, flush=True)
    with library:
        results = library.import_files(
            args.files, args.captured, progress=None if args.json else lambda done, total, result: _print_result(result)
        )
        if bulk and not args.json and any(r.status == "imported" for r in results):
            added = sum(r.added for r in results)  # after the commit: now they are added
            print(f"The import is written: {count(added, 'record', grouped=True)} added from"
                  f" {count(sum(r.status == 'imported' for r in results), 'file')}.")
        found = None if args.no_duplicate_scan else _new_duplicates(library, results, quiet=args.json)
    if args.json:
        report = {"library": str(library.path), "files": [r.as_dict() for r in results]}
        if found is not None:
            report["duplicates"] = found
        json.dump(report, sys.stdout, ensure_ascii=False, indent=2)
        print()
    return 1 if any(r.status == "failed" for r in results) else 0


def _new_duplicates(library, results, quiet: bool) -> dict | None:
    """After an import: the new records scanned against the library (not the whole library again), the outcome
    printed in one sentence. Ctrl+C stops the scan only: the import is kept. Returns what --json reports."""
    from .core import dupqueue

    new = dupqueue.imported_records(library, results)
    if not new:
        return {"new_records": 0, "groups": []}
    if not quiet and sys.stderr.isatty():  # a hint for whoever waits at the terminal, not for a log
        print(f"Looking for duplicates of the {count(len(new), 'new record', grouped=True)} (Ctrl+C stops this,"
              " --no-duplicate-scan leaves it out)…", file=sys.stderr, flush=True)
    try:
        from .core import merging

        groups = dupqueue.touching(merging.scan_new(library, new), new)
    except KeyboardInterrupt:
        print("Stopped looking for duplicates; the import is kept (`paperdesk duplicates` scans the library).",
              file=sys.stderr)
        return None
    if not quiet:
        print(dupqueue.summary(groups, new) + (" `paperdesk duplicates` lists them." if groups else ""))
    return {"new_records": len(new), "groups": [g.as_dict() for g in groups]}


def _print_result(result) -> None:
    stream = sys.stderr if result.status == "failed" else sys.stdout
    print(result.message, file=stream)
    report = result.report
    if result.status != "imported" or not report:
        return
    print(f"  {count(report['records_read'], 'record')} read, {report['records_flagged']} flagged for review, "
          f"layout {report['layout']}, {report['encoding']}")
    for reason, times in (report.get("flag_reasons") or {}).items():
        print(f"  flagged: {times} × {reason}")
    for warning in report["warnings"]:
        where = f"line {warning['line']}: " if warning["line"] else ""
        print(f"  warning: {where}{warning['message']}")
    for skipped in report["skipped"]:
        print(f"  skipped line {skipped['line']}: {skipped['reason']}")


def _export(db: str | None, args) -> int:
    from .core.export.options import ExportOptions
    from .core.export.runner import ExportScope, export
    from .core.library import LibraryError, resolve_db_path

    if not resolve_db_path(db).exists():
        print(f"paperdesk: {resolve_db_path(db)}: no library here (import some dumps first)", file=sys.stderr)
        return 1
    ids = None
    if args.selection_file:
        try:
            text = Path(args.selection_file).read_text("utf-8")
            ids = [int(token) for token in text.replace(",", " ").split()]
        except (OSError, ValueError) as exc:
            print(f"paperdesk: {args.selection_file}: not a file of record ids ({exc})", file=sys.stderr)
            return 2
    from .core.export.runner import KEYED_FORMATS

    # Keyed formats store the citation keys they give out (once, then kept); the others only read.
    library = _open(db, create=False, readonly=args.format not in KEYED_FORMATS)
    if library is None:
        return 1
    scope = ExportScope(ids=ids, tags=tuple(args.tag), search=args.search, source=args.source)
    options = ExportOptions(ascii=args.ascii, provenance=args.provenance, code_note=args.code_note, et_al=args.et_al)
    if args.watch:
        return _export_watch(library, args, scope, options)
    with library:
        try:
            result = export(library, args.format, args.output or sys.stdout, scope, options=options)
        except LibraryError as exc:
            print(f"paperdesk: {exc}", file=sys.stderr)
            return 1
    for message in result.messages:
        print(f"paperdesk: {message}", file=sys.stderr)
    if result.path is not None:
        print(f"{count(result.count, 'paper')} ({scope.describe()}) written to {result.path}", file=sys.stderr)
    return 0


def _export_watch(library, args, scope, options) -> int:
    """``export -o FILE --watch``: the pinned-export loop of the desktop app, from the command line."""
    import time as _time

    from .core.export.pinned import Pin, watch

    if not args.output:
        print("paperdesk: --watch needs -o FILE (the file to keep in sync)", file=sys.stderr)
        library.close()
        return 2
    pin = Pin(id=None, path=args.output, fmt=args.format, tags=scope.tags,
              search=f'{scope.search} source:"{scope.source}"'.strip() if scope.source else scope.search,
              options=options)

    def written(p) -> None:
        stamp = _time.strftime("%H:%M:%S")
        if p.last_error:
            print(f"{stamp} paperdesk: {p.last_error}", file=sys.stderr, flush=True)
        else:
            print(f"{stamp} {count(p.last_count, 'paper')} written to {p.path}", file=sys.stderr, flush=True)

    print(f"paperdesk: keeping {args.output} in sync with the library; Ctrl+C stops", file=sys.stderr, flush=True)
    try:
        with library:
            watch(library, [pin], written=written)
    except KeyboardInterrupt:
        pass
    return 0


def _duplicates(db: str | None, args) -> int:
    from .core import curation, merging
    from .core.duplicates import PRESETS

    library = _open(db, create=False, readonly=True)
    if library is None:
        return 1
    with library:
        groups = merging.scan(library, args.preset)
        if args.json:
            json.dump([g.as_dict() for g in groups], sys.stdout, ensure_ascii=False, indent=2)
            print()
            return 0
        preset = PRESETS[args.preset]
        print(f"{count(len(groups), 'candidate group')} (preset {preset.name}: certain >= {preset.certain}, "
              f"likely >= {preset.likely}, possible >= {preset.possible})")
        for g in groups:
            named = curation.briefs(library, g.records)
            titles = [named[i]["title"] if i in named else "?" for i in g.records]
            print(f"\n{g.confidence} {g.score:.0f}: records {', '.join(map(str, g.records))} — {'; '.join(g.reasons)}")
            for pid, title in zip(g.records, titles):
                print(f"  {pid}: {title}")
    return 0


def _author(db: str | None, args) -> int:
    from .core.authors import figures

    library = _open(db, create=False, readonly=True)
    if library is None:
        return 1
    with library:
        data = figures(library, args.name)
    if args.json:
        json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0 if data["papers"] else 1
    if not data["papers"]:
        print(f"paperdesk: no papers by '{args.name}' in the library", file=sys.stderr)
        return 1
    print(f"{data['name']}: {count(data['papers'], 'paper')} ({data['first_author_papers']} as first author, "
          f"{data['from_profile_papers']} only from the profile page), {data['years'][0]}-{data['years'][1]}")
    if data["profile"]:
        p = data["profile"]
        print(f"  profile ({p['source']}, captured {p['captured']}): h-index {p['h_index']}, "
              f"{count(p['citations'], 'citation')}, {count(p['paper_count'], 'paper')}, novelty {p['novelty']}%, AI score {p['ai_score']}")
    print("  per year: " + ", ".join(f"{y}: {sum(c.values())}" for y, c in data["per_year"].items()))
    print("  categories: " + ", ".join(f"{c} {n}" for c, n in data["categories"].items()))
    print("  code share: " + ", ".join(f"{y}: {s:.0%}" for y, s in data["code_share_per_year"].items()))
    print("  position: " + ", ".join(f"{k} {v}" for k, v in data["positions"].items()))
    print("  top co-authors: " + ", ".join(f"{c['name']} ({c['papers']})" for c in data["coauthors"]))
    return 0


def _merge(db: str | None, args) -> int:
    from .core import merging
    from .core.library import LibraryError

    if args.auto and (args.ids or args.into):
        print("paperdesk: give record ids or --auto, not both", file=sys.stderr)
        return 2
    if not args.auto:
        group = list(dict.fromkeys(args.ids + ([args.into] if args.into else [])))
        if len(group) < 2:
            print("paperdesk: name at least two records to merge (paperdesk merge ID ID... [--into ID]),"
                  " or use --auto certain", file=sys.stderr)
            return 2
    library = _open(db, create=False, readonly=args.dry_run)
    if library is None:
        return 1
    with library:
        try:
            if not args.auto:
                survivor = args.into or min(group)
                others = [i for i in group if i != survivor]
                if args.dry_run:
                    print(f"would merge {', '.join(map(str, others))} into {survivor}")
                    return 0
                merge_id = merging.merge(library, survivor, others)
                print(f"merged {', '.join(map(str, others))} into {survivor} (merge {merge_id}; undo: paperdesk"
                      f" unmerge {others[0]})")
                return 0
            groups = merging.scan(library, args.preset)
            plan = merging.auto_merge(library, groups, args.auto, dry_run=args.dry_run)
        except LibraryError as exc:
            print(f"paperdesk: {exc}", file=sys.stderr)
            return 1
        verb = "would merge" if args.dry_run else "merged"
        for step in plan:
            print(f"{verb} {', '.join(map(str, step['merged']))} into {step['survivor']} ({'; '.join(step['reasons'])})")
        print(f"{len(plan)} {args.auto} {plural(len(plan), 'group')} {verb}" + ("" if args.dry_run else " (undo one: paperdesk unmerge ID,"
                                                            " or the Unmerge button in a record's history)"))
    return 0


def _unmerge(db: str | None, args) -> int:
    from .core import merging
    from .core.library import LibraryError

    library = _open(db, create=False)
    if library is None:
        return 1
    resolve = "keep" if args.keep else "restore" if args.restore else None
    with library:
        try:
            out = merging.unmerge_record(library, args.id, resolve)
        except merging.UnmergeConflict as exc:
            print(f"paperdesk: {exc}; run again with --keep or --restore", file=sys.stderr)
            for c in exc.conflicts:
                print(f"  {c['field']}: before the merge {_shown(c['before'])!r}, the merge set"
                      f" {_shown(c['merged'])!r}, now {_shown(c['current'])!r}", file=sys.stderr)
            return 1
        except LibraryError as exc:
            print(f"paperdesk: {exc}", file=sys.stderr)
            return 1
    back = out["restored"]
    print(f"record{'s' if len(back) > 1 else ''} {', '.join(map(str, back))} {'are' if len(back) > 1 else 'is'} back"
          f" out of record {out['survivor']} (merge {out['merge_id']} undone)")
    return 0


def _history(db: str | None, args) -> int:
    from .core import merging
    from .core.library import LibraryError

    library = _open(db, create=False, readonly=True)
    if library is None:
        return 1
    with library:
        try:
            entries = merging.history(library, args.id)
            inside = merging.merged_into(library, args.id)
        except LibraryError as exc:
            print(f"paperdesk: {exc}", file=sys.stderr)
            return 1
    if args.json:
        json.dump({"id": args.id, "merged_into": inside, "events": entries}, sys.stdout, ensure_ascii=False, indent=2)
        print()
        return 0
    where = f", merged into record {inside}" if inside else ""
    print(f"record {args.id}{where}: {count(len(entries), 'event')}, oldest first")
    for e in entries:
        print(f"  {e['at']}  {e['summary']}")
    return 0


def _print_backups(library_path) -> None:
    from .core.backup import backups_dir, list_backups

    backups = list_backups(library_path)
    if not backups:
        print(f"no backups yet in {backups_dir(library_path)}")
        return
    print(f"{len(backups)} backup{'s' if len(backups) != 1 else ''} in {backups_dir(library_path)}, newest first:")
    for info in backups:
        records = "?" if info.records is None else info.records
        print(f"  {info.created}  {records:>8} {plural(2 if info.records is None else info.records, 'record'):<7}  {info.size / 1e6:7.1f} MB  {info.reason:<16} {info.path.name}")


def _backup(db: str | None, args) -> int:
    from .core import backup
    from .core.library import LibraryError

    library = _open(db, create=False)
    if library is None:
        return 1
    with library:
        try:
            if args.keep:
                backup.set_keep_count(library, args.keep)
                print(f"keeping the newest {count(args.keep, 'backup')}")
            if args.list:
                _print_backups(library.path)
                return 0
            info = backup.make_backup(library, "manual", args.output)
        except LibraryError as exc:
            print(f"paperdesk: {exc}", file=sys.stderr)
            return 1
    print(f"backed up {count(info.records, 'record')} to {info.path} ({info.size / 1e6:.1f} MB)")
    return 0


def _restore(db: str | None, args) -> int:
    from .core import backup
    from .core.library import LibraryError, resolve_db_path

    if args.backup is None:
        _print_backups(resolve_db_path(db))
        print("restore one with: paperdesk restore BACKUP --to NEW.sqlite, or over the library with --yes")
        return 0
    try:
        if args.to:
            result = backup.restore(args.backup, into=args.to)
            print(f"restored {count(result['records'], 'record')} into {result['path']}; the library is unchanged")
            return 0
        if not args.yes:
            records = backup.check_backup(args.backup)
            print(f"paperdesk: restoring over the library replaces all of it with the backup's {count(records, 'record')};"
                  " add --yes to do it (a backup of the library is made first), or --to NEW.sqlite", file=sys.stderr)
            return 2
        library = _open(db, create=False)
        if library is None:
            return 1
        with library:
            result = backup.restore(args.backup, over=library)
    except LibraryError as exc:
        print(f"paperdesk: {exc}", file=sys.stderr)
        return 1
    print(f"restored {count(result['records'], 'record')} over {result['path']}; what it held is in {result['safety_backup']}")
    return 0


_TRUTH = {"yes": True, "true": True, "1": True, "no": False, "false": False, "0": False}


def _batch_edit(args):
    from .core.batch import BatchEdit

    if args.set:
        field, sep, value = args.set.partition("=")
        if not sep:
            raise ValueError(f"--set needs FIELD=VALUE, not {args.set!r}")
        if field in ("has_code", "authors_truncated"):
            if value.lower() not in _TRUTH:
                raise ValueError(f"{field} is yes or no, not {value!r}")
            value = _TRUTH[value.lower()]
        return BatchEdit("set", field=field, value=value)
    if args.replace:
        field, old, new = args.replace
        return BatchEdit("replace", field=field, find=old, replacement=new, regex=args.regex,
                         ignore_case=args.ignore_case)
    return BatchEdit("rename_author", find=args.rename_author[0], replacement=args.rename_author[1])


def _edit(db: str | None, args) -> int:
    from .core import backup, batch
    from .core.library import LibraryError

    try:
        edit = _batch_edit(args)
    except (ValueError, LibraryError) as exc:
        print(f"paperdesk: {exc}", file=sys.stderr)
        return 2
    library = _open(db, create=False)
    if library is None:
        return 1
    with library:
        try:
            ids = batch.ids_matching(library, args.search)
            rows = list(batch.preview(library, ids, edit))
            for row in rows:
                note = f"   (left as it is: {row.error})" if row.error else ""
                print(f"{row.id}: {_shown(row.before)}\n  -> {_shown(row.after)}{note}")
            ticked = [row.id for row in rows if not row.error]
            refused = len(rows) - len(ticked)
            if args.dry_run or not ticked:
                print(f"{edit.describe()}: would change {len(ticked)} of {count(len(ids), 'record')}"
                      + (f"; {refused} would be refused" if refused else "") + (" (dry run)" if args.dry_run else ""))
                return 0
            if len(ticked) > 1:
                backup.make_backup(library, "before batch edit")
            result = batch.apply(library, ticked, edit)
        except LibraryError as exc:
            print(f"paperdesk: {exc}", file=sys.stderr)
            return 1
    print(f"{edit.describe()}: changed {len(result.old)} of {count(len(ids), 'record')}"
          + (f"; {len(result.refused)} refused" if result.refused else ""))
    return 0


def _shown(value) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    return "" if value is None else str(value)


def _keys(db: str | None, args) -> int:
    from .core.curation import ValidationError
    from .core.export import keys

    from .core.library import LibraryError

    record = None
    if args.set:
        try:
            record = int(args.set[0])
            if not 1 <= record < 2**63:
                raise ValueError
        except ValueError:
            print(f"paperdesk keys: error: --set ID KEY: {args.set[0]!r} is not a record id (a whole number"
                  " from 1)", file=sys.stderr)
            return 2
    writes = bool(args.pattern or args.set or args.regenerate)
    library = _open(db, create=False, readonly=not writes)
    if library is None:
        return 1
    with library:
        try:
            if args.pattern:
                keys.set_pattern(library, args.pattern)
            if args.set:
                keys.set_key(library, record, args.set[1])
            if args.regenerate:
                assigned = keys.assign_keys(library, None, keys.get_pattern(library), regenerate=True)
                print(f"{count(len(assigned), 'key')} regenerated with {keys.get_pattern(library)}")
        except (ValidationError, ValueError, LibraryError) as exc:
            print(f"paperdesk: {exc}", file=sys.stderr)
            return 1
        print(f"key pattern: {keys.get_pattern(library)}")
    return 0


def _check(db: str | None, args) -> int:
    from .core import recover
    from .core.library import Library, LibraryError, resolve_db_path

    path = resolve_db_path(db)
    if args.recover:
        result = recover.recover(path, args.recover)
        print(f"saved {count(result['papers'], 'record')} ({count(result['rows'], 'row')} in all) from {path} into {result['path']}"
              f" ({result['method']}); the damaged file is unchanged")
        for note in result["notes"]:
            print(f"  {note}")
        return 0
    try:
        library = Library(path, create=False, readonly=True, check=False)
    except LibraryError as exc:
        print(f"paperdesk: {exc}", file=sys.stderr)
        return 1
    with library:
        problems = library.check(full=not args.quick)
    if not problems:
        print(f"{path}: no damage found ({'quick' if args.quick else 'full'} check)")
        return 0
    from .core.libfile import recovery_hint

    print(f"paperdesk: {path}: the library file is damaged:", file=sys.stderr)
    for problem in problems[:20]:
        print(f"  {problem}", file=sys.stderr)
    print(recovery_hint(path), file=sys.stderr)
    return 1


def _qt_loads() -> bool:
    """Qt's GUI module links the system's OpenGL libraries even offscreen; a bare server or container may lack
    them. Say which library is missing and the packages that provide it, instead of a traceback."""
    try:
        import PySide6.QtGui  # noqa: F401
    except ImportError as exc:
        from .display import qtgui_problem

        print(f"paperdesk: {qtgui_problem(exc)}", file=sys.stderr)
        return False
    return True


def _display_ready() -> bool:
    """Qt aborts the process (exit 134) without a display or with a library of its platform plugin missing, and
    blames the wrong package: check first, and say what is wrong in one sentence."""
    from .display import window_problem

    problem = window_problem()
    if problem:
        print(f"paperdesk: {problem}", file=sys.stderr)
        return False
    return True


def _snapshot(db: str | None, args) -> int:
    if not _qt_loads():
        return 1
    from .gui.snapshot import VIEWS, snapshot

    if args.view not in VIEWS and not args.view.startswith(("author:", "compare:")):
        print(f"paperdesk: unknown view {args.view!r}; choose one of {', '.join(VIEWS)}", file=sys.stderr)
        return 2
    from .core.library import LibraryError

    try:
        out = snapshot(args.out, db, args.view)
    except (FileNotFoundError, OSError, ValueError, LibraryError) as exc:
        print(f"paperdesk: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {out}")
    return 0
