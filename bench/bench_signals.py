"""Time the red-flag detector on one five-sentence answer and on a six-answer self-screen,
against the naive keyword matcher in the same run, and the process memory with the model loaded.

The learned detector is timed cold (its sentence memory emptied before each call, as for an
answer never seen) and warm (the same answer again, as when an interviewer reopens the form).
Run with `make bench`.
"""

import platform
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.core.config import shipped_criteria_dir
from app.rubric import load_rubrics
from app.signals.detector import detect, detect_keywords, detect_many
from app.signals.encoder import shared_encoder
from app.signals.loader import load_all

ANSWER = (
    "Dans mon dernier poste, je gérais l'Instagram d'une librairie. "
    "On publiait trois fois par semaine, surtout des coups de cœur des libraires. "
    "Un client voulait acheter des abonnés, je l'en ai dissuadé. "
    "Pour mesurer, on suivait les réservations venues de nos liens. "
    "Honnêtement, je ne suis pas experte, j'apprends encore chaque mois."
)
SELF_SCREEN = [
    "I'd set a goal with the team first, then track sign-ups from our links every month. "
    "Page views are in the report, but last.",
    "Forums since 2004, then a blog, now LinkedIn and a Discord I moderate. "
    "I go where our members are.",
    "Old Spice, sure, but also the Guardian's open journalism and a library's reading "
    "challenge on TikTok.",
    "I used to think long posts worked everywhere. Our younger members proved me wrong.",
    "I read every comment and bring recurring questions to the product team. "
    "A member once told us our posts felt like ads; we cut promotion to one post in five.",
    "Influence is when people act: they come to the event, they recommend you. "
    "I have 40k followers myself, which proves I know how to do this.",
]
ROUNDS = 7


def median_ms(call: Callable[[], object], before: Callable[[], None] = lambda: None) -> float:
    runs = []
    for _ in range(ROUNDS):
        before()
        start = time.perf_counter()
        call()
        runs.append((time.perf_counter() - start) * 1e3)
    return statistics.median(runs)


def rss_mb() -> float:
    """Resident memory now, in MB (Linux /proc), else the peak."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    before_model = rss_mb()
    criteria = shipped_criteria_dir()
    signals = load_all(criteria, load_rubrics(criteria))["social-media-screen"]
    encoder = shared_encoder()
    encoder.load()
    detect(signals, "Warm-up sentence.", "en")
    with_model = rss_mb()
    cold = encoder.forget
    results = {
        "keyword matcher, one answer (baseline)": median_ms(
            lambda: detect_keywords(signals, ANSWER, None)
        ),
        "learned, one 5-sentence answer, cold": median_ms(
            lambda: detect(signals, ANSWER, None), cold
        ),
        "learned, one 5-sentence answer, warm": median_ms(lambda: detect(signals, ANSWER, None)),
        "keyword matcher, six-answer self-screen": median_ms(
            lambda: [detect_keywords(signals, a, None) for a in SELF_SCREEN]
        ),
        "learned, six-answer self-screen, one call per answer, cold": median_ms(
            lambda: [detect(signals, a, None) for a in SELF_SCREEN], cold
        ),
        "learned, six-answer self-screen, one batch, cold": median_ms(
            lambda: detect_many(signals, SELF_SCREEN), cold
        ),
    }
    base = results["keyword matcher, one answer (baseline)"]
    print(
        f"# red-flag detector benchmark, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()}; median of {ROUNDS} rounds"
    )
    for name, value in results.items():
        print(f"{name:<60} {value:10.2f} ms {value / base:10.0f} x baseline")
    print(
        f"process memory (RSS): {before_model:.0f} MB before the detector, "
        f"{with_model:.0f} MB with the model loaded "
        f"({with_model / before_model:.1f} x; +{with_model - before_model:.0f} MB)"
    )


if __name__ == "__main__":
    main()
