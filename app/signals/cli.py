"""`tamis flags evaluate FILE.jsonl`: precision, recall and F1 of the detector on labelled lines."""

from pathlib import Path
from typing import Annotated

import typer

from app.core.config import get_settings
from app.rubric import load_rubrics
from app.signals.loader import load_all
from app.signals.service import evaluate, prf

flags_app = typer.Typer(help="Red-flag suggestions from text.", no_args_is_help=True)


@flags_app.command("evaluate")
def evaluate_command(
    file: Annotated[Path, typer.Argument(help='JSON Lines: {"text", "language", "flags": [...]}')],
    rubric: Annotated[str, typer.Option(help="The rubric whose cues are used.")] = (
        "social-media-screen"
    ),
    show_misses: Annotated[bool, typer.Option(help="List the statements not exactly right.")] = (
        False
    ),
) -> None:
    """Score the detector: per flag and overall (micro-averaged), and exact matches."""
    settings = get_settings()
    signals = load_all(settings.criteria_dir, load_rubrics(settings.criteria_dir)).get(rubric)
    if signals is None:
        typer.echo(f"error: no cues for rubric '{rubric}' under criteria/signals/", err=True)
        raise typer.Exit(1)
    try:
        with file.open(encoding="utf-8") as lines:
            scores = evaluate(signals, lines)
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {file}: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"{'flag':<26} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
    for flag in sorted(set(scores.true_pos) | set(scores.false_pos) | set(scores.false_neg)):
        tp, fp, fn = scores.true_pos[flag], scores.false_pos[flag], scores.false_neg[flag]
        p, r, f = prf(tp, fp, fn)
        typer.echo(f"{flag:<26} {p:9.3f} {r:7.3f} {f:6.3f} {tp + fn:8d}")
    tp, fp, fn = (sum(c.values()) for c in (scores.true_pos, scores.false_pos, scores.false_neg))
    p, r, f = prf(tp, fp, fn)
    typer.echo(f"{'overall (micro)':<26} {p:9.3f} {r:7.3f} {f:6.3f} {tp + fn:8d}")
    share = scores.exact / scores.statements if scores.statements else 0.0
    typer.echo(f"exactly right: {scores.exact}/{scores.statements} statements ({share:.1%})")
    if show_misses:
        for miss in scores.misses:
            typer.echo(f"  {miss['id']}: found {miss['got']}, labelled {miss['want']}")
