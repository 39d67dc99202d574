"""Does adding one sentence to an answer move the detector's suggestions?

    OMP_NUM_THREADS=1 python tests/signals/measure_invariance.py ADDITIONS [--job-talk]
        [--answers FILE] [--answer-step N] [--addition-step M] [--criteria DIR] [--with-only]

ADDITIONS: single sentences, JSON Lines with "language" and "text". In a file of protected
disclosures (tests/signals/disclosures-2.jsonl, with a "private" field) the `private: true` ones
are taken, or with --job-talk the `private: false` ones; in any other file (the neutral additions
of tests/signals/additions8.jsonl) all of them.

Every M-th added sentence is put before and after every N-th answer of FILE (the development set
unless told) in its language. An answer "moves" when a flag appears that neither the answer nor
the added sentence suggests alone, or one of the answer's own flags vanishes. Printed with the
protected-disclosure set-aside, and without it unless --with-only (criteria/signals/EVALUATION.md,
"Protected disclosures" and "Held-out set 8"). Takes minutes: it embeds every combination.
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
# Texts per call: the neighbour vote compares every piece with every labelled piece at once, so
# thousands of texts in one call take gigabytes. Batches give the answers one call gives.
BATCH = 256


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", type=Path)
    parser.add_argument("--job-talk", action="store_true")
    parser.add_argument("--answers", type=Path, default=DEV)
    parser.add_argument("--answer-step", type=int, default=3)
    parser.add_argument("--addition-step", type=int, default=1)
    parser.add_argument("--criteria", type=Path, default=None)
    parser.add_argument("--with-only", action="store_true")
    args = parser.parse_args()
    rows = _rows(args.file)
    if all("private" in r for r in rows):
        rows = [r for r in rows if r["private"] is not args.job_talk]
    added = rows[:: args.addition_step]
    answers = _rows(args.answers)[:: args.answer_step]
    directory = args.criteria or shipped_criteria_dir()
    shipped = load_all(directory, load_rubrics(directory))["social-media-screen"]
    texts = [str(r["text"]) for r in added]
    pairs: list[tuple[int, int]] = []  # (answer, added sentence) per combined text
    for a, answer in enumerate(answers):
        texts.append(str(answer["text"]))
        for s, sentence in enumerate(added):
            if sentence["language"] == answer["language"]:
                texts += [
                    f"{sentence['text']} {answer['text']}",
                    f"{answer['text']} {sentence['text']}",
                ]
                pairs += [(a, s), (a, s)]
    variants = [("with the set-aside", shipped)]
    if not args.with_only:
        variants.insert(0, ("without the set-aside", replace(shipped, disclosures=None)))
    for name, detector in variants:
        found = [
            {s.flag_id for s in f}
            for start in range(0, len(texts), BATCH)
            for _, f in detect_many(detector, texts[start : start + BATCH])
        ]
        alone, rest = found[: len(added)], found[len(added) :]
        # after the added sentences alone: each answer, then its combined texts
        bases: list[set[str]] = []
        combined: list[set[str]] = []
        i = 0
        for answer in answers:
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
            f"{speaking}/{len(added)} added sentences suggest a flag alone; "
            f"{len(answers)} answers, {len(added)} added sentences"
        )


if __name__ == "__main__":
    main()
