"""The panel's walks of rules 2 are stored when the panel changes and read with its verdict.

What a partly rated panel may still become (`possible`) and what would settle it (`settle`) is
the costly part of a verdict: it is worked out at submission, amendment and rescoring, stored
under the inputs it was made for, and a reader uses it only when its own inputs are the same.
"""

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, delete, select, update

from app.assessments.models import PanelWalk, StoredPanelVerdict
from app.core.config import Settings
from app.rubric import load_rubrics
from app.scoring import Answers, PanelMember, combine
from tests.api.conftest import Api
from tests.rubric.test_shipped_rubric import CORE

WALKS = PanelWalk.__table__  # type: ignore[attr-defined]
PANELS = StoredPanelVerdict.__table__  # type: ignore[attr-defined]


def _walk(settings: Settings, candidate_id: str) -> Any:
    engine = create_engine(settings.database_url)
    with engine.connect() as connection:
        row = connection.execute(
            select(WALKS).where(WALKS.c.candidate_id == uuid.UUID(candidate_id))
        ).first()
    engine.dispose()
    return row


def _forget_panel(settings: Settings, candidate_id: str) -> None:
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(delete(PANELS).where(PANELS.c.candidate_id == uuid.UUID(candidate_id)))
    engine.dispose()


def _set(settings: Settings, candidate_id: str, **values: Any) -> None:
    engine = create_engine(settings.database_url)
    with engine.begin() as connection:
        connection.execute(
            update(WALKS).where(WALKS.c.candidate_id == uuid.UUID(candidate_id)).values(**values)
        )
    engine.dispose()


def test_the_panel_walk_is_stored_at_submission_and_used_only_for_its_inputs(
    api: Api, client: TestClient, settings: Settings
) -> None:
    candidate = api.candidate()
    cid = candidate["id"]
    half = dict.fromkeys(CORE, 3)
    api.assessment(cid, "Ana", half)
    api.assessment(cid, "Bruno", {**half, CORE[0]: 4})
    verdict = api.ok("GET", f"/api/v1/candidates/{cid}/verdict")
    assert verdict["recommendation"] == "incomplete" and len(verdict["possible"]) > 1
    stored = _walk(settings, cid)
    assert stored is not None
    assert (list(stored.possible), list(stored.settle)) == (verdict["possible"], verdict["settle"])

    # The same panel worked out from scratch, without any stored walk, says the same.
    rubric = load_rubrics(settings.criteria_dir)["social-media-screen"]
    members = [
        PanelMember("Ana", Answers(ratings=half)),
        PanelMember("Bruno", Answers(ratings={**half, CORE[0]: 4})),
    ]
    fresh = combine(rubric, members, "en")
    assert (fresh.possible, fresh.settle) == (verdict["possible"], verdict["settle"])

    # Without the stored panel verdict (tests/api/test_stored_panel_verdicts.py), the reader
    # works the verdict out and takes the stored walk for its inputs (it does not redo it) ...
    _forget_panel(settings, cid)
    _set(settings, cid, possible=["hire"], settle=[])
    assert api.ok("GET", f"/api/v1/candidates/{cid}/verdict")["recommendation"] == "hire"
    # ... and ignores one stored for other inputs.
    _set(settings, cid, walk_key="0" * 64)
    again = api.ok("GET", f"/api/v1/candidates/{cid}/verdict")
    assert (again["recommendation"], again["possible"]) == ("incomplete", verdict["possible"])

    # A new scorecard changes the panel: its walk replaces the stored one.
    api.assessment(cid, "Chloé", dict.fromkeys(CORE, 4))
    after = api.ok("GET", f"/api/v1/candidates/{cid}/verdict")
    stored = _walk(settings, cid)
    assert stored.walk_key != "0" * 64
    assert (list(stored.possible), list(stored.settle)) == (after["possible"], after["settle"])
