"""Names as people have them (issue 11): layout-A records read back exactly whatever the names, glued lines
read right or flagged, never silently wrong, and the parser never raises. Names come from an independent source
(Faker's locales) and hand-written hard shapes (benchmarks/world_names.py)."""

from __future__ import annotations

import datetime as dt
import json
import random
from functools import lru_cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperdesk.core import dumps
from paperdesk.core.names import rescore, split_glued, split_names

CAPTURED = dt.date(2026, 6, 5)
# One locale per script and a few with particles and apostrophes: quick to load, broad enough for the property.
QUICK_LOCALES = ("ru_RU", "el_GR", "zh_CN", "ja_JP", "ar_AA", "he_IL", "hi_IN", "pl_PL", "ko_KR", "ga_IE", "nl_NL",
                 "tr_TR", "th_TH", "fr_FR")


@lru_cache(maxsize=1)
def world_pool() -> list[str]:
    from world_names import WorldNames

    world = WorldNames(random.Random(4), per_locale=25, locales=QUICK_LOCALES)
    return sorted({n for n, _, _ in world.people + world.hard})


letters = st.characters(categories=("Lu", "Ll", "Lo", "Lm", "Mn", "Mc"))
invented_name = st.lists(st.text(letters, min_size=1, max_size=9), min_size=1, max_size=4).map(" ".join)
# A lone suffix or particle after a comma belongs to the name before it ("Martin Luther King, Jr."): not a name.
any_name = st.one_of(st.sampled_from(world_pool()), invented_name).filter(
    lambda n: n.strip() == n and ", " not in n and " · " not in n and not n.endswith(" et al")
    and split_names(f"X, {n}") == ["X", n])
title_text = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=80).filter(
    lambda t: t.strip() == t and t and not dumps.META_RE.match(t) and "\n" not in t and "\r" not in t
    and "\x0b" not in t and "\x0c" not in t and "\x1c" not in t and "\x1d" not in t and "\x1e" not in t
    and "\x85" not in t)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=title_text, names=st.lists(any_name, min_size=1, max_size=3), truncated=st.booleans(),
       org=st.sampled_from([None, "microsoft-research", "pku"]), seed_spacing=st.booleans())
def test_any_layout_a_record_reads_back_exactly(title, names, truncated, org, seed_spacing):
    authors = ", ".join(names) + (" et al." if truncated else "") + (f" · {org}" if org else "")
    gap = "" if seed_spacing else "\n"
    text = (f"Hao Gu\n\nLG\nh-index30\n22papers\n417citations\n\n1 Papers\n\n"
            f"LGMay 27Code\n{gap}{title}\n\n{authors}\n\nAn abstract that ends well.\n")
    _, records, report = dumps.parse_text(text, "a.txt", CAPTURED)
    (record,) = records
    assert (record.title, record.authors, record.authors_truncated, record.org) == (title, names, truncated, org)
    assert record.abstract == "An abstract that ends well."
    assert not report.skipped


line_text = st.one_of(
    st.sampled_from(["LGMay 28", "98.7CVDec 7, 2023Code", "", "Hao Gu", "h-index30", "Title Here",
                     "TitleWei Guo, Ana Lee et al.", "An abstract.", " · org", "et al.", ", , ,"]),
    st.text(max_size=60), st.lists(any_name, min_size=1, max_size=4).map(", ".join))


@settings(max_examples=150, deadline=None)
@given(st.lists(line_text, max_size=12), st.sampled_from(["\n", "\r\n", "\r"]))
def test_the_parser_never_raises(lines, newline):
    dumps.parse_text(newline.join(lines), "x.txt", CAPTURED)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=120), st.text(max_size=300))
def test_split_glued_never_raises(line, context):
    split = split_glued(line, is_known=lambda n: len(n) % 2 == 0, context=context, name_words=lambda w: True,
                        vocabulary=lambda w: w.startswith("a"))
    if split.best is not None:
        assert split.best.names and all(split.best.names)


@pytest.mark.parametrize("title, names", [
    ("Scalable Indexing for Digital Libraries", ["Ana Lee", "Sean O'Brien", "Luca D'Amato"]),
    ("Robust Retrieval", ["Aminata N’Diaye", "Jean le Rond d'Alembert", "Martin Luther King Jr."]),
    ("Graph Transformers", ["Maria de la Cruz", "Ahmed al-Farsi", "Khalid bin Salman"]),
    ("Graph Transformers", ["Anne-Sophie Martin", "Danny DeWitt", "Ronald McDonald"]),
    ("A Survey of Retrieval", ["王伟", "李娜", "佐藤 裕美子"]),
    ("A Survey of Retrieval", ["Иван Петров", "Γιώργος Παπαδόπουλος", "Nguyễn Văn An"]),
    ("A Survey of Retrieval", ["محمد علي", "אברהם פרידמן", "Sukarno"]),
    ("Continual Learning", ["J. R. R. Tolkien", "John A. B. Smith", "W. Edwards Deming"]),
])
def test_glued_lines_with_the_worlds_names_read_right(title, names):
    line = title + ", ".join(names) + " et al."
    split = split_glued(line, context=f"We study {title.split(' ')[-1].lower()} here.")
    assert (split.best.title, list(split.best.names)) == (title, names)


@pytest.mark.slow
def test_generated_world_dumps_read_right_or_flagged(tmp_path):
    from generate import generate

    result = generate(tmp_path, 1200, seed=21, names="world", records_per_file=150)
    labels = {(d["file"], d["line"]): d for d in map(json.loads, result.labels_path.read_text("utf-8").splitlines())}
    assert {f.name[-5] for f in result.files} == {"A", "B", "C", "M"}
    exact = flagged_wrong = silent = 0
    locales = set()
    for path in result.files:
        for record in dumps.read_dump(path, CAPTURED).records:
            label = labels[(path.name, record.line)]
            locales.update(label["locales"])
            right = (record.title, record.authors, record.authors_truncated, record.org) == (
                label["title"], label["authors"], label["truncated"], label["org"])
            if label["layout"] == "A":
                assert right and not record.needs_review, (path.name, record.line)
            exact += right
            flagged_wrong += not right and record.needs_review
            silent += not right and not record.needs_review
    assert silent == 0
    assert exact >= 0.99 * 1200
    assert len(locales - {"classic", "hard"}) >= 20


def test_library_names_settle_a_flagged_reading_without_losing_the_files_evidence():
    readings = [{"title": "Reasoning with DeepSeek", "authors": ["Chen Wei", "Hao Sun"], "score": 0.5},
                {"title": "Reasoning with Deep", "authors": ["SeekChen Wei", "Hao Sun"], "score": 0.9}]
    ordered, settled = rescore(readings, {"Chen Wei"}.__contains__)
    assert ordered[0]["authors"][0] == "Chen Wei" and settled
    ordered, settled = rescore(readings, {"Hao Sun"}.__contains__)  # vouches for both: no clear winner
    assert not settled and ordered[0]["authors"][0] == "SeekChen Wei"


@pytest.mark.slow
def test_parse_accuracy_benchmark_figures(tmp_path):
    from bench_parse_accuracy import measure

    figures = measure(tmp_path, 6000, seed=11)
    layout = figures["tallies"]["layout"]
    overall = layout["all"]
    assert overall.get("silent", 0) == 0
    assert layout["A"].get("exact", 0) == layout["A"]["records"]
    assert overall["exact"] >= 0.995 * overall["records"]
    assert len(figures["locales"]) >= 20


def test_a_given_name_with_an_inner_capital_glued_to_the_title_is_flagged_not_guessed():
    """Found by the accuracy benchmark: "...with AlphaFold2" + "MingYu Li" was read "...AlphaFold2Ming" +
    "Yu Li" without a flag. The line alone cannot settle it, so the librarian is asked."""
    from paperdesk.core.names import split_glued

    for line, title, first in (
        ("Parameter-Efficient Transformers with AlphaFold2MingYu Li, Pierre Wright, Mary-Kate Olsen",
         "Parameter-Efficient Transformers with AlphaFold2", "MingYu Li"),
        ("Multi-Interest Fine-Tuning with Sparse Mixture-of-ExpertsXiaoXiao Xu, Xia Liang et al. · meta-ai",
         "Multi-Interest Fine-Tuning with Sparse Mixture-of-Experts", "XiaoXiao Xu"),
    ):
        split = split_glued(line)
        readings = [(r.title, r.names[0]) for r in [split.best, *split.alternatives]]
        assert split.uncertain and (title, first) in readings


def test_a_georgian_name_glued_to_an_acronym_reads_right_and_unflagged():
    """Python counts Georgian letters as lower case; names are written in them without case, like CJK. Found by
    the accuracy benchmark: "…with t-SNEომარ ბექაური" was read "…t-SNEო" + "მარ ბექაური"."""
    split = split_glued("Multi-Behavior Attention with t-SNEომარ ბექაური, Viktorie Staněk, Kevin Lu et al.")
    assert (split.best.title, split.best.names[0]) == ("Multi-Behavior Attention with t-SNE", "ომარ ბექაური")
    assert not split.uncertain


@pytest.mark.parametrize("line, abstract, title, first", [
    # Both were read wrong without a flag (seed 5): the best reading cut a comma-separated name in two
    # ("…Reportbell hooks, Big|Science Consortium", "…RLHFk. d. lang, Jia|Qi Wang").
    ("DKE Technical Reportbell hooks, BigScience Consortium", "This technical report describes DKE.",
     "DKE Technical Report", "bell hooks"),
    ("SenseLogic: Adaptive Search with RLHFk. d. lang, JiaQi Wang, Deepak Schneider", "We align search with RLHF.",
     "SenseLogic: Adaptive Search with RLHF", "k. d. lang"),
])
def test_a_reading_whose_title_ends_in_a_comma_and_one_word_is_flagged(line, abstract, title, first):
    split = split_glued(line, context=abstract, vocabulary=lambda w: False)
    assert split.uncertain
    assert (title, first) in [(r.title, r.names[0]) for r in [split.best, *split.alternatives]]
    assert "," not in split.best.title or split.best.title.rsplit(", ", 1)[1].count(" ") == 0


def test_first_authors_read_without_doubt_elsewhere_in_the_file_settle_a_glued_line():
    text = ("LGMay 2\nSparse Attention for Retrieval ModelsKavya Tang, Ana Lee\nRetrieval models matter.\n"
            "LGMay 4\nKLA: Contrastive Pruning for WeChatKavya Tang, Bo Li\nPruning matters.\n")
    _, records, _ = dumps.parse_text(text, "x.txt", CAPTURED)
    assert [(r.title, r.authors[0], r.needs_review) for r in records] == [
        ("Sparse Attention for Retrieval Models", "Kavya Tang", False),
        ("KLA: Contrastive Pruning for WeChat", "Kavya Tang", False)]
    # The same line alone is left to a librarian: nothing in it says which of "WeChat|Kavya", "We|ChatKavya".
    assert split_glued("KLA: Contrastive Pruning for WeChatKavya Tang, Bo Li", context="Pruning matters.").uncertain


@pytest.mark.parametrize("line, abstract, title", [
    ("SoundTool: Self-Supervised Tokenization with VAEYiFan Chen, Pengyue Wilson, bell hooks et al.",
     "Tokens matter. We use a VAE.", "SoundTool: Self-Supervised Tokenization with VAE"),
    ("Parameter-Efficient Transformers with AlphaFold2MingYu Li, Pierre Wright, Mary-Kate Olsen",
     "We build on AlphaFold2 here.", "Parameter-Efficient Transformers with AlphaFold2"),
])
def test_a_word_of_the_abstract_with_a_capitalised_piece_glued_on_is_not_the_titles_end(line, abstract, title):
    """"VAEYi", "AlphaFold2Ming": a word the record uses elsewhere with a name's start glued on; the inner-capital
    given name (YiFan, MingYu) is the better reading."""
    split = split_glued(line, context=abstract, vocabulary=lambda w: False)
    assert split.best.title == title


@pytest.mark.parametrize("line, title, names", [
    # a zero-width non-joiner inside a Hindi name (Faker's hi_IN): the name was cut after it, silently (seed 202)
    ("Robust Learning from Human Feedbackअनन्\u200cत भट्टाचार्य, Ana Lee", "Robust Learning from Human Feedback",
     ["अनन्\u200cत भट्टाचार्य", "Ana Lee"]),
    # a particle does not make a four-word name unusual: it was cut "Maria Fernan|da da Mata"
    ("Efficient Optimization for Code GenerationMaria Fernanda da Mata, Ana Lee, Bo Li et al.",
     "Efficient Optimization for Code Generation", ["Maria Fernanda da Mata", "Ana Lee", "Bo Li"]),
    # a name after a comma is a name by the line's structure, whatever its shape (seven words, brackets, "J. Jr.")
    ("IndexLM: Incremental Memory for Non-IID DataLi-Wei Chen, بلقيس عجرمة (العجارمة)",
     "IndexLM: Incremental Memory for Non-IID Data", ["Li-Wei Chen", "بلقيس عجرمة (العجارمة)"]),
    ("Contrastive Fine-Tuning on ImageNet-1KPascual Posada, J. Jr., Krisztina Horváth et al.",
     "Contrastive Fine-Tuning on ImageNet-1K", ["Pascual Posada", "J. Jr.", "Krisztina Horváth"]),
    ("Unified Matching for Multi-Scenario MatchingAna Lee, جليل بنو سعد بن ليث بن بكر, W. Edwards Deming",
     "Unified Matching for Multi-Scenario Matching", ["Ana Lee", "جليل بنو سعد بن ليث بن بكر", "W. Edwards Deming"]),
])
def test_names_the_model_has_never_seen_do_not_break_the_line(line, title, names):
    split = split_glued(line, context=f"We study {title.split(' ')[-1]} here.", vocabulary=lambda w: False)
    assert (split.best.title, list(split.best.names)) == (title, names)


def test_an_all_capital_name_after_a_lower_case_letter_is_not_flagged_when_the_title_ends_on_a_word():
    split = split_glued("GraphNet: Efficient Quantization for Web SearchHUNG SHU-CHUAN, Ana Lee, Bo Li et al.",
                        context="Web search is hard.", vocabulary=lambda w: w == "search")
    assert (split.best.title, split.best.names[0]) == ("GraphNet: Efficient Quantization for Web Search",
                                                       "HUNG SHU-CHUAN")
    assert split.reason != "the first author's name has an unusual shape"
    # after an acronym the capitals may be the title's: "…with GPT-4VJOHN SMITH" stays for a librarian
    assert split_glued("Sparse Pretraining with GPT-4VJOHN SMITH, Ana Lee, Bo Li et al.").uncertain


ascii_words_text = st.lists(st.sampled_from(["ab", "Ab", "b0", "xyz", "xyzw", "-", "_", "'", "--", " ", ".", "\n", "(", "Z"]),
                            max_size=20).map("".join)


@settings(max_examples=400, deadline=None)
@given(ascii_words_text, st.data())
def test_the_abstracts_word_lookup_answers_as_its_word_sets(text, data):
    """The parser asks an abstract about a few words by searching it (names._Abstract); the answers must be those
    of the sets of all its words (names._words), which the search only spares building. The words asked about are
    mostly pieces of the text (the hard cases: a piece next to '-', '_' or an apostrophe), with letters glued on."""
    from paperdesk.core.names import _Abstract, _crosses, _words

    start = data.draw(st.integers(0, len(text)))
    piece = text[start:data.draw(st.integers(start, len(text)))]
    word = data.draw(st.sampled_from([piece, piece.upper(), "Xy" + piece, piece + "Ab", "é" + piece]))
    cut = data.draw(st.integers(0, len(word) + 1))
    exact, folded = _words(text)
    abstract = _Abstract(text)
    assert abstract.has(word) == (word in exact)
    assert abstract.has_folded(word.casefold()) == (word.casefold() in folded)
    assert abstract.crossed(word, cut) == _crosses(word, cut, folded)


@pytest.mark.parametrize("text, word", [
    ("xyz", "xyz"), ("a-b", "b"), ("a-b", "a-b"), ("_abcd_ x", "abcd"), ("'abcd'-", "ABCD"), ("abcde", "bcde"),
    ("ab'cd", "cd"), ("(Abcd).", "abcd"), ("q abcd", "Abcd"), ("ab__cd", "ab__cd"), ("", "ab")])
def test_the_abstracts_word_lookup_on_hand_picked_cases(text, word):
    from paperdesk.core.names import _Abstract, _crosses, _words

    exact, folded = _words(text)
    abstract = _Abstract(text)
    assert abstract.has(word) == (word in exact)
    assert abstract.has_folded(word.casefold()) == (word.casefold() in folded)
    for cut in range(len(word) + 1):
        assert abstract.crossed("Qq" + word, cut) == _crosses("Qq" + word, cut, folded)
