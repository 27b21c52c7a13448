"""Per-author figures, computed in SQL: papers, years, categories, code share, co-authors, position.

A profile page (layout A) lists the papers of its author even where the site shows only three other names, so
those papers count for that author too, marked as coming from the profile page ("beyond the shown names").
Merged-away records count through their survivor.
"""

from __future__ import annotations

import itertools
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
# Per-author aggregates live in ``author_stats`` (with ``author_categories`` and ``author_pairs`` behind them),
# sorted and searched from indexes like the records table. They follow the library incrementally: every change
# lands in the events table, and ``catch_up`` reads the events since the aggregates were last current and
# recounts only the authors those changes touched (an import adds its new papers' counts instead). The full
# rebuild (``refresh_stats``) stays for migrations and repairs, and for catching up on very many changes.
#
# What an author's row counts, the same whichever way it is computed (and the same as the author page):
# - papers: the distinct visible papers (merged-away records count through their survivor) on which the name
#   is shown, plus, for a profile page's author, the papers of the page;
# - first_author: those on which the name is shown first (on the survivor or any record merged into it);
# - years: of those papers; categories: the three most frequent among them, ties broken by name (A before B);
# - coauthors: the distinct other names shown with this one on any record (merged-away records too), kept as
#   the set of pairs in ``author_pairs``.

AUTHOR_SORTS = {"name": "surname COLLATE NOCASE, name COLLATE NOCASE",  # by surname (schema migration 9)
                "papers": "papers DESC", "first_author": "first_author DESC",
                "years": "year_min", "coauthors": "coauthors DESC"}

# Changes that never move an author's figures: the aggregates stay current across them.
_NEUTRAL_PREFIXES = ("tag-", "search-", "not-duplicates", "author-distinct", "citekey")
_FIELDS_THAT_COUNT = {"authors", "date", "category"}
CATCH_UP_MAX_EVENTS = 5000  # beyond this many changes, or this many new papers, a full rebuild is quicker
CATCH_UP_MAX_NEW_PAPERS = 50_000
# The full rebuild's memory, whatever the library's size: SQLite's page cache for the library (which also bounds
# each sort) and for the scratch tables, which spill to a temporary file beyond it; the top categories are
# written a batch of authors at a time. A window rebuilding in the background stays within its budget.
REBUILD_CACHE_MB = 16
REBUILD_TEMP_CACHE_MB = 32
TOP_CATEGORIES_BATCH = 10_000
# What the latest catch-up in this process did (benchmarks print it): authors updated by a merge's difference
# alone ("followed") and authors recounted from their records.
LAST_CATCH_UP: dict[str, int] = {}


def _stats_event(conn) -> int | None:
    row = conn.execute("SELECT value FROM settings WHERE key = 'author_stats_event'").fetchone()
    return int(row[0]) if row else None


def _pending_events(conn, since: int) -> list[tuple]:
    return conn.execute("SELECT id, kind, paper_id, source_id, details FROM events WHERE id > ? ORDER BY id",
                        (since,)).fetchall()


def _neutral(kind: str, details: dict) -> bool:
    if kind.startswith(_NEUTRAL_PREFIXES):
        return True
    if "changes" in details:
        return not (_FIELDS_THAT_COUNT & set(details["changes"]))
    return False


def stats_are_current(library: Library) -> bool:
    """True when the aggregates reflect every change that could move them."""
    conn = library.conn
    since = _stats_event(conn)
    if since is None:
        return False
    last = conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
    if last == since:
        return True
    if last - since > CATCH_UP_MAX_EVENTS:
        return False
    return all(_neutral(kind, json.loads(details or "{}")) for _, kind, _, _, details in _pending_events(conn, since))


def _profile_names(conn) -> dict[str, list[int]]:
    """Each profile page's (and each confirmed listing's) author name -> the sources about that name, matched
    without regard to case as on the author page."""
    by_fold: dict[str, list[int]] = {}
    names: dict[str, str] = {}
    for sid, profile in conn.execute("SELECT id, profile FROM sources WHERE profile IS NOT NULL ORDER BY id"):
        name = json.loads(profile).get("name", "")
        if name:
            by_fold.setdefault(name.casefold(), []).append(sid)
            names.setdefault(name, name)
    for key, value in conn.execute("SELECT key, value FROM settings WHERE key LIKE 'subject:%'"):
        decision = json.loads(value)
        if decision.get("confirmed") and decision.get("name"):
            by_fold.setdefault(decision["name"].casefold(), []).append(int(key.split(":", 1)[1]))
            names.setdefault(decision["name"], decision["name"])
    return {name: sorted(set(by_fold[name.casefold()])) for name in names}


def _ids_of_names(conn, names) -> set[int]:
    names = [n for n in set(names) if n]
    found: set[int] = set()
    for i in range(0, len(names), 500):
        chunk = names[i:i + 500]
        found.update(r[0] for r in conn.execute(
            f"SELECT id FROM authors WHERE name IN ({','.join('?' * len(chunk))})", chunk))
    return found


def _fill_temp(conn, table: str, ids) -> None:
    conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY)")
    conn.execute(f"DELETE FROM temp.{table}")
    conn.executemany(f"INSERT OR IGNORE INTO temp.{table}(id) VALUES (?)", [(int(i),) for i in ids])


def _compute(conn, targets: set[int] | None, profile_ids: dict[str, int],
             profiles: dict[str, list[int]] | None = None, pairs_for: set[int] | None = None) -> None:
    """Count the aggregates of ``targets`` (author ids), or of every author when None, into the scratch tables
    temp.st_stats, temp.st_cats and temp.st_pairs. Set-based: a handful of statements whatever the number of
    authors, the papers read once in their stored order. Only reads the library. ``profiles``: _profile_names,
    when the caller has it already. ``pairs_for``: the targets whose co-author pairs are recounted (into
    temp.st_pair_target; default all of them)."""
    full = targets is None
    if profiles is None:
        profiles = _profile_names(conn)
    if not full:
        _fill_temp(conn, "st_target", targets)
        _fill_temp(conn, "st_pair_target", targets if pairs_for is None else pairs_for)
    for table in ("st_rows", "st_mine", "st_stats", "st_cats", "st_pairs", "st_pa", "st_links"):
        conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    if full:
        source = "papers p CROSS JOIN paper_authors pa ON pa.paper_id = p.id"
    else:
        # The targets' records with every name shown on each, read by record: the position of the target's own
        # name and its co-authors come from the same rows (the names of a record sit together in the table),
        # where looking the position up through the author index cost one more random read per record.
        conn.execute("CREATE TEMP TABLE st_links AS SELECT x.author_id AS author_id, o.paper_id AS paper_id,"
                     " o.author_id AS other, o.position AS position FROM temp.st_target t"
                     " CROSS JOIN paper_authors x ON x.author_id = t.id"
                     " CROSS JOIN paper_authors o ON o.paper_id = x.paper_id")
        source = "temp.st_links pa CROSS JOIN papers p ON p.id = pa.paper_id"
    # every (author, paper shown with the name) with the survivor's id, year and category
    conn.execute("CREATE TEMP TABLE st_rows AS SELECT pa.author_id AS author_id, COALESCE(p.merged_into, p.id) AS pid,"
                 " pa.position AS position, p.year AS year, p.category AS category,"
                 f" p.merged_into IS NOT NULL AS moved FROM {source}"
                 f" WHERE ({'' if full else 'pa.other = pa.author_id AND '}"
                 f"(({visible('p')}) OR p.merged_into IS NOT NULL))")  # the Trash's records count for nobody
    conn.execute("UPDATE temp.st_rows SET (year, category) = (SELECT year, category FROM papers WHERE id = pid)"
                 " WHERE moved")
    conn.execute("DELETE FROM temp.st_rows WHERE moved AND NOT EXISTS (SELECT 1 FROM papers v"
                 f" WHERE v.id = st_rows.pid AND {visible('v')})")
    # a profile page's papers count for its author
    prof = [(profile_ids[name], sid) for name, sids in profiles.items() for sid in sids
            if full or profile_ids[name] in targets]
    if prof:
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS st_prof (author_id INTEGER, source_id INTEGER)")
        conn.execute("DELETE FROM temp.st_prof")
        conn.executemany("INSERT INTO temp.st_prof VALUES (?, ?)", prof)
        conn.execute("INSERT INTO temp.st_rows SELECT s.author_id, q.id, NULL, q.year, q.category, 0"
                     " FROM temp.st_prof s CROSS JOIN provenance pv ON pv.source_id = s.source_id"
                     " CROSS JOIN papers p ON p.id = pv.paper_id"
                     f" CROSS JOIN papers q ON q.id = COALESCE(p.merged_into, p.id) WHERE {visible('q')}")
    # one row per (author, visible paper), in author order
    conn.execute("CREATE TEMP TABLE st_mine (author_id INTEGER, pid INTEGER, position INTEGER, year INTEGER,"
                 " category TEXT, PRIMARY KEY (author_id, pid)) WITHOUT ROWID")
    conn.execute("INSERT INTO temp.st_mine SELECT author_id, pid, MIN(position), year, category FROM temp.st_rows"
                 " GROUP BY author_id, pid")
    conn.execute("DROP TABLE temp.st_rows")
    conn.execute("CREATE TEMP TABLE st_stats AS SELECT author_id, COUNT(*) AS papers,"
                 " SUM(position IS 1) AS first_author, MIN(year) AS year_min, MAX(year) AS year_max"
                 " FROM temp.st_mine GROUP BY author_id")
    conn.execute("CREATE TEMP TABLE st_cats AS SELECT author_id, category, COUNT(*) AS n FROM temp.st_mine"
                 " WHERE category IS NOT NULL GROUP BY author_id, category")
    conn.execute("DROP TABLE temp.st_mine")
    # co-authors: pair counts over the shown names of every record (one grouped join, no per-author subquery)
    conn.execute("CREATE TEMP TABLE st_pa (paper_id INTEGER, author_id INTEGER, PRIMARY KEY (paper_id, author_id))"
                 " WITHOUT ROWID")
    if full:
        conn.execute("INSERT OR IGNORE INTO temp.st_pa SELECT paper_id, author_id FROM paper_authors ORDER BY paper_id")
        pairs = "temp.st_pa x CROSS JOIN temp.st_pa o ON o.paper_id = x.paper_id"
    conn.execute("CREATE TEMP TABLE st_pairs (a INTEGER, b INTEGER, PRIMARY KEY (a, b)) WITHOUT ROWID")
    if full:
        conn.execute("INSERT OR IGNORE INTO temp.st_pairs SELECT x.author_id, o.author_id"
                     f" FROM {pairs} WHERE o.author_id != x.author_id")
    else:
        conn.execute("INSERT OR IGNORE INTO temp.st_pairs SELECT author_id, other FROM temp.st_links"
                     " WHERE other != author_id AND author_id IN (SELECT id FROM temp.st_pair_target)")
        conn.execute("DROP TABLE temp.st_links")
    conn.execute("DROP TABLE temp.st_pa")


def _store(conn, full: bool) -> None:
    """Replace the targets' rows (temp.st_target, or all) in the aggregate tables with the scratch tables'.
    Call inside a write transaction."""
    only = "" if full else " WHERE author_id IN (SELECT id FROM temp.st_target)"
    conn.execute("DELETE FROM author_stats" + only)
    conn.execute(
        "INSERT INTO author_stats(author_id, name, papers, first_author, year_min, year_max, coauthors, categories)"
        " SELECT s.author_id, a.name, s.papers, s.first_author, s.year_min, s.year_max, 0, NULL"
        " FROM temp.st_stats s JOIN authors a ON a.id = s.author_id")
    conn.execute("DELETE FROM author_categories" + only)
    conn.execute("INSERT INTO author_categories(author_id, category, n) SELECT author_id, category, n"
                 " FROM temp.st_cats")
    _write_top_categories(conn, None if full else "temp.st_target")
    conn.execute("DELETE FROM author_pairs" + ("" if full else " WHERE a IN (SELECT id FROM temp.st_pair_target)"))
    conn.execute("INSERT INTO author_pairs(a, b) SELECT a, b FROM temp.st_pairs")
    if full:
        conn.execute("UPDATE author_stats SET coauthors = c.n FROM (SELECT a, COUNT(*) AS n FROM temp.st_pairs"
                     " GROUP BY a) AS c WHERE author_stats.author_id = c.a")
    else:  # read off the stored pairs: also right for targets whose pairs were kept, not recounted
        conn.execute("UPDATE author_stats SET coauthors = (SELECT COUNT(*) FROM author_pairs p"
                     " WHERE p.a = author_stats.author_id) WHERE author_id IN (SELECT id FROM temp.st_target)")
    for table in ("st_stats", "st_cats", "st_pairs"):
        conn.execute(f"DROP TABLE temp.{table}")


def _profile_author_ids(conn, profiles: dict[str, list[int]] | None = None) -> dict[str, int]:
    """The author id of each profile page's name, adding the name to the authors when it is not yet there
    (call inside a write transaction). One statement each way, not one lookup per name (~700 at 1M)."""
    if profiles is None:
        profiles = _profile_names(conn)
    names = json.dumps(list(profiles), ensure_ascii=False)
    conn.execute("INSERT OR IGNORE INTO authors(name) SELECT value FROM json_each(?)", (names,))
    return dict(conn.execute("SELECT name, id FROM authors WHERE name IN (SELECT value FROM json_each(?))", (names,)))


def _recount(conn, targets: set[int], profiles: dict[str, list[int]] | None = None,
             pairs_kept: set[int] = frozenset()) -> None:
    """Recount the aggregates of ``targets`` (author ids) inside the current write transaction; the co-author
    pairs of ``pairs_kept`` (authors whose shown names no change touched) stay as they are."""
    if profiles is None:
        profiles = _profile_names(conn)
    _compute(conn, set(targets), _profile_author_ids(conn, profiles), profiles, set(targets) - set(pairs_kept))
    _store(conn, False)


def _write_top_categories(conn, target_table: str | None) -> None:
    """author_stats.categories: the three most frequent categories, ties broken by the category's name."""
    where = "" if target_table is None else f" WHERE author_id IN (SELECT id FROM {target_table})"
    rows = conn.execute(
        "SELECT author_id, category FROM (SELECT author_id, category, ROW_NUMBER() OVER (PARTITION BY author_id"
        f" ORDER BY n DESC, category) AS k FROM author_categories{where}) WHERE k <= 3 ORDER BY author_id, k")
    batch: list[tuple[str, int]] = []
    author, cats = None, []
    for author_id, category in itertools.chain(rows, [(None, None)]):  # a sentinel writes the last author
        if author_id != author:
            if author is not None:
                batch.append((", ".join(cats), author))
            if len(batch) >= TOP_CATEGORIES_BATCH or author_id is None:
                conn.executemany("UPDATE author_stats SET categories = ? WHERE author_id = ?", batch)
                batch = []
            author, cats = author_id, []
        cats.append(category)


def _add_new_papers(conn, paper_ids: list[int]) -> set[int]:
    """Add papers that did not exist before (an import's) to the aggregates of their authors, without
    recounting those authors. Returns the authors whose rows it changed."""
    _fill_temp(conn, "st_new", paper_ids)
    conn.execute("DROP TABLE IF EXISTS temp.st_add")
    conn.execute("CREATE TEMP TABLE st_add AS SELECT pa.author_id AS author_id, COALESCE(p.merged_into, p.id) AS pid,"
                 " MIN(pa.position) AS position FROM paper_authors pa JOIN papers p ON p.id = pa.paper_id"
                 " WHERE pa.paper_id IN (SELECT id FROM temp.st_new) GROUP BY 1, 2")
    touched = {r[0] for r in conn.execute("SELECT DISTINCT author_id FROM temp.st_add")}
    conn.execute(
        "INSERT INTO author_stats(author_id, name, papers, first_author, year_min, year_max, coauthors, categories)"
        " SELECT x.author_id, a.name, COUNT(*), SUM(x.position IS 1), MIN(p.year), MAX(p.year), 0, NULL"
        " FROM temp.st_add x JOIN papers p ON p.id = x.pid JOIN authors a ON a.id = x.author_id"
        " GROUP BY x.author_id"
        " ON CONFLICT(author_id) DO UPDATE SET papers = papers + excluded.papers,"
        " first_author = first_author + excluded.first_author,"
        " year_min = CASE WHEN year_min IS NULL OR excluded.year_min < year_min THEN excluded.year_min"
        " ELSE year_min END,"
        " year_max = CASE WHEN year_max IS NULL OR excluded.year_max > year_max THEN excluded.year_max"
        " ELSE year_max END")
    conn.execute("INSERT INTO author_categories(author_id, category, n) SELECT x.author_id, p.category, COUNT(*)"
                 " FROM temp.st_add x JOIN papers p ON p.id = x.pid WHERE p.category IS NOT NULL GROUP BY 1, 2"
                 " ON CONFLICT(author_id, category) DO UPDATE SET n = n + excluded.n")
    _fill_temp(conn, "st_target", touched)
    _write_top_categories(conn, "temp.st_target")
    conn.execute("DROP TABLE IF EXISTS temp.st_pairs")
    conn.execute("CREATE TEMP TABLE st_pairs AS SELECT DISTINCT pa.author_id AS a, o.author_id AS b"
                 " FROM paper_authors pa JOIN paper_authors o ON o.paper_id = pa.paper_id"
                 " AND o.author_id != pa.author_id WHERE pa.paper_id IN (SELECT id FROM temp.st_new)")
    conn.execute("UPDATE author_stats SET coauthors = coauthors + c.n FROM (SELECT t.a, COUNT(*) AS n"
                 " FROM temp.st_pairs t WHERE NOT EXISTS (SELECT 1 FROM author_pairs ap WHERE ap.a = t.a"
                 " AND ap.b = t.b) GROUP BY t.a) AS c WHERE author_stats.author_id = c.a")
    conn.execute("INSERT OR IGNORE INTO author_pairs(a, b) SELECT a, b FROM temp.st_pairs")
    for table in ("st_add", "st_pairs"):
        conn.execute(f"DROP TABLE temp.{table}")
    return touched


def _family_authors(conn, paper_ids, profiles: dict[str, list[int]] | None = None) -> set[int]:
    """The authors shown on these records, on their survivors and on every record merged into those, and the
    profile authors whose pages list any of them."""
    ids = {int(p) for p in paper_ids}
    if not ids:
        return set()
    _fill_temp(conn, "st_papers", ids)
    conn.execute("INSERT OR IGNORE INTO temp.st_papers(id) SELECT merged_into FROM papers"
                 " WHERE id IN (SELECT id FROM temp.st_papers) AND merged_into IS NOT NULL")
    conn.execute("INSERT OR IGNORE INTO temp.st_papers(id) SELECT id FROM papers"
                 " WHERE merged_into IN (SELECT id FROM temp.st_papers)")
    found = {r[0] for r in conn.execute(
        "SELECT DISTINCT author_id FROM paper_authors WHERE paper_id IN (SELECT id FROM temp.st_papers)")}
    sources = {r[0] for r in conn.execute(
        "SELECT DISTINCT source_id FROM provenance WHERE paper_id IN (SELECT id FROM temp.st_papers)")}
    return found | _profile_authors_of_sources(conn, sources, profiles)


def _shown_authors(conn, paper_ids) -> set[int]:
    """The authors shown on these records themselves (not their merge families)."""
    ids = [int(p) for p in paper_ids]
    if not ids:
        return set()
    return {r[0] for r in conn.execute("SELECT DISTINCT author_id FROM paper_authors WHERE paper_id IN"
                                       " (SELECT value FROM json_each(?))", (json.dumps(ids),))}


def _profile_authors_of_sources(conn, source_ids, profiles: dict[str, list[int]] | None = None) -> set[int]:
    if not source_ids:
        return set()
    if profiles is None:
        profiles = _profile_names(conn)
    names = [name for name, sids in profiles.items() if set(sids) & set(source_ids)]
    conn.executemany("INSERT OR IGNORE INTO authors(name) VALUES (?)", [(n,) for n in names])
    return _ids_of_names(conn, names)


def _names_in(value) -> list[str]:
    """Author names as an event records them: a list, or the ", "-joined display form."""
    if isinstance(value, str):
        return [n for n in value.split(", ") if n]
    return [n for n in value or [] if isinstance(n, str)]


def _touched_by_events(conn, events: list[tuple], profiles: dict[str, list[int]] | None = None
                       ) -> tuple[set[int], list[int], set[int]] | None:
    """(authors to recount, new papers to add, those of the authors whose co-author pairs no change touched)
    for these events, or None when they cannot say (a full rebuild is then needed).

    The co-author pairs come from the names shown on every record, whatever its visibility: a merge, an
    unmerge, the Trash or a new date or category moves an author's papers, years and categories but not the
    pairs, so those are not recounted for the authors only such changes touched."""
    if profiles is None:
        profiles = _profile_names(conn)
    names: set[str] = set()
    papers: set[int] = set()
    moved: set[int] = set()  # records whose visibility, year or category alone changed: shown names as before
    names_only: set[int] = set()  # records whose shown names alone changed
    sources: set[int] = set()
    new_papers: list[int] = []
    author_ids: set[int] = set()
    for _, kind, paper_id, source_id, raw in events:
        details = json.loads(raw or "{}")
        if _neutral(kind, details):
            continue
        if "changes" in details and paper_id is not None:  # edit, undo, redo, merge-edit, batch-edit...
            # Only the names changed: the record's year, category and visibility are as before, so only the
            # names shown on it before or after move (papers, positions, co-authors); its merge family's other
            # names and the profile authors whose pages list it (unless named) keep their figures.
            counted = _FIELDS_THAT_COUNT & set(details["changes"])
            (names_only if counted == {"authors"} else papers if "authors" in counted else moved).add(paper_id)
            for value in details["changes"].get("authors") or []:
                names.update(_names_in(value))
        elif kind in ("trash", "untrash"):
            moved.update(details.get("papers") or [])
        elif kind == "trash-emptied":
            papers.update(details.get("papers") or [])
            # the papers an emptied Trash deleted are gone: their authors come from the event itself
            author_ids.update(int(a) for a in details.get("authors") or [])
        elif kind == "add" and paper_id is not None:  # a record entered by hand
            papers.add(paper_id)
        elif kind == "add-undone":
            names.update(_names_in(details.get("fields", {}).get("authors")))
        elif kind in ("review", "review-undone") and paper_id is not None:
            papers.add(paper_id)
            names.update(details.get("before", {}).get("authors") or [])
            names.update(details.get("restored", {}).get("authors") or [])
            for (earlier,) in conn.execute("SELECT details FROM events WHERE paper_id = ? AND kind = 'review'",
                                           (paper_id,)):
                names.update(json.loads(earlier).get("chosen", {}).get("authors") or [])
        elif kind in ("merge", "unmerge", "merge-redone"):
            fields = details.get("fields")
            family = [details.get("survivor"), *details.get("merged", []), *details.get("restored", [])]
            (papers if isinstance(fields, dict) and fields.get("authors") else moved).update(family)
            if isinstance(fields, dict):  # the survivor's own fields as the merge or its undo set them
                for value in fields.get("authors") or []:
                    names.update(_names_in(value))
        elif kind == "import" and source_id is not None:
            sources.add(source_id)
            if details.get("added"):
                new_papers += [r[0] for r in conn.execute(
                    "SELECT pv.paper_id FROM provenance pv WHERE pv.source_id = ? AND NOT EXISTS (SELECT 1"
                    " FROM provenance o WHERE o.paper_id = pv.paper_id AND o.source_id < pv.source_id)",
                    (source_id,))]
        elif kind in ("import-removed", "import-restored"):  # records into / out of the Trash, provenance
            papers.update([*(details.get("trashed") or []), *(details.get("shared") or [])])
            if source_id is not None:
                sources.add(source_id)
        elif kind == "import-readded":  # records of a re-imported file that the emptied Trash had deleted
            new_papers += [int(p) for p in details.get("papers") or []]
            if source_id is not None:
                sources.add(source_id)
        elif kind in ("author-merge", "author-merge-undone"):
            row = conn.execute("SELECT keep, merged, moved FROM author_merges WHERE id = ?",
                               (details.get("merge_id"),)).fetchone()
            if row is None:
                return None
            names.update(json.loads(row[1]))
            papers.update(item["paper_id"] for item in json.loads(row[2] or "[]"))
            names.add(conn.execute("SELECT name FROM authors WHERE id = ?", (row[0],)).fetchone()[0])
        elif kind.startswith("subject-") and source_id is not None:
            for (earlier,) in conn.execute("SELECT details FROM events WHERE source_id = ? AND kind LIKE 'subject-%'",
                                           (source_id,)):
                d = json.loads(earlier)
                names.update(n for n in (d.get("name"), (d.get("restored") or {}).get("name")) if n)
        else:
            return None  # a change this function does not know: recount everything
    papers.discard(None)
    moved.discard(None)
    targets = (_ids_of_names(conn, names) | _shown_authors(conn, names_only) | _family_authors(conn, papers, profiles)
               | _profile_authors_of_sources(conn, sources, profiles) | author_ids)
    pairs_kept = _family_authors(conn, moved, profiles) - targets
    return targets | pairs_kept, new_papers, pairs_kept


# --- a merge, its undo, its redo: the figures follow the records that moved ---------------------------------
# A merge changes no name, year or category: it only makes some records count through another survivor. Each
# merge, unmerge and redone merge logs the records whose survivor it changed (``roots_before``); every author's
# figures outside the survivors those records left or joined stay as they are, so the catch-up counts, for the
# records of those few survivors, what each author had from them before and has now, and adds the difference.
# Recounting the four authors of a merge at 1,000,000 records read their ~4,000 records at random (0.1-2 s from
# a cold cache); the difference reads the handful of records that moved.

_MOVING_KINDS = ("merge", "unmerge", "merge-redone")


def _roots_moved(events: list[tuple]) -> dict[int, int | None] | None:
    """{record: its merged_into before the first of these changes} when every change that can move a figure is
    a merge, an unmerge or a redone merge that logged the records it moved and changed no counted field; None
    otherwise (the touched authors are then recounted)."""
    before: dict[int, int | None] = {}
    for _, kind, _, _, raw in events:
        details = json.loads(raw or "{}")
        if _neutral(kind, details):
            continue
        if kind not in _MOVING_KINDS or "roots_before" not in details \
                or _FIELDS_THAT_COUNT & set(details.get("fields") or {}):
            return None
        for record, old in details["roots_before"]:
            before.setdefault(int(record), old)  # the first change that moved it says where it was before
    return before or None


def _follow_root_moves(conn, before: dict[int, int | None], profiles: dict[str, list[int]]) -> tuple[set[int], set[int]]:
    """Apply to the aggregates the difference these records' moves made (``before``: {record: merged_into
    before}), inside the current write transaction. Returns (authors updated by the difference, authors
    recounted): an author is recounted when a year they lost a paper in is one of their extremes (whether
    another paper of that year remains is not known without reading all of theirs)."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS st_moved (id INTEGER PRIMARY KEY, before INTEGER)")
    conn.execute("DELETE FROM temp.st_moved")
    conn.executemany("INSERT INTO temp.st_moved VALUES (?, ?)", sorted(before.items()))
    # the survivors the moved records left or joined, and every record counted through one of them, before or now
    _fill_temp(conn, "st_aff", ())
    conn.execute("INSERT OR IGNORE INTO temp.st_aff SELECT COALESCE(before, id) FROM temp.st_moved")
    conn.execute("INSERT OR IGNORE INTO temp.st_aff SELECT COALESCE(p.merged_into, p.id) FROM temp.st_moved m"
                 " JOIN papers p ON p.id = m.id")
    conn.execute("DROP TABLE IF EXISTS temp.st_fam")
    conn.execute("CREATE TEMP TABLE st_fam (id INTEGER PRIMARY KEY, was INTEGER, now INTEGER)")
    conn.execute("INSERT OR IGNORE INTO temp.st_fam(id) SELECT id FROM temp.st_aff")
    conn.execute("INSERT OR IGNORE INTO temp.st_fam(id) SELECT id FROM temp.st_moved")
    conn.execute("INSERT OR IGNORE INTO temp.st_fam(id) SELECT p.id FROM temp.st_aff a"
                 " CROSS JOIN papers p ON p.merged_into = a.id")
    conn.execute("UPDATE temp.st_fam SET now = (SELECT COALESCE(p.merged_into, p.id) FROM papers p"
                 " WHERE p.id = st_fam.id)")
    conn.execute("UPDATE temp.st_fam SET was = COALESCE((SELECT COALESCE(m.before, m.id) FROM temp.st_moved m"
                 " WHERE m.id = st_fam.id), now)")
    # the profile pages (and confirmed listings) that list any of these records, and their authors
    sources = {r[0] for r in conn.execute("SELECT DISTINCT pv.source_id FROM temp.st_fam f"
                                          " CROSS JOIN provenance pv ON pv.paper_id = f.id")}
    listing = {name: sids for name, sids in profiles.items() if sources.intersection(sids)}
    profile_ids = _profile_author_ids(conn, listing) if listing else {}
    conn.execute("DROP TABLE IF EXISTS temp.st_prof_by_source")
    conn.execute("CREATE TEMP TABLE st_prof_by_source (source_id INTEGER, author_id INTEGER,"
                 " PRIMARY KEY (source_id, author_id)) WITHOUT ROWID")
    conn.executemany("INSERT OR IGNORE INTO temp.st_prof_by_source VALUES (?, ?)",
                     [(sid, profile_ids[name]) for name, sids in listing.items() for sid in sids])
    # (author, survivor, -1 before / +1 now, first position): what each author had from these records, counted
    # exactly as _compute counts: a record counts through its survivor when that survivor is visible
    conn.execute("DROP TABLE IF EXISTS temp.st_delta")
    conn.execute(
        "CREATE TEMP TABLE st_delta AS WITH counted AS ("
        " SELECT f.id, f.was AS pid, -1 AS sign FROM temp.st_fam f CROSS JOIN papers q ON q.id = f.was"
        " LEFT JOIN temp.st_moved m ON m.id = f.was"
        " WHERE q.trashed_at IS NULL AND (CASE WHEN m.id IS NULL THEN q.merged_into ELSE m.before END) IS NULL"
        " UNION ALL"
        " SELECT f.id, f.now, 1 FROM temp.st_fam f CROSS JOIN papers q ON q.id = f.now"
        f" WHERE {visible('q')})"
        " SELECT author_id, pid, sign, MIN(position) AS position FROM ("
        " SELECT pa.author_id, c.pid, c.sign, pa.position FROM counted c"
        " CROSS JOIN paper_authors pa ON pa.paper_id = c.id"
        " UNION ALL"
        " SELECT s.author_id, c.pid, c.sign, NULL FROM counted c CROSS JOIN provenance pv ON pv.paper_id = c.id"
        " CROSS JOIN temp.st_prof_by_source s ON s.source_id = pv.source_id)"
        " GROUP BY author_id, pid, sign")
    conn.execute("DROP TABLE IF EXISTS temp.st_dyear")
    conn.execute("CREATE TEMP TABLE st_dyear AS SELECT d.author_id, q.year, SUM(d.sign) AS n FROM temp.st_delta d"
                 " CROSS JOIN papers q ON q.id = d.pid WHERE q.year IS NOT NULL GROUP BY 1, 2 HAVING SUM(d.sign) != 0")
    conn.execute("DROP TABLE IF EXISTS temp.st_dsum")
    conn.execute("CREATE TEMP TABLE st_dsum AS SELECT author_id, SUM(sign) AS papers,"
                 " SUM(sign * (position IS 1)) AS first FROM temp.st_delta GROUP BY author_id")
    touched = {r[0] for r in conn.execute("SELECT author_id FROM temp.st_dsum")}
    # who must be recounted: a year they lost a paper in, and have none of these papers in now, is one of their
    # extremes (or, never expected, the difference does not fit what is stored)
    recount = {r[0] for r in conn.execute(
        "SELECT y.author_id FROM temp.st_dyear y LEFT JOIN author_stats s ON s.author_id = y.author_id"
        " WHERE y.n < 0 AND (s.author_id IS NULL OR y.year <= s.year_min OR y.year >= s.year_max)"
        " AND NOT EXISTS (SELECT 1 FROM temp.st_delta d CROSS JOIN papers q ON q.id = d.pid"
        " WHERE d.author_id = y.author_id AND d.sign = 1 AND q.year = y.year)")}
    recount |= {r[0] for r in conn.execute(
        "SELECT d.author_id FROM temp.st_dsum d LEFT JOIN author_stats s ON s.author_id = d.author_id"
        " WHERE s.author_id IS NULL OR s.papers + d.papers <= 0 OR s.first_author + d.first < 0")}
    _fill_temp(conn, "st_target", touched - recount)
    conn.execute("UPDATE author_stats SET papers = author_stats.papers + d.papers,"
                 " first_author = author_stats.first_author + d.first"
                 " FROM temp.st_dsum d WHERE author_stats.author_id = d.author_id"
                 " AND d.author_id IN (SELECT id FROM temp.st_target)")
    conn.execute("UPDATE author_stats SET year_min = MIN(COALESCE(author_stats.year_min, y.lo), y.lo),"
                 " year_max = MAX(COALESCE(author_stats.year_max, y.hi), y.hi)"
                 " FROM (SELECT author_id, MIN(year) AS lo, MAX(year) AS hi FROM temp.st_dyear WHERE n > 0"
                 " GROUP BY author_id) AS y WHERE author_stats.author_id = y.author_id"
                 " AND y.author_id IN (SELECT id FROM temp.st_target)")
    conn.execute("INSERT INTO author_categories(author_id, category, n) SELECT d.author_id, q.category, SUM(d.sign)"
                 " FROM temp.st_delta d CROSS JOIN papers q ON q.id = d.pid WHERE q.category IS NOT NULL"
                 " AND d.author_id IN (SELECT id FROM temp.st_target) GROUP BY 1, 2 HAVING SUM(d.sign) != 0"
                 " ON CONFLICT(author_id, category) DO UPDATE SET n = n + excluded.n")
    conn.execute("DELETE FROM author_categories WHERE author_id IN (SELECT id FROM temp.st_target) AND n <= 0")
    conn.execute("UPDATE author_stats SET categories = NULL WHERE author_id IN (SELECT id FROM temp.st_target)")
    _write_top_categories(conn, "temp.st_target")
    for table in ("st_fam", "st_prof_by_source", "st_delta", "st_dyear", "st_dsum"):
        conn.execute(f"DROP TABLE temp.{table}")
    if recount:  # shown names are as before: their co-author pairs stay
        _recount(conn, recount, profiles, pairs_kept=recount)
    return touched - recount, recount


def update_author_stats(library: Library, author_ids=(), paper_ids=(), new_paper_ids=()) -> set[int]:
    """Bring the aggregates of the authors an operation touched up to date, and no others: ``author_ids``
    (e.g. the names an edit removed), the authors of ``paper_ids`` and of their merge families, and the
    profile authors whose pages list them. ``new_paper_ids`` are papers that did not exist before (an import):
    their counts are added to their authors' rows without recounting those. Returns the authors recounted."""
    with library.transaction() as conn:
        if new_paper_ids:
            _add_new_papers(conn, list(new_paper_ids))
        targets = {int(a) for a in author_ids} | _family_authors(conn, paper_ids)  # pairs recounted too
        if targets:
            _recount(conn, targets)
    return targets


def catch_up(library: Library) -> int | None:
    """Make the aggregates current from the changes logged since they last were, touching only the authors
    those changes touched. Returns the number of authors recounted, or None when only a full rebuild can do it
    (no aggregates yet, very many changes, or a change it cannot read); then nothing was written."""
    with library.transaction() as conn:
        since = _stats_event(conn)
        if since is None:
            return None
        last = conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
        if last - since > CATCH_UP_MAX_EVENTS:
            return None
        profiles = _profile_names(conn)  # read once for the whole catch-up
        events = _pending_events(conn, since)
        moves = _roots_moved(events)
        if moves is not None:  # merges and their undos alone: the difference they made
            followed, targets = _follow_root_moves(conn, moves, profiles)
        else:
            touched = _touched_by_events(conn, events, profiles)
            if touched is None or len(touched[1]) > CATCH_UP_MAX_NEW_PAPERS:
                return None
            targets, new_papers, pairs_kept = touched
            followed = set()
            if new_papers:
                _add_new_papers(conn, new_papers)
            if targets:
                _recount(conn, targets, profiles, pairs_kept)
        conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('author_stats_event', ?)", (str(last),))
    LAST_CATCH_UP.clear()
    LAST_CATCH_UP.update(followed=len(followed), recounted=len(targets))
    return len(targets) + len(followed)


def refresh_stats(library: Library) -> int:
    """Rebuild every author's aggregates (for migrations and repairs; tens of seconds at a million records, so
    the app runs it in the background). The counting reads a snapshot of the library while edits go on; only
    the final swap writes, briefly; changes made meanwhile are then caught up. Returns the number of authors."""
    conn = library.conn
    with library.transaction():
        profile_ids = _profile_author_ids(conn)
    conn.execute(f"PRAGMA temp.cache_size = {-1024 * REBUILD_TEMP_CACHE_MB}")  # scratch tables: bounded memory
    conn.execute("BEGIN")  # a read snapshot: the counts and the event they are current at agree
    try:
        snapshot = conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0]
        _compute(conn, None, profile_ids)
    finally:
        conn.execute("COMMIT")
    conn.execute("PRAGMA temp.cache_size = -2000")
    with library.transaction():
        _store(conn, True)
        conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES ('author_stats_event', ?)", (str(snapshot),))
    if catch_up(library) is None:  # very many changes meanwhile: the next look rebuilds again
        pass
    return conn.execute("SELECT COUNT(*) FROM author_stats").fetchone()[0]


def bring_up_to_date(library: Library) -> int:
    """Current aggregates by the cheapest way: nothing, catching up on the changes, or a full rebuild."""
    if stats_are_current(library):
        return 0
    counted = catch_up(library)
    return counted if counted is not None else refresh_stats(library)


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


def subject_decisions(library: Library) -> dict[int, dict]:
    """{source id: decision} for every listing decided on, in one read (the sidebar lists 2,000 sources at a
    million records)."""
    return {int(key.split(":", 1)[1]): json.loads(value) for key, value in library.conn.execute(
        "SELECT key, value FROM settings WHERE key LIKE 'subject:%'")}


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
