"""Bad input gets a clear one-line message naming the file (and line), no traceback, and nothing half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperdesk.core import dumps
from paperdesk.core.dumps import DumpError, parse_bytes, parse_text

CAPTURED = dt.date(2026, 6, 5)
RECORD = "LGMay 28Code\nA Title for TestingWei Guo, Rong Su\nAn abstract that ends properly.\n"


def library_state(library):
    return (
        library.count_papers(include_merged=True),
        library.conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0],
        library.conn.execute("SELECT COUNT(*) FROM provenance").fetchone()[0],
        library.conn.execute("SELECT COUNT(*) FROM events").fetchone()[0],
    )


def test_empty_file_is_refused_by_name(library, write_dump):
    for content in ("", "   \n\n"):
        result = library.import_file(write_dump(content, "empty.txt"), CAPTURED)
        assert result.status == "failed"
        assert result.message == "empty.txt: the file is empty"
    assert library_state(library) == (0, 0, 0, 0)


def test_binary_file_is_refused(library, write_dump):
    result = library.import_file(write_dump(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "a.png"))
    assert (result.status, result.message) == ("failed", "a.png: this is a binary file, not a text dump")
    assert library_state(library) == (0, 0, 0, 0)


def test_text_without_records_is_refused(library, write_dump):
    result = library.import_file(write_dump("Just some notes\nabout papers\n", "notes.txt"), CAPTURED)
    assert result.status == "failed"
    assert result.message.startswith("notes.txt: no records found")


def test_cp1252_file_is_decoded_with_a_warning_and_no_mojibake(library, write_dump):
    text = "LGMay 28\nCaf\u00e9 Recommendation at ScaleJos\u00e9 N\u00fa\u00f1ez, Rong Su\nAbstract \u201cquoted\u201d.\n"
    result = library.import_file(write_dump(text.encode("cp1252"), "win.txt"), CAPTURED)
    assert result.status == "imported"
    assert result.report["encoding"] == "cp1252"
    assert "not UTF-8" in result.report["warnings"][0]["message"]
    paper = next(library.iter_papers())
    assert paper["title"] == "Caf\u00e9 Recommendation at Scale"
    assert paper["authors"] == ["Jos\u00e9 N\u00fa\u00f1ez", "Rong Su"]
    assert paper["abstract"] == "Abstract \u201cquoted\u201d."


def test_latin1_only_bytes_fall_back_to_latin1(write_dump):
    data = "LGMay 28\nA Title HereWei Guo\nAbstract \u00e9.\n".encode("latin-1") + b"\x81."
    parsed = parse_bytes(data, "x.txt", CAPTURED)
    assert parsed.report.encoding == "latin-1"


def test_doubly_encoded_utf8_is_flagged_not_silently_stored():
    mojibake = "LGMay 28\nCaf\u00e9 StudiesJos\u00e9 N\u00fa\u00f1ez\nAbstract.\n".encode("utf-8").decode("latin-1")
    parsed = parse_bytes(mojibake.encode("utf-8"), "m.txt", CAPTURED)
    assert any("mojibake" in w["message"] for w in parsed.report.warnings)


def test_bom_and_crlf(library, write_dump):
    data = b"\xef\xbb\xbf" + RECORD.replace("\n", "\r\n").encode("utf-8")
    result = library.import_file(write_dump(data, "bom.txt"), CAPTURED)
    assert result.status == "imported" and result.report["encoding"] == "utf-8-sig"
    paper = next(library.iter_papers())
    assert paper["title"] == "A Title for Testing" and paper["abstract"] == "An abstract that ends properly."
    assert paper["sources"] == [{"file": "bom.txt", "line": 1}]
    raw = library.conn.execute("SELECT raw FROM provenance").fetchone()[0]
    assert "\r" not in raw and raw.startswith("LGMay 28Code\nA Title")


def test_stray_page_text_is_skipped_with_line_numbers():
    text = "Trending papers\nLoad more\n" + RECORD + "Show more\n" + RECORD.replace("May 28", "May 27")
    _, records, report = parse_text(text, "s.txt", CAPTURED)
    assert [r.line for r in records] == [3, 7]
    assert report.skipped == [
        {"line": 1, "reason": "text before the first record (not a profile header)"},
        {"line": 2, "reason": "text before the first record (not a profile header)"},
        {"line": 6, "reason": "stray text between records"},
    ]


def test_cut_off_last_record_is_kept_and_flagged():
    text = RECORD + "CLMay 25\nAnother Paper TitleHao Gu, Wei Li\n"
    _, records, report = parse_text(text, "c.txt", CAPTURED)
    assert len(records) == 2
    assert records[1].abstract == "" and records[1].needs_review
    assert "cut" in records[1].review["reasons"][0]
    assert any(w["line"] == 4 and "cut off" in w["message"] for w in report.warnings)


def test_meta_line_alone_at_the_end_is_reported():
    _, records, report = parse_text(RECORD + "CLMay 25\n", "c.txt", CAPTURED)
    assert len(records) == 1
    assert report.skipped == [{"line": 4, "reason": "a meta line with no title or authors after it (cut-off record)"}]


def test_abstract_cut_mid_sentence_warns():
    _, _, report = parse_text("LGMay 28\nA Title HereWei Guo\nThe abstract stops in the mid", "c.txt", CAPTURED)
    assert report.warnings == [{"line": 1, "message": "the last record's abstract ends mid-sentence: the dump may be cut off"}]


def test_one_megabyte_abstract(library, write_dump):
    abstract = ("word " * 210_000).strip() + "."
    result = library.import_file(write_dump(f"LGMay 28\nA Title HereWei Guo\n{abstract}\n", "big.txt"), CAPTURED)
    assert result.status == "imported"
    assert len(next(library.iter_papers())["abstract"]) == len(abstract)


def test_impossible_date_is_kept_without_a_date_and_flagged(library, write_dump):
    result = library.import_file(write_dump("LGFeb 30, 2024\nA Title HereWei Guo\nAbstract.\n", "d.txt"), CAPTURED)
    assert result.status == "imported"
    assert result.report["warnings"][0]["line"] == 1 and "impossible date" in result.report["warnings"][0]["message"]
    paper = next(library.iter_papers())
    assert paper["date"] is None and paper["needs_review"]
    assert paper["review"]["reasons"] == ["impossible date Feb 30"]


def test_enormous_file_is_refused_before_reading(library, write_dump, monkeypatch):
    monkeypatch.setattr(dumps, "MAX_FILE_BYTES", 1000)
    result = library.import_file(write_dump(RECORD * 50, "huge.txt"), CAPTURED)
    assert result.status == "failed" and "huge.txt: the file is" in result.message and "refused" in result.message
    assert library_state(library) == (0, 0, 0, 0)


def test_missing_file(library, tmp_path):
    result = library.import_file(tmp_path / "nope.txt", CAPTURED)
    assert result.status == "failed" and result.message.startswith("nope.txt: cannot read the file")


def test_full_disk_leaves_the_library_as_it_was(library, write_dump, seed_paths):
    assert library.import_file(seed_paths[0], CAPTURED).status == "imported"
    before = library_state(library)
    pages = library.conn.execute("PRAGMA page_count").fetchone()[0]
    library.conn.execute(f"PRAGMA max_page_count = {pages + 2}")  # the disk fills up during the next import
    result = library.import_file(seed_paths[4], CAPTURED)
    assert result.status == "failed"
    assert "disk is full" in result.message and "nothing was written" in result.message
    assert library_state(library) == before
    library.conn.execute("PRAGMA max_page_count = 1073741823")
    assert library.import_file(seed_paths[4], CAPTURED).status == "imported"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_parser_never_raises_on_arbitrary_text(text):
    profile, records, report = parse_text(text, "h.txt", CAPTURED)
    assert report.records_read == len(records)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([
    "LGMay 28Code", "98.7CLFeb 29", "IRDec 16, 2022", "", "A Title HereWei Guo, Rong Su et al.",
    "Wei Guo, Rong Su", "Some abstract.", "h-index3", "Hao Gu", " · org", "Show more", "LGFeb 30",
]), max_size=40))
def test_parser_never_raises_on_dump_like_text(lines):
    _, records, report = parse_text("\n".join(lines), "h.txt", CAPTURED)
    for record in records:
        assert record.raw.startswith(record.raw.split("\n")[0])
        assert record.line >= 1


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_bytes_either_parse_or_fail_with_a_dump_error(data):
    try:
        parse_bytes(data, "b.txt", CAPTURED)
    except DumpError as exc:
        assert str(exc).startswith("b.txt: ")


@pytest.mark.parametrize("year", ["0001", "1899", "9999"])
def test_years_outside_1900_to_next_year_are_flagged_like_impossible_dates(library, write_dump, year):
    """Issue 13, item 15: years 0001 and 9999 imported without a flag although the editor refuses them."""
    dump = write_dump(f"LGMay 28, {year}Code\nA Study of Things\nWei Guo, Rong Su\nWe study things.\n"
                      "LGMay 28, 2024Code\nAnother Study\nWei Guo, Rong Su\nWe study more.\n")
    result = library.import_file(dump, CAPTURED)
    assert result.status == "imported"
    rows = library.conn.execute("SELECT date, needs_review, review FROM papers ORDER BY id").fetchall()
    assert rows[0][0] is None and rows[0][1] == 1 and f"unlikely year {int(year)}" in rows[0][2]
    assert rows[1][0] == "2024-05-28" and rows[1][1] == 0
    assert any("unlikely year" in w["message"] for w in result.report["warnings"])
