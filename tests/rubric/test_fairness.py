"""No rubric or self-screen text touches a protected ground, unless an exception says why."""

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from app.core.config import shipped_criteria_dir
from app.rubric.fairness import (
    WORD_LIST_PATH,
    WordList,
    WordListError,
    check_criteria_dir,
    check_questionnaire,
    check_rubric,
    load_word_list,
    normalize,
    unused_exceptions,
)
from app.rubric.schemas import RubricDocument
from tests.factories import SHIPPED_FILE, document, shipped_document

SHIPPED = shipped_criteria_dir()
SELF_SCREEN = SHIPPED / "self-screen" / "social-media-screen.yaml"


@pytest.fixture(scope="module")
def words() -> WordList:
    return load_word_list(SHIPPED / WORD_LIST_PATH)


def found(problems: list[Any]) -> list[tuple[str, str, str]]:
    return [(p.item, p.field, p.word) for p in problems]


def criterion_index(doc: dict[str, Any], criterion_id: str) -> int:
    return next(i for i, c in enumerate(doc["criteria"]) if c["id"] == criterion_id)


def copy_criteria(tmp_path: Path) -> Path:
    """The shipped criteria directory, copied to alter one file."""
    target = tmp_path / "criteria"
    shutil.copytree(SHIPPED, target)
    return target


def test_shipped_rubric_and_self_screen_pass(words: WordList) -> None:
    assert check_criteria_dir(SHIPPED, words) == []
    assert unused_exceptions(shipped_document(), words) == []


def test_a_copy_with_an_age_question_is_refused_naming_file_item_and_word(
    tmp_path: Path,
) -> None:
    criteria = copy_criteria(tmp_path)
    doc = shipped_document()
    index = criterion_index(doc, "history_of_the_social_web")
    doc["criteria"][index]["questions"]["fr"].append("Quel âge aviez-vous à l’époque de Usenet ?")
    doc["criteria"][index]["questions"]["en"].append("How old were you in the days of Usenet?")
    rubric_file = criteria / SHIPPED_FILE.name
    rubric_file.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")

    problems = check_criteria_dir(criteria)

    fr_position = len(doc["criteria"][index]["questions"]["fr"]) - 1
    assert [(Path(file).name, p.path, p.item_id, p.word) for file, p in problems] == [
        (
            "social-media-screen.yaml",
            f"criteria[{index}].questions.fr[{fr_position}]",
            "history_of_the_social_web",
            "quel âge",
        ),
        (
            "social-media-screen.yaml",
            f"criteria[{index}].questions.en[{fr_position}]",
            "history_of_the_social_web",
            "how old",
        ),
    ]
    reason = problems[0][1].reason(load_word_list(criteria / WORD_LIST_PATH))
    assert "'quel âge'" in reason
    assert "history_of_the_social_web" in reason
    assert "(age)" in reason
    assert "fairness_exceptions" in reason


def test_the_former_since_when_question_is_refused(words: WordList) -> None:
    doc = shipped_document()
    index = criterion_index(doc, "hands_on_practice")
    doc["criteria"][index]["questions"] = {
        "fr": ["Où échangez-vous en dehors de Facebook et Twitter ? Depuis quand ?"],
        "en": ["Where do you exchange outside Facebook and Twitter? Since when?"],
    }
    assert found(check_rubric(doc, words)) == [
        (f"criteria[{index}]", "questions.fr[0]", "depuis quand"),
        (f"criteria[{index}]", "questions.en[0]", "since when"),
    ]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", "Une présence de longue date sur les réseaux."),
        ("title", "Jeune et dynamique"),
    ],
)
def test_every_text_field_of_a_criterion_is_checked(
    words: WordList, field: str, value: str
) -> None:
    doc = shipped_document()
    doc["criteria"][0][field]["fr"] = value
    assert [(p.field, p.ground) for p in check_rubric(doc, words)] == [
        (f"{field}.fr", "age_proxy" if "longue" in value else "age")
    ]


def test_anchors_and_their_example_answers_are_checked(words: WordList) -> None:
    doc = shipped_document()
    anchor = doc["criteria"][1]["anchors"][3]
    anchor["en"] = "Has children and still posts every day."
    anchor["example"]["fr"] = "« Je suis syndiquée, mais je publie quand même. »"
    assert [(p.field, p.word, p.ground) for p in check_rubric(doc, words)] == [
        ("anchors.3.en", "children", "family"),
        ("anchors.3.example.fr", "syndiquée", "union_and_mutual"),
    ]


def test_flags_role_questions_and_the_rubric_itself_are_checked(words: WordList) -> None:
    doc = shipped_document()
    doc["description"]["en"] = "A rubric for young candidates."
    doc["flags"][0]["verify"]["fr"] = "Demandez sa religion."
    doc["role_questions"][0]["question"]["en"] = "Is the role open to disabled people?"
    assert found(check_rubric(doc, words)) == [
        ("", "description.en", "young"),
        ("flags[0]", "verify.fr", "religion"),
        ("role_questions[0]", "question.en", "disabled"),
    ]


def test_source_quotations_are_not_rubric_text(words: WordList) -> None:
    doc = shipped_document()
    doc["flags"][0]["source"]["point"] = "des jeunes en entreprise"
    assert check_rubric(doc, words) == []


def test_self_screen_questions_are_checked(words: WordList) -> None:
    screen = yaml.safe_load(SELF_SCREEN.read_text(encoding="utf-8"))
    assert check_questionnaire(screen, words) == []
    screen["questions"][1]["text"]["fr"] = "Où êtes-vous actif en ligne, et depuis quand ?"
    screen["questions"][2]["text"]["en"] = "Where do you live, and with whom?"
    assert found(check_questionnaire(screen, words)) == [
        ("questions[1]", "text.fr", "depuis quand"),
        ("questions[2]", "text.en", "where do you live"),
    ]


def test_an_exception_with_a_reason_lets_the_term_through(words: WordList) -> None:
    doc = shipped_document()
    criterion = doc["criteria"][4]
    criterion["description"]["fr"] += " On ne juge jamais l’état de santé."
    assert found(check_rubric(doc, words)) == [("criteria[4]", "description.fr", "état de santé")]

    criterion["fairness_exceptions"] = [{"term": "santé", "reason": "Named only to forbid it."}]
    assert check_rubric(doc, words) == []  # « santé » covers the longer « état de santé »


def test_an_exception_without_a_reason_is_ignored(words: WordList) -> None:
    doc = shipped_document()
    criterion = doc["criteria"][4]
    criterion["description"]["en"] += " Never judge health."
    criterion["fairness_exceptions"] = [{"term": "health", "reason": "  "}]
    assert found(check_rubric(doc, words)) == [("criteria[4]", "description.en", "health")]


def test_an_exception_covers_its_own_item_only(words: WordList) -> None:
    doc = shipped_document()
    index = criterion_index(doc, "crisis_and_emotional_load")
    assert any(e["term"] == "santé" for e in doc["criteria"][index]["fairness_exceptions"])
    doc["criteria"][0]["description"]["fr"] += " Parlez-nous de votre santé."
    assert found(check_rubric(doc, words)) == [("criteria[0]", "description.fr", "santé")]


def test_an_exception_that_covers_nothing_is_reported(words: WordList) -> None:
    doc = shipped_document()
    doc["criteria"][0]["fairness_exceptions"] = [{"term": "âge", "reason": "no longer needed"}]
    assert unused_exceptions(doc, words) == [("criteria[0].fairness_exceptions[0].term", "âge")]


def test_a_loaded_rubric_model_is_checked_like_its_mapping(words: WordList) -> None:
    data = document()
    data["criteria"][0]["questions"]["en"][1] = "Are you pregnant?"
    model = RubricDocument.model_validate(data)
    assert found(check_rubric(model, words)) == [("criteria[0]", "questions.en[1]", "pregnant")]


@pytest.mark.parametrize(
    ("text", "language", "expected"),
    [
        ("Quel est votre ÂGE ?", "fr", ["âge"]),
        ("Votre age, s’il vous plaît", "fr", ["âge"]),
        ("l’âge", "fr", ["âge"]),  # after an elision
        ("les moeurs", "fr", ["mœurs"]),
        ("Depuis\u202fquand", "fr", ["depuis quand"]),  # any space between words
        ("les sans papiers", "fr", ["sans-papiers"]),  # a space matches a hyphen
        ("long standing", "en", ["long-standing"]),
        ("before today's big networks", "en", ["before today’s big networks"]),
        ("the usage of a page, a message, an image", "en", []),  # never inside a word
        ("l’usage, la page, le message", "fr", []),
        ("la Société", "fr", []),
        ("Old Spice, a single viral case, the weight of a criterion", "en", []),
        ("le poids politique, la taille d’audience, l’origine d’une information", "fr", []),
        ("union", "fr", []),  # English terms are not looked for in French texts
        ("santé mentale et état de santé", "fr", ["santé mentale", "état de santé"]),
    ],
)
def test_matching_is_by_whole_words_ignoring_case_and_accents(
    words: WordList, text: str, language: str, expected: list[str]
) -> None:
    assert [term for term, _ in words.find(text, language)] == expected  # type: ignore[arg-type]


def listed_terms(language: str) -> list[str]:
    data = yaml.safe_load((SHIPPED / WORD_LIST_PATH).read_text(encoding="utf-8"))
    return [t for g in data["grounds"] for t in g["terms"][language]]


@given(
    term=st.sampled_from(listed_terms("fr")),
    before=st.sampled_from(["", "Dites-nous ", "« ", "(", "l’"]),
    after=st.sampled_from(["", " ?", ".", " »", ", merci"]),
    upper=st.booleans(),
)
def test_every_listed_french_term_is_found_in_a_sentence(
    words: WordList, term: str, before: str, after: str, upper: bool
) -> None:
    text = before + (term.upper() if upper else term) + after
    hits = [normalize(t) for t, _ in words.find(text, "fr")]
    assert hits, text
    assert normalize(term) in " ".join(hits), text  # itself, or a longer term that holds it


@given(term=st.sampled_from(listed_terms("en")), glue=st.sampled_from(["x", "un", "s0"]))
def test_a_term_inside_a_longer_word_is_not_found(words: WordList, term: str, glue: str) -> None:
    assert normalize(term) not in [normalize(t) for t, _ in words.find(glue + term, "en")]


def test_a_broken_word_list_names_the_field() -> None:
    good = {
        "id": "age",
        "label": {"fr": "âge", "en": "age"},
        "terms": {"fr": ["âge"], "en": ["age"]},
    }
    with pytest.raises(WordListError) as caught:
        WordList.from_mapping({"grounds": [good, good]}, file="list.yaml")
    assert caught.value.problems == [("grounds[1].id", "duplicate ground id 'age'")]
    assert str(caught.value) == "list.yaml: grounds[1].id: duplicate ground id 'age'"

    with pytest.raises(WordListError) as caught:
        WordList.from_mapping({"grounds": [{**good, "terms": {"fr": ["âge"]}}]}, file="list.yaml")
    assert [path for path, _ in caught.value.problems] == ["grounds[0].terms.en"]
    assert "list.yaml: grounds[0].terms.en" in str(caught.value)

    with pytest.raises(WordListError) as caught:
        WordList.from_mapping(
            {"grounds": [{**good, "terms": {"fr": ["âge"], "en": ["…"]}}]}, file="list.yaml"
        )
    assert caught.value.problems == [("grounds[0].terms.en[0]", "'…' has no letter to match")]


def test_an_unreadable_word_list_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "protected-grounds.yaml"
    path.write_text("grounds: [", encoding="utf-8")
    with pytest.raises(WordListError) as caught:
        load_word_list(path)
    assert caught.value.file == str(path)
    assert "invalid YAML" in caught.value.problems[0][1]
