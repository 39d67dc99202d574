"""A candidate's page: details, warnings, verdict, scorecards, decisions, reports."""

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import Session

from app.access.policy import P
from app.assessments import access
from app.assessments import service as assessments
from app.assessments.models import Assessment
from app.candidates import service as candidates
from app.candidates import visibility
from app.candidates.models import Candidate
from app.core.deps import SessionDep
from app.core.i18n import Language
from app.decisions import service as decisions
from app.positions import service as positions
from app.rubric.deps import RegistryDep
from app.rubric.store import RubricRegistry
from app.scoring.advice import against
from app.screenings import service as screenings
from app.verdicts import service as verdicts
from app.web.common import Errors, need, own_scorecard, principal_of
from app.web.render import language_of, page
from app.web.session import PageRoute
from app.web.text import TEXT

router = APIRouter(route_class=PageRoute, include_in_schema=False)


INVITE_COOKIE = "tamis_invite"
MAIL_COOKIE = "tamis_invite_mail"
RECOMMENDATIONS = ("strong_hire", "hire", "hold", "no_hire")


def agreement_words(alpha: float | None, raters: int, language: Language) -> str:
    """The panel's agreement said in words (Krippendorff's alpha read on the usual bands)."""
    words = TEXT[language]
    if raters < 2:
        return words["agreement_single"]
    if alpha is None:
        return words["agreement_none"]
    if alpha >= 0.8:
        return words["agreement_strong"]
    if alpha >= 0.667:
        return words["agreement_fair"]
    if alpha >= 0:
        return words["agreement_weak"]
    return words["agreement_opposed"]


def side_by_side(verdict: Any, scorecards: list[Assessment]) -> list[dict[str, Any]]:
    """One row per criterion (calibration rows first): each submitted scorecard's rating, note."""
    submitted = [a for a in scorecards if a.status == "submitted"]
    spread = {c.criterion_id for c in verdict.calibration} if verdict else set()
    rows = []
    for criterion in verdict.criteria if verdict else []:
        cells = []
        for a in submitted:
            answers = a.answers
            cells.append(
                {
                    "rating": answers.get("ratings", {}).get(criterion.id),
                    "note": answers.get("notes", {}).get(criterion.id, ""),
                }
            )
        rows.append(
            {
                "id": criterion.id,
                "title": criterion.title,
                "group": criterion.group,
                "calibrate": criterion.id in spread,
                "cells": cells,
            }
        )
    rows.sort(key=lambda row: not row["calibrate"])
    return rows


def candidate_view(
    request: Request,
    session: Session,
    registry: RubricRegistry,
    candidate: Candidate,
    *,
    values: dict[str, str] | None = None,
    errors: Errors | None = None,
    status: int = 200,
) -> HTMLResponse:
    """The candidate's page, built around the decision to take."""
    principal = principal_of(request)
    language = language_of(request)
    position = positions.to_public(
        positions.get(session, candidate.position_id), registry, language
    )
    sees_panel = principal.can(P.VERDICTS_READ) and access.sees_panel(
        session, candidate.id, principal
    )
    verdict = verdicts.panel(session, registry, candidate, language) if sees_panel else None
    readable = principal.can(P.ASSESSMENTS_ALL) or principal.can(P.ASSESSMENTS_OWN)
    scorecards = (
        access.visible(
            session, candidate.id, assessments.for_candidate(session, candidate.id), principal
        )
        if readable
        else []
    )
    history = (
        [decisions.to_public(d) for d in decisions.history(session, candidate)]
        if principal.can(P.DECISIONS_READ)
        else None
    )
    state = request.app.state
    invitations = [
        {
            "status": screenings.status(s),
            "created_at": s.created_at,
            "expires_at": s.expires_at,
            "answers": screenings.present(
                s, registry, state.questionnaires, state.signals, language
            ).answers
            if s.used_at
            else [],
        }
        for s in screenings.for_candidate(session, candidate.id)
    ]
    recommendation = verdict.recommendation if verdict else None
    response = page(
        request,
        "candidate.html",
        status,
        candidate=visibility.show(session, candidate, principal_of(request)).public,
        position=position,
        verdict=verdict,
        main_reasons=verdict.reasons[:3] if verdict else [],
        agreement_text=(
            (
                getattr(verdict, "agreement_words", None)
                or agreement_words(verdict.agreement, len(verdict.raters), language)
            )
            if verdict
            else ""
        ),
        own_views={v.name: v for v in getattr(verdict, "interviewers", [])} if verdict else {},
        settle_titles=[
            next((c.title for c in verdict.criteria if c.id == s), s)
            for s in getattr(verdict, "settle", [])
        ]
        if verdict
        else [],
        titles={c.id: c.title for c in verdict.criteria} if verdict else {},
        scorecards=scorecards,
        submitted=[a for a in scorecards if a.status == "submitted"],
        table=side_by_side(verdict, scorecards) if sees_panel else [],
        history=history,
        current=history[-1] if history else None,
        mine=own_scorecard(session, candidate, principal) if readable else None,
        can_assess=readable and principal.email is not None,
        can_decide=principal.can(P.DECISIONS_WRITE),
        can_report=principal.can(P.REPORTS_READ),
        can_invite=principal.can(P.CANDIDATES_WRITE),
        invitations=invitations,
        invite_link=request.cookies.get(INVITE_COOKIE),
        invite_mail=request.cookies.get(MAIL_COOKIE),
        can_mail=bool(request.app.state.settings.smtp_host) and bool(candidate.email),
        agrees=(
            {d: not against(d, recommendation) for d in ("advance", "hire", "reject")}
            if recommendation
            else {}
        ),
        values=values or {},
        errors=errors or {},
    )
    for name in (INVITE_COOKIE, MAIL_COOKIE):
        if request.cookies.get(name):
            response.delete_cookie(name, path=f"/candidates/{candidate.id}")
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/candidates/{candidate_id}")
def candidate_page(
    candidate_id: uuid.UUID, request: Request, session: SessionDep, registry: RegistryDep
) -> HTMLResponse:
    """A candidate: details, warnings, verdict, scorecards, decisions, reports."""
    need(principal_of(request), P.CANDIDATES_READ)
    return candidate_view(request, session, registry, candidates.get(session, candidate_id))
