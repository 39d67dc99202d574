"""A candidate's report, as PDF or printable HTML."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.access.policy import P
from app.candidates import service as candidates
from app.core.deps import SessionDep
from app.core.i18n import reader_zone
from app.reports import files
from app.reports import html as report_html
from app.reports import pdf as report_pdf
from app.reports import service as reports
from app.rubric.deps import RegistryDep
from app.web.common import need, principal_of
from app.web.render import language_of
from app.web.session import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/candidates/{candidate_id}/report.{extension}")
def report(
    candidate_id: uuid.UUID,
    extension: str,
    request: Request,
    session: SessionDep,
    registry: RegistryDep,
) -> Response:
    """The candidate report as PDF (download) or printable HTML, in the reader's language."""
    need(principal_of(request), P.REPORTS_READ)
    built = reports.build(
        session, registry, candidates.get(session, candidate_id), language_of(request)
    )
    zone = reader_zone(request.app.state.settings.timezone)
    if extension not in ("pdf", "html"):
        return HTMLResponse(status_code=404)
    names = files.report_name(
        built.candidate.full_name,
        built.position.title,
        built.generated_at.astimezone(zone),
        extension,
    )
    if extension == "pdf":
        return Response(
            report_pdf.render(built, zone),
            media_type="application/pdf",
            headers={"Content-Disposition": files.disposition(names)},
        )
    return HTMLResponse(
        report_html.render(built, zone),
        headers={"Content-Disposition": files.disposition(names, "inline")},
    )
