"""`tamis import assessments FILE`: the bulk import from a JSON Lines file, with a progress bar."""

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, BinaryIO

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TimeRemainingColumn

import app.tables  # noqa: F401  (every table, for the foreign keys)
from app.access.models import system
from app.audit import recorder
from app.core.config import get_settings
from app.core.db import make_engine
from app.events import service as event_feed
from app.imports.models import ImportReport
from app.imports.service import BATCH, Importer, split_lines
from app.rubric import load_rubrics
from app.rubric.store import RubricRegistry

import_app = typer.Typer(help="Import data from files.", no_args_is_help=True)
CHUNK = 64 * 1024


def _chunks(handle: BinaryIO, progress: Progress, task: object) -> Iterator[bytes]:
    for chunk in iter(lambda: handle.read(CHUNK), b""):
        yield chunk
        progress.advance(task, len(chunk))  # type: ignore[arg-type]


def _say(report: ImportReport) -> str:
    done = f"{report.imported} imported, {report.refused} refused of {report.lines} line(s)"
    if report.candidates_created:
        done += f"; {report.candidates_created} candidate(s) created"
    if report.outcome == "rolled_back":
        done += "; nothing was imported (--atomic)"
    return done


@import_app.command("assessments")
def import_assessments(
    file: Annotated[Path, typer.Argument(help="JSON Lines: one assessment per line.", exists=True)],
    atomic: Annotated[
        bool, typer.Option("--atomic", help="Import nothing when any line is refused.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON (as the API answers).")
    ] = False,
    batch_size: Annotated[
        int, typer.Option(min=1, max=10_000, help="Lines per transaction.")
    ] = BATCH,
) -> None:
    """Import past assessments (the same as POST /api/v1/imports/assessments).

    Each refused line is listed with its number and fields; the exit status is 1 when any
    line was refused."""
    settings = get_settings()
    registry = RubricRegistry(load_rubrics(settings.criteria_dir))
    recorder.install()
    event_feed.install()
    engine = make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
    importer = Importer(
        engine,
        registry,
        principal=system("cli"),
        atomic=atomic,
        batch_size=batch_size,
        operation="import assessments",
    )
    columns = (BarColumn(), DownloadColumn(), TimeRemainingColumn())
    try:
        with (
            file.open("rb") as handle,
            Progress(*columns, console=Console(stderr=True), transient=True) as progress,
        ):
            task = progress.add_task("import", total=file.stat().st_size)
            report = importer.run(split_lines(_chunks(handle, progress, task)))
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(report.model_dump(mode="json"), ensure_ascii=False, indent=2))
    else:
        for error in report.errors:
            valid = f" (valid: {', '.join(map(str, error.valid))})" if error.valid else ""
            typer.echo(f"line {error.line}: {error.loc}: {error.message}{valid}", err=True)
        if report.errors_truncated:
            typer.echo("(more errors than listed)", err=True)
        typer.echo(_say(report))
    if report.refused:
        raise typer.Exit(1)
