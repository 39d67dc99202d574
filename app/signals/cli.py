"""`tamis flags train`, `tamis flags evaluate FILE.jsonl`, `tamis flags disclosures FILE.jsonl`."""

from pathlib import Path
from typing import Annotated

import typer

from app.core.config import get_settings
from app.rubric import RubricError, load_rubrics
from app.signals.loader import SIGNALS_DIR, load_all
from app.signals.service import Method, evaluate, prf

flags_app = typer.Typer(help="Red-flag suggestions from text.", no_args_is_help=True)


@flags_app.command("train")
def train_command(
    rubric: Annotated[str, typer.Option(help="The rubric whose detector is trained.")] = (
        "social-media-screen"
    ),
) -> None:
    """Rebuild the per-flag classifiers from criteria/signals/<corpus>/ (deterministic)."""
    from app.signals.train import train  # scikit-learn is needed here only

    settings = get_settings()
    path = settings.criteria_dir / SIGNALS_DIR / f"{rubric}.yaml"
    if not path.exists():
        typer.echo(f"error: no {path}", err=True)
        raise typer.Exit(1)
    try:
        report = train(path, load_rubrics(settings.criteria_dir), progress=typer.echo)
    except RubricError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    counts = report["statements"]
    typer.echo(f"trained on {counts['train']} statements, {counts['validation']} set aside")
    for part, title in (
        ("cross_validation", "grouped cross-validation"),
        ("validation", "validation split"),
    ):
        typer.echo(f"{title:<26} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}")
        total = {"tp": 0, "fp": 0, "fn": 0}
        for flag, figures in sorted(report["flags"].items()):
            held = figures[part]
            for key in total:
                total[key] += held[key]
            p, r, f = prf(held["tp"], held["fp"], held["fn"])
            typer.echo(f"{flag:<26} {p:9.3f} {r:7.3f} {f:6.3f} {held['tp'] + held['fn']:8d}")
        p, r, f = prf(total["tp"], total["fp"], total["fn"])
        support = total["tp"] + total["fn"]
        typer.echo(f"{'overall (micro)':<26} {p:9.3f} {r:7.3f} {f:6.3f} {support:8d}")


@flags_app.command("evaluate")
def evaluate_command(
    file: Annotated[Path, typer.Argument(help='JSON Lines: {"text", "language", "flags": [...]}')],
    rubric: Annotated[str, typer.Option(help="The rubric whose detector is used.")] = (
        "social-media-screen"
    ),
    baseline: Annotated[
        str | None,
        typer.Option(help="'keywords': score the naive keyword matcher instead, for comparison."),
    ] = None,
    show_misses: Annotated[bool, typer.Option(help="List the statements not exactly right.")] = (
        False
    ),
) -> None:
    """Score the detector: per flag and overall (micro-averaged), and exact matches."""
    if baseline not in (None, "keywords"):
        typer.echo(f"error: --baseline must be 'keywords', not '{baseline}'", err=True)
        raise typer.Exit(2)
    method: Method = "keywords" if baseline else "learned"
    settings = get_settings()
    signals = load_all(settings.criteria_dir, load_rubrics(settings.criteria_dir)).get(rubric)
    if signals is None:
        typer.echo(f"error: no detector for rubric '{rubric}' under criteria/signals/", err=True)
        raise typer.Exit(1)
    try:
        with file.open(encoding="utf-8") as lines:
            scores = evaluate(signals, lines, method)
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


@flags_app.command("disclosures")
def disclosures_command(
    file: Annotated[
        Path, typer.Argument(help='JSON Lines: {"text", "language", "private": bool, "ground"}')
    ],
) -> None:
    """Score the protected-disclosure patterns: the share of disclosures set aside, per ground
    and language, and the share of job talk wrongly set aside."""
    from app.signals.disclosures import coverage, load_disclosures

    settings = get_settings()
    try:
        disclosures = load_disclosures(settings.criteria_dir)
        with file.open(encoding="utf-8") as lines:
            scores = coverage(disclosures, lines)
    except RubricError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from exc
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {file}: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(f"{'ground':<26} {'set aside':>9} {'of':>4}")
    for ground, (cut, total) in sorted(scores.grounds.items()):
        typer.echo(f"{ground:<26} {cut:9d} {total:4d}")
    for language, (cut, total) in sorted(scores.languages.items()):
        typer.echo(f"{'language ' + language:<26} {cut:9d} {total:4d}")
    found, total = scores.found
    share = found / total if total else 0.0
    typer.echo(f"disclosures set aside: {found}/{total} ({share:.3f})")
    cut, total = scores.job_talk
    share = cut / total if total else 0.0
    typer.echo(f"job talk set aside: {cut}/{total} ({share:.3f})")
