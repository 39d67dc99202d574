"""HTTP endpoint: red-flag suggestions from a text."""

from fastapi import APIRouter, Request

from app.access.policy import P
from app.core.deps import LanguageDep, allow
from app.core.errors import problem_responses
from app.core.routing import ApiRoute
from app.rubric.deps import RegistryDep
from app.signals import service
from app.signals.service import DetectRequest, DetectResponse

router = APIRouter(
    prefix="/red-flags",
    tags=["red flags"],
    route_class=ApiRoute,
    responses=problem_responses(401, 403),
    dependencies=[allow(P.ASSESSMENTS_OWN, P.ASSESSMENTS_ALL)],
)


@router.post("/detect", responses=problem_responses(404, 422))
def detect_red_flags(
    body: DetectRequest, request: Request, registry: RegistryDep, language: LanguageDep
) -> DetectResponse:
    """Red flags a candidate's words suggest, each with the exact quotes (offsets into `text`)
    and why. A suggestion is advice: it joins an assessment only when an interviewer confirms it.
    Denials ("I never bought followers") suggest nothing; counts are read however written."""
    rubric = registry.current.get(body.rubric_id)
    titles = {f.id: {"en": f.title.en, "fr": f.title.fr} for f in rubric.flags} if rubric else {}
    asked = "lang" in request.query_params or "accept-language" in request.headers
    explain_in = language if asked else None
    return service.run(request.app.state.signals, titles, body, explain_in)
