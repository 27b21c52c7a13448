"""The decoder's quick test for control characters, made on the UTF-8 bytes (dumps._utf8_has_controls), says
exactly what text.has_controls says of the decoded text, character by character and in context."""

from __future__ import annotations

from paperdesk.core import dumps
from paperdesk.core.text import has_controls


def test_every_character_up_to_u0800_alone_and_in_a_line():
    for code in range(0x800):
        ch = chr(code)
        for text in (ch, f"A title\u00e9 {ch} by Ana Lopez"):
            assert dumps._utf8_has_controls(text.encode("utf-8")) == has_controls(text), hex(code)


def test_c1_neighbours_and_line_breaks_are_told_apart():
    clean = "Caf\u00e9 \u00a0 \u00bf \u0100 \t\r\n\f".encode("utf-8")
    assert not dumps._utf8_has_controls(clean)
    for dirty in ("\u0085", "\u009f", "\u0080", "\x1b[31m", "\x00", "\x7f", "\x0b"):
        assert dumps._utf8_has_controls(("x" + dirty + "y").encode("utf-8")), repr(dirty)


def test_decode_still_removes_controls_and_warns():
    report = dumps.ParseReport(file="f.txt")
    text = dumps.decode("98.7LGMay 28\nA title\u0085 here\x1b[1m\nAna Lopez\n".encode("utf-8"), "f.txt", report)
    assert "\u0085" not in text and "\x1b" not in text
    assert any("control" in w["message"] for w in report.warnings)
    report = dumps.ParseReport(file="f.txt")
    plain = "98.7LGMay 28\nA title\u00e9 here\r\nAna Lopez\n"
    assert dumps.decode(plain.encode("utf-8"), "f.txt", report) == plain and not report.warnings
