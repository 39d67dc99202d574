"""The interviewer's assessment form, with the live preview of its verdict."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.access.policy import P
from app.assessments import service as assessments
from app.assessments.models import Assessment, AssessmentCreate, AssessmentUpdate
from app.candidates import service as candidates
from app.candidates.models import Candidate
from app.core.deps import RegistryDep, SessionDep
from app.core.errors import Forbidden, Problem
from app.rubric.model import Rubric
from app.rubric.store import RubricRegistry
from app.scoring import AnswersError, score
from app.scoring.answers import parse_answers
from app.screenings import service as screenings
from app.web.common import (
    Errors,
    FormData,
    field_errors,
    need,
    own_scorecard,
    principal_of,
    validation_errors,
)
from app.web.render import language_of, page
from app.web.session import Csrf, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _answers_from(rubric: Rubric, form: dict[str, str]) -> dict[str, Any]:
    ratings: dict[str, int | None] = {}
    for criterion in rubric.criteria:
        raw = form.get(f"rating.{criterion.id}", "")
        ratings[criterion.id] = int(raw) if raw.isdigit() else None
    notes = {
        c.id: form[f"note.{c.id}"].strip()
        for c in rubric.criteria
        if form.get(f"note.{c.id}", "").strip()
    }
    flags: list[dict[str, Any]] = []
    for flag in rubric.flags:
        note = form.get(f"flagnote.{flag.id}", "").strip()
        quote = form.get(f"suggestquote.{flag.id}", "").strip()
        if form.get(f"suggest.{flag.id}") and quote:
            # A confirmed suggestion: the assessment records where the flag came from.
            flags.append(
                {"id": flag.id, "note": note or quote, "origin": "suggestion", "quote": quote}
            )
        elif form.get(f"flag.{flag.id}"):
            flags.append({"id": flag.id, "note": note})
    return {"ratings": ratings, "notes": notes, "flags": flags}


def _form_values(assessment: Assessment | None) -> dict[str, str]:
    if assessment is None:
        return {}
    answers = assessment.answers
    values = {f"rating.{k}": str(v) for k, v in answers.get("ratings", {}).items() if v}
    values |= {f"note.{k}": v for k, v in answers.get("notes", {}).items()}
    for flag in answers.get("flags", []):
        values[f"flag.{flag['id']}"] = "on"
        values[f"flagnote.{flag['id']}"] = flag.get("note") or ""
        if flag.get("origin") == "suggestion":
            values[f"suggest.{flag['id']}"] = "on"
    values["summary"] = assessment.summary
    return values


def _assessment_page(
    request: Request,
    session: Session,
    registry: RubricRegistry,
    candidate: Candidate,
    *,
    values: dict[str, str],
    errors: Errors,
    status: int = 200,
    notice: str | None = None,
) -> HTMLResponse:
    principal = principal_of(request)
    rubric = assessments.rubric_of(session, registry, candidate)
    own = own_scorecard(session, candidate, principal)
    preview = _preview(rubric, _answers_from(rubric, values), language_of(request))
    state = request.app.state
    self_screens = [
        screenings.present(s, registry, state.questionnaires, state.signals, language_of(request))
        for s in screenings.for_candidate(session, candidate.id)
    ]
    return page(
        request,
        "assessment.html",
        status,
        self_screens=[s for s in self_screens if s.status == "answered"],
        pending_screen=any(s.status == "pending" for s in self_screens),
        candidate=candidate,
        rubric=rubric,
        assessment=own,
        values=values,
        errors=errors,
        preview=preview,
        notice=notice,
        language=language_of(request),
    )


def _preview(rubric: Rubric, answers: dict[str, Any], language: Any) -> Any:
    try:
        return score(rubric, parse_answers(rubric, {**answers, "language": language}), language)
    except AnswersError:
        return None


@router.get("/candidates/{candidate_id}/assessment")
def assessment_form(
    candidate_id: uuid.UUID, request: Request, session: SessionDep, registry: RegistryDep
) -> HTMLResponse:
    """The signed-in interviewer's scorecard for this candidate."""
    principal = principal_of(request)
    need(principal, P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)
    candidate = candidates.get(session, candidate_id)
    values = _form_values(own_scorecard(session, candidate, principal))
    return _assessment_page(request, session, registry, candidate, values=values, errors={})


@router.post("/candidates/{candidate_id}/assessment", dependencies=[Csrf])
def save_assessment(
    candidate_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    registry: RegistryDep,
    form: FormData,
) -> Response:
    """Save the draft, then submit it if asked; a refusal keeps the draft and what was typed."""
    principal = principal_of(request)
    need(principal, P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)
    if principal.email is None:
        raise Forbidden("an assessment is written in the name of a signed-in person")
    candidate = candidates.get(session, candidate_id, lock=True)
    rubric = assessments.rubric_of(session, registry, candidate)
    answers = _answers_from(rubric, form)
    language = language_of(request)
    own = own_scorecard(session, candidate, principal)
    try:
        if own is None:
            own = assessments.create(
                session,
                registry,
                candidate,
                AssessmentCreate.model_validate(
                    {
                        "interviewer": {"name": principal.name, "email": principal.email},
                        **answers,
                        "summary": form.get("summary", ""),
                        "language": language,
                    }
                ),
            )
        elif own.status == "draft":
            assessments.update_draft(
                session,
                registry,
                own,
                AssessmentUpdate.model_validate(
                    {**answers, "summary": form.get("summary", ""), "language": language}
                ),
            )
        if form.get("action") == "submit" and own.status == "draft":
            assessments.submit(session, registry, own)
            return RedirectResponse(f"/candidates/{candidate_id}", status_code=303)
    except ValidationError as exc:
        errors = validation_errors(exc)
    except Problem as exc:
        errors = field_errors(exc.errors) or {"form": exc.detail}
    else:
        return _assessment_page(
            request, session, registry, candidate, values=form, errors={}, notice="saved"
        )
    return _assessment_page(
        request, session, registry, candidate, values=form, errors=errors, status=422
    )


@router.post("/candidates/{candidate_id}/assessment/preview", dependencies=[Csrf])
def preview(
    candidate_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    registry: RegistryDep,
    form: FormData,
) -> HTMLResponse:
    """The verdict of the form as it stands, scored by the engine (an HTML fragment)."""
    need(principal_of(request), P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)
    candidate = candidates.get(session, candidate_id)
    rubric = assessments.rubric_of(session, registry, candidate)
    verdict = _preview(rubric, _answers_from(rubric, form), language_of(request))
    return page(request, "_preview.html", preview=verdict)
