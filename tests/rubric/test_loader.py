"""A broken rubric never loads, and the error names the file, the field path and the reason."""

from pathlib import Path
from typing import Any

import pytest

from app.rubric import RubricError, load_rubric_file, load_rubrics
from app.rubric.loader import RubricIssue
from tests.factories import SHIPPED_FILE, criterion, document, flag, shipped_document, write_rubric


def issues_of(directory: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(RubricError) as caught:
        load_rubrics(directory)
    return [(Path(i.file).name, i.path, i.reason) for i in caught.value.issues]


def test_small_valid_rubric_loads_with_resolved_weights(tmp_path: Path) -> None:
    doc = document(criteria=[criterion("alpha", "core"), criterion("beta", "depth", 2.5)])
    write_rubric(tmp_path, doc)
    loaded = load_rubrics(tmp_path)["test-rubric"]
    assert [c.weight for c in loaded.criteria] == [3.0, 2.5]  # group default, then its own
    assert loaded.version.startswith("1.0.0+")


def test_negative_weight_names_file_and_field(tmp_path: Path) -> None:
    doc = shipped_document()
    doc["criteria"][5]["weight"] = -2
    write_rubric(tmp_path, doc)
    (found,) = issues_of(tmp_path)
    assert found[0] == "social-media-screen.yaml"
    assert found[1] == "criteria[5].weight"
    assert "greater than 0" in found[2]


def test_zero_weight_is_refused(tmp_path: Path) -> None:
    write_rubric(tmp_path, document(criteria=[criterion("alpha", weight=0)]))
    assert [(p, "greater than 0" in r) for _, p, r in issues_of(tmp_path)] == [
        ("criteria[0].weight", True)
    ]


def test_unknown_key_lists_the_allowed_keys(tmp_path: Path) -> None:
    doc = document()
    doc["criteria"][0]["wieght"] = 3
    write_rubric(tmp_path, doc)
    ((_, path, reason),) = issues_of(tmp_path)
    assert path == "criteria[0].wieght"
    assert "unknown key 'wieght'" in reason
    assert "weight" in reason
    assert "anchors" in reason


def test_missing_language_is_refused(tmp_path: Path) -> None:
    doc = document()
    del doc["criteria"][1]["anchors"][3]["fr"]
    write_rubric(tmp_path, doc)
    assert issues_of(tmp_path) == [
        ("test-rubric.yaml", "criteria[1].anchors[3].fr", "required field is missing")
    ]


def test_duplicate_ids_are_refused_across_kinds(tmp_path: Path) -> None:
    doc = document(
        criteria=[criterion("alpha"), criterion("alpha", "depth")],
        flags=[flag("beta"), flag("alpha")],
    )
    write_rubric(tmp_path, doc)
    found = issues_of(tmp_path)
    assert [(p, "duplicate id 'alpha'" in r) for _, p, r in found] == [
        ("criteria[1].id", True),
        ("flags[1].id", True),
    ]


@pytest.mark.parametrize(
    ("thresholds", "reason"),
    [
        ({"strong_hire": 60, "hire": 65, "hold": 45}, "out of order"),
        ({"strong_hire": 80, "hire": 45, "hold": 45}, "out of order"),
        ({"strong_hire": 80, "hire": 65, "hold": 0}, "greater than 0"),
        ({"strong_hire": 101, "hire": 65, "hold": 45}, "less than or equal to 100"),
    ],
)
def test_thresholds_must_be_ordered_within_the_score_range(
    tmp_path: Path, thresholds: dict[str, int], reason: str
) -> None:
    write_rubric(tmp_path, document(thresholds=thresholds))
    found = issues_of(tmp_path)
    assert len(found) == 1
    assert found[0][1].startswith("thresholds")
    assert reason in found[0][2]


def test_reference_to_unknown_flag_lists_valid_flags(tmp_path: Path) -> None:
    doc = document()
    doc["criteria"][0]["flags"] = ["warn_one", "no_such_flag"]
    write_rubric(tmp_path, doc)
    assert issues_of(tmp_path) == [
        (
            "test-rubric.yaml",
            "criteria[0].flags[1]",
            "unknown flag 'no_such_flag' (valid: warn_one, deal_one)",
        )
    ]


def test_every_level_needs_an_anchor(tmp_path: Path) -> None:
    doc = document()
    del doc["criteria"][0]["anchors"][2]
    doc["criteria"][0]["anchors"][5] = {"fr": "cinq", "en": "five"}
    doc["criteria"][0]["anchors"][6] = {"fr": "six", "en": "six"}
    write_rubric(tmp_path, doc)
    assert issues_of(tmp_path) == [
        (
            "test-rubric.yaml",
            "criteria[0].anchors",
            "no anchor for level(s) 2: every level of the scale 1–4 needs one",
        ),
        ("test-rubric.yaml", "criteria[0].anchors", "level(s) 5, 6 are off the scale 1–4"),
    ]


def test_questions_need_both_languages_in_equal_number(tmp_path: Path) -> None:
    doc = document()
    doc["criteria"][0]["questions"]["en"].append("A third question?")
    write_rubric(tmp_path, doc)
    ((_, path, reason),) = issues_of(tmp_path)
    assert path == "criteria[0].questions"
    assert "2 French and 3 English" in reason


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"warning_effect": {"penalty": 5, "cap": "maybe"}}, "warning_effect.cap"),
        ({"weak_core": {"rating_below": 1, "cap": "hold"}}, "weak_core.rating_below"),
        ({"weak_core": {"rating_below": 5, "cap": "hold"}}, "weak_core.rating_below"),
        ({"scale": (3, 3)}, "scale"),
        ({"version": "v1"}, "version"),
        ({"criteria": [criterion("alpha", "depth")]}, "criteria"),
    ],
)
def test_rubric_level_rules(tmp_path: Path, change: dict[str, Any], path: str) -> None:
    write_rubric(tmp_path, document(**change))
    assert path in [p for _, p, _ in issues_of(tmp_path)]


def test_severity_must_be_known(tmp_path: Path) -> None:
    write_rubric(tmp_path, document(flags=[flag("warn_one", "fatal")]))
    ((_, path, reason),) = issues_of(tmp_path)
    assert path == "flags[0].severity"
    assert "'dealbreaker' or 'warning'" in reason


def test_errors_give_the_line_in_the_file(tmp_path: Path) -> None:
    text = SHIPPED_FILE.read_text(encoding="utf-8").replace("weight: 4\n", "weight: -4\n", 1)
    path = tmp_path / "social-media-screen.yaml"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "weight: -4" in row)
    with pytest.raises(RubricError) as caught:
        load_rubric_file(path)
    (issue,) = caught.value.issues
    assert issue.line == line
    assert str(issue).startswith(f"{path}:{line}: criteria[5].weight: ")


def test_duplicate_yaml_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "test-rubric.yaml"
    write_rubric(tmp_path, document())
    path.write_text(path.read_text() + "version: 2.0.0\n", encoding="utf-8")
    last = len(path.read_text(encoding="utf-8").splitlines())
    with pytest.raises(RubricError) as caught:
        load_rubric_file(path)
    # The line is the second one's, the one to remove.
    assert [str(i) for i in caught.value.issues] == [
        f"{path}:{last}: version: duplicate key: the same key appears twice"
    ]


def test_a_duplicate_key_is_reported_beside_the_fields_that_do_not_validate(
    tmp_path: Path,
) -> None:
    path = tmp_path / "test-rubric.yaml"
    write_rubric(tmp_path, document(weights={"core": "heavy", "depth": 2}))
    path.write_text(path.read_text() + "version: 2.0.0\n", encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        load_rubric_file(path)
    assert [i.path for i in caught.value.issues] == ["version", "weights.core"]


def test_yaml_the_reader_refuses_is_reported_with_its_reason(tmp_path: Path) -> None:
    path = tmp_path / "test-rubric.yaml"
    path.write_text("id: test-rubric\ntitle: bell \x07 here\n", encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        load_rubric_file(path)
    (issue,) = caught.value.issues
    assert (issue.file, issue.path, issue.line) == (str(path), "", None)
    assert issue.reason.startswith("invalid YAML: unacceptable character #x0007")


def test_invalid_yaml_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "test-rubric.yaml"
    path.write_text("id: test-rubric\ncriteria: [unclosed\n", encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        load_rubric_file(path)
    assert caught.value.issues == [
        RubricIssue(str(path), "", "invalid YAML: expected ',' or ']', but got '<stream end>'", 3)
    ]
    # A mark on the first line reads as line 1.
    path.write_text("id: [\n", encoding="utf-8")
    with pytest.raises(RubricError) as first:
        load_rubric_file(path, display_name="shown.yaml")
    assert [(i.file, i.line) for i in first.value.issues] == [("shown.yaml", 2)]
    path.write_text("id: 'open\n", encoding="utf-8")
    with pytest.raises(RubricError) as quoted:
        load_rubric_file(path)
    assert quoted.value.issues[0].reason == ("invalid YAML: found unexpected end of stream")


def test_a_file_that_is_not_utf8_is_named_with_the_reason(tmp_path: Path) -> None:
    path = tmp_path / "test-rubric.yaml"
    path.write_bytes(b"id: \xff\xfe\n")
    with pytest.raises(RubricError) as caught:
        load_rubric_file(path, display_name="shown.yaml")
    assert caught.value.issues == [
        RubricIssue(
            "shown.yaml",
            "",
            "cannot read the file: 'utf-8' codec can't decode byte 0xff in position 4: "
            "invalid start byte",
        )
    ]


def test_not_a_mapping_and_empty_directory(tmp_path: Path) -> None:
    path = tmp_path / "test-rubric.yaml"
    for text in ("- just\n- a list\n", "", "# nothing but a comment\n", "just text\n"):
        path.write_text(text, encoding="utf-8")
        with pytest.raises(RubricError) as caught:
            load_rubric_file(path)
        (issue,) = caught.value.issues
        assert str(issue) == (
            f"{path}:1: (document): the file must hold a mapping (key: value) at top level"
        ), text
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no rubric file" in issues_of(empty)[0][2]


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = write_rubric(tmp_path, document(), name="other-name")
    assert issues_of(tmp_path) == [
        ("other-name.yaml", "id", "id 'test-rubric' must match the file name 'other-name'")
    ]
    # The issue points at the `id:` line, wherever it is in the file.
    first, *rest = path.read_text(encoding="utf-8").splitlines()
    assert first == "id: test-rubric"
    path.write_text("\n".join([*rest, first]) + "\n", encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        load_rubric_file(path)
    assert [i.line for i in caught.value.issues] == [len(rest) + 1]


def test_every_file_is_reported_not_only_the_first(tmp_path: Path) -> None:
    write_rubric(tmp_path, document(id="one", version="x"))
    write_rubric(tmp_path, document(id="two", thresholds={"strong_hire": 1, "hire": 2, "hold": 3}))
    assert {f for f, _, _ in issues_of(tmp_path)} == {"one.yaml", "two.yaml"}


def test_version_pins_content_but_not_layout(tmp_path: Path) -> None:
    text = SHIPPED_FILE.read_text(encoding="utf-8")
    first = tmp_path / "a" / "social-media-screen.yaml"
    second = tmp_path / "b" / "social-media-screen.yaml"
    third = tmp_path / "c" / "social-media-screen.yaml"
    for path in (first, second, third):
        path.parent.mkdir()
    first.write_text(text, encoding="utf-8")
    second.write_text("# a comment\n\n" + text.replace("\n\n", "\n"), encoding="utf-8")
    third.write_text(text.replace("weight: 4\n", "weight: 3.5\n", 1), encoding="utf-8")
    v1, v2, v3 = (load_rubric_file(p).version for p in (first, second, third))
    assert v1 == v2
    assert v1 != v3
    assert v1.split("+")[0] == v3.split("+")[0] == "2.0.0"
