"""Does adding one sentence to an answer move the detector's suggestions?

    OMP_NUM_THREADS=1 python tests/signals/measure_invariance.py FILE [--job-talk]

FILE: tests/signals/disclosures-2.jsonl, for instance.

Each sentence of the file (`private: true` ones, or with --job-talk the `private: false` ones) is
added before and after every third answer of the development set in its language. An answer
"moves" when a flag appears that neither the answer nor the added sentence suggests alone, or one
of the answer's own flags vanishes. Printed with and without the protected-disclosure set-aside
(criteria/signals/EVALUATION.md, "Protected disclosures"). Takes minutes: it embeds every pair.
"""

import argparse
import json
from dataclasses import replace
from pathlib import Path

from app.core.config import shipped_criteria_dir
from app.rubric import load_rubrics
from app.signals.detector import detect_many
from app.signals.loader import load_all

DEV = Path(__file__).with_name("statements-dev.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--job-talk", action="store_true")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.file.read_text(encoding="utf-8").splitlines()]
    added = [r for r in rows if r["private"] is not args.job_talk]
    dev = [json.loads(line) for line in DEV.read_text(encoding="utf-8").splitlines()][::3]
    signals = load_all(shipped_criteria_dir(), load_rubrics(shipped_criteria_dir()))
    shipped = signals["social-media-screen"]
    texts = [r["text"] for r in added]
    pairs: list[tuple[int, int]] = []  # (answer, added sentence) per combined text
    for a, answer in enumerate(dev):
        texts.append(answer["text"])
        for s, sentence in enumerate(added):
            if sentence["language"] == answer["language"]:
                texts += [
                    f"{sentence['text']} {answer['text']}",
                    f"{answer['text']} {sentence['text']}",
                ]
                pairs += [(a, s), (a, s)]
    for name, detector in (("without the set-aside", replace(shipped, disclosures=None)),
                           ("with the set-aside", shipped)):  # fmt: skip
        found = [{s.flag_id for s in f} for _, f in detect_many(detector, texts)]
        alone, rest = found[: len(added)], found[len(added) :]
        # after the added sentences alone: each answer, then its combined texts
        bases: list[set[str]] = []
        combined: list[set[str]] = []
        i = 0
        for answer in dev:
            bases.append(rest[i])
            i += 1
            n = 2 * sum(1 for s in added if s["language"] == answer["language"])
            combined += rest[i : i + n]
            i += n
        moved = sum(
            1
            for (a, s), flags in zip(pairs, combined, strict=True)
            if (flags - (bases[a] | alone[s])) or (bases[a] - flags)
        )
        speaking = sum(1 for f in alone if f)
        print(
            f"{name}: {moved}/{len(pairs)} answers move ({moved / len(pairs):.3f}); "
            f"{speaking}/{len(added)} added sentences suggest a flag alone"
        )


if __name__ == "__main__":
    main()
