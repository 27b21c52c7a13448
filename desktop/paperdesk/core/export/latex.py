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

ASCII output is what a default ``\\documentclass{article}`` (OT1 fonts) typesets: the few letters whose LaTeX
commands exist only with T1 fonts (``\\k``, ``\\DJ``, ``\\TH``, ``\\NG``, guillemets; see ``T1_ONLY``) are written
as their nearest OT1 spelling, and ``t1_only_chars`` tells which characters of a text were approximated so the
export can say so. An i or j under an accent stays a plain letter (``{\\"i}``, not ``{\\"{\\i}}``): biber and
citation-js read the dotless form as a dotless i plus a combining mark.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

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
                  "pounds", "texteuro", "textperiodcentered"}
# Commands that exist only with T1 fonts: read as the character they stand for, then written like it.
_T1_WORD_COMMANDS = {"guillemotleft": "\u00ab", "guillemotright": "\u00bb", "guilsinglleft": "\u2039",
                     "guilsinglright": "\u203a", "textquotedbl": '"', "DJ": "\u0110", "dj": "\u0111",
                     "DH": "\u00d0", "dh": "\u00f0", "TH": "\u00de", "th": "\u00fe", "NG": "\u014a",
                     "ng": "\u014b"}
_SYMBOL_ACCENTS = "'`^\"~=."
_LETTER_ACCENTS = "cvuHrdbkt"
_ACCENT_RE = re.compile(
    r"\\([" + re.escape(_SYMBOL_ACCENTS) + r"])\s*(\{\\[ij]\}|\\[ij](?![A-Za-z])|\{[A-Za-z]\}|[A-Za-z])"
    r"|\\([" + _LETTER_ACCENTS + r"])(?:\s+([A-Za-z])|\{(\\[ij]|[A-Za-z])\})"
)
# The same, already braced as BibTeX wants them: {\'e}, {\c{c}}, {\ss}.
_ACCENT_GROUP_RE = re.compile(
    r"\{(\\(?:[" + re.escape(_SYMBOL_ACCENTS) + r"]\s*(?:\{\\[ij]\}|\\[ij]|\{[A-Za-z]\}|[A-Za-z])"
    r"|[" + _LETTER_ACCENTS + r"](?:\s+[A-Za-z]|\{(?:\\[ij]|[A-Za-z])\})"
    r"|(?:ss|SS|o|O|ae|AE|oe|OE|aa|AA|l|L|i|j)))\}"
)


# --- Unicode -> LaTeX (used for ascii=True, and for symbols inside math in both modes) ---------------------------

_COMBINING = {"\u0300": "`", "\u0301": "'", "\u0302": "^", "\u0303": "~", "\u0304": "=", "\u0306": "u",
              "\u0307": ".", "\u0308": '"', "\u030a": "r", "\u030b": "H", "\u030c": "v", "\u0323": "d",
              "\u0327": "c", "\u0328": "k", "\u0331": "b"}
_BELOW = {"\u0323", "\u0327", "\u0328", "\u0331"}  # marks under the letter: an i keeps its dot
_LETTERS = {"ß": r"\ss", "ẞ": r"\SS", "ø": r"\o", "Ø": r"\O", "æ": r"\ae", "Æ": r"\AE", "œ": r"\oe", "Œ": r"\OE",
            "å": r"\aa", "Å": r"\AA", "ł": r"\l", "Ł": r"\L", "ı": r"\i", "ȷ": r"\j"}
# Characters whose LaTeX spelling needs T1 fonts (\usepackage[T1]{fontenc}); a default article stops with
# "Command ... unavailable in encoding OT1". ASCII output writes them the nearest way OT1 can (the letter without
# its ogonek, D for the crossed D, th for the thorn, math's << for a guillemet).
T1_ONLY = {"đ": ("{\\dj}", "d"), "Đ": ("{\\DJ}", "D"), "ð": ("{\\dh}", "d"), "Ð": ("{\\DH}", "D"),
           "þ": ("{\\th}", "th"), "Þ": ("{\\TH}", "Th"), "ŋ": ("{\\ng}", "ng"), "Ŋ": ("{\\NG}", "NG"),
           "\u00ab": ("{\\guillemotleft}", "{$\\ll$}"), "\u00bb": ("{\\guillemotright}", "{$\\gg$}"),
           "\u2039": ("{\\guilsinglleft}", "{$<$}"), "\u203a": ("{\\guilsinglright}", "{$>$}")}
_OGONEK = "\u0328"
_TEXT_SYMBOLS = {
    "\u2013": "--", "\u2014": "---", "\u2018": "`", "\u2019": "'", "\u201a": ",", "\u201c": "``", "\u201d": "''",
    "\u201e": ",,", "\u2026": r"{\ldots}",
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


def needs_t1(ch: str) -> bool:
    """Whether ``ch``'s LaTeX spelling needs T1 fonts (so ASCII output approximates it)."""
    return ch in T1_ONLY or _OGONEK in unicodedata.normalize("NFD", ch)


def t1_only_chars(text: str | None) -> set[str]:
    """The characters of ``text`` that ASCII output can only approximate without T1 fonts."""
    if not text or text.isascii():
        return set()
    return {ch for ch in set(text) if not ch.isascii() and needs_t1(ch)}


def _accented(ch: str) -> str | None:
    """``é`` -> ``{\\'e}``, ``ç`` -> ``{\\c{c}}``, ``ặ`` -> ``{\\u{\\d{a}}}``; None when LaTeX has no spelling."""
    if ch in _LETTERS:
        return "{%s}" % _LETTERS[ch]
    if ch in T1_ONLY:
        return T1_ONLY[ch][1]
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:].replace(_OGONEK, "")  # \k needs T1: the letter without it
    if base.isascii() and base.isalpha() and not marks and len(decomposed) > 1:
        return base
    if not marks or not ("a" <= base.lower() <= "z") or any(m not in _COMBINING for m in marks):
        return None
    inner = base  # i and j stay dotted: {\"i} is what biber, citation-js and LaTeX all read as an i-diaeresis
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
            return "%s{%s}" % (math_op, inner) if math else "\\%s{%s}" % (text_cmd, _ESCAPES.get(inner, inner))
    return None


def _text_char(ch: str, ascii: bool) -> str:
    """One character outside math."""
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if ch.isascii():
        return " " if unicodedata.category(ch) == "Cc" else ch
    category = unicodedata.category(ch)
    if category == "Cf":
        return ""  # zero-width and other invisible format characters
    if category == "Cc" or (category[0] == "Z" and ch not in _TEXT_SYMBOLS):
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
    """One non-ASCII character inside math: a math command, or the character as text in an \\mbox."""
    if ch in _MATH_SYMBOLS:
        return _MATH_SYMBOLS[ch]
    category = unicodedata.category(ch)
    if category == "Cf":
        return ""
    if category.startswith("Z") or category == "Cc":
        return " "
    found = _script(ch, math=True)
    if found is not None:
        return found
    compat = unicodedata.normalize("NFKC", ch)
    if compat != ch and compat.isascii() and compat.isalnum():
        return compat
    return r"\mbox{%s}" % _text_char(ch, ascii)  # letters such as é are text, not math, in LaTeX


# --- scanning -------------------------------------------------------------------------------------------------


_BRACE_RE = re.compile(r"\\.|[{}]", re.S)  # an escaped character (skipped) or a brace
_DOLLAR_RE = re.compile(r"\\.|\$", re.S)


def _closing_brace(text: str, start: int) -> int:
    """Index of the brace closing the group opened at ``start``, or -1 (escaped braces do not count)."""
    depth = 0
    for found in _BRACE_RE.finditer(text, start):
        c = found.group()
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return found.start()
    return -1


def _closing_dollar(text: str, start: int) -> int:
    for found in _DOLLAR_RE.finditer(text, start):
        if found.group() == "$":
            return found.start()
    return -1


class _Unsafe(Exception):
    """Math that LaTeX could reject; it is shown as written instead."""


# Math commands of the LaTeX kernel itself (no package needed), by how many arguments they take.
_MATH_WORDS = frozenset("""
    pm mp times div cdot ast star circ bullet oplus ominus otimes oslash odot cap cup sqcap sqcup vee wedge setminus
    wr diamond bigtriangleup bigtriangledown triangleleft triangleright uplus amalg dagger ddagger lor land leq le geq
    ge neq ne equiv sim simeq approx cong propto prec succ preceq succeq ll gg subset supset subseteq supseteq
    sqsubseteq sqsupseteq in ni notin mid parallel perp smile frown asymp bowtie models vdash dashv doteq not
    leftarrow rightarrow Leftarrow Rightarrow leftrightarrow Leftrightarrow longleftarrow longrightarrow
    Longleftarrow Longrightarrow mapsto longmapsto uparrow downarrow Uparrow Downarrow updownarrow Updownarrow
    nearrow searrow swarrow nwarrow to gets hookleftarrow hookrightarrow iff infty nabla partial forall exists neg
    lnot emptyset Re Im wp aleph hbar ell imath jmath prime top bot angle triangle backslash surd flat natural sharp
    clubsuit diamondsuit heartsuit spadesuit ldots cdots vdots ddots dots colon sum prod coprod int oint bigcap
    bigcup bigvee bigwedge bigoplus bigotimes bigodot biguplus bigsqcup log ln exp sin cos tan cot sec csc arcsin
    arccos arctan sinh cosh tanh coth lim liminf limsup max min sup inf arg det dim gcd hom ker Pr deg lg bmod
    langle rangle lfloor rfloor lceil rceil lbrace rbrace vert Vert quad qquad displaystyle textstyle scriptstyle
    scriptscriptstyle
    """.split()) | {name for name in _GREEK.values()}
_MATH_ARGS = {"frac": 2, "stackrel": 2, "sqrt": 1, "pmod": 1, "hat": 1, "tilde": 1, "bar": 1, "vec": 1, "dot": 1,
              "ddot": 1, "breve": 1, "check": 1, "acute": 1, "grave": 1, "widehat": 1, "widetilde": 1,
              "overline": 1, "underline": 1, "overbrace": 1, "underbrace": 1, "mathrm": 1, "mathbf": 1, "mathit": 1,
              "mathsf": 1, "mathtt": 1, "mathcal": 1, "mathnormal": 1}
# Common package commands, written with their nearest kernel equivalent.
_MATH_ALIASES = {"mathbb": "mathbf", "mathds": "mathbf", "bm": "mathbf", "boldsymbol": "mathbf", "mathscr": "mathcal",
                 "mathfrak": "mathcal", "operatorname": "mathrm", "text": "mbox", "tfrac": "frac", "dfrac": "frac",
                 "leqslant": "leq", "geqslant": "geq", "varnothing": "emptyset", "lVert": "Vert", "rVert": "Vert",
                 "lvert": "vert", "rvert": "vert", "overset": "stackrel"}
# Sizing that must pair up or be followed by a delimiter: left out, the delimiters stay.
_MATH_DROPPED = frozenset("left right middle big Big bigg Bigg bigl bigr Bigl Bigr biggl biggr Biggl Biggr".split())
_MATH_TEXT = frozenset("mbox textrm textbf textit texttt textsf textsc textnormal textup textsl textmd emph".split())
_MATH_CONTROL_SYMBOLS = frozenset(",;:! |%#&$_")
_SPACE = frozenset(" \t\r\n")
_ENDS_IN_COMMAND_RE = re.compile(r"\\[A-Za-z]+$")


class _Math:
    """Math between $...$, checked against what the kernel knows; raises _Unsafe where it could fail."""

    def __init__(self, body: str, ascii: bool):
        self.s, self.i, self.ascii = body, 0, ascii

    def peek(self) -> str:
        return self.s[self.i] if self.i < len(self.s) else ""

    def sequence(self, closing: bool) -> str:
        out: list[str] = []
        sup = sub = False  # the current atom has a superscript / subscript: a second one is an error
        while True:
            c = self.peek()
            if c == "" or c == "}":
                if closing != (c == "}"):
                    raise _Unsafe  # unbalanced
                self.i += 1
                return "".join(out)
            if c in _SPACE:
                self.i += 1
                out.append(" ")
                continue
            if c in "^_":
                self.i += 1
                atom = c + self.argument()
            elif c == "'" and sup:
                raise _Unsafe  # a prime is a superscript too
            else:
                atom = self.atom()
            if atom[:1] in ("^", "_"):  # also ° and ², which carry their own superscript
                if sup if atom[0] == "^" else sub:
                    raise _Unsafe
                sup, sub = sup or atom[0] == "^", sub or atom[0] == "_"
            elif atom.strip():
                sup = sub = False
            out.append(atom)

    def atom(self) -> str:
        c = self.peek()
        if c == "{":
            self.i += 1
            return "{%s}" % self.sequence(closing=True)
        if c == "\\":
            return self.command()
        self.i += 1
        if c in "%#&":
            return "\\" + c
        if c.isascii():
            return " " if unicodedata.category(c) == "Cc" else c
        converted = _math_char(c, self.ascii)
        nxt = self.peek()
        if _ENDS_IN_COMMAND_RE.search(converted) and nxt.isascii() and nxt.isalpha():
            converted += " "  # \tau followed by a letter must not run into it
        return converted

    def argument(self) -> str:
        while self.peek() in _SPACE:
            self.i += 1
        if self.peek() in ("", "}", "^", "_"):
            raise _Unsafe  # x^ with nothing to raise
        atom = self.atom()
        if not atom.strip() or atom[0] in "^_":
            raise _Unsafe
        if atom.startswith("{") or (len(atom) == 1 and atom.isascii() and atom.isalnum()):
            return atom
        return "{%s}" % atom.strip()  # braced: x_' and x_~ would meet an active character

    def command(self) -> str:
        self.i += 1
        c = self.peek()
        if not (c.isascii() and c.isalpha()):
            self.i += 1
            if c in ("{", "}"):
                return r"\lbrace " if c == "{" else r"\rbrace "  # BibTeX would count the brace of \{
            if c and c in _MATH_CONTROL_SYMBOLS:
                return "\\" + c
            raise _Unsafe
        j = self.i
        while j < len(self.s) and self.s[j].isascii() and self.s[j].isalpha():
            j += 1
        name = _MATH_ALIASES.get(self.s[self.i:j], self.s[self.i:j])
        self.i = j
        if name in _MATH_DROPPED:
            return ""
        if name in _MATH_TEXT:
            while self.peek() == " ":
                self.i += 1
            end = _closing_brace(self.s, self.i) if self.peek() == "{" else -1
            if end == -1:
                raise _Unsafe
            argument, self.i = self.s[self.i + 1:end], end + 1
            return "\\%s{%s}" % (name, _convert(argument, self.ascii))
        if name in _MATH_ARGS:
            return "\\" + name + "".join(self.argument() for _ in range(_MATH_ARGS[name]))
        if name in _MATH_WORDS:
            nxt = self.peek()
            return "\\" + name + (" " if nxt.isascii() and nxt.isalpha() else "")
        raise _Unsafe


@lru_cache(maxsize=1 << 14)  # the same formulas ($D^2$, $\\times$) recur from text to text
def _math(body: str, ascii: bool) -> str | None:
    """Safe math for the content of $...$, or None when it has to be shown as written."""
    try:
        math = _Math(body, ascii).sequence(closing=False)
    except _Unsafe:
        return None
    return _trim(math) if math.strip() else ""


# A run of printable ASCII that no rule below touches: copied in one step (most of any text).
_PLAIN_RUN_RE = re.compile(r"[ !\"'()*+,\-./0-9:;=?@A-Z\[\]`a-z]+")


def _convert(text: str, ascii: bool, verbatim: bool = False) -> str:
    """The text-mode scanner behind to_latex. ``verbatim``: no LaTeX is recognised (URL arguments)."""
    out: list[str] = []
    i, n = 0, len(text)
    plain = _PLAIN_RUN_RE.match
    while i < n:
        run = plain(text, i)
        if run:
            out.append(run.group())
            i = run.end()
            if i >= n:
                break
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
            math = _math(text[start:end], ascii) if end != -1 else ""
            if math:
                out.append("$%s$" % math)
            elif math is None:  # math LaTeX could reject: shown as written
                dollars = r"\$" * (2 if display else 1)
                out.append(dollars + _convert(text[start:end], ascii) + dollars)
            else:
                out.append(r"\$")  # a lone or empty $
                i += 1
                continue
            i = end + (2 if display else 1)
            continue
        if c == "\\":
            i = _backslash(text, i, ascii, out)
            continue
        if c == "{":
            match = _ACCENT_GROUP_RE.match(text, i)
            if match:
                out.append(match.group(0))
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
    if accent and accent.group(3) == "k":  # an ogonek (T1 only): read as the character, then written like it
        letter = accent.group(4) or accent.group(5)
        if len(letter) == 1:
            out.append(_text_char(unicodedata.normalize("NFC", letter + _OGONEK), ascii))
            return accent.end()
    if accent:
        out.append("{%s}" % accent.group(0))  # braced: one "special character" for BibTeX
        return accent.end()
    if nxt.isascii() and nxt.isalpha():
        j = i + 1
        while j < len(text) and text[j].isascii() and text[j].isalpha():
            j += 1
        name = text[i + 1:j]
        if name in _T1_WORD_COMMANDS:
            if text.startswith("{}", j):
                j += 2
            out.append(_text_char(_T1_WORD_COMMANDS[name], ascii))
            return j
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
                    out.append(" (%s)" % _convert(argument, ascii))
                    return end + 1
    out.append(_ESCAPES["\\"])  # an unknown or broken command is shown as written
    return i + 1


def _trim(latex: str) -> str:
    """Strip spaces, but never the one of a control space: a trailing backslash would escape what follows."""
    latex = latex.lstrip(" ")
    while latex.endswith(" ") and not latex.endswith("\\ "):
        latex = latex[:-1]
    return latex


_WHITESPACE_RE = re.compile(r"[ \t\r\n]+")
_SPACES_RE = re.compile(r" {2,}")


def to_latex(text: str | None, ascii: bool = False) -> str:
    """Text as safe LaTeX for a BibTeX/biblatex field; see the module docstring for what is kept."""
    if not text:
        return ""
    text = str(text)
    if "  " in text or "\n" in text or "\t" in text or "\r" in text:  # else the substitution changes nothing
        text = _WHITESPACE_RE.sub(" ", text)
    text = text.strip()
    latex = _convert(text, ascii)
    if _BRACE_WORDS[0] in latex:
        latex = _paired_braces(latex)
    return _trim(_SPACES_RE.sub(" ", latex) if "  " in latex else latex)


_BRACE_WORDS = (_ESCAPES["{"], _ESCAPES["}"])
_BRACE_TOKEN_RE = re.compile(r"\\textbrace(?:left|right)\{\}|\\.|[{}]", re.S)


def _paired_braces(latex: str) -> str:
    """Literal braces that pair up within one group as ``\\{`` ``\\}``, which every reader knows (pandoc drops
    ``\\textbraceleft``); a brace with no partner stays ``\\textbraceleft{}``, the one spelling that keeps
    BibTeX's count of braces balanced."""
    tokens = list(_BRACE_TOKEN_RE.finditer(latex))
    pairs, opened, groups = {}, [], []  # opened: literal left braces waiting, with the group depth they were in
    for k, token in enumerate(tokens):
        t = token.group()
        if t == "{":
            groups.append(len(opened))
        elif t == "}":
            if groups:
                del opened[groups.pop():]  # a literal left brace left open inside a group stays unpaired
        elif t == _BRACE_WORDS[0]:
            opened.append(k)
        elif t == _BRACE_WORDS[1] and len(opened) > (groups[-1] if groups else 0):
            pairs[opened.pop()] = k
    if not pairs:
        return latex
    spelled = {k: "\\{" for k in pairs} | {k: "\\}" for k in pairs.values()}
    out, last = [], 0
    for k, token in enumerate(tokens):
        if k in spelled:
            out += [latex[last:token.start()], spelled[k]]
            last = token.end()
    out.append(latex[last:])
    return "".join(out)


# --- titles ---------------------------------------------------------------------------------------------------


_SPLIT_RES = {sep: re.compile(r"\\.|[{}$]|" + re.escape(sep), re.S) for sep in " -"}


def _top_level_split(latex: str, separator: str) -> list[str]:
    """Split at ``separator`` where it is outside braces and math (a backslash takes the next character with it;
    an unbalanced ``}`` leaves the rest unsplit). Jumps from one special character to the next."""
    if "\\" not in latex and "{" not in latex and "}" not in latex and "$" not in latex:
        return latex.split(separator)
    parts, depth, math, start = [], 0, False, 0
    for found in _SPLIT_RES[separator].finditer(latex):
        c = found.group()
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "$":
            if depth == 0:
                math = not math
        elif c == separator:
            if depth == 0 and not math:
                parts.append(latex[start:found.start()])
                start = found.end()
    parts.append(latex[start:])
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


@lru_cache(maxsize=1 << 16)  # title words recur from title to title: each is weighed once per export
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


@lru_cache(maxsize=1 << 14)
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
        after_colon = _ends_clause(word)
    return " ".join(out)


@lru_cache(maxsize=1 << 16)
def _ends_clause(word: str) -> bool:
    """Whether the next word starts a clause (after a colon, question or exclamation mark)."""
    return _visible(word).rstrip("'\")]").endswith((":", "?", "!"))
