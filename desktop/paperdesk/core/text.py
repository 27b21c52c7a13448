"""Text that is safe to store, show and write: control characters and terminal escape sequences, file names.

- ``clean_text``: what goes into the library (and into exported files) — NUL, other C0/C1 control characters and
  whole terminal escape sequences removed; tab, line and page breaks kept. Returns how much was removed, so the
  caller can warn.
- ``escape_controls``: what goes to a terminal — the same characters shown escaped (``\\x1b``), never sent raw.
- ``escape_name`` / ``unescape_name``: a file name as the file system gave it (bytes that are not UTF-8 arrive as
  lone surrogates) as printable text and back, losslessly: undecodable bytes become ``\\xNN``, control characters
  (a newline in a name) ``\\n``/``\\xNN``, and a backslash ``\\\\``.
"""

from __future__ import annotations

import re

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \\), other two-character escapes;
# and the 8-bit CSI/OSC forms.
_ESCAPE_SEQUENCE_RE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[PX^_][^\x1b]*(?:\x1b\\)?"
    r"|\x1b[ -~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    r"|\x9d[^\x07\x9c]*[\x07\x9c]?"
)
# C0 controls but tab, line feed, form feed and carriage return; DEL; C1 controls.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_CONTROL_ANY_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\x1b]")


def clean_text(text: str) -> tuple[str, int]:
    """``text`` without control characters and escape sequences, and how many characters were removed."""
    if not _CONTROL_ANY_RE.search(text):
        return text, 0
    cleaned = _CONTROL_RE.sub("", _ESCAPE_SEQUENCE_RE.sub("", text))
    return cleaned, len(text) - len(cleaned)


def has_controls(text: str) -> bool:
    return bool(_CONTROL_ANY_RE.search(text))


def escape_controls(text: str) -> str:
    """For a terminal: control characters (but tab and line breaks) shown as ``\\xNN``, lone surrogates too."""
    if not _CONTROL_ANY_RE.search(text) and not _has_surrogates(text):
        return text
    out = _CONTROL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
    return _SURROGATE_RE.sub(lambda m: f"\\x{ord(m.group()) - 0xDC00:02x}", out) if _has_surrogates(out) else out


_SURROGATE_RE = re.compile("[\udc80-\udcff]")
_NAME_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _has_surrogates(text: str) -> bool:
    return bool(_SURROGATE_RE.search(text))


def escape_name(name: str) -> str:
    """A file name as printable text, reversibly (see the module's docstring)."""
    if not (_has_surrogates(name) or _CONTROL_ANY_RE.search(name) or "\\" in name or "\n" in name or "\t" in name
            or "\r" in name):
        return name
    out = []
    for ch in name:
        code = ord(ch)
        if ch in _NAME_ESCAPES:
            out.append(_NAME_ESCAPES[ch])
        elif 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif code < 0x20 or 0x7F <= code <= 0x9F:
            out.append(f"\\u{code:04x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


_UNESCAPE_RE = re.compile(r"\\(\\|n|r|t|x[0-9a-f]{2}|u[0-9a-f]{4})")


def unescape_name(text: str) -> str:
    """The file name ``escape_name`` was given (with surrogateescapes for the bytes that were not UTF-8)."""

    def one(match: re.Match) -> str:
        token = match.group(1)
        if token == "\\":
            return "\\"
        if token in ("n", "r", "t"):
            return {"n": "\n", "r": "\r", "t": "\t"}[token]
        if token[0] == "x":
            return chr(0xDC00 + int(token[1:], 16))
        return chr(int(token[1:], 16))

    return _UNESCAPE_RE.sub(one, text)
