"""FastAPI dependencies, as Annotated aliases: the session, the language, the rubrics."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Header, Query, Request
from sqlmodel import Session

from app.core.db import session_scope
from app.core.i18n import Language, negotiate_language
from app.rubric.store import RubricRegistry

READ_METHODS = {"GET", "HEAD", "OPTIONS"}


def get_session(request: Request) -> Iterator[Session]:
    """One session per request; it commits when the endpoint returns and rolls back on error."""
    readonly = request.method in READ_METHODS
    with session_scope(request.app.state.engine, readonly=readonly) as session:
        yield session


def get_language(
    lang: Annotated[
        Language | None, Query(description="Language of every text in the response.")
    ] = None,
    accept_language: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Language:
    """`?lang=fr|en`, else Accept-Language, else English."""
    return negotiate_language(lang, accept_language)


def get_registry(request: Request) -> RubricRegistry:
    """The loaded rubrics and the stored versions."""
    registry: RubricRegistry = request.app.state.registry
    return registry


SessionDep = Annotated[Session, Depends(get_session)]
LanguageDep = Annotated[Language, Depends(get_language)]
RegistryDep = Annotated[RubricRegistry, Depends(get_registry)]
