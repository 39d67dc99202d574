"""`tamis flags train` reproduces the shipped weights and neighbours from the corpus, byte for
byte: the files that ship are what this code makes of this corpus, and training is deterministic.

Minutes long (a whole training): in a module of its own, marked `long`, so that it starts first on
one pytest-xdist worker while the other runs the rest.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from app.core.config import shipped_criteria_dir

ROOT = Path(__file__).resolve().parents[2]
SIGNALS_DIR = shipped_criteria_dir() / "signals"

pytestmark = pytest.mark.long


def test_training_reproduces_the_shipped_weights(tmp_path: Path) -> None:
    """`tamis flags train` on a fresh copy writes the very file that ships (deterministic)."""
    criteria = tmp_path / "criteria"
    shutil.copytree(shipped_criteria_dir(), criteria)
    weights = criteria / "signals" / "social-media-screen.weights.json"
    neighbours = criteria / "signals" / "social-media-screen.neighbours.npz"
    weights.unlink()
    neighbours.unlink()
    done = subprocess.run(
        [sys.executable, "-m", "app.cli", "flags", "train"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        timeout=1200,
        env={**os.environ, "TAMIS_CRITERIA_DIR": str(criteria)},
    )
    assert done.returncode == 0, done.stderr
    assert "validation split" in done.stdout
    shipped = SIGNALS_DIR / "social-media-screen.weights.json"
    assert weights.read_text(encoding="utf-8") == shipped.read_text(encoding="utf-8")
    assert neighbours.read_bytes() == (SIGNALS_DIR / neighbours.name).read_bytes()
