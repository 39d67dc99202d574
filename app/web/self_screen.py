"""The candidate's public self-screen page: one link, answered once, rate-limited."""

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from limits import RateLimitItemPerMinute
from sqlmodel import Session

from app.candidates.models import Candidate
from app.core.deps import SessionDep
from app.core.i18n import Language, format_datetime, reader_zone
from app.positions import service as positions
from app.screenings import service
from app.screenings.models import Screening
from app.screenings.questionnaire import Question
from app.web.common import FormData
from app.web.render import language_of, page
from app.web.session import PublicPageRoute
from app.web.text import TEXT

router = APIRouter(route_class=PublicPageRoute, include_in_schema=False)
# Per client address, counted across every server process (app.state.rate_limiter, set up in
# app/main.py): enough for a person, too few to guess tokens.
LIMIT = RateLimitItemPerMinute(30)


class TooManyRequests(Exception):
    """The client went over the limit."""


def rate_limited(request: Request) -> None:
    """Refuse a client that opened or sent the form too often."""
    client = request.client.host if request.client else "unknown"
    if not request.app.state.rate_limiter.hit(LIMIT, "self-screen", client):
        raise TooManyRequests


Limited = Depends(rate_limited)


def _language(request: Request, screening: Screening | None, known: str | None = None) -> Language:
    """`?lang=`, else the invitation's language, else the browser's (Accept-Language)."""
    asked = request.query_params.get("lang")
    if asked in ("fr", "en"):
        return "fr" if asked == "fr" else "en"
    known = screening.language if screening is not None else known
    if known is not None:
        return "fr" if known == "fr" else "en"
    return language_of(request)


def _questions(request: Request, screening: Screening) -> list[Question]:
    questionnaire = request.app.state.questionnaires.get(screening.rubric_id)
    return list(questionnaire.questions) if questionnaire else []


def _problem(request: Request, problem: service.LinkProblem) -> HTMLResponse:
    status = {"forged": 404, "expired": 410, "used": 410}.get(problem.reason, 400)
    language = _language(request, None, problem.language)
    return page(request, "self_screen_problem.html", status, language, key=problem.reason)


def _context(request: Request, session: Session, screening: Screening) -> dict[str, Any]:
    """Who asks, for which role, until when: the page names them before any question."""
    candidate = session.get_one(Candidate, screening.candidate_id)
    settings = request.app.state.settings
    language = _language(request, screening)
    return {
        "employer": settings.employer,
        "role": positions.get(session, candidate.position_id).title,
        "expires": format_datetime(screening.expires_at, language, reader_zone(settings.timezone)),
    }


@router.get("/screening/done")
def done(request: Request) -> HTMLResponse:
    """After sending: thanks (the link itself is spent)."""
    return page(request, "self_screen_done.html", 200, _language(request, None))


@router.get("/screening/{token}", dependencies=[Limited])
def open_link(token: str, request: Request, session: SessionDep) -> HTMLResponse:
    """The questions, in the candidate's language."""
    try:
        screening = service.by_token(session, token)
    except service.LinkProblem as problem:
        return _problem(request, problem)
    language = _language(request, screening)
    return page(
        request,
        "self_screen.html",
        200,
        language,
        questions=_questions(request, screening),
        values={},
        errors={},
        token=token,
        **_context(request, session, screening),
    )


def _check(questions: list[Question], form: dict[str, str], language: Language) -> dict[str, str]:
    """Each question answered (at most 4,000 characters) or skipped on purpose."""
    words = TEXT[language]
    errors = {}
    for q in questions:
        answer = form.get(f"answer.{q.id}", "").strip()
        if len(answer) > service.MAX_ANSWER:
            errors[q.id] = words["answer_too_long"]
        elif not answer and not form.get(f"skip.{q.id}"):
            errors[q.id] = words["answer_or_skip"]
    return errors


@router.post("/screening/{token}", dependencies=[Limited])
def send_answers(token: str, request: Request, session: SessionDep, form: FormData) -> Response:
    """ "review": the answers back for a last look; "send": stored once, then thanks;
    "edit": the form again. Nothing is stored before "send"."""
    try:
        screening = service.by_token(session, token, lock=True)
    except service.LinkProblem as problem:
        return _problem(request, problem)
    language = _language(request, screening)
    questions = _questions(request, screening)
    values = {k: v for k, v in form.items() if k.startswith(("answer.", "skip."))}
    errors = _check(questions, form, language)
    action = form.get("action", "review")
    template = (
        "self_screen_review.html" if action == "review" and not errors else "self_screen.html"
    )
    if action == "send" and not errors:
        given = {
            q.id: "" if form.get(f"skip.{q.id}") else form.get(f"answer.{q.id}", "")
            for q in questions
        }
        refused = service.answer(session, screening, questions, given)
        if not refused:
            return RedirectResponse(f"/screening/done?lang={language}", status_code=303)
        # Refused (e.g. a NUL character): the form again, what was typed kept, said by the field.
        errors = {q: TEXT[language][key] for q, key in refused.items()}
        template = "self_screen.html"
    return page(
        request,
        template,
        422 if errors else 200,
        language,
        questions=questions,
        values=values,
        errors=errors,
        token=token,
        **_context(request, session, screening),
    )


def install(app: FastAPI) -> None:
    """429 as a page for the public form (the limiter is app.state.rate_limiter)."""

    @app.exception_handler(TooManyRequests)
    async def _too_many(request: Request, _exc: TooManyRequests) -> HTMLResponse:
        response = page(
            request, "self_screen_problem.html", 429, _language(request, None), key="too_many"
        )
        response.headers["Retry-After"] = "60"
        return response
