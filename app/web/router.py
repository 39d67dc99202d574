"""The pages: sign-in, candidates, a candidate, the assessment form with its live preview.

Each handler parses the form, calls the same services as the API, and renders a template. A
refused form comes back with the reason next to each field and everything typed kept.
"""

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, select

from app.access import users
from app.access.models import Principal
from app.access.policy import P
from app.assessments import access
from app.assessments import service as assessments
from app.assessments.models import Assessment, AssessmentCreate, AssessmentUpdate
from app.candidates import service as candidates
from app.candidates.models import Candidate, CandidateCreate
from app.core.deps import RegistryDep, SessionDep
from app.core.errors import Forbidden, Problem
from app.decisions import service as decisions
from app.decisions.models import DecisionCreate
from app.positions import service as positions
from app.positions.models import PositionCreate
from app.reports import html as report_html
from app.reports import pdf as report_pdf
from app.reports import service as reports
from app.rubric.model import Rubric
from app.rubric.store import RubricRegistry
from app.scoring import AnswersError, score
from app.scoring.answers import FieldError, parse_answers
from app.screenings import service as screenings
from app.verdicts import service as verdicts
from app.web.render import language_of, page
from app.web.session import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    Csrf,
    PageRoute,
    PublicPageRoute,
    new_login_csrf,
)

public = APIRouter(route_class=PublicPageRoute, include_in_schema=False)
router = APIRouter(route_class=PageRoute, include_in_schema=False)
Errors = dict[str, str]


async def form_data(request: Request) -> dict[str, str]:
    """The submitted form, as field name -> value (last value wins)."""
    form = await request.form()
    return {k: v for k, v in form.multi_items() if isinstance(v, str)}


FormData = Annotated[dict[str, str], Depends(form_data)]


def _errors(items: list[FieldError]) -> Errors:
    return {e.loc: e.message for e in items}


def _validation_errors(exc: ValidationError) -> Errors:
    return {".".join(str(p) for p in e["loc"]): e["msg"] for e in exc.errors()}


def _need(principal: Principal, *permissions: P) -> None:
    if not any(principal.can(p) for p in permissions):
        raise Forbidden(f"the role '{principal.role}' may not do this")


def _principal(request: Request) -> Principal:
    principal: Principal = request.state.principal
    return principal


# Sign-in and sign-out ---------------------------------------------------------------------


@public.get("/sign-in")
def sign_in_page(request: Request, next: str = "/candidates") -> HTMLResponse:
    """The sign-in form."""
    token = new_login_csrf()
    response = page(request, "sign_in.html", login_csrf=token, next=_safe(next), email="")
    response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict")
    return response


def _safe(target: str) -> str:
    """Only a local path: the sign-in page never sends anyone to another site."""
    return target if target.startswith("/") and not target.startswith("//") else "/candidates"


@public.post("/sign-in")
def sign_in(
    request: Request,
    session: SessionDep,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/candidates",
) -> Response:
    """Check the password; open a session and go on, or say what went wrong."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    user = users.check_password(session, email, password)
    if not users.csrf_ok(expected, csrf_token) or user is None:
        key = "bad_credentials" if users.csrf_ok(expected, csrf_token) else "session_expired"
        token = new_login_csrf()
        response = page(
            request,
            "sign_in.html",
            401,
            login_csrf=token,
            next=_safe(next),
            email=email,
            error=key,
        )
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict")
        return response
    session.info["principal"] = users.principal_of(user)
    token, _row = users.open_session(session, user)
    redirect = RedirectResponse(_safe(next), status_code=303)
    secure = request.app.state.settings.env == "production"
    redirect.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(users.SESSION_LIFETIME.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    redirect.delete_cookie(LOGIN_CSRF_COOKIE)
    return redirect


@router.post("/sign-out", dependencies=[Csrf])
def sign_out(request: Request, session: SessionDep) -> Response:
    """End the session."""
    users.close_session(session, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request) -> Response:
    """The candidates list is the home page."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/candidates{query}", status_code=303)


# Positions and candidates -----------------------------------------------------------------


def _positions(session: Session) -> list[Any]:
    rows, _ = positions.list_page(session, limit=100, cursor=None)
    return rows


@router.get("/positions")
def positions_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Open positions, and a form to open one."""
    _need(_principal(request), P.POSITIONS_READ)
    return page(request, "positions.html", positions=_positions(session), values={}, errors={})


@router.post("/positions", dependencies=[Csrf])
def add_position(
    request: Request, session: SessionDep, registry: RegistryDep, form: FormData
) -> Response:
    """Open a position with the shipped rubric."""
    _need(_principal(request), P.POSITIONS_WRITE)
    try:
        positions.create(session, registry, PositionCreate(title=form.get("title", "")))
    except ValidationError as exc:
        return page(
            request,
            "positions.html",
            422,
            positions=_positions(session),
            values=form,
            errors=_validation_errors(exc),
        )
    return RedirectResponse("/positions", status_code=303)


def _list(
    request: Request, session: Session, values: dict[str, str], errors: Errors, status: int
) -> HTMLResponse:
    params = request.query_params
    rows, following = candidates.list_page(
        session,
        position_id=_uuid(params.get("position_id")),
        status=params.get("status") or None,
        recommendation=params.get("recommendation") or None,
        text=params.get("q") or None,
        limit=50,
        cursor=params.get("cursor"),
    )
    titles = {p.id: p.title for p in _positions(session)}
    return page(
        request,
        "candidates.html",
        status,
        candidates=rows,
        following=following,
        positions=titles,
        query=dict(params),
        values=values,
        errors=errors,
    )


def _uuid(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(value) if value else None
    except ValueError:
        return None


@router.get("/candidates")
def candidates_page(request: Request, session: SessionDep) -> HTMLResponse:
    """Candidates with search, filters and a badge per recommendation."""
    _need(_principal(request), P.CANDIDATES_READ)
    return _list(request, session, {}, {}, 200)


@router.post("/candidates", dependencies=[Csrf])
def add_candidate(request: Request, session: SessionDep, form: FormData) -> Response:
    """Add a candidate to a position."""
    _need(_principal(request), P.CANDIDATES_WRITE)
    fields = {
        "full_name": form.get("full_name", ""),
        "position_id": form.get("position_id", ""),
        "email": form.get("email") or None,
        "external_id": form.get("external_id") or None,
    }
    try:
        candidate = candidates.create(session, CandidateCreate.model_validate(fields))
    except ValidationError as exc:
        return _list(request, session, form, _validation_errors(exc), 422)
    except Problem as exc:
        return _list(request, session, form, _errors(exc.errors), exc.status)
    return RedirectResponse(f"/candidates/{candidate.id}", status_code=303)


# A candidate ------------------------------------------------------------------------------


def _mine(session: Session, candidate: Candidate, principal: Principal) -> Assessment | None:
    if principal.email is None:
        return None
    return session.exec(
        select(Assessment).where(
            Assessment.candidate_id == candidate.id,
            Assessment.interviewer_email == principal.email.lower(),
        )
    ).first()


def _candidate_page(
    request: Request,
    session: Session,
    registry: RubricRegistry,
    candidate: Candidate,
    *,
    values: dict[str, str] | None = None,
    errors: Errors | None = None,
    status: int = 200,
    invite_link: str | None = None,
) -> HTMLResponse:
    principal = _principal(request)
    language = language_of(request)
    position = positions.to_public(
        positions.get(session, candidate.position_id), registry, language
    )
    sees_panel = principal.can(P.VERDICTS_READ) and access.sees_panel(
        session, candidate.id, principal
    )
    verdict = verdicts.panel(session, registry, candidate, language) if sees_panel else None
    readable = principal.can(P.ASSESSMENTS_ALL) or principal.can(P.ASSESSMENTS_OWN)
    scorecards = (
        access.visible(
            session, candidate.id, assessments.for_candidate(session, candidate.id), principal
        )
        if readable
        else []
    )
    history = (
        [decisions.to_public(d) for d in decisions.history(session, candidate)]
        if principal.can(P.DECISIONS_READ)
        else None
    )
    return page(
        request,
        "candidate.html",
        status,
        candidate=candidate,
        position=position,
        verdict=verdict,
        titles={c.id: c.title for c in verdict.criteria} if verdict else {},
        scorecards=scorecards,
        history=history,
        mine=_mine(session, candidate, principal) if readable else None,
        can_assess=readable and principal.email is not None,
        can_decide=principal.can(P.DECISIONS_WRITE),
        can_report=principal.can(P.REPORTS_READ),
        can_invite=principal.can(P.CANDIDATES_WRITE),
        invite_link=invite_link,
        values=values or {"decided_by": principal.name},
        errors=errors or {},
    )


@router.get("/candidates/{candidate_id}")
def candidate_page(
    candidate_id: uuid.UUID, request: Request, session: SessionDep, registry: RegistryDep
) -> HTMLResponse:
    """A candidate: details, warnings, verdict, scorecards, decisions, reports."""
    _need(_principal(request), P.CANDIDATES_READ)
    return _candidate_page(request, session, registry, candidates.get(session, candidate_id))


@router.post("/candidates/{candidate_id}/decisions", dependencies=[Csrf])
def decide(
    candidate_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    registry: RegistryDep,
    form: FormData,
) -> Response:
    """Record a decision; against the advice without a rationale, say so next to the field."""
    _need(_principal(request), P.DECISIONS_WRITE)
    candidate = candidates.get(session, candidate_id, lock=True)
    fields = {k: form.get(k, "") for k in ("decision", "decided_by", "rationale")}
    try:
        decisions.record(
            session,
            registry,
            candidate,
            DecisionCreate.model_validate(fields),
            language_of(request),
        )
    except ValidationError as exc:
        errors = _validation_errors(exc)
    except Problem as exc:
        errors = _errors(exc.errors) or {"decision": exc.detail}
    else:
        return RedirectResponse(f"/candidates/{candidate_id}#decisions", status_code=303)
    return _candidate_page(
        request, session, registry, candidate, values=form, errors=errors, status=422
    )


@router.post("/candidates/{candidate_id}/screenings", dependencies=[Csrf])
def invite(
    candidate_id: uuid.UUID, request: Request, session: SessionDep, registry: RegistryDep
) -> HTMLResponse:
    """Create a self-screen link in the reader's language and show it once."""
    _need(_principal(request), P.CANDIDATES_WRITE)
    candidate = candidates.get(session, candidate_id)
    _screening, token = screenings.create(
        session, candidate, screenings.rubric_of(session, candidate), language_of(request), 7
    )
    link = f"{request.base_url}screening/{token}"
    return _candidate_page(request, session, registry, candidate, invite_link=link)


@router.get("/candidates/{candidate_id}/report.{extension}")
def report(
    candidate_id: uuid.UUID,
    extension: str,
    request: Request,
    session: SessionDep,
    registry: RegistryDep,
) -> Response:
    """The candidate report as PDF (download) or printable HTML, in the reader's language."""
    _need(_principal(request), P.REPORTS_READ)
    built = reports.build(
        session, registry, candidates.get(session, candidate_id), language_of(request)
    )
    if extension == "pdf":
        return Response(
            report_pdf.render(built),
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="tamis-report-{candidate_id}.pdf"'
            },
        )
    if extension == "html":
        return HTMLResponse(report_html.render(built))
    return HTMLResponse(status_code=404)


# The assessment form ----------------------------------------------------------------------


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
    principal = _principal(request)
    rubric = verdicts.rubric_of(session, registry, candidate)
    mine = _mine(session, candidate, principal)
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
        assessment=mine,
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
    principal = _principal(request)
    _need(principal, P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)
    candidate = candidates.get(session, candidate_id)
    values = _form_values(_mine(session, candidate, principal))
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
    principal = _principal(request)
    _need(principal, P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)
    if principal.email is None:
        raise Forbidden("an assessment is written in the name of a signed-in person")
    candidate = candidates.get(session, candidate_id, lock=True)
    rubric = verdicts.rubric_of(session, registry, candidate)
    answers = _answers_from(rubric, form)
    language = language_of(request)
    mine = _mine(session, candidate, principal)
    try:
        if mine is None:
            mine = assessments.create(
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
        elif mine.status == "draft":
            assessments.update_draft(
                session,
                registry,
                mine,
                AssessmentUpdate.model_validate(
                    {**answers, "summary": form.get("summary", ""), "language": language}
                ),
            )
        if form.get("action") == "submit" and mine.status == "draft":
            assessments.submit(session, registry, mine)
            return RedirectResponse(f"/candidates/{candidate_id}", status_code=303)
    except ValidationError as exc:
        errors = _validation_errors(exc)
    except Problem as exc:
        errors = _errors(exc.errors) or {"form": exc.detail}
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
    _need(_principal(request), P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)
    candidate = candidates.get(session, candidate_id)
    rubric = verdicts.rubric_of(session, registry, candidate)
    verdict = _preview(rubric, _answers_from(rubric, form), language_of(request))
    return page(request, "_preview.html", preview=verdict)
