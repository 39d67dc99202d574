"""Alembic migrations (kept in app/migrations): apply them, and check a database is up to date."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from app.core.db import create_private_sqlite_file

MIGRATIONS = Path(__file__).resolve().parents[1] / "migrations"


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for `database_url`, with no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Migrate the database at `database_url` to `revision` (a new SQLite file is private)."""
    create_private_sqlite_file(database_url)
    command.upgrade(alembic_config(database_url), revision)


def pending(engine: Engine, database_url: str) -> bool:
    """True when the database is not at the latest migration."""
    heads = set(ScriptDirectory.from_config(alembic_config(database_url)).get_heads())
    with engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current != heads
