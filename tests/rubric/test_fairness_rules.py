"""The protected-ground matcher's rules, on a small word list written for the test."""

from pathlib import Path
from typing import Any

import pytest

from app.rubric.fairness import (
    FairnessProblem,
    WordList,
    WordListError,
    check_criteria_dir,
    check_questionnaire,
    check_rubric,
    load_word_list,
    normalize,
    unused_exceptions,
)
from tests.factories import document


def words() -> WordList:
    """Built in each test that uses it, not at import nor once and cached: a mutation run
    imports the tests before any mutant, and runs on a mutant of the list's building only the
    tests that built it themselves."""
    return WordList.from_mapping(
        {
            "grounds": [
                {
                    "id": "age",
                    "label": {"fr": "âge", "en": "age"},
                    "terms": {"fr": ["âge", "jeune", "âge légal"], "en": ["age", "young"]},
                },
                {
                    "id": "family",
                    "label": {"fr": "situation de famille", "en": "family status"},
                    "terms": {"fr": ["enfant", "enfants"], "en": ["children", "long-standing"]},
                },
            ]
        }
    )


def hits(text: str, language: str = "fr") -> list[tuple[str, str]]:
    return words().find(text, language)  # type: ignore[arg-type]


def test_text_is_folded_for_matching() -> None:
    assert normalize("ÂGE") == "age"
    assert normalize("Œuvre, Æther, Straße") == "oeuvre, aether, strasse"
    assert normalize("l’âge l‘âge lʼâge l`âge") == "l'age l'age l'age l'age"
    assert normalize("NO\u00a0BREAK\u202fNARROW") == "no break narrow"
    assert hits("l´âge") == [("âge", "age")]  # an acute accent used as an apostrophe


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Quel âge ?", [("âge", "age")]),
        ("l’ÂGE légal", [("âge légal", "age")]),  # the longer term, reported once
        ("l’âge, légal", [("âge", "age")]),  # a comma is no gap between two words of a term
        ("âge-légal", [("âge légal", "age")]),  # a hyphen is
        ("jeune et jeune", [("jeune", "age"), ("jeune", "age")]),
        ("enfants, enfant", [("enfants", "family"), ("enfant", "family")]),
        ("rajeunir", []),
        ("", []),
    ],
)
def test_french_terms_are_found_as_whole_words(text: str, expected: list[tuple[str, str]]) -> None:
    assert hits(text) == expected


def test_each_language_has_its_own_terms() -> None:
    assert hits("young children", "en") == [("young", "age"), ("children", "family")]
    assert hits("young children", "fr") == []
    assert hits("a long standing page", "en") == [("long-standing", "family")]


def test_a_problem_names_its_field_and_the_two_ways_out() -> None:
    problem = FairnessProblem("criteria[2]", "questions.fr[1]", "âge", "age", "reach")
    assert problem.path == "criteria[2].questions.fr[1]"
    assert problem.reason(words()) == (
        "'âge' in 'reach' touches a protected ground (age): rephrase the text, or list the term "
        "under the item's fairness_exceptions with a written reason"
    )
    top = FairnessProblem("", "title.en", "young", "family")
    assert top.path == "title.en"
    assert top.reason() == (
        "'young' touches a protected ground (family): rephrase the text, or list the term under "
        "the item's fairness_exceptions with a written reason"
    )
    assert top.reason(words()).startswith("'young' touches a protected ground (family status)")


def rubric_with(texts: dict[str, Any]) -> dict[str, Any]:
    doc = document()
    doc["criteria"][0].update(texts)
    return doc


def test_exceptions_that_count_and_those_that_do_not() -> None:
    doc = rubric_with(
        {
            "basis": {"fr": "Jamais l’âge légal.", "en": "Never the age."},
            "fairness_exceptions": [
                "not a mapping",
                {"term": "âge"},  # no reason
                {"term": "…", "reason": "no word"},
                {"term": 3, "reason": "not text"},
            ],
        }
    )
    assert [(p.item, p.field, p.word, p.item_id) for p in check_rubric(doc, words())] == [
        ("criteria[0]", "basis.fr", "âge légal", "alpha"),
        ("criteria[0]", "basis.en", "age", "alpha"),
    ]
    # An exception without a reason still covers a word (it is not stale), one without words is.
    assert unused_exceptions(doc, words()) == [("criteria[0].fairness_exceptions[2].term", "…")]
    doc["criteria"][0]["fairness_exceptions"] = [{"term": "âge", "reason": "named to forbid it"}]
    assert check_rubric(doc, words()) == []  # « âge » covers « âge légal », and the word « age »
    # A malformed entry (refused by the loader on its own) hides none of the entries after it.
    doc["criteria"][0]["fairness_exceptions"].insert(0, "not a mapping")
    assert check_rubric(doc, words()) == []


def test_an_item_is_named_by_its_id_only_when_the_id_is_text() -> None:
    doc = rubric_with({"basis": {"fr": "Jamais l’âge.", "en": "Never."}})
    (named,) = check_rubric(doc, words())
    assert named.item_id == "alpha" and "'âge' in 'alpha' touches" in named.reason(words())
    doc["criteria"][0]["id"] = {"fr": "alpha"}  # a broken file: refused by the loader too
    (unnamed,) = check_rubric(doc, words())
    assert unnamed.item_id is None
    assert unnamed.reason(words()).startswith("'âge' touches a protected ground (age)")


def test_flags_role_questions_and_self_screens_report_their_stale_exceptions() -> None:
    stale = {"term": "enfant", "reason": "not said here"}
    doc = document()
    doc["flags"][0]["fairness_exceptions"] = [stale]
    doc["role_questions"] = [
        {
            "id": "scope",
            "question": {"fr": "Un jeune public ?", "en": "A young audience?"},
            "warning": {"fr": "w", "en": "w"},
            "source": {"seed": "002_4f5316c9140b287b.txt", "point": "1"},
            "fairness_exceptions": [
                {"term": "jeune", "reason": "the audience, not the person"},
                stale,
            ],
        }
    ]
    screen = {"questions": [{"id": "q", "text": {"fr": "Vos enfants ?", "en": "x"}}]}
    screen["questions"][0]["fairness_exceptions"] = [{"term": "enfants", "reason": "why"}]
    assert unused_exceptions(doc, words()) == [
        ("flags[0].fairness_exceptions[0].term", "enfant"),
        ("role_questions[0].fairness_exceptions[1].term", "enfant"),
    ]
    assert check_rubric(doc, words()) == [
        FairnessProblem("role_questions[0]", "question.en", "young", "age", "scope")
    ]
    assert unused_exceptions(screen, words()) == []
    stale_screen = {"questions": [{**screen["questions"][0], "fairness_exceptions": [stale]}]}
    assert unused_exceptions(stale_screen, words()) == [
        ("questions[0].fairness_exceptions[0].term", "enfant")
    ]
    assert check_questionnaire(screen, words()) == []
    screen["questions"][0]["fairness_exceptions"] = []
    assert check_questionnaire(screen, words()) == [
        FairnessProblem("questions[0]", "text.fr", "enfants", "family", "q")
    ]
    assert check_rubric(["not", "a", "mapping"], words()) == []  # type: ignore[arg-type]
    assert check_questionnaire("text", words()) == []  # type: ignore[arg-type]
    assert unused_exceptions(None, words()) == []  # type: ignore[arg-type]


def test_a_criteria_directory_is_checked_file_by_file(tmp_path: Path) -> None:
    import yaml

    doc = rubric_with({"title": {"fr": "Jeune", "en": "t"}})
    (tmp_path / "a.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    (tmp_path / "b.yml").write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    (tmp_path / "c.yaml").write_text("key: [unclosed\n", encoding="utf-8")  # the loader's to say
    (tmp_path / "d.yaml").write_text("- a list\n", encoding="utf-8")
    (tmp_path / "e.txt").write_text(yaml.safe_dump(doc), encoding="utf-8")
    (tmp_path / "sources.yaml").write_text("title: Jeune\n", encoding="utf-8")
    screens = tmp_path / "self-screen"
    screens.mkdir()
    (screens / "s.yaml").write_text(
        "questions:\n  - id: q\n    text: {fr: 'Des enfants ?', en: x}\n", encoding="utf-8"
    )
    found = [(Path(f).name, p.path, p.word) for f, p in check_criteria_dir(tmp_path, words())]
    assert found == [
        ("a.yaml", "criteria[0].title.fr", "jeune"),
        ("b.yml", "criteria[0].title.fr", "jeune"),
        ("s.yaml", "questions[0].text.fr", "enfants"),
    ]


def test_a_word_list_with_nested_errors_names_each_field() -> None:
    with pytest.raises(WordListError) as caught:
        WordList.from_mapping(
            {"grounds": [{"id": "Bad", "label": {"fr": "x", "en": "x"}, "terms": {"fr": [""]}}]},
            file="list.yaml",
        )
    paths = [path for path, _ in caught.value.problems]
    assert paths == ["grounds[0].id", "grounds[0].terms.fr[0]", "grounds[0].terms.en"]
    lines = str(caught.value).splitlines()
    assert [line.split(": ")[:2] for line in lines] == [
        ["list.yaml", "grounds[0].id"],
        ["list.yaml", "grounds[0].terms.fr[0]"],
        ["list.yaml", "grounds[0].terms.en"],
    ]
    with pytest.raises(WordListError) as empty:
        WordList.from_mapping(None, file="list.yaml")
    assert str(empty.value).startswith("list.yaml: (document): ")


def test_a_word_list_given_without_its_file_is_named_by_its_usual_name() -> None:
    with pytest.raises(WordListError) as caught:
        WordList.from_mapping({"grounds": []})
    assert caught.value.file == "protected-grounds.yaml"
    assert str(caught.value).startswith("protected-grounds.yaml: grounds: ")


def test_a_word_list_file_that_cannot_be_read_or_parsed_is_named(tmp_path: Path) -> None:
    unreadable = tmp_path / "protected-grounds.yaml"
    unreadable.write_bytes(b"grounds: \xff\n")
    with pytest.raises(WordListError) as caught:
        load_word_list(unreadable)
    assert caught.value.file == str(unreadable)
    assert caught.value.problems == [
        (
            "",
            "cannot read the file: 'utf-8' codec can't decode byte 0xff in position 9: "
            "invalid start byte",
        )
    ]
    unreadable.write_text("grounds: [unclosed\n", encoding="utf-8")
    with pytest.raises(WordListError) as invalid:
        load_word_list(unreadable)
    [(path, reason)] = invalid.value.problems
    assert (invalid.value.file, path) == (str(unreadable), "")
    assert reason.startswith("invalid YAML: ")
    unreadable.write_text("grounds: []\n", encoding="utf-8")
    with pytest.raises(WordListError) as empty:
        load_word_list(unreadable)
    assert empty.value.file == str(unreadable)  # the file is named, not the usual name


def test_a_protected_word_in_the_rubric_title_is_found() -> None:
    for field in ("title", "description"):
        doc = document()
        doc[field] = {"fr": "Poste pour un candidat jeune", "en": "A role for a young candidate"}
        problems = check_rubric(doc, words())
        assert {p.field for p in problems} == {f"{field}.fr", f"{field}.en"}, field
