"""Copy citation and Copy BibTeX: the texts the clipboard gets."""

from __future__ import annotations

import pytest

from paperdesk.core import citation
from paperdesk.core.curation import paper_detail, update_fields


@pytest.mark.parametrize("style", sorted(citation.STYLES))
def test_each_style_formats_title_authors_year_and_et_al(seeded, style):
    pid = next(p["id"] for p in seeded.iter_papers() if p["authors_truncated"])
    detail = paper_detail(seeded, pid)
    (text,) = citation.references(seeded, [pid], style)
    assert detail["title"].split(":")[0] in text
    assert detail["authors"][0].split()[-1] in text  # the first author's surname
    assert str(detail["year"]) in text
    assert "et al." in text and "and et al" not in text and "& et al" not in text
    assert "Listed in" not in text  # provenance is not part of a reference


def test_a_name_in_a_non_latin_script_stays_whole(seeded):
    pid = seeded.iter_papers().__next__()["id"]
    update_fields(seeded, pid, {"authors": ["李明", "Wei Guo"], "authors_truncated": False})
    (text,) = citation.references(seeded, [pid], "apa")
    assert "李明" in text and "Guo, W." in text


def test_ieee_keeps_the_order_given_and_numbers_it(seeded):
    ids = [p["id"] for p in seeded.iter_papers()][:3][::-1]
    texts = citation.references(seeded, ids, "ieee")
    assert [t[:4] for t in texts] == ["[1] ", "[2] ", "[3] "]
    titles = [paper_detail(seeded, i)["title"] for i in ids]
    assert all(t.split(" ")[0] in text for t, text in zip(titles, texts))


def test_unknown_style_and_bibtex_of(seeded):
    with pytest.raises(ValueError, match="unknown citation style"):
        citation.references(seeded, [1], "harvard-unknown")
    text = citation.bibtex_of(seeded, [1, 2])
    assert text.count("\n@") == 2
    keys = [paper_detail(seeded, i)["citekey"] for i in (1, 2)]
    assert all(k and k in text for k in keys)
