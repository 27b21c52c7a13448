"""The LaTeX a listing site leaves in titles and abstracts (``S$^2$GR``, ``Training--Inference``, ``96\\%``,
``\\emph{Conure}``) turned into the Unicode text it stands for (``S²GR``, ``Training–Inference``, ``96%``,
``Conure``), for the formats that carry plain text: CSL-JSON and RIS. The .bib formats keep the LaTeX (latex.py).

pylatexenc does the conversion. Around it: a bare ``%`` (``13% better``, common in these texts) is a percent sign,
not a comment; an unknown command (``training\\inference``, a typo) is kept as written rather than dropped; and
super- and subscripts in math become Unicode ones where every character has one (``$τ^2$`` -> ``τ²``).
Text whose only LaTeX is dashes, ties and quotes (most of it) skips the parser: pylatexenc takes milliseconds
per abstract, which made a 100,000-record CSL-JSON export take 25 minutes.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pylatexenc import latex2text, latexwalker

_LATEXISH_RE = re.compile(r"[\\$~{}]|--|``|''|[!?]`")
_NEEDS_PARSER_RE = re.compile(r"[\\${}]")  # commands, math, groups: pylatexenc; the rest is a table look-up
# LaTeX's text-mode ligatures and active characters, as pylatexenc reads them (longest first, left to right).
_SPECIALS = {"---": "\u2014", "--": "\u2013", "~": "\u00a0", "``": "\u201c", "''": "\u201d", "!`": "\u00a1",
             "?`": "\u00bf"}
_SPECIALS_RE = re.compile("|".join(re.escape(k) for k in sorted(_SPECIALS, key=len, reverse=True)))
_BARE_SPECIAL_RE = re.compile(r"(?<!\\)([%&#])")  # 13% better, R&D: the character itself
_LONE_BACKSLASH_RE = re.compile(r"\\(?=\s|$)")
_MACRO_RE = re.compile(r"\\([A-Za-z]+)")
_MATH_RE = re.compile(r"(?<!\\)\$([^$]*)(?<!\\)\$")
_SCRIPT_RE = re.compile(r"([\^_])(?:\{([^{}]*)\}|([^{}\\\s]))")
_SUPERSCRIPTS = dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ"))
_SUBSCRIPTS = dict(zip("0123456789+-=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ"))

_DB = latex2text.get_default_latex_context_db()
_CONVERTER = latex2text.LatexNodes2Text(latex_context=_DB, math_mode="text", strict_latex_spaces=True)
# The parser's own table of macros, built once: LatexWalker builds a fresh one for every text it is not given one
# for (a quarter of a millisecond each time, most of the cost of converting a short stretch of LaTeX).
_WALKER_DB = latexwalker.get_default_latex_context_db()


def _scripts(math: re.Match) -> str:
    def one(m: re.Match) -> str:
        body = m.group(2) if m.group(2) is not None else m.group(3)
        table = _SUPERSCRIPTS if m.group(1) == "^" else _SUBSCRIPTS
        if body and all(c in table for c in body):
            return "".join(table[c] for c in body)
        return m.group(0)

    return "$" + _SCRIPT_RE.sub(one, math.group(1)) + "$"


def _keep_unknown(m: re.Match) -> str:
    if _DB.get_macro_spec(m.group(1)) is None:
        return "\\textbackslash{}" + m.group(1)
    return m.group(0)


# A stretch of LaTeX in a text: math, a command with its braced arguments, an escape, or a braced group.
# A group may hold one level of groups (``\\textbf{a {b} c}``); an accent takes its braced letter (``\\"{o}``).
_GROUP = r"\{(?:[^{}]|\{[^{}]*\})*\}"
_SEGMENT_RE = re.compile(r"(?<!\\)\$[^$]*(?<!\\)\$|\\[A-Za-z]+\*?(?:\s*%s)*|\\['\"`^~=.]\s*(?:%s|\\?[A-Za-z])|\\.|%s"
                         % (_GROUP, _GROUP, _GROUP), re.S)


def _specials(text: str) -> str:
    return _SPECIALS_RE.sub(lambda m: _SPECIALS[m.group()], text)


_WHITESPACE_RE = re.compile(r"[ \t\r\n]+")


def _squeeze(text: str) -> str:
    """Runs of spaces, tabs and line breaks as one space, ends stripped (the regular expression only where it
    would change something)."""
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:
        text = _WHITESPACE_RE.sub(" ", text)
    return text.strip()


def latex_to_unicode(text: str | None) -> str:
    """``text`` with its LaTeX markup replaced by the Unicode characters it prints; plain text comes back as is.

    Only the stretches of LaTeX go through the parser (an abstract is mostly plain words): five times faster
    than parsing the whole text, with the same result (tests/test_export_formats.py compares both)."""
    if not text or not _LATEXISH_RE.search(text):
        return text or ""
    if not _NEEDS_PARSER_RE.search(text):  # only dashes, ties and quotes: 100 times faster than the parser
        return _squeeze(_specials(text))
    out, last = [], 0
    for segment in _SEGMENT_RE.finditer(text):
        out += [_specials(text[last:segment.start()]), _parse(segment.group())]
        last = segment.end()
    out.append(_specials(text[last:]))
    return _squeeze("".join(out))


_ARGUMENT_BEFORE_RE = re.compile(r"(?:\\[A-Za-z]+\*?|\\['\"`^~=.]|[\^_])\s*$")  # a command, an accent, a script


def _literal_braces(latex: str) -> str:
    """Braces that group nothing LaTeX needs (``{Study}``, ``set {1,2}``, a lone ``{``) as literal braces, the way
    the .bib formats write them (latex.py escapes them to ``\\textbraceleft{}``): both read a title alike.

    Kept as groups: a command's or an accent's argument (``\\emph{x}``, ``\\"{o}``, ``^{2}``), a group that starts
    with a command (``{\\"o}``, ``{\\ss}``), and everything inside math."""
    out, opened, math, i = [], [], False, 0  # opened: for each open brace, whether it is kept as a group
    while i < len(latex):
        c = latex[i]
        if c == "\\" and i + 1 < len(latex):
            out.append(latex[i:i + 2])
            i += 2
            continue
        if c == "$":
            math = not math
        elif c == "{" and not math:
            group = bool(_ARGUMENT_BEFORE_RE.search(latex, 0, i)) or latex.startswith("\\", i + 1)
            opened.append(group)
            if not group:
                c = "\\{"
        elif c == "}" and not math:
            if not opened or not opened.pop():
                c = "\\}"
        out.append(c)
        i += 1
    return "".join(out)


@lru_cache(maxsize=1 << 14)  # the same stretches (``\\%``, ``$\\times$``, ``$^2$``) recur from text to text
def _parse(text: str) -> str:
    """The whole of ``text`` through pylatexenc (with the care described in the module docstring)."""
    if not _LATEXISH_RE.search(text):
        return text
    latex = _BARE_SPECIAL_RE.sub(r"\\\1", text)
    if "{" in latex or "}" in latex:
        latex = _literal_braces(latex)
    latex = _LONE_BACKSLASH_RE.sub(r"\\textbackslash{}", latex)
    latex = _MACRO_RE.sub(_keep_unknown, latex)
    latex = _MATH_RE.sub(_scripts, latex)
    try:
        nodes = latexwalker.LatexWalker(latex, latex_context=_WALKER_DB).get_latex_nodes()[0]
        plain = _CONVERTER.nodelist_to_text(nodes)  # what _CONVERTER.latex_to_text(latex) does
    except Exception:  # pylatexenc is tolerant, but a text it cannot read is better kept than lost
        return text
    return _squeeze(plain)
