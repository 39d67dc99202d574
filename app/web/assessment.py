"""The interviewer's assessment form, with the live preview of its verdict."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session

from app.access.policy import P
from app.assessments import service as assessments
from app.assessments.models import Amendment, Assessment, AssessmentCreate, AssessmentUpdate
from app.candidates import service as candidates
from app.candidates.models import Candidate
from app.core.deps import SessionDep
from app.core.errors import Forbidden, Problem
from app.core.i18n import Language, format_time, reader_zone
from app.rubric.deps import RegistryDep
from app.rubric.model import Rubric
from app.rubric.store import RubricRegistry
from app.scoring import AnswersError, score
from app.scoring.answers import NOT_OBSERVED, parse_answers
from app.screenings import service as screenings
from app.verdicts import service as verdicts
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
from app.web.text import TEXT

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def _accepts_spec13() -> bool:
    """Whether the assessments' models take "not_observed" and an own recommendation yet."""
    try:
        AssessmentUpdate.model_validate({"ratings": {"any": NOT_OBSERVED}})
    except ValidationError:
        return False
    return "overall_recommendation" in AssessmentUpdate.model_fields


SPEC13 = _accepts_spec13()
RECOMMENDATIONS = ("strong_hire", "hire", "hold", "no_hire")


def _answers_from(rubric: Rubric, form: dict[str, str]) -> dict[str, Any]:
    ratings: dict[str, int | str | None] = {}
    for criterion in rubric.criteria:
        raw = form.get(f"rating.{criterion.id}", "").strip()
        # Only ASCII digits are a rating ("²" and "①" are digits to str.isdigit, not to int):
        # anything else goes on to validation, which refuses it by name.
        ratings[criterion.id] = int(raw) if raw.isascii() and raw.isdigit() else (raw or None)
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
    own = form.get("overall_recommendation", "")
    return {
        "ratings": ratings,
        "notes": notes,
        "flags": flags,
        "overall_recommendation": own if own in RECOMMENDATIONS else None,
    }


def _storable(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers the assessments' models take (before they know "not_observed": unrated)."""
    if SPEC13:
        return answers
    ratings = {k: None if v == NOT_OBSERVED else v for k, v in answers["ratings"].items()}
    return {
        **{k: v for k, v in answers.items() if k != "overall_recommendation"},
        "ratings": ratings,
    }


def _form_values(assessment: Assessment | None) -> dict[str, str]:
    if assessment is None:
        return {}
    answers = assessment.answers
    values = {f"rating.{k}": str(v) for k, v in answers.get("ratings", {}).items() if v}
    if answers.get("overall_recommendation"):
        values["overall_recommendation"] = answers["overall_recommendation"]
    values |= {f"note.{k}": v for k, v in answers.get("notes", {}).items()}
    for flag in answers.get("flags", []):
        values[f"flag.{flag['id']}"] = "on"
        # A confirmed suggestion saved without a note of the interviewer's own carries the
        # candidate's quote as its note: the note field is the interviewer's, so it stays empty.
        note = flag.get("note") or ""
        own = note if note != flag.get("quote") else ""
        values[f"flagnote.{flag['id']}"] = own
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
    amending: bool = False,
) -> HTMLResponse:
    principal = principal_of(request)
    rubric = verdicts.rubric_of(session, registry, candidate)
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
        amending=amending,
        **_facts(rubric, preview, language_of(request)),
        rated=sum(1 for c in rubric.criteria if values.get(f"rating.{c.id}")),
    )


def _facts(rubric: Rubric, verdict: Any, language: Language) -> dict[str, Any]:
    """What the form shows next to its fields from the preview: contradictions, implied flags."""
    contradictions = getattr(verdict, "contradictions", []) if verdict else []
    flags = verdict.flags if verdict else []
    return {
        "titles_by_id": {c.id: c.title.get(language) for c in rubric.criteria},
        "flag_titles": {f.id: f.title.get(language) for f in rubric.flags},
        "contradicted_criteria": {c.criterion for c in contradictions},
        "contradicted_flags": {c.flag for c in contradictions},
        "implied_flags": {f.id for f in flags if getattr(f, "implied_by", None)},
    }


def _preview(rubric: Rubric, answers: dict[str, Any], language: Any) -> Any:
    try:
        return score(rubric, parse_answers(rubric, {**answers, "language": language}), language)
    except AnswersError:
        return None


@router.get("/candidates/{candidate_id}/assessment")
def assessment_form(
    candidate_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    registry: RegistryDep,
    saved: str | None = None,
    amend: str | None = None,
) -> HTMLResponse:
    """The signed-in interviewer's scorecard for this candidate (`?amend=1`: amend it)."""
    principal = principal_of(request)
    need(principal, P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)
    candidate = candidates.get(session, candidate_id)
    values = _form_values(own_scorecard(session, candidate, principal))
    return _assessment_page(
        request,
        session,
        registry,
        candidate,
        values=values,
        errors={},
        notice="saved" if saved else None,
        amending=amend is not None,
    )


def _write_draft(
    request: Request,
    session: Session,
    registry: RubricRegistry,
    candidate: Candidate,
    form: dict[str, str],
) -> Assessment:
    """Create or change the signed-in interviewer's draft from the form."""
    principal = principal_of(request)
    if principal.email is None:
        raise Forbidden("an assessment is written in the name of a signed-in person")
    rubric = verdicts.rubric_of(session, registry, candidate)
    answers = _storable(_answers_from(rubric, form))
    language = language_of(request)
    own = own_scorecard(session, candidate, principal)
    if own is None:
        return assessments.create(
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
    if own.status == "draft":
        assessments.update_draft(
            session,
            registry,
            own,
            AssessmentUpdate.model_validate(
                {**answers, "summary": form.get("summary", ""), "language": language}
            ),
        )
    return own


def _missing(rubric: Rubric, candidate: Candidate, own: Assessment, language: Language) -> Errors:
    """What the submission rules still need (core criteria answered, contradictions
    explained in a note), by field; empty when the draft can be submitted."""
    try:
        answers = verdicts.answers_for(rubric, own.answers)
        verdicts.require_submittable(rubric, answers, verdicts.rules_of(candidate))
    except Problem as exc:
        return field_errors(exc.errors, language) or {"form": exc.detail}
    return {}


@router.post("/candidates/{candidate_id}/assessment", dependencies=[Csrf])
def save_assessment(
    candidate_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    registry: RegistryDep,
    form: FormData,
) -> Response:
    """Save the draft; "submit" goes on to the review step, "amend" adds a revision.

    A refusal keeps the draft and what was typed, with the reason next to each field.
    """
    principal = principal_of(request)
    need(principal, P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)
    candidate = candidates.get(session, candidate_id, lock=True)
    language = language_of(request)
    rubric = verdicts.rubric_of(session, registry, candidate)
    action = form.get("action", "save")
    here = f"/candidates/{candidate_id}/assessment"
    amending = action == "amend"
    try:
        if amending:
            own = own_scorecard(session, candidate, principal)
            if own is None:
                raise Forbidden("there is no submitted assessment to amend")
            assessments.amend(
                session,
                registry,
                own,
                Amendment.model_validate(
                    {
                        **_storable(_answers_from(rubric, form)),
                        "summary": form.get("summary", ""),
                        "reason": form.get("reason", ""),
                    }
                ),
            )
            return RedirectResponse(f"/candidates/{candidate_id}#assessments", status_code=303)
        own = _write_draft(request, session, registry, candidate, form)
        if action == "submit" and own.status == "draft":
            missing = _missing(rubric, candidate, own, language)
            if missing:
                errors = missing
            else:
                return RedirectResponse(f"{here}/review", status_code=303)
        else:
            return RedirectResponse(f"{here}?saved=1", status_code=303)
    except ValidationError as exc:
        errors = validation_errors(exc, language)
    except Problem as exc:
        errors = field_errors(exc.errors, language) or {"form": exc.detail}
    return _assessment_page(
        request,
        session,
        registry,
        candidate,
        values=form,
        errors=errors,
        status=422,
        amending=amending,
    )


@router.post("/candidates/{candidate_id}/assessment/draft", dependencies=[Csrf])
def autosave(
    candidate_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    registry: RegistryDep,
    form: FormData,
) -> JSONResponse:
    """Autosave of the form: the draft as it stands, and the time it was saved at."""
    principal = principal_of(request)
    need(principal, P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)
    candidate = candidates.get(session, candidate_id, lock=True)
    language = language_of(request)
    try:
        own = _write_draft(request, session, registry, candidate, form)
    except ValidationError as exc:
        return JSONResponse({"errors": validation_errors(exc, language)}, status_code=422)
    except Problem as exc:
        errors = field_errors(exc.errors, language) or {"form": exc.detail}
        return JSONResponse({"errors": errors}, status_code=exc.status)
    if own.status != "draft":
        return JSONResponse({"errors": {"form": TEXT[language]["submitted_note"]}}, 409)
    zone = reader_zone(request.app.state.settings.timezone)
    at = format_time(own.updated_at, language, zone)
    return JSONResponse({"saved_at": at, "text": TEXT[language]["saved_at"].format(time=at)})


@router.get("/candidates/{candidate_id}/assessment/review")
def review(
    candidate_id: uuid.UUID, request: Request, session: SessionDep, registry: RegistryDep
) -> Response:
    """Before submitting: what is unrated, not observed or contradictory, and a confirmation."""
    principal = principal_of(request)
    need(principal, P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)
    candidate = candidates.get(session, candidate_id)
    own = own_scorecard(session, candidate, principal)
    here = f"/candidates/{candidate_id}/assessment"
    if own is None or own.status != "draft":
        return RedirectResponse(here, status_code=303)
    rubric = verdicts.rubric_of(session, registry, candidate)
    language = language_of(request)
    values = _form_values(own)
    verdict = _preview(rubric, _answers_from(rubric, values), language)
    facts = _facts(rubric, verdict, language)
    gaps = _gaps(rubric, own, language)
    gaps["contradictions"] = [
        TEXT[language]["contradiction_line"].format(
            flag=facts["flag_titles"].get(c.flag, c.flag),
            criterion=facts["titles_by_id"].get(c.criterion, c.criterion),
            rating=c.rating,
        )
        for c in (getattr(verdict, "contradictions", []) if verdict else [])
    ]
    return page(
        request,
        "assessment_review.html",
        candidate=candidate,
        gaps=gaps,
        blocking=_missing(rubric, candidate, own, language),
        preview=verdict,
        assessment=own,
        **facts,
    )


@router.post("/candidates/{candidate_id}/assessment/submit", dependencies=[Csrf])
def confirm_submit(
    candidate_id: uuid.UUID, request: Request, session: SessionDep, registry: RegistryDep
) -> Response:
    """Submit the reviewed draft."""
    principal = principal_of(request)
    need(principal, P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)
    candidate = candidates.get(session, candidate_id, lock=True)
    own = own_scorecard(session, candidate, principal)
    if own is None or own.status != "draft":
        return RedirectResponse(f"/candidates/{candidate_id}", status_code=303)
    try:
        assessments.submit(session, registry, own)
    except Problem:
        return RedirectResponse(f"/candidates/{candidate_id}/assessment/review", status_code=303)
    return RedirectResponse(f"/candidates/{candidate_id}#assessments", status_code=303)


def _gaps(rubric: Rubric, own: Assessment, language: Language) -> dict[str, list[str]]:
    """What the review lists: criteria unrated, not observed, and an empty summary."""
    ratings = own.answers.get("ratings", {})
    unrated = [c.title.get(language) for c in rubric.criteria if ratings.get(c.id) is None]
    not_observed = [
        c.title.get(language) for c in rubric.criteria if ratings.get(c.id) == "not_observed"
    ]
    return {
        "unrated": unrated,
        "not_observed": not_observed,
        "no_summary": [] if own.summary.strip() else [TEXT[language]["summary"]],
    }


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
    rubric = verdicts.rubric_of(session, registry, candidate)
    language = language_of(request)
    verdict = _preview(rubric, _answers_from(rubric, form), language)
    return page(request, "_preview.html", preview=verdict, **_facts(rubric, verdict, language))
