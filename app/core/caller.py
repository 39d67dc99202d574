"""Who a request acts as, as the ground floor sees it; app/access gives the real principals."""

from collections.abc import Callable
from typing import Any, Protocol

from sqlmodel import Session
from starlette.requests import Request


class Caller(Protocol):
    """What the unit of work, the audit trail and `allow` read of a principal."""

    @property
    def kind(self) -> str: ...

    @property
    def id(self) -> str: ...

    @property
    def name(self) -> str: ...

    @property
    def role(self) -> str: ...

    def can(self, permission: Any) -> bool:
        """True when the caller's role grants `permission`."""
        ...


# Who the request acts as, from its credentials (None for public pages); raises when refused.
Authenticator = Callable[[Session, Request], Any]
