"""Dump files -> parsed records, the profile header and a parse report. Pure functions, no I/O but `read_dump`.

A dump is the text of one page of a paper-listing site (see docs/dump-format.md). Every record starts with a
meta line (``98.7LGMay 28Code``); what follows up to the next meta line is the record: title and authors
(on separate lines in layout A, glued on one line in layouts B and C) and a one-line abstract. The parser never
raises on text: whatever it cannot read becomes a line in the report, and every record keeps its raw text.
"""

from __future__ import annotations

import calendar
import datetime as dt
import gc
import hashlib
import operator
import os
import re
import stat
from collections import Counter
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path

from . import names as N
from .libfile import describe_kind
from .text import clean_text, escape_name, has_controls
from .wording import count

MAX_FILE_BYTES = 256 * 1024 * 1024
MIN_YEAR = 1900  # dates before this (or after the capture's next year) are flagged for review
_LOADED_YEAR = dt.date.today().year

MONTHS = {m: i for i, m in enumerate(calendar.month_abbr) if m}
META_RE = re.compile(
    r"^(?P<score>\d{1,4}(?:\.\d+)?)?(?P<category>[A-Z]{2})"
    r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (?P<day>\d{1,2})"
    r"(?:, (?P<year>\d{4}))?(?P<code>Code)?$"
)
URL_RE = re.compile(r"https?://[^\s<>\"'{}\\]+")

_PROFILE_PATTERNS = {
    "h_index": re.compile(r"^h-index\s*(\d+)$"),
    "paper_count": re.compile(r"^(\d+)\s*papers$"),
    "citations": re.compile(r"^(\d+)\s*citations$"),
    "novelty": re.compile(r"^Novelty\s*(\d+)%$"),
    "ai_score": re.compile(r"^AI Score\s*(\d+)$"),
    "listed_papers": re.compile(r"^(\d+) Papers$"),
}


class DumpError(Exception):
    """A file that cannot be read as a dump at all (empty, binary, too large). The message names the file."""


@dataclass
class Profile:
    name: str
    main_category: str | None = None
    h_index: int | None = None
    paper_count: int | None = None
    citations: int | None = None
    novelty: int | None = None
    ai_score: int | None = None
    listed_papers: int | None = None
    line: int = 1


@dataclass
class ParsedRecord:
    line: int  # 1-based line of the meta line
    end_line: int
    raw: str  # the record's lines exactly as in the file, meta line to abstract
    title: str
    authors: list[str]
    authors_truncated: bool
    org: str | None
    category: str
    date: str | None  # ISO; None when the file gives an impossible date
    date_text: str  # as shown: "May 28", "Dec 16, 2022"
    has_code: bool
    score: float | None
    abstract: str
    code_urls: list[str]
    needs_review: bool = False
    review: dict | None = None  # {"reasons": [...], "alternatives": [{"title", "authors", "score"}]}
    fingerprint: str = ""

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None

    def __reduce__(self):
        # Pickled as one tuple of fields: a large import hands ~100,000 records a minute from the parsing
        # processes to the writer, and the default (a dict of field names per record) costs twice as much.
        return (ParsedRecord, _RECORD_FIELDS(self))


_RECORD_FIELDS = operator.attrgetter(*(f.name for f in fields(ParsedRecord)))


@dataclass
class ParseReport:
    file: str
    encoding: str = "utf-8"
    layout: str | None = None
    records_read: int = 0
    records_flagged: int = 0
    flag_reasons: dict = field(default_factory=dict)  # reason -> how many flagged records give it
    skipped: list[dict] = field(default_factory=list)  # {"line", "reason"}
    warnings: list[dict] = field(default_factory=list)  # {"line" (or None), "message"}

    def skip(self, line: int, reason: str) -> None:
        self.skipped.append({"line": line, "reason": reason})

    def warn(self, line: int | None, message: str) -> None:
        self.warnings.append({"line": line, "message": message})


@dataclass
class ParsedDump:
    file_name: str
    sha256: str
    size: int
    captured: dt.date
    capture_source: str  # "given" or "file modification time"
    layout: str | None
    profile: Profile | None
    records: list[ParsedRecord]
    report: ParseReport


# --- decoding -------------------------------------------------------------------------------------------

_MOJIBAKE_RE = re.compile("[ÃÂ][\u0080-\u00bf]|â€[\u0080-\u00bf™œ\u009d”“˜¦]")


_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))


def looks_binary(data: bytes) -> bool:
    sample = data[:65536]
    if b"\x00" in sample:
        return True
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return control > len(sample) * 0.05


# Byte-order marks that name the encoding outright; UTF-32's before UTF-16's (FF FE 00 00 starts with FF FE).
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32-be", "utf-32"),
    (b"\xff\xfe", "utf-16-le", "utf-16"),
    (b"\xfe\xff", "utf-16-be", "utf-16"),
)
_MAX_CONTROL_WARNINGS = 10


def decode(data: bytes, file_name: str, report: ParseReport) -> str:
    """Bytes -> text. A UTF-16/UTF-32 byte-order mark names the encoding; else UTF-8 (with or without BOM) first,
    cp1252, then latin-1, with a warning, never silently. NULs, other control characters and terminal escape
    sequences are removed, line by line, with a warning: none of them reach the library."""
    if not data or data.isspace():  # (data.strip() would copy the whole file to say so)
        raise DumpError(f"{file_name}: the file is empty")
    for bom, name, codec in _BOMS:
        if data.startswith(bom):
            report.encoding = name
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                text = data.decode(codec, errors="replace")
                report.warn(None, f"not valid {name.upper()} (from byte {exc.start}); unreadable characters"
                                  " replaced by \ufffd")
            if not text.strip():
                raise DumpError(f"{file_name}: the file is empty")
            if _mostly_control(text):
                raise DumpError(f"{file_name}: this is a binary file, not a text dump")
            return _without_controls(text, report)
    if looks_binary(data):
        raise DumpError(f"{file_name}: this is a binary file, not a text dump")
    if data.startswith(b"\xef\xbb\xbf"):
        report.encoding = "utf-8-sig"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        for encoding in ("cp1252", "latin-1"):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError:
                continue
            report.encoding = encoding
            report.warn(line, f"not UTF-8 (first bad byte on line {line}); read as {encoding}: check accented letters")
            break
    else:
        # ("Ã" in text or "Â" in text or "â€" in text), asked of the bytes: valid UTF-8 holds a character's encoding
        # exactly where the text holds the character, and a search of bytes is a fraction of one of wide text.
        suspect = b"\xc3\x83" in data or b"\xc3\x82" in data or b"\xc3\xa2\xe2\x82\xac" in data
        match = _MOJIBAKE_RE.search(text) if suspect else None
        if match:
            line = text.count("\n", 0, match.start()) + 1
            report.warn(line, f"text looks doubly encoded (mojibake such as {match.group()!r}); stored as it is")
        if not _utf8_has_controls(data):
            return text
    return _without_controls(text, report)


# The control characters text.has_controls looks for, as they appear in UTF-8: the ASCII ones as themselves, the
# C1 ones (U+0080-U+009F) as C2 80 - C2 9F.
_ASCII_CONTROL_BYTES = bytes([*range(0x00, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_C1_IN_UTF8_RE = re.compile(rb"\xc2[\x80-\x9f]")


# Every byte to 1 but the ASCII control characters, to 0: a translation by table and a search for one byte (memchr)
# take half the work of deleting them and comparing lengths.
_ASCII_CONTROL_TO_ZERO = bytes(0 if b in _ASCII_CONTROL_BYTES else 1 for b in range(256))
_C1_LEADS_WALKED = 64  # lead bytes of U+0080-U+00BF (·, °, ©, a no-break space) looked at one by one, at most


def _utf8_has_controls(data: bytes) -> bool:
    """``text.has_controls`` of valid UTF-8 ``data`` once decoded, read from the bytes: a translation in C for the
    ASCII ones, and the C1 ones (C2 80 - C2 9F) found from their lead byte, which few texts hold (the regular
    expression's byte-by-byte scan, seven times the work of a search for one byte, only after many of them)."""
    if b"\x00" in data.translate(_ASCII_CONTROL_TO_ZERO):
        return True
    find, at, last = data.find, data.find(b"\xc2"), len(data) - 1
    for _ in range(_C1_LEADS_WALKED):
        if at == -1:
            return False
        if at < last and 0x80 <= data[at + 1] <= 0x9F:
            return True
        at = find(b"\xc2", at + 1)
    return at != -1 and _C1_IN_UTF8_RE.search(data, at) is not None


def _mostly_control(text: str) -> bool:
    sample = text[:65536]
    control = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f")
    return control > len(sample) * 0.05


def _without_controls(text: str, report: ParseReport) -> str:
    """NULs, control characters and terminal escape sequences removed (a NUL past the binary check's first 64 KB,
    an escape sequence in a title), each line that had any named in a warning."""
    if not has_controls(text):
        return text
    lines = text.split("\n")
    dirty = 0
    for index, line in enumerate(lines):
        if has_controls(line):
            cleaned, removed = clean_text(line)
            lines[index] = cleaned
            dirty += 1
            if dirty <= _MAX_CONTROL_WARNINGS:
                number = index + 1 + sum(part.count("\r") - part.endswith("\r") for part in lines[:index])
                report.warn(number, f"removed {removed} control character{'s' if removed != 1 else ''} (NUL, terminal"
                                    " escape sequences or the like) from this line")
    if dirty > _MAX_CONTROL_WARNINGS:
        report.warn(None, f"control characters removed from {count(dirty - _MAX_CONTROL_WARNINGS, 'more line')}")
    return "\n".join(lines)


def split_lines(text: str) -> list[str]:
    """Lines as an editor numbers them: CRLF, CR and LF all end a line, nothing else does."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


# --- parsing --------------------------------------------------------------------------------------------


def resolve_date(month: str, day: str, year: str | None, captured: dt.date) -> dt.date:
    """The site omits the year of dates in the capture year; a year-less date after the capture date is last year's."""
    m, d = MONTHS[month], int(day)
    if year:
        return dt.date(int(year), m, d)
    try:
        resolved = dt.date(captured.year, m, d)
    except ValueError:  # Feb 29 outside a leap year: it can only be from an earlier year
        resolved = None
    if resolved is None or resolved > captured:
        resolved = dt.date(captured.year - 1, m, d)
    return resolved


@lru_cache(maxsize=4096)  # a file's records share a few hundred dates
def _iso_date(month: str, day: str, year: str | None, captured: dt.date) -> str:
    return resolve_date(month, day, year, captured).isoformat()


def code_urls(abstract: str) -> list[str]:
    if "http" not in abstract:
        return []
    urls = []
    for url in URL_RE.findall(abstract):
        url = url.rstrip(".,;:!?")
        while url.endswith(")") and url.count(")") > url.count("("):
            url = url[:-1].rstrip(".,;:!?")
        urls.append(url)
    return urls


def fingerprint(meta: str, body_lines: list[str]) -> str:
    """Identity of a record's content, blind to blank lines and surrounding whitespace."""
    text = "\n".join([meta.strip()] + [t for line in body_lines if (t := line.strip())])
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def _parse_profile(header: list[tuple[int, str]], report: ParseReport) -> Profile | None:
    """Layout A's header: the author's name, main category and figures, one per line."""
    lines = [(n, s.strip()) for n, s in header if s.strip()]
    if not lines:
        return None
    figures: dict[str, int] = {}
    rest: list[tuple[int, str]] = []
    for n, s in lines:
        for key, pattern in _PROFILE_PATTERNS.items():
            m = pattern.match(s)
            if m and key not in figures:
                figures[key] = int(m.group(1))
                break
        else:
            rest.append((n, s))
    if len(figures) < 2 or not rest:
        for n, s in lines:
            report.skip(n, "text before the first record (not a profile header)")
        return None
    (name_line, name), extra = rest[0], rest[1:]
    profile = Profile(name=name, line=name_line, **figures)
    if extra and re.fullmatch(r"[A-Z]{2}", extra[0][1]):
        profile.main_category = extra[0][1]
        extra = extra[1:]
    for n, s in extra:
        report.skip(n, "unrecognised line in the profile header")
    return profile


def _blocks(lines: list[str]) -> tuple[list[tuple[int, str]], list[tuple[int, re.Match, list[tuple[int, str]]]]]:
    """Header lines, then (line number, meta match, non-blank lines) per record: the lines that follow the meta
    line up to the next one, blank ones left out, stripped, each with its number (numbers count from 1, so two
    lines with a blank between them differ by more than one)."""
    header: list[tuple[int, str]] = []
    blocks: list[tuple[int, re.Match, list[tuple[int, str]]]] = []
    body: list[tuple[int, str]] | None = None
    match = META_RE.match
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if not stripped:
            continue  # (a profile header's blank lines are no part of it either)
        meta = match(stripped) if len(stripped) <= 40 else None
        if meta:
            body = []
            blocks.append((number, meta, body))
        elif body is not None:
            body.append((number, stripped))
        else:
            header.append((number, line))
    return header, blocks


def parse_text(text: str, file_name: str, captured: dt.date, report: ParseReport | None = None) -> tuple[
    Profile | None, list[ParsedRecord], ParseReport
]:
    """Parse a decoded dump. Never raises on any text; problems go into the report.

    Python's cycle collector is paused meanwhile: the parse makes no reference cycles (refcounting frees all it
    drops), yet its ~40 objects a record set off collections that walk every object of the process, the parser's
    caches of names and lines included (a tenth to a fifth of the parse's time)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _parse_text(text, file_name, captured, report)
    finally:
        if collecting:
            gc.enable()


def _parse_text(text: str, file_name: str, captured: dt.date, report: ParseReport | None) -> tuple[
    Profile | None, list[ParsedRecord], ParseReport
]:
    report = report or ParseReport(file=file_name)
    lines = split_lines(text)
    header, blocks = _blocks(lines)
    profile = _parse_profile(header, report)

    # Structure first: which records stand on lines of their own (layout A) and which glue title and authors.
    # Names the file shows unambiguously (layout-A author lines, the names after the glued one) help to place
    # the boundary in glued lines.
    shapes: list[str] = []
    own: list[tuple[str, ...]] = []
    names_of: list[tuple[str, ...]] = []  # every record's names in order, for the file's counts
    name_score = N.name_shape_score
    for _, _, nonblank in blocks:
        shape = _record_shape(nonblank)
        shapes.append(shape)
        if shape == "A":
            names = N.read_author_line(nonblank[1][1]).names
        elif nonblank:
            tail, _ = N.strip_et_al(N.strip_org(nonblank[0][1])[0])
            names = tuple(n for n in N._split_names(tail)[1:] if name_score(n) is not None)  # N.is_name
        else:
            names = ()
        own.append(names)
        if names:
            names_of.append(names)
    seen: Counter = Counter(name for names in names_of for name in names)
    words: dict[str, int] = {}
    for name, times in seen.items():  # (each name's words once, counted as often as the name)
        for word in name.split(" "):
            words[word] = words.get(word, 0) + times
    seen_words = Counter(words)
    vocabulary = _FileWords([nonblank for _, _, nonblank in blocks], shapes)

    records: list[ParsedRecord] = []
    layouts: set[str] = set()
    uncertain: list[tuple[ParsedRecord, list[str], tuple[str, ...]]] = []
    dates: dict = {}  # (month, day, year) -> _file_date's answer: a file repeats its dates
    seen_get, seen_words_get = seen.get, seen_words.get  # (a Counter's [] calls __missing__ for a name not seen)
    for (number, meta, nonblank), shape, mine in zip(blocks, shapes, own):
        if shape == "A" or not nonblank:
            is_known = name_words = None  # (a layout-A record is never split; a record with no lines is skipped)
        else:
            # Evidence from the other records of the file: a name this very line shows does not vouch for itself.
            def is_known(name, mine=mine):
                return seen_get(name, 0) > mine.count(name)

            def name_words(word, mine=mine):
                times = seen_words_get(word, 0)
                return times > 0 and times > sum(n.split(" ").count(word) for n in mine)

        record = _parse_record(number, meta, shape, is_known, name_words, vocabulary, captured, report,
                               layouts, nonblank, dates, lines)
        if record is not None:
            records.append(record)
            if shape != "A" and record.needs_review and record.review and record.review["alternatives"]:
                uncertain.append((record, [t for _, t in nonblank], mine))
    if uncertain:
        _settle_with_the_files_readings(records, uncertain, seen, seen_words, vocabulary)
    _mark_repeats_within_file(records)

    if records and not records[-1].abstract.rstrip().endswith((".", "!", "?", ")", "]", "}", "$", '"', "'")):
        report.warn(records[-1].line, "the last record's abstract ends mid-sentence: the dump may be cut off")
    if profile is not None:
        layouts.add("A")
    if "B" in layouts and any(r.score is not None for r in records):
        layouts = (layouts - {"B"}) | {"C"}  # layout C is layout B with trending scores
    report.layout = "mixed" if len(layouts) > 1 else (layouts.pop() if layouts else None)
    report.records_read = len(records)
    report.records_flagged = sum(1 for r in records if r.needs_review)
    report.flag_reasons = flag_reasons(records)
    return profile, records, report


def _settle_with_the_files_readings(records, uncertain, seen, seen_words, vocabulary) -> None:
    """A second look at the glued lines the first pass left uncertain, with what the file's other records were
    read as without doubt: their first authors are names seen elsewhere, their titles' words (``…for WeChat``,
    ``…with GPT-4V``) words the file uses. Only unflagged readings count, so a doubtful one never vouches."""
    sure = [r for r in records if not r.needs_review]
    firsts = Counter(r.authors[0] for r in sure if r.authors)
    title_words = N.folded_word_set("\n".join(r.title for r in sure))

    def file_word(word):
        return vocabulary(word) or word in title_words

    for record, nonblank, mine in uncertain:
        def is_known(name, mine=mine):
            return seen[name] + firsts[name] > mine.count(name)

        def name_words(word, mine=mine):
            return seen_words[word] > sum(n.split(" ").count(word) for n in mine)

        split = N.split_glued(nonblank[0], is_known=is_known, context=nonblank[1] if len(nonblank) > 1 else "",
                              name_words=name_words, vocabulary=file_word)
        if split.best is None:
            continue
        others = [x for x in record.review["reasons"] if x not in N.GLUE_REASONS]
        record.title, record.authors = split.best.title, list(split.best.names)
        if split.uncertain:
            record.review = {"reasons": [split.reason or "the end of the title is uncertain", *others],
                             "alternatives": [x.as_dict() for x in [split.best, *split.alternatives]]}
        else:
            record.review = {"reasons": others, "alternatives": []} if others else None
            record.needs_review = bool(others)


def _record_shape(nonblank: list[tuple[int, str]]) -> str:
    """'A' when the record's title, authors and abstract stand on lines of their own, 'B' when the title and
    the authors are glued on one line. Decided from the lines' structure, never from what the names look like:
    a blank line after the title (or after the author line) sets the parts apart; without blank lines, a
    second line that is built like an author list (one to three short comma-separated names, no sentence)
    followed by a third line is one too. ``nonblank``: the record's non-blank lines, stripped, with their numbers."""
    if len(nonblank) < 2:
        return "B"
    if nonblank[1][0] - nonblank[0][0] > 1:
        return "A"  # a blank line after the title: the title stands alone, whatever follows
    if len(nonblank) >= 3 and N.looks_like_author_line(nonblank[1][1]):
        return "A"
    return "B"


class _FileWords:
    """The words that stand whole in a file (abstracts, titles), case-folded; read only when first asked."""

    def __init__(self, nonblanks, shapes):
        self.nonblanks, self.shapes = nonblanks, shapes  # each record's non-blank lines, stripped
        self.words: set[str] | None = None
        self.heads: frozenset[str] | None = None

    def word_set(self) -> set[str]:
        if self.words is None:
            texts = []
            for nonblank, shape in zip(self.nonblanks, self.shapes):
                if shape != "A":
                    texts += [t for _, t in nonblank[1:]]  # a glued line's words are what is in question
                elif len(nonblank) >= 2:
                    texts.append(nonblank[0][1])  # a title and an abstract, not the names
                    texts += [t for _, t in nonblank[2:]]
                else:
                    texts += [t for _, t in nonblank]
            self.words = N.folded_word_set("\n".join(texts))  # (case-folded)
        return self.words

    def word_heads(self) -> frozenset[str]:
        """The first four letters of the words of four letters or more: a piece of a word that is not among them
        begins none of them (names._crosses asks about many pieces)."""
        if self.heads is None:
            self.heads = frozenset(w[:4] for w in self.word_set() if len(w) >= 4)
        return self.heads

    def __call__(self, word: str) -> bool:
        return word in (self.words if self.words is not None else self.word_set())


def _file_date(month: str, day: str, year_text: str | None, captured: dt.date) -> str | tuple[str, str]:
    """A meta line's date as ISO, or (the reason to flag the record, the warning with ``{meta}`` for the meta line)
    when the file gives an impossible date or an unlikely year."""
    try:
        date = _iso_date(month, day, year_text, captured)
    except ValueError:
        return (f"impossible date {month} {day}",
                "impossible date '{meta}': stored without a date, flagged for review")
    year = int(date[:4])
    # (today's date is asked only for a year past the one this module was loaded in: a clock call per record
    # was a twentieth of the parse)
    latest = _LOADED_YEAR + 1 if MIN_YEAR <= year <= _LOADED_YEAR + 1 else dt.date.today().year + 1
    if not MIN_YEAR <= year <= latest:  # the editor refuses these too (core/curation.py)
        return (f"unlikely year {year}", f"unlikely year {year} in '{{meta}}' (outside {MIN_YEAR}-{latest}):"
                                         " stored without a date, flagged for review")
    return date


def _parse_record(number, meta, shape, is_known, name_words, vocabulary, captured, report,
                  layouts, nonblank, dates, lines) -> ParsedRecord | None:
    """One record from its meta line and lines (``nonblank``: the non-blank ones stripped, with their numbers).
    ``dates`` caches the file's dates; ``lines`` are the file's."""
    meta_text = meta.group(0)
    if not nonblank:
        report.skip(number, "a meta line with no title or authors after it (cut-off record)")
        return None
    reasons: list[str] = []
    alternatives: list[dict] = []

    if shape == "A":  # layout A: title, authors and abstract on lines of their own; never re-split
        layouts.add("A")
        authors = N.read_author_line(nonblank[1][1])
        title, names = nonblank[0][1], list(authors.names)
        truncated, org = authors.truncated, authors.org
        if N.author_line_is_odd(nonblank[1][1]):
            reasons.append("the line after the title holds more than three names: is it the author line?")
        used = 3
    else:  # layouts B and C: title and authors glued on one line
        layouts.add("B")
        split = N.split_glued(nonblank[0][1], is_known=is_known,
                              context=nonblank[1][1] if len(nonblank) > 1 else "",
                              name_words=name_words, vocabulary=vocabulary)
        truncated, org = split.truncated, split.org
        if split.best is None:
            title, names = nonblank[0][1], []
            reasons.append("no author list found after the title")
        else:
            title, names = split.best.title, list(split.best.names)
            if split.uncertain:
                reasons.append(split.reason or "the end of the title is uncertain")
                alternatives = [r.as_dict() for r in [split.best, *split.alternatives]]
        used = 2

    abstract = nonblank[used - 1][1] if len(nonblank) >= used else ""
    if len(nonblank) < used:
        reasons.append("no abstract (cut-off record?)")
        report.warn(number, "record has no abstract: the dump may be cut off here")
    for n, _ in nonblank[used:]:
        report.skip(n, "stray text between records")
    last_line = nonblank[min(used, len(nonblank)) - 1][0]

    score, category, month, day, year_text, code = meta.groups()
    date = dates.get((month, day, year_text))
    if date is None:
        date = dates[month, day, year_text] = _file_date(month, day, year_text, captured)
    if date.__class__ is not str:  # (the file's dates are checked once each: _file_date)
        problem, warning = date
        date = None
        reasons.append(problem)
        report.warn(number, warning.replace("{meta}", meta_text))

    # The record's lines are the file's lines number + 1 .. last_line (``lines`` counts from 0), blank ones too.
    raw_lines = [meta_text]
    raw_lines += lines[number:last_line]
    # = fingerprint(meta_text, kept lines): the meta line and the kept lines' non-blank ones, stripped
    identity = [meta_text]
    identity += [t for _, t in nonblank[:used]]  # (a slice stops at the list's end by itself)
    # (fields in ParsedRecord's order, passed by position: naming seventeen of them costs a third of the call)
    return ParsedRecord(
        number, last_line, "\n".join(map(str.rstrip, raw_lines)).rstrip("\n"), title, names, truncated, org, category,
        date, f"{month} {day}, {year_text}" if year_text else f"{month} {day}", bool(code),
        float(score) if score else None, abstract, code_urls(abstract) if "http" in abstract else [],
        bool(reasons), {"reasons": reasons, "alternatives": alternatives} if reasons else None,
        hashlib.blake2b("\n".join(identity).encode("utf-8"), digest_size=16).hexdigest())


def flag_reasons(records: list[ParsedRecord]) -> dict[str, int]:
    """How many flagged records give each reason, most frequent first."""
    counts = Counter(reason for r in records if r.needs_review and r.review for reason in r.review.get("reasons", []))
    return dict(counts.most_common())


def _mark_repeats_within_file(records: list[ParsedRecord]) -> None:
    """A file may hold the very same record twice; give each occurrence its own identity so both are kept."""
    counts: dict[str, int] = {}
    for record in records:
        n = counts.get(record.fingerprint, 0)
        counts[record.fingerprint] = n + 1
        if n:
            record.fingerprint = f"{record.fingerprint}#{n + 1}"


def capture_date_of(path: Path) -> dt.date:
    return dt.date.fromtimestamp(os.stat(path).st_mtime)


def parse_bytes(data: bytes, file_name: str, captured: dt.date, capture_source: str = "given") -> ParsedDump:
    """Parse a dump's bytes. Raises DumpError for files that are not dumps at all; anything else is reported."""
    if len(data) > MAX_FILE_BYTES:
        raise DumpError(
            f"{file_name}: the file is {len(data) / 2**20:.0f} MB; dumps over {MAX_FILE_BYTES // 2**20} MB are refused"
        )
    report = ParseReport(file=file_name)
    text = decode(data, file_name, report)
    profile, records, report = parse_text(text, file_name, captured, report)
    if not records:
        raise DumpError(f"{file_name}: no records found (no line like 'LGMay 28Code' that starts a record)")
    return ParsedDump(
        file_name=file_name,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        captured=captured,
        capture_source=capture_source,
        layout=report.layout,
        profile=profile,
        records=records,
        report=report,
    )


def read_dump(path: str | os.PathLike, captured: dt.date | None = None) -> ParsedDump:
    """Read and parse one dump file; the capture date defaults to the file's modification time.

    Only regular files are read: a named pipe (which would wait for a writer for ever), a device (``/dev/zero``
    never ends), a socket or a folder is refused by its kind before it is opened. Reading stops one byte past
    the limit whatever the file's size claims to be. A file name that is not UTF-8 is kept, escaped
    (core/text.py)."""
    path = Path(path)
    name = escape_name(path.name)
    try:
        kind = os.stat(path).st_mode
        if not stat.S_ISREG(kind):
            raise DumpError(f"{name}: this is {describe_kind(kind)}, not a dump file; it was not read")
        # O_NONBLOCK: should the file have become a named pipe since, opening it does not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as handle:
            kind = os.fstat(handle.fileno()).st_mode
            if not stat.S_ISREG(kind):
                raise DumpError(f"{name}: this is {describe_kind(kind)}, not a dump file; it was not read")
            size = os.fstat(handle.fileno()).st_size
            if size > MAX_FILE_BYTES:
                raise DumpError(
                    f"{name}: the file is {size / 2**20:.0f} MB; dumps over {MAX_FILE_BYTES // 2**20} MB are refused"
                )
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise DumpError(f"{name}: the file is over {MAX_FILE_BYTES // 2**20} MB (more than its size said);"
                            " dumps over that are refused")
    except OSError as exc:
        raise DumpError(f"{name}: cannot read the file ({exc.strerror or exc})") from exc
    source = "given"
    if captured is None:
        captured, source = capture_date_of(path), "file modification time"
    return parse_bytes(data, name, captured, source)
