"""Running the `tamis` command as a user would: a subprocess with a clean environment."""

import subprocess
import sys
from pathlib import Path

from app.core.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def tamis(
    settings: Settings | None, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """`tamis ARGS` on the settings' database, with `env` added to a minimal environment."""
    variables = {"PATH": "/usr/bin:/bin", "COLUMNS": "200", **env}
    if settings is not None:
        variables["TAMIS_DATABASE_URL"] = settings.database_url
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=variables,
        cwd=ROOT,
        check=False,
        timeout=60,
    )
