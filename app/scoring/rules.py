"""The rules that turn ratings and flags into a recommendation, by version.

A verdict records the version of the rules that made it, and is always replayed by that version:
changing the rules never rewrites a stored verdict. `rescore` is the explicit move to the current
rules. Add a version, never edit one.

Version 1 (verdicts made before version 2 existed):
1. Score: each rated criterion's rating is placed on 0–1 across the scale, weighted, and averaged
   over the weight that was rated; times 100. Each warning flag takes `penalty` points off.
2. The score falls in a band set by `thresholds`; any warning caps it at `warning_effect.cap`; a
   core criterion under `weak_core.rating_below` caps it at `weak_core.cap`.
3. A core criterion unrated (or nothing rated) makes the verdict `incomplete`.
4. A dealbreaker flag makes it `no_hire`.

Version 2 adds to version 1:
- An anchor may imply a red flag (`implies`): rating the criterion at that level raises the flag,
  and the reason says it came from the rating.
- Warnings accumulate: from `accumulate[i].at_least` warnings on, the cap is `accumulate[i].cap`.
- Missing evidence is not good news: a criterion unrated or "not observed" may take any rating.
  A recommendation is given only when every possible rating of those criteria leads to the same
  one; otherwise the verdict is `incomplete`, with the recommendations still possible and the
  criteria that would settle it.
- A raised flag that contradicts a rating (see `Rubric.contradicting_levels`) is listed; it does
  not move the recommendation, but submitting needs the interviewer's note on the criterion.
"""

import hashlib
from collections.abc import Callable, Iterable, Mapping, MutableMapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from operator import getitem
from typing import Final, Literal, cast

from app.rubric.model import Rubric, RubricCriterion
from app.rubric.schemas import RANKED_RECOMMENDATIONS, RankedRecommendation, Recommendation, RedFlag

RulesVersion = Literal[1, 2]
CURRENT_RULES: Final[RulesVersion] = 2
RULES_VERSIONS: Final[tuple[RulesVersion, ...]] = (1, 2)
NOT_OBSERVED: Final = "not_observed"

# A criterion's answer: a rating on the scale, "not observed", or absent (unrated).
Rating = int | Literal["not_observed"]


@dataclass(frozen=True)
class Contradicted:
    """A flag raised (or implied) while a criterion is rated at a level that contradicts it."""

    flag: str
    criterion: str
    rating: int


@dataclass(frozen=True)
class Decision:
    """The arithmetic of a verdict, before any sentence is written.

    What the recommendation rests on is worked out when the decision is made; what only an
    explanation names (the criteria rated, the flags that counted, ...) is worked out from the
    ratings and flags the first time it is read, and kept (a verdict read for its
    recommendation alone never needs it)."""

    rules_version: RulesVersion
    base: float
    rated_weight: float
    score: float
    coverage: float
    recommendation: Recommendation
    possible: tuple[RankedRecommendation, ...]
    settle: tuple[str, ...]
    implied: dict[str, list[str]]  # flag id -> criterion ids whose rating implied it
    rubric: Rubric = field(repr=False, compare=False)
    ratings: Mapping[str, int] = field(repr=False)  # the numeric ratings
    flags: AbstractSet[str] = field(repr=False)  # every flag counted (rules 2: implied too)

    @cached_property
    def band(self) -> RankedRecommendation:
        """The band the score falls in."""
        return band(self.rubric, self.score)

    @cached_property
    def rated(self) -> list[RubricCriterion]:
        """The criteria rated with a number, in rubric order."""
        return [c for c in self.rubric.criteria if c.id in self.ratings]

    @cached_property
    def missing_core(self) -> list[RubricCriterion]:
        """The core criteria without a numeric rating."""
        return [c for c in self.rubric.criteria if c.group == "core" and c.id not in self.ratings]

    @cached_property
    def weak_core(self) -> list[RubricCriterion]:
        """The core criteria rated under `weak_core.rating_below`."""
        below = self.rubric.weak_core.rating_below
        return [c for c in self.rated if c.group == "core" and self.ratings[c.id] < below]

    @cached_property
    def warnings(self) -> list[RedFlag]:
        """The warning flags counted, in rubric order."""
        return [f for f in self.rubric.flags if f.id in self.flags and f.severity == "warning"]

    @cached_property
    def dealbreakers(self) -> list[RedFlag]:
        """The dealbreaker flags counted, in rubric order."""
        return [f for f in self.rubric.flags if f.id in self.flags and f.severity == "dealbreaker"]

    @cached_property
    def warning_cap(self) -> RankedRecommendation | None:
        """The highest recommendation the warnings leave (None without a warning)."""
        if self.rules_version == 1:
            return self.rubric.warning_effect.cap if self.warnings else None
        return warning_cap(self.rubric, len(self.warnings))

    @cached_property
    def contradictions(self) -> list[Contradicted]:
        """The flags counted that contradict a rating (rules 2; none under rules 1)."""
        if self.rules_version == 1:
            return []
        return contradictions(self.rubric, self.ratings, sorted(self.flags))


def rank(recommendation: RankedRecommendation) -> int:
    """Position on the ranked scale, `no_hire` lowest."""
    return RANKED_RECOMMENDATIONS.index(recommendation)


def lower(a: RankedRecommendation, b: RankedRecommendation) -> RankedRecommendation:
    """The lower of two ranked recommendations."""
    return a if rank(a) <= rank(b) else b


def band(rubric: Rubric, score: float) -> RankedRecommendation:
    """The recommendation band a score falls in."""
    t = rubric.thresholds
    if score >= t.strong_hire:
        return "strong_hire"
    if score >= t.hire:
        return "hire"
    if score >= t.hold:
        return "hold"
    return "no_hire"


def numeric(ratings: Mapping[str, Rating | None]) -> dict[str, int]:
    """The ratings that are numbers (unrated and "not observed" left out)."""
    if set(map(type, ratings.values())) <= _INT:  # every one a number: a plain copy
        return dict(ratings)  # type: ignore[arg-type]
    return {k: v for k, v in ratings.items() if isinstance(v, int)}


_INT: Final = {int}


def warning_cap(rubric: Rubric, count: int) -> RankedRecommendation | None:
    """The highest recommendation `count` warning flags leave (None when there is none)."""
    if count == 0:
        return None
    cap = rubric.warning_effect.cap
    for step in rubric.warning_effect.accumulate:
        if count >= step.at_least:
            cap = lower(cap, step.cap)
    return cap


def implied_flags(rubric: Rubric, ratings: Mapping[str, int]) -> dict[str, list[str]]:
    """Flag id -> the criteria whose rating implies it (rules version 2)."""
    found: dict[str, list[str]] = {}
    for criterion_id, levels in rubric.implied.items():
        rating = ratings.get(criterion_id)
        if rating is not None and rating in levels:
            found.setdefault(levels[rating], []).append(criterion_id)
    return found


def contradictions(
    rubric: Rubric, ratings: Mapping[str, int], flags: Iterable[str]
) -> list[Contradicted]:
    """Flags (raised or implied) that contradict the ratings given with them."""
    found = []
    by_flag = _table(rubric).contradicting
    for flag_id in flags:
        for criterion_id, levels in by_flag.get(flag_id, ()):
            rating = ratings.get(criterion_id)
            if rating is not None and rating in levels:
                found.append(Contradicted(flag_id, criterion_id, rating))
    return found


def _recommendation(
    rubric: Rubric, score: float, warnings: int, weak: bool, dealbreaker: bool
) -> RankedRecommendation:
    """Rules 2: the ranked recommendation of a fully rated assessment."""
    if dealbreaker:
        return "no_hire"
    ranked = band(rubric, score)
    cap = warning_cap(rubric, warnings)
    if cap is not None:
        ranked = lower(ranked, cap)
    if weak:
        ranked = lower(ranked, rubric.weak_core.cap)
    return ranked


def _score(rubric: Rubric, weighted: float, weight: float, warnings: int) -> tuple[float, float]:
    base = 100.0 * weighted / weight if weight else 0.0
    return base, round(max(0.0, base - rubric.warning_effect.penalty * warnings), 1)


def _share(rubric: Rubric, criterion: RubricCriterion, rating: int) -> float:
    span = rubric.scale.max - rubric.scale.min
    return criterion.weight * (rating - rubric.scale.min) / span


_KEY = 10**9  # weighted sums are kept as integers (1e-9 precision) so equal sums merge


def _reachable(
    rubric: Rubric,
    known: Mapping[str, int],
    unknown: Sequence[RubricCriterion],
    raised: frozenset[str],
) -> set[RankedRecommendation]:
    """Every recommendation some rating of the `unknown` criteria leads to (exact, by DP).

    A state is a partial completion: (weighted sum as an integer, so that equal sums merge; the
    flags raised or implied so far; whether a weak core rating was seen). A branch that implies a
    dealbreaker ends at no_hire, whatever the rest.
    """
    by_id = rubric.flags_by_id
    below = rubric.weak_core.rating_below
    flags = raised | frozenset(implied_flags(rubric, known))
    if any(by_id[f].severity == "dealbreaker" for f in flags):
        return {"no_hire"}
    states = {
        (
            round(
                sum(_share(rubric, rubric.criteria_by_id[k], v) for k, v in known.items()) * _KEY
            ),
            flags,
            any(rubric.criteria_by_id[k].group == "core" and v < below for k, v in known.items()),
        )
    }
    found: set[RankedRecommendation] = set()
    for criterion in unknown:
        implied = rubric.implied.get(criterion.id, {})
        steps = []
        for level in rubric.levels:
            flag = implied.get(level)
            if flag is not None and by_id[flag].severity == "dealbreaker":
                found.add("no_hire")
                continue
            steps.append(
                (
                    round(_share(rubric, criterion, level) * _KEY),
                    flag,
                    criterion.group == "core" and level < below,
                )
            )
        states = {
            (total + add, seen | {flag} if flag else seen, weak or is_weak)
            for total, seen, weak in states
            for add, flag, is_weak in steps
        }
    for total, flags, weak in states:
        warnings = sum(1 for f in flags if by_id[f].severity == "warning")
        _, score = _score(rubric, total / _KEY, rubric.total_weight, warnings)
        found.add(_recommendation(rubric, score, warnings, weak, False))
    return found


def _ordered(found: Iterable[RankedRecommendation]) -> tuple[RankedRecommendation, ...]:
    return tuple(sorted(set(found), key=rank))


# What the walks of rules 2 found (the recommendations still possible, the criteria that would
# settle them), by `walk_key`: the costly part of a verdict, stored when a verdict changes and
# looked up when it is read (app/verdicts keeps the panel's, see PanelWalk).
Walk = tuple[tuple[RankedRecommendation, ...], tuple[str, ...]]
Walks = MutableMapping[str, Walk]


@dataclass(frozen=True)
class _Table:
    """A rubric's arithmetic laid out for the walks of rules 2 (built once per rubric).

    The walks hold an assessment as a list of levels in rubric order (`ids`), so each criterion
    is found by its position."""

    ids: tuple[str, ...]
    position: dict[str, int]
    shares: tuple[dict[int, float], ...]  # by position: level -> share
    weights: tuple[float, ...]  # by position
    implied: tuple[tuple[int, dict[int, str]], ...]  # (position, level -> flag implied)
    core: tuple[int, ...]  # positions of the core criteria
    warning: frozenset[str]
    dealbreaker: frozenset[str]
    # flag id -> (criterion id, the ratings contradicting the flag), in rubric order
    contradicting: dict[str, tuple[tuple[str, frozenset[int]], ...]]


@lru_cache(maxsize=64)
def _table(rubric: Rubric) -> _Table:
    ids = tuple(c.id for c in rubric.criteria)
    position = {criterion_id: i for i, criterion_id in enumerate(ids)}
    return _Table(
        ids=ids,
        position=position,
        shares=tuple(
            {level: _share(rubric, c, level) for level in rubric.levels} for c in rubric.criteria
        ),
        weights=tuple(c.weight for c in rubric.criteria),
        implied=tuple((position[k], levels) for k, levels in rubric.implied.items()),
        core=tuple(i for i, c in enumerate(rubric.criteria) if c.group == "core"),
        warning=frozenset(f.id for f in rubric.flags if f.severity == "warning"),
        dealbreaker=frozenset(f.id for f in rubric.flags if f.severity == "dealbreaker"),
        contradicting={
            f.id: tuple(
                (c.id, levels)
                for c in rubric.criteria
                if (levels := rubric.contradicting_levels.get((f.id, c.id)))
            )
            for f in rubric.flags
        },
    )


_NO_HIRE: Final = 0  # rank("no_hire")


@lru_cache(maxsize=256)
def _outcomes(
    rubric: Rubric, raised: frozenset[str], varying: frozenset[int] | None = None
) -> Callable[[Sequence[int]], int]:
    """Rules 2 on a fully rated assessment, as a function of its levels (in rubric order, see
    `_Table`): the rank of its recommendation.

    `varying`: when only the levels at these positions change from call to call, the flags the
    other levels imply are counted in `raised` by the caller, and only these positions' are
    looked at.

    What the rubric and the raised flags fix is worked out once (the walks below call it a
    hundred times a verdict, and the function is kept for the next walks with the same rubric
    and flags: it holds nothing else): an implied flag already raised changes nothing, so only the
    others are looked at, each known as a dealbreaker or a warning (or neither). The arithmetic
    is `_score`'s and `_recommendation`'s, in the same order (the weighted sum is added up in
    rubric order), so that it gives the same results to the bit."""
    table = _table(rubric)
    shares, core = table.shares, table.core
    warning, dealbreaker = table.warning, table.dealbreaker
    below, penalty = rubric.weak_core.rating_below, rubric.warning_effect.penalty
    total, weak_cap = rubric.total_weight, rank(rubric.weak_core.cap)
    t = rubric.thresholds
    strong_hire, hire, hold = t.strong_hire, t.hire, t.hold
    if not raised.isdisjoint(dealbreaker):
        return lambda levels: _NO_HIRE
    raised_warnings = len(raised & warning)
    top = rank(RANKED_RECOMMENDATIONS[-1])
    caps = [top if (cap := warning_cap(rubric, n)) is None else rank(cap)
            for n in range(len(warning) + 1)]  # fmt: skip
    # (position, level -> the flag it implies, None for a dealbreaker); warnings are counted
    # once each, however many ratings imply them, and a flag of no severity counts for nothing.
    adds: list[tuple[int, dict[int, str | None]]] = []
    for i, by_level in table.implied:
        if varying is not None and i not in varying:
            continue
        effects = {
            level: None if flag in dealbreaker else flag
            for level, flag in by_level.items()
            if flag not in raised and (flag in dealbreaker or flag in warning)
        }
        if effects:
            adds.append((i, effects))
    no_flag = object()

    def outcome(levels: Sequence[int]) -> int:
        extra: set[str] | None = None
        for i, by_level in adds:
            flag = by_level.get(levels[i], no_flag)
            if flag is no_flag:
                continue
            if flag is None:
                return _NO_HIRE
            if extra is None:
                extra = {flag}  # type: ignore[arg-type]
            else:
                extra.add(flag)  # type: ignore[arg-type]
        warnings = raised_warnings if extra is None else raised_warnings + len(extra)
        weighted = sum(map(getitem, shares, levels))
        base = 100.0 * weighted / total  # a rubric has a criterion, and weights are positive
        score = round(max(0.0, base - penalty * warnings), 1)
        ranked = 3 if score >= strong_hire else 2 if score >= hire else 1 if score >= hold else 0
        ranked = min(ranked, caps[warnings])
        if ranked > weak_cap:
            for i in core:
                if levels[i] < below:
                    return weak_cap
        return ranked

    return outcome


def _walk(
    rubric: Rubric,
    known: Mapping[str, int],
    unknown: Sequence[RubricCriterion],
    raised: frozenset[str],
) -> Walk:
    """The recommendations some rating of the `unknown` criteria leads to, and the unknown
    criteria whose answer changes the recommendation (core and heaviest first).

    Raising a rating never lowers the recommendation, so every outcome lies between the one with
    every unknown criterion at the bottom and the one with all of them at the top. A walk from
    the first to the second, one step at a time, usually meets every value in between; any value
    it skipped is looked for exhaustively (_reachable).

    A criterion settles the verdict when some pair of ratings that differ only in it, by one
    step, leads to different outcomes: each one listed matters. The pairs tried are around the
    points of the walk where the outcome changes, and at both ends.
    """
    table = _table(rubric)
    low, high = rubric.scale.min, rubric.scale.max
    # The known levels never move: the flags they imply are counted once, with the raised ones.
    outcome_of = _outcomes(
        rubric,
        raised.union(implied_flags(rubric, known)),
        frozenset(table.position[c.id] for c in unknown),
    )
    levels = [known.get(criterion_id, low) for criterion_id in table.ids]
    steps = [table.position[c.id] for c in unknown]
    outcome = outcome_of(levels)
    found = {outcome}
    points = [(levels.copy(), outcome)]
    for _ in range(high - low):
        for i in steps:
            levels[i] += 1
            now = outcome_of(levels)
            if now != outcome:
                found.add(now)
                point = levels.copy()
                point[i] -= 1
                points.append((point, outcome))
                outcome = now
    points.append((levels, outcome))
    lowest, highest = min(found), max(found)
    skipped = [r for r in RANKED_RECOMMENDATIONS[lowest : highest + 1] if rank(r) not in found]
    possible = {RANKED_RECOMMENDATIONS[r] for r in found}
    if skipped:
        possible |= _reachable(rubric, known, unknown, raised) & set(skipped)
    if len(possible) < 2:
        return _ordered(possible), ()
    ordered = sorted(unknown, key=lambda c: (c.group != "core", -c.weight))
    deciding: set[str] = set()
    for point, here in points:
        for criterion in ordered:
            if criterion.id in deciding:
                continue
            i = table.position[criterion.id]
            level = point[i]
            for moved in (level - 1, level + 1):
                if low <= moved <= high:
                    point[i] = moved
                    differs = outcome_of(point) != here
                    point[i] = level
                    if differs:
                        deciding.add(criterion.id)
                        break
    return _ordered(possible), tuple(c.id for c in ordered if c.id in deciding)


def walk_key(rubric: Rubric, ratings: Mapping[str, int], flags: Iterable[str]) -> str:
    """What the walks depend on: the rubric version, the numeric ratings and every flag counted
    (raised or implied by a rating). Equal keys, equal walks."""
    known = ",".join(f"{k}={v}" for k, v in sorted(ratings.items()))
    text = f"{rubric.id}@{rubric.version}|{known}|{','.join(sorted(flags))}"
    return hashlib.sha256(text.encode()).hexdigest()


def decide(
    rubric: Rubric,
    ratings: Mapping[str, Rating | None],
    raised: Iterable[str],
    rules_version: RulesVersion = CURRENT_RULES,
    walks: Walks | None = None,
) -> Decision:
    """Apply the rules of `rules_version` to validated ratings and raised flag ids.

    `walks` holds walks already made (rules 2): one found there is not made again, one made is
    added to it."""
    if rules_version == 1:
        return _decide_v1(rubric, numeric(ratings), set(raised))
    return _decide_v2(rubric, numeric(ratings), set(raised), walks)


def _tally(
    rubric: Rubric, table: _Table, ratings: Mapping[str, int], flags: AbstractSet[str]
) -> tuple[list[int | None], float, float, int]:
    """The ratings as levels in rubric order (None: no number), the sum of the rated criteria's
    shares and the weight rated (both added up in rubric order, each share as `_share` makes
    it), and how many of `flags` are warnings."""
    levels = list(map(ratings.get, table.ids))
    warnings = len(table.warning.intersection(flags))
    if None not in levels:  # every criterion rated: the same sums over every criterion
        weighted = sum(map(getitem, table.shares, cast("list[int]", levels)))
        return levels, weighted, rubric.total_weight, warnings
    weighted = sum([s[lv] for s, lv in zip(table.shares, levels, strict=True) if lv is not None])
    weight = sum([w for w, lv in zip(table.weights, levels, strict=True) if lv is not None])
    return levels, weighted, weight, warnings


def _weak(rubric: Rubric, table: _Table, levels: Sequence[int | None]) -> bool:
    """Whether a core criterion is rated under `weak_core.rating_below` (levels as `_tally`'s)."""
    below = rubric.weak_core.rating_below
    return any((lv := levels[i]) is not None and lv < below for i in table.core)


def _decide_v1(rubric: Rubric, ratings: Mapping[str, int], raised: set[str]) -> Decision:
    table = _table(rubric)
    levels, weighted, rated_weight, warnings = _tally(rubric, table, ratings, raised)
    base, score = _score(rubric, weighted, rated_weight, warnings)
    ranked = band(rubric, score)
    if warnings:
        ranked = lower(ranked, rubric.warning_effect.cap)
    if _weak(rubric, table, levels):
        ranked = lower(ranked, rubric.weak_core.cap)
    missing_core = tuple(table.ids[i] for i in table.core if levels[i] is None)
    recommendation: Recommendation = ranked
    if missing_core or levels.count(None) == len(levels):  # nothing rated
        recommendation = "incomplete"
    if not table.dealbreaker.isdisjoint(raised):
        recommendation = "no_hire"
    possible: tuple[RankedRecommendation, ...] = ()
    if recommendation != "incomplete":
        possible = (recommendation,)
    return Decision(
        rules_version=1,
        base=base,
        rated_weight=rated_weight,
        score=score,
        coverage=round(rated_weight / rubric.total_weight, 4),
        recommendation=recommendation,
        possible=possible,
        settle=missing_core,
        implied={},
        rubric=rubric,
        ratings=ratings,
        flags=raised,
    )


def _decide_v2(
    rubric: Rubric, ratings: Mapping[str, int], raised: set[str], walks: Walks | None = None
) -> Decision:
    table = _table(rubric)
    implied = implied_flags(rubric, ratings)
    every = raised.union(implied) if implied else raised
    levels, weighted, rated_weight, warnings = _tally(rubric, table, ratings, every)
    base, score = _score(rubric, weighted, rated_weight, warnings)
    settle: tuple[str, ...] = ()
    if None in levels:
        unknown = [c for c, lv in zip(rubric.criteria, levels, strict=True) if lv is None]
        # The walks see the flags implied by the known ratings either way (each outcome adds
        # them), so the key counts every flag and a panel finds a scorecard's walk.
        key = walk_key(rubric, ratings, every) if walks is not None else ""
        if walks is not None and key in walks:
            possible, settle = walks[key]
        else:
            possible, settle = _walk(rubric, ratings, unknown, frozenset(raised))
            if walks is not None:
                walks[key] = (possible, settle)
    else:
        weak, dealbreaker = _weak(rubric, table, levels), not table.dealbreaker.isdisjoint(every)
        possible = (_recommendation(rubric, score, warnings, weak, dealbreaker),)
    recommendation: Recommendation = possible[0] if len(possible) == 1 else "incomplete"
    return Decision(
        rules_version=2,
        base=base,
        rated_weight=rated_weight,
        score=score,
        coverage=round(rated_weight / rubric.total_weight, 4),
        recommendation=recommendation,
        possible=possible,
        settle=settle,
        implied=implied,
        rubric=rubric,
        ratings=ratings,
        flags=every,
    )
