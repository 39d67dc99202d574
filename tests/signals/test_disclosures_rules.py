"""The protected-disclosure patterns and the reading they leave, without the model: which
sentences are set aside, how offsets map back, what a broken patterns file says, how a labelled
file is scored. The detector's side (nothing it suggests moves): tests/signals/test_disclosures.py.

Every sentence below was written for these tests; none is in the blind sets the patterns are
measured on (criteria/signals/EVALUATION.md, "Protected disclosures").
"""

import json
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.config import shipped_criteria_dir
from app.rubric import RubricError, load_rubrics
from app.signals.disclosures import coverage, load_disclosures, parse, reading
from app.signals.loader import load_all

DISCLOSURES = load_disclosures(shipped_criteria_dir())


@pytest.mark.parametrize(
    "text",
    [
        "Le web social est né en 2004 avec Facebook.",
        "Social media was born with Facebook, it is barely twenty years old.",
        "We target Gen Z on TikTok and millennials on Instagram.",
        "Nos abonnés sont surtout des enseignants retraités.",
        "I'm sick of vanity metrics.",
        "I am 100% sure that buying followers works.",
        "J'ai 10 ans d'expérience en community management.",
        "Je suis senior social media manager depuis 2019.",
        "Les réseaux sociaux, c'est ma langue maternelle.",
        "I basically live on Facebook and Twitter.",
        "I'm a black belt in social media.",
        "Reddit is for kids, I stick to Facebook.",
        "This campaign was my baby.",
    ],
)
def test_job_talk_with_the_same_words_is_read(text: str) -> None:
    assert DISCLOSURES.ground(text) is None
    assert reading(text, DISCLOSURES).text == text


_SENTENCE = st.text(alphabet="abcdefghij klmnop", min_size=1, max_size=30).filter(
    lambda s: any(c.isalnum() for c in s)
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_SENTENCE, st.booleans()), min_size=1, max_size=6))
def test_the_reading_is_the_answer_without_its_disclosures(
    parts: list[tuple[str, bool]],
) -> None:
    """Sentences marked private (they carry the word ZZPRIVATE) are cut out with their joining
    spaces; every offset of the reading maps back to the same character of the original."""
    marker = parse({"grounds": [{"id": "test", "patterns": ["ZZPRIVATE"]}]}, "test.yaml")
    sentences = [f"{'ZZPRIVATE ' if private else ''}{words.strip()}." for words, private in parts]
    text = " ".join(sentences)
    read = reading(text, marker)
    assert read.text == " ".join(s for s, (_, p) in zip(sentences, parts, strict=True) if not p)
    for offset, char in enumerate(read.text):
        assert text[read.original(offset)] == char


@pytest.mark.parametrize(
    ("document", "field", "reason"),
    [
        (
            {"grounds": [{"id": "age", "patterns": ["(unclosed"]}]},
            "grounds[0].patterns[0]",
            "not a valid regular expression",
        ),
        (
            {"grounds": [{"id": "age", "patterns": ["%nobody% 52"]}]},
            "grounds[0].patterns[0]",
            "unknown fragment %nobody%",
        ),
        ({"grounds": [{"id": "age", "patterns": []}]}, "grounds[0].patterns", "at least 1"),
        ({"grounds": [{"id": "age", "pattern": ["x"]}]}, "grounds[0].pattern", "Extra inputs"),
        ({}, "grounds", "Field required"),
    ],
)
def test_a_broken_disclosures_file_stops_start_up(
    tmp_path: Path, document: object, field: str, reason: str
) -> None:
    criteria = tmp_path / "criteria"
    shutil.copytree(shipped_criteria_dir(), criteria)
    (criteria / "fairness" / "disclosures.yaml").write_text(yaml.safe_dump(document))
    with pytest.raises(RubricError) as raised:
        load_all(criteria, load_rubrics(criteria))
    message = str(raised.value)
    assert "disclosures.yaml" in message and field in message and reason in message, message


@pytest.mark.parametrize(
    ("text", "ground"),
    [
        ("J'ai 52 ans.", "age"),
        ("jai 45 ans, et alors", "age"),
        ("I'm 52.", "age"),
        ("Je suis de la génération Minitel.", "age_proxy"),
        ("I'm Gen Z, so vertical video is natural to me.", "age_proxy"),
        ("Je suis enceinte de quatre mois.", "pregnancy"),
        ("My husband works in comms too.", "family"),
        ("J'ai eu un cancer il y a deux ans.", "health"),
        ("I have a disability.", "disability"),
        ("Je suis catholique.", "religion"),
        ("Je suis né au Maroc.", "origin"),
        ("Je parle arabe avec ma famille.", "family"),
        ("I'm a union member.", "union_and_mutual"),
        ("I campaign for the Green party.", "political_opinions"),
        ("Je suis homosexuel et je le dis.", "morals_and_orientation"),
    ],
)
def test_a_disclosure_is_found_with_its_ground(text: str, ground: str) -> None:
    assert DISCLOSURES.ground(text) == ground


def test_a_reading_without_disclosures_is_the_text_itself() -> None:
    text = "I manage a bakery's page.  We post twice a week."
    read = reading(text, DISCLOSURES)
    assert (read.text, read.set_aside) == (text, ())
    assert [read.original(i) for i in range(len(text))] == list(range(len(text)))
    assert reading(text, None).text == text


def test_a_disclosure_is_cut_with_the_spaces_that_join_it() -> None:
    first, private, last = "I manage a bakery's page.", "I'm 47.", "We post twice a week."
    for text, expected in [
        (f"{private} {first} {last}", f"{first} {last}"),
        (f"{first}  {private}  {last}", f"{first}  {last}"),
        (f"{first} {last} {private}", f"{first} {last}"),
        (f"{private} {private}", ""),
    ]:
        read = reading(text, DISCLOSURES)
        assert read.text == expected, text
        assert [text[s.start : s.end] for s in read.set_aside] == [private] * text.count(private)
        offset = read.text.find(last)
        if offset >= 0:
            assert text[read.original(offset) :].startswith(last)


def test_fragments_are_written_once_and_an_empty_list_is_allowed() -> None:
    marker = parse(
        {"fragments": {"me": "(?:i|je)"}, "grounds": [{"id": "t", "patterns": ["%me% zz"]}]},
        "t.yaml",
    )
    assert marker.ground("Je zz.") == "t" and marker.ground("I zz") == "t"
    assert marker.ground("you zz") is None
    assert parse({"grounds": [{"id": "t", "patterns": ["100%"]}]}, "t.yaml").ground("100%") == "t"


def test_a_labelled_file_is_scored_per_ground_and_language() -> None:
    rows = [
        {"id": "a", "language": "fr", "text": "J'ai 52 ans.", "private": True, "ground": "age"},
        {"id": "b", "language": "en", "text": "Hello there.", "private": True, "ground": "age"},
        {"id": "c", "language": "en", "text": "I'm Catholic.", "private": True},
        {"id": "d", "language": "en", "text": "We target Gen Z.", "private": False},
        {"id": "e", "language": "en", "text": "My wife runs it.", "private": False},
    ]
    scores = coverage(DISCLOSURES, [json.dumps(r) for r in rows] + [""])
    assert scores.grounds == {"age": [1, 2], "unlabelled": [1, 1]}
    assert scores.languages == {"fr": [1, 1], "en": [1, 2]}
    assert (scores.found, scores.job_talk, scores.wrongly_cut) == ((2, 3), [1, 2], ["e"])
    for broken in ['{"text": "x"}', "not json", '{"text": 1, "private": true, "language": "en"}']:
        with pytest.raises(ValueError, match="line 2"):
            coverage(DISCLOSURES, [json.dumps(rows[0]), broken])


def test_every_broken_pattern_is_named_with_the_fragments_there_are() -> None:
    document = {
        "fragments": {"me": "(?:i|je)", "mine": "(?:my|mon)"},
        "grounds": [{"id": "age", "patterns": ["%nobody% 52", "(unclosed", "%me% 52"]}],
    }
    with pytest.raises(RubricError) as raised:
        parse(document, "t.yaml")
    message = str(raised.value)
    assert "grounds[0].patterns[0]: unknown fragment %nobody% in ground 'age'" in message
    assert "(fragments: me, mine)" in message
    assert "grounds[0].patterns[1]: not a valid regular expression" in message
    assert "patterns[2]" not in message
    with pytest.raises(RubricError, match=r"\(fragments: none\)"):
        parse({"grounds": [{"id": "age", "patterns": ["%me% 52"]}]}, "t.yaml")


def test_a_criteria_folder_without_its_own_patterns_uses_the_shipped_ones(tmp_path: Path) -> None:
    assert load_disclosures(tmp_path) == DISCLOSURES
    (tmp_path / "fairness").mkdir()
    (tmp_path / "fairness" / "disclosures.yaml").write_text("grounds: [", encoding="utf-8")
    with pytest.raises(RubricError, match=r"disclosures\.yaml: \(document\): cannot read the file"):
        load_disclosures(tmp_path)


def test_offsets_of_a_reading_map_to_the_same_characters() -> None:
    text = "I'm 47. I manage a bakery's page. Je suis catholique. We post twice a week. I'm 52."
    read = reading(text, DISCLOSURES)
    assert read.text == "I manage a bakery's page. We post twice a week."
    assert [text[read.original(i)] for i in range(len(read.text))] == list(read.text)


def test_blank_lines_are_skipped_and_every_wrong_cut_is_counted() -> None:
    rows = [
        {"language": "en", "text": "My wife runs it.", "private": False},
        {"id": "x", "language": "en", "text": "My son runs it.", "private": False},
        {"id": "y", "language": "en", "text": "We run it.", "private": False},
    ]
    lines = [json.dumps(rows[0]), "", json.dumps(rows[1]), json.dumps(rows[2])]
    scores = coverage(DISCLOSURES, lines)
    assert (scores.job_talk, scores.wrongly_cut) == ([2, 3], ["1", "x"])
