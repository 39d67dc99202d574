"""Mutation testing with mutmut: does each package's fast test set fail when its code is changed?

`make mutation` (or `python tests/mutation.py [group | group:module ...]`) runs one mutmut session
per module (file) in its own copy of the project under .mutation/<group>/<module>/, with only that
file mutated and only its group's fast tests run (SQLite only, no subprocess server, no browser),
then writes the scores and every surviving mutant, with its diff, to tests/MUTATION.md.

Runs are resumable: a module's copy is kept between runs, so a run stopped by `--minutes` (or by
hand) goes on where it stopped, and mutmut re-tests only the mutants of functions whose code
changed. `--fresh` starts a module from scratch; `--recheck` re-tests the module's survivors
against the current tests (after new tests were written). The report says which modules ran whole.

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
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".mutation"
REPORT = ROOT / "tests" / "MUTATION.md"
FAST = ["-k", "not postgresql", "-m", "not live", "-p", "no:cacheprovider", "-x", "-q"]


def _fast(group: "Group") -> list[str]:
    """The pytest options of a group's runs: PostgreSQL tests only where the group asks."""
    return FAST[2:] if group.postgresql else FAST


@dataclass
class Group:
    """Files to mutate, and the tests that should catch a change in them."""

    mutate: list[str]
    tests: list[str]
    note: str = ""
    target: int = 80
    # Run the group's PostgreSQL tests too (a throwaway server per mutant that reaches them):
    # for code whose behaviour differs on PostgreSQL (the idempotency key's advisory lock).
    postgresql: bool = False
    # Seconds of CPU a mutant's tests get before they count as a timeout, beyond 4x their
    # measured time: API tests set up a migrated database and an application in each forked
    # run, which the measured time of the tests themselves leaves out.
    setup_seconds: float = 1.0


GROUPS: dict[str, Group] = {
    "core": Group(
        mutate=[
            "app/core/checkpoint.py",
            "app/core/errors.py",
            "app/core/etag.py",
            "app/core/fields.py",
            "app/core/headers.py",
            "app/core/i18n.py",
            "app/core/idempotency.py",
            "app/core/limits.py",
            "app/core/negotiation.py",
            "app/core/pagination.py",
            "app/core/text.py",
        ],
        tests=["tests/core"],
        postgresql=True,
        note=(
            "Only the unit tests under tests/core run on each mutant (the API tests that also "
            "reach these modules, e.g. tests/api/test_resources.py, cost seconds per mutant): "
            "errors.py, idempotency.py, headers.py and negotiation.py have unit tests of their "
            "own there, on a small application and a SQLite session. The request plumbing "
            "(routing.py, db.py, deps.py, migrate.py, config.py, commands.py, templates.py, "
            "types.py, ratelimit.py) "
            "is left out: every API test goes through it, so a mutant there costs the whole API "
            "suite; it is covered by that suite."
        ),
    ),
    "access": Group(
        mutate=["app/access/models.py", "app/assessments/access.py"],
        tests=["tests/api/test_access.py", "tests/api/test_audit_and_privacy.py"],
        setup_seconds=30.0,
        note=(
            "The role table itself (app/access/policy.py, GRANTS) is data: mutmut mutates code "
            "inside functions only. The code that reads it (Principal.can) and the blind-scoring "
            "rules are mutated here; the table is checked against the README by test_access."
        ),
    ),
    "storage": Group(
        mutate=["app/core/jsontext.py"],
        tests=["tests/api/test_jsontext.py"],
        postgresql=True,
        setup_seconds=30.0,
        note=(
            "JSON kept as text until the insert (the bulk import and the stored panel verdicts): "
            "its own tests write and read back through both databases' JSON columns."
        ),
    ),
    "disclosures": Group(
        mutate=["app/signals/disclosures.py"],
        tests=["tests/signals/test_disclosures_rules.py"],
        note=(
            "What the red-flag detector does not read: the patterns file's checks, the reading "
            "cut out of an answer and its offsets, the scoring of a labelled file. The detector's "
            "side (tests/signals/test_disclosures.py) embeds text and is too slow per mutant."
        ),
    ),
    "privacy": Group(
        mutate=["app/privacy/service.py"],
        tests=["tests/api/test_audit_and_privacy.py"],
        setup_seconds=30.0,
    ),
    "scoring": Group(
        mutate=[
            "app/scoring/engine.py",
            "app/scoring/rules.py",
            "app/scoring/panel.py",
            "app/scoring/submission.py",
            "app/scoring/advice.py",
            "app/scoring/answers.py",
            "app/scoring/phrases.py",
            "app/scoring/messages.py",
            "app/scoring/verdict.py",
        ],
        tests=["tests/scoring"],
        note=(
            "app/scoring/__init__.py holds no function body (re-exports): mutmut has nothing "
            "to mutate there."
        ),
        target=90,
    ),
    "rubric": Group(
        mutate=[
            "app/rubric/schemas.py",
            "app/rubric/loader.py",
            "app/rubric/fairness.py",
            "app/rubric/model.py",
        ],
        tests=["tests/rubric"],
        note=(
            "app/rubric/router.py, store.py and deps.py (HTTP routes, the database snapshot of "
            "each version, the registry dependency) are reached through the API tests only, "
            "which are too slow to run per mutant; they are not mutated."
        ),
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
    carried: list[str] = field(default_factory=list)  # modules whose counts are an earlier run's
    # Timeouts re-tested without mutmut (`--verify --verify-timeouts`), and those left as mutmut
    # counted them (a kill), by module.
    timeouts_retested: dict[str, int] = field(default_factory=dict)
    timeouts_left: dict[str, int] = field(default_factory=dict)

    @property
    def score(self) -> float:
        killed = self.counts.get("killed", 0) + self.counts.get("timeout", 0)
        judged = killed + sum(self.counts.get(s, 0) for s in SURVIVING)
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
        f"pytest_add_cli_args = {toml_list(_fast(group))}\n"
        # Each mutant runs in a process forked from a server that only imported the tests: forked
        # from mutmut's own process (the default), it would inherit the caches the clean run
        # filled (phrases per rubric, a rubric's look-up tables), and a mutant in the cached
        # code would never run.
        'process_isolation = "forkserver"\n'
        # A mutant is stopped (and counted as caught: a timeout) after 4x (its tests' CPU time
        # + the group's setup seconds), not mutmut's 30x: mutants of the rules' search that
        # never end would otherwise take many minutes each.
        "timeout_multiplier = 2.0\n"
        f"timeout_constant = {group.setup_seconds}\n"
    )


def modules(group: Group) -> list[str]:
    """The files a group mutates, globs expanded, in order."""
    return [
        str(p.relative_to(ROOT)) for pattern in group.mutate for p in sorted(ROOT.glob(pattern))
    ]


def _module_name(path: str) -> str:
    return Path(path).stem


def _work(name: str, module: str) -> Path:
    return WORK / name / _module_name(module)


def _changed_sources(work: Path) -> bool:
    """Whether a file under app/ or tests/ differs between the worktree and the module's copy."""
    for folder in ("app", "tests"):
        for source in (ROOT / folder).rglob("*.py"):
            copy = work / source.relative_to(ROOT)
            if not copy.exists() or copy.read_bytes() != source.read_bytes():
                return (work / "mutants").exists()
    return False


def _prepare(name: str, group: Group, module: str, fresh: bool) -> Path:
    """The module's copy of the project, refreshed from the worktree; kept unless `fresh`."""
    work = _work(name, module)
    if fresh:
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    stale = _changed_sources(work)
    if (work / module).exists() and (work / module).read_bytes() != (ROOT / module).read_bytes():
        # Mutants are numbered by their place in the module: once it changed, an earlier
        # verdict of --verify may name another mutant. Verify again.
        (work / "verified.json").unlink(missing_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("app", "tests", "criteria"):
        shutil.copytree(ROOT / folder, work / folder, ignore=ignore, dirs_exist_ok=True)
    if stale:
        # mutmut re-collects which tests reach each function only for tests it has not seen:
        # once a caller changes (a function now called from elsewhere), its old record would
        # run too few tests on the mutants, and they would "survive". Collect it again.
        (work / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
    only_this = Group(
        mutate=[module],
        tests=group.tests,
        postgresql=group.postgresql,
        setup_seconds=group.setup_seconds,
    )
    (work / "pyproject.toml").write_text(
        (ROOT / "pyproject.toml").read_text() + _config(only_this), encoding="utf-8"
    )
    return work


# Property tests run a fifth of their examples on each mutant; survivors are re-tested at full
# count (`--recheck` or `--verify`) before they are reported.
SCALE = "0.2"


def _mutmut(work: Path, *args: str, minutes: float | None = None, scale: str = SCALE) -> str:
    """Run mutmut in `work`; stop it (and every process it forked) after `minutes`."""
    # Without CI, a PostgreSQL test that cannot start its server skips (its mutants survive).
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["TAMIS_EXAMPLES_SCALE"] = scale
    env["TAMIS_NO_SHRINK"] = "1"  # a failing property is a kill: no need for its least example
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


def _statuses(work: Path) -> dict[str, str]:
    """Each mutant of the module's copy and its status, as `mutmut results` lists them."""
    if not (work / "mutants").exists():
        return {}
    listing = _mutmut(work, "results", "--all", "true")
    found = (re.match(r"\s+(\S+__mutmut_\d+): (.+)$", line) for line in listing.splitlines())
    return {m.group(1): m.group(2).strip() for m in found if m}


def run_module(
    name: str,
    group: Group,
    module: str,
    children: int,
    minutes: float | None,
    *,
    fresh: bool,
    recheck: bool,
) -> None:
    """One mutmut session for one module of `group` (at most `minutes` long), resumed if it ran."""
    if recheck:  # only the survivors of a module that ran; nothing else is started
        survivors = [k for k, s in _statuses(_work(name, module)).items() if s in SURVIVING]
        if not survivors:
            return
    else:
        survivors = []
    work = _prepare(name, group, module, fresh)
    started = time.monotonic()
    log = _mutmut(
        work,
        "run",
        "--max-children",
        str(children),
        *survivors,
        minutes=minutes,
        scale="1" if recheck else SCALE,
    )
    with (work / "run.log").open("a", encoding="utf-8") as out:
        out.write(log)
    timing = work / "seconds"
    before = float(timing.read_text()) if timing.exists() and not fresh else 0.0
    timing.write_text(f"{before + time.monotonic() - started:.0f}\n")


SURVIVING = ("survived", "no tests")


def _indented(diff: str) -> str:
    """A unified diff with its code lines indented one level (4 spaces) more."""
    lines = []
    for line in diff.splitlines():
        if line.startswith(("---", "+++", "@@")) or not line[1:].strip():
            lines.append(line)
        else:
            lines.append(line[0] + "    " + line[1:])
    return "\n".join(lines) + "\n"


def _mutated(source: str, diff: str) -> str | None:
    """`source` with the hunks of `diff` applied, each where its lines (context and removed)
    occur exactly once; None when one does not. (patch(1) takes a hunk with less trailing than
    leading context for the end of the file: a mutant at a function's end would not apply.)"""
    hunks: list[tuple[list[str], list[str]]] = []
    for line in diff.splitlines():
        if line.startswith("@@"):
            hunks.append(([], []))
        elif hunks and not line.startswith(("---", "+++")):
            old, new = hunks[-1]
            mark, text = line[:1], line[1:]
            if mark in (" ", "-", ""):
                old.append(text)
            if mark in (" ", "+", ""):
                new.append(text)
    for old, new in hunks:
        before, after = "\n".join(old) + "\n", "\n".join(new) + "\n"
        if source.count(before) != 1:
            return None
        source = source.replace(before, after)
    return source if hunks else None


def verify_module(
    name: str,
    group: Group,
    module: str,
    skip: Iterable[str] = (),
    tests: Iterable[str] = (),
    timeouts: bool = False,
) -> None:
    """Re-test each survivor of a module without mutmut: apply its diff to a copy of the current
    sources and run the group's tests at the full example count. The verdicts are kept in
    verified.json beside the module's run and override mutmut's for those mutants.

    `timeouts`: re-test the mutants mutmut counted as timeouts too (a loaded machine makes slow
    tests time out: a timeout counts as a kill, so a survivor could hide there). Each run then
    gets ten times the unmutated run's time; a mutant still over it is a real timeout."""
    work = _work(name, module)
    wanted = (*SURVIVING, "timeout") if timeouts else SURVIVING
    survivors = [k for k, s in _statuses(work).items() if s in wanted and k not in skip]
    if not survivors:
        return
    scratch = work / "verify"
    shutil.rmtree(scratch, ignore_errors=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("app", "tests", "criteria"):
        shutil.copytree(ROOT / folder, scratch / folder, ignore=ignore)
    shutil.copy(ROOT / "pyproject.toml", scratch / "pyproject.toml")
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["TAMIS_EXAMPLES_SCALE"] = "1"
    env["TAMIS_NO_SHRINK"] = "1"
    env["PYTHONPATH"] = str(scratch)
    done = work / "verified.json"
    verdicts: dict[str, str] = json.loads(done.read_text()) if done.exists() else {}
    command = [sys.executable, "-m", "pytest", *(list(tests) or group.tests), *_fast(group)]
    started = time.monotonic()
    subprocess.run(command, cwd=scratch, env=env, capture_output=True, check=False)
    limit = max(60.0, 10 * (time.monotonic() - started))
    for key in survivors:
        if verdicts.get(key, "").startswith("killed"):
            continue
        shown = _mutmut(work, "show", key)
        diff = shown[shown.index("--- ") :] if "--- " in shown else ""
        if "ǁ" in key:  # a method: mutmut shows it out of its class, one level less indented
            diff = _indented(diff)
        target = scratch / module
        original = target.read_text(encoding="utf-8")
        mutated = _mutated(original, diff)
        if mutated is None:
            verdicts[key] = "diff does not apply to the current sources"
            continue
        target.write_text(mutated, encoding="utf-8")
        try:
            run = subprocess.run(
                command, cwd=scratch, env=env, capture_output=True, text=True, timeout=limit
            )
            # pytest exits 0 when every test passed (5: none ran); any failure or error kills.
            survived = run.returncode in (0, 5)
            verdicts[key] = f"survived (pytest {run.returncode})" if survived else "killed"
        except subprocess.TimeoutExpired:
            verdicts[key] = f"killed (timeout: over {limit:.0f} s)"
        finally:
            target.write_text(original, encoding="utf-8")
        print(f"mutation: verify {key}: {verdicts[key]}", flush=True)
        done.write_text(json.dumps(verdicts, indent=2) + "\n", encoding="utf-8")
    shutil.rmtree(scratch, ignore_errors=True)


CARRIED = ROOT / "tests" / "mutation-carried.json"


def _carried(module: str) -> dict[str, int] | None:
    """A module's counts from an earlier run (tests/mutation-carried.json), when it was not run
    here and its code has not changed since that run's commit; None otherwise."""
    entries = json.loads(CARRIED.read_text()) if CARRIED.exists() else {}
    entry = entries.get(module)
    if entry is None:
        return None
    changed = subprocess.run(
        ["git", "diff", "--quiet", entry["commit"], "HEAD", "--", module], cwd=ROOT
    ).returncode
    if changed:  # the code moved on: the old run says nothing about it
        return None
    counts: dict[str, int] = entry["counts"]
    return counts


def collect(name: str, only: list[str] | None = None) -> Outcome:
    """The outcome of the last runs of group `name`'s modules (or of `only`), from their copies."""
    outcome = Outcome(name)
    for module in only or modules(GROUPS[name]):
        work = _work(name, module)
        timing = work / "seconds"
        outcome.seconds += float(timing.read_text()) if timing.exists() else 0.0
        statuses = _statuses(work)
        if not statuses and (carried := _carried(module)) is not None:
            per_file = outcome.by_file.setdefault(module, {})
            for status, count in carried.items():
                outcome.counts[status] = outcome.counts.get(status, 0) + count
                per_file[status] = per_file.get(status, 0) + count
            outcome.carried.append(module)
            continue
        verified_file = work / "verified.json"
        verified = json.loads(verified_file.read_text()) if verified_file.exists() else {}
        for key, status in statuses.items():
            if status == "timeout":
                tally = outcome.timeouts_retested if key in verified else outcome.timeouts_left
                tally[module] = tally.get(module, 0) + 1
        if verified:  # survivors (and timeouts) re-tested against the current tests
            for key, verdict in verified.items():
                if verdict.startswith("killed") and statuses.get(key) in SURVIVING:
                    statuses[key] = "killed"
                elif verdict.startswith("survived") and statuses.get(key) == "timeout":
                    statuses[key] = "survived"  # a timeout of a loaded machine, not a kill
        per_file = outcome.by_file.setdefault(module, {})
        if not statuses:
            per_file["not run"] = 1
            continue
        for key, status in statuses.items():
            outcome.counts[status] = outcome.counts.get(status, 0) + 1
            per_file[status] = per_file.get(status, 0) + 1
            if status in SURVIVING:
                outcome.survivors.append((key, _mutmut(work, "show", key).strip()))
    return outcome


def _file_score(counts: dict[str, int]) -> str:
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    judged = killed + sum(counts.get(s, 0) for s in SURVIVING)
    if not judged:
        return "—"
    whole = "" if counts.get("not checked") or counts.get("not run") else ", ran whole"
    return f"{killed}/{judged} = {100 * killed / judged:.1f} %{whole}"


def _per_module(counts: dict[str, int]) -> str:
    return ", ".join(f"{Path(m).stem} {n}" for m, n in sorted(counts.items()))


def write_report(outcomes: list[Outcome], command: str, explained: dict[str, str]) -> None:
    """tests/MUTATION.md: scores, the command, and each survivor with its diff."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    lines = [
        "# Mutation testing",
        "",
        f"Made by `{command}` at commit `{commit}` on {time.strftime('%Y-%m-%d %H:%M UTC')}"
        f" (mutmut, {os.cpu_count()} CPUs), from the last run of each module (runs resume: see",
        "tests/mutation.py). Score = killed / (killed + survived + no tests): a mutant no selected",
        'test reaches counts as a survivor. "Without equivalents" leaves out the survivors',
        "explained as equivalent in tests/mutation-equivalents.json. Each group runs only its fast",
        "tests (SQLite, no subprocess server, no browser): see GROUPS in tests/mutation.py.",
        f"Property tests run {SCALE} of their examples per mutant; survivors are then re-tested",
        'at full count (`--recheck` or `--verify`). "not checked" mutants are those of a module',
        "whose run was stopped (time limit): the scores are over the mutants checked only, and a",
        'module "ran whole" when none is left unchecked. A timeout counts as a kill, as in',
        "mutmut; on a loaded machine a slow test times out too, so timeouts are re-tested",
        "without mutmut where said below (`--verify --verify-timeouts`: ten times the unmutated",
        "run's time); one that then passes counts as a survivor.",
        "",
        "| group | mutants | killed | survived | equivalent | not checked | score | without "
        "equivalents | target | modules run whole | time |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for o in outcomes:
        group = GROUPS[o.group]
        killed = o.counts.get("killed", 0) + o.counts.get("timeout", 0)
        surviving = sum(o.counts.get(k, 0) for k in SURVIVING)
        equivalent = sum(1 for key, _ in o.survivors if key in explained)
        unchecked = o.counts.get("not checked", 0)
        judged = killed + surviving - equivalent
        strict = f"{100 * killed / judged:.1f} %" if judged else "—"
        whole = [
            Path(m).stem
            for m, counts in o.by_file.items()
            if counts and "not run" not in counts and not counts.get("not checked")
        ]
        lines.append(
            f"| {o.group} | {sum(o.counts.values())} | {killed} | {surviving} | {equivalent} "
            f"| {unchecked} | {o.score:.1f} % | {strict} | {group.target} % "
            f"| {len(whole)} of {len(o.by_file)}: {', '.join(whole) or '—'} "
            f"| {f'{o.seconds / 60:.0f} min' if o.seconds else '—'} |"
        )
    for o in outcomes:
        group = GROUPS[o.group]
        lines += ["", f"## {o.group}", ""]
        lines += [f"Mutated: {', '.join(group.mutate)}. Tests: {', '.join(group.tests)}.", ""]
        if group.note:
            lines += [group.note, ""]
        retested, left = sum(o.timeouts_retested.values()), sum(o.timeouts_left.values())
        if retested or left:
            lines += [
                f"Timeouts re-tested without mutmut: {retested}"
                + (f" ({_per_module(o.timeouts_retested)})" if retested else "")
                + f"; left as mutmut's kills: {left}"
                + (f" ({_per_module(o.timeouts_left)})" if left else "")
                + ".",
                "",
            ]
        if o.carried:
            entries = json.loads(CARRIED.read_text())
            lines += [
                "Carried from an earlier run, not re-run here (the module's code is unchanged "
                "since that run's commit, checked with `git diff`; tests were only added since): "
                + ", ".join(f"{m} (run at `{entries[m]['commit']}`)" for m in o.carried)
                + ".",
                "",
            ]
        lines += ["| module | killed/judged | statuses |", "|---|---|---|"]
        for module, counts in sorted(o.by_file.items()):
            statuses = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
            if module in o.carried:
                statuses += " (carried)"
            lines.append(f"| {module} | {_file_score(counts)} | {statuses} |")
        if o.survivors:
            lines += ["", "Survivors:", ""]
        for key, diff in o.survivors:
            why = explained.get(key, "NOT YET KILLED OR EXPLAINED")
            lines += [f"- `{key}`: {why}", "", "```diff", diff, "```", ""]
    for extra in ("mutation-notes.md", "mutation-by-hand.md"):  # written by hand
        path = ROOT / "tests" / extra
        if path.exists():
            lines += ["", path.read_text(encoding="utf-8").rstrip()]
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _selected(parser: argparse.ArgumentParser, names: list[str]) -> list[tuple[str, str]]:
    """(group, module file) pairs named by `group` or `group:module` arguments."""
    chosen = []
    for item in names:
        name, _, stem = item.partition(":")
        if name not in GROUPS:
            parser.error(f"unknown group {name!r}: choose among {', '.join(GROUPS)}")
        files = [m for m in modules(GROUPS[name]) if not stem or _module_name(m) == stem]
        if not files:
            stems = ", ".join(_module_name(m) for m in modules(GROUPS[name]))
            parser.error(f"group {name!r} has no module {stem!r}: choose among {stems}")
        chosen += [(name, f) for f in files]
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "groups",
        nargs="*",
        default=list(GROUPS),
        help=f"group or group:module; {', '.join(GROUPS)}",
    )
    parser.add_argument("--children", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--minutes", type=float, help="stop each module's run after this long")
    parser.add_argument("--fresh", action="store_true", help="forget earlier runs of these modules")
    parser.add_argument(
        "--recheck", action="store_true", help="re-test the survivors of these modules"
    )
    parser.add_argument(
        "--report-only", action="store_true", help="write the report from the last runs"
    )
    parser.add_argument(
        "--no-report", action="store_true", help="run only; leave tests/MUTATION.md as it is"
    )
    parser.add_argument(
        "--verify",
        action="store_true",
        help="re-test the survivors by applying their diffs to a copy (no mutmut run)",
    )
    parser.add_argument(
        "--verify-timeouts",
        action="store_true",
        help="with --verify: re-test the mutants counted as timeouts too",
    )
    parser.add_argument(
        "--verify-tests",
        nargs="*",
        default=[],
        help="with --verify: these tests only (a killing test found by hand), not the group's",
    )
    args = parser.parse_args()
    chosen = _selected(parser, args.groups)
    explained_file = ROOT / "tests" / "mutation-equivalents.json"
    explained = json.loads(explained_file.read_text()) if explained_file.exists() else {}
    if args.verify:
        for name, module in chosen:
            verify_module(
                name,
                GROUPS[name],
                module,
                skip=explained,
                tests=args.verify_tests,
                timeouts=args.verify_timeouts,
            )
    elif not args.report_only:
        for name, module in chosen:
            print(f"mutation: {name}: {module} ...", flush=True)
            run_module(
                name,
                GROUPS[name],
                module,
                args.children,
                args.minutes,
                fresh=args.fresh,
                recheck=args.recheck,
            )
            one = collect(name, [module])
            print(f"mutation: {name}: {module}: {one.counts} score {one.score:.1f} %", flush=True)
    if args.no_report:
        return
    outcomes = [collect(name) for name in GROUPS]  # the report covers every group's last runs
    for o in outcomes:
        print(f"mutation: {o.group}: {o.counts} score {o.score:.1f} %", flush=True)
    command = "python tests/mutation.py " + " ".join(sys.argv[1:])
    write_report(outcomes, command, explained)


if __name__ == "__main__":
    main()
