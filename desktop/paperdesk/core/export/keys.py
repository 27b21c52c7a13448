"""Citation keys, generated from a JabRef-style pattern, stored once and then kept.

A key is what authors type in ``\\cite{...}``: once a record has one it never changes by itself -- not when its
title or authors are edited, not on the next export -- only on ``regenerate=True`` or a hand edit. Keys are
ASCII, unique across the library ignoring case (BibTeX treats ``Gu2025`` and ``gu2025`` as one key), and made
unique the JabRef way: ``gu2025Delta``, ``gu2025Deltaa``, ``gu2025Deltab``...

Pattern markers: ``[auth]`` ``[authN]`` ``[authN_M]`` ``[authEtAl]`` ``[authors]`` ``[authorsN]`` ``[authorLast]``
``[year]`` ``[shortyear]`` ``[title]`` ``[shorttitle]`` ``[veryshorttitle]`` ``[camel]``, each with optional
modifiers ``:lower`` ``:upper`` ``:abbr``; any other text is copied into the key.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

from ..curation import ValidationError
from ..library import Library, LibraryError
from ..schema import visible

DEFAULT_PATTERN = "[auth:lower][year][shorttitle]"
KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-:.+/]{0,99}$")
_KEY_CHARS_RE = re.compile(r"[^A-Za-z0-9_\-:.+/]")
_SETTING = "citekey_pattern"

# JabRef's function words, left out of [shorttitle], [veryshorttitle] and uncapitalised in [title].
FUNCTION_WORDS = frozenset(
    "a an the above about across against along among around at before behind below beneath beside between beyond"
    " by down during except for from in inside into like near of off on onto since to toward through under until"
    " up upon with within without and but nor or so yet".split()
)
_MARKER_RE = re.compile(
    r"^(?:(?P<auth>auth)(?:(?P<n>\d+)(?:_(?P<m>\d+))?)?|(?P<authors>authors)(?P<na>\d+)?|(?P<other>authEtAl|"
    r"authorLast|year|shortyear|title|shorttitle|veryshorttitle|camel))$"
)
_MODIFIERS = ("lower", "upper", "abbr")

# --- names ------------------------------------------------------------------------------------------------

_COLLECTIVE_WORDS = frozenset(
    "team group consortium collaboration collective lab labs laboratory laboratories project committee inc ltd llc"
    " corp corporation company institute university association organization organisation foundation society"
    " council community contributors authors center centre initiative network alliance board agency department"
    " ministry".split()
)
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})


def is_collective(name: str) -> bool:
    """``OneRec Team``, ``DeepSeek-AI``: a name that is not a person's, to be kept whole (never split)."""
    words = name.split()
    if len(words) < 2 or any(ch.isdigit() for ch in name):
        return True
    return any(w.strip(".,").lower() in _COLLECTIVE_WORDS for w in words) or any(w.lower() == "and" for w in words)


def split_name(name: str) -> dict:
    """A shown name (``Given [von] Family [Jr.]``) split the way BibTeX would: lowercase words before the last
    word are the particle. Returns ``given``, ``particle``, ``family``, ``suffix`` (empty strings when absent)."""
    words = name.split()
    suffix = ""
    if len(words) >= 3 and words[-1].lower() in _SUFFIXES:
        suffix = words.pop()
    if len(words) < 2:
        return {"given": "", "particle": "", "family": " ".join(words), "suffix": suffix}
    lower = [k for k in range(1, len(words) - 1) if words[k][:1].islower()]
    if lower:
        first, last = lower[0], lower[-1]
        return {"given": " ".join(words[:first]), "particle": " ".join(words[first:last + 1]),
                "family": " ".join(words[last + 1:]), "suffix": suffix}
    return {"given": " ".join(words[:-1]), "particle": "", "family": words[-1], "suffix": suffix}


# --- ASCII words --------------------------------------------------------------------------------------------

_FOLD = {"ß": "ss", "ẞ": "SS", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l", "Ł": "L",
         "đ": "d", "Đ": "D", "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ı": "i", "ŋ": "ng", "Ŋ": "NG"}


def ascii_fold(text: str) -> str:
    """Accents off, ß -> ss, τ -> tau, and any other script transliterated (李明 -> LiMing, Мария -> Mariya,
    by anyascii): keys are ASCII, and a first author without a Latin spelling still gives the key its name."""
    if text.isascii():
        return text  # NFKD leaves ASCII as it is
    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if ch.isascii():
            out.append(ch)
        elif ch in _FOLD:
            out.append(_FOLD[ch])
        elif unicodedata.name(ch, "").startswith("GREEK"):
            letter = unicodedata.name(ch).split()[-1].lower()
            out.append(letter.capitalize() if "CAPITAL" in unicodedata.name(ch) else letter)
        elif not unicodedata.combining(ch):
            out.append(anyascii(ch))
    return "".join(out)


_TITLE_COMMAND_RE = re.compile(r"\\[A-Za-z]+|\\.")
_TITLE_MARKUP_RE = re.compile(r"[${}^_]")
_WORD_SPLIT_RE = re.compile(r"[\s\-]+")
_NOT_WORD_RE = re.compile(r"[^A-Za-z0-9\s\-]")  # what a word loses (separators stay, to split at)


def _plain_title(title: str) -> str:
    """The title without LaTeX markup: ``S$^2$GR`` -> ``S2GR``, ``{\\"o}`` -> ``o``."""
    return _TITLE_MARKUP_RE.sub("", _TITLE_COMMAND_RE.sub("", title or ""))


@lru_cache(maxsize=4096)  # a key reads the words of its title for two or three markers
def _title_words(title: str) -> list[str]:
    """The title's words, ASCII letters and digits only: split at spaces and hyphens, then everything else
    taken out of each word (done the other way round, in two statements for the whole title)."""
    return [w for w in _WORD_SPLIT_RE.split(_NOT_WORD_RE.sub("", ascii_fold(_plain_title(title)))) if w]


def _capitalize(word: str) -> str:
    return word[:1].upper() + word[1:].lower()


@lru_cache(maxsize=1 << 16)  # authors recur across records: most names are folded once per export
def _family(name: str) -> str:
    """The word a key uses for an author: the family name, or a collective name run together."""
    if is_collective(name):
        words = [w for w in re.split(r"[\s\-]+", ascii_fold(name)) if w]
        return "".join(_capitalize(w) if w.islower() else w for w in (re.sub(r"[^A-Za-z0-9]", "", w) for w in words))
    return re.sub(r"[^A-Za-z0-9]", "", ascii_fold(split_name(name)["family"]))


# --- patterns -------------------------------------------------------------------------------------------------


def _parse(pattern: str) -> list[tuple[str, str, list[str]]]:
    """``[auth:lower]x`` -> [("marker", "auth", ["lower"]), ("text", "x", [])]; ValidationError when malformed."""
    pattern = (pattern or "").strip()
    if not pattern:
        raise ValidationError("A key pattern cannot be empty; the default is " + DEFAULT_PATTERN + ".")
    parts: list[tuple[str, str, list[str]]] = []
    for piece in re.split(r"(\[[^\[\]]*\])", pattern):
        if not piece:
            continue
        if piece.startswith("[") and piece.endswith("]"):
            name, *modifiers = piece[1:-1].split(":")
            if not _MARKER_RE.match(name):
                raise ValidationError(
                    f"'[{name}]' is not a key marker; use [auth], [authN], [authN_M], [authEtAl], [authors],"
                    " [authorsN], [authorLast], [year], [shortyear], [title], [shorttitle], [veryshorttitle]"
                    " or [camel].")
            for modifier in modifiers:
                if modifier not in _MODIFIERS:
                    raise ValidationError(f"':{modifier}' is not a key modifier; use :lower, :upper or :abbr.")
            parts.append(("marker", name, modifiers))
        elif "[" in piece or "]" in piece:
            raise ValidationError(f"The key pattern '{pattern}' has an unmatched bracket.")
        elif _KEY_CHARS_RE.search(piece):
            raise ValidationError(f"'{piece}' in the key pattern has characters a citation key cannot contain; "
                                  "use letters, digits and - _ : . + /")
        else:
            parts.append(("text", piece, []))
    if not any(kind == "marker" for kind, _, _ in parts):
        raise ValidationError("A key pattern needs at least one marker, such as [auth] or [year].")
    return parts


def validate_pattern(pattern: str) -> str:
    _parse(pattern)
    return pattern.strip()


@lru_cache(maxsize=256)
def _marker(name: str) -> dict:
    return _MARKER_RE.match(name).groupdict()


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> tuple:
    return tuple((kind, value, tuple(modifiers)) for kind, value, modifiers in _parse(pattern))


def _marker_words(name: str, paper: dict) -> list[str]:
    """What a marker stands for, as words (modifiers such as :abbr work word by word). Only what the marker
    needs is computed: a key is made for every record of a first export."""
    match = _marker(name)
    if name == "year" or name == "shortyear":
        year = (paper.get("date") or "")[:4]
        return ([year] if name == "year" else [year[-2:]]) if year else []
    if name in ("title", "shorttitle", "veryshorttitle", "camel"):
        words = _title_words(paper.get("title") or "")
        if name == "title":
            return [w if w.lower() in FUNCTION_WORDS else _capitalize(w) for w in words]
        if name == "camel":
            return [_capitalize(w) for w in words]
        significant = []
        limit = 3 if name == "shorttitle" else 1
        for w in words:
            if w.lower() not in FUNCTION_WORDS:
                significant.append(_capitalize(w))
                if len(significant) == limit:
                    break
        return significant
    authors = [a for a in (_family(n) for n in paper.get("authors") or []) if a]
    more = bool(paper.get("authors_truncated"))
    if match["auth"]:
        if match["m"]:
            index = int(match["m"]) - 1
            found = authors[index] if 0 <= index < len(authors) else ""
            return [found[: int(match["n"])]] if found else []
        if match["n"]:
            return [authors[0][: int(match["n"])]] if authors else []
        return authors[:1]
    if match["authors"]:
        limit = int(match["na"]) if match["na"] else len(authors)
        return authors[:limit] + (["EtAl"] if more or len(authors) > limit else [])
    if name == "authEtAl":
        return authors[:1] + (["EtAl"] if more or len(authors) > 2 else authors[1:2])
    return [] if more else authors[-1:]  # authorLast


def generate_key(paper: dict, pattern: str = DEFAULT_PATTERN) -> str:
    """The key the pattern gives a paper dict (title, authors, authors_truncated, date), before uniqueness."""
    out = []
    for kind, value, modifiers in _compiled(pattern):
        if kind == "text":
            out.append(value)
            continue
        words = _marker_words(value, paper)
        for modifier in modifiers:
            if modifier == "lower":
                words = [w.lower() for w in words]
            elif modifier == "upper":
                words = [w.upper() for w in words]
            else:
                words = [w[:1] for w in words]
        out.append("".join(words))
    key = _KEY_CHARS_RE.sub("", "".join(out)).lstrip("_-:.+/")[:90]
    return key or "paper%s" % paper.get("id", "")


def _suffixes():
    """a..z, then aa..zz, ...: JabRef's way of telling apart keys that come out the same."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    for first in letters:
        yield first
    for first in letters:
        for second in letters:
            yield first + second
    n = 0
    while True:
        n += 1
        yield str(n)


def unique_key(key: str, taken: set[str]) -> str:
    """``key``, or key + a suffix when ``taken`` (lowercased keys) has it; adds the result to ``taken``."""
    candidate = key
    if candidate.lower() in taken:
        candidate = next(key + s for s in _suffixes() if (key + s).lower() not in taken)
    taken.add(candidate.lower())
    return candidate


def entry_key(paper: dict, taken: set[str]) -> str:
    """The key an export writes: the stored one, or (never keyless) one from the default pattern; unique within
    the file (``taken`` holds the lowercased keys written so far)."""
    return unique_key(paper.get("citekey") or generate_key(paper), taken)


# --- the library ------------------------------------------------------------------------------------------------

_KEY_FIELDS_SQL = """
SELECT p.id, p.title, p.date, p.authors_truncated, p.citekey,
       (SELECT json_group_array(name) FROM (SELECT a.name FROM paper_authors pa JOIN authors a ON a.id = pa.author_id
            WHERE pa.paper_id = p.id ORDER BY pa.position))
FROM papers p WHERE """ + visible("p")


def _key_rows(library: Library, paper_ids: list[int] | None, unkeyed_only: bool = False) -> list[dict]:
    def as_dict(row):
        return {"id": row[0], "title": row[1], "date": row[2], "authors_truncated": bool(row[3]),
                "citekey": row[4], "authors": json.loads(row[5])}

    only = " AND p.citekey IS NULL" if unkeyed_only else ""
    if paper_ids is None:
        return [as_dict(r) for r in library.conn.execute(_KEY_FIELDS_SQL + only + " ORDER BY p.id")]
    rows = []
    ids = list(dict.fromkeys(paper_ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" * len(chunk))
        rows += [as_dict(r) for r in library.conn.execute(_KEY_FIELDS_SQL + only + f" AND p.id IN ({marks})", chunk)]
    return sorted(rows, key=lambda r: r["id"])


def _any_unkeyed(library: Library, paper_ids: list[int] | None) -> bool:
    sql = "SELECT EXISTS(SELECT 1 FROM papers p WHERE p.citekey IS NULL AND " + visible("p")
    if paper_ids is None:
        return bool(library.conn.execute(sql + ")").fetchone()[0])
    ids = list(dict.fromkeys(paper_ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        if library.conn.execute(sql + f" AND p.id IN ({','.join('?' * len(chunk))}))", chunk).fetchone()[0]:
            return True
    return False


def _stored_keys(library: Library, paper_ids: list[int] | None) -> dict[int, str | None]:
    """id -> stored key (None when it has none) of the visible papers asked for, in id order."""
    sql = "SELECT p.id, p.citekey FROM papers p WHERE " + visible("p")
    if paper_ids is None:
        return dict(library.conn.execute(sql + " ORDER BY p.id"))
    found: dict[int, str | None] = {}
    ids = list(dict.fromkeys(paper_ids))
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        found.update(library.conn.execute(sql + f" AND p.id IN ({','.join('?' * len(chunk))})", chunk))
    return dict(sorted(found.items()))


def assign_keys(library: Library, paper_ids: list[int] | None = None, pattern: str = DEFAULT_PATTERN,
                regenerate: bool = False) -> dict[int, str]:
    """Give keys to the papers (all visible ones when ``paper_ids`` is None) that have none, or new keys to all
    of them with ``regenerate``; returns id -> key for those papers, in the order asked for.

    Existing keys are never touched otherwise. Papers are keyed in id order, so of two papers that come out the
    same the older one gets the plain key. Callers normally pass ``get_pattern(library)``.
    """
    validate_pattern(pattern)
    result = _stored_keys(library, paper_ids)
    if regenerate or not all(result.values()):
        ensure_keys(library, paper_ids, pattern, regenerate)
        result = _stored_keys(library, paper_ids)
    order = paper_ids if paper_ids is not None else list(result)
    return {pid: result[pid] for pid in dict.fromkeys(order) if pid in result}


def ensure_keys(library: Library, paper_ids: list[int] | None = None, pattern: str = DEFAULT_PATTERN,
                regenerate: bool = False) -> int:
    """What ``assign_keys`` does, without reading the keys back: returns how many papers got a new key.

    The keys are made in Python (patterns, transliteration) and stored in bulk: the new keys go into a temporary
    table and one ``UPDATE`` puts them in place, not one statement per record."""
    validate_pattern(pattern)
    if not regenerate and not _any_unkeyed(library, paper_ids):
        return 0  # nothing to write: no write lock taken (another window may be importing)
    with library.transaction() as conn:
        # Read under the write lock: another window may have keyed some of them meanwhile.
        to_key = _key_rows(library, paper_ids, unkeyed_only=not regenerate)
        if not to_key:
            return 0
        replaced = {r["id"] for r in to_key}
        taken = {k.lower() for pid, k in conn.execute("SELECT id, citekey FROM papers WHERE citekey IS NOT NULL")
                 if pid not in replaced}
        changes = {}
        for row in to_key:
            key = unique_key(generate_key(row, pattern), taken)
            if key != row["citekey"]:
                changes[row["id"]] = (row["citekey"], key)
        if changes:
            _store_keys(conn, changes)
            library.log("citekeys", {"pattern": pattern, "regenerate": regenerate,
                                     "keys": {str(pid): list(change) for pid, change in changes.items()}})
    return len(changes)


def _store_keys(conn, changes: dict[int, tuple[str | None, str]]) -> None:
    """Write the new keys (id -> (old, new)) in three statements, inside the caller's transaction."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS new_citekeys(id INTEGER PRIMARY KEY, citekey TEXT NOT NULL)")
    conn.execute("DELETE FROM temp.new_citekeys")
    conn.executemany("INSERT INTO temp.new_citekeys(id, citekey) VALUES (?, ?)",
                     [(pid, new) for pid, (_, new) in changes.items()])
    if any(old is not None for old, _ in changes.values()):
        # Clear first: a new key may be one that another of these papers is just giving up.
        conn.execute("UPDATE papers SET citekey = NULL WHERE id IN (SELECT id FROM temp.new_citekeys)")
    conn.execute("UPDATE papers SET citekey = (SELECT n.citekey FROM temp.new_citekeys n WHERE n.id = papers.id)"
                 " WHERE id IN (SELECT id FROM temp.new_citekeys)")
    conn.execute("DELETE FROM temp.new_citekeys")


def set_key(library: Library, paper_id: int, key: str | None) -> str | None:
    """A hand-made key (None clears it); returns the previous key, for undo. Raises ValidationError."""
    if key is not None:
        key = str(key).strip()
        if not key:
            raise ValidationError("A citation key cannot be empty.")
        if not KEY_RE.match(key):
            raise ValidationError(f"'{key}' cannot be a citation key: use up to 100 letters, digits and - _ : . + /,"
                                  " starting with a letter or digit.")
    with library.transaction() as conn:
        row = conn.execute("SELECT citekey FROM papers WHERE id = ?", (paper_id,)).fetchone()
        if row is None:
            raise LibraryError(f"record {paper_id} is no longer in the library")
        old = row[0]
        if key == old:
            return old
        if key is not None:
            other = conn.execute("SELECT id, title FROM papers WHERE lower(citekey) = lower(?) AND id != ?",
                                 (key, paper_id)).fetchone()
            if other:
                raise ValidationError(f"The key '{key}' is already used by record {other[0]}, '{other[1]}'.")
        conn.execute("UPDATE papers SET citekey = ? WHERE id = ?", (key, paper_id))
        library.log("citekey", {"from": old, "to": key}, paper_id=paper_id)
    return old


def get_pattern(library: Library) -> str:
    row = library.conn.execute("SELECT value FROM settings WHERE key = ?", (_SETTING,)).fetchone()
    return row[0] if row and row[0] else DEFAULT_PATTERN


def set_pattern(library: Library, pattern: str) -> str:
    """Store the library's key pattern (used for keys made from now on); returns the previous one."""
    pattern = validate_pattern(pattern)
    with library.transaction() as conn:
        old = get_pattern(library)
        conn.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (_SETTING, pattern))
        library.log("citekey-pattern", {"from": old, "to": pattern})
    return old
