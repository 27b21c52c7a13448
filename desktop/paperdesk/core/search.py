"""The search language of the search box, turned into SQL that SQLite answers from its indexes.

    deep learning            full-text: every word, as a prefix (``deep*``), in title, authors or abstract
    "graph neural"           a phrase
    -survey                  without this word
    author:wang              an author's name (word prefix): ``author:"Hao Wang"`` for the whole name
    year:2021  year:2021..2023  year:>=2020  year:<2019
    tag:reading-list         a tag (exact name, any case)
    category:LG  cat:IR      the subject class
    has:code  no:code        with or without code
    is:review                flagged for review
    source:004               records from a dump whose file name contains this

Anything the language does not know is searched as text, so a search never fails; what looked like a field
but was not one (``yeer:2021``, ``year:20x1``) is named in ``Search.problems`` for the search box to show.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from .wording import plural

_YEAR_RE = re.compile(r"^(?:(\d{4})\.\.(\d{4})|(>=|<=|>|<)?(\d{4}))$")
_FTS_WORD_RE = re.compile(r"[\w]+", re.UNICODE)
FIELDS = ("author", "year", "tag", "category", "cat", "has", "no", "is", "source")
_FIELD_LIKE_RE = re.compile(r"^[a-z]{2,12}$")


@dataclass
class Search:
    """A parsed search: an FTS5 MATCH expression (or None) plus SQL conditions on ``p`` (papers)."""

    match: str | None = None
    where: list[str] = field(default_factory=list)
    params: list = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # sentences: fields misspelt, values misread

    def is_empty(self) -> bool:
        return self.match is None and not self.where


def _fts_terms(text: str, column: str | None = None, prefix: bool = True) -> list[str]:
    """Words as FTS5 string tokens; quoting every word keeps FTS5 syntax characters harmless."""
    words = _FTS_WORD_RE.findall(text)
    star = "*" if prefix else ""
    scope = f"{column} : " if column else ""
    return [f'{scope}"{w}"{star}' for w in words]


def _split(text: str) -> list[str]:
    try:
        lexer = shlex.shlex(text, posix=True)
        lexer.whitespace_split = True
        lexer.commenters = ""
        return list(lexer)
    except ValueError:  # an unbalanced quote: read the rest as plain words
        return text.replace('"', " ").split()


# Bounds: a repeated term is folded into one (has:code a thousand times is has:code); beyond these many distinct
# terms the rest are left out and Search.problems says so, so any query runs (SQLite refuses expressions nested
# over 1,000 deep) and none is silently cut.
MAX_CONDITIONS = 50
MAX_WORDS = 64


def _bounded(search: Search, positive: list[str], negative: list[str]) -> tuple[list[str], list[str]]:
    conditions = []
    params = iter(search.params)
    for sql in search.where:
        conditions.append((sql, tuple(next(params) for _ in range(sql.count("?")))))
    distinct = list(dict.fromkeys(conditions))
    positive, negative = list(dict.fromkeys(positive)), list(dict.fromkeys(negative))
    dropped = max(0, len(distinct) - MAX_CONDITIONS) + max(0, len(positive) - MAX_WORDS) \
        + max(0, len(negative) - MAX_WORDS)
    distinct, positive, negative = distinct[:MAX_CONDITIONS], positive[:MAX_WORDS], negative[:MAX_WORDS]
    search.where = [sql for sql, _ in distinct]
    search.params = [value for _, values in distinct for value in values]
    search.problems = list(dict.fromkeys(search.problems))
    if dropped:
        search.problems.append(f"the search is too long: {dropped} of its terms {plural(dropped, 'was')} left out (at most"
                               f" {MAX_CONDITIONS} fields and {MAX_WORDS} words are used)")
    return positive, negative


def parse_search(text: str) -> Search:
    search = Search()
    positive: list[str] = []
    negative: list[str] = []
    for token in _split(text or ""):
        key, sep, value = token.partition(":")
        key = key.lower()
        if sep and value:
            if key == "author":
                words = _FTS_WORD_RE.findall(value)
                if len(words) > 1:  # a whole name: the words in this order
                    positive.append('authors : "' + " ".join(words) + '"')
                elif words:
                    positive += _fts_terms(value, "authors")
                continue
            if key == "year":
                m = _YEAR_RE.match(value)
                if m:
                    if m.group(1):
                        search.where.append("p.year BETWEEN ? AND ?")
                        search.params += [int(m.group(1)), int(m.group(2))]
                    else:
                        search.where.append(f"p.year {m.group(3) or '='} ?")
                        search.params.append(int(m.group(4)))
                    continue
                search.problems.append(f"'{value}' is not a year: write year:2021, year:2021..2023 or year:>=2020"
                                       " (searched as text)")
            if key == "tag":
                search.where.append(
                    "EXISTS (SELECT 1 FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id"
                    " WHERE pt.paper_id = p.id AND t.name = ? COLLATE NOCASE)"
                )
                search.params.append(value)
                continue
            if key in ("category", "cat"):
                search.where.append("p.category = ? COLLATE NOCASE")
                search.params.append(value.split(".")[-1])
                continue
            if key in ("has", "no") and value.lower() == "code":
                search.where.append(f"p.has_code = {1 if key == 'has' else 0}")
                continue
            if key in ("has", "no"):
                search.problems.append(f"{key}:{value} is not known: only {key}:code is (searched as text)")
            if key == "is" and value.lower() in ("review", "flagged"):
                search.where.append("p.needs_review = 1")
                continue
            if key == "is":
                search.problems.append(f"is:{value} is not known: only is:review is (searched as text)")
            if key == "source":
                search.where.append(
                    "EXISTS (SELECT 1 FROM provenance pv JOIN sources s ON s.id = pv.source_id"
                    " WHERE pv.paper_id = p.id AND s.file_name LIKE ? ESCAPE '\\')"
                )
                search.params.append("%" + value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
                continue
            if key not in FIELDS and _FIELD_LIKE_RE.match(key) and not value.startswith("//"):
                search.problems.append(f"'{key}:' is not a search field (fields: author, year, tag, category, has,"
                                       f" no, is, source); '{token}' was searched as text")
        if token.startswith("-") and len(token) > 1:
            negative += _fts_terms(token[1:])
            continue
        if " " in token:  # a quoted phrase
            words = _FTS_WORD_RE.findall(token)
            if words:
                positive.append('"' + " ".join(words) + '"')
            continue
        positive += _fts_terms(token)
    positive, negative = _bounded(search, positive, negative)
    if positive:
        search.match = " AND ".join(positive)
        if negative:
            search.match += " NOT " + " NOT ".join(negative)
    elif negative:
        # FTS5 cannot match "everything but"; exclude with a sub-query instead.
        search.where.append("p.id NOT IN (SELECT rowid FROM papers_fts WHERE papers_fts MATCH ?)")
        search.params.append(" OR ".join(negative))
    return search
