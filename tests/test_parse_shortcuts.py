"""The parser's shortcuts give exactly what the plain definitions they replace give (issue 17, helper parsefast).

Each shortcut is checked against the slow definition written out here, on texts built to hit its edges; the whole
parser is checked against a reference version by benchmarks/check_parse_golden.py.
"""

from __future__ import annotations

import datetime as dt
import gc
import random
import re

from paperdesk.core import dumps
from paperdesk.core import names as N
from paperdesk.core.text import has_controls


def test_folded_word_set_is_the_word_set_of_the_case_folded_text():
    # Letters whose case folding changes the words (Kelvin sign, long s, dotted I, sharp s, final sigma), lines
    # in ASCII beside lines that are not, edges of words ("``causal''", "-x-").
    pieces = ["Attention", "KELVIN \u212a-scale", "\u017fpeech", "\u0130stanbul", "Stra\u00dfe", "\u039f\u0394\u039f\u03a3",
              "``causal''", "-x-", "GPT-4o", "O'Brien", "caf\u00e9", "\u738b\u4f1f", "a_b", "\u00c9cole", "x", "\n"]
    rng = random.Random(7)
    for _ in range(400):
        text = " ".join(rng.choice(pieces) for _ in range(rng.randint(0, 12)))
        assert N.folded_word_set(text) == N.word_set(text.casefold()), text
    assert N.folded_word_set("\u0130stanbul") == {"i", "stanbul"}  # İ folds to i + a combining dot: two words
    assert N.folded_word_set("KELVIN \u212a") == {"kelvin", "k"}


def test_control_bytes_are_found_as_in_the_decoded_text():
    alphabet = ["a", " ", "\u00b7", "\u00a0", "\u0085", "\u0080", "\u009f", "\u00a9", "\u00e9", "\x01", "\x7f",
                "\t", "\n", "\r", "\x0b", "\u20ac", "\u00c3"]
    rng = random.Random(3)
    found = 0
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        if rng.random() < 0.3:  # more lead bytes C2 (·) than are looked at one by one, then maybe a C1 control
            text = "\u00b7" * rng.randint(dumps._C1_LEADS_WALKED - 2, dumps._C1_LEADS_WALKED + 3) + text
        assert dumps._utf8_has_controls(text.encode("utf-8")) == has_controls(text), repr(text)
        found += has_controls(text)
    assert 0 < found < 3000


def _nth_space_by_search(text: str, n: int) -> int:
    position = len(text)
    for _ in range(n):
        position = text.rfind(" ", 0, position)
        if position == -1:
            return 0
    return position


def test_nth_space_from_the_end():
    rng = random.Random(5)
    for _ in range(2000):
        text = "".join(rng.choice("ab  ") for _ in range(rng.randint(0, 20)))
        for n in (1, 2, 6):
            assert N._nth_space_from_end(text, n) == _nth_space_by_search(text, n), (text, n)


def _cut_positions_word_by_word(glued: str, start: int) -> list[int]:
    """The definition the one scan replaced: each word after ``start`` scanned alone (its first letter aside)."""
    found = []
    at = start + 1 if start else 0
    for word in glued[at:].split(" "):
        if len(word) > 1:
            found += [at + k for k in N._scanned_cut_positions(word, 1, False)]
        at += len(word) + 1
    return found


def test_cut_positions_are_those_of_each_word_alone():
    words = ["PredictionWei", "Guo", "for", "CTR", "Text-to-SpeechArjun", "(LLMs)John", "GPT-4oAna", "\u738b\u4f1f",
             "Retrieval\u738b\u4f1f", "d'Alembert", "McDonald", "x", "", "\u00c9mileZola", "\u0394\u03b7\u03bc\u03bfs"]
    rng = random.Random(11)
    for _ in range(2000):
        glued = " ".join(rng.choice(words) for _ in range(rng.randint(1, 9)))
        start = N._nth_space_from_end(glued, N.MAX_NAME_WORDS)
        assert N._cut_positions(glued, start, False) == _cut_positions_word_by_word(glued, start), glued


def test_latin_words_read_as_letter_by_letter():
    # Words of Latin letters with diacritics take the shortcut; the kinds are those the per-letter reading gives.
    assert N.token_kind("Bj\u00f6rk") == "cap"
    assert N.token_kind("\u0141UKASZ") == "upper"
    assert N.token_kind("nguy\u1ec5n") == "lower"
    assert N.token_kind("\u00c9") == "single"
    assert N.token_kind("\u00e9") is None
    assert N.token_kind("\u00c9mileZola") == "cap"
    assert N.token_kind("L\u00c9on") == "mixed"
    assert N.token_kind("Bj\u00f6rk\u00d7") is None  # × is no letter: the per-letter reading refuses it
    assert N.token_kind("M\u00fcller\u0394") == "mixed"  # two scripts


def test_a_parse_leaves_the_cycle_collector_as_it_found_it():
    text = "LGMay 28Code\nA TitleAna Lee, Bo Chen\nAn abstract.\n"
    assert gc.isenabled()
    dumps.parse_text(text, "x.txt", dt.date(2026, 6, 5))
    assert gc.isenabled()
    gc.disable()
    try:
        _profile, records, _report = dumps.parse_text(text, "x.txt", dt.date(2026, 6, 5))
        assert not gc.isenabled()
    finally:
        gc.enable()
    assert [(r.title, r.authors) for r in records] == [("A Title", ["Ana Lee", "Bo Chen"])]


def test_impossible_and_unlikely_dates_are_flagged_once_per_record():
    text = ("LGFeb 30, 2024\nOne TitleAna Lee\nAn abstract.\n"
            "LGFeb 30, 2024\nTwo TitleBo Chen\nAn abstract.\n"
            "LGMay 2, 1850\nThree TitleCy Diaz\nAn abstract.\n")
    _profile, records, report = dumps.parse_text(text, "x.txt", dt.date(2026, 6, 5))
    assert [r.date for r in records] == [None, None, None]
    assert [r.review["reasons"] for r in records] == [["impossible date Feb 30"], ["impossible date Feb 30"],
                                                      ["unlikely year 1850"]]
    warnings = [w["message"] for w in report.warnings]
    assert warnings.count("impossible date 'LGFeb 30, 2024': stored without a date, flagged for review") == 2
    assert any(re.fullmatch(r"unlikely year 1850 in 'LGMay 2, 1850' \(outside 1900-\d{4}\): stored without a date,"
                            r" flagged for review", w) for w in warnings)
