"""Recording a decision from the candidate's page."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from app.access.policy import P
from app.candidates import service as candidates
from app.core.deps import RegistryDep, SessionDep
from app.core.errors import Problem
from app.decisions import service as decisions
from app.decisions.models import DecisionCreate
from app.web.candidate import candidate_view
from app.web.common import FormData, field_errors, need, principal_of, validation_errors
from app.web.render import language_of
from app.web.session import Csrf, PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.post("/candidates/{candidate_id}/decisions", dependencies=[Csrf])
def decide(
    candidate_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    registry: RegistryDep,
    form: FormData,
) -> Response:
    """Record a decision; against the advice without a rationale, say so next to the field."""
    need(principal_of(request), P.DECISIONS_WRITE)
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
        errors = validation_errors(exc)
    except Problem as exc:
        errors = field_errors(exc.errors) or {"decision": exc.detail}
    else:
        return RedirectResponse(f"/candidates/{candidate_id}#decisions", status_code=303)
    return candidate_view(
        request, session, registry, candidate, values=form, errors=errors, status=422
    )
