"""Import from the GUI: a progress dialog with Cancel over a background import, then the parse report, then how
many of the new records may be duplicates (the Duplicates page scans them against the library meanwhile)."""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QButtonGroup, QDateEdit, QDialog, QDialogButtonBox, QHBoxLayout, QLabel, \
    QProgressBar, QPushButton, QRadioButton, QTextBrowser, QVBoxLayout

from ...core import cleanmark, dupqueue
from ...core.backup import size_text
from ...core.library import is_bulk
from ..workers import ImportWorker, start_in_thread
from ...core.wording import agree, count


class CaptureQuestion(QDialog):
    """Before an import: when were these pages copied from the site? The site leaves out the year of dates in
    the year of the capture, so the dates are read against it (the command line's ``--captured``)."""

    def __init__(self, paths, parent=None):
        super().__init__(parent)
        self.setObjectName("capture-question")
        self.setWindowTitle("Import dumps")
        self.paths = [Path(p) for p in paths]
        layout = QVBoxLayout(self)
        names = ", ".join(p.name for p in self.paths[:3]) + (" …" if len(self.paths) > 3 else "")
        intro = QLabel(f"Import {count(len(self.paths), 'file')}: {html.escape(names)}<br><br>"
                       "<b>When were these pages copied from the site?</b> The site leaves out the year of this"
                       " year's dates; they are read against this day.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.choice = QButtonGroup(self)
        stamps = sorted({dt.date.fromtimestamp(p.stat().st_mtime) for p in self.paths if p.exists()})
        when = (stamps[0].isoformat() if len(stamps) == 1 else
                f"{stamps[0].isoformat()} to {stamps[-1].isoformat()}" if stamps else "unknown")
        self.from_files = QRadioButton(f"The day each file was saved ({when})")
        self.on_day = QRadioButton("On this day:")
        self.date = QDateEdit(QDate.currentDate())
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy-MM-dd")
        self.date.setMaximumDate(QDate.currentDate())
        self.date.dateChanged.connect(lambda _: self.on_day.setChecked(True))
        self.choice.addButton(self.from_files, 0)
        self.choice.addButton(self.on_day, 1)
        self.from_files.setChecked(True)
        layout.addWidget(self.from_files)
        row = QHBoxLayout()
        row.addWidget(self.on_day)
        row.addWidget(self.date)
        row.addStretch(1)
        layout.addLayout(row)
        buttons = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        buttons.button(QDialogButtonBox.Ok).setText("Import")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def captured(self) -> dt.date | None:
        """The capture date chosen, or None: each file's modification time."""
        if self.choice.checkedId() == 1:
            return dt.date.fromisoformat(self.date.date().toString("yyyy-MM-dd"))
        return None


class ImportDialog(QDialog):
    """Runs the import when shown; ``done_importing`` fires with the results (also after Cancel)."""

    done_importing = Signal(list)

    def __init__(self, db_path, paths, captured=None, parent=None, origin: str | None = None):
        super().__init__(parent)
        self.setWindowTitle("Importing dumps")
        self.setMinimumWidth(560)
        self.paths = list(paths)
        self.bulk = is_bulk(self.paths)  # one unit of work: Cancel rolls back the whole import
        layout = QVBoxLayout(self)
        self.promise = QLabel(promise(len(self.paths), self.bulk))  # what a cancel or a crash leaves
        self.promise.setObjectName("import-promise")
        self.promise.setWordWrap(True)
        layout.addWidget(self.promise)
        self.status = QLabel(f"Importing {count(len(self.paths), 'file')}…")
        self.status.setObjectName("import-status")
        self.status.setWordWrap(True)  # the cancel's sentence is long: wrapped, never cut off
        layout.addWidget(self.status)
        self.check_line = QLabel("")  # a large library: whether its check ran before the import wrote, or why not
        self.check_line.setObjectName("import-check")
        self.check_line.setWordWrap(True)
        self.check_line.hide()
        layout.addWidget(self.check_line)
        self.records_ready = 0  # a bulk import's records read so far (added only at its commit)
        self.bar = QProgressBar()
        self.sizes = [_size(p) for p in self.paths]
        self._show_file_running(0)
        layout.addWidget(self.bar)
        self.duplicates_line = QLabel("")  # what the scan of the new records found
        self.duplicates_line.setObjectName("import-duplicates")
        self.duplicates_line.setWordWrap(True)
        self.duplicates_line.hide()
        layout.addWidget(self.duplicates_line)
        self.report = QTextBrowser()
        self.report.hide()
        layout.addWidget(self.report, 1)
        self.buttons = QDialogButtonBox()
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.buttons.addButton(self.cancel_button, QDialogButtonBox.RejectRole)
        self.stop_scan = QPushButton("Stop looking for duplicates")
        self.buttons.addButton(self.stop_scan, QDialogButtonBox.ActionRole)
        self.stop_scan.hide()  # after addButton, which shows it: only while the new records' scan runs
        layout.addWidget(self.buttons)
        self.page = None  # the Duplicates page scanning the new records
        self.new_records: list[int] = []
        self.results: list[dict] | None = None
        self.cancelled = False
        self.worker = ImportWorker(db_path, self.paths, captured, origin)
        self.worker.progress.connect(self._progress)
        self.worker.checking.connect(self._checking)
        self.worker.checked.connect(self._checked)
        self.worker.finished.connect(self._finished)
        self.worker.failed.connect(self._failed)
        self.thread = start_in_thread(self.worker, self)

    def cancel(self) -> None:
        if self.results is None:
            self.cancelled = True
            self.worker.cancel.set()
            self.status.setText("Cancelling: the whole import is rolled back…" if self.bulk
                                else "Cancelling: the file being imported is rolled back…")
            self.cancel_button.setEnabled(False)
        else:
            self.accept()

    def reject(self) -> None:  # Esc or the window's close button
        if self.results is None:
            self.cancel()
        else:
            super().reject()

    def _progress(self, done: int, total: int, message: str, records: int = 0) -> None:
        if self.cancelled:
            return  # the status says it is cancelling
        if self.bulk and done == total:
            # every file read, the run's indexes still to build: busy, not a full bar that seems to stand still
            self.bar.setRange(0, 0)
            self.bar.setFormat("Building the indexes…")
            self.status.setText(f"All {count(total, 'file')} read; building the search index and the other indexes"
                                " (the import is kept whole, or not at all)…")
            return
        self._show_file_running(done)
        if self.bulk:
            self.records_ready += records
            ready = count(self.records_ready, 'record', grouped=True)
            self.status.setText(f"{done} of {count(total, 'file')} read, {ready} ready to add when the whole import"
                                f" is written; the last: {message}")
        else:
            self.status.setText(f"{done} of {count(total, 'file')} imported, the last: {message}")
        if done < total:
            name = Path(self.paths[done]).name
            self.status.setText(f"{self.status.text()}\nNow: {name} ({size_text(self.sizes[done])})…")

    def _show_file_running(self, done: int) -> None:
        """The bar while file ``done`` (0-based) is read and written. The files done so far fill it by their
        bytes (a 69 MB file weighs more than a 1 KB one); the file in progress reports nothing until it ends, so
        a lone file (or one that is most of the import) shows a moving busy bar with its name and size rather
        than "0 of 1 files" standing still."""
        total = sum(self.sizes)
        if done >= len(self.paths):
            self.bar.setRange(0, max(total, 1) // 1024 or 1)
            self.bar.setValue(self.bar.maximum())
            self.bar.setFormat(f"{done} of {count(len(self.paths), 'file')}")
            return
        name, size = Path(self.paths[done]).name, self.sizes[done]
        what = (f"{'Reading' if self.bulk else 'Importing'} {name} ({size_text(size)})…" if len(self.paths) == 1
                else f"{done} of {count(len(self.paths), 'file')} · now {name} ({size_text(size)})…")
        if len(self.paths) == 1 or size * 2 >= total:
            self.bar.setRange(0, 0)  # busy: moving (the style shows no text on a busy bar: the line above says it)
            if done == 0:
                self.status.setText(what)
        else:
            self.bar.setRange(0, max(total // 1024, 1))
            self.bar.setValue(sum(self.sizes[:done]) // 1024)
        self.bar.setFormat(what)

    def _checking(self, size: int) -> None:
        """Before the first file: SQLite's quick check of a large library (it reads the whole file)."""
        if self.cancelled:
            return
        self.bar.setRange(0, 0)
        self.bar.setFormat("Checking the library…")
        self.status.setText(f"Checking the library ({size_text(size)}) before writing into it, so that nothing"
                            " is written into a damaged file: SQLite reads the whole file once, which takes a while"
                            " for a large library…")

    def _checked(self, size: str, seconds: float, checked_at: str) -> None:
        self.check_line.setText(check_sentence(int(size), seconds, dt.datetime.fromisoformat(checked_at)))
        self.check_line.show()

    def _failed(self, message: str) -> None:
        self.results = []
        self.status.setText(message)
        self._show_close()
        self.done_importing.emit([])

    def _finished(self, results: list) -> None:
        self.results = results
        self.status.setText(outcome(len(self.paths), results, self.bulk, self.cancelled))
        self.bar.setRange(0, max(len(self.paths), 1))
        self.bar.setValue(len(self.paths))
        self.bar.setFormat("Import finished" if not self.cancelled else "Import cancelled")
        self._show_close()
        if results:  # a cancelled large import has no file to report on: no empty box
            self.report.setHtml(report_html(results))
            self.report.show()
            self.resize(self.width(), 460)
        self.done_importing.emit(results)

    def _show_close(self) -> None:
        self.cancel_button.setText("Close")
        self.cancel_button.setEnabled(True)

    # --- the new records' duplicates ----------------------------------------------------------------------

    def follow_duplicates(self, page) -> None:
        """Say what the Duplicates page's scan of the records this import added finds (it runs whether or not
        this dialog stays open): waiting while another scan finishes, then its progress in the bar and a button
        that stops it."""
        self.new_records = list(self.worker.new_records)
        if not self.new_records:
            return
        self.page = page
        page.scanFinished.connect(self._scan_ended)
        page.newScanStopped.connect(self._scan_stopped)
        page.scanProgress.connect(self._scan_progress)
        page.scanStarted.connect(self._scan_state)
        self.stop_scan.clicked.connect(page.cancel_scan)
        self.duplicates_line.show()
        self._scan_state()
        self._scan_ended()

    def _scan_state(self) -> None:
        """Looking (the page's scan covers the new records now, and Stop stops it) or waiting for its turn."""
        page = self.page
        if page is None:
            return
        records = count(len(self.new_records), 'new record', grouped=True)
        if page.scanning(self.new_records):
            self.duplicates_line.setText(f"Looking for duplicates of the {records} in the library…")
            self.stop_scan.show()
        else:
            self.duplicates_line.setText(f"Waiting for the scan running now to finish, then looking for duplicates"
                                         f" of the {records}…")
            self.stop_scan.hide()
            self.bar.setRange(0, 0)
            self.bar.setFormat("Waiting…")

    def _scan_progress(self, stage: str, done: int, total: int) -> None:
        if self.page is not None and self.page.scanning(self.new_records):
            from ..duplicates_page import show_progress

            show_progress(self.bar, stage, done, total)

    def _scan_ended(self, *_) -> None:
        page = self.page
        if page is None or not page.covers(self.new_records):
            return
        self._unfollow()
        sentence = dupqueue.summary(page.groups, self.new_records)
        if dupqueue.touching(page.groups, self.new_records):
            sentence += " The Duplicates view (Ctrl+D) lists them."
        self.duplicates_line.setText(sentence)

    def _scan_stopped(self, ids: list) -> None:
        if self.page is not None and set(ids) & set(self.new_records):
            self._unfollow("Import finished; the search for duplicates stopped")
            self.duplicates_line.setText("Stopped looking for duplicates of the new records; the import is kept."
                                         " The Duplicates view (Ctrl+D) can scan the whole library.")

    def _unfollow(self, done: str = "Import finished, duplicates looked for") -> None:
        page, self.page = self.page, None
        for signal, slot in ((page.scanFinished, self._scan_ended), (page.newScanStopped, self._scan_stopped),
                             (page.scanProgress, self._scan_progress), (page.scanStarted, self._scan_state),
                             (self.stop_scan.clicked, page.cancel_scan)):
            signal.disconnect(slot)
        self.stop_scan.hide()
        self.bar.setRange(0, 1)
        self.bar.setValue(1)
        self.bar.setFormat(done)


def _size(path) -> int:
    try:
        return Path(path).stat().st_size
    except OSError:
        return 0


def promise(files: int, bulk: bool) -> str:
    """What the import keeps if it is cancelled or the computer stops: said before it starts."""
    if bulk:
        kept = "it only when it is" if files == 1 else "them only when all of them are"
        files_are = "This file is" if files == 1 else "These " + count(files, "file") + " are"  # never "1 files"
        return (f"{files_are} large enough to"
                f" be imported as one unit: the library keeps {kept} written. Cancel, or a crash before the end,"
                " leaves the library as it was before this import.")
    return ("Each file is added in one step of its own: Cancel (or a crash) rolls back the file being written;"
            " the files added before it stay.")


def outcome(files: int, results: list[dict], bulk: bool, cancelled: bool) -> str:
    """The end's sentence, written after the commit (or the rollback): 'added' only for what the library holds."""
    imported = sum(1 for r in results if r["status"] == "imported")
    added = sum(r["added"] for r in results)
    unchanged = sum(1 for r in results if r["status"] == "unchanged")
    failed = sum(1 for r in results if r["status"] == "failed")
    if cancelled and bulk and not results:
        return (f"Cancelled: nothing was imported, the library is as it was before this import (its"
                f" {count(files, 'file')} {agree(files, 'is')} added only all together).")
    if cancelled and not results:
        return f"Cancelled before any file was written: the library is as before, {count(files, 'file')} not imported."
    head = f"{count(added, 'record', grouped=True)} added from {count(imported, 'file')}"
    if unchanged:
        head += f", {unchanged} already imported (nothing changed)"
    if failed:
        head += f", {failed} could not be imported"
    head += "."
    skipped = files - len(results)
    if cancelled and skipped:
        head += (f" Cancelled: the file being written was rolled back; {count(skipped, 'file')} not imported,"
                 " the files before them stay.")
    return head


def report_html(results: list[dict]) -> str:
    parts = []
    for r in results:
        color = {"failed": "#b00020", "unchanged": "#666666"}.get(r["status"], "#1b5e20")
        parts.append(f"<p><b style='color:{color}'>{html.escape(r['message'])}</b>")
        report = r.get("report") or {}
        if r["status"] == "imported":
            parts.append(f"<br>{count(report['records_read'], 'record')} read, {r['already_present']} already present, "
                         f"{report['records_flagged']} flagged for review; layout {report['layout']}, "
                         f"{report['encoding']}")
            for reason, times in (report.get("flag_reasons") or {}).items():
                parts.append(f"<br>&nbsp;&nbsp;flagged: {times} × {html.escape(reason)}")
            for w in report["warnings"]:
                where = f"line {w['line']}: " if w["line"] else ""
                parts.append(f"<br>&nbsp;&nbsp;warning: {html.escape(where + w['message'])}")
            for s in report["skipped"][:50]:
                parts.append(f"<br>&nbsp;&nbsp;skipped line {s['line']}: {html.escape(s['reason'])}")
            if len(report["skipped"]) > 50:
                parts.append(f"<br>&nbsp;&nbsp;… and {len(report['skipped']) - 50} more skipped lines")
        parts.append("</p>")
    return "".join(parts)


def check_sentence(size: int, seconds: float, checked_at: dt.datetime) -> str:
    """What the import dialog says of a large library's check: it ran (``seconds``), or it was skipped (-1)."""
    if seconds >= 0:
        took = f"{seconds:.0f} s" if seconds >= 1 else "under a second"
        return f"The library ({size_text(size)}) was checked before the import wrote into it: no damage found ({took})."
    when = checked_at.astimezone().strftime("%d %b %Y, %H:%M")
    return (f"The library ({size_text(size)}) was not checked again: it was found sound on {when}, and only"
            f" Paperdesk has changed the file since (it is read whole again after {cleanmark.MAX_AGE.days} days,"
            " or once anything else touches it).")
