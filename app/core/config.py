"""Settings read from the environment (prefix TAMIS_), validated in one place."""

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

# The repository root when running from a checkout; the shipped rubric lives beside `app/`.
_PROJECT_ROOT = Path(__file__).resolve().parents[2]


def shipped_criteria_dir() -> Path:
    """The rubric directory that ships with the code (`criteria/` beside `app/`)."""
    return _PROJECT_ROOT / "criteria"


class Settings(BaseSettings):
    """Tamis settings; every field can be set as TAMIS_<NAME> in the environment."""

    model_config = SettingsConfigDict(env_prefix="TAMIS_", extra="ignore")

    criteria_dir: Path = shipped_criteria_dir()


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
