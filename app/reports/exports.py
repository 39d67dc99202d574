"""Streamed exports of submitted assessments: CSV (safe in a spreadsheet) and JSON Lines.

Rows come from one query read in batches (`yield_per`, a server-side cursor on PostgreSQL), and
are written to the client a chunk at a time, so memory stays flat whatever the number of rows.
"""

import csv
import io
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, Literal

from sqlalchemy import Engine, Select, and_, func, select
from sqlmodel import col

from app.assessments.models import Assessment, VerdictRecord
from app.candidates.models import Candidate
from app.core.db import session_scope
from app.positions.models import Position
from app.rubric.store import RubricRegistry, RubricVersion

ExportFormat = Literal["csv", "jsonl"]
Separator = Literal["comma", "semicolon"]
BATCH = 1000
CHUNK = 64 * 1024
# A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FIXED_COLUMNS = (
    "assessment_id",
    "submitted_at",
    "revision",
    "candidate_id",
    "candidate_name",
    "candidate_email",
    "candidate_external_id",
    "position_id",
    "position_title",
    "interviewer_name",
    "interviewer_email",
)
VERDICT_COLUMNS = ("flags", "recommendation", "score", "coverage", "rubric_id", "rubric_version")


@dataclass(frozen=True)
class ExportFilter:
    """Which submitted assessments to export."""

    position_id: uuid.UUID | None = None
    recommendation: str | None = None
    submitted_from: datetime | None = None
    submitted_to: datetime | None = None


def statement(filters: ExportFilter) -> Select[*tuple[Any, ...]]:
    """The rows of the export: each submitted assessment with its latest verdict."""
    latest = (
        select(
            col(VerdictRecord.assessment_id), func.max(col(VerdictRecord.created_at)).label("at")
        )
        .group_by(col(VerdictRecord.assessment_id))
        .subquery()
    )
    query: Select[*tuple[Any, ...]] = (
        select(
            col(Assessment.id),
            col(Assessment.submitted_at),
            col(Assessment.revision),
            col(Assessment.candidate_id),
            col(Candidate.full_name),
            col(Candidate.email),
            col(Candidate.external_id),
            col(Candidate.position_id),
            col(Position.title),
            col(Assessment.interviewer_name),
            col(Assessment.interviewer_email),
            col(Assessment.answers),
            col(Assessment.summary),
            col(VerdictRecord.recommendation),
            col(VerdictRecord.score),
            col(VerdictRecord.coverage),
            col(RubricVersion.rubric_id),
            col(RubricVersion.version),
        )
        .join(Candidate, col(Candidate.id) == col(Assessment.candidate_id))
        .join(Position, col(Position.id) == col(Candidate.position_id))
        .join(latest, latest.c.assessment_id == col(Assessment.id))
        .join(
            VerdictRecord,
            and_(
                col(VerdictRecord.assessment_id) == col(Assessment.id),
                col(VerdictRecord.created_at) == latest.c.at,
            ),
        )
        .join(RubricVersion, col(RubricVersion.id) == col(VerdictRecord.rubric_version_id))
        .where(col(Assessment.status) == "submitted")
        .order_by(col(Assessment.submitted_at), col(Assessment.id))
    )
    if filters.position_id is not None:
        query = query.where(col(Candidate.position_id) == filters.position_id)
    if filters.recommendation is not None:
        query = query.where(col(VerdictRecord.recommendation) == filters.recommendation)
    if filters.submitted_from is not None:
        query = query.where(col(Assessment.submitted_at) >= filters.submitted_from)
    if filters.submitted_to is not None:
        query = query.where(col(Assessment.submitted_at) < filters.submitted_to)
    return query


def count(engine: Engine, filters: ExportFilter) -> int:
    """How many rows the export holds."""
    with session_scope(engine, readonly=True) as session:
        total = session.execute(
            select(func.count()).select_from(statement(filters).subquery())
        ).scalar()
    return int(total or 0)


def _records(
    engine: Engine, filters: ExportFilter, criteria: list[str], zone: tzinfo = UTC
) -> Iterator[dict[str, Any]]:
    with session_scope(engine, readonly=True) as session:
        rows = session.execute(statement(filters).execution_options(yield_per=BATCH))
        for row in rows:
            answers = row.answers or {}
            ratings = answers.get("ratings", {})
            flags = [f["id"] if isinstance(f, dict) else f for f in answers.get("flags", [])]
            yield {
                "assessment_id": str(row.id),
                "submitted_at": _local(row.submitted_at, zone),
                "revision": row.revision,
                "candidate_id": str(row.candidate_id),
                "candidate_name": row.full_name,
                "candidate_email": row.email,
                "candidate_external_id": row.external_id,
                "position_id": str(row.position_id),
                "position_title": row.title,
                "interviewer_name": row.interviewer_name,
                "interviewer_email": row.interviewer_email,
                "ratings": {c: ratings.get(c) for c in criteria},
                "notes": {c: (answers.get("notes") or {}).get(c) for c in criteria},
                "summary": row.summary or None,
                "flags": flags,
                "recommendation": row.recommendation,
                "score": row.score,
                "coverage": row.coverage,
                "rubric_id": row.rubric_id,
                "rubric_version": row.version,
            }


def _local(moment: datetime | None, zone: tzinfo) -> str | None:
    """ISO 8601 in the readers' zone, with its offset ('2026-11-23T17:39:02+01:00')."""
    if moment is None:
        return None
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(zone).isoformat(timespec="seconds")


def safe_cell(value: Any) -> Any:
    """A value a spreadsheet shows as text: one `'` goes before a value that starts with a
    formula character once its own leading `'`s are set aside, so that dropping one leading
    `'` from such a cell always gives the value back (README, "Reading the `'` prefix")."""
    if isinstance(value, str) and value.lstrip("'").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _number(value: float, decimal_comma: bool) -> str:
    text = repr(round(value, 4))
    return text.replace(".", ",") if decimal_comma else text


def csv_chunks(
    engine: Engine,
    filters: ExportFilter,
    criteria: list[str],
    *,
    separator: Separator = "comma",
    bom: bool = False,
    notes: bool = False,
    summary: bool = False,
    zone: tzinfo = UTC,
) -> Iterator[str]:
    """The CSV text, in chunks. With `semicolon`, decimals take a comma (French spreadsheets).

    `notes` adds a `note:<criterion>` column per criterion and `summary` the interviewer's
    summary; free text like every other text cell is neutralised against formulas."""
    french = separator == "semicolon"
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";" if french else ",", lineterminator="\r\n")
    if bom:
        buffer.write("\ufeff")
    note_columns = [f"note:{c}" for c in criteria] if notes else []
    summary_columns = ["summary"] if summary else []
    writer.writerow([*FIXED_COLUMNS, *criteria, *VERDICT_COLUMNS, *note_columns, *summary_columns])
    for record in _records(engine, filters, criteria, zone):
        writer.writerow(
            [
                *(safe_cell(record[c]) for c in FIXED_COLUMNS),
                *(record["ratings"][c] for c in criteria),
                safe_cell(" ".join(record["flags"])),
                record["recommendation"],
                _number(record["score"], french),
                _number(record["coverage"], french),
                safe_cell(record["rubric_id"]),
                safe_cell(record["rubric_version"]),
                *(safe_cell(record["notes"][c]) for c in (criteria if notes else ())),
                *([safe_cell(record["summary"])] if summary else []),
            ]
        )
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def jsonl_chunks(
    engine: Engine,
    filters: ExportFilter,
    criteria: list[str],
    *,
    notes: bool = False,
    summary: bool = False,
    zone: tzinfo = UTC,
) -> Iterator[str]:
    """One JSON object a line, in chunks (`notes` and `summary` only when asked for)."""
    lines: list[str] = []
    size = 0
    for record in _records(engine, filters, criteria, zone):
        if not notes:
            del record["notes"]
        if not summary:
            del record["summary"]
        line = json.dumps(record, ensure_ascii=False) + "\n"
        lines.append(line)
        size += len(line)
        if size >= CHUNK:
            yield "".join(lines)
            lines, size = [], 0
    yield "".join(lines)


def criterion_columns(registry: RubricRegistry) -> list[str]:
    """One column per criterion of the loaded rubrics, in rubric order."""
    columns: list[str] = []
    for rubric in registry.current.values():
        columns += [c.id for c in rubric.criteria if c.id not in columns]
    return columns
