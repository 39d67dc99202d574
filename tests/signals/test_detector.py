"""The red-flag detector: claims against denials, counts, quotes, and scores on labelled sets."""

import subprocess
import sys
from pathlib import Path

import pytest

from app.core.config import shipped_criteria_dir
from app.rubric import RubricError, load_rubrics
from app.signals.detector import detect, detect_language
from app.signals.loader import load_all
from app.signals.model import Signals

ROOT = Path(__file__).resolve().parents[2]
# A copy of ../shared/data/statements-dev.jsonl, so that a clean clone has it.
DEV_SET = ROOT / "tests" / "signals" / "statements-dev.jsonl"
RUBRICS = load_rubrics(shipped_criteria_dir())
SIGNALS: Signals = load_all(shipped_criteria_dir(), RUBRICS)["social-media-screen"]


def flags(text: str, language: str | None = None) -> set[str]:
    return {s.flag_id for s in detect(SIGNALS, text, language)[1]}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("claim", "denial", "flag"),
    [
        (
            "I'm a social media expert.",
            "Nobody is an expert, I keep learning.",
            "self_proclaimed_expert",
        ),
        (
            "J'achète des abonnés pour lancer une page.",
            "Je n'ai jamais acheté d'abonnés.",
            "fake_engagement",
        ),
        ("We buy followers to look credible.", "We never buy followers.", "fake_engagement"),
        (
            "I send an automatic DM to new followers.",
            "I turned off automatic DMs long ago.",
            "constant_marketer",
        ),
        (
            "Ma méthode marche pour toutes les entreprises.",
            "Aucune méthode ne marche pour toutes les entreprises.",
            "one_true_way",
        ),
        (
            "I have 40k followers, that proves it.",
            "Follower counts prove little to me.",
            "followers_as_proof",
        ),
        (
            "Mes 12 000 abonnés le prouvent.",
            "Mes 12 000 abonnés ne prouvent rien.",
            "followers_as_proof",
        ),
    ],
)
def test_a_claim_is_flagged_and_its_denial_is_not(claim: str, denial: str, flag: str) -> None:
    assert flag in flags(claim)
    assert flag not in flags(denial)


@pytest.mark.parametrize(
    ("written", "flagged"),
    [
        ("40k", True),
        ("40 K", True),
        ("40 000", True),
        ("40,000", True),
        ("40.000", True),
        ("40\u202f000", True),
        ("1,5 M", True),
        ("1.2M", True),
        ("12000", True),
        ("999", False),
        ("800", False),
        ("0,5k", False),
    ],
)
def test_counts_are_read_however_written(written: str, flagged: bool) -> None:
    assert ("followers_as_proof" in flags(f"I have {written} followers on Instagram.")) is flagged
    assert (
        "followers_as_proof" in flags(f"J'ai {written} abonnés sur Instagram.", "fr")
    ) is flagged


def test_quotes_point_into_the_text_and_explain_in_the_asked_language() -> None:
    text = "Bonjour. Expert en réseaux sociaux, j'ai 20 000 abonnés et je vous garantis le buzz."
    language, found = detect(SIGNALS, text, None, "en")
    assert language == "fr"
    assert {s.flag_id for s in found} == {
        "self_proclaimed_expert",
        "followers_as_proof",
        "quick_wins_only",
    }
    for suggestion in found:
        assert suggestion.explanation.isascii() or "’" in suggestion.explanation
        for evidence in suggestion.evidence:
            assert text[evidence.start : evidence.end] == evidence.quote


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


def _evaluate(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "flags", "evaluate", str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=60,
    )
    return done.stdout


def _overall(output: str) -> tuple[float, float, float]:
    line = next(x for x in output.splitlines() if x.startswith("overall (micro)"))
    precision, recall, f1, _support = line.split()[-4:]
    return float(precision), float(recall), float(f1)


@pytest.mark.parametrize("dataset", [DEV_SET, ROOT / "tests" / "signals" / "probe.jsonl"])
def test_scores_on_labelled_statements(dataset: Path) -> None:
    if not dataset.exists():
        pytest.fail(f"{dataset} is missing")
    output = _evaluate(dataset)
    precision, recall, f1 = _overall(output)
    assert precision >= 0.95 and recall >= 0.85 and f1 >= 0.9, output
    assert "exactly right:" in output


def _write(tmp_path: Path, body: str) -> Path:
    criteria = tmp_path / "criteria"
    (criteria / "signals").mkdir(parents=True)
    (criteria / "social-media-screen.yaml").write_text(
        (shipped_criteria_dir() / "social-media-screen.yaml").read_text()
    )
    (criteria / "signals" / "social-media-screen.yaml").write_text(body)
    return criteria


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        (
            "rubric: social-media-screen\nnegations: {en: [not]}\nflags:\n  vanity_metrics:\n"
            "    explanation: {en: x, fr: y}\n    cues: {en: ['(unclosed']}\n",
            "flags.vanity_metrics.cues.en[0]",
            "invalid regular expression",
        ),
        (
            "rubric: social-media-screen\nnegations: {en: [not]}\nflags:\n  no_such_flag:\n"
            "    explanation: {en: x, fr: y}\n",
            "flags.no_such_flag",
            "not a flag of the rubric",
        ),
        (
            "rubric: social-media-screen\nnegations: {en: [not]}\nflags:\n  vanity_metrics:\n"
            "    explanation: {en: x}\n",
            "flags.vanity_metrics.explanation.fr",
            "Field required",
        ),
    ],
)
def test_a_broken_cue_file_stops_start_up(
    tmp_path: Path, body: str, field: str, reason: str
) -> None:
    criteria = _write(tmp_path, body)
    with pytest.raises(RubricError) as raised:
        load_all(criteria, load_rubrics(criteria))
    message = str(raised.value)
    assert "signals/social-media-screen.yaml" in message and field in message and reason in message


def test_criteria_validate_checks_the_cue_file(tmp_path: Path) -> None:
    criteria = _write(
        tmp_path,
        (shipped_criteria_dir() / "signals" / "social-media-screen.yaml")
        .read_text()
        .replace("min_count: 1000", "min_count: lots"),
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
