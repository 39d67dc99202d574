"""The shipped rubric covers every identifier of the contract, in French and English."""

from app.rubric import Rubric

# The identifiers are a contract with the API, the exports and HR tools (rubric-sources.md).
CORE = [
    "continuous_learning",
    "influence_over_audience",
    "history_of_the_social_web",
    "hands_on_practice",
    "conversation_not_promotion",
    "measures_impact",
    "knows_creative_cases",
]
DEPTH = [
    "communication_strategy",
    "listening_and_dialogue",
    "original_analysis",
    "people_not_targets",
    "context_fit",
    "test_and_learn",
    "usage_before_tools",
    "internal_advocacy",
    # New in 2.0.0 (seed 003): crisis, writing and register, someone else's community.
    "crisis_and_emotional_load",
    "writing_and_register",
    "working_for_others_community",
]
ALL = [*CORE, *DEPTH]  # every criterion: a determinate verdict needs them all
FLAGS = {
    "self_proclaimed_expert": "warning",
    "followers_as_proof": "dealbreaker",
    "thinks_social_is_new": "warning",
    "facebook_twitter_only": "warning",
    "constant_marketer": "dealbreaker",
    "cannot_measure_impact": "dealbreaker",
    "single_viral_case": "warning",
    "vanity_metrics": "warning",
    "audience_as_targets": "warning",
    "relays_without_analysis": "warning",
    "one_true_way": "warning",
    "platform_chasing": "warning",
    "quick_wins_only": "warning",
    "fake_engagement": "dealbreaker",
}
ROLE_QUESTIONS = [
    "role_strategic_voice",
    "role_in_content_process",
    "role_autonomy",
    "role_seniority_fit",
    "role_measurement_means",
]
SEEDS = {
    "000_7e70689ef1a11f27.txt",
    "001_213e5d81059f15e3.txt",
    "002_4f5316c9140b287b.txt",
    "003_35b5d2382263f78a.txt",
    "004_1b4b6368c2b5e17c.txt",
}


def test_identifiers_and_groups(shipped: Rubric) -> None:
    assert [c.id for c in shipped.criteria if c.group == "core"] == CORE
    assert [c.id for c in shipped.criteria if c.group == "depth"] == DEPTH
    assert {f.id: f.severity for f in shipped.flags} == FLAGS
    assert [q.id for q in shipped.role_questions] == ROLE_QUESTIONS


def test_core_criteria_weigh_more_than_depth(shipped: Rubric) -> None:
    core = [c.weight for c in shipped.criteria if c.group == "core"]
    depth = [c.weight for c in shipped.criteria if c.group == "depth"]
    assert min(core) > max(depth)


def test_core_criteria_come_from_the_seven_points_in_order(shipped: Rubric) -> None:
    core = [c for c in shipped.criteria if c.group == "core"]
    assert [(c.source.seed, c.source.point) for c in core] == [
        ("002_4f5316c9140b287b.txt", str(n)) for n in range(1, 8)
    ]


def test_every_text_in_both_languages_and_translated(shipped: Rubric) -> None:
    texts = []
    for c in shipped.criteria:
        texts += [c.title, c.description, *c.anchors.values()]
        assert 2 <= len(c.questions.fr) == len(c.questions.en) <= 3
        assert c.questions.fr != c.questions.en
    for f in shipped.flags:
        texts += [f.title, f.description, f.verify]
    for q in shipped.role_questions:
        texts += [q.question, q.warning]
    for t in texts:
        assert t.fr.strip()
        assert t.en.strip()
        assert t.fr != t.en


def test_anchors_cover_the_scale_and_differ_by_level(shipped: Rubric) -> None:
    for c in shipped.criteria:
        assert sorted(c.anchors) == [1, 2, 3, 4]
        assert len({a.en for a in c.anchors.values()}) == 4
        assert len({a.fr for a in c.anchors.values()}) == 4


def test_sources_point_to_the_seed_texts(shipped: Rubric) -> None:
    sources = [c.source for c in shipped.criteria] + [f.source for f in shipped.flags if f.source]
    sources += [q.source for q in shipped.role_questions]
    assert {s.seed for s in sources} <= SEEDS
    assert {s.seed for s in sources} == SEEDS  # every seed text is used
    # A flag without a seed source states its basis (fake_engagement: ethics and consumer law).
    unsourced = [f for f in shipped.flags if f.source is None]
    assert [f.id for f in unsourced] == ["fake_engagement"]
    assert all(f.basis is not None for f in unsourced)


def test_related_flags_point_back_to_their_criterion(shipped: Rubric) -> None:
    related = {f for c in shipped.criteria for f in c.flags}
    assert related == set(FLAGS)  # every flag belongs to at least one criterion
    measures = shipped.criteria_by_id["measures_impact"]
    assert "cannot_measure_impact" in measures.flags
