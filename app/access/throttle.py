"""Sign-in throttling: too many failed passwords per account, or per client address, wait.

Failures are counted in a moving window (the `limits` package): by default at most 10 per
account and 50 per client address in 15 minutes (TAMIS_SIGN_IN_LIMIT_PER_ACCOUNT and
TAMIS_SIGN_IN_LIMIT_PER_ADDRESS, in the `limits` notation). Past either, sign-in answers 429 with
`Retry-After` without checking the password at all; a success clears the account's count.
The counts live in the storage app/core/ratelimit.py gives (the database by default, shared by
every server process and machine; or Redis, or one process's memory, per TAMIS_RATE_LIMIT_URL).
"""

import time
from dataclasses import dataclass
from typing import Any

from limits import RateLimitItem, parse, storage, strategies

ACCOUNT_LIMIT = "10/15minutes"
ADDRESS_LIMIT = "50/15minutes"


@dataclass
class SignInThrottle:
    """The failed sign-ins counted in `storage` (shared by every process that uses it)."""

    storage: Any = None  # a `limits` storage; None: this process's memory
    per_account: str = ACCOUNT_LIMIT
    per_address: str = ADDRESS_LIMIT

    def __post_init__(self) -> None:
        counts = self.storage if self.storage is not None else storage.MemoryStorage()
        self.limiter = strategies.MovingWindowRateLimiter(counts)
        self.account: RateLimitItem = parse(self.per_account)
        self.address: RateLimitItem = parse(self.per_address)

    def wait(self, email: str, address: str) -> int:
        """Seconds to wait before trying again (0: the attempt may go ahead)."""
        waits = []
        for item, key in ((self.account, _account(email)), (self.address, address)):
            if not self.limiter.test(item, "sign-in", key):
                reset, _remaining = self.limiter.get_window_stats(item, "sign-in", key)
                waits.append(max(int(reset - time.time()) + 1, 1))
        return max(waits, default=0)

    def failed(self, email: str, address: str) -> None:
        """Count a wrong password against the account and the address."""
        self.limiter.hit(self.account, "sign-in", _account(email))
        self.limiter.hit(self.address, "sign-in", address)

    def succeeded(self, email: str) -> None:
        """The right password: the account's failures are forgotten."""
        self.limiter.clear(self.account, "sign-in", _account(email))


def _account(email: str) -> str:
    return email.strip().lower()
