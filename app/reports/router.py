"""HTTP endpoints for the candidate report and the streamed assessment export."""

import uuid
from datetime import tzinfo
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from app.access.policy import P
from app.candidates import service as candidates
from app.core.deps import LanguageDep, SessionDep, allow
from app.core.errors import NotAcceptable, problem_responses
from app.core.i18n import reader_zone
from app.core.negotiation import best_match
from app.core.routing import ApiRoute
from app.core.types import IsoDateTime, utcnow
from app.reports import exports, files, html, pdf
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
    """`?format=` first, else the type `Accept` prefers by its q-values, else JSON."""
    if asked is not None:
        return asked
    media = best_match(accept, list(MEDIA_TYPES.values()))
    if media is None:
        available = ", ".join(MEDIA_TYPES.values())
        raise NotAcceptable(f"none of the types in Accept can be served (available: {available})")
    return next(name for name, media_type in MEDIA_TYPES.items() if media_type == media)


PDF_SCHEMA = {"type": "string", "format": "binary", "contentMediaType": "application/pdf"}
HTML_SCHEMA = {"type": "string", "contentMediaType": "text/html"}


def _zone(request: Request) -> tzinfo:
    """The readers' time zone (`TAMIS_TIMEZONE`), as in the pages."""
    return reader_zone(request.app.state.settings.timezone)


def _names(report: CandidateReport, zone: tzinfo, extension: str) -> tuple[str, str]:
    moment = report.generated_at.astimezone(zone)
    return files.report_name(report.candidate.full_name, report.position.title, moment, extension)


def _pdf(report: CandidateReport, zone: tzinfo, media: str = "application/pdf") -> Response:
    return Response(
        pdf.render(report, zone),
        media_type=media,
        headers={"Content-Disposition": files.disposition(_names(report, zone, "pdf"), "inline")},
    )


@router.get(
    "/candidates/{candidate_id}/report",
    responses={
        **problem_responses(404, 422),
        200: {
            "description": "The report as JSON, HTML or PDF.",
            "content": {
                "text/html": {"schema": HTML_SCHEMA},
                "application/pdf": {"schema": PDF_SCHEMA},
            },
        },
    },
    response_model=CandidateReport,
)
def candidate_report(
    candidate_id: uuid.UUID,
    request: Request,
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
    the matching anchors and notes, a chart, the red flags with their sources, the decisions.

    JSON, HTML or PDF by `format`, else by `Accept` (q-values honoured; 406 when none fits).
    Generated clients read the PDF as bytes from `getCandidateReportPdf`."""
    chosen = _negotiate(format, accept)
    report = reports.build(session, registry, candidates.get(session, candidate_id), language)
    zone = _zone(request)
    if chosen == "pdf":
        return _pdf(report, zone)
    if chosen == "html":
        return HTMLResponse(
            html.render(report, zone),
            headers={
                "Content-Disposition": files.disposition(_names(report, zone, "html"), "inline")
            },
        )
    return Response(report.model_dump_json(), media_type="application/json")


@router.get(
    "/candidates/{candidate_id}/report.pdf",
    responses={
        **problem_responses(404, 422),
        200: {
            "description": "The report as a PDF document (as `application/octet-stream` when "
            "`Accept` prefers it).",
            "content": {
                "application/pdf": {"schema": PDF_SCHEMA},
                "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            },
        },
    },
    response_class=Response,
)
def candidate_report_pdf(
    candidate_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    registry: RegistryDep,
    language: LanguageDep,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """The candidate report as a PDF (the same document as `format=pdf`), for clients that
    want the bytes: generated clients read it as a file."""
    report = reports.build(session, registry, candidates.get(session, candidate_id), language)
    media = best_match(accept, ["application/pdf", "application/octet-stream"])
    return _pdf(report, _zone(request), media or "application/pdf")


@router.get(
    "/exports/assessments",
    responses={
        **problem_responses(422),
        200: {
            "description": "One row per submitted assessment, streamed.",
            "content": {
                "text/csv": {"schema": {"type": "string", "contentMediaType": "text/csv"}},
                "application/x-ndjson": {
                    "schema": {"type": "string", "contentMediaType": "application/x-ndjson"}
                },
            },
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
    notes: Annotated[
        bool, Query(description="Add the interviewer's note on each criterion (`note:<id>`).")
    ] = False,
    summary: Annotated[bool, Query(description="Add the interviewer's summary.")] = False,
) -> StreamingResponse:
    """Every submitted assessment: candidate, position, interviewer, a column per criterion, the
    flags, the assessment's verdict and the rubric version. Streamed in constant memory; CSV
    cells that a spreadsheet would run as a formula are neutralised with a leading `'`."""
    filters = exports.ExportFilter(position_id, recommendation, submitted_from, submitted_to)
    criteria = exports.criterion_columns(registry)
    engine = request.app.state.engine
    zone = _zone(request)
    stamp = utcnow().astimezone(zone).strftime("%Y-%m-%d-%H%M%S")
    if format == "jsonl":
        body = exports.jsonl_chunks(
            engine, filters, criteria, notes=notes, summary=summary, zone=zone
        )
        media, extension = "application/x-ndjson; charset=utf-8", "jsonl"
    else:
        body = exports.csv_chunks(
            engine,
            filters,
            criteria,
            separator=separator,
            bom=bom,
            notes=notes,
            summary=summary,
            zone=zone,
        )
        media, extension = "text/csv; charset=utf-8", "csv"
    return StreamingResponse(
        (chunk.encode() for chunk in body),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="tamis-assessments-{stamp}.{extension}"'
        },
    )
