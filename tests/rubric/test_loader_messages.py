"""Each cross-field rule of a rubric file, broken once: the exact field path and reason it reports.

A rubric author reads these messages to fix the file; each names the field, what is wrong and,
where it helps, the valid values.
"""

from pathlib import Path
from typing import Any

import pytest

from app.rubric import RubricError, load_rubric_file, load_rubrics
from app.rubric.loader import RubricIssue, load_seed_titles
from app.rubric.schemas import LocalizedText, Source
from tests.factories import criterion, document, flag, rubric, write_rubric


def issues(tmp_path: Path, doc: dict[str, Any]) -> list[tuple[str, str]]:
    path = write_rubric(tmp_path, doc)
    with pytest.raises(RubricError) as caught:
        load_rubric_file(path)
    return [(i.path, i.reason) for i in caught.value.issues]


def implying(levels: dict[int, str]) -> dict[str, Any]:
    doc = document()
    for level, flag_id in levels.items():
        doc["criteria"][0]["anchors"][level]["implies"] = flag_id
    return doc


def contradiction(**item: Any) -> dict[str, Any]:
    return document(
        contradictions=[{"flag": "warn_one", "criterion": "alpha", "levels": [4]} | item]
    )


def steps(*items: tuple[int, str], cap: str = "hire") -> dict[str, Any]:
    accumulate = [{"at_least": n, "cap": c} for n, c in items]
    return document(warning_effect={"penalty": 5, "cap": cap, "accumulate": accumulate})


def duplicated() -> dict[str, Any]:
    return document(flags=[flag("alpha"), flag("warn_one"), flag("warn_one", "dealbreaker")])


def without_source() -> dict[str, Any]:
    doc = document()
    del doc["flags"][1]["source"]
    return doc


def ask_first(n: int) -> dict[str, Any]:
    doc = document()
    doc["criteria"][0]["ask_first"] = n
    return doc


def without_anchors(*levels: int) -> dict[str, Any]:
    doc = document()
    for level in levels:
        del doc["criteria"][0]["anchors"][level]
    return doc


CASES: list[tuple[str, dict[str, Any], list[tuple[str, str]]]] = [
    (
        "every level has an anchor",
        without_anchors(2, 3),
        [
            (
                "criteria[0].anchors",
                "no anchor for level(s) 2, 3: every level of the scale 1–4 needs one",
            )
        ],
    ),
    (
        "ids are unique across criteria, flags and role questions",
        duplicated(),
        [
            ("flags[0].id", "duplicate id 'alpha' (already used at criteria[0])"),
            ("flags[2].id", "duplicate id 'warn_one' (already used at flags[1])"),
        ],
    ),
    (
        "every lower level missing is named",
        implying({3: "warn_one"}),
        [
            (
                "criteria[0].anchors[3].implies",
                "level 3 implies 'warn_one' but lower level(s) 1, 2 do not: raising a rating "
                "must never add a flag",
            )
        ],
    ),
    (
        "a rubric has a core criterion",
        document(criteria=[criterion("alpha", "depth", 3), criterion("beta", "depth", 1)]),
        [("criteria", "at least one criterion must be in the 'core' group")],
    ),
    (
        "the scale goes up",
        document(scale=(4, 2)),
        [("scale", "min (4) must be lower than max (2)")],
    ),
    (
        "a level may imply a flag only if every lower level does",
        implying({2: "warn_one"}),
        [
            (
                "criteria[0].anchors[2].implies",
                "level 2 implies 'warn_one' but lower level(s) 1 do not: raising a rating must "
                "never add a flag",
            )
        ],
    ),
    (
        "an implied flag exists",
        implying({1: "nope"}),
        [("criteria[0].anchors[1].implies", "unknown flag 'nope' (valid: warn_one, deal_one)")],
    ),
    (
        "an implied flag when the rubric has none",
        implying({1: "nope"}) | {"flags": []},
        [("criteria[0].anchors[1].implies", "unknown flag 'nope' (valid: none defined)")],
    ),
    (
        "an implied flag from the bottom up is fine, a gap is not",
        implying({1: "warn_one", 3: "warn_one"}),
        [
            (
                "criteria[0].anchors[3].implies",
                "level 3 implies 'warn_one' but lower level(s) 2 do not: raising a rating must "
                "never add a flag",
            )
        ],
    ),
    (
        "ask_first points at a question",
        ask_first(3),
        [("criteria[0].ask_first", "must point at one of the 2 questions (1–2), got 3")],
    ),
    (
        "a red flag rests on a source or a stated basis",
        without_source(),
        [("flags[1].source", "a red flag needs a `source` in the seed texts or a stated `basis`")],
    ),
    (
        "a contradiction names a known flag",
        contradiction(flag="nope"),
        [("contradictions[0].flag", "unknown flag 'nope' (valid: warn_one, deal_one)")],
    ),
    (
        "a contradiction names a flag when the rubric has none",
        document(flags=[], contradictions=[{"flag": "nope", "criterion": "alpha", "levels": [4]}]),
        [("contradictions[0].flag", "unknown flag 'nope' (valid: none defined)")],
    ),
    (
        "a contradiction names a known criterion",
        contradiction(criterion="nope"),
        [("contradictions[0].criterion", "unknown criterion 'nope' (valid: alpha, beta)")],
    ),
    (
        "a contradiction's levels are on the scale",
        contradiction(levels=[0, 4, 5]),
        [("contradictions[0].levels", "level(s) 0, 5 are off the scale 1–4")],
    ),
    (
        "more warnings never give a better recommendation",
        steps((3, "hire"), (2, "no_hire")),
        [
            (
                "warning_effect.accumulate",
                "from 3 warnings the cap 'hire' is above the cap for fewer warnings ('no_hire'): "
                "more warnings must never give a better recommendation",
            )
        ],
    ),
    (
        "a step above the single-warning cap",
        steps((2, "strong_hire"), cap="hold"),
        [
            (
                "warning_effect.accumulate",
                "from 2 warnings the cap 'strong_hire' is above the cap for fewer warnings "
                "('hold'): more warnings must never give a better recommendation",
            )
        ],
    ),
    *(
        (
            f"each cap ranks above the one below it: {above} over {below}",
            steps((2, above), cap=below),
            [
                (
                    "warning_effect.accumulate",
                    f"from 2 warnings the cap '{above}' is above the cap for fewer warnings "
                    f"('{below}'): more warnings must never give a better recommendation",
                )
            ],
        )
        for below, above in (("no_hire", "hold"), ("hold", "hire"), ("hire", "strong_hire"))
    ),
    (
        "two steps at the same count",
        steps((2, "hold"), (2, "hold")),
        [("warning_effect.accumulate", "two steps have the same `at_least`")],
    ),
    (
        "thresholds in order, equal ones too",
        document(thresholds={"strong_hire": 80, "hire": 80, "hold": 45}),
        [
            (
                "thresholds",
                "thresholds out of order: need strong_hire > hire > hold, got 80.0 > 80.0 > 45.0",
            )
        ],
    ),
    (
        "a weak core is above the lowest level",
        document(weak_core={"rating_below": 1, "cap": "hold"}),
        [
            (
                "weak_core.rating_below",
                "must be above the lowest level and at most the highest (2–4), got 1",
            )
        ],
    ),
    (
        "a criterion's flags exist",
        document(criteria=[criterion("alpha") | {"flags": ["nope"]}], flags=[]),
        [("criteria[0].flags[0]", "unknown flag 'nope' (valid: none defined)")],
    ),
    (
        "an unknown key lists the keys allowed there",
        document(weak_core={"rating_below": 2, "cap": "hold", "capp": "hold"}),
        [("weak_core.capp", "unknown key 'capp' (allowed keys: rating_below, cap)")],
    ),
    (
        "a required field",
        {k: v for k, v in document().items() if k != "weights"},
        [("weights", "required field is missing")],
    ),
]


@pytest.mark.parametrize(("rule", "doc", "expected"), CASES, ids=[c[0] for c in CASES])
def test_each_rule_names_the_field_and_the_reason(
    tmp_path: Path, rule: str, doc: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert issues(tmp_path, doc) == expected


def test_the_rules_accept_what_they_allow(tmp_path: Path) -> None:
    doc = implying({1: "warn_one", 2: "warn_one"})  # from the bottom up, without a gap
    doc["criteria"][0]["ask_first"] = 2
    doc["warning_effect"] = {
        "penalty": 5,
        "cap": "hire",
        "accumulate": [{"at_least": 3, "cap": "no_hire"}, {"at_least": 2, "cap": "hold"}],
    }
    doc["weak_core"] = {"rating_below": 4, "cap": "hold"}
    doc["contradictions"] = [{"flag": "warn_one", "criterion": "beta", "levels": [1, 4]}]
    doc["flags"][1]["basis"] = doc["flags"][1].pop("source") and {"fr": "b (fr)", "en": "b (en)"}
    loaded = load_rubric_file(write_rubric(tmp_path, doc))
    assert loaded.implied == {"alpha": {1: "warn_one", 2: "warn_one"}}
    assert loaded.contradicting_levels[("warn_one", "beta")] == {1, 4}


def test_an_issue_reads_file_line_path_and_reason() -> None:
    assert str(RubricIssue("a.yaml", "weights.core", "too big", 7)) == (
        "a.yaml:7: weights.core: too big"
    )
    assert str(RubricIssue("a.yaml", "", "not a mapping")) == "a.yaml: (document): not a mapping"
    error = RubricError([RubricIssue("a.yaml", "x", "one"), RubricIssue("b.yaml", "y", "two")])
    assert str(error) == "a.yaml: x: one\nb.yaml: y: two"


def test_issues_give_the_line_of_the_deepest_field_in_the_file(tmp_path: Path) -> None:
    path = write_rubric(tmp_path, implying({2: "warn_one"}))
    lines = path.read_text(encoding="utf-8").splitlines()
    with pytest.raises(RubricError) as caught:
        load_rubric_file(path)
    (issue,) = caught.value.issues
    assert issue.line is not None
    assert lines[issue.line - 1].strip() == "implies: warn_one"


def test_seed_titles_are_read_beside_the_rubrics(tmp_path: Path) -> None:
    assert load_seed_titles(tmp_path) == {}
    seed = "002_4f5316c9140b287b.txt"
    (tmp_path / "sources.yaml").write_text(
        f"{seed}:\n  title:\n    fr: Titre\n    en: Title\n", encoding="utf-8"
    )
    assert load_seed_titles(tmp_path) == {seed: LocalizedText(fr="Titre", en="Title")}
    loaded = load_rubric_file(write_rubric(tmp_path, document()))
    assert loaded.seed_titles == {seed: LocalizedText(fr="Titre", en="Title")}
    (tmp_path / "sources.yaml").write_text("not_a_seed.txt:\n  title: x\n", encoding="utf-8")
    with pytest.raises(RubricError) as caught:
        load_seed_titles(tmp_path)
    assert [(Path(i.file).name, i.path, i.reason, i.line) for i in caught.value.issues] == [
        (
            "sources.yaml",
            "not_a_seed.txt.[key]",
            "string should match pattern '^\\d{3}_[0-9a-f]{16}\\.txt$'",
            2,
        ),
        (
            "sources.yaml",
            "not_a_seed.txt.title",
            "input should be a valid dictionary or instance of LocalizedText",
            2,
        ),
    ]
    (tmp_path / "sources.yaml").write_text("a: [unclosed\n", encoding="utf-8")
    with pytest.raises(RubricError) as unreadable:
        load_seed_titles(tmp_path)
    (issue,) = unreadable.value.issues
    assert str(issue).startswith(f"{tmp_path / 'sources.yaml'}: (document): cannot read the file: ")


def test_texts_in_the_readers_language() -> None:
    text = LocalizedText(fr="oui", en="yes")
    assert (text.get("fr"), text.get("en")) == ("oui", "yes")
    seed = "002_4f5316c9140b287b.txt"
    assert Source(seed=seed, point="3").point_in("fr") == "3"
    quoted = Source(seed=seed, point=LocalizedText(fr="« mot »", en="“word”"))
    assert (quoted.point_in("fr"), quoted.point_in("en")) == ("« mot »", "“word”")
    r = rubric()
    assert list(r.criteria[0].questions.get("en")) == ["q1 alpha?", "q2 alpha?"]
    assert r.criteria[0].questions.get("fr") == ["q1 alpha ?", "q2 alpha ?"]


def test_a_loaded_rubric_answers_its_lookups() -> None:
    doc = document(
        criteria=[criterion("alpha", "core", 3), criterion("beta", "depth")],
        contradictions=[{"flag": "deal_one", "criterion": "alpha", "levels": [2, 3]}],
    )
    doc["criteria"][0]["flags"] = ["warn_one"]
    doc["criteria"][1]["anchors"][1]["implies"] = "warn_one"
    r = rubric(doc)
    assert r.levels == [1, 2, 3, 4]
    assert r.total_weight == 4.0  # alpha 3, beta the depth default 1
    assert list(r.criteria_by_id) == ["alpha", "beta"]
    assert r.criteria_by_id["beta"].weight == 1.0
    assert list(r.flags_by_id) == ["warn_one", "deal_one"]
    assert r.implied == {"beta": {1: "warn_one"}}
    assert r.contradicting_levels == {
        ("warn_one", "alpha"): frozenset({4}),  # a listed flag contradicts the top rating
        ("deal_one", "alpha"): frozenset({2, 3}),
    }
    same = rubric(doc)
    assert hash(same) == hash(r)
    other = rubric(document())
    assert hash(other) != hash(r)


def test_which_files_of_a_directory_are_rubrics(tmp_path: Path) -> None:
    write_rubric(tmp_path, document(id="one"))
    (tmp_path / "two.yml").write_text(
        (tmp_path / "one.yaml").read_text(encoding="utf-8").replace("id: one", "id: two"),
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text("not a rubric", encoding="utf-8")
    (tmp_path / "sources.yaml").write_text("{}\n", encoding="utf-8")
    (tmp_path / "folder.yaml").mkdir()
    assert sorted(load_rubrics(tmp_path)) == ["one", "two"]


def test_a_directory_that_is_not_one_or_holds_no_rubric(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    with pytest.raises(RubricError) as caught:
        load_rubrics(missing)
    assert [(i.file, i.path, i.reason) for i in caught.value.issues] == [
        (str(missing), "", "not a directory")
    ]
    with pytest.raises(RubricError) as empty:
        load_rubrics(tmp_path)
    assert [str(i) for i in empty.value.issues] == [
        f"{tmp_path}: (document): no rubric file (*.yaml) found"
    ]


def test_a_file_is_named_as_the_caller_shows_it(tmp_path: Path) -> None:
    path = write_rubric(tmp_path, document(scale=(4, 2)))
    with pytest.raises(RubricError) as caught:
        load_rubric_file(path, display_name="criteria/test-rubric.yaml")
    assert str(caught.value).startswith("criteria/test-rubric.yaml:")
    assert all(i.file == "criteria/test-rubric.yaml" for i in caught.value.issues)


def test_without_its_own_word_list_a_directory_is_checked_with_the_shipped_one(
    tmp_path: Path,
) -> None:
    doc = document()
    doc["criteria"][0]["questions"]["en"][0] = "How old are you?"
    write_rubric(tmp_path, doc)
    issues = [(Path(f).name, p) for f, p, _ in issues_with_files(tmp_path)]
    assert issues == [("test-rubric.yaml", "criteria[0].questions.en[0]")]
    broken = tmp_path / "fairness"
    broken.mkdir()
    (broken / "protected-grounds.yaml").write_text("grounds: []\n", encoding="utf-8")
    ((name, path, reason),) = issues_with_files(tmp_path)
    assert (Path(name).name, path) == ("protected-grounds.yaml", "grounds")
    assert "at least 1 item" in reason


def issues_with_files(directory: Path) -> list[tuple[str, str, str]]:
    with pytest.raises(RubricError) as caught:
        load_rubrics(directory)
    return [(i.file, i.path, i.reason) for i in caught.value.issues]


def test_the_version_is_the_declared_one_and_a_hash_of_the_canonical_content() -> None:
    """The hash is of the content as canonical JSON (keys sorted, UTF-8 as is, no spaces), so it
    does not move between releases or machines, and anyone can recompute it."""
    import hashlib
    import json

    from app.rubric.schemas import RubricDocument

    # On a 0–10 scale, level keys sort as text ("10" before "2"), as JSON writes them.
    doc = document(title={"fr": "Grille « é »", "en": "Rubric"}, scale=(0, 10))
    parsed = RubricDocument.model_validate(doc)
    canonical = json.dumps(
        parsed.model_dump(mode="json"), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    r = rubric(doc)
    assert (r.content_hash, r.version, r.declared_version) == (
        digest,
        f"1.0.0+{digest[:12]}",
        "1.0.0",
    )


def test_an_unknown_key_deep_in_a_criterion_lists_the_keys_of_its_own_part(tmp_path: Path) -> None:
    doc = document()
    doc["criteria"][0]["anchors"][2]["colour"] = "red"
    assert issues(tmp_path, doc) == [
        (
            "criteria[0].anchors[2].colour",
            "unknown key 'colour' (allowed keys: fr, en, example, implies)",
        )
    ]


def test_an_unknown_key_in_the_seed_titles_is_named(tmp_path: Path) -> None:
    seed = "002_4f5316c9140b287b.txt"
    (tmp_path / "sources.yaml").write_text(
        f"{seed}:\n  title: {{fr: a, en: b}}\n  colour: red\n", encoding="utf-8"
    )
    with pytest.raises(RubricError) as caught:
        load_seed_titles(tmp_path)
    assert [(i.path, i.reason, i.line) for i in caught.value.issues] == [
        (f"{seed}.colour", "unknown key 'colour'", 3)
    ]


def test_a_protected_word_in_a_rubric_stops_loading_the_directory_with_the_grounds_label(
    tmp_path: Path,
) -> None:
    doc = document()
    doc["criteria"][0]["description"] = {
        "fr": "Décrire la stratégie éditoriale.",
        "en": "Asks about the candidate's marital status.",
    }
    write_rubric(tmp_path, doc)
    with pytest.raises(RubricError) as caught:
        load_rubrics(tmp_path)
    assert [str(i) for i in caught.value.issues] == [
        f"{tmp_path / 'test-rubric.yaml'}: criteria[0].description.en: 'marital status' in "
        "'alpha' touches a protected ground (family situation): rephrase the text, or list the "
        "term under the item's fairness_exceptions with a written reason"
    ]
