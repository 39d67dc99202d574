"""Building a candidate report from what is stored (the same replay as the verdict endpoint)."""

from sqlmodel import Session

from app.candidates.models import Candidate
from app.core.i18n import Language
from app.core.types import utcnow
from app.decisions import service as decisions
from app.positions import service as positions
from app.reports.labels import LABELS, word
from app.reports.model import (
    CandidateReport,
    ReportCandidate,
    ReportCriterion,
    ReportDecision,
    ReportFlag,
    ReportPosition,
    ReportVerdict,
)
from app.rubric.store import RubricRegistry
from app.scoring.advice import against
from app.scoring.messages import RECOMMENDATION_LABELS, quoted
from app.scoring.phrases import flag_source
from app.scoring.verdict import AttributedNote
from app.verdicts import service as verdicts


def build(
    session: Session, registry: RubricRegistry, candidate: Candidate, language: Language
) -> CandidateReport:
    """The report on `candidate` in `language`."""
    verdict, members, rubric = verdicts.panel_with_members(session, registry, candidate, language)
    position = positions.to_public(
        positions.get(session, candidate.position_id), registry, language
    )
    labels = RECOMMENDATION_LABELS[language]
    to_calibrate = {c.criterion_id for c in verdict.calibration}
    criteria = [
        ReportCriterion(
            id=result.id,
            title=result.title,
            group=result.group,
            group_label=word(language, result.group),
            ratings={m.interviewer: m.answers.ratings.get(result.id) for m in members},
            combined=result.rating,
            anchor=result.anchor,
            notes=list(result.notes),
            needs_calibration=result.id in to_calibrate,
        )
        for result in verdict.criteria
    ]
    # A confirmed self-screen suggestion quotes the candidate, not the interviewer: the quote
    # is the candidate's (confirmed by the interviewer), in quotation marks; a note of the
    # interviewer's own, when there is one, stays theirs.
    quotes: dict[tuple[str, str], str] = {
        (m.interviewer, flag.id): flag.quote
        for m in members
        for flag in m.answers.flags
        if flag.origin == "suggestion" and flag.quote
    }

    def attributed(flag_id: str, notes: list[AttributedNote]) -> list[AttributedNote]:
        shown: list[AttributedNote] = []
        for note in notes:
            quote = quotes.get((note.by or "", flag_id))
            if quote is not None and note.text == quote:
                continue  # the quote stood in for a note: shown below as the candidate's
            shown.append(note)
        for (by, quoted_flag), quote in quotes.items():
            if quoted_flag == flag_id:
                label = LABELS[language]["candidate_quote"].format(by=by)
                shown.append(AttributedNote(by=label, text=quoted(language, quote)))
        return shown

    flags = [
        ReportFlag(
            id=flag.id,
            title=flag.title,
            severity=flag.severity,
            severity_label=word(language, flag.severity),
            raised_by=list(flag.raised_by),
            notes=attributed(flag.id, list(flag.notes)),
            verify=rubric.flags_by_id[flag.id].verify.get(language),
            source=flag_source(rubric, rubric.flags_by_id[flag.id], language),
        )
        for flag in verdict.flags
    ]
    titles = {c.id: c.title for c in verdict.criteria}
    return CandidateReport(
        language=language,
        generated_at=utcnow(),
        rubric_id=verdict.rubric_id,
        rubric_version=verdict.rubric_version,
        scale_min=rubric.scale.min,
        scale_max=rubric.scale.max,
        candidate=ReportCandidate(
            id=candidate.id,
            full_name=candidate.full_name,
            email=candidate.email,
            external_id=candidate.external_id,
            status=candidate.status,
            status_label=word(language, candidate.status),
            erased=candidate.erased_at is not None,
        ),
        position=ReportPosition(
            id=position.id, title=position.title, warnings=[w.text for w in position.warnings]
        ),
        interviewers=[m.interviewer for m in members],
        verdict=ReportVerdict(
            recommendation=verdict.recommendation,
            recommendation_label=labels[verdict.recommendation],
            score=verdict.score,
            coverage=verdict.coverage,
            agreement=verdict.agreement,
            reasons=[r.text for r in verdict.reasons],
            calibration=[titles.get(c.criterion_id, c.criterion_id) for c in verdict.calibration],
        ),
        criteria=criteria,
        flags=flags,
        decisions=[
            ReportDecision(
                decision=d.decision,
                decision_label=word(language, d.decision),
                decided_by=d.decided_by,
                rationale=d.rationale,
                recommendation_label=labels.get(d.recommendation, d.recommendation),  # type: ignore[call-overload]
                against_recommendation=against(d.decision, d.recommendation),
                created_at=d.created_at,
            )
            for d in decisions.history(session, candidate)
        ],
        labels=LABELS[language],
        summaries=[
            AttributedNote(by=a.interviewer_name, text=a.summary)
            for a in verdicts.submitted(session, candidate.id)
            if a.summary.strip()
        ],
    )
