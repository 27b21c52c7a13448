"""Library text -> LaTeX for bibliography fields: ``to_latex`` (escaping) and ``protect_title`` (case protection).

Titles and abstracts arrive as text copied from a listing site, often with some LaTeX of their own in them
(``$D^2$-MoE``, ``96\\%``, ``\\emph{Conure}``, ``Training--Inference``). That LaTeX is kept where it is safe in
every document (math, escaped specials, quotes, dashes, accents, ties, kernel text commands) and everything else
is escaped, so a field always compiles and its braces always balance: BibTeX counts every brace, escaped or not,
which is why literal braces become ``\\textbraceleft{}`` rather than ``\\{``.

``ascii=True`` writes pure ASCII for classic BibTeX: accents as LaTeX accent commands in braces (``{\\'e}``, the
form BibTeX's case changing and sorting understand), Greek and math symbols as math commands, and anything with
no LaTeX spelling as a visible ``[U+XXXX]`` -- never silently dropped. Only invisible format characters (zero-width
spaces, BOMs) are dropped, in both modes.
"""

from __future__ import annotations

import re
import unicodedata

# Text-mode escapes of LaTeX's special characters (plus < > |, which the default OT1 fonts print as ¡ ¿ —).
_ESCAPES = {
    "#": r"\#", "$": r"\$", "%": r"\%", "&": r"\&", "_": r"\_", "{": r"\textbraceleft{}", "}": r"\textbraceright{}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}", "<": r"\textless{}",
    ">": r"\textgreater{}", "|": r"\textbar{}",
}
_KEPT_ESCAPES = set("#$%&_")  # \% \& ... in the input are already right
_CONTROL_SYMBOLS = set(",-/@ ")  # \, \- \/ \@ and control space: harmless in text
# Kernel text commands whose argument is text: kept, the argument converted like the rest.
_ARG_COMMANDS = {"emph", "textbf", "textit", "texttt", "textsc", "textsf", "textrm", "textsl", "textup", "textmd",
                 "textnormal", "underline", "mbox", "textsuperscript", "textsubscript"}
# Argument-less kernel commands: kept, braced so BibTeX treats them as one "special character".
_WORD_COMMANDS = {"ldots", "dots", "textellipsis", "LaTeX", "TeX", "ss", "SS", "o", "O", "ae", "AE", "oe", "OE",
                  "aa", "AA", "l", "L", "i", "j", "textendash", "textemdash", "textbackslash", "textasciitilde",
                  "textasciicircum", "textbar", "textless", "textgreater", "textbraceleft", "textbraceright", "S",
                  "P", "copyright", "dag", "ddag", "textregistered", "texttrademark", "textdegree", "textbullet",
                  "pounds", "texteuro", "guillemotleft", "guillemotright", "textquotedbl", "textperiodcentered"}
_SYMBOL_ACCENTS = "'`^\"~=."
_LETTER_ACCENTS = "cvuHrdbkt"
_ACCENT_RE = re.compile(
    r"\\([" + re.escape(_SYMBOL_ACCENTS) + r"])\s*(\{\\[ij]\}|\\[ij](?![A-Za-z])|\{[A-Za-z]\}|[A-Za-z])"
    r"|\\([" + _LETTER_ACCENTS + r"])(?:\s+([A-Za-z])|\{(\\[ij]|[A-Za-z])\})"
)

# --- Unicode -> LaTeX (used for ascii=True, and for symbols inside math in both modes) ---------------------------

_COMBINING = {"\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0306": "u",
              "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0323": "d",
              "\u0327": "c", "\u0328": "k", "\u0331": "b"}
_BELOW = {"\u0323", "\u0327", "\u0328", "\u0331"}  # marks under the letter: an i keeps its dot
_LETTERS = {"ß": r"\ss", "ẞ": r"\SS", "ø": r"\o", "Ø": r"\O", "æ": r"\ae", "Æ": r"\AE", "œ": r"\oe", "Œ": r"\OE",
            "å": r"\aa", "Å": r"\AA", "ł": r"\l", "Ł": r"\L", "ı": r"\i", "ȷ": r"\j", "đ": r"\dj", "Đ": r"\DJ",
            "ð": r"\dh", "Ð": r"\DH", "þ": r"\th", "Þ": r"\TH", "ŋ": r"\ng", "Ŋ": r"\NG"}
_TEXT_SYMBOLS = {
    "\u2013": "--", "\u2014": "---", "\u2018": "`", "\u2019": "'", "\u201a": ",", "\u201c": "``", "\u201d": "''",
    "\u201e": ",,", "\u00ab": r"{\guillemotleft}", "\u00bb": r"{\guillemotright}", "\u2026": r"{\ldots}",
    "\u2022": r"{\textbullet}", "\u00b7": r"{\textperiodcentered}", "\u00b0": r"{\textdegree}",
    "\u00a9": r"{\copyright}", "\u00ae": r"{\textregistered}", "\u2122": r"{\texttrademark}", "\u00a7": r"{\S}",
    "\u00b6": r"{\P}", "\u2020": r"{\dag}", "\u2021": r"{\ddag}", "\u00a3": r"{\pounds}", "\u20ac": r"{\texteuro}",
    "\u00a1": r"{\textexclamdown}", "\u00bf": r"{\textquestiondown}", "\u00a0": "~", "\u2009": r"\,",
    "\u202f": r"\,", "\u00ad": r"\-", "\u2044": "/", "\u2010": "-", "\u2011": "-", "\u2032": "'", "\u2033": "''",
}
_GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "varepsilon", "ϵ": "epsilon", "ζ": "zeta",
    "η": "eta", "θ": "theta", "ϑ": "vartheta", "ι": "iota", "κ": "kappa", "λ": "lambda", "μ": "mu", "µ": "mu",
    "ν": "nu", "ξ": "xi", "π": "pi", "ϖ": "varpi", "ρ": "rho", "ϱ": "varrho", "σ": "sigma", "ς": "varsigma",
    "τ": "tau", "υ": "upsilon", "φ": "varphi", "ϕ": "phi", "χ": "chi", "ψ": "psi", "ω": "omega",
    "Γ": "Gamma", "Δ": "Delta", "Θ": "Theta", "Λ": "Lambda", "Ξ": "Xi", "Π": "Pi", "Σ": "Sigma", "Υ": "Upsilon",
    "Φ": "Phi", "Ψ": "Psi", "Ω": "Omega",
}
_MATH_SYMBOLS = {
    "×": r"\times", "÷": r"\div", "±": r"\pm", "∓": r"\mp", "≤": r"\leq", "≥": r"\geq", "≠": r"\neq",
    "≈": r"\approx", "≃": r"\simeq", "≅": r"\cong", "≡": r"\equiv", "∼": r"\sim", "∝": r"\propto", "∞": r"\infty",
    "→": r"\rightarrow", "←": r"\leftarrow", "↔": r"\leftrightarrow", "⇒": r"\Rightarrow", "⇐": r"\Leftarrow",
    "⇔": r"\Leftrightarrow", "↑": r"\uparrow", "↓": r"\downarrow", "↦": r"\mapsto", "∈": r"\in", "∉": r"\notin",
    "⊂": r"\subset", "⊆": r"\subseteq", "⊃": r"\supset", "⊇": r"\supseteq", "∪": r"\cup", "∩": r"\cap",
    "∅": r"\emptyset", "∀": r"\forall", "∃": r"\exists", "¬": r"\neg", "∧": r"\wedge", "∨": r"\vee", "∑": r"\sum",
    "∏": r"\prod", "∫": r"\int", "∂": r"\partial", "∇": r"\nabla", "√": r"\surd", "⋅": r"\cdot", "∘": r"\circ",
    "∗": r"\ast", "⊕": r"\oplus", "⊗": r"\otimes", "⊙": r"\odot", "≪": r"\ll", "≫": r"\gg", "ℓ": r"\ell",
    "ℏ": r"\hbar", "∣": r"\mid", "∥": r"\parallel", "⟨": r"\langle", "⟩": r"\rangle", "⌊": r"\lfloor",
    "⌋": r"\rfloor", "⌈": r"\lceil", "⌉": r"\rceil", "⊤": r"\top", "⊥": r"\perp", "−": "-", "′": "'",
    "·": r"\cdot", "°": r"^\circ", "…": r"\ldots",
}
_MATH_SYMBOLS.update({ch: "\\" + name for ch, name in _GREEK.items()})
# Greek capitals that look Latin have no command of their own.
_MATH_SYMBOLS.update({ch: r"\mathrm{%s}" % latin for ch, latin in zip("ΑΒΕΖΗΙΚΜΝΟΡΤΧ", "ABEZHIKMNOPTX")})
_MATH_SYMBOLS["ο"] = "o"


def _replacement(ch: str) -> str:
    return "[U+%04X]" % ord(ch)


def _accented(ch: str) -> str | None:
    """``é`` -> ``{\\'e}``, ``ç`` -> ``{\\c{c}}``, ``ặ`` -> ``{\\u{\\d{a}}}``; None when LaTeX has no spelling."""
    if ch in _LETTERS:
        return "{%s}" % _LETTERS[ch]
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if not marks or not ("a" <= base.lower() <= "z") or any(m not in _COMBINING for m in marks):
        return None
    inner = base
    if base in "ij" and marks[0] not in _BELOW:
        inner = "\\" + base  # dotless i/j under an accent above
    for mark in marks:
        cmd = _COMBINING[mark]
        if cmd in _SYMBOL_ACCENTS and len(inner) == 1:
            inner = "\\" + cmd + inner
        else:
            inner = "\\%s{%s}" % (cmd, inner)
    return "{%s}" % inner


def _script(ch: str, math: bool) -> str | None:
    """Superscript/subscript digits and letters (² ₂ ⁿ) from their compatibility decomposition."""
    decomposition = unicodedata.decomposition(ch)
    for tag, text_cmd, math_op in (("<super>", "textsuperscript", "^"), ("<sub>", "textsubscript", "_")):
        if decomposition.startswith(tag):
            plain = chr(int(decomposition.split()[1], 16))
            inner = _MATH_SYMBOLS.get(plain, plain) if math else plain
            if not inner.isascii():
                return None
            return "%s{%s}" % (math_op, inner) if math else "\\%s{%s}" % (text_cmd, _escape_char(inner))
    return None


def _escape_char(ch: str) -> str:
    return _ESCAPES.get(ch, ch)


def _text_char(ch: str, ascii: bool) -> str:
    """One character outside math."""
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ch.isascii():
        return " " if unicodedata.category(ch) == "Cc" else ch
    category = unicodedata.category(ch)
    if category == "Cf":
        return ""  # zero-width and other invisible format characters
    if category in ("Zs", "Zl", "Zp") and ch not in _TEXT_SYMBOLS:
        return " "
    if category == "Cc":
        return " "
    if not ascii:
        return ch
    for found in (_TEXT_SYMBOLS.get(ch), _accented(ch), _script(ch, math=False)):
        if found is not None:
            return found
    if ch in _MATH_SYMBOLS:
        return "$%s$" % _MATH_SYMBOLS[ch]
    compat = unicodedata.normalize("NFKC", ch)
    if compat != ch:
        return "".join(_text_char(c, ascii) for c in compat)
    return _replacement(ch)


def _math_char(ch: str, ascii: bool) -> str:
    """One non-ASCII character inside math: a math command when there is one."""
    if ch in _MATH_SYMBOLS:
        return _MATH_SYMBOLS[ch]
    category = unicodedata.category(ch)
    if category == "Cf":
        return ""
    if category.startswith("Z") or category == "Cc":
        return " "
    if not ascii:
        return ch
    found = _script(ch, math=True)
    if found is not None:
        return found
    compat = unicodedata.normalize("NFKC", ch)
    if compat != ch and compat.isascii():
        return compat
    accented = _accented(ch)
    if accented is not None:
        return r"\mbox%s" % accented
    return r"\mbox{%s}" % _replacement(ch)


# --- scanning -------------------------------------------------------------------------------------------------


def _closing_brace(text: str, start: int) -> int:
    """Index of the brace closing the group opened at ``start``, or -1 (escaped braces do not count)."""
    depth, i = 0, start
    while i < len(text):
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _closing_dollar(text: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "$":
            return i
        i += 1
    return -1


def _math(body: str, ascii: bool) -> str:
    """Math content made safe: specials escaped, braces balanced, no dangling ^ or _."""
    out: list[str] = []
    opened: list[int] = []  # positions in out of { still open
    i = 0
    while i < len(body):
        c = body[i]
        if c == "\\":
            nxt = body[i + 1] if i + 1 < len(body) else ""
            if nxt.isascii() and nxt.isalpha():
                j = i + 1
                while j < len(body) and body[j].isascii() and body[j].isalpha():
                    j += 1
                out.append(body[i:j])
                i = j
                continue
            if nxt in ("{", "}"):
                out.append(r"\lbrace " if nxt == "{" else r"\rbrace ")
            elif nxt == "":
                out.append(r"\backslash ")
            elif not nxt.isascii():
                out.append(r"\backslash " + _math_char(nxt, ascii))
            else:
                out.append(c + nxt)
            i += 2
            continue
        if c == "{":
            opened.append(len(out))
            out.append(c)
        elif c == "}":
            if opened:
                opened.pop()
                out.append(c)
            else:
                out.append(r"\rbrace ")
        elif c in "%#&":
            out.append("\\" + c)
        elif c in "^_":
            rest = body[i + 1:].lstrip()
            out.append(c if rest and rest[0] != "}" else c + "{}")
        elif c in "\t\r\n":
            out.append(" ")
        elif c.isascii():
            out.append(c)
        else:
            converted = _math_char(c, ascii)
            nxt = body[i + 1] if i + 1 < len(body) else ""
            if converted.startswith("\\") and converted[-1].isalpha() and nxt.isascii() and nxt.isalpha():
                converted += " "  # \tau followed by a letter must not run into it
            out.append(converted)
        i += 1
    for position in opened:
        out[position] = r"\lbrace "
    return "".join(out).strip()


def _convert(text: str, ascii: bool, verbatim: bool = False) -> str:
    """The text-mode scanner behind to_latex. ``verbatim``: no LaTeX is recognised (URL arguments)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if verbatim:
            out.append(_text_char(c, ascii))
            i += 1
            continue
        if c == "$":
            display = text.startswith("$$", i)
            start = i + (2 if display else 1)
            end = _closing_dollar(text, start)
            if display and end != -1 and not text.startswith("$$", end):
                end = -1
            body = _math(text[start:end], ascii) if end != -1 else ""
            if body:
                out.append("$%s$" % body)
                i = end + (2 if display else 1)
            else:
                out.append(r"\$")
                i += 1
            continue
        if c == "\\":
            i = _backslash(text, i, ascii, out)
            continue
        if c == "{":
            match = _ACCENT_GROUP_RE.match(text, i)
            if match:
                out.append(_accent_group(match.group(1)))
                i = match.end()
                continue
        if c == "~":
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < n else ""
            if (before.isalnum() or before == ".") and (after.isalnum() or after == "\\"):
                out.append("~")  # a tie, as in "Fig.~3": already LaTeX
                i += 1
                continue
        out.append(_text_char(c, ascii))
        i += 1
    return "".join(out)


_ACCENT_GROUP_RE = re.compile(
    r"\{(\\(?:[" + re.escape(_SYMBOL_ACCENTS) + r"]\s*(?:\{\\[ij]\}|\\[ij]|\{[A-Za-z]\}|[A-Za-z])"
    r"|[" + _LETTER_ACCENTS + r"](?:\s+[A-Za-z]|\{(?:\\[ij]|[A-Za-z])\})"
    r"|(?:ss|SS|o|O|ae|AE|oe|OE|aa|AA|l|L|i|j)))\}"
)


def _accent_group(body: str) -> str:
    return "{%s}" % body


def _backslash(text: str, i: int, ascii: bool, out: list[str]) -> int:
    """Handle the backslash at ``i``; append the LaTeX, return where scanning continues."""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if nxt in _KEPT_ESCAPES:
        out.append("\\" + nxt)
        return i + 2
    if nxt in ("{", "}"):
        out.append(_ESCAPES[nxt])
        return i + 2
    if nxt in _CONTROL_SYMBOLS and nxt:
        out.append("\\" + nxt)
        return i + 2
    accent = _ACCENT_RE.match(text, i)
    if accent:
        out.append(_accent_group(accent.group(0)))
        return accent.end()
    if nxt.isascii() and nxt.isalpha():
        j = i + 1
        while j < len(text) and text[j].isascii() and text[j].isalpha():
            j += 1
        name = text[i + 1:j]
        if name in _WORD_COMMANDS:
            if text.startswith("{}", j):
                j += 2
            out.append("{\\%s}" % name)
            return j
        if j < len(text) and text[j] == "{":
            end = _closing_brace(text, j)
            if end != -1:
                argument = text[j + 1:end]
                if name in _ARG_COMMANDS:
                    out.append("\\%s{%s}" % (name, _convert(argument, ascii)))
                    return end + 1
                if name == "url":
                    out.append(_convert(argument, ascii, verbatim=True))
                    return end + 1
                if name == "footnote":
                    out.append(" (%s)" % _convert(argument, ascii).strip())
                    return end + 1
    out.append(_ESCAPES["\\"])  # an unknown or broken command is shown as written
    return i + 1


def to_latex(text: str | None, ascii: bool = False) -> str:
    """Text as safe LaTeX for a BibTeX/biblatex field; see the module docstring for what is kept."""
    if not text:
        return ""
    text = re.sub(r"[ \t\r\n]+", " ", str(text)).strip()
    return re.sub(r" {2,}", " ", _convert(text, ascii)).strip()


# --- titles ---------------------------------------------------------------------------------------------------


def _top_level_split(latex: str, separator: str) -> list[str]:
    """Split at ``separator`` where it is outside braces and math."""
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


_MATH_SPAN_RE = re.compile(r"\$[^$]*\$")
_COMMAND_RE = re.compile(r"\\(?:[A-Za-z]+|.)")


def _visible(latex: str) -> str:
    """Roughly what a reader sees of a LaTeX word: commands, braces and math left out."""
    return _COMMAND_RE.sub("", _MATH_SPAN_RE.sub("", latex)).replace("{", "").replace("}", "")


def _needs_protection(part: str, whole_token: str) -> bool | None:
    """True: BibTeX must not lowercase it; False: an ordinary word; None: no letters (digits, punctuation)."""
    for span in _MATH_SPAN_RE.findall(part):
        if any(c.isupper() for c in span):
            return True  # BibTeX would lowercase $\Delta$ and $N$ too
    letters = [c for c in _visible(part) if c.isalpha()]
    if not letters:
        return None
    if len(letters) == 1:
        return letters[0].isupper() and whole_token != "A"
    return any(c.isupper() for c in letters[1:])


def _brace(latex: str) -> str:
    # A group that starts with a backslash is a BibTeX "special character", whose letters it does case-change.
    return "{{%s}}" % latex if latex.startswith("\\") else "{%s}" % latex


def _protect_word(token: str) -> str:
    parts = _top_level_split(token, "-")
    flags = [_needs_protection(p, token) for p in parts]
    # Digits and punctuation join a protected neighbour: {GPT-4}, not {GPT}-4.
    for k, flag in enumerate(flags):
        if flag is None:
            flags[k] = bool((k and flags[k - 1]) or (k + 1 < len(flags) and flags[k + 1]))
    out, run = [], []
    for part, flag in zip(parts, flags):
        if flag:
            run.append(part)
            continue
        if run:
            out.append(_brace("-".join(run)))
            run = []
        out.append(part)
    if run:
        out.append(_brace("-".join(run)))
    return "-".join(out)


def _protect_initial(token: str) -> str:
    """``Study`` -> ``{S}tudy`` after a colon: BibTeX's sentence case would lowercase it in some styles."""
    i = 0
    while i < len(token) and token[i] in "(`'\"[":
        i += 1
    rest = token[i:]
    if rest[:1].isalpha() and rest[:1].isupper():
        return token[:i] + "{%s}" % rest[0] + rest[1:]
    group = _ACCENT_GROUP_RE.match(rest)
    if group and any(c.isupper() for c in _visible(group.group(0))):
        return token[:i] + "{%s}" % group.group(0) + rest[group.end():]
    return token


def protect_title(title: str | None, ascii: bool = False) -> str:
    """The title as LaTeX with acronyms, inner capitals and the word after a colon brace-protected.

    ``Survey: A Study of LLMs and MoE`` -> ``Survey: {A} Study of {LLMs} and {MoE}``. Ordinary capitalised words
    stay unprotected, so styles that set titles in sentence case still can.
    """
    words = _top_level_split(to_latex(title, ascii), " ")
    out: list[str] = []
    after_colon = False
    for word in words:
        protected = _protect_word(word)
        if after_colon and protected == word:
            protected = _protect_initial(word)
        out.append(protected)
        after_colon = _visible(word).rstrip("'\")]").endswith((":", "?", "!"))
    return " ".join(out)
