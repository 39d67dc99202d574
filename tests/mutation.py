"""Mutation testing with mutmut: does each package's fast test set fail when its code is changed?

`make mutation` (or `python tests/mutation.py [group ...]`) runs one mutmut session per group in
its own copy of the project under .mutation/<group>/, with only that group's files mutated and
only its fast tests run (SQLite only, no subprocess server, no browser), then writes the scores
and every surviving mutant, with its diff, to tests/MUTATION.md.

Each group lists the tests that exercise it; mutmut then runs, for each mutant, only those of
them that reach the mutated function.
"""

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".mutation"
REPORT = ROOT / "tests" / "MUTATION.md"
FAST = ["-k", "not postgresql", "-m", "not live", "-p", "no:cacheprovider", "-x", "-q"]


@dataclass
class Group:
    """Files to mutate, and the tests that should catch a change in them."""

    mutate: list[str]
    tests: list[str]
    note: str = ""
    target: int = 80


GROUPS: dict[str, Group] = {
    "core": Group(
        mutate=[
            "app/core/etag.py",
            "app/core/i18n.py",
            "app/core/limits.py",
            "app/core/pagination.py",
            "app/core/text.py",
        ],
        tests=[
            "tests/core",
            "tests/api/test_resources.py",
            "tests/api/test_retries_and_edits.py",
            "tests/api/test_hostile_input.py",
        ],
        note=(
            "The request plumbing (routing.py, db.py, deps.py, migrate.py, config.py, "
            "commands.py, templates.py, types.py) is left out: every API test goes through it, "
            "so a mutant there costs the whole API suite; it is covered by that suite. "
            "errors.py and idempotency.py belong here too but were not run yet (same reason: "
            "hundreds of mutants, each running API tests; about an hour on 2 cores)."
        ),
    ),
    "access": Group(
        mutate=["app/access/models.py", "app/assessments/access.py"],
        tests=["tests/api/test_access.py", "tests/api/test_audit_and_privacy.py"],
        note=(
            "The role table itself (app/access/policy.py, GRANTS) is data: mutmut mutates code "
            "inside functions only. The code that reads it (Principal.can) and the blind-scoring "
            "rules are mutated here; the table is checked against the README by test_access."
        ),
    ),
    "privacy": Group(
        mutate=["app/privacy/service.py"],
        tests=["tests/api/test_audit_and_privacy.py"],
    ),
    "scoring": Group(
        mutate=["app/scoring/*.py"],
        tests=["tests/scoring"],
        target=90,
    ),
    "rubric": Group(
        mutate=["app/rubric/*.py"],
        tests=["tests/rubric"],
        note="app/rubric/router.py and store.py are reached through the API tests only.",
        target=90,
    ),
}


@dataclass
class Outcome:
    """One group's run: mutants by status, the survivors' diffs, how long it took."""

    group: str
    counts: dict[str, int] = field(default_factory=dict)
    by_file: dict[str, dict[str, int]] = field(default_factory=dict)
    survivors: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        killed = self.counts.get("killed", 0) + self.counts.get("timeout", 0)
        judged = killed + self.counts.get("survived", 0)
        return 100 * killed / judged if judged else 0.0


def _config(group: Group) -> str:
    def toml_list(items: list[str]) -> str:
        return "[" + ", ".join(json.dumps(i) for i in items) + "]"

    return (
        "\n[tool.mutmut]\n"
        'source_paths = ["app"]\n'
        f"only_mutate = {toml_list(group.mutate)}\n"
        'also_copy = ["criteria"]\n'
        f"pytest_add_cli_args_test_selection = {toml_list(group.tests)}\n"
        f"pytest_add_cli_args = {toml_list(FAST)}\n"
    )


def _prepare(name: str, group: Group) -> Path:
    work = WORK / name
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("app", "tests", "criteria"):
        shutil.copytree(ROOT / folder, work / folder, ignore=ignore)
    (work / "pyproject.toml").write_text(
        (ROOT / "pyproject.toml").read_text() + _config(group), encoding="utf-8"
    )
    return work


def _mutmut(work: Path, *args: str, minutes: float | None = None) -> str:
    """Run mutmut in `work`; stop it (and every process it forked) after `minutes`."""
    env = {k: v for k, v in os.environ.items() if k != "CI"}  # PostgreSQL is not used here
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("mutmut")), *args],
        cwd=work,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, to stop it whole
    )
    try:
        output, _ = process.communicate(timeout=minutes * 60 if minutes else None)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate()
        output += f"\nstopped after {minutes} minutes: unfinished mutants are 'not checked'\n"
    return output


def run_group(name: str, group: Group, children: int, minutes: float | None) -> Outcome:
    """One mutmut session for `group` (at most `minutes` long); its outcome."""
    work = _prepare(name, group)
    started = time.monotonic()
    log = _mutmut(work, "run", "--max-children", str(children), minutes=minutes)
    (work / "run.log").write_text(log, encoding="utf-8")
    seconds = time.monotonic() - started
    (work / "seconds").write_text(f"{seconds:.0f}\n")
    return collect(name)


def collect(name: str) -> Outcome:
    """The outcome of the last run of group `name`, read from its work folder."""
    work = WORK / name
    timing = work / "seconds"
    outcome = Outcome(name, seconds=float(timing.read_text()) if timing.exists() else 0.0)
    listing = _mutmut(work, "results", "--all", "true")
    for line in listing.splitlines():
        mutant = re.match(r"\s+(\S+__mutmut_\d+): (.+)$", line)
        if not mutant:
            continue
        key, status = mutant.group(1), mutant.group(2).strip()
        module = key.rsplit(".", 1)[0]
        outcome.counts[status] = outcome.counts.get(status, 0) + 1
        per_file = outcome.by_file.setdefault(module, {})
        per_file[status] = per_file.get(status, 0) + 1
        if status == "survived":
            outcome.survivors.append((key, _mutmut(work, "show", key).strip()))
    return outcome


def _file_score(counts: dict[str, int]) -> str:
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    judged = killed + counts.get("survived", 0)
    return f"{killed}/{judged}" if judged else "0/0"


def write_report(outcomes: list[Outcome], command: str, explained: dict[str, str]) -> None:
    """tests/MUTATION.md: scores, the command, and each survivor with its diff."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        "# Mutation testing",
        "",
        f"Made by `{command}` at commit `{commit}` on {time.strftime('%Y-%m-%d %H:%M UTC')}"
        f" (mutmut, {os.cpu_count()} CPUs). Score = killed / (killed + survived); mutants that",
        "no selected test reaches count as survived. Each group runs only its fast tests",
        "(SQLite, no subprocess server, no browser): see GROUPS in tests/mutation.py.",
        "",
        "| group | files | tests | mutants | killed | survived | other | score | target | time |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        group = GROUPS[o.group]
        killed = o.counts.get("killed", 0) + o.counts.get("timeout", 0)
        other = sum(v for k, v in o.counts.items() if k not in ("killed", "survived", "timeout"))
        lines.append(
            f"| {o.group} | {', '.join(group.mutate)} | {', '.join(group.tests)} "
            f"| {sum(o.counts.values())} | {killed} "
            f"| {o.counts.get('survived', 0)} | {other} | {o.score:.1f} % | {group.target} % "
            f"| {f'{o.seconds / 60:.0f} min' if o.seconds else '—'} |"
        )
    for o in outcomes:
        group = GROUPS[o.group]
        lines += ["", f"## {o.group}", ""]
        if group.note:
            lines += [group.note, ""]
        lines += ["| module | killed/judged | statuses |", "|---|---|---|"]
        for module, counts in sorted(o.by_file.items()):
            statuses = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            lines.append(f"| {module} | {_file_score(counts)} | {statuses} |")
        if o.survivors:
            lines += ["", "Survivors:", ""]
        for key, diff in o.survivors:
            why = explained.get(key, "not yet killed or explained")
            lines += [f"- `{key}`: {why}", "", "```diff", diff, "```", ""]
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("groups", nargs="*", default=list(GROUPS), help=", ".join(GROUPS))
    parser.add_argument("--children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--minutes", type=float, help="stop each group's run after this long")
    parser.add_argument(
        "--report-only", action="store_true", help="write the report from the last runs"
    )
    args = parser.parse_args()
    unknown = set(args.groups) - set(GROUPS)
    if unknown:
        parser.error(f"unknown groups {sorted(unknown)}: choose among {', '.join(GROUPS)}")
    explained_file = ROOT / "tests" / "mutation-equivalents.json"
    explained = json.loads(explained_file.read_text()) if explained_file.exists() else {}
    outcomes = []
    for name in args.groups:
        print(f"mutation: {name} ...", flush=True)
        if args.report_only:
            outcome = collect(name)
        else:
            outcome = run_group(name, GROUPS[name], args.children, args.minutes)
        print(f"mutation: {name}: {outcome.counts} score {outcome.score:.1f} %", flush=True)
        outcomes.append(outcome)
    command = "python tests/mutation.py " + " ".join(args.groups)
    write_report(outcomes, command, explained)


if __name__ == "__main__":
    main()
