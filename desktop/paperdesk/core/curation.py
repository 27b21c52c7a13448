"""Hand curation on the library: field edits, review decisions, tags. Qt-free.

Each operation is one transaction that also writes its event, and returns what its inverse needs, so the
GUI's undo commands stay thin: redo calls an operation, undo calls the inverse with what redo returned.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import PurePath

from .categories import is_known as is_known_category
from .library import Library, LibraryError, now
from .schema import VISIBLE

EDITABLE_FIELDS = ("title", "authors", "authors_truncated", "org", "category", "date", "has_code", "abstract")
TAG_COLORS = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f",
              "#bab0ac")


class ValidationError(LibraryError):
    """An edit the librarian must correct; the message says what is wrong."""


def validate(field: str, value):
    """Return the value as stored, or raise ValidationError with a sentence a librarian understands."""
    if field == "title":
        value = " ".join(str(value or "").split())
        if not value:
            raise ValidationError("A title cannot be empty.")
        return value
    if field == "authors":
        names = [" ".join(str(n).split()) for n in value or []]
        names = [n for n in names if n]
        if any("," in n for n in names):
            raise ValidationError("Put one author per line; a name cannot contain a comma.")
        return names
    if field == "date":
        if value in (None, ""):
            return None
        try:
            date = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(_not_a_date(str(value).strip())) from None
        if not 1900 <= date.year <= dt.date.today().year + 1:
            raise ValidationError(f"{date.year} is not a plausible year for a paper.")
        return date.isoformat()
    if field == "category":
        code = str(value or "").strip().upper()
        code = code.split(".")[-1] if "." in code else code
        if not is_known_category(code):
            raise ValidationError(f"'{value}' is not a known subject class (such as LG, CL, CV, IR or QM).")
        return code
    if field in ("has_code", "authors_truncated"):
        return bool(value)
    if field == "org":
        value = str(value or "").strip()
        return value or None
    if field == "abstract":
        return str(value or "").strip()
    raise ValidationError(f"'{field}' cannot be edited.")


def names_from_lines(lines) -> list[str]:
    """Author names as a librarian types them, one per line, in the stored "Given Surname" form.

    "Lee, Ana" becomes "Ana Lee" ("King, Martin Luther, Jr." becomes "Martin Luther King Jr."); "Ana Lee" stays.
    A line that could be read two ways is refused with a sentence, not guessed: "Hao Wang, Na Li" may be one
    name written surname first or two names on one line, and a line with several commas is a list. Raises
    ValidationError naming the line."""
    from .names import _LEADING_PARTICLES, _SUFFIXES

    names = []
    for number, line in enumerate(lines, 1):
        line = " ".join(str(line).split())
        if not line:
            continue
        if "," not in line:
            names.append(line)
            continue
        parts = [p.strip() for p in line.split(",")]
        suffix = parts.pop() if len(parts) > 1 and parts[-1] in _SUFFIXES else ""
        if len(parts) == 1:  # "Martin Luther King, Jr."
            names.append(f"{parts[0]} {suffix}")
            continue
        quoted = f"line {number} ('{line}')"
        if len(parts) > 2:
            raise ValidationError(f"Authors, {quoted}: several commas on one line. Put one author per line, written"
                                  " 'Given Surname' or 'Surname, Given'.")
        surname, given = parts
        if not surname or not given:
            raise ValidationError(f"Authors, {quoted}: a name written 'Surname, Given' needs both parts.")
        surname_words = surname.split()
        if len(surname_words) > 1 and len(given.split()) > 1 and surname_words[0] not in _LEADING_PARTICLES:
            raise ValidationError(
                f"Authors, {quoted}: one name written 'Surname, Given', or two names? Put one author per line"
                f" ('{given} {surname}' for one name).")
        names.append(" ".join(w for w in (given, surname, suffix) if w))
    return names


def paper_detail(library: Library, paper_id: int) -> dict | None:
    """Everything about one record, provenance included, for the detail pane."""
    row = library.conn.execute(
        "SELECT id, title, authors_truncated, org, category, date, year, has_code, score, abstract, code_urls,"
        " needs_review, review, sources_count, created_at, updated_at, merged_into, citekey FROM papers WHERE id = ?",
        (paper_id,),
    ).fetchone()
    if row is None:
        return None
    keys = ("id", "title", "authors_truncated", "org", "category", "date", "year", "has_code", "score", "abstract",
            "code_urls", "needs_review", "review", "sources_count", "created_at", "updated_at", "merged_into", "citekey")
    detail = dict(zip(keys, row))
    detail["has_code"] = bool(detail["has_code"])
    detail["authors_truncated"] = bool(detail["authors_truncated"])
    detail["needs_review"] = bool(detail["needs_review"])
    detail["review"] = json.loads(detail["review"]) if detail["review"] else None
    detail["code_urls"] = json.loads(detail["code_urls"]) if detail["code_urls"] else []
    detail["authors"] = authors_of(library, paper_id)
    detail["tags"] = [r[0] for r in library.conn.execute(
        "SELECT t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.paper_id = ?"
        " ORDER BY t.name COLLATE NOCASE", (paper_id,))]
    detail["provenance"] = [
        {"source_id": r[0], "file": r[1], "line": r[2], "raw": r[3], "captured": r[4]}
        for r in library.conn.execute(
            "SELECT s.id, s.file_name, pv.line, pv.raw, s.captured FROM provenance pv JOIN sources s"
            " ON s.id = pv.source_id WHERE pv.paper_id = ? OR pv.paper_id IN"
            " (SELECT id FROM papers WHERE merged_into = ?) ORDER BY pv.id", (paper_id, paper_id))
    ]
    for source in detail["provenance"]:
        if source["line"] is None:  # entered by hand: who and when are in the event that added it
            row = library.conn.execute("SELECT at, details FROM events WHERE kind = 'add' AND paper_id = ?"
                                       " ORDER BY id DESC LIMIT 1", (paper_id,)).fetchone()
            if row:
                source["entered_at"], source["entered_by"] = row[0], json.loads(row[1] or "{}").get("who")
    return detail


def authors_of(library: Library, paper_id: int) -> list[str]:
    return [r[0] for r in library.conn.execute(
        "SELECT a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id WHERE pa.paper_id = ?"
        " ORDER BY pa.position", (paper_id,))]


def _current(library: Library, paper_id: int, field: str):
    if field == "authors":
        return authors_of(library, paper_id)
    value = library.conn.execute(f"SELECT {field} FROM papers WHERE id = ?", (paper_id,)).fetchone()
    if value is None:
        raise LibraryError(f"record {paper_id} is no longer in the library")
    return bool(value[0]) if field in ("has_code", "authors_truncated") else value[0]


def _write_authors(conn, paper_id: int, names: list[str]) -> None:
    conn.execute("DELETE FROM paper_authors WHERE paper_id = ?", (paper_id,))
    conn.executemany("INSERT OR IGNORE INTO authors(name) VALUES (?)", [(n,) for n in names])
    conn.executemany(
        "INSERT INTO paper_authors(paper_id, author_id, position) SELECT ?, id, ? FROM authors WHERE name = ?",
        [(paper_id, pos, n) for pos, n in enumerate(names, start=1)],
    )
    conn.execute("UPDATE papers SET authors = ?, first_author = ? WHERE id = ?",
                 (", ".join(names), names[0] if names else None, paper_id))


def update_fields(library: Library, paper_id: int, changes: dict, kind: str = "edit") -> dict:
    """Set fields of one record; returns the previous values (pass them back to undo). Raises ValidationError."""
    clean = {field: validate(field, value) for field, value in changes.items()}
    with library.transaction() as conn:
        old = {field: _current(library, paper_id, field) for field in clean}
        clean = {f: v for f, v in clean.items() if v != old[f]}
        if not clean:
            return {}
        for field, value in clean.items():
            if field == "authors":
                _write_authors(conn, paper_id, value)
            elif field == "date":
                conn.execute("UPDATE papers SET date = ?, year = ? WHERE id = ?",
                             (value, int(value[:4]) if value else None, paper_id))
            else:
                conn.execute(f"UPDATE papers SET {field} = ? WHERE id = ?",
                             (int(value) if isinstance(value, bool) else value, paper_id))
        conn.execute("UPDATE papers SET updated_at = ? WHERE id = ?", (now(), paper_id))
        library.log(kind, {"changes": {f: [old[f], clean[f]] for f in clean}}, paper_id=paper_id)
    return {f: old[f] for f in clean}


def resolve_review(library: Library, paper_id: int, title: str, authors: list[str]) -> dict:
    """The librarian's reading of an uncertain record: set title and authors, clear the flag.

    Returns the previous state for ``reopen_review``."""
    title, authors = validate("title", title), validate("authors", authors)
    with library.transaction() as conn:
        row = conn.execute("SELECT title, needs_review, review FROM papers WHERE id = ?", (paper_id,)).fetchone()
        if row is None:
            raise LibraryError(f"record {paper_id} is no longer in the library")
        before = {"title": row[0], "authors": authors_of(library, paper_id), "needs_review": bool(row[1]),
                  "review": row[2]}
        _write_authors(conn, paper_id, authors)
        conn.execute("UPDATE papers SET title = ?, needs_review = 0, updated_at = ? WHERE id = ?",
                     (title, now(), paper_id))
        library.log("review", {"chosen": {"title": title, "authors": authors},
                               "before": {"title": before["title"], "authors": before["authors"]}}, paper_id=paper_id)
    return before


def reopen_review(library: Library, paper_id: int, before: dict) -> None:
    with library.transaction() as conn:
        _write_authors(conn, paper_id, before["authors"])
        conn.execute("UPDATE papers SET title = ?, needs_review = ?, review = ?, updated_at = ? WHERE id = ?",
                     (before["title"], int(before["needs_review"]), before["review"], now(), paper_id))
        library.log("review-undone", {"restored": {"title": before["title"], "authors": before["authors"]}},
                    paper_id=paper_id)


def review_queue(library: Library, limit: int = 500) -> list[int]:
    return [r[0] for r in library.conn.execute(
        f"SELECT id FROM papers WHERE needs_review = 1 AND {VISIBLE} ORDER BY id LIMIT ?", (limit,))]


# --- tags ------------------------------------------------------------------------------------------------

_TAG_NAME_RE = re.compile(r"^[^\s,][^,]{0,62}$")


def _tag_name(name: str) -> str:
    name = " ".join(str(name or "").split())
    if not _TAG_NAME_RE.match(name):
        raise ValidationError("A tag name needs 1 to 63 characters and no comma.")
    return name


# The records a tag's count leaves out, each set read off its own small partial index.
_HIDDEN_IDS = ("SELECT id FROM papers WHERE merged_into IS NOT NULL"
               " UNION SELECT id FROM papers WHERE trashed_at IS NOT NULL")


def tags(library: Library) -> list[dict]:
    """Every tag with its live count of visible records: its records less its hidden ones (merged away or in
    the Trash), both counted on indexes. Checking each tagged record's row instead reads the papers table at
    random, a page per record: 6 s from a cold disk cache for a tag on 50,000 records of a million."""
    return [
        {"id": r[0], "name": r[1], "color": r[2], "count": r[3]}
        for r in library.conn.execute(
            "SELECT t.id, t.name, t.color, (SELECT COUNT(*) FROM paper_tags pt WHERE pt.tag_id = t.id)"
            " - (SELECT COUNT(*) FROM paper_tags pt WHERE pt.tag_id = t.id"
            f" AND pt.paper_id IN ({_HIDDEN_IDS})) FROM tags t ORDER BY t.name COLLATE NOCASE")
    ]


def tag_by_name(library: Library, name: str) -> dict | None:
    row = library.conn.execute("SELECT id, name, color FROM tags WHERE name = ? COLLATE NOCASE", (name,)).fetchone()
    return {"id": row[0], "name": row[1], "color": row[2]} if row else None


def create_tag(library: Library, name: str, color: str | None = None, tag_id: int | None = None) -> int:
    name = _tag_name(name)
    if tag_by_name(library, name):
        raise ValidationError(f"There is already a tag called '{name}'.")
    with library.transaction() as conn:
        if color is None:
            used = conn.execute("SELECT COUNT(*) FROM tags").fetchone()[0]
            color = TAG_COLORS[used % len(TAG_COLORS)]
        new_id = conn.execute("INSERT INTO tags(id, name, color, created_at) VALUES (?, ?, ?, ?)",
                              (tag_id, name, color, now())).lastrowid
        library.log("tag-create", {"tag_id": new_id, "name": name, "color": color})
    return new_id


def rename_tag(library: Library, tag_id: int, name: str) -> str:
    name = _tag_name(name)
    other = tag_by_name(library, name)
    if other and other["id"] != tag_id:
        raise ValidationError(f"There is already a tag called '{name}'; merge the two instead.")
    with library.transaction() as conn:
        old = conn.execute("SELECT name FROM tags WHERE id = ?", (tag_id,)).fetchone()[0]
        conn.execute("UPDATE tags SET name = ? WHERE id = ?", (name, tag_id))
        library.log("tag-rename", {"tag_id": tag_id, "from": old, "to": name})
    return old


def recolor_tag(library: Library, tag_id: int, color: str) -> str:
    if not re.fullmatch(r"#[0-9a-fA-F]{6}", color or ""):
        raise ValidationError(f"'{color}' is not a colour like #4e79a7.")
    with library.transaction() as conn:
        old = conn.execute("SELECT color FROM tags WHERE id = ?", (tag_id,)).fetchone()[0]
        conn.execute("UPDATE tags SET color = ? WHERE id = ?", (color, tag_id))
        library.log("tag-recolor", {"tag_id": tag_id, "from": old, "to": color})
    return old


def add_tag(library: Library, paper_ids: list[int], tag_id: int) -> list[int]:
    """Tag records; returns the ids that did not have the tag yet (what undo must untag)."""
    with library.transaction() as conn:
        have = _tagged(conn, paper_ids, tag_id)
        added = [pid for pid in dict.fromkeys(paper_ids) if pid not in have]
        conn.executemany("INSERT INTO paper_tags(paper_id, tag_id) VALUES (?, ?)", [(p, tag_id) for p in added])
        if added:
            library.log("tag-add", {"tag_id": tag_id, "papers": added})
    return added


def remove_tag(library: Library, paper_ids: list[int], tag_id: int) -> list[int]:
    """Untag records; returns the ids that had the tag (what undo must tag again)."""
    with library.transaction() as conn:
        have = _tagged(conn, paper_ids, tag_id)
        removed = [pid for pid in dict.fromkeys(paper_ids) if pid in have]
        conn.executemany("DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?", [(p, tag_id) for p in removed])
        if removed:
            library.log("tag-remove", {"tag_id": tag_id, "papers": removed})
    return removed


def _tagged(conn, paper_ids: list[int], tag_id: int) -> set[int]:
    found: set[int] = set()
    ids = list(paper_ids)
    for i in range(0, len(ids), 900):
        chunk = ids[i : i + 900]
        marks = ",".join("?" * len(chunk))
        found.update(r[0] for r in conn.execute(
            f"SELECT paper_id FROM paper_tags WHERE tag_id = ? AND paper_id IN ({marks})", [tag_id, *chunk]))
    return found


def delete_tag(library: Library, tag_id: int) -> dict:
    """Delete a tag from every record; returns the tag and its records for ``restore_tag``."""
    with library.transaction() as conn:
        row = conn.execute("SELECT id, name, color, created_at FROM tags WHERE id = ?", (tag_id,)).fetchone()
        if row is None:
            raise LibraryError("that tag no longer exists")
        papers = [r[0] for r in conn.execute("SELECT paper_id FROM paper_tags WHERE tag_id = ?", (tag_id,))]
        conn.execute("DELETE FROM paper_tags WHERE tag_id = ?", (tag_id,))
        conn.execute("DELETE FROM tags WHERE id = ?", (tag_id,))
        library.log("tag-delete", {"tag_id": tag_id, "name": row[1], "papers": len(papers), "paper_ids": papers})
    return {"id": row[0], "name": row[1], "color": row[2], "created_at": row[3], "papers": papers}


def restore_tag(library: Library, saved: dict) -> None:
    with library.transaction() as conn:
        conn.execute("INSERT INTO tags(id, name, color, created_at) VALUES (?, ?, ?, ?)",
                     (saved["id"], saved["name"], saved["color"], saved["created_at"]))
        conn.executemany("INSERT OR IGNORE INTO paper_tags(paper_id, tag_id) VALUES (?, ?)",
                         [(p, saved["id"]) for p in saved["papers"]])
        library.log("tag-restore", {"tag_id": saved["id"], "name": saved["name"], "papers": len(saved["papers"]),
                                    "paper_ids": saved["papers"]})


def merge_tags(library: Library, source_id: int, target_id: int) -> dict:
    """Fold one tag into another; returns what ``unmerge_tags`` needs."""
    if source_id == target_id:
        raise ValidationError("A tag cannot be merged into itself.")
    with library.transaction() as conn:
        row = conn.execute("SELECT id, name, color, created_at FROM tags WHERE id = ?", (source_id,)).fetchone()
        papers = [r[0] for r in conn.execute("SELECT paper_id FROM paper_tags WHERE tag_id = ?", (source_id,))]
        already = _tagged(conn, papers, target_id)
        moved = [p for p in papers if p not in already]
        conn.executemany("INSERT INTO paper_tags(paper_id, tag_id) VALUES (?, ?)", [(p, target_id) for p in moved])
        conn.execute("DELETE FROM paper_tags WHERE tag_id = ?", (source_id,))
        conn.execute("DELETE FROM tags WHERE id = ?", (source_id,))
        library.log("tag-merge", {"from": source_id, "from_name": row[1], "into": target_id, "papers": len(papers),
                                  "paper_ids": papers})
    return {"source": {"id": row[0], "name": row[1], "color": row[2], "created_at": row[3], "papers": papers},
            "target_id": target_id, "added_to_target": moved}


def unmerge_tags(library: Library, saved: dict) -> None:
    with library.transaction() as conn:
        conn.executemany("DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?",
                         [(p, saved["target_id"]) for p in saved["added_to_target"]])
        library.log("tag-unmerge", {"from": saved["source"]["id"], "into": saved["target_id"],
                                    "paper_ids": saved["added_to_target"]})
        restore_tag(library, saved["source"])


def sources_overview(library: Library, counts: dict[int, int] | None = None) -> list[dict]:
    """Each dump with the number of records it shows now (merged records count once, under the record they
    were merged into) and, for profile pages, the author. Pass ``counts`` to reuse counts already read."""
    from .query import source_counts

    counts = source_counts(library.conn) if counts is None else counts
    out = []
    for r in library.conn.execute("SELECT id, file_name, record_count, profile, layout, captured, path FROM sources"
                                  " WHERE removed_at IS NULL ORDER BY file_name, id"):
        if r[4] == "hand" and counts and not counts.get(r[0]):
            continue  # "Entered by hand" is no file: with its records undone or trashed there is nothing to list
        profile = json.loads(r[3]) if r[3] else None
        out.append({"id": r[0], "file": r[1], "records": counts.get(r[0], 0), "in_file": r[2],
                    "author": profile["name"] if profile else None, "layout": r[4], "captured": r[5],
                    "path": r[6] or ""})
    by_name: dict[str, list[dict]] = {}
    for source in out:
        by_name.setdefault(source["file"], []).append(source)
    for same in by_name.values():  # files of one name from different folders: told apart by their folders
        for source, folder in zip(same, distinguishing_folders([s["path"] for s in same])):
            source["folder"] = folder
    return out


def distinguishing_folders(paths: list[str]) -> list[str]:
    """For files of the same name: the shortest tail of each one's folder that tells it from the others
    ('a/x.txt', 'b/x.txt' -> 'a', 'b'; 'p/a/x', 'q/a/x' -> 'p/a', 'q/a'); '' for a lone file or when the
    paths are the same."""
    if len(paths) < 2:
        return [""] * len(paths)
    folders = [PurePath(p).parent.parts for p in paths]
    deepest = max(len(f) for f in folders)
    for depth in range(1, deepest + 1):
        tails = ["/".join(f[-depth:]) for f in folders]
        if len(set(tails)) == len(tails):
            return tails
    return ["/".join(f) for f in folders]  # some paths are the same: the whole folder, nothing better to say


def saved_searches(library: Library) -> list[dict]:
    row = library.conn.execute("SELECT value FROM settings WHERE key = 'saved_searches'").fetchone()
    return json.loads(row[0]) if row else []


def save_search(library: Library, name: str, query: str) -> None:
    searches = [s for s in saved_searches(library) if s["name"] != name] + [{"name": name, "query": query}]
    with library.transaction() as conn:
        conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('saved_searches', ?)",
                     (json.dumps(searches, ensure_ascii=False),))
        library.log("search-save", {"name": name, "query": query})


def delete_saved_search(library: Library, name: str) -> None:
    searches = [s for s in saved_searches(library) if s["name"] != name]
    with library.transaction() as conn:
        conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('saved_searches', ?)",
                     (json.dumps(searches, ensure_ascii=False),))
        library.log("search-delete", {"name": name})


def briefs(library: Library, paper_ids: list[int]) -> dict[int, dict]:
    """Title, shown authors and year of a few records, for lists that name them."""
    ids = list(dict.fromkeys(paper_ids))
    out: dict[int, dict] = {}
    for i in range(0, len(ids), 900):  # within SQLite's limit on bound variables
        chunk = ids[i : i + 900]
        marks = ",".join("?" * len(chunk))
        out.update({r[0]: {"title": r[1], "authors": r[2], "year": r[3]} for r in library.conn.execute(
            f"SELECT id, title, authors, year FROM papers WHERE id IN ({marks})", chunk)})
    return out


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # not calendar.month_name: Qt sets the user's locale, the sentence is English


def _not_a_date(text: str) -> str:
    """Why ``text`` is not a date: a day or month that does not exist in the right form says so (2024-02-30:
    'February 2024 has no day 30'); anything else is asked for as YYYY-MM-DD."""
    import calendar
    import re

    shape = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    if shape:
        year, month, day = map(int, shape.groups())
        if not 1 <= month <= 12:
            return f"'{text}' is not a date: there is no month {month} (write it as YYYY-MM-DD)."
        if year >= 1:
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                return (f"'{text}' is not a date: {MONTHS[month - 1]} {year} has no day {day}"
                        f" (its last day is {last}).")
    return f"'{text}' is not a date: write it as YYYY-MM-DD, for example 2024-05-28."
