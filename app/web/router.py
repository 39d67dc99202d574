"""The pages, one module per page family, gathered into two routers for the application.

`public`: pages anyone may open (sign-in). `router`: pages for signed-in people. Each handler
parses the form, calls the same services as the API, and renders a template; a refused form
comes back with the reason next to each field and everything typed kept.
"""

from fastapi import APIRouter

from app.web import (
    assessment,
    candidate,
    candidates,
    decisions,
    invitations,
    positions,
    reports,
    sign_in,
)
from app.web.session import PageRoute, PublicPageRoute

public = APIRouter(route_class=PublicPageRoute, include_in_schema=False)
public.include_router(sign_in.public)

router = APIRouter(route_class=PageRoute, include_in_schema=False)
FAMILIES = (sign_in, positions, candidates, candidate, decisions, invitations, reports, assessment)
for family in FAMILIES:
    router.include_router(family.router)
