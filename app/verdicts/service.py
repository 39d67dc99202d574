"""Verdicts: pinning, stored verdicts and their replay, the panel verdict, rescoring.

A candidate is pinned, at their first submitted assessment, to the rubric version and the rules
version that scored it; every later assessment of theirs is scored with both, so that editing
`criteria/` or changing the engine never changes their verdicts. Each stored verdict records both
versions and is replayed by them. `rescore` is the explicit move to the current rubric and rules:
it adds verdicts and keeps the old ones.
"""

import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple, Protocol

from sqlalchemy import String, Table, and_, bindparam, type_coerce
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from app.access.service import KEY_OK, folded_key_check, settle_key_check
from app.assessments.models import (
    Assessment,
    AssessmentRevision,
    CandidateVerdict,
    PanelWalk,
    StoredPanelVerdict,
    VerdictRecord,
)
from app.candidates.models import Candidate
from app.core import jsontext
from app.core.errors import InvalidInput, RuleViolation
from app.core.i18n import Language
from app.core.types import new_id, utcnow
from app.positions import service as positions
from app.positions.models import Position
from app.rubric.model import Rubric
from app.rubric.store import RubricRegistry
from app.scoring import Answers, AnswersError, PanelMember, Verdict, combine, parse_answers, score
from app.scoring.panel import panel_facts
from app.scoring.rules import CURRENT_RULES, RULES_VERSIONS, RulesVersion, Walk, Walks
from app.scoring.submission import NotSubmittable, check_submittable
from app.scoring.verdict import Facts
from app.webhooks import service as webhooks

JUST_SCORED = "tamis_just_scored"
WALKS = "tamis_walks"  # the walks of rules 2 made in this transaction (see app.scoring.rules)


_WALKS: Table = PanelWalk.__table__  # type: ignore[attr-defined]
_PANELS: Table = StoredPanelVerdict.__table__  # type: ignore[attr-defined]
_ASSESSMENTS: Table = Assessment.__table__  # type: ignore[attr-defined]


class Pinned(Protocol):
    """What scoring needs of a candidate: who, for which position, pinned to which versions."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def position_id(self) -> uuid.UUID: ...
    @property
    def rubric_version_id(self) -> uuid.UUID | None: ...
    @property
    def rules_version(self) -> int | None: ...


@dataclass(frozen=True)
class PinnedRow:
    """A candidate's `Pinned` columns read as a plain row (no ORM object): the verdict's read,
    with what the same query found of the stored panel verdict (key and facts, None when none
    is stored), the position's rubric and the submitted scorecards (id, revision), in order."""

    id: uuid.UUID
    position_id: uuid.UUID
    rubric_version_id: uuid.UUID | None
    rules_version: int | None
    stored_key: str | None = None
    stored_facts: Facts | None = None
    position_rubric_id: str | None = None
    scorecards: tuple[tuple[uuid.UUID, int], ...] | None = None


_CANDIDATES: Table = Candidate.__table__  # type: ignore[attr-defined]
_POSITIONS: Table = Position.__table__  # type: ignore[attr-defined]
# One row per submitted scorecard (one row with none when there is none), in submission order.
# The facts come as the driver gives them (text on SQLite: parsed once, not once per row).
_PINNED = (
    sa_select(
        _CANDIDATES.c.id,
        _CANDIDATES.c.position_id,
        _CANDIDATES.c.rubric_version_id,
        _CANDIDATES.c.rules_version,
        _PANELS.c.panel_key,
        type_coerce(_PANELS.c.facts, String).label("facts"),
        _POSITIONS.c.rubric_id,
        _ASSESSMENTS.c.id.label("scorecard_id"),
        _ASSESSMENTS.c.revision.label("scorecard_revision"),
    )
    .select_from(
        _CANDIDATES.join(_POSITIONS, _POSITIONS.c.id == _CANDIDATES.c.position_id)
        .outerjoin(_PANELS, _PANELS.c.candidate_id == _CANDIDATES.c.id)
        .outerjoin(
            _ASSESSMENTS,
            and_(
                _ASSESSMENTS.c.candidate_id == _CANDIDATES.c.id,
                _ASSESSMENTS.c.status == "submitted",
            ),
        )
    )
    .where(_CANDIDATES.c.id == bindparam("candidate_id"))
    .order_by(_ASSESSMENTS.c.submitted_at, _ASSESSMENTS.c.id)
)


# The same, with the request's remembered key checked in it (app/access `KEY_OK`).
_PINNED_KEYED = _PINNED.add_columns(KEY_OK)


def pinned(session: Session, candidate_id: uuid.UUID) -> PinnedRow | None:
    """The candidate's pinned versions, stored panel verdict, position's rubric and submitted
    scorecards (one query), or None when there is no such candidate.

    The request's remembered key, when its check waits (app/core/routing `folds_key_check`),
    is checked by the same query: Unauthorized before anything is answered."""
    connection = session.connection()
    values: dict[str, Any] = {"candidate_id": candidate_id}
    key = folded_key_check(session)
    if key is None:
        rows = connection.execute(_PINNED, values).all()
    else:
        rows = connection.execute(_PINNED_KEYED, {**values, **key}).all()
        settle_key_check(session, rows[0].key_ok if rows else None)
    if not rows:
        return None
    first = rows[0]
    facts = first.facts
    if isinstance(facts, str | bytes):  # as the JSON column itself would read it
        facts = jsontext.loads(connection.dialect, facts)
    scorecards = tuple(
        (r.scorecard_id, r.scorecard_revision) for r in rows if r.scorecard_id is not None
    )
    return PinnedRow(
        id=first.id,
        position_id=first.position_id,
        rubric_version_id=first.rubric_version_id,
        rules_version=first.rules_version,
        stored_key=first.panel_key,
        stored_facts=facts,
        position_rubric_id=first.rubric_id,
        scorecards=scorecards,
    )


def rubric_of(session: Session, registry: RubricRegistry, candidate: Pinned) -> Rubric:
    """The rubric version that scores `candidate`: pinned, else the position's current one."""
    if candidate.rubric_version_id is not None:
        return registry.load(session, candidate.rubric_version_id)
    position = positions.get(session, candidate.position_id)
    return positions.rubric_for(registry, position.rubric_id)


def rules_of(candidate: Pinned) -> RulesVersion:
    """The rules version that scores `candidate`: pinned, else the current one."""
    return rules_version(candidate.rules_version)


def rules_version(value: int | None) -> RulesVersion:
    """A stored rules version (None when stored before versions: the current one)."""
    if value is None:
        return CURRENT_RULES
    if value not in RULES_VERSIONS:
        raise LookupError(f"unknown rules version {value}")
    return value


def pinning(
    session: Session, registry: RubricRegistry, candidate: Candidate, rubric: Rubric
) -> tuple[uuid.UUID, RulesVersion, dict[str, Any]]:
    """The rubric version id and rules version that score `candidate` from now on, and the
    candidate's columns to set if they are not pinned yet (for writers with SQLAlchemy Core)."""
    changes: dict[str, Any] = {}
    version_id = candidate.rubric_version_id
    if version_id is None:
        version_id = changes["rubric_version_id"] = registry.snapshot(session, rubric)
    if candidate.rules_version is None:
        changes["rules_version"] = CURRENT_RULES
    return version_id, rules_version(candidate.rules_version), changes


def answers_for(rubric: Rubric, data: Mapping[str, Any]) -> Answers:
    """Answers checked against `rubric`, or InvalidInput naming each field at fault."""
    try:
        return parse_answers(rubric, data)
    except AnswersError as exc:
        raise InvalidInput.from_answers(exc) from exc


def require_submittable(rubric: Rubric, answers: Answers, rules: RulesVersion) -> None:
    """RuleViolation (422) naming what the scorecard still needs before it is submitted."""
    try:
        check_submittable(rubric, answers, rules)
    except NotSubmittable as exc:
        raise RuleViolation(exc.detail, exc.errors) from exc


def record(
    session: Session,
    assessment: Assessment,
    rubric: Rubric,
    version_id: uuid.UUID,
    rules: RulesVersion,
    cause: str,
    answers: Answers | None = None,
) -> VerdictRecord:
    """Score the assessment's current revision and store what the verdict said."""
    answers = answers or Answers.model_validate(assessment.answers)
    row = VerdictRecord(
        **verdict_row(
            session, assessment.id, assessment.revision, rubric, version_id, rules, cause, answers
        )
    )
    session.add(row)
    return row


def verdict_row(
    session: Session,
    assessment_id: uuid.UUID,
    revision: int,
    rubric: Rubric,
    version_id: uuid.UUID,
    rules: RulesVersion,
    cause: str,
    answers: Answers,
    language: Language = "en",
) -> dict[str, Any]:
    """Score one revision (once: the response of the request shows this verdict, in
    `language`) and return the verdict row to store, every column given."""
    verdict = score(rubric, answers, language, rules, session.info.setdefault(WALKS, {}))
    # The response of this request shows the verdict just made: keep it instead of replaying.
    session.info.setdefault(JUST_SCORED, {})[(assessment_id, revision, language)] = verdict
    return {
        "id": new_id(),
        "assessment_id": assessment_id,
        "revision": revision,
        "rubric_version_id": version_id,
        "rules_version": rules,
        "recommendation": verdict.recommendation,
        "score": verdict.score,
        "coverage": verdict.coverage,
        "cause": cause,
        "created_at": utcnow(),
    }


class _Recording(dict[str, Walk]):
    """The request's walks (shared by its verdicts), noting those added through it."""

    def __init__(self, shared: Walks, added: Walks) -> None:
        super().__init__()
        self.shared, self.added = shared, added

    def __contains__(self, key: object) -> bool:
        return key in self.shared

    def __getitem__(self, key: str) -> Walk:
        walk = self.shared[key]
        self.added[key] = walk
        return walk

    def __setitem__(self, key: str, walk: Walk) -> None:
        self.shared[key] = walk
        self.added[key] = walk


def _request_walks(session: Session, added: Walks) -> Walks:
    """The walks made in this transaction (a panel of one finds its scorecard's), recording
    in `added` the walk the caller's verdict uses."""
    return _Recording(session.info.setdefault(WALKS, {}), added)


def _store_walks(session: Session, candidate_id: uuid.UUID, walks: Walks) -> None:
    """Keep the panel's walk (rules 2, when it had criteria left unrated) for its readers.

    Without one, a row stored before stays: its key no longer matches, so readers ignore it."""
    if not walks:
        return
    key, (possible, settle) = next(iter(walks.items()))
    values = {"walk_key": key, "possible": list(possible), "settle": list(settle)}
    connection = session.connection()  # a Core statement: the ORM's execute path adds nothing
    upsert = _upsert(_WALKS, connection.dialect.name)
    connection.execute(upsert, {"candidate_id": candidate_id, **values})


@lru_cache(maxsize=8)
def _upsert(table: Table, dialect: str) -> Any:
    """INSERT ... ON CONFLICT (candidate_id) DO UPDATE of every other column, built once."""
    return _upsert_of(table, dialect)


def _upsert_of(table: Table, dialect: str, values: Mapping[str, Any] | None = None) -> Any:
    """`_upsert`'s statement (`values`: columns given by an expression, not by a parameter of
    their name)."""
    insert = postgresql_insert(table) if dialect == "postgresql" else sqlite_insert(table)
    if values:
        insert = insert.values(values)
    return insert.on_conflict_do_update(
        index_elements=[table.c.candidate_id],
        set_={c.name: insert.excluded[c.name] for c in table.c if c.name != "candidate_id"},
    )


def _stored_walks(session: Session, candidate_id: uuid.UUID) -> Walks:
    """The panel's stored walk, keyed by the inputs it was made for."""
    row = session.execute(
        sa_select(_WALKS.c.walk_key, _WALKS.c.possible, _WALKS.c.settle).where(
            _WALKS.c.candidate_id == candidate_id
        )
    ).first()
    if row is None:
        return {}
    return {row.walk_key: (tuple(row.possible), tuple(row.settle))}


def _latest(session: Session, assessment_id: uuid.UUID) -> VerdictRecord | None:
    statement = (
        select(VerdictRecord)
        .where(VerdictRecord.assessment_id == assessment_id)
        .order_by(col(VerdictRecord.created_at).desc(), col(VerdictRecord.revision).desc())
    )
    return session.exec(statement.limit(1)).first()


def of_assessment(
    session: Session, registry: RubricRegistry, assessment: Assessment, language: Language
) -> Verdict | None:
    """The assessment's latest verdict, replayed by the rubric and rules that made it."""
    scored: dict[tuple[uuid.UUID, int, str], Verdict] = session.info.get(JUST_SCORED, {})
    fresh = scored.get((assessment.id, assessment.revision, language))
    if fresh is not None:
        return fresh  # scored in this transaction, from the same answers and versions
    stored = _latest(session, assessment.id)
    if stored is None:
        return None
    rubric = registry.load(session, stored.rubric_version_id)
    answers: Mapping[str, Any] = assessment.answers  # the latest revision's answers
    if stored.revision != assessment.revision:
        answers = session.exec(
            select(AssessmentRevision.answers).where(
                AssessmentRevision.assessment_id == assessment.id,
                AssessmentRevision.revision == stored.revision,
            )
        ).one()
    return score(
        rubric, Answers.model_validate(answers), language, rules_version(stored.rules_version)
    )


def submitted(session: Session, candidate_id: uuid.UUID) -> list[Assessment]:
    """The candidate's submitted scorecards, in the order they were submitted."""
    statement = (
        select(Assessment)
        .where(Assessment.candidate_id == candidate_id, Assessment.status == "submitted")
        .order_by(col(Assessment.submitted_at), col(Assessment.id))
    )
    return list(session.exec(statement).all())


class Scorecard(Protocol):
    """What the panel reads of a submitted scorecard: an Assessment, or a row of its columns
    (`answers` stored, or already checked)."""

    @property
    def id(self) -> uuid.UUID | str: ...
    @property
    def revision(self) -> int: ...

    @property
    def interviewer_name(self) -> str: ...
    @property
    def interviewer_email(self) -> str: ...
    @property
    def answers(self) -> Mapping[str, Any] | Answers: ...
    @property
    def summary(self) -> str: ...


def members(scorecards: Sequence[Scorecard]) -> list[PanelMember]:
    """The panel: each scorecard under its interviewer's name (with the email when two share it)."""
    names = [a.interviewer_name for a in scorecards]
    return [
        PanelMember(
            a.interviewer_name
            if names.count(a.interviewer_name) == 1
            else f"{a.interviewer_name} <{a.interviewer_email}>",
            a.answers if isinstance(a.answers, Answers) else Answers.model_validate(a.answers),
            a.summary,
        )
        for a in scorecards
    ]


def panel(
    session: Session, registry: RubricRegistry, candidate: Pinned, language: Language
) -> CandidateVerdict:
    """The panel verdict over the candidate's submitted assessments (latest revision of each).

    Read from its stored facts when they were made from the scorecards submitted now, by the
    candidate's pinned rubric and rules; else worked out here (and not stored: a read writes
    nothing)."""
    stored = stored_panel(session, registry, candidate, language)
    if stored is not None:
        return stored
    return panel_with_members(session, registry, candidate, language, stored=False)[0]


def panel_key(
    rules: RulesVersion,
    version_id: uuid.UUID,
    scorecards: Sequence[tuple[uuid.UUID | str, int]],
) -> str:
    """What a panel verdict is made from: the rules and rubric versions and the submitted
    scorecards (id and revision, in the panel's order). Equal keys, equal verdicts."""
    made_of = [rules, str(version_id), [[str(i), revision] for i, revision in scorecards]]
    return hashlib.sha256(json.dumps(made_of).encode()).hexdigest()


_POSITION_RUBRIC = sa_select(_POSITIONS.c.rubric_id).where(
    _POSITIONS.c.id == bindparam("position_id")
)
# The two reads of a stored panel verdict, built once.
_STORED_PANEL = sa_select(_PANELS.c.panel_key, _PANELS.c.facts).where(
    _PANELS.c.candidate_id == bindparam("candidate_id")
)
_SCORECARDS = (
    sa_select(_ASSESSMENTS.c.id, _ASSESSMENTS.c.revision)
    .where(
        _ASSESSMENTS.c.candidate_id == bindparam("candidate_id"),
        _ASSESSMENTS.c.status == "submitted",
    )
    .order_by(_ASSESSMENTS.c.submitted_at, _ASSESSMENTS.c.id)
)


def stored_panel(
    session: Session,
    registry: RubricRegistry,
    candidate: Pinned,
    language: Language,
    scorecards: Sequence[tuple[uuid.UUID, int]] | None = None,
) -> CandidateVerdict | None:
    """The panel verdict in `language` without scoring: from its stored facts if they were
    made from the scorecards submitted now by the candidate's pinned versions, or the empty
    panel's (the same for every candidate of a rubric) when nothing was submitted; else None.

    `scorecards`: the submitted scorecards' (id, revision) in submission order, when the caller
    has read them; else they are read here."""
    # The hot reads run on the session's connection (its transaction, no ORM execute path).
    connection = session.connection()
    if scorecards is None and isinstance(candidate, PinnedRow):
        scorecards = candidate.scorecards  # read with the candidate (see `pinned`)
    if scorecards is None:
        read = connection.execute(_SCORECARDS, {"candidate_id": candidate.id})
        scorecards = [(r.id, r.revision) for r in read]
    version_id = candidate.rubric_version_id
    if version_id is None:  # pinned at the first submission: none yet
        if scorecards:
            return None
        if isinstance(candidate, PinnedRow) and candidate.position_rubric_id is not None:
            rubric_id = candidate.position_rubric_id  # read with the candidate (see `pinned`)
        else:
            rubric_id = connection.execute(
                _POSITION_RUBRIC, {"position_id": candidate.position_id}
            ).scalar_one()
        rubric = positions.rubric_for(registry, rubric_id)
        return CandidateVerdict.of_facts(
            rubric,
            _empty_panel(rubric, rules_of(candidate)),
            language,
            candidate_id=candidate.id,
            assessments=[],
        )
    if isinstance(candidate, PinnedRow):  # read with the candidate (see `pinned`)
        key, facts = candidate.stored_key, candidate.stored_facts
    else:
        row = connection.execute(_STORED_PANEL, {"candidate_id": candidate.id}).first()
        key, facts = (None, None) if row is None else (row.panel_key, row.facts)
    if facts is None or key != panel_key(rules_of(candidate), version_id, scorecards):
        return None
    return CandidateVerdict.of_facts(
        registry.load(session, version_id),
        facts,
        language,
        candidate_id=candidate.id,
        assessments=[i for i, _ in scorecards],
    )


@lru_cache(maxsize=64)
def _empty_panel(rubric: Rubric, rules: RulesVersion) -> Facts:
    """The facts of a panel with no scorecard (read-only: shared by every reader)."""
    return panel_facts(rubric, [], rules)


def store_panel(
    session: Session | OrmSession,
    candidate_id: uuid.UUID,
    version_id: uuid.UUID,
    rules: RulesVersion,
    scorecards: Sequence[tuple[uuid.UUID | str, int]],
    facts: Facts,
) -> None:
    """Keep a panel verdict's facts, under the key of what they were made from: the rules and
    rubric versions and the submitted scorecards (id, revision) in the panel's order."""
    connection = session.connection()  # a Core statement: the ORM's execute path adds nothing
    connection.execute(
        _upsert(_PANELS, connection.dialect.name),
        {
            "candidate_id": candidate_id,
            "panel_key": panel_key(rules, version_id, scorecards),
            "rubric_version_id": version_id,
            "rules_version": rules,
            "facts": facts,
            "updated_at": utcnow(),
        },
    )


class Panel(NamedTuple):
    """A panel verdict to store (as `store_panel`), its facts serialized beforehand
    (`jsontext.dumps`): bulk writers hold many."""

    candidate_id: uuid.UUID
    version_id: uuid.UUID
    rules: RulesVersion
    scorecards: Sequence[tuple[uuid.UUID | str, int]]
    facts_json: str


def store_panels(session: Session | OrmSession, panels: Sequence[Panel]) -> None:
    """Keep several candidates' panel verdicts (as `store_panel`), in one statement."""
    if not panels:
        return
    now = utcnow()
    session.execute(
        _upsert_text(session.get_bind().dialect),
        [
            {
                "candidate_id": p.candidate_id,
                "panel_key": panel_key(p.rules, p.version_id, p.scorecards),
                "rubric_version_id": p.version_id,
                "rules_version": p.rules,
                jsontext.key("facts"): p.facts_json,
                "updated_at": now,
            }
            for p in panels
        ],
    )


@lru_cache(maxsize=8)
def _upsert_text(dialect: Dialect) -> Any:
    """`_upsert` of the stored panel verdicts, the facts given as JSON text."""
    return _upsert_of(_PANELS, dialect.name, {"facts": jsontext.param("facts", dialect)})


def forget_panel(session: Session, candidate_id: uuid.UUID) -> None:
    """Drop the stored panel verdict (its facts hold notes and summaries being erased)."""
    session.execute(_PANELS.delete().where(_PANELS.c.candidate_id == candidate_id))


def panel_with_members(
    session: Session,
    registry: RubricRegistry,
    candidate: Pinned,
    language: Language,
    *,
    stored: bool = True,
) -> tuple[CandidateVerdict, list[PanelMember], Rubric]:
    """The panel verdict, the members it combines (each one's answers) and the rubric used.

    The verdict is the stored one when it was made from these scorecards (see `stored_panel`),
    unless `stored` is False: then it is always worked out."""
    rubric = rubric_of(session, registry, candidate)
    scorecards = submitted(session, candidate.id)
    panel_members = members(scorecards)
    kept = None
    if stored:
        read = [(a.id, a.revision) for a in scorecards]
        kept = stored_panel(session, registry, candidate, language, read)
    if kept is not None:
        return kept, panel_members, rubric
    walks = _stored_walks(session, candidate.id)
    verdict = combine(rubric, panel_members, language, rules_of(candidate), walks)
    public = CandidateVerdict.model_validate(
        {**dict(verdict), "candidate_id": candidate.id, "assessments": [a.id for a in scorecards]}
    )
    return public, panel_members, rubric


def refresh_candidate(
    session: Session,
    registry: RubricRegistry,
    candidate: Candidate,
    scorecards: list[Assessment] | None = None,
    rubric: Rubric | None = None,
) -> None:
    """Keep the candidate's stored recommendation equal to the panel verdict's (for filters),
    and store the panel verdict's facts for its readers.

    `scorecards` is the candidate's submitted scorecards and `rubric` theirs, when the caller has
    them; else they are read back (after a flush). The caller flushes what this changes.
    """
    if scorecards is None:
        session.flush()
        scorecards = submitted(session, candidate.id)
    rubric = rubric or rubric_of(session, registry, candidate)
    before = candidate.recommendation
    after = panel_after(
        session, candidate.id, rubric, rules_of(candidate), scorecards, candidate.rubric_version_id
    )
    if after != before:
        candidate.recommendation = after
        candidate.updated_at = utcnow()
        session.add(candidate)
        webhooks.emit(
            session,
            "verdict.changed",
            {"candidate_id": str(candidate.id), "before": before, "after": after},
        )


def panel_after(
    session: Session,
    candidate_id: uuid.UUID,
    rubric: Rubric,
    rules: RulesVersion,
    scorecards: Sequence[Scorecard],
    version_id: uuid.UUID | None,
) -> str:
    """The panel recommendation of `scorecards` (the candidate's submitted ones, in the order
    they were submitted); keeps the panel's walk and its verdict's facts for its readers
    (`version_id`: the candidate's pinned rubric version, None before the first submission)."""
    walks: Walks = {}
    facts = panel_facts(rubric, members(scorecards), rules, _request_walks(session, walks))
    _store_walks(session, candidate_id, walks)
    if version_id is not None:
        scored = [(s.id, s.revision) for s in scorecards]
        store_panel(session, candidate_id, version_id, rules, scored, facts)
    return str(facts["recommendation"])


def rescore(session: Session, registry: RubricRegistry, candidate: Candidate) -> None:
    """Score every submitted assessment again with the current rubric and rules; old verdicts
    are kept. Nothing changes if one of them no longer fits the current rubric."""
    position = positions.get(session, candidate.position_id)
    rubric = positions.rubric_for(registry, position.rubric_id)
    scorecards = submitted(session, candidate.id)
    for assessment in scorecards:
        answers_for(rubric, assessment.answers)  # ids removed from the rubric are caught here
    version_id = registry.snapshot(session, rubric)
    for assessment in scorecards:
        record(session, assessment, rubric, version_id, CURRENT_RULES, "rescored")
    candidate.rubric_version_id = version_id
    candidate.rules_version = CURRENT_RULES
    refresh_candidate(session, registry, candidate, scorecards, rubric)
    session.flush()
