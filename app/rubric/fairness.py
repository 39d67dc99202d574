"""Protected grounds in rubric texts: find the words that touch one, as a list of problems.

Tamis screens people under French and EU law: no question, anchor or description may touch a
ground of discrimination (Code du travail L.1132-1), directly or by proxy, nor ask for anything
without a direct link to the job (L.1221-6). The words are data
(`criteria/fairness/protected-grounds.yaml`); this module only reads them and matches them.

Matching is by whole words, case- and accent-insensitive (« AGE » matches « âge », « moeurs »
matches « mœurs »); typographic apostrophes and no-break spaces count as plain ones, and a hyphen
or a space between two words of a term match each other. French terms are looked for in French
texts, English terms in English texts. Where several terms overlap, the longest is reported once.

An item (criterion, flag, role question, self-screen question) may list `fairness_exceptions`:
`{term, reason}` pairs for a protected-ground word it legitimately contains (a text that names a
ground only to forbid judging it). An exception needs a non-blank reason; it covers the listed
terms it matches as whole words (an exception for « santé » covers « état de santé »).

The functions are pure: they take a parsed document (a mapping, as read from YAML, or a pydantic
model) and a word list, and return problems; the loader decides what to do with them.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from app.core.i18n import LANGUAGES, Language

# Where the word list lives, relative to the criteria directory.
WORD_LIST_PATH = Path("fairness") / "protected-grounds.yaml"

# Text fields of each kind of item that a reader is shown or an interviewer acts on. Source
# pointers (`source`, `see_also`) are quotations of the seed texts, not rubric text: not checked.
_CRITERION_TEXTS = ("title", "description", "basis")
_FLAG_TEXTS = ("title", "description", "verify", "basis")
_ROLE_QUESTION_TEXTS = ("question", "warning", "basis")

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})
_WORD = re.compile(r"\w+")
# What may stand between two words of a term in a text: spaces, hyphens, apostrophes.
_GAP = re.compile(r"[\s\-\u2010\u2011']+")


def normalize(text: str) -> str:
    """Fold case, accents, ligatures, apostrophes and no-break spaces, for matching."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bare.translate(_APOSTROPHES).casefold()


def _tokens(text: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(normalize(text)))


def _term_tokens(term: str) -> tuple[str, ...]:
    return tuple(m.group() for m in _tokens(term))


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class _Label(_Strict):
    fr: _Term
    en: _Term


class _Terms(_Strict):
    fr: list[_Term] = Field(min_length=1)
    en: list[_Term] = Field(min_length=1)


class _Ground(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
    label: _Label
    terms: _Terms


class _WordListFile(_Strict):
    grounds: list[_Ground] = Field(min_length=1)


class WordListError(Exception):
    """The word list cannot be used; `problems` holds (field path, reason) pairs."""

    def __init__(self, file: str, problems: Sequence[tuple[str, str]]) -> None:
        self.file = file
        self.problems = list(problems)
        super().__init__(
            "\n".join(f"{file}: {path or '(document)'}: {reason}" for path, reason in problems)
        )


@dataclass(frozen=True)
class Ground:
    """A protected ground: its id and its name in each language."""

    id: str
    label: Mapping[Language, str]


@dataclass(frozen=True)
class _Matcher:
    """Every term of one language, indexed by its first word; longer terms are tried first."""

    by_first_word: Mapping[str, tuple[tuple[tuple[str, ...], str, str], ...]]

    def find(self, text: str) -> Iterator[tuple[str, str]]:
        normalized = normalize(text)
        words = list(_WORD.finditer(normalized))
        index = 0
        while index < len(words):
            step = 1
            for tokens, term, ground in self.by_first_word.get(words[index].group(), ()):
                end = index + len(tokens)
                if end <= len(words) and all(
                    words[index + k].group() == tokens[k]
                    and _GAP.fullmatch(
                        normalized, words[index + k - 1].end(), words[index + k].start()
                    )
                    for k in range(1, len(tokens))
                ):
                    yield term, ground
                    step = len(tokens)
                    break
            index += step


def _matcher(entries: Iterable[tuple[str, str]]) -> _Matcher:
    index: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
    seen: set[tuple[str, ...]] = set()
    for term, ground in entries:
        tokens = _term_tokens(term)
        if tokens and tokens not in seen:
            seen.add(tokens)
            index.setdefault(tokens[0], []).append((tokens, term, ground))
    return _Matcher(
        {
            first: tuple(sorted(candidates, key=lambda c: len(c[0]), reverse=True))
            for first, candidates in index.items()
        }
    )


@dataclass(frozen=True)
class WordList:
    """The protected-ground terms, ready to match texts in each language."""

    grounds: Mapping[str, Ground]
    matchers: Mapping[Language, _Matcher]

    @classmethod
    def from_mapping(cls, data: Any, *, file: str = "protected-grounds.yaml") -> "WordList":
        """Build from the parsed word-list file; raise WordListError naming the bad fields."""
        try:
            parsed = _WordListFile.model_validate(data)
        except ValidationError as exc:
            raise WordListError(
                file, [(_path(e["loc"]), str(e["msg"])) for e in exc.errors()]
            ) from exc
        problems: list[tuple[str, str]] = []
        seen: set[str] = set()
        for index, ground in enumerate(parsed.grounds):
            if ground.id in seen:
                problems.append((f"grounds[{index}].id", f"duplicate ground id '{ground.id}'"))
            seen.add(ground.id)
            for language in LANGUAGES:
                for position, term in enumerate(getattr(ground.terms, language)):
                    if not _term_tokens(term):
                        problems.append(
                            (
                                f"grounds[{index}].terms.{language}[{position}]",
                                f"'{term}' has no letter to match",
                            )
                        )
        if problems:
            raise WordListError(file, problems)
        return cls(
            grounds={
                g.id: Ground(g.id, {"fr": g.label.fr, "en": g.label.en}) for g in parsed.grounds
            },
            matchers={
                language: _matcher(
                    (term, g.id) for g in parsed.grounds for term in getattr(g.terms, language)
                )
                for language in LANGUAGES
            },
        )

    def find(self, text: str, language: Language) -> list[tuple[str, str]]:
        """The (term, ground id) pairs found in `text`, in reading order."""
        return list(self.matchers[language].find(text))


def load_word_list(path: Path) -> WordList:
    """Read and check the word list file; raise WordListError naming the file and field."""
    name = str(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise WordListError(name, [("", f"cannot read the file: {exc}")]) from exc
    except yaml.YAMLError as exc:
        raise WordListError(name, [("", f"invalid YAML: {exc}")]) from exc
    return WordList.from_mapping(data, file=name)


class FairnessProblem(NamedTuple):
    """A protected-ground word in one text field of one item, with no exception for it."""

    item: str  # the item's path in the file: "criteria[2]", "questions[1]", "" for the document
    field: str  # the text field inside the item: "questions.fr[1]", "anchors.1.example.en"
    word: str  # the term, as the word list writes it
    ground: str = ""  # the protected ground's id
    item_id: str | None = None  # the item's `id`, when it has one

    @property
    def path(self) -> str:
        """The full field path, as the loader reports fields: `criteria[2].questions.fr[1]`."""
        return f"{self.item}.{self.field}" if self.item else self.field

    def reason(self, words: WordList | None = None) -> str:
        """Why the text is refused, and the two ways out."""
        ground = self.ground
        if words is not None and self.ground in words.grounds:
            ground = words.grounds[self.ground].label["en"]
        where = f" in '{self.item_id}'" if self.item_id else ""
        return (
            f"'{self.word}'{where} touches a protected ground ({ground}): rephrase the text, or "
            "list the term under the item's fairness_exceptions with a written reason"
        )


def _path(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _plain(document: Any) -> Any:
    return document.model_dump() if isinstance(document, BaseModel) else document


def _texts(value: Any, field: str) -> Iterator[tuple[str, Language, str]]:
    """(field path, language, text) for a {fr, en} text or list of texts under `field`."""
    if not isinstance(value, Mapping):
        return
    for language in LANGUAGES:
        text = value.get(language)
        if isinstance(text, str):
            yield f"{field}.{language}", language, text
        elif isinstance(text, list):
            for index, entry in enumerate(text):
                if isinstance(entry, str):
                    yield f"{field}.{language}[{index}]", language, entry


def _criterion_texts(criterion: Mapping[str, Any]) -> Iterator[tuple[str, Language, str]]:
    for name in _CRITERION_TEXTS:
        yield from _texts(criterion.get(name), name)
    yield from _texts(criterion.get("questions"), "questions")
    anchors = criterion.get("anchors")
    if isinstance(anchors, Mapping):
        for level, anchor in anchors.items():
            yield from _texts(anchor, f"anchors.{level}")
            if isinstance(anchor, Mapping):
                yield from _texts(anchor.get("example"), f"anchors.{level}.example")


def _exceptions(item: Mapping[str, Any]) -> list[tuple[str, ...]]:
    """The words of each of the item's exceptions that carry a reason."""
    found = []
    for entry in item.get("fairness_exceptions") or []:
        if not isinstance(entry, Mapping):
            continue
        term, reason = entry.get("term"), entry.get("reason")
        if isinstance(term, str) and isinstance(reason, str) and reason.strip():
            tokens = _term_tokens(term)
            if tokens:
                found.append(tokens)
    return found


def _covered(term: str, exceptions: Sequence[tuple[str, ...]]) -> bool:
    """Whether an exception's words appear, in order and adjacent, among the term's words."""
    listed = _term_tokens(term)
    return any(
        listed[start : start + len(words)] == words
        for words in exceptions
        for start in range(len(listed) - len(words) + 1)
    )


def _check_item(
    item_path: str,
    item: Any,
    texts: Iterable[tuple[str, Language, str]],
    words: WordList,
) -> Iterator[FairnessProblem]:
    exceptions = _exceptions(item) if isinstance(item, Mapping) else []
    item_id = item.get("id") if isinstance(item, Mapping) else None
    for field, language, text in texts:
        for term, ground in words.find(text, language):
            if not _covered(term, exceptions):
                yield FairnessProblem(
                    item_path, field, term, ground, item_id if isinstance(item_id, str) else None
                )


def _items(document: Mapping[str, Any], kind: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    entries = document.get(kind)
    if isinstance(entries, list):
        for index, entry in enumerate(entries):
            if isinstance(entry, Mapping):
                yield f"{kind}[{index}]", entry


def check_rubric(document: Mapping[str, Any] | BaseModel, words: WordList) -> list[FairnessProblem]:
    """Every protected-ground word in a rubric's texts that no exception of its item covers.

    Checked: the rubric's title and description; each criterion's title, description, basis,
    questions, anchors and their example answers; each flag's title, description, verify and
    basis; each role question's question, warning and basis.
    """
    doc = _plain(document)
    if not isinstance(doc, Mapping):
        return []
    problems: list[FairnessProblem] = []
    top = (t for name in ("title", "description") for t in _texts(doc.get(name), name))
    problems += _check_item("", None, top, words)
    for path, criterion in _items(doc, "criteria"):
        problems += _check_item(path, criterion, _criterion_texts(criterion), words)
    for kind, names in (("flags", _FLAG_TEXTS), ("role_questions", _ROLE_QUESTION_TEXTS)):
        for path, item in _items(doc, kind):
            texts = (t for name in names for t in _texts(item.get(name), name))
            problems += _check_item(path, item, texts, words)
    return problems


def check_questionnaire(
    document: Mapping[str, Any] | BaseModel, words: WordList
) -> list[FairnessProblem]:
    """Every protected-ground word in a self-screen's questions that no exception covers."""
    doc = _plain(document)
    if not isinstance(doc, Mapping):
        return []
    problems: list[FairnessProblem] = []
    for path, question in _items(doc, "questions"):
        problems += _check_item(path, question, _texts(question.get("text"), "text"), words)
    return problems


def unused_exceptions(
    document: Mapping[str, Any] | BaseModel, words: WordList
) -> list[tuple[str, str]]:
    """(field path, term) of each exception that covers no word of its item: stale data.

    Works on rubrics (criteria, flags, role questions) and self-screens (questions).
    """
    doc = _plain(document)
    if not isinstance(doc, Mapping):
        return []
    stale: list[tuple[str, str]] = []
    for kind in ("criteria", "flags", "role_questions", "questions"):
        for path, item in _items(doc, kind):
            if kind == "criteria":
                texts = list(_criterion_texts(item))
            elif kind == "questions":
                texts = list(_texts(item.get("text"), "text"))
            else:
                names = _FLAG_TEXTS if kind == "flags" else _ROLE_QUESTION_TEXTS
                texts = [t for name in names for t in _texts(item.get(name), name)]
            found = [term for _, language, text in texts for term, _ in words.find(text, language)]
            for index, entry in enumerate(item.get("fairness_exceptions") or []):
                term = entry.get("term") if isinstance(entry, Mapping) else None
                if not isinstance(term, str):
                    continue
                tokens = _term_tokens(term)
                if not tokens or not any(_covered(f, [tokens]) for f in found):
                    stale.append((f"{path}.fairness_exceptions[{index}].term", term))
    return stale


# Files directly under the criteria directory that are not rubrics.
NOT_RUBRIC_FILES = frozenset({"sources.yaml"})
SELF_SCREEN_FOLDER = "self-screen"


def check_criteria_dir(
    directory: Path, words: WordList | None = None
) -> list[tuple[str, FairnessProblem]]:
    """(file, problem) for every rubric and self-screen file of a criteria directory.

    Reads the word list from `directory/fairness/protected-grounds.yaml` unless one is given.
    A file that is not valid YAML is left to the loader, which reports it.
    """
    words = words if words is not None else load_word_list(directory / WORD_LIST_PATH)
    found: list[tuple[str, FairnessProblem]] = []
    checks = [
        (path, check_rubric)
        for path in sorted(directory.iterdir())
        if path.is_file() and path.suffix in (".yaml", ".yml") and path.name not in NOT_RUBRIC_FILES
    ]
    screens = directory / SELF_SCREEN_FOLDER
    if screens.is_dir():
        checks += [(path, check_questionnaire) for path in sorted(screens.glob("*.yaml"))]
    for path, check in checks:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue
        if isinstance(data, Mapping):
            found += [(str(path), problem) for problem in check(data, words)]
    return found
