"""Bulk import of assessments: JSON Lines in, batches written with SQLAlchemy Core.

Each line goes through the rules of `POST /candidates/{id}/assessments` (answers checked against
the candidate's rubric, the rules of submission, one scorecard per interviewer and candidate),
is pinned the same way (app/verdicts) and leaves the same rows behind: the assessment, its
revision and verdict, the candidate's status, pin and panel recommendation, the audit events
the ORM listener would have written, the event-feed events and the webhook outbox rows. What
differs is how: a batch of lines (500 by default) reads what it needs in a few queries, scores
each assessment once (the recommendation, score and coverage only: explanations are rendered
when someone reads the verdict) and writes every table with one multi-row INSERT, in one
transaction. A refused line is reported with its number and fields and changes nothing. The
candidate's panel verdict (its stored facts) is worked out once per import, from the panel the
import left, and stored when the import ends (`Importer._materialise`: when it is visible, and
why a reader never sees a stale one meanwhile).

Atomic imports use one transaction for every batch and roll it back when any line is refused.
"""

import functools
import json
import logging
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import ColumnElement, Engine, Table, bindparam, or_, select, update
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session

from app.assessments import service as assessments
from app.assessments.models import (
    Assessment,
    AssessmentRevision,
    StoredPanelVerdict,
    VerdictRecord,
)
from app.audit import recorder
from app.candidates.models import Candidate, folded_search_text
from app.candidates.service import ERASED
from app.core import jsontext
from app.core.db import UnitOfWork
from app.core.errors import RuleViolation
from app.core.fields import FieldError, format_path
from app.core.types import new_id, utcnow
from app.imports.models import ImportedCandidate, ImportLine, ImportReport, LineError
from app.imports.rows import insert_rows
from app.positions import service as positions
from app.positions.models import Position
from app.rubric.model import Rubric
from app.rubric.store import RubricRegistry
from app.scoring import Answers, AnswersError
from app.scoring.answers import check_answers
from app.scoring.panel import panel_facts, panel_recommendation
from app.scoring.rules import CURRENT_RULES, Walks, decide
from app.verdicts import service as verdicts
from app.webhooks import service as webhooks

BATCH = 500
# The report lists the fields at fault of the refused lines up to this many entries (a file
# of the wrong shape would otherwise answer with one error per line, however long).
MAX_ERRORS = 1000
OPERATION = "import_assessments"
# At most this many candidates wait for their panel verdict to be stored, each held with its
# scorecards' answers (about 5 KiB a scorecard noting every criterion: some 100 MiB at most for
# two scorecards a candidate); beyond it, those waiting from earlier batches are stored with the
# batch that goes over.
MAX_PENDING = 10_000
AFTER_COMMIT = "tamis_import_after_commit"
log = logging.getLogger("tamis.imports")

CANDIDATES: Table = Candidate.__table__  # type: ignore[attr-defined]
ASSESSMENTS: Table = Assessment.__table__  # type: ignore[attr-defined]
REVISIONS: Table = AssessmentRevision.__table__  # type: ignore[attr-defined]
VERDICTS: Table = VerdictRecord.__table__  # type: ignore[attr-defined]
POSITIONS: Table = Position.__table__  # type: ignore[attr-defined]
OUTBOX: Table = webhooks.WebhookDelivery.__table__  # type: ignore[attr-defined]
PANELS: Table = StoredPanelVerdict.__table__  # type: ignore[attr-defined]
# The candidate's columns an assessment changes (the rest stay as they are).
TRACKED = ("status", "recommendation", "rubric_version_id", "rules_version", "updated_at")

Lines = Iterable[tuple[int, bytes]]
Progress = Callable[[int], None]


class LineRefused(Exception):
    """One line cannot be imported; `errors` name its fields at fault."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(map(str, errors)))
        self.errors = errors


@dataclass
class _Member:
    """A submitted scorecard of the candidate, as the panel sees it."""

    submitted_at: datetime
    id: str
    interviewer_name: str
    interviewer_email: str
    answers: Answers
    summary: str
    revision: int = 1


@dataclass
class _CandidateState:
    """A candidate as this batch has left it so far."""

    row: dict[str, Any]
    rubric_id: str
    new: bool = False
    emails: set[str] = field(default_factory=set)
    panel: list[_Member] = field(default_factory=list)
    created: bool = False  # a new candidate is created by its first valid line
    panel_changed: bool = False  # a submitted line of this batch joined its panel
    named: bool = False  # a line of this batch named them (imported or refused)
    updates: int = 0  # how many per-request writes this batch stands for (the ETag version)


@dataclass
class _Valid:
    """A line that passed its checks, with what they found."""

    line: ImportLine
    state: _CandidateState
    rubric: Rubric
    answers: Answers
    email: str


@dataclass
class _Batch:
    """The rows one batch inserts, in the order the foreign keys need; their JSON columns are
    held as text (app/core/jsontext.py)."""

    dialect: Dialect
    candidates: list[dict[str, Any]] = field(default_factory=list)
    assessments: list[dict[str, Any]] = field(default_factory=list)
    revisions: list[dict[str, Any]] = field(default_factory=list)
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    audit: list[dict[str, Any]] = field(default_factory=list)
    outbox: list[dict[str, Any]] = field(default_factory=list)
    # The walks of rules 2 made in this batch (a scorecard with criteria left unrated): its
    # verdict's walk serves its panel, as in a submission's transaction.
    walks: Walks = field(default_factory=dict)

    def audit_row(self, row: dict[str, Any] | None) -> bool:
        """Add an audit row (None: nothing audited changed); whether there was one."""
        if row is None:
            return False
        self.audit.append(jsontext.textual(self.dialect, row, ["changes"]))
        return True

    def json(self, value: Any) -> str:
        return jsontext.dumps(self.dialect, value)


def split_lines(chunks: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """The numbered non-blank lines (1-based) of a byte stream, read chunk by chunk."""
    number, pending = 0, b""
    for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        for line in complete:
            number += 1
            if line.strip():
                yield number, line
    if pending.strip():
        yield number + 1, pending


def parse_line(raw: bytes) -> ImportLine:
    """The line as an ImportLine, or LineRefused naming each field at fault."""
    try:
        # Parsed and validated in one pass by pydantic-core; a line it refuses is read again
        # below, by the standard library's parser, whose errors the report names.
        line = ImportLine.model_validate_json(raw)
    except ValidationError:
        line = _parse_slowly(raw)
    if (line.candidate_id is None) == (line.candidate is None):
        raise LineRefused(
            [
                FieldError(
                    "candidate_id",
                    "give exactly one of candidate_id (an existing candidate) and candidate "
                    "(position_id, external_id, full_name: found or created)",
                    ["candidate_id", "candidate"],
                )
            ]
        )
    if line.status == "draft" and line.submitted_at is not None:
        raise LineRefused([FieldError("submitted_at", "only for a submitted assessment")])
    if line.submitted_at is not None and line.submitted_at > utcnow():
        raise LineRefused([FieldError("submitted_at", "is in the future")])
    return line


def _parse_slowly(raw: bytes) -> ImportLine:
    """`parse_line`'s first step for a line refused: the errors, from json and pydantic."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        reason = "not valid UTF-8" if isinstance(exc, UnicodeDecodeError) else "not valid JSON"
        raise LineRefused([FieldError("(line)", f"{reason}: {exc}")]) from exc
    if not isinstance(data, dict):
        raise LineRefused([FieldError("(line)", "each line must be a JSON object")])
    try:
        return ImportLine.model_validate(data)
    except ValidationError as exc:
        raise LineRefused([_field_error(e) for e in exc.errors()]) from exc


def _field_error(error: Any) -> FieldError:
    loc = format_path(list(error.get("loc", ()))) or "(line)"
    if error.get("type") == "extra_forbidden":
        parent = error.get("loc", ())[:-1]
        model: Any = ImportedCandidate if parent == ("candidate",) else ImportLine
        if parent in ((), ("candidate",)):
            return FieldError(loc, "unknown key", sorted(model.model_fields))
    expected = (error.get("ctx") or {}).get("expected")
    valid = None
    if isinstance(expected, str) and "'" in expected:
        valid = [p.strip(" '") for p in expected.replace(" or ", ",").split(",") if p.strip(" '")]
    return FieldError(loc, str(error.get("msg", "invalid")), valid)


class Importer:
    """Imports numbered lines in batches; `run` returns the report."""

    def __init__(
        self,
        engine: Engine,
        registry: RubricRegistry,
        *,
        principal: Any,
        atomic: bool = False,
        gate: AbstractContextManager[Any] | None = None,
        batch_size: int = BATCH,
        progress: Progress | None = None,
        operation: str = OPERATION,
        max_pending: int = MAX_PENDING,
    ) -> None:
        self.engine, self.registry, self.principal = engine, registry, principal
        self.atomic, self.gate, self.batch_size = atomic, gate, batch_size
        self.progress, self.operation = progress, operation
        self.report = ImportReport(
            atomic=atomic, lines=0, imported=0, refused=0, candidates_created=0, errors=[]
        )
        # The candidates whose panel verdict is yet to be stored, in the order they were last
        # changed, as the last batch that changed them left them (`_materialise`).
        self.pending: dict[uuid.UUID, _CandidateState] = {}
        self.max_pending = max_pending

    def _unit(self) -> UnitOfWork:
        unit = UnitOfWork(self.engine)
        unit.session.info.update(principal=self.principal, operation=self.operation)
        return unit

    def run(
        self, lines: Lines, finish: Callable[[Session, ImportReport], None] | None = None
    ) -> ImportReport:
        """Import every line; `finish` runs in the last transaction, before its commit (the
        Idempotency-Key record), unless an atomic import is rolled back."""
        return self._run(lines, finish)

    def _run(
        self, lines: Lines, finish: Callable[[Session, ImportReport], None] | None
    ) -> ImportReport:
        if self.atomic:
            with self.gate or nullcontext():
                unit = self._unit()
                try:
                    for batch in _batches(lines, self.batch_size):
                        self._pend(unit.session, self._import(unit.session, raw_lines=batch))
                    if self.report.refused:
                        unit.rollback()
                        self.pending.clear()
                        self.report.imported = self.report.candidates_created = 0
                        self.report.outcome = "rolled_back"
                        return self.report
                    self._finish(unit.session, finish=finish)
                except BaseException:
                    if not unit.closed:
                        unit.rollback()
                    raise
                unit.commit()
            return self.report
        try:
            for batch in _batches(lines, self.batch_size):
                with self.gate or nullcontext():
                    self._in_unit(functools.partial(self._batch, raw_lines=batch))
        except Exception:
            # The body stopped short (over its limit, the client gone): the batches committed
            # stay, and so do their candidates' panel verdicts. Should storing them fail too,
            # readers work them out (see `_materialise`) and the first error is the answer.
            if self.pending:
                try:
                    with self.gate or nullcontext():
                        self._in_unit(functools.partial(self._finish, finish=None))
                except Exception:
                    log.exception("import stopped: its panel verdicts were not stored")
            raise
        if finish is not None or self.pending:
            with self.gate or nullcontext():
                self._in_unit(functools.partial(self._finish, finish=finish))
        return self.report

    def _batch(self, session: Session, *, raw_lines: list[tuple[int, bytes]]) -> None:
        """Import one batch; its candidates' panel verdicts wait for the end of the import
        (those waiting from earlier batches are stored with this one when too many wait)."""
        changed = self._import(session, raw_lines=raw_lines)
        stored: list[_CandidateState] = []
        if len(self.pending) + len(changed) > self.max_pending:
            stored = [s for i, s in self.pending.items() if i not in changed]
            self._materialise(session, stored)

        def committed() -> None:  # a batch rolled back leaves what waited as it was
            for state in stored:
                if self.pending.get(state.row["id"]) is state:
                    del self.pending[state.row["id"]]
            self._note(changed)

        session.info.setdefault(AFTER_COMMIT, []).append(committed)

    def _note(self, changed: dict[uuid.UUID, _CandidateState]) -> None:
        for candidate_id, state in changed.items():
            self.pending.pop(candidate_id, None)  # re-inserted: the oldest come first
            self.pending[candidate_id] = state

    def _pend(self, session: Session, changed: dict[uuid.UUID, _CandidateState]) -> None:
        """An atomic import's batch (one transaction for all): noted at once."""
        self._note(changed)
        if len(self.pending) > self.max_pending:
            stored = [s for i, s in self.pending.items() if i not in changed]
            self._materialise(session, stored)
            for state in stored:
                del self.pending[state.row["id"]]

    def _finish(
        self, session: Session, *, finish: Callable[[Session, ImportReport], None] | None
    ) -> None:
        self._materialise(session, list(self.pending.values()))
        self.pending.clear()
        if finish is not None:
            finish(session, self.report)

    def _in_unit(self, work: Callable[[Session], None]) -> None:
        unit = self._unit()
        try:
            work(unit.session)
        except BaseException:
            unit.rollback()
            raise
        unit.commit()
        for then in unit.session.info.pop(AFTER_COMMIT, []):
            then()

    def _materialise(self, session: Session, states: Sequence[_CandidateState]) -> None:
        """Store the panel verdicts of `states` (candidates as the import left them), each
        worked out once, in `session`'s transaction.

        Until then a candidate's stored panel verdict is the one from before the import (or
        none): it was made from other scorecards, so its key does not match and every reader
        works the verdict out from the scorecards instead (`verdicts.stored_panel`); the
        candidate's `recommendation` is written by each batch. A candidate whose scorecards or
        pinned versions another request changed meanwhile keeps what that request stored."""
        for start in range(0, len(states), self.batch_size):
            _store_panels(session, self.registry, states[start : start + self.batch_size])

    def _refuse(self, number: int, errors: list[FieldError]) -> None:
        self.report.refused += 1
        if len(self.report.errors) >= MAX_ERRORS:
            self.report.errors_truncated = True
            return
        self.report.errors += [
            LineError(
                line=number, loc=e.loc, message=e.message, valid=list(e.valid) if e.valid else None
            )
            for e in errors
        ]

    def _import(
        self, session: Session, *, raw_lines: list[tuple[int, bytes]]
    ) -> dict[uuid.UUID, _CandidateState]:
        """Import one batch in `session`'s transaction; the candidates whose panel it changed."""
        parsed: list[tuple[int, ImportLine]] = []
        for number, raw in raw_lines:
            self.report.lines += 1
            try:
                parsed.append((number, parse_line(raw)))
            except LineRefused as exc:
                self._refuse(number, exc.errors)
        known = {m.id: m for state in self.pending.values() for m in state.panel}
        states, positions_of = _load(session, [line for _, line in parsed], known)
        # First every line is checked (what a line may do depends on the lines before it only
        # through the interviewers already seen), then the rows are made.
        valid: list[_Valid] = []
        for number, line in parsed:
            try:
                valid.append(self._check(session, line, states, positions_of))
            except LineRefused as exc:
                self._refuse(number, exc.errors)
        batch = _Batch(session.get_bind().dialect)
        for checked in valid:
            self._line(session, checked, batch)
            self.report.imported += 1
        _write(session, states, batch)
        self.report.errors.sort(key=lambda e: e.line)  # a batch lists its parse errors first
        if self.progress is not None:
            self.progress(len(raw_lines))
        return _changed_panels(states)

    def _check(
        self,
        session: Session,
        line: ImportLine,
        states: dict[Any, _CandidateState],
        positions_of: dict[uuid.UUID, str],
    ) -> "_Valid":
        """Check one line against the candidate's rubric and rules, and its interviewer against
        the candidate's scorecards (those stored and those of the valid lines before it)."""
        state = _state_for(line, states, positions_of)
        state.named = True
        # Pinned or not yet, the rubric is the same: a first submission pins the one it used.
        rubric = self._rubric(session, state)
        rules = verdicts.rules_version(state.row["rules_version"])
        # The line's answer fields have the types of Answers' own, validated with the line:
        # the same Answers as `verdicts.answers_for` would make of them, without validating
        # them again; then checked against the rubric as it does.
        answers = Answers.model_construct(
            ratings=line.ratings,
            flags=line.flags,
            notes=line.notes,
            overall_recommendation=line.overall_recommendation,
            language=line.language,
        )
        try:
            check_answers(rubric, answers)
            if line.status == "submitted":
                verdicts.require_submittable(rubric, answers, rules)
        except (AnswersError, RuleViolation) as exc:
            raise LineRefused(exc.errors) from exc
        email = str(line.interviewer.email).lower()
        if email in state.emails:
            raise LineRefused(
                [FieldError("interviewer.email", "already has an assessment of this candidate")]
            )
        state.emails.add(email)
        return _Valid(line, state, rubric, answers, email)

    def _line(self, session: Session, checked: "_Valid", batch: _Batch) -> None:
        """Add the rows of a valid line."""
        line, state, rubric, answers, email = (
            checked.line,
            checked.state,
            checked.rubric,
            checked.answers,
            checked.email,
        )
        if state.new and not state.created:
            self._create_candidate(session, line.candidate, state, batch)
        before = dict(state.row)
        now = utcnow()
        stored = answers.model_dump(mode="json")
        submitted = line.status == "submitted"
        assessment = {
            "id": new_id(),
            "version": 1,
            "candidate_id": state.row["id"],
            "interviewer_name": line.interviewer.name,
            "interviewer_email": email,
            "status": line.status,
            "answers": stored,
            "summary": line.summary,
            "revision": 1 if submitted else 0,
            "created_at": now,
            "updated_at": now,
            "submitted_at": (line.submitted_at or now) if submitted else None,
        }
        batch.assessments.append(assessment)
        batch.audit_row(recorder.core_created(session, Assessment, assessment))
        if state.row["status"] == "new":
            state.row["status"] = "in_review"
        text = batch.json(assessment.pop("answers"))
        assessment[jsontext.key("answers")] = text
        if submitted:
            self._submit(session, state, rubric, answers, stored, text, assessment, batch)
        change = recorder.core_updated(session, Candidate, state.row["id"], before, state.row)
        if batch.audit_row(change):
            state.updates += 1

    def _rubric(self, session: Session, state: _CandidateState) -> Rubric:
        version_id = state.row["rubric_version_id"]
        if version_id is not None:
            return self.registry.load(session, version_id)
        return positions.rubric_for(self.registry, state.rubric_id)

    def _create_candidate(
        self,
        session: Session,
        data: ImportedCandidate | None,
        state: _CandidateState,
        batch: _Batch,
    ) -> None:
        assert data is not None  # a new state comes from a `candidate` object  # noqa: S101
        state.created = True
        batch.candidates.append(state.row)
        batch.audit_row(recorder.core_created(session, Candidate, dict(state.row)))
        batch.outbox += webhooks.emit_rows(
            session,
            "candidate.created",
            {"candidate_id": str(state.row["id"]), "position_id": str(data.position_id)},
        )
        self.report.candidates_created += 1

    def _submit(
        self,
        session: Session,
        state: _CandidateState,
        rubric: Rubric,
        answers: Answers,
        stored: dict[str, Any],
        stored_text: str,
        assessment: dict[str, Any],
        batch: _Batch,
    ) -> None:
        """Pin, score once, and keep the panel recommendation: as `assessments.service._freeze`.

        The panel's recommendation after each line is what the candidate's audit row and the
        `verdict.changed` event say; the panel verdict's facts are worked out and stored once
        per candidate, when the import ends (`Importer._materialise`)."""
        row = state.row
        if row["rubric_version_id"] is None:
            row["rubric_version_id"] = self.registry.snapshot(session, rubric)
        if row["rules_version"] is None:
            row["rules_version"] = CURRENT_RULES
        rules = verdicts.rules_version(row["rules_version"])
        revision = assessments.revision_row(assessment["id"], 1, stored, assessment["summary"])
        revision["created_at"] = assessment["created_at"]
        ratings = {k: v for k, v in answers.ratings.items() if v is not None}
        decision = decide(rubric, ratings, {f.id for f in answers.flags}, rules, batch.walks)
        verdict = {
            "id": new_id(),
            "assessment_id": assessment["id"],
            "revision": 1,
            "rubric_version_id": row["rubric_version_id"],
            "rules_version": rules,
            "recommendation": decision.recommendation,
            "score": decision.score,
            "coverage": decision.coverage,
            "cause": "submitted",
            "created_at": assessment["created_at"],
        }
        batch.audit_row(recorder.core_created(session, AssessmentRevision, revision))
        batch.audit_row(recorder.core_created(session, VerdictRecord, verdict))
        del revision["answers"]
        revision[jsontext.key("answers")] = stored_text  # the assessment's, serialized once
        batch.revisions.append(revision)
        batch.verdicts.append(verdict)
        batch.outbox += webhooks.emit_rows(
            session,
            "assessment.submitted",
            {
                "assessment_id": str(assessment["id"]),
                "candidate_id": str(row["id"]),
                "revision": 1,
            },
        )
        state.panel.append(
            _Member(
                assessment["submitted_at"],
                str(assessment["id"]),
                assessment["interviewer_name"],
                assessment["interviewer_email"],
                answers,
                assessment["summary"],
            )
        )
        state.panel.sort(key=lambda m: (m.submitted_at, m.id))
        state.panel_changed = True
        if len(state.panel) == 1:  # a panel of one recommends what its scorecard decided
            after = decision.recommendation  # (a property test in tests/scoring holds it)
        else:
            after = panel_recommendation(rubric, verdicts.members(state.panel), rules, batch.walks)
        before = row["recommendation"]
        if after != before:
            row["recommendation"] = after
            row["updated_at"] = utcnow()
            batch.outbox += webhooks.emit_rows(
                session,
                "verdict.changed",
                {"candidate_id": str(row["id"]), "before": before, "after": after},
            )


def _batches(lines: Lines, size: int) -> Iterator[list[tuple[int, bytes]]]:
    batch: list[tuple[int, bytes]] = []
    for item in lines:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _external_key(position_id: Any, external_id: Any) -> tuple[str, str]:
    return (str(position_id), str(external_id))


def _load(
    session: Session, lines: list[ImportLine], known: Mapping[str, _Member]
) -> tuple[dict[Any, _CandidateState], dict[uuid.UUID, str]]:
    """The batch's candidates (by id and by position and external id), locked, with their
    scorecards, and the rubric id of every position the batch names.

    `known`: scorecards an earlier batch of the import holds, by id: their answers at the same
    revision are not read and checked again."""
    ids = {line.candidate_id for line in lines if line.candidate_id is not None}
    externals = {
        _external_key(line.candidate.position_id, line.candidate.external_id)
        for line in lines
        if line.candidate is not None
    }
    conditions: list[ColumnElement[bool]] = []
    if ids:
        conditions.append(CANDIDATES.c.id.in_(sorted(ids)))
    if externals:
        conditions.append(
            CANDIDATES.c.external_id.in_(sorted({e for _, e in externals}))
            & CANDIDATES.c.position_id.in_(sorted({uuid.UUID(p) for p, _ in externals}))
        )
    connection = session.connection()
    states: dict[Any, _CandidateState] = {}
    position_ids = {uuid.UUID(p) for p, _ in externals}
    rows: list[dict[str, Any]] = []
    if conditions:
        # Locked in id order: two imports touching the same candidates queue, never deadlock.
        statement = select(CANDIDATES).where(or_(*conditions)).order_by(CANDIDATES.c.id)
        if session.get_bind().dialect.name == "postgresql":
            statement = statement.with_for_update()  # one writer per candidate, as per request
        rows = [dict(r._mapping) for r in connection.execute(statement)]
    position_ids |= {r["position_id"] for r in rows}
    positions_of: dict[uuid.UUID, str] = {}
    if position_ids:
        found = connection.execute(
            select(POSITIONS.c.id, POSITIONS.c.rubric_id).where(
                POSITIONS.c.id.in_(sorted(position_ids))
            )
        )
        positions_of = {row.id: row.rubric_id for row in found}
    by_id: dict[Any, _CandidateState] = {}
    for row in rows:
        state = _CandidateState(row=row, rubric_id=positions_of[row["position_id"]])
        by_id[row["id"]] = state
        states[row["id"]] = state
        if row["external_id"] is not None:
            states[_external_key(row["position_id"], row["external_id"])] = state
    if by_id:
        scorecards = connection.execute(
            select(
                ASSESSMENTS.c.id,
                ASSESSMENTS.c.candidate_id,
                ASSESSMENTS.c.interviewer_name,
                ASSESSMENTS.c.interviewer_email,
                ASSESSMENTS.c.status,
                ASSESSMENTS.c.summary,
                ASSESSMENTS.c.submitted_at,
                ASSESSMENTS.c.revision,
            ).where(ASSESSMENTS.c.candidate_id.in_(list(by_id)))
        ).all()
        held: dict[str, Answers] = {}
        unknown = []
        for a in scorecards:
            if a.status != "submitted":
                continue
            member = known.get(str(a.id))
            if member is not None and member.revision == a.revision:
                held[str(a.id)] = member.answers  # a revision's answers never change
            else:
                unknown.append(a.id)
        if unknown:
            answered = connection.execute(
                select(ASSESSMENTS.c.id, ASSESSMENTS.c.answers).where(ASSESSMENTS.c.id.in_(unknown))
            )
            held |= {str(a.id): Answers.model_validate(a.answers) for a in answered}
        for a in scorecards:
            state = by_id[a.candidate_id]
            state.emails.add(a.interviewer_email)
            if a.status == "submitted":
                state.panel.append(
                    _Member(
                        a.submitted_at,
                        str(a.id),
                        a.interviewer_name,
                        a.interviewer_email,
                        held[str(a.id)],
                        a.summary,
                        a.revision,
                    )
                )
        for state in by_id.values():
            state.panel.sort(key=lambda m: (m.submitted_at, m.id))
    return states, positions_of


def _state_for(
    line: ImportLine, states: dict[Any, _CandidateState], positions_of: dict[uuid.UUID, str]
) -> _CandidateState:
    """The line's candidate: found by id, by position and external id, or a new one."""
    if line.candidate_id is not None:
        state = states.get(line.candidate_id)
        if state is None:
            raise LineRefused([FieldError("candidate_id", f"no candidate {line.candidate_id}")])
    else:
        data = line.candidate
        assert data is not None  # parse_line checked that one of the two is given  # noqa: S101
        key = _external_key(data.position_id, data.external_id)
        state = states.get(key)
        if state is None:
            if data.position_id not in positions_of:
                raise LineRefused(
                    [FieldError("candidate.position_id", f"no position {data.position_id}")]
                )
            state = _new_candidate(data, positions_of[data.position_id])
            states[key] = states[state.row["id"]] = state
    if state.row["erased_at"] is not None:
        raise LineRefused([FieldError("candidate_id", ERASED)])
    return state


def _new_candidate(data: ImportedCandidate, rubric_id: str) -> _CandidateState:
    now = utcnow()
    row: dict[str, Any] = {
        "id": new_id(),
        "version": 1,
        "position_id": data.position_id,
        "full_name": data.full_name,
        "email": str(data.email) if data.email is not None else None,
        "external_id": data.external_id,
        "source": data.source,
        "status": "new",
        "recommendation": None,
        "search_text": "",
        "rubric_version_id": None,
        "rules_version": None,
        "erased_at": None,
        "created_at": now,
        "updated_at": now,
    }
    row["search_text"] = folded_search_text(row["full_name"], row["email"], row["external_id"])
    return _CandidateState(row=row, rubric_id=rubric_id, new=True)


def _write(
    session: Session | OrmSession, states: dict[Any, _CandidateState], batch: _Batch
) -> None:
    """Insert the batch's rows, one multi-row INSERT per table, and update its candidates."""
    connection = session.connection()
    seen: set[Any] = set()
    changed = []
    for state in states.values():
        if state.row["id"] in seen:
            continue
        seen.add(state.row["id"])
        state.row["version"] += state.updates
        if not state.new and state.updates:
            changed.append({f"b_{k}": state.row[k] for k in ("id", "version", *TRACKED)})
    for table, rows, json_columns in (
        (CANDIDATES, batch.candidates, ()),
        (ASSESSMENTS, batch.assessments, ("answers",)),
        (REVISIONS, batch.revisions, ("answers",)),
        (VERDICTS, batch.verdicts, ()),
        (recorder.AUDIT_TABLE, batch.audit, ("changes",)),
    ):
        insert_rows(connection, table, rows, json_columns)
    if changed:
        connection.execute(
            update(CANDIDATES)
            .where(CANDIDATES.c.id == bindparam("b_id"))
            .values({k: bindparam(f"b_{k}") for k in ("version", *TRACKED)}),
            changed,
        )
    insert_rows(connection, OUTBOX, batch.outbox)


def _changed_panels(states: dict[Any, _CandidateState]) -> dict[uuid.UUID, _CandidateState]:
    """The batch's candidates whose panel a submitted line changed, or whom a line named, by
    id: the panel verdict stored for the latter is made fresh if it is stale (a retry after an
    import stopped before the end, see `Importer._materialise`)."""
    return {s.row["id"]: s for s in states.values() if s.panel_changed or s.named}


def _store_panels(
    session: Session, registry: RubricRegistry, states: Sequence[_CandidateState]
) -> None:
    """Work out and store the panel verdicts of `states` (each as the import left it), in one
    statement; skipping any candidate whose submitted scorecards or pinned versions in the
    database (read and locked here) are no longer those the import left."""
    if not states:
        return
    connection = session.connection()
    ids = sorted(s.row["id"] for s in states)
    statement = (
        select(CANDIDATES.c.id, CANDIDATES.c.rubric_version_id, CANDIDATES.c.rules_version)
        .where(CANDIDATES.c.id.in_(ids), CANDIDATES.c.erased_at.is_(None))
        .order_by(CANDIDATES.c.id)
    )
    if connection.dialect.name == "postgresql":
        statement = statement.with_for_update()
    pinned = {r.id: (r.rubric_version_id, r.rules_version) for r in connection.execute(statement)}
    kept = {
        r.candidate_id: r.panel_key
        for r in connection.execute(
            select(PANELS.c.candidate_id, PANELS.c.panel_key).where(PANELS.c.candidate_id.in_(ids))
        )
    }
    found: dict[Any, list[tuple[str, int]]] = {i: [] for i in ids}
    for a in connection.execute(
        select(ASSESSMENTS.c.candidate_id, ASSESSMENTS.c.id, ASSESSMENTS.c.revision)
        .where(ASSESSMENTS.c.candidate_id.in_(ids), ASSESSMENTS.c.status == "submitted")
        .order_by(ASSESSMENTS.c.submitted_at, ASSESSMENTS.c.id)
    ):
        found[a.candidate_id].append((str(a.id), a.revision))
    walks: Walks = {}
    panels: list[verdicts.Panel] = []
    dialect = connection.dialect
    for state in states:
        row = state.row
        scorecards = [(m.id, m.revision) for m in state.panel]
        now = pinned.get(row["id"])
        if now is None or now != (row["rubric_version_id"], row["rules_version"]):
            continue  # erased (its verdict holds notes), or rescored (which stored its own)
        if row["rubric_version_id"] is None or found[row["id"]] != scorecards:
            continue  # nothing submitted; or another request changed the scorecards (and
            # stored its verdict)
        rules = verdicts.rules_version(row["rules_version"])
        if kept.get(row["id"]) == verdicts.panel_key(rules, row["rubric_version_id"], scorecards):
            continue  # stored, fresh
        rubric = registry.load(session, row["rubric_version_id"])
        facts = panel_facts(rubric, verdicts.members(state.panel), rules, walks)
        panels.append(
            verdicts.Panel(
                row["id"],
                row["rubric_version_id"],
                rules,
                scorecards,
                jsontext.dumps(dialect, facts),
            )
        )
    verdicts.store_panels(session, panels)
