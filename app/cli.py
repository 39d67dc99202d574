"""The `tamis` command line: rubric, scoring, database, keys, retention, serving."""

import json
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from app.access.cli import keys_app, users_app
from app.core.config import Settings, get_settings
from app.core.i18n import Language
from app.imports.cli import import_app
from app.privacy.cli import retention_app
from app.reports.cli import export_app, report
from app.rubric import Rubric, RubricError, load_rubrics
from app.scoring import AnswersError, FieldError, PanelMember, combine, parse_answers, score
from app.screenings.questionnaire import load_all as load_questionnaires
from app.signals.cli import flags_app
from app.signals.loader import load_all as load_signals

app = typer.Typer(
    help="Tamis: structured screening of social-media candidates.", no_args_is_help=True
)
criteria_app = typer.Typer(
    help="Validate and show the rubric under criteria/.", no_args_is_help=True
)
app.add_typer(criteria_app, name="criteria")
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(users_app, name="users")
app.add_typer(retention_app, name="retention")
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")
app.add_typer(flags_app, name="flags")
app.command("report")(report)

DirArgument = Annotated[
    Path | None,
    typer.Argument(
        help="Rubric directory (default: TAMIS_CRITERIA_DIR, else the shipped criteria/)."
    ),
]
DirOption = Annotated[
    Path | None,
    typer.Option(
        "--criteria-dir", help="Rubric directory (default: TAMIS_CRITERIA_DIR or criteria/)."
    ),
]


def _criteria_dir(directory: Path | None) -> Path:
    return directory if directory is not None else get_settings().criteria_dir


def _load(directory: Path | None) -> dict[str, Rubric]:
    """The rubrics, after checking them and the files beside them (red-flag cues, self-screen)."""
    folder = _criteria_dir(directory)
    try:
        rubrics = load_rubrics(folder)
        load_signals(folder, rubrics)
        load_questionnaires(folder, rubrics)
        return rubrics
    except RubricError as exc:
        for issue in exc.issues:
            typer.echo(f"error: {issue}", err=True)
        typer.echo(f"{len(exc.issues)} error(s): the rubric was not loaded.", err=True)
        raise typer.Exit(1) from exc


def _pick(rubrics: dict[str, Rubric], rubric_id: str | None) -> Rubric:
    if rubric_id is None and len(rubrics) == 1:
        return next(iter(rubrics.values()))
    wanted = rubric_id or "social-media-screen"
    if wanted not in rubrics:
        typer.echo(f"error: no rubric '{wanted}' (available: {', '.join(rubrics)})", err=True)
        raise typer.Exit(1)
    return rubrics[wanted]


@criteria_app.command("validate")
def criteria_validate(directory: DirArgument = None) -> None:
    """Check every rubric file: exit 0 with a summary, or 1 with every error."""
    folder = _criteria_dir(directory)
    rubrics = _load(folder)
    summary = "; ".join(
        f"{r.id} {r.version}: {len(r.criteria)} criteria, {len(r.flags)} red flags, "
        f"{len(r.role_questions)} role questions"
        for r in rubrics.values()
    )
    typer.echo(f"{folder}: {len(rubrics)} rubric(s) valid — {summary}")


@criteria_app.command("show")
def criteria_show(
    as_json: Annotated[
        bool, typer.Option("--json", help="The rubric as JSON, as the API serves it.")
    ] = False,
    lang: Annotated[Language, typer.Option("--lang", help="Language of the text view.")] = "en",
    rubric_id: Annotated[str | None, typer.Option("--rubric", help="Rubric id.")] = None,
    directory: DirOption = None,
) -> None:
    """Print the loaded rubric (text, or JSON with --json)."""
    rubric = _pick(_load(directory), rubric_id)
    if as_json:
        typer.echo(rubric.model_dump_json(indent=2))
        return
    typer.echo(f"{rubric.title.get(lang)} — {rubric.id} {rubric.version}")
    typer.echo(
        f"scale {rubric.scale.min}–{rubric.scale.max}; thresholds {rubric.thresholds.model_dump()}"
    )
    for criterion in rubric.criteria:
        heading = f"[{criterion.group}] {criterion.id} (weight {criterion.weight:g})"
        typer.echo(f"\n{heading} — {criterion.title.get(lang)}")
        for question in criterion.questions.get(lang):
            typer.echo(f"    ? {question}")
        for level, anchor in sorted(criterion.anchors.items()):
            typer.echo(f"    {level}: {anchor.get(lang)}")
    typer.echo("")
    for flag in rubric.flags:
        typer.echo(f"! {flag.id} [{flag.severity}] — {flag.title.get(lang)}")
    typer.echo("")
    for role_question in rubric.role_questions:
        typer.echo(f"role {role_question.id}: {role_question.question.get(lang)}")


def _score_line(rubric: Rubric, data: Any, language: Language | None) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise AnswersError([FieldError("(line)", "each line must be a JSON object")])
    data = dict(data)
    line_id = data.pop("id", None)
    if "panel" in data:
        panel = data.pop("panel")
        line_language = data.pop("language", "en")
        lang = language or line_language  # --lang applies to panel lines too
        if data:
            raise AnswersError(
                [FieldError(k, "unknown field", ["id", "panel", "language"]) for k in data]
            )
        if not isinstance(panel, list):
            raise AnswersError([FieldError("panel", "must be a list of assessments")])
        if lang not in ("fr", "en"):
            raise AnswersError([FieldError("language", "unsupported language", ["fr", "en"])])
        members = []
        for index, item in enumerate(panel):
            if not isinstance(item, dict) or not isinstance(item.get("interviewer"), str):
                raise AnswersError(
                    [FieldError(f"panel[{index}].interviewer", "a name is required")]
                )
            rest = {k: v for k, v in item.items() if k not in ("interviewer", "summary")}
            summary = item.get("summary", "")
            if not isinstance(summary, str):
                raise AnswersError([FieldError(f"panel[{index}].summary", "must be text")])
            try:
                answers = parse_answers(rubric, rest)
                members.append(PanelMember(item["interviewer"], answers, summary))
            except AnswersError as exc:
                raise AnswersError(
                    [FieldError(f"panel[{index}].{e.loc}", e.message, e.valid) for e in exc.errors]
                ) from exc
        result: dict[str, Any] = combine(rubric, members, lang).model_dump(mode="json")
    else:
        answers = parse_answers(rubric, data)
        result = score(rubric, answers, language).model_dump(mode="json")
    return {"id": line_id, **result} if line_id is not None else result


def score_stream(
    rubric: Rubric, source: TextIO, out: TextIO, err: TextIO, language: Language | None
) -> int:
    """Score each JSON line of `source` onto `out`; report bad lines on `err`; count them."""
    failures = 0
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            result = _score_line(rubric, json.loads(line), language)
        except json.JSONDecodeError as exc:
            err.write(f"line {number}: invalid JSON: {exc.msg} (column {exc.colno})\n")
            failures += 1
            continue
        except AnswersError as exc:
            for error in exc.errors:
                err.write(f"line {number}: {error}\n")
            failures += 1
            continue
        out.write(json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\n")
        out.flush()
    return failures


@app.command("score")
def score_command(
    file: Annotated[
        str, typer.Argument(help="JSON Lines file of answers, or - for standard input.")
    ] = "-",
    rubric_id: Annotated[str | None, typer.Option("--rubric", help="Rubric id.")] = None,
    lang: Annotated[
        Language | None,
        typer.Option("--lang", help="Language of the reasons (default: each line's)."),
    ] = None,
    directory: DirOption = None,
) -> None:
    """Score assessments, one JSON object a line, into one verdict a line.

    A line is one interviewer's answers ({"ratings", "flags", "notes", "language"}), or a panel
    ({"panel": [{"interviewer": "...", "ratings": ...}, ...]}); an "id" field is echoed back.
    Bad lines are reported on standard error with the field at fault; the others are still scored.
    """
    rubric = _pick(_load(directory), rubric_id)
    if file == "-":
        failures = score_stream(rubric, sys.stdin, sys.stdout, sys.stderr, lang)
    else:
        try:
            with open(file, encoding="utf-8") as handle:
                failures = score_stream(rubric, handle, sys.stdout, sys.stderr, lang)
        except OSError as exc:
            typer.echo(f"error: cannot read {file}: {exc.strerror}", err=True)
            raise typer.Exit(1) from exc
    if failures:
        typer.echo(f"{failures} line(s) could not be scored.", err=True)
        raise typer.Exit(1)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Migrate the database (TAMIS_DATABASE_URL) to the latest schema."""
    from app.core.db import make_engine
    from app.core.migrate import upgrade

    settings = get_settings()
    make_engine(settings.database_url).dispose()  # creates the SQLite data folder if needed
    applied = upgrade(settings.database_url, revision)
    done = "migrated to" if applied else "already at"
    typer.echo(f"database {done} {revision}: {_redacted(settings.database_url)}")


def _redacted(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Server processes.")] = 1,
    migrate: Annotated[
        bool,
        typer.Option(
            "--migrate",
            help="Migrate the database first (under a lock: when several servers start at "
            "once, one migrates and the others wait, then find nothing to do).",
        ),
    ] = False,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log each request.")
    ] = True,
    healthcheck_seconds: Annotated[
        int,
        typer.Option(
            min=1,
            help="With several workers: how long a worker may take to answer the supervisor's "
            "ping before it counts as hung and is replaced (its start-up loads the sentence "
            "model, slow on a busy machine).",
        ),
    ] = 60,
) -> None:
    """Serve the API with uvicorn. Checks the rubric first: a broken file stops start-up.

    Each worker process is stateless: data, rate-limit counts and the webhook outbox live in
    the database (or Redis), so several workers and several machines can serve one database.
    """
    import uvicorn

    _load(None)
    if migrate:
        db_upgrade("head")
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        timeout_worker_healthcheck=healthcheck_seconds,
        **proxy_options(get_settings()),
    )


def proxy_options(settings: Settings) -> dict[str, Any]:
    """uvicorn's proxy settings: X-Forwarded-For and -Proto are believed only from the proxies
    TAMIS_TRUSTED_PROXIES names; with none, the client address is the TCP peer's, whatever
    headers it sends (uvicorn would otherwise trust any loopback client)."""
    trusted = [p.strip() for p in settings.trusted_proxies.split(",") if p.strip()]
    if not trusted:
        return {"proxy_headers": False, "forwarded_allow_ips": ""}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(trusted)}


def main() -> None:
    """Entry point of the `tamis` console script."""
    app()


if __name__ == "__main__":
    main()
