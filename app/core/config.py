"""Settings read from the environment (prefix TAMIS_), validated in one place."""

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from limits import parse
from pydantic import AnyHttpUrl, Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The repository root when running from a checkout; the shipped rubric lives beside `app/`.
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


def shipped_criteria_dir() -> Path:
    """The rubric directory that ships with the code (`criteria/` beside `app/`)."""
    return _PROJECT_ROOT / "criteria"


def default_database_url() -> str:
    """A SQLite file under the local `data/` folder of the checkout."""
    return f"sqlite:///{_PROJECT_ROOT / 'data' / 'tamis.db'}"


# Storages TAMIS_RATE_LIMIT_URL may name (the `limits` package's schemes); unset: the database.
RATE_LIMIT_SCHEMES = ("redis", "rediss", "redis+unix", "redis+sentinel", "redis+cluster", "memory")


class Settings(BaseSettings):
    """Tamis settings; every field can be set as TAMIS_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="TAMIS_", extra="ignore")

    env: Literal["development", "production", "test"] = "development"
    # The address people reach the service at: self-screen links are built on it (never on
    # the Host header of the request that made them).
    public_url: AnyHttpUrl = AnyHttpUrl("http://127.0.0.1:8000")
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (comma-separated
    # addresses, or "*"); empty: none, the client address is the TCP peer's.
    trusted_proxies: str = ""
    database_url: str = Field(default_factory=default_database_url)
    # Local files of an embedded setup (the first admin key); the SQLite file defaults here too.
    data_dir: Path = _PROJECT_ROOT / "data"
    criteria_dir: Path = shipped_criteria_dir()
    max_body_bytes: int = Field(default=1024 * 1024, gt=0)
    # The bulk import (POST /api/v1/imports/assessments) streams its body: its own limit.
    max_import_bytes: int = Field(default=256 * 1024 * 1024, gt=0)
    # How long a SQLite writer waits for the lock before giving up, in milliseconds.
    sqlite_busy_timeout_ms: int = Field(default=15_000, ge=0)
    # SQLite: a server thread folds the write-ahead log into the database file every this many
    # seconds, so no request pays for it (app/core/checkpoint.py); 0: SQLite's automatic
    # checkpoints, run inside the COMMIT that takes the log past 1,000 pages.
    sqlite_checkpoint_seconds: float = Field(default=1.0, ge=0)
    # SQLite: write requests queued together commit in one transaction, each in a savepoint,
    # each answered after that COMMIT (app/core/groupcommit.py). Off by default: with WAL and
    # synchronous=NORMAL a COMMIT does not wait for the disk, and grouping was measured to
    # bring nothing (README, "Several servers"); it pays where a COMMIT is slow.
    sqlite_group_commit: bool = False
    # Candidates with no activity for this many days are erased by `tamis retention apply`.
    retention_days: int | None = Field(default=None, gt=0)
    # Webhook delivery: a worker thread per server process, retrying with exponential backoff.
    webhook_worker: bool = True
    webhook_poll_seconds: float = Field(default=0.5, gt=0)
    webhook_retry_base_seconds: float = Field(default=5.0, gt=0)
    webhook_max_attempts: int = Field(default=12, ge=1)
    # Hosts (as written in webhook URLs, comma-separated) allowed although they are not public
    # addresses; every other webhook must resolve to public addresses (app/webhooks/destinations).
    webhook_allowed_hosts: str = ""
    # Where rate-limit counts live (sign-in, self-screen). Unset: in the database, shared by
    # every server process and machine (app/core/ratelimit.py). `redis://host:6379` keeps them
    # in Redis (the `redis` extra); `memory://` in each process alone. See the `limits` package.
    rate_limit_url: str | None = None
    # Failed sign-ins allowed per account and per client address (`limits` notation).
    sign_in_limit_per_account: str = "10/15minutes"
    sign_in_limit_per_address: str = "50/15minutes"

    @field_validator("rate_limit_url")
    @classmethod
    def _a_storage(cls, value: str | None) -> str | None:
        if not value:
            return None
        scheme = value.split("://", 1)[0] if "://" in value else ""
        if scheme not in RATE_LIMIT_SCHEMES:
            known = ", ".join(f"{s}://" for s in RATE_LIMIT_SCHEMES)
            raise ValueError(f"'{value}' is not a rate-limit storage (one of: {known})")
        return value

    @field_validator("sign_in_limit_per_account", "sign_in_limit_per_address")
    @classmethod
    def _a_rate(cls, value: str) -> str:
        try:
            parse(value)
        except ValueError as exc:
            raise ValueError(f"'{value}' is not a rate such as 10/15minutes") from exc
        return value

    # The readers' time zone: every time shown in the pages and reports is in it.
    timezone: str = "Europe/Paris"
    # Invitations by email: sent when an SMTP host is set (otherwise the link is copied by hand).
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, gt=0, lt=65536)
    smtp_sender: str = "tamis@localhost"
    # The employer's name, shown to candidates on the self-screen page and in invitations.
    employer: str = ""

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            message = f"unknown time zone '{value}' (an IANA name, e.g. Europe/Paris)"
            raise ValueError(message) from exc
        return value


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
