"""What a fresh machine relies on: the Dockerfile, the CI entry point, the README's commands."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_dockerfile_passes_hadolint() -> None:
    hadolint = Path(sys.executable).parent / "hadolint"
    result = subprocess.run(
        [str(hadolint), str(ROOT / "Dockerfile")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dockerfile_runs_as_a_non_root_user() -> None:
    users = re.findall(r"^USER\s+(\S+)", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    assert users, "the image must switch to an unprivileged user"
    assert users[-1].split(":")[0] not in ("root", "0")


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^```(?:sh|bash)?\n(.*?)```", readme, flags=re.MULTILINE | re.DOTALL)
    first_block = commands[0].split("\n")
    assert "make run" in first_block[0]
    assert "make test" in first_block[1]
    ci_run = (ROOT / ".ci" / "run").read_text().strip().splitlines()
    assert ci_run[-1] == "exec make test" and "export CI=true" in ci_run
