"""Name shapes and the title/author boundary of glued lines.

In listing dumps (layouts B and C) the title and the author list sit on one line with nothing between
them: ``...for CTR PredictionWei Guo, Rong Su, Renhao Tan et al.``. This module finds the boundary by
scoring every reading the line allows. What the format guarantees is used as fact (names are separated by
``, ``, the first name is glued straight onto the title, at most three names are shown, ``et al.`` and
`` · org`` close the line); what names look like is only evidence, and a name of a shape never seen before
(``N'Diaye``, ``van der Berg``, ``王伟``, ``john smith``) still reads. When the evidence leaves two readings
close, or the best one rests on an unusual shape, the caller gets the alternatives, so that a librarian
decides rather than the parser guessing silently.

Layout-A author lines (on a line of their own) are never cut: ``read_author_line`` reads any such line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable

ORG_SEPARATOR = " · "
ET_AL = " et al."
MAX_SHOWN_NAMES = 3
MAX_NAME_WORDS = 6

APOSTROPHES = "'’ʼ‘`"
# Lower-case particles that may stand inside a name ("Ludwig van Beethoven", "Maria de la Cruz", "bin Laden").
_PARTICLES = frozenset(
    "van von der den de del della degli dei di da das dos do du la le lo las los bin binti bint ibn ben bat abu "
    "al el ter ten te zu zur y e af av ap mac wa an nic uí 't ’t".split()
)
# Lower-case prefixes glued to a capitalised name: d'Alembert, dell'Orto, al-Farsi, el-Amin, ibn-Sina.
_PREFIX_RE = re.compile(r"^(?:[a-z]{1,4}[" + APOSTROPHES + r"]|(?:al|el|ad|ar|as|at|an|ash|az|bin|ben|ibn|abu|bint)-)")
_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV", "2nd", "3rd"})
# Inner capitals that names carry as a matter of course: McDonald, MacArthur, DeWitt, LeCun, DiCaprio, VanDyke.
_NAME_HUMP_PREFIXES = ("Mc", "Mac", "De", "Di", "Da", "Le", "La", "Van", "Von", "Du", "St", "Fitz")
# Particles a surname may begin with when the given name is left out ("van der Berg", "de la Cruz", "al-").
_LEADING_PARTICLES = frozenset(
    "van von de da di del della der den du le la al el bin ibn ben ter ten zu dos das do 't ’t".split()
)
# The last word of a collective author ("OneRec Team", "Qwen Team").
_COLLECTIVE = frozenset({"Team", "Group", "Consortium", "Collaboration", "Lab", "Labs", "Project"})
# Letters whose Unicode names all begin "LATIN" (_script): A-Z, a-z, U+00C0-U+024F but × and ÷, U+1E00-U+1EFF.
_LATIN_LETTERS_RE = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]+")
_INITIAL_RE = re.compile(r"(?:[^\W\d_]{1,2}\.-?)+")

# Three names of six words, "et al." and an affiliation fit well within this.
_MAX_AUTHOR_LINE = 400

# How far behind the best reading another reading may score and still be worth a librarian's look.
REVIEW_MARGIN = 2.0
# What a reading loses for each name after the first that does not read as a name (the line still says it is one).
ODD_NAME_COST = 3.0
# A best reading scoring below this rests on shapes too unusual to take silently.
CONFIDENT_SCORE = -0.5


_JOINERS = "\u200c\u200d"  # zero-width non-joiner and joiner: inside Indic and Persian words (अनन्‍त, می‌خواهم)


def _is_letter(ch: str) -> bool:
    return ch.isalpha() or (ord(ch) > 127 and (unicodedata.category(ch)[0] == "M" or ch in _JOINERS))


@lru_cache(maxsize=1 << 16)
def _script(ch: str) -> str:
    """A coarse script tag for a letter: LATIN, CYRILLIC, GREEK, CJK, HANGUL, ARABIC, HEBREW, ... ('' if none)."""
    if not _is_letter(ch) or ch in _JOINERS:
        return ""
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return "?"
    word = name.split(" ", 1)[0]
    if word in ("CJK", "HIRAGANA", "KATAKANA", "IDEOGRAPHIC"):  # 佐々木: the iteration mark is CJK too
        return "CJK"
    return word


def _cased(ch: str) -> bool:
    """Whether a letter has case as names are written: Georgian's Mkhedruli letters count as lower case to Python
    (Unicode 11 gave them Mtavruli capitals) but names are written in them without case, like CJK."""
    return (ch.isupper() or ch.islower()) and not "\u10d0" <= ch <= "\u10ff"


@lru_cache(maxsize=1 << 16)  # asked for the same name words and title ends again and again
def _humps(word: str) -> int:
    """How many times a capital follows a lower-case letter inside ``word`` (``ReportOne``: 1, ``BayLIN``: 1);
    the inner capital of ``McDonald``, ``DeWitt``, ``LeCun`` is a name's, not counted."""
    count = 0
    for i in range(1, len(word)):
        if word[i].isupper() and word[i - 1].islower():
            if not (count == 0 and word[:i] in _NAME_HUMP_PREFIXES):
                count += 1
    return count


@lru_cache(maxsize=1 << 17)
def token_kind(token: str) -> str | None:
    """What one space-free word of a name is: cap, upper, lower, mixed, caseless, single, initial, particle,
    suffix; None if it cannot be part of a name (digits, brackets, stray punctuation)."""
    if not token:
        return None
    if token in _SUFFIXES:
        return "suffix"
    if token in _PARTICLES or (len(token) <= 4 and token[-1] in APOSTROPHES and token[:-1].isalpha()
                               and token[:-1].islower()):
        return "particle"  # "van", "de", "bin"; "a'", "d'", "dell'" standing apart
    if token.isascii() and token.isalpha():
        # Plain letters a-z and A-Z (most words): what the general reading below gives them, without its scans.
        if token.isupper():
            return "upper" if len(token) >= 2 else "single"
        if token.islower():
            return "lower" if len(token) >= 2 else None
        return "mixed" if token[0].islower() or token[1].isupper() else "cap"
    if "." in token:
        if _INITIAL_RE.fullmatch(token) and not any(a.isupper() and b.isupper() for a, b in zip(token, token[1:])):
            return "initial" if token[0].isupper() else "lower"  # "K.", "J.-P."; "e." as e. e. cummings writes it
        return None
    core = token
    prefix = _PREFIX_RE.match(token)
    if prefix and len(token) > prefix.end() and token[prefix.end()].isupper():
        core = token[prefix.end():]
    if _LATIN_LETTERS_RE.fullmatch(core) is not None:
        # Letters of the Latin script only (Björk, Łukasz, Nguyễn): each is a letter of one script, none Georgian, so
        # the checks below hold without asking them letter by letter.
        cased = [ch for ch in core if ch.isupper() or ch.islower()]
    else:
        if not _is_letter(core[0]) or core[-1] in "-" or core[-1] in APOSTROPHES:
            return None
        if not all(_is_letter(ch) or ch == "-" or ch in APOSTROPHES for ch in core):
            return None
        if "--" in core:
            return None
        scripts = {_script(ch) for ch in core if ch.isalpha() and ch not in APOSTROPHES}
        if len(scripts) > 1:
            return "mixed"  # "Retrieval王伟": a title's word glued to a name in another script (or a typo'd letter)
        cased = [ch for ch in core if _cased(ch)]
    if not cased:
        return "caseless"
    first = cased[0]
    if first.isupper():
        if all(ch.isupper() for ch in cased):
            return "upper" if len(cased) >= 2 else "single"
        if core[1:2].isupper():
            return "mixed"  # "LFengyuan", "UsAna" start with two capitals: a cut through an acronym
        return "cap"
    if all(ch.islower() for ch in cased):
        return "lower" if len(cased) >= 2 else None
    return "mixed"


_KIND_PENALTY = {"cap": 0.0, "caseless": 0.0, "initial": 0.0, "particle": -0.2, "suffix": 0.0,
                 "upper": -1.2, "lower": -1.5, "mixed": -3.0, "single": -0.6}
_STYLE_PENALTY = {"upper": -0.2, "lower": -0.2}
_CORE = frozenset({"cap", "upper", "lower", "mixed", "caseless", "single"})


def name_style(names: Iterable[str]) -> str | None:
    """'lower' or 'upper' when names are written all in lower case (``john smith``) or all in capitals."""
    return _name_style(tuple(names))


@lru_cache(maxsize=1 << 15)
def _name_style(names: tuple[str, ...]) -> str | None:
    kinds = set()
    for n in names:
        kinds |= _core_kinds(n)
    if kinds and kinds <= {"lower"}:
        return "lower"
    if kinds and kinds <= {"upper", "single"}:
        return "upper"
    return None


@lru_cache(maxsize=1 << 16)
def _core_kinds(name: str) -> frozenset[str]:
    """The kinds among _CORE of the space-separated words of one name (the names of a list repeat)."""
    return frozenset(token_kind(t) for t in name.split(" ")) & _CORE


@lru_cache(maxsize=1 << 16)
def name_shape_score(name: str, style: str | None = None) -> float | None:
    """How much ``name`` looks like a person's (or team's) name; None if it cannot be one.

    The scale is additive and only its differences matter: a plain two-word name scores 1. ``style`` is the
    way the other names of the same list are written ('lower', 'upper'), which makes that shape unremarkable.
    """
    tokens = name.split(" ")
    if len(tokens) > MAX_NAME_WORDS or "" in tokens:  # (split gives one token at least)
        return None
    kinds = [token_kind(t) for t in tokens]
    if len(kinds) == 2 and kinds[0] == "cap" and kinds[1] == "cap" and not _humps(tokens[0]) \
            and not _humps(tokens[1]):
        # The common "Given Family": the general rule below gives 0.0 + 0.0 + 0.0 + 1.0 (+ 0.5 for a team)
        return 1.5 if tokens[1] in _COLLECTIVE else 1.0
    if None in kinds or _CORE.isdisjoint(kinds):
        return None
    if kinds[-1] == "initial" or ("suffix" in kinds[:-1]):
        return None
    if kinds[-1] == "suffix" and len(tokens) < 3:
        return None
    score = -3.0 if kinds[-1] == "particle" else 0.0  # "van der": a name does not end on a particle
    for i, (token, kind) in enumerate(zip(tokens, kinds)):
        if style is not None and kind == style:
            score += _STYLE_PENALTY[kind]
        else:
            score += _KIND_PENALTY[kind]
        if kind == "cap":
            humps = _humps(token)
            if humps and tokens[-1] in _COLLECTIVE:
                score -= 0.5  # "OneRec Team", "DeepSeek-AI Team": a team is named like a system
            elif humps:  # XiaoXiao, OneRec: real, but far rarer in names than in titles (WeChat, TikTok, MoE)
                score -= 2.0 * humps + (0.5 if i else 0.0)
        elif kind == "upper" and style != "upper" and len(token) <= 3 and i < len(tokens) - 1:
            score -= 1.0  # "TR" in "...for CTR Prediction" read as a given name
        elif kind == "particle" and i == 0:
            score -= 0.5 if token in _LEADING_PARTICLES else 2.5  # "van der Berg", not "an de vries", "e VanDyke"
        elif kind == "single" and i == len(tokens) - 1:
            score -= 1.0
        elif kind == "single" and token.isascii():
            score -= 1.0  # "H WEN-LUNG": a bare capital without a full stop ("Ó Treabhair" is Irish, not this)
    if "lower" in kinds and ("cap" in kinds or "upper" in kinds or "initial" in kinds):
        score -= 2.0  # "Djohn smith", "Emaria garcía": a name is written in one case throughout
    words = sum(1 for k in kinds if k in _CORE or k == "initial")
    words += "particle" in kinds and words < 2  # "van der Berg" is two words' worth, "Maria Fernanda da Mata" three
    if words == 1:
        score += -0.3 if kinds[0] == "caseless" or kinds.count("caseless") else -2.5
    else:
        score += {2: 1.0, 3: 0.6, 4: -0.5, 5: -1.5}.get(words, -2.5)
    if len(tokens) >= 2 and tokens[-1] in _COLLECTIVE:
        score += 0.5
    return score


def is_name(name: str) -> bool:
    return name_shape_score(name) is not None


@dataclass(frozen=True)
class AuthorList:
    names: tuple[str, ...]
    truncated: bool
    org: str | None


def strip_org(text: str) -> tuple[str, str | None]:
    """Split off the affiliation tag shown after `` · `` at the end of an author list."""
    body, sep, org = text.rpartition(ORG_SEPARATOR)
    if sep and org.strip() and " " not in org.strip():
        return body, org.strip()
    return text, None


def strip_et_al(text: str) -> tuple[str, bool]:
    if text.endswith(ET_AL):
        return text[: -len(ET_AL)], True
    if text.endswith(" et al"):
        return text[: -len(" et al")], True
    return text, False


def split_names(text: str) -> list[str]:
    """``A, B, C`` -> names; a suffix standing after a comma (``Martin Luther King, Jr.``) stays with its name."""
    return list(_split_names(text))


@lru_cache(maxsize=4096)  # a file's glued lines are split twice: for the names the file shows, then to read them
def _split_names(text: str) -> tuple[str, ...]:
    parts = text.split(", ")
    names: list[str] = []
    for part in parts:
        if names and (part.strip() in _SUFFIXES or (
                part and part.partition(" ")[0] in _PARTICLES and all(w in _PARTICLES for w in part.split(" ")))):
            names[-1] = f"{names[-1]}, {part.strip()}"
        else:
            names.append(part)
    return tuple(names)


def _names_ok(names: list[str]) -> bool:
    return all(name_shape_score(n.replace(", ", " ")) is not None for n in names)


@lru_cache(maxsize=4096)  # a layout-A author line is read for the file's names, then for its record
def read_author_line(line: str) -> AuthorList:
    """Read a line known by its place to be an author list (layout A): whatever the names look like."""
    body, org = strip_org(line.strip())
    body, truncated = strip_et_al(body)
    names = [n.strip() for n in split_names(body) if n.strip()]
    return AuthorList(tuple(names), truncated, org)


def author_line_is_odd(line: str) -> bool:
    """Structure only: more names than a listing shows, or a line far too long to be three names."""
    line = line.strip()
    return len(line) > _MAX_AUTHOR_LINE or len(read_author_line(line).names) > MAX_SHOWN_NAMES


def looks_like_author_line(line: str) -> bool:
    """Structure alone: one to three comma-separated names of at most six words, no sentence punctuation."""
    line = line.strip()
    if not line or len(line) > _MAX_AUTHOR_LINE:
        return False
    parsed = read_author_line(line)
    if not 1 <= len(parsed.names) <= MAX_SHOWN_NAMES:
        return False
    return _names_ok(list(parsed.names))


def parse_author_list(line: str) -> AuthorList | None:
    """Parse a line that holds only an author list; None when it does not read as one."""
    if len(line) > _MAX_AUTHOR_LINE or line.count(",") > MAX_SHOWN_NAMES + 1:
        return None  # an abstract, not three names: decided without splitting 2,000 characters
    parsed = read_author_line(line)
    names = list(parsed.names)
    if not names or len(names) > MAX_SHOWN_NAMES or not _names_ok(names):
        return None
    if len(names) == 1 and not parsed.truncated and " " not in names[0] and token_kind(names[0]) != "caseless":
        return None  # one bare word ("Abstract", "Introduction") is not worth reading as an author line
    return parsed


@dataclass(frozen=True)
class Reading:
    """One way of cutting a glued line into a title and the shown authors."""

    title: str
    names: tuple[str, ...]
    score: float

    def as_dict(self) -> dict:
        return {"title": self.title, "authors": list(self.names), "score": round(self.score, 2)}


@dataclass
class GluedSplit:
    best: Reading | None
    truncated: bool
    org: str | None
    alternatives: list[Reading] = field(default_factory=list)  # close runners-up, best first
    reason: str | None = None  # why the record needs a look, when it does

    @property
    def uncertain(self) -> bool:
        return bool(self.alternatives) or self.reason is not None


# A word ending in a capitalised part glued to capitals or a digit: "VAEYi", "MoEJia", "AlphaFold2One".
_GLUED_END_RE = re.compile(r"(?:[A-Z]{2}|\d)[A-Z](?!s$)[a-z]+$")  # not a plural acronym: "NPUs", "LLMs"
# A word with a capitalised piece glued on (the piece a name's start): "Recommendation|Ming", "VAE|Yi", "WeChat|Yi",
# "eBay|Xiao", "Revisited!|Yi"; not a short plain word and its piece ("Deep|Seek", "You|Tube", "We|Chat").
_HEAD_THEN_CAPITAL_RE = re.compile(r"^(?![A-Za-z][a-z]{0,3}[A-Z][a-z]+$)(.*[^\W_][^\w\s]?)[A-Z][a-z]{1,7}$")
_PLURAL_ACRONYM_RE = re.compile(r"(?:^|[^A-Za-z])[A-Z][A-Z0-9]+s$")


def _title_tail_score(title: str) -> float | None:
    """Titles do not end on a hyphen or an apostrophe, and rarely in two capitalised words glued together."""
    if not title or title.isspace():
        return None
    return _last_word_score(title.rsplit(" ", 1)[-1])


@lru_cache(maxsize=1 << 16)
def _last_word_score(last: str) -> float | None:
    if not last:
        return -5.0
    if last[-1] == "-" or last[-1] in APOSTROPHES:
        return None  # "Mixture-of-|Experts", "D'|Amato": inside a word
    score = 0.0
    if _humps(last.rsplit("-", 1)[-1]):
        score -= 0.5  # "ReportOne" is rare, but "WeChat", "TikTok", "MoE", "BioBERT" are common title ends
    if last[-1] in ",;:(/&":
        score -= 4.0
    if _PLURAL_ACRONYM_RE.search(last):
        score += 0.5  # "TPUs", "LLMs", "GNNs": a title's plural acronym, not "TPU" + "s…" of a name
    return score


def _plain_start(name: str, vocabulary: Callable[[str], bool] | None, before: str = "") -> bool:
    """A name whose first word cannot have taken letters from the title: capitalised without an inner capital
    (``Madonna``, ``Björk``) or in a script without case (``王伟``), in one case throughout, and not a word of the
    file with letters glued on; not ``ReportCarlo``, ``VJOHN``, ``ejan``, ``Predictionbell hooks``."""
    words = name.split(" ")
    first, kinds = words[0], [token_kind(w) for w in words]
    if "lower" in kinds or "mixed" in kinds:
        return False
    if kinds[0] == "caseless":
        return True
    if kinds[0] == "upper" and before and (before.islower() or before in ")]}!?\"'"):
        return True  # "…Web Search|HUNG SHU-CHUAN", "…(LLMs)|JOHN SMITH"; not "…GPT-4|VJOHN", "…ImageNet-1|KTAI"
    if kinds[0] != "cap" or _humps(first):
        return False
    folded = first.casefold()
    return vocabulary is None or not any(vocabulary(folded[:k]) for k in range(4, len(folded)))


def _comma_fragment(title: str) -> bool:
    """Whether a reading's title ends in a comma and one word (``…, Jia`` of ``…, Jia|Qi Wang``)."""
    head, sep, tail = title.rpartition(", ")
    return bool(sep) and " " not in tail.strip()


def _nth_space_from_end(text: str, n: int) -> int:
    """Where the ``n``-th space from the end is (0 if there are fewer): one split in C, not ``n`` searches."""
    parts = text.rsplit(" ", n)
    return len(parts[0]) if len(parts) > n else 0


_WORD_RE = re.compile(r"[^\W_](?:[\w'’-]*[^\W_])?")
# For ASCII text, the words of _WORD_RE are what is left between the characters that are neither letters, digits,
# '_', "'" nor '-', with those three stripped from each end: a translation and a split do it at C speed.
_ASCII_NON_WORD = str.maketrans({chr(c): " " for c in range(128) if not (chr(c).isalnum() or chr(c) in "_'-")})
_EDGE_CHARS = "_'-"


def word_set(text: str) -> set[str]:
    """The set of the words of ``text``: runs of letters, digits, '_', apostrophes and hyphens that begin and end
    with a letter or digit (exactly ``set(_WORD_RE.findall(text))``; ASCII lines at C speed)."""
    if text.isascii():
        return _ascii_word_set(text)
    words: set[str] = set()
    plain = []
    for line in text.split("\n"):  # a word never spans lines
        if line.isascii():
            plain.append(line)
        else:
            words.update(_WORD_RE.findall(line))
    if plain:
        words |= _ascii_word_set("\n".join(plain))
    return words


def folded_word_set(text: str) -> set[str]:
    """``word_set(text.casefold())``: the lines in ASCII lower-cased (the same letters, a tenth of the time of
    case-folding a text that holds one letter outside ASCII), only the others case-folded."""
    if text.isascii():
        return _ascii_word_set(text.lower())
    words: set[str] = set()
    plain = []
    for line in text.split("\n"):  # a word never spans lines (neither casefold nor lower makes or removes a "\n")
        if line.isascii():
            plain.append(line)
        else:
            words.update(_WORD_RE.findall(line.casefold()))  # (= word_set of it, ASCII once folded or not)
    if plain:
        words |= _ascii_word_set("\n".join(plain).lower())
    return words


def _ascii_word_set(text: str) -> set[str]:
    words = set(text.translate(_ASCII_NON_WORD).split())
    odd = [w for w in words if w[0] in _EDGE_CHARS or w[-1] in _EDGE_CHARS]  # "``causal''" -> "causal''"
    for w in odd:
        words.discard(w)
        w = w.strip(_EDGE_CHARS)
        if w:
            words.add(w)
    return words


@lru_cache(maxsize=512)
def _words(text: str) -> tuple[frozenset[str], frozenset[str]]:
    """An abstract's words as written and case-folded (the folded ones of four letters or more)."""
    exact = frozenset(word_set(text))
    folded = frozenset(w.casefold() for w in exact if len(w) >= 4)
    return exact, folded


def _crosses(glued_word: str, cut: int, folded: frozenset[str], vocabulary=None) -> bool:
    """Whether a word of the abstract (or of the file) occurs in ``glued_word`` across ``cut`` (``Model|sAna``)."""
    text = glued_word.casefold()
    n = len(text)
    if n != len(glued_word):
        return False
    words = getattr(vocabulary, "word_set", None)
    heads = None
    if words is not None:  # the file's own vocabulary (dumps._FileWords): a set, asked directly
        heads = vocabulary.word_heads()  # the first four letters of its words of four letters or more
        folded, vocabulary = words(), None
    for start in range(max(0, cut - 24), cut):
        if heads is not None and text[start:start + 4] not in heads:
            continue  # every piece asked about is four letters or more: none from here begins a word of the file
        for end in range(max(cut + 1, start + 4), min(n, start + 30) + 1):
            if text[start:end] in folded or (vocabulary is not None and vocabulary(text[start:end])):
                return True
    return False


# Where a name can start after a non-space (pass one): at a letter other than a-z (a capital, a letter of
# another script), or at a-z right after a bracket or other sign (not after a digit: "GPT-4o").
# The pattern matches the character before the start (it begins with a character class, which the regular
# expression engine scans for quickly, unlike a look-behind).
_START_RE = re.compile(r"[^\s\-" + APOSTROPHES + r"](?=[^\W\d_a-z])|[^\w\s\-" + APOSTROPHES + r"](?=[a-z])")


def _cut_positions(glued: str, start: int, lowercase: bool) -> list[int]:
    """Where the first author can begin inside ``glued``: right after a non-space, at a letter that starts a
    word (a capital, a change of script, a letter after a bracket), or, with ``lowercase``, at any letter
    (``TPUsjohn smith``, ``GPT-4oana lee``)."""
    if not lowercase and (start == 0 or glued[start] == " "):
        # A cut is never at the first letter after the space at ``start``: one scan of the rest in C (the regular
        # expression), whose few matches are looked at here.
        return _scanned_cut_positions(glued, start + 1, False)
    return _scanned_cut_positions(glued, start, lowercase)


def _scanned_cut_positions(glued: str, start: int, lowercase: bool) -> list[int]:
    start = max(1, start)
    found = []
    if not lowercase:
        for m in _START_RE.finditer(glued, start - 1):
            i = m.end()  # the pattern matches the one character before the start
            if glued[i].isupper():
                found.append(i)
                continue
            ch, prev = glued[i], glued[i - 1]
            if not _is_letter(prev) or (_script(ch) != _script(prev) and prev.isalpha()):
                found.append(i)
        return found
    for i in range(start, len(glued)):
        ch, prev = glued[i], glued[i - 1]
        if prev == " " or prev == "-" or prev in APOSTROPHES or not ch.isalpha():
            continue
        if _cased(ch) or not _is_letter(prev) or (_script(ch) != _script(prev) and prev not in _JOINERS):
            found.append(i)
    return found


def split_glued(
    line: str,
    is_known: Callable[[str], bool] | None = None,
    context: str = "",
    name_words: Callable[[str], bool] | None = None,
    vocabulary: Callable[[str], bool] | None = None,
) -> GluedSplit:
    """Find the title/author boundary in a layout B/C line such as ``TitleWei Guo, Rong Su et al. · org``.

    ``is_known`` tells whether a name has been seen elsewhere (in the same file or the library); a known
    name makes its reading more likely. ``name_words`` tells whether a word is seen in names elsewhere.
    ``context`` is the record's abstract: a title's last word that the abstract also uses (``...with
    DeepSeek``) is more likely a word of the title than part of a name, and a reading that cuts through one
    of its words (``Model|sAna``) is wrong. ``vocabulary`` tells whether a (case-folded) word stands whole
    elsewhere in the file. The line alone is read first; the evidence is only weighed when it leaves a choice.
    """
    candidates, truncated, org = _read_alone(line.strip())
    if not candidates:
        return GluedSplit(None, truncated, org, reason="no author list found after the title")
    return _decide(candidates, truncated, org, is_known, name_words, vocabulary, context)


# The same record comes back in another capture of the same page (a listing captured on two days, an author's
# profile beside the trending page): what its line alone allows is read once per process, the evidence (which
# depends on the file and the library) every time.
@lru_cache(maxsize=1 << 13)
def _read_alone(line: str) -> tuple[tuple[tuple, ...], bool, str | None]:
    """What a stripped glued line allows by itself: its candidate readings (see _candidates), et al. and org."""
    body, org = strip_org(line)
    body, truncated = strip_et_al(body)
    segments = _split_names(body)  # (a tuple, shared with other callers: read only)
    candidates = _candidates(segments, truncated, lowercase=False)
    if candidates:
        best_first = max([c[3] for c in candidates])
        top = candidates[0]  # the first of the best-scoring readings
        for c in candidates:
            if c[2] > top[2]:
                top = c
        few = truncated and len(segments) >= MAX_SHOWN_NAMES and max(
            [len(c[1]) for c in candidates if c[2] >= top[2] - REVIEW_MARGIN], default=0) < MAX_SHOWN_NAMES
        comma_cut = _comma_fragment(top[0])
    if (not candidates or best_first < CONFIDENT_SCORE or few or comma_cut
            or name_style(segments[1:]) == "lower"):
        # No reading with a plain first name: a name in lower case, or glued after a lower-case letter. Or the
        # best reading cuts a name after a comma (``…RLHFk. d. lang, Jia|Qi Wang``): the first name may be there.
        candidates = _candidates(segments, truncated, lowercase=True)
    return tuple(candidates), truncated, org


def _decide(candidates, truncated, org, is_known, name_words, vocabulary, context) -> GluedSplit:
    if len(candidates) > 1 and (is_known is not None or context or name_words is not None or vocabulary is not None):
        abstract = _Abstract(context)
        weighed: dict[int, float] = {}  # candidate's index -> its evidence, for what the cheap reading weighed
        settled = _settled_by_the_best(candidates, truncated, org, is_known, name_words, vocabulary, context,
                                       abstract, weighed)
        if settled is not None:
            return settled
        front = _weigh_the_front(candidates, is_known, name_words, vocabulary, abstract, weighed)
        scored = [(total, candidates[index][3], candidates[index][0], candidates[index][1]) for total, index in front]
    else:
        scored = [(score, first_score, title, names) for title, names, score, first_score, *_ in candidates]
        scored.sort(key=lambda c: c[0], reverse=True)
    if len(scored) == 1:  # one reading: nothing to sort out among readings
        s, best_first, t, n = scored[0]
        readings = [Reading(t.rstrip(), n, s)]
    else:
        readings = [Reading(t.rstrip(), n, s) for s, _, t, n in scored]
        best_first = scored[0][1]
    best = readings[0]
    close = [r for r in readings[1:5] if best.score - r.score < REVIEW_MARGIN]
    reason = None
    known_first = is_known is not None and is_known(best.names[0])
    end_is_word = None  # whether the title's last word stands whole elsewhere (_end_is_word), once needed
    if close:
        reason = "the end of the title is uncertain"
    elif (best_first < CONFIDENT_SCORE or (best.names[0][:1].islower() and _cased(best.names[0][0])
                                           and name_style(best.names[1:]) != "lower")) and not known_first \
            and not ((end_is_word := _end_is_word(best.title, context, vocabulary))
                     and _plain_start(best.names[0], vocabulary, best.title[-1:])):
        reason = "the first author's name has an unusual shape"
        close = readings[1:3]
    if not close and reason is None and _comma_fragment(best.title) and not known_first:
        # "…Reportbell hooks, Big|Science Consortium": the format separates names by ", ", so a title whose last
        # comma part is one word glued to a name more likely holds the first author(s) than ends there.
        reason = "the end of the title is uncertain"
        close = readings[1:3]
    if not close and not known_first and len(readings) > 1:
        # A given name with an inner capital (XiaoXiao, MingYu) glued to the title reads just as well cut inside
        # it ("...AlphaFold2Ming" + "Yu Li"): when the line allows the longer name and the title's last word does
        # not stand whole elsewhere, the librarian decides. (The readings are looked at first: they are cheap.)
        if len(scored) == len(candidates):
            longer = [r for r in readings[1:] if _longer_name(r.title, r.names, best)]
        else:  # only the front was weighed: weigh the readings that begin the first name earlier, in their order
            ordered = _weigh_the_front(candidates, is_known, name_words, vocabulary, abstract, weighed,
                                       len(candidates), lambda c: _longer_name(c[0].rstrip(), c[1], best))
            longer = [Reading(candidates[index][0].rstrip(), candidates[index][1], total) for total, index in ordered]
        if longer and not (end_is_word if end_is_word is not None else _end_is_word(best.title, context, vocabulary)):
            reason = LONGER_NAME_REASON
            close = longer[:2]
    return GluedSplit(best, truncated, org, close, reason)


def _longer_name(title: str, names: tuple[str, ...], best: Reading) -> bool:
    """Whether a reading (``title``, ``names``) is ``best`` with a first name begun earlier inside the title's last
    word: ``...AlphaFold2|MingYu Li`` beside ``...AlphaFold2Ming|Yu Li``."""
    return (names[1:] == best.names[1:] and len(title) < len(best.title)
            and best.title.startswith(title) and " " not in best.title[len(title):]
            and names[0].endswith(best.names[0])
            and _GIVEN_PIECE_RE.fullmatch(best.title, len(title)) is not None
            and _CAPITALISED_RE.fullmatch(best.names[0].split(" ")[0]) is not None)


# (compiled once: re.fullmatch with a pattern's text looks it up in re's cache at every call)
_GIVEN_PIECE_RE = re.compile(r"[A-Z][a-z]{1,7}")
_CAPITALISED_RE = re.compile(r"[A-Z][a-z]+")


# What evidence can add to a reading at most beside its names known elsewhere (3.0 each) and its first word seen in
# names elsewhere (1.0): the title's last word standing whole in the abstract (1.0); everything else only takes away.
_MOST_TITLE_EVIDENCE = 1.0
# Readings whose sums differ by less than this may be sums of the same numbers in another order.
_ROUNDING = 1e-6


def _weigh_the_front(candidates, is_known, name_words, vocabulary, abstract, weighed, depth=5,
                     among: Callable[[tuple], bool] | None = None) -> list[tuple[float, int]]:
    """(score with evidence, index) of the ``depth`` best candidates (among those ``among`` accepts), in the order sorting all of them would give (the earlier of equal scores first). A candidate is
    weighed only while the most favourable evidence it could have might bring it among them; ``weighed`` (index ->
    evidence) keeps what was weighed for a later call."""
    known: dict[str, bool] = {}
    bounds = []
    for index, c in enumerate(candidates):
        if among is not None and not among(c):
            continue
        bounds.append((_most_evidence(c, is_known, name_words, known) + c[2], index))
    bounds.sort(key=lambda b: b[0], reverse=True)
    front: list[tuple[float, int]] = []
    for most, index in bounds:
        if len(front) >= depth and most < sorted([t for t, _ in front], reverse=True)[depth - 1] - _ROUNDING:
            break  # neither this one nor any after it can be among the front
        evidence = weighed.get(index)
        if evidence is None:
            c = candidates[index]
            evidence = weighed[index] = _evidence(c[0], c[1], is_known, name_words, vocabulary, abstract, c[4], c[5])
        front.append((candidates[index][2] + evidence, index))
    front.sort(key=lambda f: (-f[0], f[1]))
    return front[:depth]


def _most_evidence(candidate, is_known, name_words, known: dict[str, bool]) -> float:
    """The most that _evidence can give ``candidate``: its names known elsewhere and its first word seen in names
    elsewhere, as they are, and the title's last word standing whole in the abstract; the rest only takes away.
    ``known`` keeps is_known's answers for the line's other candidates (they share names)."""
    most = _MOST_TITLE_EVIDENCE
    names = candidate[1]
    if is_known is not None:
        for n in names:
            seen = known.get(n)
            if seen is None:
                seen = known[n] = is_known(n)
            if seen:
                most += 3.0
    if name_words is not None and name_words(names[0].split(" ")[0]):
        most += 1.0
    return most


def _settled_by_the_best(candidates, truncated, org, is_known, name_words, vocabulary, context, abstract,
                         weighed) -> GluedSplit | None:
    """The cheap reading of a line that allows several cuts: the reading that scores best by the line alone is
    weighed with its evidence; when every other reading, even with the most favourable evidence it could have,
    stays more than REVIEW_MARGIN behind it, the others are never weighed and the line reads exactly as if they
    had been (the best is the same, no other is close). None when that does not settle it, or when the record
    would be flagged (a flag lists the runners-up in their order, which needs them weighed). The evidence weighed
    is left in ``weighed`` (the candidate's index -> evidence) for the full reading."""
    top_index, top = 0, candidates[0]
    for index, c in enumerate(candidates):
        if c[2] > top[2]:
            top_index, top = index, c
    title, names, score, best_first, glued_word, cut = top
    evidence = _evidence(title, names, is_known, name_words, vocabulary, abstract, glued_word, cut)
    weighed[top_index] = evidence
    total = score + evidence
    limit = total - REVIEW_MARGIN - _ROUNDING  # a reading that could reach this would be close
    known: dict[str, bool] = {}
    for c in candidates:
        if c is top:
            continue
        most = c[2] + _MOST_TITLE_EVIDENCE + (1.0 if name_words is not None else 0.0)
        if is_known is not None:
            if most + 3.0 * len(c[1]) <= limit:
                continue  # not even with every name known
            for n in c[1]:
                seen = known.get(n)
                if seen is None:
                    seen = known[n] = is_known(n)
                most += 3.0 if seen else 0.0
        if most > limit and name_words is not None and not name_words(c[1][0].split(" ")[0]):
            most -= 1.0
        if most > limit:
            return None
    # Nothing is close: the reasons that do not list runners-up, as _decide gives them.
    best = Reading(title.rstrip(), names, total)
    known_first = is_known is not None and is_known(best.names[0])
    if known_first:
        return GluedSplit(best, truncated, org, [], None)
    end_is_word = None
    if (best_first < CONFIDENT_SCORE or (best.names[0][:1].islower() and _cased(best.names[0][0])
                                         and name_style(best.names[1:]) != "lower")) \
            and not ((end_is_word := _end_is_word(best.title, context, vocabulary))
                     and _plain_start(best.names[0], vocabulary, best.title[-1:])):
        return None  # "an unusual shape"
    if _comma_fragment(best.title):
        return None  # "the end of the title is uncertain"
    if any(c is not top and _longer_name(c[0].rstrip(), c[1], best) for c in candidates) \
            and not (end_is_word if end_is_word is not None else _end_is_word(best.title, context, vocabulary)):
        return None  # LONGER_NAME_REASON
    return GluedSplit(best, truncated, org, [], None)


def _end_is_word(title: str, context: str, vocabulary) -> bool:
    """The title's last word stands whole in the record's abstract or elsewhere in the file: the cut is at a word's
    end, which leaves the first author's name as the line shows it ("…for Edge TPUs|Madonna")."""
    last_word = title.rsplit(" ", 1)[-1]
    return bool(last_word) and bool(
        (context and last_word in context and _whole_word_re(last_word).search(context))
        or (vocabulary is not None and vocabulary(last_word.strip("()[]{}:;,.!?\"").casefold())))


@lru_cache(maxsize=4096)
def _whole_word_re(word: str) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")


def _candidates(segments: list[str], truncated: bool, lowercase: bool) -> list[tuple]:
    """(title, names, score, first name's score, glued word, cut in it) for every reading the line allows."""
    found = []
    count = len(segments)
    for shown in range(1, min(MAX_SHOWN_NAMES, count) + 1):
        rest = tuple(segments[count - shown + 1:])
        shape = _rest_shape(rest)
        if shape is None:
            continue
        style, rest_score = shape
        glued = segments[count - shown]
        if shown < count and segments[0]:
            # A name segment after the title's: its cuts depend on it alone (names repeat, so they are cached) and
            # the title before it only prefixes each reading's title.
            cuts = _segment_cuts(glued, style, lowercase)
            if not cuts:
                continue
            head = ", ".join(segments[: count - shown]) + ", "
        else:
            before = ", ".join(segments[: count - shown])
            head = before + ", " if before else ""
            cuts = _cuts(glued, style, lowercase, before, head)
        for i, first, first_score, tail, glued_word, cut in cuts:
            score = first_score + rest_score + tail
            if truncated:
                score += 1.5 if shown == MAX_SHOWN_NAMES else -2.0
            found.append((head + glued[:i], (first,) + rest, score, first_score, glued_word, cut))
    return found


@lru_cache(maxsize=1 << 15)
def _segment_cuts(glued: str, style: str | None, lowercase: bool) -> tuple:
    """The cuts of a name segment that follows a non-empty part of the line (see _cuts)."""
    return tuple(_cuts(glued, style, lowercase, "x", None))


def _cuts(glued: str, style: str | None, lowercase: bool, before: str, head: str | None) -> list[tuple]:
    """(cut, first name, its score, the title end's score, glued word, cut in it) for each place in ``glued`` where
    the first name can start. ``before`` is what the line holds before ``glued``; ``head`` the title's text before
    ``glued`` (None: a non-empty head ending in ", ", which leaves the title's last word to ``glued``)."""
    out = []
    # A name has at most six words, so only the end of the glued segment can hold its start.
    start = _nth_space_from_end(glued, MAX_NAME_WORDS)
    for i in _cut_positions(glued, start, lowercase):
        first = glued[i:]
        first_score = name_shape_score(first.replace(", ", " ") if ", " in first else first, style)
        if first_score is None:
            continue
        if head is None:
            tail = _last_word_score(glued[:i].rsplit(" ", 1)[-1])
        else:
            tail = _title_tail_score(head + glued[:i])
        if tail is None:
            continue
        if before and lowercase and i <= 2:
            continue  # "…, A|depeju Adeleke": a lower-case start right after a word's capital
        if lowercase and glued[i].islower() and glued[i - 1].isupper() and _cased(glued[i]):
            tail -= 1.0  # "…iOSNGUYEN V|an An": a capital and a small letter usually begin one word
        if i >= 2 and glued[i - 2] == " " and (lowercase and glued[i].islower() and _cased(glued[i]) or glued[i].isupper()):
            tail -= 1.0  # "…Synthesisjan d|e vries", "…The A|TLAS": a title ending on a one-letter word
        if before and i < len(glued) and glued[:i].count(" ") < 2 and not glued[:1].islower():
            # "…, Xiao|Xiao Xu": a title's last comma-part is rarely one or two words
            tail -= 2.5 if " " not in glued[:i] else 1.5
        word_start = glued.rfind(" ", 0, i) + 1
        word_end = glued.find(" ", i)
        glued_word = glued[word_start: word_end if word_end != -1 else len(glued)]
        out.append((i, first, first_score, tail, glued_word, i - word_start))
    return out


@lru_cache(maxsize=1 << 15)
def _rest_shape(rest: tuple[str, ...]) -> tuple[str | None, float] | None:
    """The style of the names after the glued one and their share of a reading's score; None if one of them
    cannot be a name even by the line's structure.

    A name after a comma is a name by the line's structure, whatever its shape ("J. Jr.", a seven-word Arabic
    name, "Zhang Wei (张伟)"): an odd one costs the reading ODD_NAME_COST instead of excluding it."""
    style = _name_style(rest) if rest else None  # = name_style(rest): rest is a tuple already
    rest_scores = [name_shape_score(n.replace(", ", " "), style) for n in rest]
    odd = 0
    if None in rest_scores:
        if not all(s is not None or _odd_name_ok(n) for n, s in zip(rest, rest_scores)):
            return None
        odd = rest_scores.count(None)
        rest_scores = [0.0 if s is None else s for s in rest_scores]
    return style, sum(rest_scores) / max(len(rest), 1) * 0.2 - ODD_NAME_COST * odd


def _odd_name_ok(name: str) -> bool:
    """Whether a comma-separated part that does not read as a name may still be one the line shows: a few words
    with letters, no sentence (``J. Jr.``, ``عدنان بنو سعد بن ليث بن بكر``, ``Wei Zhang (张伟)``)."""
    words = name.split(" ")
    return (len(name) <= 80 and 1 <= len(words) <= 2 * MAX_NAME_WORDS and all(words)
            and any(_is_letter(ch) for ch in name) and not any(ch.isdigit() for ch in name)
            and not any(w[-1] in ".:;!?" and len(w) > 3 for w in words))


class _Abstract:
    """A record's abstract asked whether a word stands whole in it (as written, or case-folded and of four letters or
    more): exactly ``_words(text)``'s answers. An ASCII abstract is searched for the word (a few ``str.find``
    calls), which spares building the sets of all its words for the one or two words a line asks about."""

    __slots__ = ("text", "lower", "ascii", "sets")

    def __init__(self, text: str):
        self.text, self.lower, self.sets = text, None, None
        self.ascii = text.isascii()

    def _sets(self) -> tuple[frozenset[str], frozenset[str]]:
        if self.sets is None:
            self.sets = _words(self.text) if self.text else (frozenset(), frozenset())
        return self.sets

    def has(self, word: str) -> bool:
        """``word in exact``."""
        if word not in self.text:
            return False
        return _has_word(self.text, word) if self.ascii else word in self._sets()[0]

    def has_folded(self, folded: str) -> bool:
        """``folded in folded_words`` (``folded`` already case-folded)."""
        if len(folded) < 4:
            return False
        if not self.ascii:
            return folded in self._sets()[1]
        if self.lower is None:
            self.lower = self.text.lower()  # ASCII: case-folding is lower-casing, letter for letter
        return folded in self.lower and _has_word(self.lower, folded)

    def crossed(self, glued_word: str, cut: int) -> bool:
        """``_crosses(glued_word, cut, folded_words)``."""
        if not self.ascii:
            return _crosses(glued_word, cut, self._sets()[1])
        text = glued_word.casefold()
        n = len(text)
        if n != len(glued_word) or not 0 < cut < n:
            return False
        if self.lower is None:
            self.lower = self.text.lower()
        lower = self.lower
        # A crossing word holds text[start:cut + 1]; if that is nowhere in the abstract, neither is any word
        # starting further left, and a longer piece from the same start is not there if a shorter one is not.
        for start in range(cut - 1, max(0, cut - 24) - 1, -1):
            if text[start:cut + 1] not in lower:
                break
            for end in range(max(cut + 1, start + 4), min(n, start + 30) + 1):
                piece = text[start:end]
                if piece not in lower:
                    break
                if _has_word(lower, piece):
                    return True
        return False


_EDGE = "_'-"


def _has_word(text: str, word: str) -> bool:
    """Whether ``word`` is one of ``word_set(text)`` for an ASCII ``text``: an occurrence of it whose neighbours,
    past any '_', "'" and '-' (which a word neither begins nor ends with), are no letters or digits."""
    if not word or not word.isascii() or not word[0].isalnum() or not word[-1].isalnum():
        return False
    if not word.replace("_", "a").replace("'", "a").replace("-", "a").isalnum():
        return False
    size, at = len(word), text.find(word)
    while at != -1:
        left = at - 1
        while left >= 0 and text[left] in _EDGE:
            left -= 1
        if left < 0 or not text[left].isalnum():
            right = at + size
            while right < len(text) and text[right] in _EDGE:
                right += 1
            if right >= len(text) or not text[right].isalnum():
                return True
        at = text.find(word, at + 1)
    return False


def _evidence(title, names, is_known, name_words, vocabulary, abstract, glued_word, cut) -> float:
    """What the rest of the file, the library and the record's own abstract say for one reading."""
    score = 0.0
    if is_known is not None:
        score += 3.0 * sum(1 for n in names if is_known(n))
    first_words = names[0].split(" ")
    if name_words is not None and name_words(first_words[0]):
        score += 1.0
    title_end = title.rsplit(" ", 1)[-1].strip("()[]{}:;,.!?\"")
    # "We", "e", "of": that every abstract uses a word this short says nothing ("…for We|ChatKavya", "…e|Baytom")
    short = len(title_end) <= 2 and not title_end.isupper()
    if abstract.has(title_end):
        score += 0.0 if short else 1.0
    elif abstract.has_folded(title_end.casefold()):
        score += 0.6
    elif vocabulary is not None and vocabulary(title_end.casefold()):
        score += 0.0 if short else 0.5  # a word the file uses elsewhere, whole
    elif vocabulary is not None:
        # a title's last word is usually used again; "RecommendationMing", "VAEYi", "AlphaFold2One" never are
        score -= 1.0 if _GLUED_END_RE.search(title_end) else 0.5
        head = _HEAD_THEN_CAPITAL_RE.match(title_end)
        if head and vocabulary(head.group(1).rstrip("!?.:;,)]}\"'").casefold()):
            # "Recommendation" + "Ming", "VAE" + "Yi", "AlphaFold2" + "Ming": a word of the file with a name's
            # start glued on
            score -= 1.5
    if first_words[-1] not in _COLLECTIVE:
        # A title's words come back in its abstract; a person's name rarely does (a team's may: "OneRec Team").
        hits = sum(1 for w in first_words if len(w) >= 3 and abstract.has(w))
        if hits:
            score -= 0.7 * hits
    if abstract.crossed(glued_word, cut):
        score -= 3.5  # the record's own abstract uses a word this cut goes through
    elif vocabulary is not None and _crosses(glued_word, cut, frozenset(), vocabulary):
        score -= 3.0
    return score


LONGER_NAME_REASON = "the first author's name may begin inside the title's last word"
GLUE_REASONS = frozenset({"the end of the title is uncertain", "the first author's name has an unusual shape",
                          LONGER_NAME_REASON})


def rescore(readings: list[dict], is_known: Callable[[str], bool]) -> tuple[list[dict], bool]:
    """A flagged record's stored readings (``Reading.as_dict``) weighed again with names known elsewhere (the
    library): the readings best first, and whether the known names settle it (a clear winner that they vouch for).
    """
    scored = sorted(((r["score"] + 3.0 * sum(1 for n in r["authors"] if is_known(n)), r) for r in readings),
                    key=lambda x: x[0], reverse=True)
    out = [dict(r, score=round(score, 2)) for score, r in scored]
    # The cut decides the first author: only a known first author vouches for it (names all readings share don't).
    vouched = bool(out) and bool(out[0]["authors"]) and is_known(out[0]["authors"][0])
    clear = len(out) == 1 or out[0]["score"] - out[1]["score"] >= REVIEW_MARGIN
    return out, vouched and clear


def names_in(lines: Iterable[str]) -> set[str]:
    """Names that a file shows unambiguously (whole author lines)."""
    found: set[str] = set()
    for line in lines:
        parsed = parse_author_list(line)
        if parsed:
            found.update(parsed.names)
    return found


def split_at(line: str, index: int) -> tuple[str, list[str], bool, str | None]:
    """A librarian's own cut of a glued line at ``index``: (title, names, truncated, org)."""
    body, org = strip_org(line.strip())
    index = max(0, min(index, len(body)))
    title, names_part = body[:index].strip(), body[index:]
    names_part, truncated = strip_et_al(names_part.strip())
    names = [n.strip() for n in split_names(names_part) if n.strip()]
    return title, names, truncated, org
