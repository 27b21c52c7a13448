"""The LaTeX a listing site leaves in titles and abstracts (``S$^2$GR``, ``Training--Inference``, ``96\\%``,
``\\emph{Conure}``) turned into the Unicode text it stands for (``S²GR``, ``Training–Inference``, ``96%``,
``Conure``), for the formats that carry plain text: CSL-JSON and RIS. The .bib formats keep the LaTeX (latex.py).

pylatexenc does the conversion. Around it: a bare ``%`` (``13% better``, common in these texts) is a percent sign,
not a comment; an unknown command (``training\\inference``, a typo) is kept as written rather than dropped; and
super- and subscripts in math become Unicode ones where every character has one (``$τ^2$`` -> ``τ²``).
"""

from __future__ import annotations

import re

from pylatexenc import latex2text

_LATEXISH_RE = re.compile(r"[\\$~{}]|--")
_BARE_SPECIAL_RE = re.compile(r"(?<!\\)([%&#])")  # 13% better, R&D: the character itself
_LONE_BACKSLASH_RE = re.compile(r"\\(?=\s|$)")
_MACRO_RE = re.compile(r"\\([A-Za-z]+)")
_MATH_RE = re.compile(r"(?<!\\)\$([^$]*)(?<!\\)\$")
_SCRIPT_RE = re.compile(r"([\^_])(?:\{([^{}]*)\}|([^{}\\\s]))")
_SUPERSCRIPTS = dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ"))
_SUBSCRIPTS = dict(zip("0123456789+-=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ"))

_DB = latex2text.get_default_latex_context_db()
_CONVERTER = latex2text.LatexNodes2Text(latex_context=_DB, math_mode="text", strict_latex_spaces=True)


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


def latex_to_unicode(text: str | None) -> str:
    """``text`` with its LaTeX markup replaced by the Unicode characters it prints; plain text comes back as is."""
    if not text or not _LATEXISH_RE.search(text):
        return text or ""
    latex = _BARE_SPECIAL_RE.sub(r"\\\1", text)
    latex = _LONE_BACKSLASH_RE.sub(r"\\textbackslash{}", latex)
    latex = _MACRO_RE.sub(_keep_unknown, latex)
    latex = _MATH_RE.sub(_scripts, latex)
    try:
        plain = _CONVERTER.latex_to_text(latex)
    except Exception:  # pylatexenc is tolerant, but a text it cannot read is better kept than lost
        return text
    return re.sub(r"[ \t\r\n]+", " ", plain).strip()
