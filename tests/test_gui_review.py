"""The needs-review queue shows a flagged record's candidate readings side by side and takes one with a click."""

from __future__ import annotations

import sqlite3

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QLabel, QPushButton

from paperdesk.core.library import Library
from paperdesk.gui.main_window import MainWindow


def test_candidate_readings_side_by_side_and_a_click_takes_one(tmp_path, qtbot, write_dump):
    library = Library(tmp_path / "review.sqlite")
    text = "LGMay 28\nScaling Laws for Edge TPUsjohn smith, Ana Lee\nScaling laws for serving.\n"
    result = library.import_file(write_dump(text, "r.txt"))
    assert result.report["records_flagged"] == 1 and result.report["flag_reasons"]
    w = MainWindow(library, QSettings(str(tmp_path / "settings.ini"), QSettings.IniFormat))
    qtbot.addWidget(w)
    w.show()
    w.show_review()
    page = w.review
    assert len(page.readings) >= 2
    rows = [page.choices.itemAt(i).widget() for i in range(page.choices.count())]
    header, *choices = rows
    assert [lab.text() for lab in header.findChildren(QLabel)] == ["<b>Title</b>", "<b>Authors</b>"]
    assert len(choices) == len(page.readings)
    for row, reading in zip(choices, page.readings):
        title_label, authors_label = row.findChildren(QLabel)
        plain = title_label.text().replace("<b>", "").replace("</b>", "")
        assert plain.endswith(reading["title"][-10:]) or "(best guess)" in plain
        assert "<b>" in title_label.text()  # the part where the readings differ stands out
        assert authors_label.text().replace("<b>", "").replace("</b>", "") == ", ".join(reading["authors"])
    right = next(i for i, r in enumerate(page.readings) if r["title"].endswith("Edge TPUs"))
    qtbot.mouseClick(choices[right].findChild(QPushButton), Qt.LeftButton)
    conn = sqlite3.connect(library.path)
    title, flagged = conn.execute("SELECT title, needs_review FROM papers").fetchone()
    first = conn.execute("SELECT first_author FROM papers").fetchone()[0]
    conn.close()
    assert (title, flagged, first) == ("Scaling Laws for Edge TPUs", 0, "john smith")


def test_import_report_says_how_many_records_were_flagged_and_why(tmp_path, write_dump):
    from paperdesk.gui.dialogs.import_dialog import report_html

    library = Library(tmp_path / "report.sqlite")
    text = ("LGMay 28\nScaling Laws for Edge TPUsjohn smith, Ana Lee\nScaling laws for serving.\n"
            "CLMay 27\nReasoning Traces with DeepSeekChen Wei, Hao Sun et al.\nAn abstract.\n"
            "CVMay 26\nGraph Transformers for Vision TasksMarta Kowalski, Sam O'Neil\nGraphs for vision.\n")
    result = library.import_file(write_dump(text, "flags.txt"))
    report = result.report
    assert report["records_flagged"] == 2
    assert sum(report["flag_reasons"].values()) == 2
    shown = report_html([result.as_dict()])
    assert "2 flagged for review" in shown
    for reason, count in report["flag_reasons"].items():
        assert f"flagged: {count} × {reason}" in shown
