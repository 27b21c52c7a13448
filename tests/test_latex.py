"""LaTeX escaping and title protection for the .bib exports (core/export/latex.py).

Decoding goes through pylatexenc (bibtexparser's own LaTeX decoder) and BibTeX's case changing through pybtex's
implementation of change.case$, so the tests do not grade the module with its own logic.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pybtex.bibtex.utils import change_case
from pylatexenc import latex2text

from paperdesk.core.export.latex import protect_title, t1_only_chars, to_latex

_DB = latex2text.get_default_latex_context_db()
_DB.add_context_category("paperdesk-text-symbols", prepend=True, macros=[
    latex2text.MacroTextSpec(name, simplify_repl=repl) for name, repl in {
        "textbraceleft": "{", "textbraceright": "}", "textless": "<", "textgreater": ">", "textbar": "|",
        "textasciicircum": "^", "textasciitilde": "~", "textperiodcentered": "·"}.items()])
_DECODER = latex2text.LatexNodes2Text(math_mode="verbatim", latex_context=_DB, strict_latex_spaces=True)


def untex(latex: str) -> str:
    """LaTeX back to text, math left as written."""
    return " ".join(_DECODER.latex_to_text(latex).split())


def bibtex_braces_balance(latex: str) -> bool:
    """BibTeX counts every brace, escaped or not."""
    depth = 0
    for c in latex:
        depth += {"{": 1, "}": -1}.get(c, 0)
        if depth < 0:
            return False
    return depth == 0


# --- escaping ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, expected", [
    ("100% & #1 _x_", r"100\% \& \#1 \_x\_"),
    ("a ~ b ^ c", r"a \textasciitilde{} b \textasciicircum{} c"),
    (r"back\slash", r"back\textbackslash{}slash"),
    ("a {set} }", r"a \{set\} \textbraceright{}"),  # a pair as \{ \} (every reader knows it), a lone one spelt out
    ("{a {b} c", r"\textbraceleft{}a \{b\} c"),
    (r"\emph{a {b} c}", r"\emph{a \{b\} c}"),
    ("x < y > z | w", r"x \textless{} y \textgreater{} z \textbar{} w"),
    ("cost: $5", r"cost: \$5"),
])
def test_specials_outside_math_are_escaped(text, expected):
    assert to_latex(text) == expected


@pytest.mark.parametrize("text, expected", [
    # From the seed abstracts: math, escaped specials and LaTeX quotes stay as written.
    ("we present $D^2$-MoE, a new", "we present $D^2$-MoE, a new"),
    (r"at 40$\sim$60% compression", r"at 40$\sim$60\% compression"),
    (r"reducing weights to $\pm$1", r"reducing weights to $\pm$1"),
    (r"maintains 96\%|86\% of", r"maintains 96\%\textbar{}86\% of"),
    (r"an Embedding \& Feature Interaction", r"an Embedding \& Feature Interaction"),
    ("``Generalized Emotion Recognition (GER)''", "``Generalized Emotion Recognition (GER)''"),
    (r"up to $+19.6\%$.", r"up to $+19.6\%$."),
    (r"an $Acc_{Ex}$ score", r"an $Acc_{Ex}$ score"),
    ("Training--Inference Mismatch", "Training--Inference Mismatch"),
    # Kernel text commands stay; \url and \footnote become plain text; unknown commands are shown as typed.
    (r"present \emph{Conure} the first \underline{con}tinual",
     r"present \emph{Conure} the first \underline{con}tinual"),
    (r"by up to \textbf{60$\times$}", r"by up to \textbf{60$\times$}"),
    (r"available at~\url{https://github.com/liun-online/LSIR}", "available at~https://github.com/liun-online/LSIR"),
    (r"in this repository\footnote{https://anonymous.4open.science/r/HAP}",
     "in this repository (https://anonymous.4open.science/r/HAP)"),
    (r"faster during training\inference", r"faster during training\textbackslash{}inference"),
])
def test_latex_already_in_the_text_is_kept_where_safe(text, expected):
    assert to_latex(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("$50%$", r"$50\%$"),  # % would comment out the rest of the line
    (r"$\{a$", r"$\lbrace a$"),  # BibTeX counts the brace of \{ too
    ("$$E=mc^2$$", "$E=mc^2$"),
    (r"$\mathbb{R}^d$ and $\text{acc}_{Ex}$", r"$\mathbf{R}^d$ and $\mbox{acc}_{Ex}$"),  # no package needed
    ("$x²$ at 5°C", "$x^{2}$ at 5°C"),
    ("one $ alone", r"one \$ alone"),
    # Math LaTeX would reject is shown as written.
    ("$x^$", r"\$x\textasciicircum{}\$"),
    ("$x^2^3$", r"\$x\textasciicircum{}2\textasciicircum{}3\$"),
    ("$a}b{$", r"\$a\textbraceright{}b\textbraceleft{}\$"),
    (r"$\frac{a}$", r"\$\textbackslash{}frac\{a\}\$"),
    (r"$\unknown x$", r"\$\textbackslash{}unknown x\$"),
])
def test_math_is_kept_but_made_safe(text, expected):
    assert to_latex(text) == expected


def test_utf8_mode_keeps_non_ascii_text():
    assert to_latex("Memorize, Factorize, or be Naïve") == "Memorize, Factorize, or be Naïve"
    assert to_latex("Núñez · Straße") == "Núñez · Straße"


@pytest.mark.parametrize("text, expected", [
    ("é", r"{\'e}"), ("ñ", r"{\~n}"), ("ü", r"{\"u}"), ("ç", r"{\c{c}}"), ("ø", r"{\o}"), ("ß", r"{\ss}"),
    ("Å", r"{\AA}"), ("ł", r"{\l}"), ("è", r"{\`e}"), ("ô", r"{\^o}"), ("č", r"{\v{c}}"), ("ő", r"{\H{o}}"),
    ("Naïve", r"Na{\"i}ve"), ("ễ", r"{\~{\^e}}"),
    ("“quoted” – dash — …", r"``quoted'' -- dash --- {\ldots}"),
    ("x² and H₂O", r"x\textsuperscript{2} and H\textsubscript{2}O"),
])
def test_ascii_mode_uses_accent_commands(text, expected):
    assert to_latex(text, ascii=True) == expected


def test_greek_becomes_math_commands():
    # Inside math in both modes (a math command works in every engine); outside math only in ASCII mode.
    assert to_latex("experiments on $τ$-bench, $τ^2$-bench") == r"experiments on $\tau$-bench, $\tau^2$-bench"
    assert to_latex("the τ parameter and 3×3", ascii=True) == r"the $\tau$ parameter and 3$\times$3"
    assert to_latex("the τ parameter") == "the τ parameter"
    assert to_latex("$ατ$", ascii=True) == r"$\alpha\tau$"
    assert to_latex("$τx$") == r"$\tau x$"


def test_unmappable_characters_are_replaced_visibly_and_deterministically():
    assert to_latex("Trương 中文", ascii=True) == "Tr[U+01B0][U+01A1]ng [U+4E2D][U+6587]"
    assert to_latex("$中$", ascii=True) == r"$\mbox{[U+4E2D]}$"
    assert to_latex("zero\u200bwidth") == "zerowidth"  # invisible format characters are the only thing dropped


def test_seed_latex_decodes_back():
    cases = {
        r"maintains 96\%|86\% of": "maintains 96%|86% of",
        "Exploring evolution-aware & -free protein": "Exploring evolution-aware & -free protein",
        "Memorize, Factorize, or be Naïve": "Memorize, Factorize, or be Naïve",
    }
    for text, plain in cases.items():
        assert untex(to_latex(text)) == plain
        assert untex(to_latex(text, ascii=True)) == plain


_PLAIN_ALPHABET = st.sampled_from(list("abcXYZ019 .,:;!?()/+-*=@\"#%&_{}^<>|") + list("éñüçøßÅłïτ中"))
_ANY_TEXT = st.lists(st.sampled_from(list("aZ0 $\\{}%#&_^~<>|`'\"-\t\nΔτé中\u200b") + ["\\emph{", "\\url{", "$$"]),
                     max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT, st.booleans())
def test_output_is_always_safe(text, ascii):
    latex = to_latex(text, ascii=ascii)
    assert bibtex_braces_balance(latex)
    assert len(re.findall(r"(?<!\\)\$", latex)) % 2 == 0  # math always closed
    assert not latex.endswith("\\")
    if ascii:
        assert latex.isascii()
    assert bibtex_braces_balance(protect_title(text, ascii=ascii))


@settings(max_examples=300, deadline=None)
@given(st.text(_PLAIN_ALPHABET, max_size=40), st.booleans())
def test_plain_text_round_trips(text, ascii):
    text = " ".join(re.sub("-+", "-", text).split())  # LaTeX reads -- as a dash, and '' as a quote
    expected = text if not ascii else text.replace("τ", "$\\tau$").replace("中", "[U+4E2D]")
    assert untex(to_latex(text, ascii=ascii)) == " ".join(expected.split())


# --- titles -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("title, expected", [
    ("Survey: A Study", "Survey: {A} Study"),
    ("Breaking the Length Barrier: LLM-Enhanced CTR Prediction in Long Textual User Behaviors",
     "Breaking the Length Barrier: {LLM}-Enhanced {CTR} Prediction in Long Textual User Behaviors"),
    ("Delta Decompression for MoE-based LLMs Compression", "Delta Decompression for {MoE}-based {LLMs} Compression"),
    ("UserGPT Technical Report", "{UserGPT} Technical Report"),
    ("GPT-4V with Emotion: A Zero-shot Benchmark", "{GPT-4V} with Emotion: {A} Zero-shot Benchmark"),
    ("S$^2$GR: Stepwise Semantic-Guided Reasoning", "{S$^2$GR:} {S}tepwise Semantic-Guided Reasoning"),
    ("Open Vocabulary Monocular 3D Object Detection", "Open Vocabulary Monocular {3D} Object Detection"),
    ("Semantic Product Search", "Semantic Product Search"),
    ("Exploring evolution-aware & -free protein language models",
     r"Exploring evolution-aware \& -free protein language models"),
    ("Can Recommender Systems Teach Themselves? A Recursive Framework",
     "Can Recommender Systems Teach Themselves? {A} Recursive Framework"),
    ("On $\\Delta$-learning", "On {$\\Delta$}-learning"),
])
def test_protect_title(title, expected):
    assert protect_title(title) == expected


def test_protect_title_in_ascii_mode_keeps_accents_inside_the_protection():
    assert protect_title("Über: ÉCOLE Naïve", ascii=True) == r"{\"U}ber: {{\'E}COLE} Na{\"i}ve"
    assert protect_title("Survey: Über", ascii=True) == r"Survey: {{\"U}}ber"


@pytest.mark.parametrize("title, must_keep", [
    ("Delta Decompression for MoE-based LLMs Compression", ["MoE", "LLMs"]),
    ("UserGPT Technical Report", ["UserGPT"]),
    ("GPT-4V with Emotion: A Zero-shot Benchmark", ["GPT-4V", ": A "]),
    ("Dual Graph enhanced Embedding Neural Network for CTR Prediction", ["CTR"]),
    ("S$^2$GR: Stepwise Semantic-Guided Reasoning", ["S$^2$GR", ": Stepwise"]),
    ("SINKT: A Structure-Aware Inductive Knowledge Tracing Model", ["SINKT: A"]),
])
def test_bibtex_sentence_case_keeps_what_is_protected(title, must_keep):
    """pybtex's change.case$ "t", as the BibTeX styles use it on titles."""
    cased = untex(change_case(protect_title(title), "t"))
    for text in must_keep:
        assert text in cased
    assert "Technical Report" not in cased and "Knowledge Tracing" not in cased


# --- real LaTeX runs: every seed title and abstract, and a few hundred random strings ---------------------------

_TRICKY = [
    "100% & #1 ~ ^ _ \\ {x} < > |", "$x^$ and $\\{a$ and $a}b{$", "one $ alone", "Núñez, Øster, Straße, Łódź, Ærø",
    "Naïve “quotes” – dash — … x² H₂O 3×3 ≤ τ", "Trương 中文", "\\emph{x} \\unknown{y} \\url{a_b%c#d} \\footnote{f}",
]
# Pieces that have broken LaTeX in one way or another; for the UTF-8 run only characters pdflatex knows.
_PIECES = list("aZ0 $\\{}%#&_^~<>|`'\"-.,:éÅ²°×") + [
    "\\emph{", "\\url{", "$$", "\\\\", "\\'", "\\c", "{\\", "\\ldots", "\\foo", "}{", "\\textbf{", "\\footnote{",
    "\\frac", "\\mathbb{", "\\text{", "\\left(", "\\right)", "\\sqrt", "\\big", "\\i", "\\ss"]


def _compiles(tmp_path, lines: list[str]) -> None:
    (tmp_path / "t.tex").write_text(
        "\\documentclass{article}\n\\begin{document}\n\\begin{itemize}\n"
        + "\n".join(r"\item " + line for line in lines) + "\n\\end{itemize}\n\\end{document}\n", encoding="utf-8")
    run = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "t.tex"], cwd=tmp_path,
                         capture_output=True, timeout=120)
    log = (tmp_path / "t.log").read_text("latin-1")
    assert run.returncode == 0, log[-3000:]
    assert not [line for line in log.splitlines() if line.startswith("!")]


needs_pdflatex = pytest.mark.skipif(shutil.which("pdflatex") is None, reason="pdflatex is not installed")


@needs_pdflatex
@pytest.mark.parametrize("ascii", [False, True], ids=["utf8", "ascii"])
def test_every_seed_text_compiles(seeded, tmp_path, ascii):
    texts = [t for p in seeded.iter_papers() for t in (p["title"], p["abstract"] or "")]
    lines = [to_latex(t, ascii=ascii) for t in texts + (_TRICKY if ascii else [])]
    _compiles(tmp_path, lines + [protect_title(p["title"], ascii=ascii) for p in seeded.iter_papers()])


@needs_pdflatex
@pytest.mark.parametrize("ascii", [False, True], ids=["utf8", "ascii"])
def test_random_text_compiles(tmp_path, ascii):
    rng = random.Random(20260605)
    pieces = _PIECES + (["Δ", "τ", "中", "\\x00"] if ascii else [])
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(400)]
    _compiles(tmp_path, [to_latex(t, ascii=ascii) for t in texts] + [protect_title(t, ascii=ascii) for t in texts])


# --- what a default \documentclass{article} can typeset (issue 13) ------------------------------------------

T1_TEXT = "Łukasz Wąs, Đorđe Þórsson, Ŋoma «quoted» ‹x› ę Ą \\k{e} \\guillemotleft{}y\\guillemotright{} \\DJ{}uro"


def test_ascii_never_writes_commands_that_need_t1_fonts():
    latex = to_latex(T1_TEXT, ascii=True)
    assert latex.isascii()
    for command in (r"\k", r"\DJ", r"\dj", r"\TH", r"\th", r"\DH", r"\dh", r"\NG", r"\ng", r"\guillemot",
                    r"\guilsingl"):
        assert command not in latex, (command, latex)
    # The nearest plain spelling, never a silent loss of the word.
    assert latex.startswith(r"{\L}ukasz Wa")
    assert "Dor" in latex and "Th{\\'o}rsson" in latex and "NGoma" in latex and r"{$\ll$}quoted{$\gg$}" in latex
    assert t1_only_chars(T1_TEXT) == set("ąęĄĐđÞŊ«»‹›")
    assert t1_only_chars("Naïve Núñez Łukasz") == set()  # OT1 has these


def test_utf8_mode_keeps_t1_letters_as_unicode():
    assert to_latex("Đorđe «q» \\k{e}") == "Đorđe «q» ę"


@needs_pdflatex
def test_ascii_t1_letters_compile_in_a_default_article(tmp_path):
    _compiles(tmp_path, [to_latex(T1_TEXT, ascii=True), protect_title(T1_TEXT, ascii=True)])


def test_i_and_j_keep_their_dot_under_an_accent():
    # {\"{\i}} is read by biber and citation-js as a dotless i plus a combining diaeresis; {\"i} by everyone as ï.
    assert to_latex("ïíìî ǰ", ascii=True) == r"{\"i}{\'i}{\`i}{\^i} {\v{j}}"


# --- speed: the scanner copies runs of plain ASCII at once; the output is byte-identical -----------------------


def test_fast_scanner_output_is_byte_identical_to_the_character_by_character_scan(monkeypatch):
    from paperdesk.core.export import latex

    rng = random.Random(14)
    pieces = _PIECES + ["Naïve ", "Łódź", "«", "ą", "Fig.~3", "a~b", "$x^2$", "$$", "\\url{a b}", "--", "\t\n"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(3000)]
    fast = [(to_latex(t, a), protect_title(t, a)) for t in texts for a in (False, True)]
    monkeypatch.setattr(latex, "_PLAIN_RUN_RE", re.compile(r"(?!)"))  # matches nothing: one character at a time
    _clear_caches()  # or the slow run would be handed the fast run's results
    slow = [(to_latex(t, a), protect_title(t, a)) for t in texts for a in (False, True)]
    assert fast == slow


def _clear_caches():
    from paperdesk.core.export import latex

    for cached in (latex._math, latex._protect_word, latex._protect_initial, latex._ends_clause):
        cached.cache_clear()


# The scanners as they were written first, one character at a time: the fast ones must give the same answers.
def _reference_split(latex: str, separator: str) -> list[str]:
    parts, current, depth, math, i = [], [], 0, False, 0
    while i < len(latex):
        c = latex[i]
        if c == "\\" and i + 1 < len(latex):
            current.append(latex[i:i + 2])
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "$" and depth == 0:
            math = not math
        if c == separator and depth == 0 and not math:
            parts.append("".join(current))
            current = []
        else:
            current.append(c)
        i += 1
    parts.append("".join(current))
    return parts


def _reference_closing(text: str, start: int, brace: bool) -> int:
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if not brace and c == "$":
            return i
        if brace and c == "{":
            depth += 1
        elif brace and c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def test_fast_splitting_and_matching_give_the_character_by_character_answers():
    from paperdesk.core.export import latex

    rng = random.Random(5)
    pieces = list("ab -{}$\\\n") + ["\\{", "\\}", "\\$", "\\-", "$x$", "{a b}", "a-b", "--"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 25))) for _ in range(20000)]
    for text in texts:
        for separator in " -":
            assert latex._top_level_split(text, separator) == _reference_split(text, separator), text
        for start in range(len(text) + 1):
            assert latex._closing_brace(text, start) == _reference_closing(text, start, True), (text, start)
            assert latex._closing_dollar(text, start) == _reference_closing(text, start, False), (text, start)


def test_cached_conversions_give_what_a_fresh_conversion_gives():
    rng = random.Random(8)
    pieces = _PIECES + ["Naïve ", "$x^2$", "$\\times$", " LLMs", " MoE:", " A", "GPT-4", "\t\n", "  "]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 30))) for _ in range(1500)]
    first = [(to_latex(t, a), protect_title(t, a)) for t in texts for a in (False, True)]
    again = [(to_latex(t, a), protect_title(t, a)) for t in texts for a in (False, True)]  # now from the caches
    _clear_caches()
    fresh = {(t, a): (to_latex(t, a), protect_title(t, a)) for t in reversed(texts) for a in (True, False)}
    assert first == again
    assert [fresh[(t, a)] for t in texts for a in (False, True)] == first
