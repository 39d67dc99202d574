"""The candidate's public self-screen page: one link, answered once, rate-limited."""

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import HTMLResponse
from limits import RateLimitItemPerMinute, storage, strategies

from app.core.deps import SessionDep
from app.core.i18n import Language
from app.screenings import service
from app.screenings.models import Screening
from app.screenings.questionnaire import Question
from app.web.common import FormData
from app.web.render import page
from app.web.session import PublicPageRoute

router = APIRouter(route_class=PublicPageRoute, include_in_schema=False)
# Per client address and process: enough for a person, too few to guess tokens.
LIMIT = RateLimitItemPerMinute(30)


class TooManyRequests(Exception):
    """The client went over the limit."""


def rate_limited(request: Request) -> None:
    """Refuse a client that opened or sent the form too often."""
    client = request.client.host if request.client else "unknown"
    if not request.app.state.rate_limiter.hit(LIMIT, "self-screen", client):
        raise TooManyRequests


Limited = Depends(rate_limited)


def _language(request: Request, screening: Screening | None) -> Language:
    asked = request.query_params.get("lang")
    if asked in ("fr", "en"):
        return "fr" if asked == "fr" else "en"
    if screening is not None:
        return "fr" if screening.language == "fr" else "en"
    return "fr"


def _questions(request: Request, screening: Screening) -> list[Question]:
    questionnaire = request.app.state.questionnaires.get(screening.rubric_id)
    return list(questionnaire.questions) if questionnaire else []


def _problem(request: Request, reason: str) -> HTMLResponse:
    status = {"forged": 404, "expired": 410, "used": 410}.get(reason, 400)
    return page(request, "self_screen_problem.html", status, _language(request, None), key=reason)


@router.get("/screening/{token}", dependencies=[Limited])
def open_link(token: str, request: Request, session: SessionDep) -> HTMLResponse:
    """The questions, in the candidate's language."""
    try:
        screening = service.by_token(session, token)
    except service.LinkProblem as problem:
        return _problem(request, problem.reason)
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
    )


@router.post("/screening/{token}", dependencies=[Limited])
def send_answers(token: str, request: Request, session: SessionDep, form: FormData) -> HTMLResponse:
    """Store the answers once; too long an answer comes back with everything kept."""
    try:
        screening = service.by_token(session, token, lock=True)
    except service.LinkProblem as problem:
        return _problem(request, problem.reason)
    language = _language(request, screening)
    questions = _questions(request, screening)
    given = {q.id: form.get(f"answer.{q.id}", "") for q in questions}
    errors = service.answer(session, screening, questions, given)
    if errors:
        values = {f"answer.{k}": v for k, v in given.items()}
        return page(
            request,
            "self_screen.html",
            422,
            language,
            questions=questions,
            values=values,
            errors=errors,
            token=token,
        )
    return page(request, "self_screen_done.html", 200, language)


def install(app: FastAPI) -> None:
    """The limiter of this process, and 429 as a page for the public form."""
    app.state.rate_limiter = strategies.MovingWindowRateLimiter(storage.MemoryStorage())

    @app.exception_handler(TooManyRequests)
    async def _too_many(request: Request, _exc: TooManyRequests) -> HTMLResponse:
        response = page(
            request, "self_screen_problem.html", 429, _language(request, None), key="too_many"
        )
        response.headers["Retry-After"] = "60"
        return response
