"""The red-flag detector: the candidate's own stance against what they report, deny, regret,
imagine or mock; counts; quotes; languages; the signals file's checks (reproducible training:
test_training.py).

Every statement below is written for these tests and is not in the training corpus
(criteria/signals/corpus/); a test checks that.
"""

import json
import shutil
import subprocess
import sys
import threading
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from app.core.config import shipped_criteria_dir
from app.rubric import RubricError, load_rubrics
from app.signals.detector import detect, detect_language, detect_many
from app.signals.encoder import Encoder
from app.signals.loader import load_all
from app.signals.model import Signals

ROOT = Path(__file__).resolve().parents[2]
SIGNALS_DIR = shipped_criteria_dir() / "signals"
# A copy of ../shared/data/statements-dev.jsonl, so that a clean clone has it.
DEV_SET = ROOT / "tests" / "signals" / "statements-dev.jsonl"
RUBRICS = load_rubrics(shipped_criteria_dir())
SIGNALS: Signals = load_all(shipped_criteria_dir(), RUBRICS)["social-media-screen"]
CORPUS = {
    json.loads(line)["text"]
    for path in (SIGNALS_DIR / "corpus").glob("*.jsonl")
    for line in path.read_text(encoding="utf-8").splitlines()
    if line.strip()
}


# Known misses, kept as strict expected failures: each one is a defect of the detector, reported
# in criteria/signals/EVALUATION.md; the test fails the day the detector gets it right.
MISSED = pytest.mark.xfail(
    strict=True, reason="a miss of the learned detector, see criteria/signals/EVALUATION.md"
)


def flags(text: str, language: str | None = None) -> set[str]:
    return {s.flag_id for s in detect(SIGNALS, text, language)[1]}  # type: ignore[arg-type]


CLAIMS = [
    (  # missed by the fifth to seventh versions: its pairs pulled it under the threshold
        "Bonjour. J'anime la page d'une librairie depuis deux ans. "
        "Mes 20 000 abonnés prouvent que je sais faire. "
        "Et je vous garantis le buzz en un mois.",
        "followers_as_proof",
    ),
    pytest.param(
        "J'achète des abonnés pour chaque nouveau client, ça lance la machine.",
        "fake_engagement",
        marks=MISSED,
    ),
    (
        "Our team posts reviews under made-up customer names when the rating dips.",
        "fake_engagement",
    ),
    ("Honestly, the impact of community work just can't be measured.", "cannot_measure_impact"),
    (
        "Mesurer ce que je fais ? Je n'en ai aucune idée, je me fie au ressenti.",
        "cannot_measure_impact",
    ),
    pytest.param(
        "With my 30,000 followers, I don't see what else you need as proof.",
        "followers_as_proof",
        marks=MISSED,
    ),
    (
        "Mes 25 000 abonnés sur Instagram prouvent que je sais faire ce métier.",
        "followers_as_proof",
    ),
    (
        "Tout nouvel abonné reçoit automatiquement un message privé avec mon offre.",
        "constant_marketer",
    ),
    ("I'm a social media guru, there's no platform I haven't mastered.", "self_proclaimed_expert"),
]
# The candidate's own stance is clean here: reported speech, others' behaviour, denials near and
# far from the words, past mistakes learned from, hypotheticals, sarcasm.
NOT_THEIR_STANCE = [
    (
        "Mon associé voulait qu'on achète 3 000 abonnés avant le lancement ; je lui ai montré "
        "pourquoi c'était une mauvaise idée.",
        "fake_engagement",
    ),
    (
        "A former client insisted that social media impact can't be measured, so I built him a "
        "dashboard of the bookings our posts brought.",
        "cannot_measure_impact",
    ),
    ("Les gourous autoproclamés du marketing digital me fatiguent.", "self_proclaimed_expert"),
    ("Des faux avis ? Dans mon équipe, ça n'arrivera jamais.", "fake_engagement"),
    (
        "In ten years of work I have never sent an automated sales message to a new follower.",
        "constant_marketer",
    ),
    (
        "In my first job I bought likes for a product launch. It was a mistake, and I have "
        "argued against it ever since.",
        "fake_engagement",
    ),
    (
        "J'ai longtemps cru que l'impact ne se mesurait pas, jusqu'au jour où j'ai relié nos "
        "posts aux inscriptions.",
        "cannot_measure_impact",
    ),
    (
        "If a manager ever asked me to post reviews under fake names, I would refuse.",
        "fake_engagement",
    ),
    (
        "Bien sûr, il suffit d'acheter dix mille abonnés et le tour est joué... C'est exactement "
        "ce que je déconseille à mes clients.",
        "fake_engagement",
    ),
    (
        "Oh yes, as if a 50k follower count ever proved anyone's competence. I judge people on "
        "what they built.",
        "followers_as_proof",
    ),
    (
        "My flatmate has 20,000 followers on TikTok; she's a baker, and it says nothing about "
        "community management.",
        "followers_as_proof",
    ),
]


def _text(case: object) -> str:
    values = getattr(case, "values", case)
    return str(values[0])  # type: ignore[index]


def test_the_test_statements_are_not_in_the_training_corpus() -> None:
    written = [_text(p) for p in CLAIMS + NOT_THEIR_STANCE]
    assert not [t for t in written if t in CORPUS]


@pytest.mark.parametrize(("text", "flag"), CLAIMS)
def test_the_candidates_own_claim_is_suggested(text: str, flag: str) -> None:
    assert flag in flags(text)


@pytest.mark.parametrize(("text", "flag"), NOT_THEIR_STANCE)
def test_what_is_not_the_candidates_stance_is_not(text: str, flag: str) -> None:
    assert flag not in flags(text)


@pytest.mark.parametrize(
    ("written", "flagged"),
    [
        ("40k", True),
        ("40 K", True),
        ("40 000", True),
        ("40,000", True),
        ("40.000", True),
        ("40\u202f000", True),
        pytest.param("1,5 M", True, marks=MISSED),  # the English sentence scores too low
        ("12000", True),
        ("999", False),
        ("800", False),
        ("0,5k", False),
    ],
)
def test_counts_below_the_minimum_suggest_nothing(written: str, flagged: bool) -> None:
    english = f"I have {written} followers, which proves I know this job."
    french = f"J'ai {written} abonnés, ce qui prouve que je connais ce métier."
    assert ("followers_as_proof" in flags(english, "en")) is flagged
    assert ("followers_as_proof" in flags(french, "fr")) is flagged


def test_quotes_are_the_sentences_that_fired_and_explain_in_the_asked_language() -> None:
    text = (
        "Bonjour. J'anime la page d'une librairie depuis deux ans. "
        "Mes 20 000 abonnés prouvent que je sais faire. "
        "Et je vous garantis le buzz en un mois."
    )
    language, found = detect(SIGNALS, text, None, "en")
    assert language == "fr"
    by_flag = {s.flag_id: s for s in found}
    assert "quick_wins_only" in by_flag
    assert [e.quote for e in by_flag["quick_wins_only"].evidence] == [
        "Et je vous garantis le buzz en un mois."
    ]
    assert by_flag["quick_wins_only"].explanation.startswith("Promises fast")
    for suggestion in found:
        assert suggestion.explanation.isascii()
        assert 0 < suggestion.score <= 1
        for evidence in suggestion.evidence:
            assert text[evidence.start : evidence.end] == evidence.quote
            assert "librairie" not in evidence.quote  # the clean sentence is never quoted


def test_a_denial_in_the_next_sentence_cancels_the_cue() -> None:
    assert "fake_engagement" not in flags(
        "Acheter des abonnés pour faire décoller une page ? Jamais."
    )


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("On a multiplié les pages vues par trois.", "fr"),
        ("Je teste et je mesure.", "fr"),
        ("I test and I measure.", "en"),
        ("We doubled our likes in two weeks!", "en"),
    ],
)
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_batches_and_threads_give_the_answers_one_call_gives() -> None:
    texts = [_text(c) for c in CLAIMS[:4]] + [_text(c) for c in NOT_THEIR_STANCE[:4]]
    alone = [detect(SIGNALS, t, None)[1] for t in texts]
    assert [found for _, found in detect_many(SIGNALS, texts)] == alone
    encoder = Encoder(remembered=2)  # tiny memory: threads evict each other's sentences
    results: dict[int, list[object]] = {}

    def work(index: int) -> None:
        results[index] = [detect(SIGNALS, t, None, encoder=encoder)[1] for t in texts]

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(results[i] == alone for i in range(4))


def _evaluate(path: Path, *extra: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "flags", "evaluate", str(path), *extra],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=600,
    )
    return done.stdout


def _overall(output: str) -> tuple[float, float, float]:
    line = next(x for x in output.splitlines() if x.startswith("overall (micro)"))
    precision, recall, f1, _support = line.split()[-4:]
    return float(precision), float(recall), float(f1)


def test_scores_on_the_shared_development_set_beat_the_keyword_matcher() -> None:
    if not DEV_SET.exists():
        pytest.fail(f"{DEV_SET} is missing")
    learned = _evaluate(DEV_SET)
    keywords = _evaluate(DEV_SET, "--baseline", "keywords")
    assert "exactly right:" in learned and "exactly right:" in keywords
    precision, _recall, f1 = _overall(learned)
    base_precision, _base_recall, base_f1 = _overall(keywords)
    assert precision >= 0.95 and precision >= base_precision, learned
    assert f1 >= base_f1, (learned, keywords)


def test_evaluate_refuses_an_unknown_baseline() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "flags", "evaluate", str(DEV_SET), "--baseline", "x"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2 and "keywords" in done.stderr


def _criteria_copy(tmp_path: Path) -> Path:
    criteria = tmp_path / "criteria"
    shutil.copytree(shipped_criteria_dir(), criteria)
    return criteria


def test_the_embedding_cache_holds_what_the_model_computes() -> None:
    """Training reads cached sentence vectors: they must be the model's own."""
    from app.signals.train import _key

    with np.load(SIGNALS_DIR / "social-media-screen.embeddings.npz") as stored:
        cached = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
    from app.signals.segment import units

    pieces = sorted({t[u.span.start : u.span.end] for t in CORPUS for u in units(t)[1]})
    texts = pieces[::397][:12]
    fresh = Encoder().embed(texts)
    for text, vector in zip(texts, fresh, strict=True):
        assert float(np.dot(cached[_key(text)].astype(np.float32), vector)) > 0.999


@pytest.mark.parametrize(
    ("edit", "field", "reason"),
    [
        (
            lambda y: y.replace("  vanity_metrics:", "  no_such_flag:"),
            "flags.no_such_flag",
            "not a flag of the rubric",
        ),
        (
            lambda y: y.replace("weights: social-media-screen.weights.json\n", ""),
            "weights",
            "Field required",
        ),
        (
            lambda y: y.replace("corpus: corpus", "corpus: nowhere"),
            "nowhere",
            "no labelled statements",
        ),
        (
            lambda y: y.replace(
                "    min_count: 1000", "    min_count: 1000\n    min_precision: 0.9"
            ),
            "weights",
            "run `tamis flags train`",
        ),
        (
            lambda y: y.replace(
                "beta: {dealbreaker: 0.15, warning: 0.75}",
                "beta: {dealbreaker: 0.5, warning: 0.75}",
            ),
            "weights",
            "run `tamis flags train`",
        ),
    ],
)
def test_a_broken_signals_file_stops_start_up(
    tmp_path: Path, edit: object, field: str, reason: str
) -> None:
    criteria = _criteria_copy(tmp_path)
    path = criteria / "signals" / "social-media-screen.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")  # type: ignore[operator]
    with pytest.raises(RubricError) as raised:
        load_all(criteria, load_rubrics(criteria))
    message = str(raised.value)
    assert field in message and reason in message, message


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda path: path.write_bytes(b"not a zip file"), "not a .npz archive"),
        (lambda path: path.unlink(), "the file is missing"),
        (
            lambda path: path.write_bytes(path.read_bytes()[:-10]),
            "social-media-screen.neighbours.npz:",
        ),
    ],
)
def test_a_broken_neighbours_file_stops_start_up(
    tmp_path: Path, damage: object, reason: str
) -> None:
    criteria = _criteria_copy(tmp_path)
    damage(criteria / "signals" / "social-media-screen.neighbours.npz")  # type: ignore[operator]
    with pytest.raises(RubricError) as raised:
        load_all(criteria, load_rubrics(criteria))
    message = str(raised.value)
    assert "social-media-screen.neighbours.npz" in message and reason in message, message
    assert "run `tamis flags train`" in message, message


@pytest.mark.parametrize(
    ("context", "reason"),
    [
        (None, "context: 'context'"),
        ({"reach": 1, "temper": 1.5}, "temper between 0 and 1"),
        ({"reach": -1, "temper": 0.1}, "reach must be at least 0"),
        ({"reach": "one", "temper": 0.1}, "context: invalid literal"),
    ],
)
def test_a_weights_file_without_a_valid_context_stops_start_up(
    tmp_path: Path, context: object, reason: str
) -> None:
    criteria = _criteria_copy(tmp_path)
    path = criteria / "signals" / "social-media-screen.weights.json"
    body = json.loads(path.read_text(encoding="utf-8"))
    if context is None:
        del body["context"]
    else:
        body["context"] = context
    path.write_text(json.dumps(body), encoding="utf-8")
    with pytest.raises(RubricError) as raised:
        load_all(criteria, load_rubrics(criteria))
    message = str(raised.value)
    assert "social-media-screen.weights.json: " in message and reason in message, message
    assert "run `tamis flags train`" in message, message


def test_neighbours_from_another_training_are_refused(tmp_path: Path) -> None:
    """A neighbours file whose labels differ from the weights file's digest is refused."""
    from app.signals.weights import _write_npz

    criteria = _criteria_copy(tmp_path)
    path = criteria / "signals" / "social-media-screen.neighbours.npz"
    with np.load(path) as stored:
        vectors, labels, names = stored["vectors"], stored["labels"].copy(), stored["flags"]
    labels[0] = 1
    _write_npz(path, {"vectors": vectors, "labels": labels, "flags": names})
    with pytest.raises(RubricError) as raised:
        load_all(criteria, load_rubrics(criteria))
    assert "does not match the weights file's digest" in str(raised.value)


def test_a_corpus_line_with_an_unknown_flag_is_refused_with_its_line(tmp_path: Path) -> None:
    criteria = _criteria_copy(tmp_path)
    corpus = criteria / "signals" / "corpus" / "extra.jsonl"
    corpus.write_text(
        '{"id": "x-1", "language": "en", "text": "Fine.", "flags": []}\n'
        '{"id": "x-2", "language": "en", "text": "Hm.", "flags": ["bought_fans"]}\n',
        encoding="utf-8",
    )
    with pytest.raises(RubricError) as raised:
        load_all(criteria, load_rubrics(criteria))
    assert "extra.jsonl:2: flags: unknown ['bought_fans']" in str(raised.value)


def test_a_corpus_line_with_a_group_that_is_not_an_id_is_refused(tmp_path: Path) -> None:
    criteria = _criteria_copy(tmp_path)
    corpus = criteria / "signals" / "corpus" / "extra.jsonl"
    corpus.write_text(
        '{"id": "x-1", "group": 7, "language": "en", "text": "Fine.", "flags": []}\n',
        encoding="utf-8",
    )
    with pytest.raises(RubricError) as raised:
        load_all(criteria, load_rubrics(criteria))
    assert "extra.jsonl:1: group: must be a statement id" in str(raised.value)


def test_a_statement_and_its_translation_share_a_fold_and_a_side_of_the_split() -> None:
    """Twins (the same "group") are never split between training and scoring: the
    cross-validation figures would otherwise score a statement with a model that learned its
    translation."""
    from app.signals.corpus import is_validation
    from app.signals.loader import read_document, read_statements
    from app.signals.train import fold_of

    path = SIGNALS_DIR / "social-media-screen.yaml"
    statements, _ = read_statements(path, read_document(path, RUBRICS)[0])
    by_id = {s.id: s for s in statements}
    twins = [(s, by_id[s.group]) for s in statements if s.group and s.group in by_id]
    assert len(twins) > 1000
    assert any(a.language != b.language for a, b in twins)
    for a, b in twins:
        assert fold_of(a) == fold_of(b)
        assert is_validation(a.group_key, 0.2) == is_validation(b.group_key, 0.2)
    # Without the group, many twins would land in different folds.
    apart = sum(fold_of(replace(a, group="")) != fold_of(b) for a, b in twins)
    assert apart > len(twins) / 3


def test_criteria_validate_checks_the_signals_file(tmp_path: Path) -> None:
    criteria = _criteria_copy(tmp_path)
    path = criteria / "signals" / "social-media-screen.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("min_count: 1000", "min_count: lots"),
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "criteria", "validate", str(criteria)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 1
    assert "signals/social-media-screen.yaml: flags.followers_as_proof.min_count" in done.stderr


def test_an_echoed_question_is_silent_and_its_pairs_still_read_it() -> None:
    """A short question beside other sentences echoes the interviewer ("Buying followers?"):
    it never fires on its own; alone, or long, a question is read like any sentence."""
    from app.signals.segment import silent, units

    text = "Des faux avis ? Je réponds à chaque avis négatif, en public. Et je remercie les autres."
    cut = units(text)[1]
    quiet = silent(text, cut)
    assert [text[u.span.start : u.span.end] for u, q in zip(cut, quiet, strict=True) if q] == [
        "Des faux avis ?"
    ]
    assert not any(q for u, q in zip(cut, quiet, strict=True) if len(u.sentences) == 2)
    alone = "Buying followers?"
    assert silent(alone, units(alone)[1]) == [False]
    long = "Why would anyone think a community's impact cannot be measured at all? I track it."
    assert not any(silent(long, units(long)[1]))
    assert "fake_engagement" not in flags(text)


def test_a_sentence_weighs_less_when_none_of_its_pairs_agrees() -> None:
    from app.signals.detector import in_context
    from app.signals.segment import holding_pairs, units

    cut = units("Oh sure, I'm the greatest guru. Kidding. I learn every week.")[1]
    before, after = holding_pairs(cut)
    assert (before, after) == ([-1, 3, 4, -1, -1], [3, 4, -1, -1, -1])
    # rows: three sentences, then the pairs (0, 1) and (1, 2); two flags as columns
    scores = np.array([[0.9, 0.2], [0.1, 0.8], [0.2, 0.1], [0.3, 0.6], [0.1, 0.9]])
    capped = in_context(scores, before, after, 0.5)
    # the geometric mean of the sentence's score and of its best pair's, when that is lower
    assert capped[:, 0] == pytest.approx([(0.9 * 0.3) ** 0.5, 0.1, (0.2 * 0.1) ** 0.5, 0.3, 0.1])
    assert capped[:, 1] == pytest.approx([0.2, 0.8, 0.1, 0.6, 0.9])
    # a smaller temper pulls less: the shipped one is the trained one
    mild = in_context(scores, before, after, 0.1)
    assert mild[:, 0] == pytest.approx([0.9**0.9 * 0.3**0.1, 0.1, 0.2**0.9 * 0.1**0.1, 0.3, 0.1])
    np.testing.assert_array_equal(in_context(scores, before, after, 0.0), scores)
    one = np.array([[0.9]])
    assert in_context(one, *holding_pairs(units("I'm a guru.")[1]), 0.5).tolist() == [[0.9]]
    assert 0 < SIGNALS.temper < 0.5 and SIGNALS.context_reach == 1


def test_dealbreakers_need_a_higher_precision_floor_and_the_thresholds_reach_it() -> None:
    """The floor comes from the flag's severity unless the flag sets its own; each shipped
    threshold reaches its floor on the grouped cross-validation recorded at training."""
    from app.signals.loader import read_document

    path = SIGNALS_DIR / "social-media-screen.yaml"
    document, rubric = read_document(path, RUBRICS)
    severities = {f: rubric.flags_by_id[f].severity for f in document.flags}
    floors = document.floors(severities)
    assert {floors[f] for f, s in severities.items() if s == "dealbreaker"} == {0.95}
    assert {floors[f] for f, s in severities.items() if s == "warning"} == {0.9}
    own = document.model_copy(
        update={
            "flags": {
                **document.flags,
                "one_true_way": document.flags["one_true_way"].model_copy(
                    update={"min_precision": 0.99}
                ),
            }
        }
    )
    assert own.floors(severities)["one_true_way"] == 0.99
    betas = document.betas(severities)
    assert {betas[f] for f, s in severities.items() if s == "dealbreaker"} == {0.15}
    assert {betas[f] for f, s in severities.items() if s == "warning"} == {0.75}
    report = json.loads((SIGNALS_DIR / "social-media-screen.weights.json").read_text())["report"]
    for flag, figures in report["flags"].items():
        assert figures["min_precision"] == floors[flag]
        assert figures["beta"] == betas[flag]
        counts = figures["cross_validation"]
        assert counts["tp"] > 0, flag
        assert counts["tp"] / (counts["tp"] + counts["fp"]) >= floors[flag], flag


def test_a_floor_missing_for_a_severity_stops_start_up(tmp_path: Path) -> None:
    criteria = _criteria_copy(tmp_path)
    path = criteria / "signals" / "social-media-screen.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "min_precision: {dealbreaker: 0.95, warning: 0.9}", "min_precision: {dealbreaker: 0.95}"
        ),
        encoding="utf-8",
    )
    with pytest.raises(RubricError) as raised:
        load_all(criteria, load_rubrics(criteria))
    assert "social-media-screen.yaml: min_precision" in str(raised.value)
    assert "missing ['warning']" in str(raised.value)


def test_a_beta_missing_for_a_severity_stops_start_up(tmp_path: Path) -> None:
    criteria = _criteria_copy(tmp_path)
    path = criteria / "signals" / "social-media-screen.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("beta: {dealbreaker: 0.15, warning: 0.75}", "beta: {warning: 0.75}"),
        encoding="utf-8",
    )
    with pytest.raises(RubricError) as raised:
        load_all(criteria, load_rubrics(criteria))
    assert "social-media-screen.yaml: beta" in str(raised.value)
    assert "missing ['dealbreaker']" in str(raised.value)


def test_a_smaller_beta_never_lowers_the_threshold() -> None:
    """Precision first: with a smaller beta, the chosen threshold fires on no more statements."""
    from app.signals.train import choose_threshold

    rng = np.random.default_rng(0)
    truth = rng.random(400) < 0.3
    scores = np.clip(rng.normal(0.35, 0.2, 400) + 0.3 * truth, 0, 1)
    thresholds = [choose_threshold(scores, truth, 0.6, beta) for beta in (2.0, 1.0, 0.5, 0.25)]
    assert thresholds == sorted(thresholds)
    assert thresholds[0] < thresholds[-1]


# Sentences that say nothing of any flag, some full of the words a stance reader reacts to
# (first person, denials, someone else speaking, the past, a hypothetical, a contrast).
NEUTRAL = {
    "fr": [
        "Je suis disponible à partir de mars.",
        "Mon manager disait toujours que le lundi, on ne fait pas de réunion.",
        "Au début, je n'aimais pas les tableurs, mais je m'y suis fait.",
        "Si j'avais le choix, je travaillerais avec deux écrans.",
    ],
    "en": [
        "I'm available from March.",
        "My manager never books meetings on Mondays, and I don't either.",
        "I used to hate spreadsheets, but I got used to them.",
        "If I could choose, I'd work with two screens.",
    ],
}


def test_a_neutral_sentence_added_to_an_answer_rarely_moves_its_suggestions() -> None:
    """A neutral sentence put before or after an answer should not make it lose or gain a flag.
    Before the eighth version's code, about one answer in seven of this sample moved
    (criteria/signals/EVALUATION.md, "Eighth version")."""
    answers = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines()][::3]
    texts = [a["text"] for a in answers]
    combined = [
        (a, t)
        for a, answer in enumerate(answers)
        for sentence in NEUTRAL[answer["language"]]
        for t in (f"{sentence} {answer['text']}", f"{answer['text']} {sentence}")
    ]
    found = [
        {s.flag_id for s in f} for _, f in detect_many(SIGNALS, texts + [t for _, t in combined])
    ]
    base, rest = found[: len(texts)], found[len(texts) :]
    assert sum(bool(f) for f in base) >= 10  # answers with flags to lose
    moved = sum(1 for (a, _), f in zip(combined, rest, strict=True) if f != base[a])
    assert moved <= 0.03 * len(combined), f"{moved} of {len(combined)} answers moved"
