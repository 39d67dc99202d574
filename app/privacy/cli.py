"""`tamis retention apply`: erase candidates with no activity for longer than the retention."""

from typing import Annotated

import typer

from app.commands import command_session
from app.core import idempotency
from app.core.config import get_settings
from app.privacy import service

retention_app = typer.Typer(help="Retention of personal data.", no_args_is_help=True)


@retention_app.command("apply")
def apply(
    days: Annotated[
        int | None,
        typer.Option(min=1, help="Retention in days (default: TAMIS_RETENTION_DAYS)."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option(help="List what would be erased; change nothing.")
    ] = False,
) -> None:
    """Erase the personal data of candidates inactive for more than the retention period."""
    settings = get_settings()
    retention = days or settings.retention_days
    if retention is None:
        typer.echo("error: give --days or set TAMIS_RETENTION_DAYS", err=True)
        raise typer.Exit(2)
    cutoff = service.retention_cutoff(retention)
    with command_session(settings, "retention apply") as session:
        candidates = service.inactive_since(session, cutoff)
        for candidate in candidates:
            typer.echo(f"{'would erase' if dry_run else 'erasing'} candidate {candidate.id}")
            if not dry_run:
                service.erase(session, candidate)
        purged = 0 if dry_run else idempotency.purge_expired(session)
    verb = "would be erased" if dry_run else "erased"
    typer.echo(
        f"{len(candidates)} candidate(s) inactive since {cutoff:%Y-%m-%d} {verb}; "
        f"{purged} expired idempotency record(s) purged."
    )
