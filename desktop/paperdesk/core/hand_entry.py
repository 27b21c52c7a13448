"""Records a librarian enters by hand (File › New record): validated like an edit, with provenance of their own.

A hand-entered record has the same shape as an imported one. Its provenance is the library's "Entered by hand"
source (one per library, made on first use) with the record's text written out as a dump would show it, so the
detail pane, exports and duplicates treat it like any other record; the events table says who entered it and
when. Undo removes the record it added; redo puts it back under the same id.
"""

from __future__ import annotations

import getpass
import hashlib
import json

from . import curation
from .dumps import code_urls
from .library import Library, LibraryError, now

HAND_SOURCE_NAME = "Entered by hand"
_HAND_SHA = "entered-by-hand"  # sources.sha256 is unique: one hand source per library


def who() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no user name on this system (a bare container): the event still says when
        return "unknown"


def validate_fields(fields: dict) -> dict:
    """The fields as stored; raises ValidationError with the detail pane's sentences."""
    if not str(fields.get("title") or "").strip():
        raise curation.ValidationError("A title cannot be empty.")
    clean = {"title": curation.validate("title", fields["title"]),
             "authors": curation.validate("authors", fields.get("authors") or []),
             "authors_truncated": bool(fields.get("authors_truncated")),
             "org": curation.validate("org", fields.get("org")),
             "date": curation.validate("date", fields.get("date")),
             "has_code": bool(fields.get("has_code")),
             "abstract": curation.validate("abstract", fields.get("abstract"))}
    category = str(fields.get("category") or "").strip()
    clean["category"] = curation.validate("category", category) if category else None
    return clean


def raw_text(clean: dict) -> str:
    """The record written out as a listing dump shows one (meta line, title, authors, abstract)."""
    meta = (clean["category"] or "") + (clean["date"] or "") + ("Code" if clean["has_code"] else "")
    authors = ", ".join(clean["authors"]) + (" et al." if clean["authors_truncated"] else "")
    if clean["org"]:
        authors += f" · {clean['org']}"
    return "\n".join(line for line in (meta, clean["title"], authors, clean["abstract"]) if line)


def _hand_source(conn) -> int:
    row = conn.execute("SELECT id FROM sources WHERE sha256 = ?", (_HAND_SHA,)).fetchone()
    if row:
        return row[0]
    stamp = now()
    cursor = conn.execute(
        "INSERT INTO sources(file_name, path, sha256, size, captured, capture_source, layout, encoding,"
        " record_count, report, imported_at) VALUES (?, NULL, ?, 0, ?, 'given', 'hand', 'utf-8', 0, '{}', ?)",
        (HAND_SOURCE_NAME, _HAND_SHA, stamp[:10], stamp))
    return cursor.lastrowid


def add_record(library: Library, fields: dict, *, paper_id: int | None = None) -> int:
    """Add a record from ``fields`` (title required); returns its id. ``paper_id`` re-adds an undone record."""
    clean = validate_fields(fields)
    raw = raw_text(clean)
    fingerprint = hashlib.blake2b(("hand\n" + raw).encode("utf-8"), digest_size=16).hexdigest()
    stamp = now()
    with library.transaction() as conn:
        if paper_id is not None and conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone():
            raise LibraryError(f"record {paper_id} is already in the library")
        source_id = _hand_source(conn)
        cursor = conn.execute(
            "INSERT INTO papers(id, title, authors, first_author, authors_truncated, org, category, date, year,"
            " has_code, abstract, code_urls, needs_review, sources_count, fingerprint, created_at, updated_at)"
            " VALUES (?, ?, '', NULL, ?, ?, ?, ?, ?, ?, ?, ?, 0, 1, ?, ?, ?)",
            (paper_id, clean["title"], int(clean["authors_truncated"]), clean["org"], clean["category"],
             clean["date"], int(clean["date"][:4]) if clean["date"] else None, int(clean["has_code"]),
             clean["abstract"], json.dumps(code_urls(clean["abstract"])), fingerprint, stamp, stamp))
        new_id = cursor.lastrowid
        # Imports index new rows in one batch rather than by trigger (see schema.py); one row here. It is indexed
        # before its authors are written: their UPDATE's trigger takes the row's old text out of the full-text
        # index, which must be there (an unindexed row made that 'database disk image is malformed').
        conn.execute("INSERT INTO papers_fts(rowid, title, authors, abstract) SELECT id, title, authors, abstract"
                     " FROM papers WHERE id = ?", (new_id,))
        curation._write_authors(conn, new_id, clean["authors"])
        conn.execute("INSERT INTO provenance(paper_id, source_id, line, end_line, raw, fingerprint)"
                     " VALUES (?, ?, NULL, NULL, ?, ?)", (new_id, source_id, raw, fingerprint))
        conn.execute("UPDATE sources SET record_count = record_count + 1 WHERE id = ?", (source_id,))
        library.log("add", {"fields": clean, "who": who()}, paper_id=new_id, source_id=source_id)
    return new_id


def remove_added_record(library: Library, paper_id: int) -> dict:
    """Undo of ``add_record``: the record goes (its event stays); returns its fields for a redo."""
    with library.transaction() as conn:
        row = conn.execute("SELECT source_id FROM provenance WHERE paper_id = ?", (paper_id,)).fetchall()
        hand = conn.execute("SELECT id FROM sources WHERE sha256 = ?", (_HAND_SHA,)).fetchone()
        if not hand or [r[0] for r in row] != [hand[0]]:
            raise LibraryError(f"record {paper_id} was not entered by hand; put it in the Trash instead")
        if conn.execute("SELECT 1 FROM papers WHERE merged_into = ?", (paper_id,)).fetchone():
            raise LibraryError(f"record {paper_id} has absorbed other records in a merge; unmerge them first")
        # A merge in force or undone names the record in its history (and a redo of it needs the record): taking
        # the record out of the library would leave that history pointing at nothing.
        merge = conn.execute(
            "SELECT merge_id FROM merge_members WHERE paper_id = ? UNION SELECT id FROM merges WHERE survivor = ?"
            " LIMIT 1", (paper_id, paper_id)).fetchone()
        if merge:
            raise LibraryError(f"record {paper_id} took part in a merge (merge {merge[0]}) after it was entered, so"
                               " it cannot simply be taken back; put it in the Trash instead")
        detail = curation.paper_detail(library, paper_id)
        fields = {k: detail[k] for k in ("title", "authors", "authors_truncated", "org", "category", "date",
                                         "has_code", "abstract")}
        conn.execute("DELETE FROM paper_tags WHERE paper_id = ?", (paper_id,))
        conn.execute("DELETE FROM paper_authors WHERE paper_id = ?", (paper_id,))
        conn.execute("DELETE FROM provenance WHERE paper_id = ?", (paper_id,))
        conn.execute("DELETE FROM papers WHERE id = ?", (paper_id,))  # the delete trigger updates the FTS
        conn.execute("UPDATE sources SET record_count = record_count - 1 WHERE id = ?", (hand[0],))
        library.log("add-undone", {"fields": fields, "who": who()}, paper_id=paper_id)
    return fields
