"""The rubric's words ready for sentences, per language: built once per rubric version.

Quoting titles, formatting weights and writing the band sentence do not depend on the answers, so
they are prepared once and reused for every verdict of the same rubric version and language.

A verdict's reasons are kept as *values* in no language (JSON data) and rendered here: a value is
a plain string or number, or a one-key object naming what to write:

- `{"say": [key, {name: value}]}`: the sentence `key` of app/scoring/messages.py, filled with the
  values rendered;
- `{"title": id}` / `{"titles": [ids]}`: the quoted title(s) of criteria or flags;
- `{"label": r}` / `{"labels": [r]}`: quoted recommendation label(s) ("a, b or c");
- `{"number": x}` (1 decimal) / `{"number2": x}` (2 decimals) / `{"percent": share}`;
- `{"source": flag id}`: where the flag comes from; `{"by": [names]}`: " by Ana, Bruno";
- `{"band": r}`: the band sentence; `{"join": [separator, [values]]}`: values joined.
(A rated criterion's line is written by `criterion_line`, in its place among the reasons: see
app/scoring/verdict.py.)
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from app.core.i18n import Language, format_number, format_percent
from app.rubric.model import Rubric, RubricCriterion
from app.rubric.schemas import (
    RANKED_RECOMMENDATIONS,
    RankedRecommendation,
    Recommendation,
    RedFlag,
)
from app.scoring.messages import RECOMMENDATION_LABELS, quoted, say, templates

# A reason's text before it is written: see the module's docstring.
Value = Any


def phrase(key: str, **values: Value) -> dict[str, Any]:
    """The sentence `key` with its parameters, to render later in a language."""
    return {"say": [key, values]}


@dataclass(frozen=True)
class Phrases:
    """Prepared words of one rubric version in one language."""

    language: Language
    titles: dict[str, str]  # criterion or flag id -> quoted title
    plain_titles: dict[str, str]
    anchors: dict[str, dict[int, str]]
    weights: dict[str, str]
    sources: dict[str, str]  # flag id -> "seed, point"
    labels: dict[Recommendation, str]  # quoted labels
    band_text: dict[RankedRecommendation, str]
    penalty: str
    # (criterion id, rating) -> the criterion's line before and after its contribution
    criterion_lines: dict[tuple[str, int], tuple[str, str]]
    templates: Mapping[str, str]  # the sentences of app/scoring/messages.py in this language

    def criterion_line(self, criterion_id: str, rating: int, contribution: float) -> str:
        """'«Title»: 3/4 (weight 2, 12.5 points). Anchor text' (the `criterion` sentence)."""
        head, tail = self.criterion_lines[(criterion_id, rating)]
        return head + self.number(contribution) + tail

    def say(self, key: str, **values: object) -> str:
        """The sentence `key`, filled with `values`."""
        return say(self.language, key, **values)

    def number(self, value: float, decimals: int = 1) -> str:
        """A number as the reader writes it."""
        return format_number(value, self.language, decimals)

    def by(self, names: Sequence[str]) -> str:
        """' by Ana, Bruno' (or nothing for an anonymous single assessment)."""
        return self.say("by", names=", ".join(names)) if names else ""

    def list_titles(self, criteria: Iterable[RubricCriterion]) -> str:
        """Quoted titles, comma-separated."""
        return ", ".join(self.titles[c.id] for c in criteria)

    def list_ids(self, ids: Iterable[str]) -> str:
        """Quoted titles of criteria or flags given by id, comma-separated."""
        return ", ".join(self.titles[i] for i in ids)

    def list_labels(self, recommendations: Iterable[Recommendation]) -> str:
        """Quoted recommendation labels, in the order given, joined as the reader says it."""
        labels = [self.labels[r] for r in recommendations]
        if len(labels) < 2:
            return "".join(labels)
        return self.say("or", head=", ".join(labels[:-1]), last=labels[-1])

    def render(self, value: Value) -> str:
        """The text of `value` (see the module's docstring) in this language."""
        kind = value.__class__
        if kind is str:
            return value  # type: ignore[no-any-return]
        if kind is dict:
            ((tag, argument),) = value.items()
            return _RENDER[tag](self, argument)
        return str(value)

    def _say(self, argument: Any) -> str:
        key, values = argument
        render = self.render
        return self.templates[key].format_map({k: render(v) for k, v in values.items()})

    def _join(self, argument: Any) -> str:
        separator, values = argument
        render = self.render
        return str(separator).join([render(v) for v in values])


_RENDER: dict[str, Callable[[Phrases, Any], str]] = {
    "say": Phrases._say,
    "join": Phrases._join,
    "title": lambda p, a: p.titles[a],
    "titles": Phrases.list_ids,
    "label": lambda p, a: p.labels[a],
    "labels": Phrases.list_labels,
    "number": lambda p, a: p.number(a),
    "number2": lambda p, a: p.number(a, 2),
    "percent": lambda p, a: format_percent(a, p.language),
    "source": lambda p, a: p.sources[a],
    "by": Phrases.by,
    "band": lambda p, a: p.band_text[a],
}


def flag_source(rubric: Rubric, flag: RedFlag, language: Language) -> str:
    """Where a flag comes from, as a reader finds it: the text's title and point, or its basis."""
    if flag.source is None:
        return flag.basis.get(language) if flag.basis else ""
    title = rubric.seed_titles.get(flag.source.seed)
    name = (
        quoted(language, title.get(language))
        if title
        else say(language, "seed_number", number=flag.source.seed[:3])
    )
    return say(language, "source", seed=name, point=flag.source.point_in(language))


_SLOT = "\x00"  # where a criterion line's contribution goes


@lru_cache(maxsize=64)
def _build(rubric: Rubric, language: Language) -> Phrases:
    lang = language
    plain = {c.id: c.title.get(lang) for c in rubric.criteria}
    plain.update({f.id: f.title.get(lang) for f in rubric.flags})
    labels = {k: quoted(lang, v) for k, v in RECOMMENDATION_LABELS[lang].items()}
    t = rubric.thresholds
    cuts = {
        "strong_hire": format_number(t.strong_hire, lang),
        "hire": format_number(t.hire, lang),
        "hold": format_number(t.hold, lang),
    }
    titles = {k: quoted(lang, v) for k, v in plain.items()}
    anchors = {c.id: {lvl: a.get(lang) for lvl, a in c.anchors.items()} for c in rubric.criteria}
    weights = {c.id: format_number(c.weight, lang, 2) for c in rubric.criteria}
    lines: dict[tuple[str, int], tuple[str, str]] = {}
    for c in rubric.criteria:
        for level, anchor in anchors[c.id].items():
            text = say(lang, "criterion", title=titles[c.id], rating=level, max=rubric.scale.max,
                       weight=weights[c.id], contribution=_SLOT, anchor=anchor)  # fmt: skip
            head, tail = text.split(_SLOT)
            lines[(c.id, level)] = (head, tail)
    return Phrases(
        language=lang,
        titles=titles,
        plain_titles=plain,
        anchors=anchors,
        weights=weights,
        criterion_lines=lines,
        sources={f.id: flag_source(rubric, f, lang) for f in rubric.flags},
        labels=labels,
        band_text={r: say(lang, "band", label=labels[r], **cuts) for r in RANKED_RECOMMENDATIONS},
        penalty=format_number(rubric.warning_effect.penalty, lang),
        templates=templates(lang),
    )


def phrases_for(rubric: Rubric, language: Language) -> Phrases:
    """The prepared words of `rubric` in `language` (cached by rubric identity)."""
    return _build(rubric, language)
