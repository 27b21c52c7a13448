"""Help › Getting started (F1): a short guide for a librarian, inside the app.

Every menu command it names is written ``<b>Menu › Command</b>`` and every key ``<kbd>…</kbd>``, so a test can
check each against the window's own menus and shortcuts (tests/test_gui_guide.py): the guide cannot promise a
command that is not there. The paths it gives (the library, its backups, the log) are this window's own.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout

from ..core.backup import backups_dir
from ..core.logfile import log_path


def _menu(path: str) -> str:
    return f"<b>{html.escape(path)}</b>"


def _keys(*keys: str) -> str:
    return " or ".join(f"<kbd>{html.escape(k)}</kbd>" for k in keys)


def guide_html(library_path: Path) -> str:
    library_path = Path(library_path)
    m, k = _menu, _keys
    sections = [
        ("Importing dumps", f"""
<p>{m('File › Import dumps…')} ({k('Ctrl+I')}), or drop dump files on the window. Paperdesk first asks when the
pages were copied from the site (the site leaves the year out of this year's dates), then imports in the
background with a progress bar and <i>Cancel</i>: nothing half-written is ever kept. Each file gets a report:
records added, already present, flagged for review. A file imported before is recognised and not added twice.
Records whose title and authors could not be told apart for sure go to {m('View › Needs review queue')}
({k('Ctrl+R')}), where you pick the right reading.</p>"""),
        ("The table", f"""
<p>The sidebar chooses what the table lists: all records, those needing review, the last import, a tag, a
source file or a saved search. Click a column header to sort. The detail pane on the right shows the chosen
record; every field can be edited there (Enter saves, Esc reverts), and below it each file and line the record
came from. The status bar says how many records are shown.</p>"""),
        ("Searching", f"""
<p>{m('Edit › Find')} ({k('Ctrl+F')}) puts you in the search box; results follow as you type.
Words match the beginning of words in the title, authors and abstract. Also:
<code>"a phrase"</code>, <code>-word</code> (without it), <code>author:wang</code>,
<code>author:"Hao Wang"</code>, <code>year:2021</code>, <code>year:2021..2023</code>, <code>year:&gt;=2020</code>,
<code>tag:to-read</code>, <code>category:LG</code>, <code>has:code</code>, <code>no:code</code>,
<code>is:review</code>, <code>source:004</code> (a dump's file name). A misspelt field is pointed out under the
box. {m('Edit › Save this search…')} ({k('Ctrl+Shift+S')}) keeps it in the sidebar.</p>"""),
        ("Tags", f"""
<p>{m('Edit › Tag selection…')} ({k('T')}) tags the selected records (a new name makes a new tag);
{k('Shift+T')} removes a tag. You can also drag records onto a tag in the sidebar.
{m('Edit › Tag manager…')} ({k('Ctrl+Shift+T')}) renames, recolours, merges and deletes tags.</p>"""),
        ("Duplicates and merging", f"""
<p>{m('View › Duplicates')} ({k('Ctrl+D')}) looks through the library for records that are the same paper and
lists them in groups, surest first, with the reasons. The first look at a library scans it (the sidebar says
<i>not scanned yet</i> until then); after each import only the new records are compared with the rest.
In the list: {k('M')} opens the merge, {k('N')} says “not duplicates” (remembered), {k('S')} skips.
The merge dialog shows the records side by side and lets you choose each field. Nothing is deleted: the merged
records are hidden behind the one that stays, and the detail pane's history offers <i>Unmerge</i> at any time.
</p>"""),
        ("Undo", f"""
<p>Every change is one step: {m('Edit › Undo')} ({k('Ctrl+Z')}) and {m('Edit › Redo')}
({k('Ctrl+Shift+Z')}). {m('Edit › History…')} ({k('Ctrl+H')}) lists this session's changes to go back several
at once. Deleting ({k('Del')}) moves records to the Trash in the sidebar, from which
{m('Edit › Restore from Trash')} brings them back; only {m('Edit › Empty Trash…')} deletes for good, after
asking and making a backup.</p>"""),
        ("Exports", f"""
<p>{m('File › Export…')} ({k('Ctrl+E')}) writes BibTeX, biblatex, CSL-JSON, RIS, CSV or JSON of the selection,
of what the table shows, or of everything, with a preview. {m('File › Keep a .bib in sync…')}
({k('Ctrl+Shift+E')}) pins a BibTeX file that is rewritten whenever the library changes.
{m('Edit › Copy BibTeX')} ({k('Ctrl+Shift+C')}) copies the selection's entries.</p>"""),
        ("Backups", f"""
<p>Paperdesk makes a backup of the library each day when it starts, and before every large change.
{m('File › Back up now')} makes one at once; {m('File › Restore from backup…')} lists them and restores one.
{m('Edit › Preferences…')} sets how many are kept. They are in:
<br><code>{html.escape(str(backups_dir(library_path)))}</code></p>"""),
        ("Where things are", f"""
<p>This library (one file holds everything: records, tags, history, settings):
<br><code>{html.escape(str(library_path))}</code><br>
{m('File › New library…')} and {m('File › Open library…')} ({k('Ctrl+O')}) make and open others;
{m('Help › About Paperdesk')} also names the file.
If something goes wrong, the window says it in a sentence and the details go to the log:
<br><code>{html.escape(str(log_path()))}</code><br>
{m('Help › Keyboard shortcuts')} ({k('Ctrl+/')}) lists every key.</p>"""),
    ]
    body = "".join(f"<h3>{html.escape(title)}</h3>{text}" for title, text in sections)
    return f"<h2>Getting started with Paperdesk</h2>{body}"


def make_guide(library_path: Path, parent=None) -> QDialog:
    box = QDialog(parent)
    box.setObjectName("guide-box")
    box.setWindowTitle("Getting started")
    layout = QVBoxLayout(box)
    box.text = QTextBrowser()
    box.text.setOpenExternalLinks(False)
    box.text.setHtml(guide_html(library_path))
    layout.addWidget(box.text)
    buttons = QDialogButtonBox(QDialogButtonBox.Close)
    buttons.rejected.connect(box.accept)
    layout.addWidget(buttons)
    if parent is not None:
        screen = parent.screen().availableGeometry()
        box.resize(min(720, screen.width() - 40), min(760, screen.height() - 80))
    return box
