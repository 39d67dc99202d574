"""Time the scoring engine on one assessment, against a plain weighted sum in the same run.

Prints medians in microseconds and their ratio. Run with `make bench`.
"""

import json
import platform
import statistics
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.config import shipped_criteria_dir
from app.rubric import load_rubrics
from app.scoring import Answers, PanelMember, combine, parse_answers, score

REPEAT, NUMBER = 15, 200


def median_us(statement: object) -> float:
    """Median time of one call, in µs, over REPEAT rounds of NUMBER calls."""
    runs = timeit.repeat(statement, repeat=REPEAT, number=NUMBER)  # type: ignore[arg-type]
    return statistics.median(runs) / NUMBER * 1e6


def main() -> None:
    rubric = load_rubrics(shipped_criteria_dir())["social-media-screen"]
    raw = {
        "ratings": {c.id: (i % 4) + 1 for i, c in enumerate(rubric.criteria)},
        "flags": [{"id": "vanity_metrics", "note": "page views only"}, {"id": "one_true_way"}],
        "notes": {"measures_impact": "tracks sign-ups against the goal"},
        "language": "fr",
    }
    answers = Answers.model_validate(raw)
    weights = {c.id: c.weight for c in rubric.criteria}
    ratings = {k: v for k, v in answers.ratings.items() if v is not None}
    low, span = rubric.scale.min, rubric.scale.max - rubric.scale.min

    def baseline() -> float:
        total = sum(weights[k] for k in ratings)
        return 100 * sum(weights[k] * (r - low) / span for k, r in ratings.items()) / total

    panel = [PanelMember(f"p{n}", answers) for n in range(3)]
    results = {
        "plain weighted sum (baseline)": median_us(baseline),
        "score(): engine on validated answers": median_us(lambda: score(rubric, answers)),
        "parse_answers() + score(): from raw JSON data": median_us(
            lambda: score(rubric, parse_answers(rubric, raw))
        ),
        "score() + JSON serialisation": median_us(lambda: score(rubric, answers).model_dump_json()),
        "combine(): panel of 3 with Krippendorff's alpha": median_us(
            lambda: combine(rubric, panel, "fr")
        ),
    }
    base = results["plain weighted sum (baseline)"]
    print(
        f"# scoring benchmark, {platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}; rubric {rubric.version}, {len(rubric.criteria)} criteria"
    )
    print(f"# median of {REPEAT} rounds x {NUMBER} calls")
    for name, value in results.items():
        print(f"{name:50s} {value:10.2f} µs   {value / base:8.1f} x baseline")
    print(json.dumps({k: round(v, 2) for k, v in results.items()}))


if __name__ == "__main__":
    main()
