"""`tamis report` and `tamis export assessments`: the API's reports and exports, to a file."""

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

from app.candidates import service as candidates
from app.commands import command_session
from app.core.config import get_settings
from app.core.db import make_engine
from app.core.errors import NotFound
from app.core.i18n import Language, reader_zone
from app.reports import exports, html, pdf
from app.reports import service as reports
from app.rubric import load_rubrics
from app.rubric.store import RubricRegistry

export_app = typer.Typer(help="Export data as files.", no_args_is_help=True)


def report(
    candidate_id: Annotated[uuid.UUID, typer.Argument(help="The candidate's id.")],
    out: Annotated[Path, typer.Option(help="The file to write.")],
    format: Annotated[
        Literal["pdf", "html", "json"], typer.Option(help="pdf, html or json.")
    ] = "pdf",
    lang: Annotated[Literal["fr", "en"], typer.Option(help="Language of the report.")] = "en",
) -> None:
    """Write a candidate's report (the same as GET /candidates/{id}/report)."""
    settings = get_settings()
    registry = RubricRegistry(load_rubrics(settings.criteria_dir))
    language: Language = lang
    with command_session(settings, "report") as session:
        try:
            candidate = candidates.get(session, candidate_id)
        except NotFound as exc:
            typer.echo(f"error: {exc.detail}", err=True)
            raise typer.Exit(1) from exc
        built = reports.build(session, registry, candidate, language)
    zone = reader_zone(settings.timezone)
    if format == "pdf":
        out.write_bytes(pdf.render(built, zone))
    elif format == "html":
        out.write_text(html.render(built, zone), encoding="utf-8")
    else:
        out.write_text(built.model_dump_json(indent=2), encoding="utf-8")
    typer.echo(f"wrote {out}")


@export_app.command("assessments")
def export_assessments(
    out: Annotated[Path, typer.Option(help="The file to write.")],
    format: Annotated[Literal["csv", "jsonl"], typer.Option(help="csv or jsonl.")] = "csv",
    position_id: Annotated[uuid.UUID | None, typer.Option(help="Only this position.")] = None,
    recommendation: Annotated[
        str | None, typer.Option(help="Only assessments with this recommendation.")
    ] = None,
    submitted_from: Annotated[
        datetime | None, typer.Option(help="Submitted at or after (UTC).")
    ] = None,
    submitted_to: Annotated[datetime | None, typer.Option(help="Submitted before (UTC).")] = None,
    separator: Annotated[
        Literal["comma", "semicolon"], typer.Option(help="semicolon for French spreadsheets.")
    ] = "comma",
    bom: Annotated[bool, typer.Option(help="Start with a UTF-8 BOM (for Excel).")] = False,
) -> None:
    """Export every submitted assessment (the same as GET /exports/assessments), with progress."""
    settings = get_settings()
    registry = RubricRegistry(load_rubrics(settings.criteria_dir))
    filters = exports.ExportFilter(
        position_id,
        recommendation,
        submitted_from.replace(tzinfo=submitted_from.tzinfo or UTC) if submitted_from else None,
        submitted_to.replace(tzinfo=submitted_to.tzinfo or UTC) if submitted_to else None,
    )
    engine = make_engine(settings.database_url)
    criteria = exports.criterion_columns(registry)
    total = exports.count(engine, filters)
    zone = reader_zone(settings.timezone)
    chunks = (
        exports.jsonl_chunks(engine, filters, criteria, zone=zone)
        if format == "jsonl"
        else exports.csv_chunks(engine, filters, criteria, separator=separator, bom=bom, zone=zone)
    )
    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    written = 0
    with (
        out.open("w", encoding="utf-8", newline="") as file,
        Progress(*columns, transient=True) as progress,
    ):
        task = progress.add_task("export", total=total)
        for chunk in chunks:
            file.write(chunk)
            rows = chunk.count("\n")
            written += rows
            progress.update(task, completed=min(written, total))
    engine.dispose()
    typer.echo(f"wrote {total} assessment(s) to {out}")
