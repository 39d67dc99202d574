"""The engine's promises, checked by hypothesis over generated rubrics and answers."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.rubric import Rubric
from app.rubric.schemas import RANKED_RECOMMENDATIONS
from app.scoring import Answers, PanelMember, RaisedFlag, combine, score
from app.scoring.panel import lower_median
from tests.factories import criterion, document, flag, rubric, shipped_document

RANK = {name: index for index, name in enumerate(RANKED_RECOMMENDATIONS)}
SHIPPED = rubric(shipped_document())


@st.composite
def rubrics(draw: st.DrawFn) -> Rubric:
    """Valid rubrics of every shape: scale, weights, thresholds, effects, severities."""
    if draw(st.booleans()):
        return SHIPPED
    low = draw(st.integers(0, 2))
    high = draw(st.integers(low + 1, low + 6))
    levels = range(low, high + 1)
    count = draw(st.integers(1, 6))
    groups = ["core"] + [draw(st.sampled_from(["core", "depth"])) for _ in range(count - 1)]
    weights = [draw(st.floats(0.1, 10, allow_nan=False).map(lambda w: round(w, 2))) for _ in groups]
    criteria = [
        criterion(f"c{i}", g, w, levels)
        for i, (g, w) in enumerate(zip(groups, weights, strict=True))
    ]
    severities = draw(st.lists(st.sampled_from(["warning", "dealbreaker"]), min_size=1, max_size=5))
    flags = [flag(f"f{i}", s) for i, s in enumerate(severities)]
    cuts = sorted(draw(st.lists(st.integers(1, 100), min_size=3, max_size=3, unique=True)))
    ranked = st.sampled_from(RANKED_RECOMMENDATIONS)
    doc = document(
        criteria=criteria,
        flags=flags,
        scale=(low, high),
        thresholds={"hold": cuts[0], "hire": cuts[1], "strong_hire": cuts[2]},
        warning_effect={"penalty": draw(st.integers(0, 30)), "cap": draw(ranked)},
        weak_core={"rating_below": draw(st.integers(low + 1, high)), "cap": draw(ranked)},
    )
    return rubric(doc)


@st.composite
def cases(draw: st.DrawFn, complete: bool = False) -> tuple[Rubric, Answers]:
    """A rubric and valid answers to it (with every core criterion rated if `complete`)."""
    r = draw(rubrics())
    ratings: dict[str, int | None] = {}
    for c in r.criteria:
        if (complete and c.group == "core") or draw(st.booleans()):
            ratings[c.id] = draw(st.integers(r.scale.min, r.scale.max))
    flags = draw(st.lists(st.sampled_from([f.id for f in r.flags]), max_size=4))
    language = draw(st.sampled_from(["fr", "en"]))
    return r, Answers(ratings=ratings, flags=[{"id": f} for f in flags], language=language)


def dealbreakers(r: Rubric, answers: Answers) -> list[str]:
    return [f.id for f in answers.flags if r.flags_by_id[f.id].severity == "dealbreaker"]


@given(cases())
def test_a_dealbreaker_gives_no_hire_and_names_flag_and_source(
    case: tuple[Rubric, Answers],
) -> None:
    r, answers = case
    v = score(r, answers)
    raised = dealbreakers(r, answers)
    if raised:
        assert v.recommendation == "no_hire"
        for flag_id in raised:
            f = r.flags_by_id[flag_id]
            (reason,) = [x for x in v.reasons if x.ref == flag_id]
            assert f.title.get(answers.language) in reason.text
            assert f.source.seed in reason.text
        assert v.reasons[0].ref in raised  # the decisive reason comes first


@given(cases())
def test_a_core_criterion_unrated_gives_incomplete_naming_it(case: tuple[Rubric, Answers]) -> None:
    r, answers = case
    v = score(r, answers)
    missing = [c for c in r.criteria if c.group == "core" and answers.ratings.get(c.id) is None]
    if missing and not dealbreakers(r, answers):
        assert v.recommendation == "incomplete"
        text = " ".join(x.text for x in v.reasons if x.ref == "overall")
        for c in missing:
            assert c.title.get(answers.language) in text
    if not missing:
        assert v.recommendation != "incomplete"


@given(cases(), st.data())
def test_raising_one_rating_never_lowers_score_or_recommendation(
    case: tuple[Rubric, Answers], data: st.DataObject
) -> None:
    r, answers = case
    rated = [k for k, v in answers.ratings.items() if v is not None and v < r.scale.max]
    if not rated:
        return
    target = data.draw(st.sampled_from(rated))
    current = answers.ratings[target]
    assert current is not None
    higher = data.draw(st.integers(current + 1, r.scale.max))
    before = score(r, answers)
    after = score(r, answers.model_copy(update={"ratings": {**answers.ratings, target: higher}}))
    assert after.score >= before.score
    if before.recommendation in RANK:
        assert RANK[after.recommendation] >= RANK[before.recommendation]
    else:  # incomplete, or a dealbreaker's no_hire: which is rated did not change
        assert after.recommendation == before.recommendation


@given(cases(), st.data())
def test_adding_a_flag_never_raises_score_or_recommendation(
    case: tuple[Rubric, Answers], data: st.DataObject
) -> None:
    r, answers = case
    extra = data.draw(st.sampled_from([f.id for f in r.flags]))
    before = score(r, answers)
    after = score(r, answers.model_copy(update={"flags": [*answers.flags, RaisedFlag(id=extra)]}))
    assert after.score <= before.score
    if before.recommendation == "incomplete":
        assert after.recommendation in ("incomplete", "no_hire")
    else:
        assert RANK[after.recommendation] <= RANK[before.recommendation]


@given(rubrics(), st.lists(st.integers(0, 20), max_size=3))
def test_all_top_no_flag_is_strong_hire_and_all_bottom_is_no_hire(
    r: Rubric, picks: list[int]
) -> None:
    top = Answers(ratings={c.id: r.scale.max for c in r.criteria})
    assert score(r, top).recommendation == "strong_hire"
    assert score(r, top).score == 100.0
    flags = [{"id": r.flags[i % len(r.flags)].id} for i in picks]
    bottom = Answers(ratings={c.id: r.scale.min for c in r.criteria}, flags=flags)
    assert score(r, bottom).recommendation == "no_hire"


@given(cases())
def test_same_answers_give_the_same_bytes(case: tuple[Rubric, Answers]) -> None:
    r, answers = case
    again = Answers.model_validate_json(answers.model_dump_json())
    assert score(r, answers).model_dump_json() == score(r, again).model_dump_json()


@given(cases())
def test_reasons_refer_to_known_items_and_differ_by_language(case: tuple[Rubric, Answers]) -> None:
    r, answers = case
    known = {c.id for c in r.criteria} | {f.id for f in r.flags} | {"overall"}
    fr = score(r, answers, "fr")
    en = score(r, answers, "en")
    assert fr.reasons
    assert len(fr.reasons) == len(en.reasons)
    for a, b in zip(fr.reasons, en.reasons, strict=True):
        assert a.ref == b.ref
        assert a.ref in known
        assert a.text != b.text
    assert (fr.score, fr.recommendation) == (en.score, en.recommendation)


@given(cases())
def test_score_and_coverage_stay_in_range(case: tuple[Rubric, Answers]) -> None:
    r, answers = case
    v = score(r, answers)
    assert 0.0 <= v.score <= 100.0
    assert 0.0 <= v.coverage <= 1.0
    assert v.rubric_version == r.version


@st.composite
def panels(draw: st.DrawFn) -> tuple[Rubric, list[PanelMember]]:
    r = draw(rubrics())
    size = draw(st.integers(0, 5))
    members = []
    for index in range(size):
        ratings = {
            c.id: draw(st.integers(r.scale.min, r.scale.max))
            for c in r.criteria
            if draw(st.booleans())
        }
        flags = draw(st.lists(st.sampled_from([f.id for f in r.flags]), max_size=2))
        members.append(
            PanelMember(
                f"person {index}", Answers(ratings=ratings, flags=[{"id": f} for f in flags])
            )
        )
    return r, members


@settings(max_examples=150)
@given(panels())
def test_panel_combines_by_lower_median_and_flags_calibration(
    case: tuple[Rubric, list[PanelMember]],
) -> None:
    r, members = case
    v = combine(r, members, "en")
    by_id = {c.id: c for c in v.criteria}
    calibrated = {item.criterion_id: item for item in v.calibration}
    for c in r.criteria:
        given_ = [r for m in members if (r := m.answers.ratings.get(c.id)) is not None]
        assert by_id[c.id].rating == (lower_median(given_) if given_ else None)
        spread = max(given_) - min(given_) if given_ else 0
        assert (c.id in calibrated) == (spread >= 2)
    for f in v.flags:
        assert f.raised_by == [
            m.interviewer for m in members if any(x.id == f.id for x in m.answers.flags)
        ]
    if len(members) < 2:
        assert v.agreement is None
    elif v.agreement is not None:
        assert -1.0 <= v.agreement <= 1.0


@given(cases())
def test_a_panel_of_one_agrees_with_the_single_verdict(case: tuple[Rubric, Answers]) -> None:
    r, answers = case
    single = score(r, answers, "en")
    panel = combine(r, [PanelMember("only", answers)], "en")
    assert (panel.recommendation, panel.score, panel.coverage) == (
        single.recommendation,
        single.score,
        single.coverage,
    )
