"""HTTP endpoints for the candidate report and the streamed assessment export."""

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from app.access.policy import P
from app.candidates import service as candidates
from app.core.deps import LanguageDep, SessionDep, allow
from app.core.errors import problem_responses
from app.core.routing import ApiRoute
from app.core.types import IsoDateTime, utcnow
from app.reports import exports, html, pdf
from app.reports import service as reports
from app.reports.model import CandidateReport
from app.rubric.deps import RegistryDep
from app.rubric.schemas import Recommendation

router = APIRouter(
    tags=["reports"],
    route_class=ApiRoute,
    responses=problem_responses(401, 403),
    dependencies=[allow(P.REPORTS_READ)],
)
ReportFormat = Literal["json", "html", "pdf"]
MEDIA_TYPES: dict[ReportFormat, str] = {
    "json": "application/json",
    "html": "text/html",
    "pdf": "application/pdf",
}


def _negotiate(asked: ReportFormat | None, accept: str | None) -> ReportFormat:
    if asked is not None:
        return asked
    for part in (accept or "").split(","):
        media = part.split(";")[0].strip().lower()
        for name, media_type in MEDIA_TYPES.items():
            if media == media_type:
                return name
    return "json"


@router.get(
    "/candidates/{candidate_id}/report",
    responses={
        **problem_responses(404, 422),
        200: {
            "description": "The report as JSON, HTML or PDF.",
            "content": {"text/html": {}, "application/pdf": {}},
        },
    },
    response_model=CandidateReport,
)
def candidate_report(
    candidate_id: uuid.UUID,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
    format: Annotated[
        ReportFormat | None,
        Query(description="json, html or pdf; else from `Accept`; else json."),
    ] = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """The candidate report: the panel verdict and its reasons, each interviewer's ratings with
    the matching anchors and notes, a chart, the red flags with their sources, the decisions."""
    report = reports.build(session, registry, candidates.get(session, candidate_id), language)
    chosen = _negotiate(format, accept)
    if chosen == "pdf":
        filename = f"tamis-report-{candidate_id}.pdf"
        return Response(
            pdf.render(report),
            media_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{filename}"'},
        )
    if chosen == "html":
        return HTMLResponse(html.render(report))
    return Response(report.model_dump_json(), media_type="application/json")


@router.get(
    "/exports/assessments",
    responses={
        **problem_responses(422),
        200: {
            "description": "One row per submitted assessment, streamed.",
            "content": {"text/csv": {}, "application/x-ndjson": {}},
        },
    },
    response_class=StreamingResponse,
)
def export_assessments(
    request: Request,
    registry: RegistryDep,
    format: Annotated[
        exports.ExportFormat, Query(description="csv or jsonl (JSON Lines).")
    ] = "csv",
    position_id: uuid.UUID | None = None,
    recommendation: Annotated[
        Recommendation | None, Query(description="The assessment's own recommendation.")
    ] = None,
    submitted_from: Annotated[IsoDateTime | None, Query(description="From this time.")] = None,
    submitted_to: Annotated[IsoDateTime | None, Query(description="Before this time.")] = None,
    separator: Annotated[
        exports.Separator,
        Query(description="`semicolon` for French spreadsheets (decimals then take a comma)."),
    ] = "comma",
    bom: Annotated[bool, Query(description="Start with a UTF-8 BOM (for Excel).")] = False,
) -> StreamingResponse:
    """Every submitted assessment: candidate, position, interviewer, a column per criterion, the
    flags, the assessment's verdict and the rubric version. Streamed in constant memory; CSV
    cells that a spreadsheet would run as a formula are neutralised with a leading `'`."""
    filters = exports.ExportFilter(position_id, recommendation, submitted_from, submitted_to)
    criteria = exports.criterion_columns(registry)
    engine = request.app.state.engine
    stamp = utcnow().strftime("%Y%m%d-%H%M%S")
    if format == "jsonl":
        body = exports.jsonl_chunks(engine, filters, criteria)
        media, extension = "application/x-ndjson; charset=utf-8", "jsonl"
    else:
        body = exports.csv_chunks(engine, filters, criteria, separator=separator, bom=bom)
        media, extension = "text/csv; charset=utf-8", "csv"
    return StreamingResponse(
        (chunk.encode() for chunk in body),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="tamis-assessments-{stamp}.{extension}"'
        },
    )
