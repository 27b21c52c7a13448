"""Citation keys (core/export/keys.py): JabRef-style patterns, unique in the library, stable once given."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperdesk.core import curation
from paperdesk.core.curation import ValidationError
from paperdesk.core.export.keys import (DEFAULT_PATTERN, KEY_RE, assign_keys, generate_key, get_pattern, set_key,
                                        set_pattern, split_name)


def _id(library, title: str) -> int:
    return library.conn.execute("SELECT id FROM papers WHERE title = ? ORDER BY id", (title,)).fetchone()[0]


def _stored(library, paper_id: int) -> str | None:
    return library.conn.execute("SELECT citekey FROM papers WHERE id = ?", (paper_id,)).fetchone()[0]


PAPER = {"id": 7, "title": "An awesome paper on JabRef", "authors": ["Ada Núñez", "Charles van Babbage", "Bo Li"],
         "authors_truncated": False, "date": "2024-05-28"}


@pytest.mark.parametrize("pattern, key", [
    ("[auth]", "Nunez"),
    ("[auth:lower][year][shorttitle]", "nunez2024AwesomePaperJabref"),  # the default
    ("[authors]", "NunezBabbageLi"),
    ("[authors2]", "NunezBabbageEtAl"),
    ("[auth3_2]", "Bab"),
    ("[auth2]", "Nu"),
    ("[authEtAl]", "NunezEtAl"),
    ("[authorLast]", "Li"),
    ("[auth][shortyear]", "Nunez24"),
    ("[title]", "AnAwesomePaperonJabref"),
    ("[veryshorttitle]", "Awesome"),
    ("[camel]", "AnAwesomePaperOnJabref"),
    ("[camel:abbr]", "AAPOJ"),
    ("[title:abbr]", "AAPoJ"),
    ("[auth:upper]-[year]", "NUNEZ-2024"),
])
def test_pattern_markers(pattern, key):
    assert generate_key(PAPER, pattern) == key


def test_keys_of_truncated_lists_and_collective_names():
    paper = {"title": "OneReason Technical Report", "authors": ["OneRec Team", "Biao Yang"],
             "authors_truncated": True, "date": "2026-06-04"}
    assert generate_key(paper) == "onerecteam2026OnereasonTechnicalReport"
    assert generate_key(paper, "[authors]") == "OneRecTeamYangEtAl"
    assert generate_key({**paper, "id": 3}, "[authorLast]") == "paper3"  # the last author is unknown: a fallback


def test_keys_are_plain_ascii_without_latex():
    paper = {"title": "S$^2$GR: Stepwise Semantic-Guided Reasoning", "authors": ["Zoë Ørsted"], "date": "2026-05-18"}
    assert generate_key(paper) == "orsted2026S2grStepwiseSemantic"
    greek = {"title": "$τ$-bench: a Benchmark", "authors": ["Łukasz Straße"], "date": None}
    assert generate_key(greek) == "strasseTauBenchBenchmark"


def test_split_name_follows_bibtex():
    assert split_name("Ludwig van Beethoven") == {"given": "Ludwig", "particle": "van", "family": "Beethoven",
                                                  "suffix": ""}
    assert split_name("Amrithaa Ashok Kumar")["family"] == "Kumar"
    assert split_name("John Smith Jr.") == {"given": "John", "particle": "", "family": "Smith", "suffix": "Jr."}


def test_assign_keys_gives_every_seed_record_a_unique_ascii_key(seeded):
    keys = assign_keys(seeded)
    assert len(keys) == seeded.count_papers() == 154
    assert all(KEY_RE.match(k) for k in keys.values())
    assert len({k.lower() for k in keys.values()}) == 154  # BibTeX compares keys ignoring case
    assert keys[_id(seeded, "Delta Decompression for MoE-based LLMs Compression")] == "gu2025DeltaDecompressionMoe"
    assert keys[_id(seeded, "OneReason Technical Report")] == "onerecteam2026OnereasonTechnicalReport"
    stored = dict(seeded.conn.execute("SELECT id, citekey FROM papers"))
    assert stored == keys
    events = seeded.events("citekeys")
    assert len(events) == 1 and '"pattern": "[auth:lower][year][shorttitle]"' in events[0]["details"]


def test_same_key_twice_gets_letter_suffixes(seeded):
    # The survey is listed in two dumps: two records, same authors, title and year.
    first, second = [r[0] for r in seeded.conn.execute(
        "SELECT id FROM papers WHERE title LIKE 'How Can Recommender Systems Benefit%' ORDER BY id")]
    keys = assign_keys(seeded, [second, first])
    assert list(keys) == [second, first]  # in the order asked for
    assert keys[first] == "lin2023HowCanRecommender"  # the older record gets the plain key
    assert keys[second] == "lin2023HowCanRecommendera"
    third = _id(seeded, "Semantic Product Search")
    curation.update_fields(seeded, third, {"title": "How Can Recommender Systems Benefit", "authors": ["Jie Lin"],
                                           "date": "2023-01-01"})
    assert assign_keys(seeded, [third]) == {third: "lin2023HowCanRecommenderb"}


def test_existing_keys_stay_when_the_record_changes(seeded):
    pid = _id(seeded, "Delta Decompression for MoE-based LLMs Compression")
    key = assign_keys(seeded, [pid])[pid]
    curation.update_fields(seeded, pid, {"title": "Compressing Experts", "authors": ["Ann Other"]})
    assert assign_keys(seeded, [pid]) == {pid: key}
    assert assign_keys(seeded)[pid] == key
    assert _stored(seeded, pid) == key
    # Only regenerate gives a new one, from the record as it is now.
    assert assign_keys(seeded, [pid], regenerate=True) == {pid: "other2025CompressingExperts"}
    assert _stored(seeded, pid) == "other2025CompressingExperts"


def test_regenerate_may_hand_a_key_from_one_record_to_another(seeded):
    a = _id(seeded, "Semantic Product Search")
    b = _id(seeded, "Delta Decompression for MoE-based LLMs Compression")
    set_key(seeded, a, "gu2025DeltaDecompressionMoe")  # a holds what b's pattern gives
    assert assign_keys(seeded, [b])[b] == "gu2025DeltaDecompressionMoea"
    keys = assign_keys(seeded, [a, b], regenerate=True)
    assert keys == {a: "nigam2019SemanticProductSearch", b: "gu2025DeltaDecompressionMoe"}


def test_regenerate_with_another_pattern(seeded):
    assign_keys(seeded)
    set_pattern(seeded, "[auth][year]")
    keys = assign_keys(seeded, None, get_pattern(seeded), regenerate=True)
    assert keys[_id(seeded, "Semantic Product Search")] == "Nigam2019"
    assert len({k.lower() for k in keys.values()}) == len(keys)
    gu = sorted(k for k in keys.values() if k.startswith("Gu2025"))
    assert gu[:3] == ["Gu2025", "Gu2025a", "Gu2025b"]


def test_set_key_by_hand(seeded):
    a = _id(seeded, "Semantic Product Search")
    b = _id(seeded, "UserGPT Technical Report")
    assert set_key(seeded, a, "nigam:sps-2019") is None
    assert _stored(seeded, a) == "nigam:sps-2019"
    with pytest.raises(ValidationError, match=rf"already used by record {a}, 'Semantic Product Search'"):
        set_key(seeded, b, "NIGAM:SPS-2019")  # BibTeX would take these for one key
    for bad in ("has space", "brace{", "per%cent", "comma,key", "", "-leading", "x" * 101, "naïve"):
        with pytest.raises(ValidationError):
            set_key(seeded, b, bad)
    assert _stored(seeded, b) is None
    assert set_key(seeded, a, None) == "nigam:sps-2019"  # None clears, for undo
    events = seeded.events("citekey")
    assert [e["paper_id"] for e in events] == [a, a]
    # A hand-made key is kept by assign_keys, and taken into account by it.
    set_key(seeded, a, "xuan2026UsergptTechnicalReport")
    assert assign_keys(seeded, [a, b]) == {a: "xuan2026UsergptTechnicalReport", b: "xuan2026UsergptTechnicalReporta"}


def test_pattern_setting(library):
    assert get_pattern(library) == DEFAULT_PATTERN
    assert set_pattern(library, "[authors2:lower]-[year]") == DEFAULT_PATTERN
    assert get_pattern(library) == "[authors2:lower]-[year]"
    assert library.events("citekey-pattern")[0]["details"]
    for bad in ("[nonsense]", "[auth:shout]", "[auth", "key with space[year]", "plain", "", "[year]{x}"):
        with pytest.raises(ValidationError):
            set_pattern(library, bad)
    assert get_pattern(library) == "[authors2:lower]-[year]"
    with pytest.raises(ValidationError):
        assign_keys(library, None, "[nonsense]")


def test_assign_keys_skips_unknown_ids_and_does_nothing_when_all_have_keys(seeded):
    pid = _id(seeded, "Semantic Product Search")
    assert assign_keys(seeded, [pid, 999_999]) == {pid: "nigam2019SemanticProductSearch"}
    before = len(seeded.events())
    assert assign_keys(seeded, [pid]) == {pid: "nigam2019SemanticProductSearch"}
    assert len(seeded.events()) == before


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60), st.lists(st.text(max_size=20), max_size=4), st.booleans(),
       st.sampled_from([DEFAULT_PATTERN, "[authors2][shortyear]", "[auth3_2:upper]-[camel:abbr]", "[veryshorttitle]"]))
def test_any_record_gets_a_valid_key(title, authors, truncated, pattern):
    paper = {"id": 12, "title": title, "authors": authors, "authors_truncated": truncated, "date": "2024-01-31"}
    assert KEY_RE.match(generate_key(paper, pattern))


def test_first_author_without_a_latin_spelling_still_names_the_key():
    # Issue 14: ["李明", "Wei Guo"] used to give guo2024...; anyascii transliterates every script.
    paper = {"title": "Graph Recommendation", "authors": ["李明", "Wei Guo"], "date": "2024-03-01"}
    assert generate_key(paper) == "liming2024GraphRecommendation"
    assert generate_key({**paper, "authors": ["Мария Иванова"]}) == "ivanova2024GraphRecommendation"
    assert generate_key({**paper, "authors": ["Zoë Núñez"]}) == "nunez2024GraphRecommendation"
