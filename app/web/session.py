"""Who is signed in, from the session cookie; CSRF tokens; the route classes of the pages."""

import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session
from starlette.responses import Response

from app.access import users
from app.access.models import Principal
from app.core.errors import Forbidden
from app.core.routing import ApiRoute
from app.web.cookies import SESSION_COOKIE
from app.web.render import page


class SignInRequired(Exception):
    """No valid session: the page sends the browser to the sign-in page."""


def cookie_principal(session: Session, request: Request) -> Principal:
    """The signed-in person of the session cookie; SignInRequired otherwise."""
    signed = users.signed_in(session, request.cookies.get(SESSION_COOKIE))
    if signed is None:
        raise SignInRequired
    request.state.csrf_token = signed.csrf_token
    return signed.principal


def nobody(_session: Session, request: Request) -> None:
    """Public pages: no one needs to be signed in."""
    request.state.csrf_token = None
    return


class PageRoute(ApiRoute):
    """A page for signed-in people: the cookie says who, in the request's unit of work."""

    authenticator = staticmethod(cookie_principal)
    strict_query = False


class PublicPageRoute(ApiRoute):
    """A page anyone may open (sign-in)."""

    authenticator = staticmethod(nobody)
    strict_query = False


def check_csrf(request: Request, csrf_token: Annotated[str, Form()] = "") -> None:
    """Every form of a session carries its CSRF token; a form without it is refused."""
    if not users.csrf_ok(request.state.csrf_token or "", csrf_token):
        raise Forbidden("the form's CSRF token is missing or wrong")


def new_login_csrf() -> str:
    """A token for the sign-in form, set as a cookie and repeated in the form."""
    return secrets.token_urlsafe(32)


Csrf = Depends(check_csrf)


def install(app: FastAPI) -> None:
    """Pages send unknown visitors to the sign-in page and show errors as pages, not JSON."""

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, _exc: SignInRequired) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        lang = request.query_params.get("lang")
        suffix = f"&lang={quote(lang)}" if lang else ""
        return RedirectResponse(f"/sign-in?next={quote(target)}{suffix}", status_code=303)

    def problem_page(request: Request, status: int, message: str) -> Response:
        language_words = {403: "forbidden", 404: "not_found"}
        return page(
            request,
            "error.html",
            status,
            code=status,
            message=message if status not in language_words else None,
            key=language_words.get(status),
        )

    app.state.problem_page = problem_page
