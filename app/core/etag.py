"""ETag and If-Match: a client that read version N may write only while it is still version N.

Versioned rows carry a `version` that the session bumps on every change (app/audit/recorder.py).
Writers lock the row (`SELECT … FOR UPDATE` on PostgreSQL; SQLite has one writer at a time)
before comparing, so two PATCHes sent with the same ETag give one success and one 412.
"""

import hashlib
from typing import Annotated, Any

from fastapi import Header, Response
from pydantic import BaseModel

from app.core.errors import BadRequest, PreconditionFailed
from app.core.fields import FieldError

IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description="The ETag read before: the change is refused with 412 if it is stale.",
    ),
]


def etag(version: int) -> str:
    """The strong ETag of a version."""
    return f'"{version}"'


def check(if_match: str | None, version: int) -> None:
    """PreconditionFailed when `If-Match` is given and names another version; BadRequest when
    it is empty."""
    if if_match is None:
        return
    if not if_match.strip():
        raise BadRequest(
            "If-Match must name an ETag (or `*`): it is empty",
            [FieldError("header:If-Match", 'an ETag read before, e.g. "3"')],
        )
    tags = [t.strip() for t in if_match.split(",")]
    if "*" in tags or etag(version) in tags:
        return
    raise PreconditionFailed(
        f"the resource is now at ETag {etag(version)}: read it again and redo the change"
    )


def tag(response: Response, row: Any) -> None:
    """Set the ETag header of a versioned row's representation."""
    response.headers["ETag"] = etag(row.version)


def of_representation(response: Response, body: BaseModel) -> None:
    """Set the ETag of a resource that has no version (a decision, a webhook, a screening link,
    a delivery): a digest of the representation sent, so it changes when the resource does."""
    digest = hashlib.sha256(body.model_dump_json().encode()).hexdigest()[:24]
    response.headers["ETag"] = f'"{digest}"'
