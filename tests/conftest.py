"""Shared fixtures (the shipped rubric, loaded once) and the run's tally per database and browser.

Every API test runs once on SQLite and once on PostgreSQL, and the page tests in Chromium. The
terminal summary says how many ran in each, so a half that was skipped or not collected shows;
under CI a half whose every test was skipped fails the run.
"""

import os
from collections import Counter

import pytest
from hypothesis import Phase, settings

from app.core.config import shipped_criteria_dir
from app.rubric import Rubric, load_rubrics
from tests.ci import IN_CI
from tests.factories import examples

HALVES = {"sqlite": "SQLite", "postgresql": "PostgreSQL", "browser": "browser (Chromium)"}
_tally: dict[str, Counter[str]] = {half: Counter() for half in HALVES}
HALF_PROPERTY = "tamis_half"

# Examples are derandomised (a run is reproducible) and not timed: the machine is shared.
# Mutation runs (tests/mutation.py sets TAMIS_NO_SHRINK) only need to know that a property
# fails, not its smallest example: shrinking a failure can take minutes.
settings.register_profile(
    "tamis",
    deadline=None,
    derandomize=True,
    print_blob=True,
    max_examples=examples(100),
    phases=[Phase.explicit, Phase.reuse, Phase.generate]
    if os.environ.get("TAMIS_NO_SHRINK")
    else list(Phase),
)
settings.load_profile("tamis")


@pytest.fixture(scope="session")
def shipped() -> Rubric:
    """The rubric under criteria/, as the service loads it."""
    return load_rubrics(shipped_criteria_dir())["social-media-screen"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "live: starts Tamis under uvicorn in a subprocess (left out of mutation runs)"
    )
    config.addinivalue_line(
        "markers",
        "long: runs for minutes; its module is scheduled first (pytest-xdist workers "
        "then finish together instead of one waiting on it at the end)",
    )


def _half(item: pytest.Item) -> str | None:
    callspec = getattr(item, "callspec", None)
    database = callspec.params.get("database_url") if callspec else None
    if database in HALVES:
        return str(database)
    if "postgresql_engine" in getattr(item, "fixturenames", ()):  # a server of its own
        return "postgresql"
    if "browser" in getattr(item, "fixturenames", ()):  # Chromium drives the test
        return "browser"
    return None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Long modules first (a stable sort keeps every other order): xdist hands out modules in
    # collection order.
    items.sort(key=lambda item: item.get_closest_marker("long") is None)
    # Under pytest-xdist the workers collect and the controller tallies: the half travels with
    # each report in its user properties.
    for item in items:
        half = _half(item)
        if half is not None:
            item.user_properties.append((HALF_PROPERTY, half))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    half = dict(report.user_properties).get(HALF_PROPERTY)
    if half not in _tally:
        return
    if report.when == "call" or (report.when == "setup" and not report.passed):
        if hasattr(report, "wasxfail"):  # an expected failure ran: not a skip
            outcome = "xfailed" if report.skipped else "xpassed"
        else:
            outcome = "skipped" if report.skipped else "failed" if report.failed else "passed"
        _tally[half][outcome] += 1
    elif report.when == "teardown" and report.failed:
        _tally[half]["errors"] += 1


def _silent_halves() -> list[str]:
    """Halves that had tests and ran none of them."""
    return [
        HALVES[half]
        for half, counts in _tally.items()
        if counts["skipped"] and not counts["passed"] and not counts["failed"]
    ]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    terminalreporter.section("tests per database and in the browser")
    if not any(_tally.values()):  # e.g. `make test`'s fuzzing run, on the in-process app only
        terminalreporter.write_line("none in this run (no database or browser parameter)")
        return
    for half, label in HALVES.items():
        counts = _tally[half]
        ran = counts["passed"] + counts["failed"] + counts["xfailed"] + counts["xpassed"]
        detail = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()) if n)
        terminalreporter.write_line(f"{label}: {ran} ran ({detail or 'none collected'})")
    for label in _silent_halves():
        terminalreporter.write_line(f"{label}: every test was skipped", red=True)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if IN_CI and _silent_halves() and exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
