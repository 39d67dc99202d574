"""Recording a decision from the candidate's page."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from app.access.policy import P
from app.candidates import service as candidates
from app.core.deps import SessionDep
from app.core.errors import Problem
from app.decisions import service as decisions
from app.decisions.models import DecisionCreate
from app.rubric.deps import RegistryDep
from app.scoring.advice import against
from app.web.candidate import candidate_view
from app.web.common import FormData, field_errors, need, principal_of, validation_errors
from app.web.render import language_of
from app.web.session import Csrf, PageRoute
from app.web.text import TEXT

router = APIRouter(route_class=PageRoute, include_in_schema=False)


class Unconfirmed(Exception):
    """The decision form was sent without its confirmation box ticked."""


@router.get("/candidates/{candidate_id}/decisions")
def decisions_address(candidate_id: uuid.UUID) -> Response:
    """The form's address opened directly (reload, language link): the candidate's decisions."""
    return RedirectResponse(f"/candidates/{candidate_id}#decisions", status_code=303)


@router.post("/candidates/{candidate_id}/decisions", dependencies=[Csrf])
def decide(
    candidate_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    registry: RegistryDep,
    form: FormData,
) -> Response:
    """Record a decision; against the advice without a rationale, say so next to the field."""
    principal = principal_of(request)
    need(principal, P.DECISIONS_WRITE)
    candidate = candidates.get(session, candidate_id, lock=True)
    language = language_of(request)
    # The signed-in person decides: the name is theirs, never typed.
    fields = {"decision": form.get("decision", ""), "rationale": form.get("rationale", "")}
    fields["decided_by"] = principal.name
    try:
        if not form.get("confirm"):
            raise Unconfirmed
        decisions.record(
            session,
            registry,
            candidate,
            DecisionCreate.model_validate(fields),
            language,
        )
    except Unconfirmed:
        errors = {"confirm": TEXT[language]["confirm_required"]}
        needs = against(fields["decision"], candidate.recommendation or "incomplete")
        if needs and fields["decision"] and not fields["rationale"].strip():
            errors["rationale"] = TEXT[language]["rationale_required"]
    except ValidationError as exc:
        errors = validation_errors(exc, language)
    except Problem as exc:
        errors = field_errors(exc.errors, language) or {"decision": exc.detail}
    else:
        return RedirectResponse(f"/candidates/{candidate_id}#decisions", status_code=303)
    return candidate_view(
        request, session, registry, candidate, values=form, errors=errors, status=422
    )
