"""Self-screen invitations: a link for the candidate, made from their page, sent by email
when an SMTP server is configured and the candidate has an address, and shown once to copy."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from app.access.policy import P
from app.candidates import service as candidates
from app.core.deps import SessionDep
from app.core.i18n import format_datetime, reader_zone
from app.positions import service as positions
from app.screenings import mail
from app.screenings import service as screenings
from app.web.candidate import INVITE_COOKIE, MAIL_COOKIE
from app.web.common import FormData, need, principal_of
from app.web.render import language_of
from app.web.session import Csrf, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
VALID_DAYS = 7


@router.get("/candidates/{candidate_id}/screenings")
def invitations_address(candidate_id: uuid.UUID) -> Response:
    """The form's address opened directly (reload, language link): the candidate's page."""
    return RedirectResponse(f"/candidates/{candidate_id}#self-screen", status_code=303)


@router.post("/candidates/{candidate_id}/screenings", dependencies=[Csrf])
def invite(
    candidate_id: uuid.UUID, request: Request, session: SessionDep, form: FormData
) -> Response:
    """Create a self-screen link in the reader's language, send it if asked; the next page
    shows it once (and whether the email left)."""
    need(principal_of(request), P.CANDIDATES_WRITE)
    candidate = candidates.get(session, candidate_id)
    language = language_of(request)
    screening, token = screenings.create(
        session, candidate, screenings.rubric_of(session, candidate), language, VALID_DAYS
    )
    settings = request.app.state.settings
    link = screenings.link(settings.public_url, token)
    mailed = ""
    if form.get("send_email") and candidate.email and mail.configured(settings):
        try:
            mail.send_invitation(
                settings,
                to=candidate.email,
                name=candidate.full_name,
                role=positions.get(session, candidate.position_id).title,
                link=link,
                expires=format_datetime(
                    screening.expires_at, language, reader_zone(settings.timezone)
                ),
                language=language,
            )
            mailed = "sent"
        except mail.MailNotSent:
            mailed = "failed"
    response = RedirectResponse(f"/candidates/{candidate_id}#self-screen", status_code=303)
    # Shown once, on the page this redirect leads to, then forgotten (never in an address).
    for name, value in ((INVITE_COOKIE, link), (MAIL_COOKIE, mailed)):
        if value:
            response.set_cookie(
                name,
                value,
                max_age=300,
                path=f"/candidates/{candidate_id}",
                httponly=True,
                samesite="strict",
                secure=settings.env == "production",
            )
    return response
