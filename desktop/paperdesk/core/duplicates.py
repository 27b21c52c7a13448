"""Duplicate detection: normalise, block, score, group. Qt-free.

The same paper arrives in several dumps with small differences (case, punctuation, hyphens, LaTeX or Unicode
accents, typos, a year's shift between preprint and publication, initials for given names), while distinct
papers can have nearly identical titles (``X`` vs ``X-2.0 Technical Report``, Part I / Part II). So:

1. **Normalise** titles and names to what survives those differences.
2. **Block**: only records that share a blocking key (the exact normalised title, a title word, or two
   neighbouring title words) held by at most ``MAX_BLOCK`` records are ever compared, so the work grows with
   the library, not with its square. A typo changes one word, so the record still shares the others.
3. **Score** each candidate pair from title similarity, author overlap (tolerant of truncated lists and
   initials), date distance and abstract similarity, minus explicit evidence *against* a match (different
   version or part numbers, a companion report, disjoint authors years apart), with the reasons in words.
4. **Group** pairs above the preset's lowest threshold into connected groups; a group is as sure as its
   weakest link.

Pairs a librarian marked "not duplicates" are remembered in the ``decisions`` table and never come back.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from itertools import combinations
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA
from rapidfuzz.utils import default_process

from .wording import count

# Scores where the abstract's +4 / -15 can move a pair across a threshold of any preset.
ABSTRACT_MATTERS_LOW, ABSTRACT_MATTERS_HIGH = 52.0, 111.0
ABSTRACTS_DIFFER = 65  # below this character similarity two abstracts are other texts, not one text edited
NO_SHARED_AUTHOR = 10  # the same title, no author in common: at most "possible"
NO_SHARED_AUTHOR_YEARS_APART = 25
VERSIONS_DIFFER, PARTS_DIFFER = 25, 30
MARKS_DIFFER = min(VERSIONS_DIFFER, PARTS_DIFFER)  # what other title marks (title_marks) cost a pair at least
AUTHOR_LISTS_DIFFER = 12  # the same title, a name in common, but other author lists: at most "possible"
TITLE_FLOOR = 55  # below this title similarity nothing else can lift a pair to "possible"
MAX_BLOCK = 60  # a key shared by more records than this is too common to tell anything: it is not used

_LATEX_ACCENT_RE = re.compile(r"\\[`'^\"~=.uvHcdbkr]\s*\{?\\?([A-Za-z])\}?")
_LATEX_CMD_RE = re.compile(r"\\([A-Za-z]+)\s*")
_NON_WORD_RE = re.compile(r"[^\w]+")
_DIGIT_RE = re.compile(r"\d")
_STOP = frozenset(
    "a an the of for and or in on to with via from by at as is are be its into towards toward using based "
    "under over than through without within your our their this that what when how why can do does"
    .split()
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6}
# after a letter too: "FoldSound-2.0" joined as "FoldSound2.0" keeps its 2.0
_VERSION_RE = re.compile(r"(?<![\d.])v?(\d+(?:\.\d+)+|\d+)(?![\w.])")
_PART_RE = re.compile(r"\bpart\s+([ivx]+|\d+)\b")
_REPORT_WORDS = ("technical report", "tech report", "technique report", "system card", "supplementary")
# over the title with its spaces taken out: "TechnicalReport" is a technical report too
_REPORT_RE = re.compile("|".join(re.escape(w.replace(" ", "")) for w in _REPORT_WORDS))


@dataclass(frozen=True)
class Preset:
    name: str
    certain: float
    likely: float
    possible: float


PRESETS = {
    "strict": Preset("strict", certain=94, likely=88, possible=80),
    "balanced": Preset("balanced", certain=90, likely=80, possible=70),
    "loose": Preset("loose", certain=86, likely=74, possible=60),
}


def strip_accents(text: str) -> str:
    if "\\" in text or "{" in text:
        text = _LATEX_ACCENT_RE.sub(r"\1", text)
        text = _LATEX_CMD_RE.sub(" ", text.replace("{", "").replace("}", ""))
    if text.isascii():
        return text  # the common case, without decomposing every character
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def normalize_title(title: str) -> str:
    """Case, accents (Unicode or LaTeX), punctuation, hyphens and spacing folded away."""
    text = strip_accents(title or "").replace("$", " ").lower()
    return " ".join(_NON_WORD_RE.sub(" ", text).split())


def title_words(normalized: str) -> list[str]:
    return [w for w in normalized.split() if w not in _STOP and len(w) > 1]


@lru_cache(maxsize=65536)  # a library names the same people again and again
def name_key(name: str) -> tuple[str, str]:
    """(first initial, family name): ``Kevin K. Yang`` and ``K. Yang`` both give ('k', 'yang')."""
    words = normalize_title(name).split()
    if not words:
        return ("", "")
    if len(words) == 1:
        return ("", words[0])
    return (words[0][0], words[-1])


@lru_cache(maxsize=65536)
def given_name(name: str) -> str:
    """The first given name as written (``kevin`` of ``Kevin K. Yang``, ``k`` of ``K. Yang``); empty for one word."""
    words = normalize_title(name).split()
    return words[0] if len(words) > 1 else ""


@dataclass
class Record:
    """What the scorer needs of a paper, normalised once."""

    id: int
    title: str
    authors: list[str]
    truncated: bool
    year: int | None
    abstract: str
    norm_title: str = ""
    words: list[str] = field(default_factory=list)
    names: list[tuple[str, str]] = field(default_factory=list)
    givens: list[str] = field(default_factory=list)
    norm_abstract: str = ""
    word_set: frozenset = frozenset()
    joins: frozenset = frozenset()
    versions: frozenset = frozenset()
    part: int | None = None
    is_report: bool = False

    def __post_init__(self):
        # Everything the scorer compares, computed once per record rather than once per pair.
        self.norm_title = normalize_title(self.title)
        self.words = title_words(self.norm_title)
        self.word_set = frozenset(self.words)
        raw = self.norm_title.split()
        self.joins = frozenset(a + b for a, b in zip(raw, raw[1:]))  # "fine tuning" may be "finetuning" elsewhere
        self.names = [name_key(a) for a in self.authors]
        self.givens = [given_name(a) for a in self.authors]
        # norm_abstract is filled on first use (score_pair): most pairs are settled before the abstracts matter
        self.versions = frozenset(_versions(self.title))
        self.part = _part(self.norm_title)
        self.is_report = _REPORT_RE.search(self.norm_title.replace(" ", "")) is not None


@dataclass
class PairScore:
    a: int
    b: int
    score: float
    reasons: list[str]
    against: list[str]


@dataclass
class Group:
    records: list[int]
    confidence: str  # certain | likely | possible
    score: float
    reasons: list[str]

    def as_dict(self) -> dict:
        return {"records": self.records, "confidence": self.confidence, "score": round(self.score, 1),
                "reasons": self.reasons}


# --- evidence ---------------------------------------------------------------------------------------------


def _numbers(normalized: str) -> set[str]:
    """Version-like numbers in a title, read from the raw form so that 2.0 stays 2.0."""
    return set(_VERSION_RE.findall(normalized))


def _part(normalized: str) -> int | None:
    m = _PART_RE.search(normalized)
    if not m:
        return None
    value = m.group(1)
    return int(value) if value.isdigit() else _ROMAN.get(value)


def _versions(title: str) -> set[str]:
    text = strip_accents(title).lower()
    return {n for n in _VERSION_RE.findall(text) if not (len(n) == 4 and n.startswith(("19", "20")))}


def title_marks(title: str, normalized: str) -> str:
    """A title's version numbers and part, as one string (empty for most titles): two titles whose marks differ
    take at least MARKS_DIFFER off their pair's score (the scan's upper bound uses this)."""
    if "part" not in normalized and not _DIGIT_RE.search(title):  # most titles: no number, no part
        return ""
    versions, part = _versions(title), _part(normalized) or None  # no part and "Part 0" cost nothing (score_pair)
    return f"{' '.join(sorted(versions))}|{part}" if versions or part else ""


def _parts_joined(a: "Record", b: "Record") -> set[str]:
    """Words of ``a`` that ``b`` writes joined with their neighbour (``fine tuning`` / ``finetuning``)."""
    raw = a.norm_title.split()
    return {w for x, y in zip(raw, raw[1:]) if x + y in b.word_set for w in (x, y)}


def _near_spelling(x: str, y: str) -> bool:
    """One slip apart (a typo, two letters swapped, ``optimisation``/``optimization``); two in long words."""
    return OSA.distance(x, y, score_cutoff=2) <= (2 if min(len(x), len(y)) >= 9 else 1)


def _words_changed(only_a: set[str], only_b: set[str]) -> list[str]:
    """Words of either title that the other replaces by a different word, not by a misspelling of it: a number
    (``7b``/``70b``) always counts, a word when no word on the other side is a slip away from it."""
    out = []
    for mine, theirs in ((only_a, only_b), (only_b, only_a)):
        for w in sorted(mine):
            if _DIGIT_RE.search(w) or not any(_near_spelling(w, v) for v in theirs):
                out.append(w)
    return out


def _same_given(x: str, y: str) -> bool:
    """Given names that can be one person's: an initial, one the start of the other (``Xiao``/``Xiaoming``), or a
    slip apart (``Jurgen``/``Juergen``). ``Jianghao Li`` and ``Jiwoo Li`` are two people."""
    return len(x) <= 1 or len(y) <= 1 or x.startswith(y) or y.startswith(x) or _near_spelling(x, y)


def author_overlap(a: Record, b: Record) -> tuple[int, int]:
    """(shared names, names comparable): shown lists are at most three long, so compare what both show."""
    families_b: dict[str, list[tuple[str, str]]] = {}
    for (initial, family), given in zip(b.names, b.givens):
        families_b.setdefault(family, []).append((initial, given))
    shared = 0
    for (initial, family), given in zip(a.names, a.givens):
        for other_initial, other_given in families_b.get(family, ()):
            if not initial or not other_initial or (initial == other_initial and _same_given(given, other_given)):
                shared += 1
                break
    comparable = min(len(a.names), len(b.names))
    return min(shared, comparable), comparable  # two Luos on one side match the one Luo on the other once


def _author_lists_differ(a: Record, b: Record, shared: int, comparable: int) -> str | None:
    """Why two author lists that share a name are still not one paper's list, or None. Dumps show a paper's first
    names (up to three, then ``et al.``), so the same paper shows the same names in every dump: at most half of
    them in common, or a complete list shorter than what the other record shows, are other lists."""
    if comparable >= 2 and 2 * shared <= comparable:
        return f"only {shared} of {count(comparable, 'author')} in common"
    for short, long in ((a, b), (b, a)):
        if not short.truncated and len(short.names) < len(long.names):
            return f"one lists {count(len(short.names), 'author')} in all, the other {len(long.names)}"
    return None


def score_pair(a: Record, b: Record) -> PairScore:
    """0-100, with the reasons for and against in words."""
    reasons: list[str] = []
    against: list[str] = []
    title = fuzz.ratio(a.norm_title, b.norm_title)
    if title < TITLE_FLOOR and fuzz.token_sort_ratio(a.norm_title, b.norm_title) < TITLE_FLOOR:
        return PairScore(min(a.id, b.id), max(a.id, b.id), 0.0, [f"title {title:.0f}%"], [])
    if title < 100:
        title = max(title, fuzz.token_sort_ratio(a.norm_title, b.norm_title) - 3)
    reasons.append(f"title {title:.0f}%")
    score = title * 0.7

    shared, comparable = author_overlap(a, b)
    if comparable:
        reasons.append(f"{shared} of {comparable} author{'s' if comparable != 1 else ''}")
        # one name in common out of one shown says less than three out of three
        score += (14 if comparable == 1 else 20) * shared / comparable
    else:
        score += 8  # no authors shown on one side: neither for nor against

    if a.year and b.year:
        gap = abs(a.year - b.year)
        reasons.append("same year" if gap == 0 else f"{gap} year{'s' if gap > 1 else ''} apart")
        score += {0: 6, 1: 4, 2: 1}.get(gap, -4)
    # Evidence against: what makes near-identical titles distinct papers.
    va, vb = a.versions, b.versions
    if va != vb:
        against.append(f"different version numbers ({', '.join(sorted(va)) or 'none'} vs {', '.join(sorted(vb)) or 'none'})")
        score -= VERSIONS_DIFFER
    pa, pb = a.part, b.part
    if pa != pb and (pa or pb):
        against.append(f"different parts ({pa or '-'} vs {pb or '-'})")
        score -= PARTS_DIFFER
    # words of one title the other has neither as a word nor as two words written as one (and back)
    if a.word_set != b.word_set:
        only_a = {w for w in a.word_set - b.word_set if w not in b.joins} - _parts_joined(a, b)
        only_b = {w for w in b.word_set - a.word_set if w not in a.joins} - _parts_joined(b, a)
    else:
        only_a = only_b = set()
    if a.word_set == b.word_set and len(a.words) != len(b.words):
        # the same words, some twice in one title: "X, Part II" vs "X, Part II, Part II", "Sense-R1-R1"
        ca, cb = Counter(a.words), Counter(b.words)
        only_a, only_b = set(ca - cb), set(cb - ca)
    changed: list[str] = []
    if bool(only_a) != bool(only_b):
        extra = sorted(only_a or only_b)
        against.append(f"one title adds {', '.join(repr(w) for w in extra)}")
        score -= 15  # "X" vs "X-VAE", "Logics-Parsing" vs "Logics-Parsing-Omni": an extension or companion
    elif only_a and only_b:
        changed = _words_changed(only_a, only_b)
        if changed:
            against.append(f"titles differ in {' / '.join(repr(w) for w in changed)}")
            # "Sparse Attention for X" vs "Robust Attention for X": a sibling; "Foo-7B" vs "Foo-70B" as sure as
            # different version numbers (unless those already counted)
            numbers = va == vb and any(_DIGIT_RE.search(w) for w in changed)
            score -= 25 if numbers else 15
    ra, rb = a.is_report, b.is_report
    if ra != rb and not (only_a and only_b and not changed):  # not when a typo hides "technical report"
        against.append("one is a technical report")
        score -= 20
    if comparable and shared == 0 and a.year and b.year and abs(a.year - b.year) >= 3:
        against.append("no shared author, years apart")
        score -= NO_SHARED_AUTHOR_YEARS_APART
    elif comparable and shared == 0:
        # the same (often generic) title by other people: at a million records many titles recur
        against.append("no author in common")
        score -= NO_SHARED_AUTHOR
    elif shared:
        differ = _author_lists_differ(a, b, shared, comparable)
        if differ:
            # one name in common is what two papers of one group share too (a profile page lists its author on
            # every paper); the same paper in two dumps shows the same first names
            against.append(differ)
            score -= AUTHOR_LISTS_DIFFER
    # The abstracts last, and only where they can still change the verdict (+4 or -15): they cost the most.
    if a.abstract and b.abstract and ABSTRACT_MATTERS_LOW <= score <= ABSTRACT_MATTERS_HIGH:
        for r in (a, b):
            if not r.norm_abstract:
                r.norm_abstract = default_process(r.abstract[:600])  # in C: case and punctuation folded
        # Character similarity, not word sets: two papers on one topic share most of their words, while the same
        # paper in two dumps keeps its sentences (at most one edited or dropped).
        abstract = fuzz.ratio(a.norm_abstract, b.norm_abstract)
        if abstract >= 90:
            reasons.append(f"abstract {abstract:.0f}%")
            score += 4
        elif abstract < ABSTRACTS_DIFFER:
            # the same title and a name or two in common, but another text: a librarian would look before merging
            against.append(f"abstracts differ ({abstract:.0f}%)")
            score -= 15
    return PairScore(min(a.id, b.id), max(a.id, b.id), max(0.0, min(100.0, score)), reasons, against)


def confidence_of(score: float, preset: Preset) -> str | None:
    if score >= preset.certain:
        return "certain"
    if score >= preset.likely:
        return "likely"
    if score >= preset.possible:
        return "possible"
    return None


# --- blocking and grouping --------------------------------------------------------------------------------


def blocking_keys(norm_title: str) -> list[str]:
    """The exact title with its spaces taken out (``Fine-Tuning``, ``Fine Tuning`` and ``FineTuning`` agree),
    each significant word of four letters or more, each pair of neighbouring words, and each pair joined into
    one word (so that ``finetuning`` meets ``fine tuning``)."""
    words = title_words(norm_title)
    keys = ["=" + norm_title.replace(" ", "")]
    joined = {a + b for a, b in zip(words, words[1:])}
    keys += ["w:" + w for w in set(words) | joined if len(w) >= 4]
    keys += ["b:" + a + " " + b for a, b in set(zip(words, words[1:]))]
    return keys


def candidate_pairs(records: list[Record]) -> set[tuple[int, int]]:
    """Pairs (of list positions) worth scoring: records sharing a key that at most MAX_BLOCK records share."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, r in enumerate(records):
        for key in blocking_keys(r.norm_title):
            blocks[key].append(index)
    pairs: set[tuple[int, int]] = set()
    for members in blocks.values():
        if 2 <= len(members) <= MAX_BLOCK:
            pairs.update(combinations(members, 2))
    return pairs


def find_groups(
    records: list[Record],
    preset: Preset = PRESETS["balanced"],
    distinct: set[tuple[int, int]] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> list[Group]:
    """Candidate groups, surest first. ``distinct`` holds (low id, high id) pairs never to propose again."""
    distinct = distinct or set()
    pairs = candidate_pairs(records)
    scored: list[PairScore] = []
    total = len(pairs)
    for n, (i, j) in enumerate(pairs, start=1):
        if progress is not None and n % 5000 == 0:
            progress(n, total)
            if cancelled is not None and cancelled():
                return []
        a, b = records[i], records[j]
        key = (min(a.id, b.id), max(a.id, b.id))
        if key in distinct:
            continue
        pair = score_pair(a, b)
        if pair.score >= preset.possible:
            scored.append(pair)
    return _group(scored, preset)


def _group(pairs: list[PairScore], preset: Preset) -> list[Group]:
    """Groups tier by tier: the certain links make the certain groups, the likely links (between records not
    already in one certain group) the likely ones, and so on. A weak link never drags a certain pair down into a
    "possible" group; a group is as sure as the weakest link that holds it together."""
    groups: list[Group] = []
    placed: dict[int, int] = {}  # record -> id of its group in a surer tier
    for tier in ("certain", "likely", "possible"):
        edges = [p for p in pairs if confidence_of(p.score, preset) == tier
                 and not (p.a in placed and placed.get(p.a) == placed.get(p.b))]
        parent: dict[int, int] = {}

        def root(x: int) -> int:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        weakest: dict[int, PairScore] = {}
        for pair in sorted(edges, key=lambda p: -p.score):
            ra, rb = root(pair.a), root(pair.b)
            if ra == rb:
                continue
            low = min(weakest.get(ra, pair), weakest.get(rb, pair), pair, key=lambda p: p.score)
            parent[rb] = ra
            weakest[ra] = low
        members: dict[int, list[int]] = defaultdict(list)
        for node in list(parent):
            members[root(node)].append(node)
        for top, ids in members.items():
            if len(ids) < 2:
                continue
            link = weakest[top]
            reasons = link.reasons + [f"against: {x}" for x in link.against]
            groups.append(Group(sorted(ids), tier, link.score, reasons))
            for pid in ids:
                placed.setdefault(pid, len(groups))
    order = {"certain": 0, "likely": 1, "possible": 2}
    groups.sort(key=lambda g: (order[g.confidence], -g.score, g.records[0]))
    return groups


def records_from_rows(rows: Iterable[tuple]) -> list[Record]:
    """(id, title, authors joined by ', ', truncated, year, abstract) rows -> Records."""
    return [Record(r[0], r[1], [a for a in (r[2] or "").split(", ") if a], bool(r[3]), r[4], r[5] or "")
            for r in rows]
