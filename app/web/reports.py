"""A candidate's report, as PDF or printable HTML."""

import re
import unicodedata
import uuid
from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from app.access.policy import P
from app.candidates import service as candidates
from app.core.deps import SessionDep
from app.core.i18n import reader_zone
from app.reports import html as report_html
from app.reports import pdf as report_pdf
from app.reports import service as reports
from app.rubric.deps import RegistryDep
from app.web.common import need, principal_of
from app.web.render import language_of
from app.web.session import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def file_name(full_name: str, moment: datetime) -> str:
    """'tamis-Zoe-Lefevre-Dubois-2026-11-23.pdf': the candidate's name in ASCII, and the day."""
    ascii_name = unicodedata.normalize("NFKD", full_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-")[:80] or "candidate"
    return f"tamis-{slug}-{moment:%Y-%m-%d}.pdf"


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
    if extension == "pdf":
        name = file_name(built.candidate.full_name, built.generated_at.astimezone(zone))
        return Response(
            report_pdf.render(built, zone),
            media_type="application/pdf",
            headers={
                "Content-Disposition": (
                    f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"
                )
            },
        )
    if extension == "html":
        return HTMLResponse(report_html.render(built, zone))
    return HTMLResponse(status_code=404)
