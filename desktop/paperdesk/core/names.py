"""Name shapes and the title/author boundary of glued lines.

In listing dumps (layouts B and C) the title and the author list sit on one line with nothing between
them: ``...for CTR PredictionWei Guo, Rong Su, Renhao Tan et al.``. This module finds the boundary by
scoring every reading the line allows, using what the format guarantees (at most three names, three
before ``et al.``, names are comma-separated, the first name is glued straight onto the title) and
what names look like. When two readings stay close, the caller gets both, so that a librarian can
decide rather than the parser guessing silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable, Iterable

ORG_SEPARATOR = " · "
ET_AL = " et al."
MAX_SHOWN_NAMES = 3

# Lower-case particles that may stand inside a name ("Ludwig van Beethoven", "Maria de la Cruz").
_PARTICLES = frozenset(
    "van von der den de del della di da dos du la le bin ibn al el ter ten zu y".split()
)
# The last word of a collective author ("OneRec Team", "Qwen Team").
_COLLECTIVE = frozenset({"Team", "Group", "Consortium", "Collaboration", "Lab", "Labs", "Project"})

# Three names of five words, "et al." and an affiliation fit well within this.
_MAX_AUTHOR_LINE = 300
# A letter glued to what precedes it (no space between): where a first author's name can begin.
_GLUE_POINT_RE = re.compile(r"\S(?=[A-ZÀ-ÖØ-ÞĀ-ſΑ-ΩА-Я])")

# How far behind the best reading another reading may score and still be worth a librarian's look.
REVIEW_MARGIN = 2.0


def _is_word(token: str) -> bool:
    """A capitalised name word: ``Wei``, ``Jean-Pierre``, ``O'Neil``, ``Núñez`` (inner capitals allowed)."""
    if len(token) < 2 or not token[0].isupper() or not token[1].islower():
        return False
    return all(ch.isalpha() or ch in "-'’" for ch in token) and not token.endswith("-")


def _is_initial(token: str) -> bool:
    """``K.`` or ``J.-P.``: capitals each followed by a full stop."""
    return bool(re.fullmatch(r"(?:[^\W\d_]\.-?)+", token)) and token[0].isupper()


def _camel_humps(word: str) -> int:
    """How many times a capitalised word is glued onto another inside ``word`` (``ReportOne``: 1)."""
    return sum(
        1 for i in range(len(word) - 2) if word[i].islower() and word[i + 1].isupper() and word[i + 2].islower()
    )


@lru_cache(maxsize=65536)
def name_shape_score(name: str) -> float | None:
    """How much ``name`` looks like a person's (or team's) name as the dumps show them; None if it cannot be one.

    The scale is additive and only its differences matter: a plain two-word name scores about 1.
    """
    tokens = name.split(" ")
    if not tokens or len(tokens) > 5 or any(not t for t in tokens):
        return None
    score = 0.0
    for i, token in enumerate(tokens):
        if _is_word(token):
            humps = _camel_humps(token)
            if humps:  # XiaoXiao, OneRec: real but rarer than plain words, and rarer still as a surname
                score -= 1.5 * humps + (0.5 if i else 0.0)
        elif _is_initial(token):
            if i == len(tokens) - 1:
                return None  # a name does not end with an initial
            score += 0.0
        elif token in _PARTICLES and 0 < i < len(tokens) - 1:
            score -= 0.2
        elif token.isupper() and token.isalpha() and len(token) <= 3 and i < len(tokens) - 1:
            score -= 2.0  # "TR" in "...for CTR Prediction" read as a given name
        else:
            return None
    n = len(tokens)
    score += {1: -2.5, 2: 1.0, 3: 0.6, 4: -1.0, 5: -3.0}[n]
    if n >= 2 and tokens[-1] in _COLLECTIVE:
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


def parse_author_list(line: str) -> AuthorList | None:
    """Parse a line that holds only an author list (layout A); None when it is not one."""
    if len(line) > _MAX_AUTHOR_LINE or line.count(",") >= MAX_SHOWN_NAMES:
        return None  # an abstract, not three names: decided without splitting 2,000 characters
    body, org = strip_org(line.strip())
    body, truncated = strip_et_al(body)
    names = [n.strip() for n in body.split(",")]
    if not names or len(names) > MAX_SHOWN_NAMES or not all(is_name(n) for n in names):
        return None
    if len(names) == 1 and not truncated and " " not in names[0]:
        return None  # one bare word ("Abstract", "Introduction") is not worth reading as an author line
    return AuthorList(tuple(names), truncated, org)


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

    @property
    def uncertain(self) -> bool:
        return bool(self.alternatives)


def _title_tail_penalty(title: str) -> float:
    """Titles rarely end in a word made of two glued capitalised words (``...Technical ReportOne``)."""
    last = title.rsplit(" ", 1)[-1]
    if not last:
        return -5.0
    penalty = 0.0
    if _camel_humps(last):
        penalty -= 2.0
    if last[-1] in ",;:(-":  # "Multi-|Scenario": a title does not end on a hyphen
        penalty -= 4.0
    return penalty


def _nth_space_from_end(text: str, n: int) -> int:
    position = len(text)
    for _ in range(n):
        position = text.rfind(" ", 0, position)
        if position == -1:
            return 0
    return position


def _evidence(title: str, names: tuple[str, ...], is_known, context: str) -> float:
    """What the rest of the library and the record's own abstract say for one reading."""
    score = 0.0
    if is_known is not None:
        score += 3.0 * sum(1 for n in names if is_known(n))
    if context:
        context_words = _words(context)
        title_end = title.rsplit(" ", 1)[-1]
        score += 1.0 if title_end in context_words else 0.0
        # Words of the abstract with inner capitals ("OneRec", "DeepSeek"): a reading that cuts through one is wrong.
        camel_words = [w for w in context_words if len(w) >= 4 and any(c.isupper() for c in w[1:])]
        score -= 2.0 if _cuts_through(title_end, names[0].split(" ")[0], camel_words) else 0.0
    return score


@lru_cache(maxsize=256)
def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[\w-]+", text))


def _cuts_through(left: str, right: str, words: list[str]) -> bool:
    """Whether one of ``words`` occurs in ``left + right`` across the point where they meet."""
    joined, cut = left + right, len(left)
    for word in words:
        start = joined.find(word)
        while start != -1:
            if start < cut < start + len(word):
                return True
            start = joined.find(word, start + 1)
    return False


def split_glued(line: str, is_known: Callable[[str], bool] | None = None, context: str = "") -> GluedSplit:
    """Find the title/author boundary in a layout B/C line such as ``TitleWei Guo, Rong Su et al. · org``.

    ``is_known`` tells whether a name has been seen elsewhere (in the same file or the library); a known
    name makes its reading more likely. ``context`` is the record's abstract: a title's last word that the
    abstract also uses (``...with DeepSeek``) is more likely a word of the title than part of a name.
    """
    body, org = strip_org(line.strip())
    body, truncated = strip_et_al(body)
    segments = body.split(", ")
    candidates: list[tuple[str, tuple[str, ...], float]] = []
    for shown in range(1, MAX_SHOWN_NAMES + 1):
        if shown > len(segments):
            break
        rest = tuple(segments[len(segments) - shown + 1 :])
        rest_scores = [name_shape_score(n) for n in rest]
        if any(s is None for s in rest_scores):
            continue
        glued = segments[len(segments) - shown]
        before = ", ".join(segments[: len(segments) - shown])
        # A name has at most five words, so only the end of the glued segment can hold its start.
        start = max(1, _nth_space_from_end(glued, 5))
        for match in _GLUE_POINT_RE.finditer(glued, start - 1):
            i = match.end()
            if not glued[i].isupper():
                continue
            first = glued[i:]
            first_score = name_shape_score(first)
            if first_score is None:
                continue
            title = (before + ", " if before else "") + glued[:i]
            if len(first) > 2 and first[1] == "s" and first[2].isupper():
                first_score -= 3.0  # "...with GN" + "NsJian Li": the cut went through a plural acronym (GNNs)
            score = first_score + sum(rest_scores) / max(len(rest), 1) * 0.2 + _title_tail_penalty(title)
            if truncated:
                score += 1.5 if shown == MAX_SHOWN_NAMES else -2.0
            candidates.append((title, (first,) + rest, score))

    if len(candidates) > 1 and (is_known is not None or context):
        candidates = [(t, n, s + _evidence(t, n, is_known, context)) for t, n, s in candidates]
    readings = [Reading(title.rstrip(), names, score) for title, names, score in candidates]
    if not readings:
        return GluedSplit(None, truncated, org)
    readings.sort(key=lambda r: r.score, reverse=True)
    best = readings[0]
    close = [r for r in readings[1:] if best.score - r.score < REVIEW_MARGIN]
    return GluedSplit(best, truncated, org, close)


def names_in(lines: Iterable[str]) -> set[str]:
    """Names that a file shows unambiguously (whole author lines, and the second and third names)."""
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
    names = [n.strip() for n in names_part.split(",") if n.strip()]
    return title, names, truncated, org
