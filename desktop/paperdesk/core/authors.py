"""Per-author figures, computed in SQL: papers, years, categories, code share, co-authors, position.

A profile page (layout A) lists the papers of its author even where the site shows only three other names, so
those papers count for that author too, marked as coming from the profile page ("beyond the shown names").
Merged-away records count through their survivor.
"""

from __future__ import annotations

import json

from .library import Library
from .schema import visible

TOP_COAUTHORS = 10


def profile_sources(library: Library, name: str) -> list[dict]:
    """The dumps about ``name``: profile pages (newest capture first), then listings a librarian confirmed as
    being about this author (those carry no profile figures)."""
    out = []
    for sid, file_name, captured, profile in library.conn.execute(
            "SELECT id, file_name, captured, profile FROM sources WHERE profile IS NOT NULL ORDER BY captured DESC, id"):
        data = json.loads(profile)
        if data.get("name", "").casefold() == name.casefold():
            out.append({"source_id": sid, "file": file_name, "captured": captured, **data})
    for key, value in library.conn.execute("SELECT key, value FROM settings WHERE key LIKE 'subject:%'"):
        decision = json.loads(value)
        if decision.get("confirmed") and decision["name"].casefold() == name.casefold():
            sid = int(key.split(":", 1)[1])
            row = library.conn.execute("SELECT file_name, captured FROM sources WHERE id = ?", (sid,)).fetchone()
            if row:
                out.append({"source_id": sid, "file": row[0], "captured": row[1], "name": decision["name"],
                            "confirmed_listing": True})
    return out


def _author_id(library: Library, name: str) -> int | None:
    row = library.conn.execute("SELECT id FROM authors WHERE name = ?", (name,)).fetchone()
    return row[0] if row else None


def _mine_sql(author_id: int | None, profile_ids: list[int]) -> tuple[str, list]:
    """A CTE ``mine(pid, position, from_profile)``: the visible papers of the author, and where they stand."""
    marks = ",".join("?" * len(profile_ids)) or "NULL"
    sql = f"""
    WITH shown AS (
        SELECT COALESCE(p.merged_into, p.id) AS pid, MIN(pa.position) AS position
        FROM paper_authors pa JOIN papers p ON p.id = pa.paper_id WHERE pa.author_id = ? GROUP BY 1),
    prof AS (
        SELECT DISTINCT COALESCE(p.merged_into, p.id) AS pid
        FROM provenance pv JOIN papers p ON p.id = pv.paper_id WHERE pv.source_id IN ({marks})),
    mine AS (
        SELECT pid, position, 0 AS from_profile FROM shown
        UNION ALL
        SELECT pid, NULL, 1 FROM prof WHERE pid NOT IN (SELECT pid FROM shown))
    """
    return sql, [author_id if author_id is not None else -1, *profile_ids]


def figures(library: Library, name: str) -> dict:
    """Everything the author page draws, as plain data (also what ``paperdesk author NAME --json`` prints)."""
    profiles = profile_sources(library, name)
    author_id = _author_id(library, name)
    cte, params = _mine_sql(author_id, [p["source_id"] for p in profiles])
    conn = library.conn

    def q(select: str) -> list[tuple]:
        return conn.execute(cte + select, params).fetchall()

    base = " FROM mine JOIN papers p ON p.id = mine.pid WHERE " + visible("p")
    total, first, from_profile, year_min, year_max = q(
        "SELECT COUNT(*), SUM(mine.position = 1), SUM(mine.from_profile), MIN(p.year), MAX(p.year)" + base)[0]
    per_year: dict[str, dict[str, int]] = {}
    for year, category, n, profile_n in q(
            "SELECT p.year, p.category, COUNT(*), SUM(mine.from_profile)" + base +
            " GROUP BY p.year, p.category ORDER BY p.year, p.category"):
        per_year.setdefault(str(year), {})[category] = n
    profile_per_year = {str(y): n for y, n in q(
        "SELECT p.year, COUNT(*)" + base + " AND mine.from_profile = 1 GROUP BY p.year ORDER BY p.year")}
    categories = {c: n for c, n in q("SELECT p.category, COUNT(*)" + base + " GROUP BY p.category ORDER BY 2 DESC, 1")}
    code_share = {str(y): round(share, 4) for y, share in q(
        "SELECT p.year, AVG(p.has_code)" + base + " GROUP BY p.year ORDER BY p.year")}
    positions = {"first": 0, "second": 0, "third": 0, "beyond": 0}
    for position, n in q("SELECT mine.position, COUNT(*)" + base + " GROUP BY mine.position"):
        key = {1: "first", 2: "second", 3: "third"}.get(position, "beyond")
        positions[key] += n
    coauthors = [{"name": n, "papers": c} for n, c in q(
        "SELECT a.name, COUNT(DISTINCT mine.pid) FROM mine JOIN visible_papers p ON p.id = mine.pid"
        " JOIN paper_authors pa ON pa.paper_id = mine.pid JOIN authors a ON a.id = pa.author_id"
        f" WHERE {visible('p')} AND pa.author_id != {author_id if author_id is not None else -1}"
        f" GROUP BY a.name ORDER BY 2 DESC, 1 LIMIT {TOP_COAUTHORS}")]
    profile = None
    profiles = [p for p in profiles if not p.get("confirmed_listing")]  # figures come from profile pages only
    if profiles:
        p = profiles[0]
        profile = {"h_index": p.get("h_index"), "citations": p.get("citations"), "paper_count": p.get("paper_count"),
                   "novelty": p.get("novelty"), "ai_score": p.get("ai_score"),
                   "main_category": p.get("main_category"), "source": p["file"], "captured": p["captured"]}
    return {
        "name": name,
        "papers": total or 0,
        "first_author_papers": first or 0,
        "from_profile_papers": from_profile or 0,
        "years": [year_min, year_max] if total else [],
        "profile": profile,
        "per_year": per_year,
        "profile_per_year": profile_per_year,
        "categories": categories,
        "code_share_per_year": code_share,
        "coauthors": coauthors,
        "positions": positions,
    }


def paper_ids(library: Library, name: str, year: int | None = None, category: str | None = None,
              position: str | None = None) -> list[int]:
    """The papers behind one bar of a chart (what a click on it shows in the records table)."""
    profiles = profile_sources(library, name)
    cte, params = _mine_sql(_author_id(library, name), [p["source_id"] for p in profiles])
    where, extra = [visible("p")], []
    if year is not None:
        where.append("p.year = ?")
        extra.append(year)
    if category is not None:
        where.append("p.category = ?")
        extra.append(category)
    if position is not None:
        where.append({"first": "mine.position = 1", "second": "mine.position = 2", "third": "mine.position = 3",
                      "beyond": "mine.position IS NULL"}[position])
    sql = cte + f"SELECT p.id FROM mine JOIN visible_papers p ON p.id = mine.pid WHERE {' AND '.join(where)} ORDER BY p.id"
    return [r[0] for r in library.conn.execute(sql, params + extra)]


def code_paper_ids(library: Library, paper_ids: list[int]) -> list[int]:
    """Those of ``paper_ids`` that have code."""
    ids = list(paper_ids)
    marks = ",".join("?" * len(ids))
    return [r[0] for r in library.conn.execute(
        f"SELECT id FROM papers WHERE has_code = 1 AND id IN ({marks})", ids)] if ids else []


# --- the Authors view --------------------------------------------------------------------------------------
# Per-author aggregates over a million records take seconds, so they live in a table of their own, rebuilt in
# one pass when the library has changed since (the events table says when), and then sorted and searched
# from indexes like the records table.

AUTHOR_SORTS = {"name": "name COLLATE NOCASE", "papers": "papers DESC", "first_author": "first_author DESC",
                "years": "year_min", "coauthors": "coauthors DESC"}


def stats_are_current(library: Library) -> bool:
    last = library.conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
    row = library.conn.execute("SELECT value FROM settings WHERE key = 'author_stats_event'").fetchone()
    return row is not None and int(row[0]) == last


def refresh_stats(library: Library) -> int:
    """Rebuild the per-author aggregates in one transaction (a few seconds at a million records)."""
    with library.transaction() as conn:
        conn.execute("DELETE FROM author_stats")
        conn.execute(
            "INSERT INTO author_stats(author_id, name, papers, first_author, year_min, year_max)"
            " SELECT a.id, a.name, COUNT(DISTINCT COALESCE(p.merged_into, p.id)), SUM(pa.position = 1),"
            " MIN(p.year), MAX(p.year) FROM paper_authors pa JOIN authors a ON a.id = pa.author_id"
            " JOIN papers p ON p.id = pa.paper_id GROUP BY a.id")
        conn.execute(
            "UPDATE author_stats SET coauthors = (SELECT COUNT(DISTINCT other.author_id) FROM paper_authors mine"
            " JOIN paper_authors other ON other.paper_id = mine.paper_id AND other.author_id != mine.author_id"
            " WHERE mine.author_id = author_stats.author_id)")
        conn.execute(
            "UPDATE author_stats SET categories = (SELECT group_concat(category, ', ') FROM (SELECT p.category,"
            " COUNT(*) AS n FROM paper_authors pa JOIN papers p ON p.id = pa.paper_id"
            " WHERE pa.author_id = author_stats.author_id GROUP BY p.category ORDER BY n DESC LIMIT 3))")
        # A profile page's papers count for its author, as on the author page.
        for name in {json.loads(p)["name"] for (p,) in conn.execute(
                "SELECT profile FROM sources WHERE profile IS NOT NULL")}:
            data = figures(library, name)
            conn.execute("INSERT OR IGNORE INTO authors(name) VALUES (?)", (name,))
            author_id = conn.execute("SELECT id FROM authors WHERE name = ?", (name,)).fetchone()[0]
            conn.execute(
                "INSERT OR REPLACE INTO author_stats(author_id, name, papers, first_author, year_min, year_max,"
                " coauthors, categories) VALUES (?, ?, ?, ?, ?, ?, COALESCE((SELECT coauthors FROM author_stats"
                " WHERE author_id = ?), 0), ?)",
                (author_id, name, data["papers"], data["first_author_papers"], *(data["years"] or [None, None]),
                 author_id, ", ".join(list(data["categories"])[:3])))
        last = conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
        conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('author_stats_event', ?)", (str(last),))
        count = conn.execute("SELECT COUNT(*) FROM author_stats").fetchone()[0]
    return count


def authors_page(library: Library, search: str = "", sort: str = "papers", limit: int = 200,
                 offset: int = 0) -> tuple[int, list[dict]]:
    """(matching authors, one page of them) from the aggregates; call refresh_stats first when not current."""
    where, params = "", []
    if search.strip():
        where = " WHERE name LIKE ? ESCAPE '\\'"
        params.append("%" + search.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    total = library.conn.execute(f"SELECT COUNT(*) FROM author_stats{where}", params).fetchone()[0]
    rows = library.conn.execute(
        f"SELECT name, papers, first_author, year_min, year_max, coauthors, categories FROM author_stats{where}"
        f" ORDER BY {AUTHOR_SORTS.get(sort, AUTHOR_SORTS['papers'])}, author_id LIMIT ? OFFSET ?",
        params + [limit, offset]).fetchall()
    keys = ("name", "papers", "first_author", "year_min", "year_max", "coauthors", "categories")
    return total, [dict(zip(keys, r)) for r in rows]


# --- name variants -----------------------------------------------------------------------------------------


def name_variants(library: Library, name: str) -> list[dict]:
    """Other names that are likely the same person: same family name and a compatible given name or initials
    (``Kevin K. Yang`` / ``Kevin Yang`` / ``K. Yang``), minus pairs marked as different people."""
    from .duplicates import name_key, normalize_title

    me = library.conn.execute("SELECT id FROM authors WHERE name = ?", (name,)).fetchone()
    if me is None:
        return []
    initial, family = name_key(name)
    given = normalize_title(name).split()[:-1]
    distinct = {b if a == me[0] else a for a, b in library.conn.execute(
        "SELECT a, b FROM author_distinct WHERE a = ? OR b = ?", (me[0], me[0]))}
    out = []
    for other_id, other in library.conn.execute(
            "SELECT id, name FROM authors WHERE id != ? AND name LIKE ?", (me[0], f"%{family[1:]}")):
        o_initial, o_family = name_key(other)
        if o_family != family or other_id in distinct or (initial and o_initial and initial != o_initial):
            continue
        o_given = normalize_title(other).split()[:-1]
        full_a = [g for g in given if len(g) > 1]
        full_b = [g for g in o_given if len(g) > 1]
        if full_a and full_b and full_a[0] != full_b[0]:
            continue  # Kevin Yang and Karen Yang: same initial, different people
        papers = library.conn.execute("SELECT COUNT(*) FROM paper_authors WHERE author_id = ?", (other_id,)).fetchone()[0]
        out.append({"id": other_id, "name": other, "papers": papers})
    return sorted(out, key=lambda v: (-v["papers"], v["name"]))


def merge_names(library: Library, keep: str, others: list[str]) -> int:
    """Make ``others`` the same author as ``keep``: their papers list ``keep`` instead. Returns the merge id."""
    from .curation import _write_authors, authors_of

    with library.transaction() as conn:
        keep_id = conn.execute("SELECT id FROM authors WHERE name = ?", (keep,)).fetchone()[0]
        moved = []
        for other in others:
            row = conn.execute("SELECT id FROM authors WHERE name = ?", (other,)).fetchone()
            if row is None:
                continue
            for (paper_id,) in conn.execute("SELECT paper_id FROM paper_authors WHERE author_id = ?", (row[0],)).fetchall():
                before = authors_of(library, paper_id)
                _write_authors(conn, paper_id, [keep if n == other else n for n in before])
                moved.append({"paper_id": paper_id, "authors": before})
        merge_id = conn.execute("INSERT INTO author_merges(keep, merged, moved, at) VALUES (?, ?, ?, datetime('now'))",
                                (keep_id, json.dumps(others), json.dumps(moved, ensure_ascii=False))).lastrowid
        library.log("author-merge", {"merge_id": merge_id, "keep": keep, "merged": others, "papers": len(moved)})
    return merge_id


def unmerge_names(library: Library, merge_id: int) -> None:
    from .curation import _write_authors

    with library.transaction() as conn:
        row = conn.execute("SELECT moved, undone_at FROM author_merges WHERE id = ?", (merge_id,)).fetchone()
        if row is None or row[1]:
            raise ValueError("that name merge does not exist or was already undone")
        for item in json.loads(row[0]):
            _write_authors(conn, item["paper_id"], item["authors"])
        conn.execute("UPDATE author_merges SET undone_at = datetime('now') WHERE id = ?", (merge_id,))
        library.log("author-merge-undone", {"merge_id": merge_id})


def mark_different_people(library: Library, name: str, other: str) -> None:
    with library.transaction() as conn:
        a = conn.execute("SELECT id FROM authors WHERE name = ?", (name,)).fetchone()[0]
        b = conn.execute("SELECT id FROM authors WHERE name = ?", (other,)).fetchone()[0]
        conn.execute("INSERT OR IGNORE INTO author_distinct(a, b, at) VALUES (?, ?, datetime('now'))",
                     (min(a, b), max(a, b)))
        library.log("author-distinct", {"names": [name, other]})


def forget_different_people(library: Library, name: str, other: str) -> None:
    with library.transaction() as conn:
        a = conn.execute("SELECT id FROM authors WHERE name = ?", (name,)).fetchone()[0]
        b = conn.execute("SELECT id FROM authors WHERE name = ?", (other,)).fetchone()[0]
        conn.execute("DELETE FROM author_distinct WHERE a = ? AND b = ?", (min(a, b), max(a, b)))
        library.log("author-distinct-undone", {"names": [name, other]})


# --- the subject of a listing without a header -------------------------------------------------------------


def propose_subject(library: Library, source_id: int) -> dict | None:
    """The name on most of a header-less listing's records, as the author it is likely about."""
    row = library.conn.execute(
        "SELECT a.name, COUNT(DISTINCT pv.paper_id) AS n FROM provenance pv JOIN paper_authors pa"
        " ON pa.paper_id = pv.paper_id JOIN authors a ON a.id = pa.author_id WHERE pv.source_id = ?"
        " GROUP BY a.id ORDER BY n DESC, a.name LIMIT 1", (source_id,)).fetchone()
    total = library.conn.execute("SELECT COUNT(*) FROM provenance WHERE source_id = ?", (source_id,)).fetchone()[0]
    if row is None or row[1] < 2:
        return None
    return {"name": row[0], "records": row[1], "of": total}


def subject_decision(library: Library, source_id: int) -> dict | None:
    row = library.conn.execute("SELECT value FROM settings WHERE key = ?", (f"subject:{source_id}",)).fetchone()
    return json.loads(row[0]) if row else None


def decide_subject(library: Library, source_id: int, name: str, confirmed: bool) -> dict | None:
    """Confirm (or reject) that a listing is about ``name``; confirmed, its records count as that author's
    papers like a profile page's. Returns the previous decision, for undo."""
    previous = subject_decision(library, source_id)
    with library.transaction() as conn:
        conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)",
                     (f"subject:{source_id}", json.dumps({"name": name, "confirmed": confirmed})))
        library.log("subject-confirmed" if confirmed else "subject-rejected", {"name": name}, source_id=source_id)
    return previous


def restore_subject(library: Library, source_id: int, previous: dict | None) -> None:
    with library.transaction() as conn:
        if previous is None:
            conn.execute("DELETE FROM settings WHERE key = ?", (f"subject:{source_id}",))
        else:
            conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)",
                         (f"subject:{source_id}", json.dumps(previous)))
        library.log("subject-undone", {"restored": previous}, source_id=source_id)
