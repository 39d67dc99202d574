"""Signing in and out; the home page."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.access import users
from app.audit import recorder
from app.core.deps import SessionDep
from app.web.common import principal_of
from app.web.cookies import LOGIN_CSRF_COOKIE, SESSION_COOKIE
from app.web.render import page
from app.web.session import Csrf, PageRoute, PublicPageRoute, new_login_csrf

public = APIRouter(route_class=PublicPageRoute, include_in_schema=False)
router = APIRouter(route_class=PageRoute, include_in_schema=False)


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
    throttle = request.app.state.sign_in_throttle
    address = request.client.host if request.client else "unknown"
    wait = throttle.wait(email, address)
    user = None if wait else users.check_password(session, email, password)
    if not users.csrf_ok(expected, csrf_token) or user is None:
        key = "bad_credentials" if users.csrf_ok(expected, csrf_token) else "session_expired"
        if wait:
            key = "too_many_attempts"
        elif key == "bad_credentials":
            throttle.failed(email, address)
        token = new_login_csrf()
        response = page(
            request,
            "sign_in.html",
            429 if wait else 401,
            login_csrf=token,
            next=_safe(next),
            email=email,
            error=key,
        )
        response.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict")
        if wait:
            response.headers["Retry-After"] = str(wait)
        return response
    throttle.succeeded(email)
    session.info["principal"] = users.principal_of(user)
    token, _row = users.open_session(session, user)
    recorder.note(session, "user.signed_in", "user", user.id)
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
    recorder.note(session, "user.signed_out", "user", principal_of(request).id)
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/")
def home(request: Request) -> Response:
    """The candidates list is the home page."""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"/candidates{query}", status_code=303)
