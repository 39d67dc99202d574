"""`make bench`: every benchmark in turn, and bench/RESULTS.md written from what they print.

Each benchmark measures its figure against a baseline in the same run and prints the ratio; this
harness runs them, reads those ratio lines, sets each against its target (issue 18's table) and
writes bench/RESULTS.md: the commit (and whether the tree had uncommitted changes), the date, the
machine (CPU, cores, Python, SQLite and PostgreSQL versions, load average at the start), a table
of every figure with its target and met / missed, and each benchmark's whole output. Nothing in
it is edited by hand: to change it, change a benchmark and run `make bench` again.

    .venv/bin/python bench/run_all.py [--only bench_api.py ...] [--seconds 10]

A figure whose line is not in the output (a benchmark failed, or is not there) is reported as
"not measured" or "not available", never guessed. The lines read are:

- bench_scoring.py: `score()… N µs  R x baseline` (the first line starting with `score()`);
- bench_submission.py: `submit, scored and committed  N ms  R x baseline`;
- bench_api.py: under `## sqlite` / `## postgresql`, `ratio submit|candidates page|panel verdict:
  throughput P% of the bare endpoint; p99 R x the bare endpoint's`;
- bench_pages.py: `COUNT  PDF report / HTML report of the same candidate: R`;
- bench_workers.py: `ratio 2 workers vs 1 …: throughput R x at the same p99 …`;
- bench_import.py (when it exists): `DB ratio import (LABEL): R x the per-request rate` (the
  import rate against the per-request rate, each database and kind of import).
"""

import argparse
import os
import platform
import re
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
TIMEOUT = 3600  # seconds for one benchmark before it counts as failed


def benchmarks(seconds: int) -> list[list[str]]:
    """Every benchmark's command line (bench_import.py only when it exists)."""
    commands = [
        ["bench/bench_scoring.py"],
        ["bench/bench_submission.py", "--profile", "--tail", "2000"],
        ["bench/bench_workers.py", "--seconds", str(seconds)],
        ["bench/bench_api.py", "--db", "both", "--seconds", str(seconds)],
        ["bench/bench_pages.py"],
        ["bench/bench_export.py"],
        ["bench/bench_signals.py"],
    ]
    if (ROOT / "bench" / "bench_import.py").exists():
        import_run = ["bench/bench_import.py", "--db", "both", "--lines", "20000"]
        commands.insert(4, [*import_run, "--seconds", str(seconds)])
    return commands


@dataclass
class Figure:
    """One row of issue 18's table: what, the measured value, the target and whether it is met."""

    what: str
    target: str
    measured: str = "not measured"
    met: bool | None = None

    def row(self) -> str:
        verdict = {True: "met", False: "missed", None: "—"}[self.met]
        return f"| {self.what} | {self.measured} | {self.target} | {verdict} |"


def _num(text: str) -> float:
    return float(text.replace(",", ""))


def figures(outputs: dict[str, str]) -> list[Figure]:
    """Issue 18's figures, read from the benchmarks' output."""
    rows: list[Figure] = []

    submission = Figure("submission in-process, vs validating the body", "≤ 15×")
    found = re.search(
        r"submit, scored and committed\s+([\d.]+) ms\s+([\d.]+) x",
        outputs.get("bench_submission.py", ""),
    )
    if found:
        ratio = _num(found.group(2))
        submission.measured, submission.met = f"{ratio:.1f}× ({found.group(1)} ms)", ratio <= 15
    rows.append(submission)

    api = _api_ratios(outputs.get("bench_api.py", ""))
    refused = _api_errors(outputs.get("bench_api.py", ""))
    for db, floor in (("sqlite", 35.0), ("postgresql", 25.0)):
        figure = Figure(
            f"submission over HTTP, share of a bare validated POST, {db}", f"≥ {floor:g} %"
        )
        if ("submit", db) in api:
            share, _p99 = api[("submit", db)]
            figure.measured, figure.met = f"{share:.1f} %", share >= floor
            _flag_errors(figure, refused.get(("submit", db)))
        rows.append(figure)
    for db in ("sqlite", "postgresql"):
        figure = Figure(f"submission p99 vs the bare endpoint's, {db}", "≤ 3×")
        if ("submit", db) in api:
            _share, p99 = api[("submit", db)]
            figure.measured, figure.met = f"{p99:.1f}×", p99 <= 3
            _flag_errors(figure, refused.get(("submit", db)))
        rows.append(figure)
    for read in ("candidates page", "panel verdict"):
        for db in ("sqlite", "postgresql"):
            figure = Figure(f"{read} with 100,000 candidates, share of a bare GET, {db}", "≥ 35 %")
            if (read, db) in api:
                share, _p99 = api[(read, db)]
                figure.measured, figure.met = f"{share:.1f} %", share >= 35
                _flag_errors(figure, refused.get((read, db)))
            rows.append(figure)

    scoring = Figure("`score()` with explanations, vs a plain weighted sum", "≤ 10×")
    found = re.search(
        r"^score\(\)[^\n]*?([\d.]+) µs\s+([\d.]+) x baseline",
        outputs.get("bench_scoring.py", ""),
        flags=re.MULTILINE,
    )
    if found:
        ratio = _num(found.group(2))
        scoring.measured, scoring.met = f"{ratio:.1f}× ({found.group(1)} µs)", ratio <= 10
    rows.append(scoring)

    pdf = re.findall(
        r"^\s*(\d+)\s+PDF report / HTML report of the same candidate:\s*([\d.]+)",
        outputs.get("bench_pages.py", ""),
        flags=re.MULTILINE,
    )
    if pdf:
        for count, ratio in pdf:
            figure = Figure(f"PDF report vs the HTML report ({count} candidates)", "≤ 4×")
            figure.measured, figure.met = f"{_num(ratio):.1f}×", _num(ratio) <= 4
            rows.append(figure)
    else:
        rows.append(Figure("PDF report vs the HTML report of the same candidate", "≤ 4×"))

    workers = Figure(
        "2 workers vs 1 on PostgreSQL, submission throughput at the same p99", "≥ 1.7×"
    )
    found = re.search(
        r"^ratio 2 workers vs 1[^\n]*?throughput ([\d.]+) x([^\n]*)$",
        outputs.get("bench_workers.py", ""),
        flags=re.MULTILINE,
    )
    if found:
        ratio, rest = _num(found.group(1)), found.group(2)
        same_p99 = "no 2-worker run kept" not in rest
        figure_text = f"{ratio:.2f}×" + ("" if same_p99 else " (p99 not held)")
        workers.measured, workers.met = figure_text, ratio >= 1.7 and same_p99
    rows.append(workers)

    if "bench_import.py" not in outputs:
        bulk = Figure("bulk import rate vs the per-request rate", "≥ 20×")
        bulk.measured = "not available (no bench/bench_import.py)"
        rows.append(bulk)
    else:
        found_any = False
        for db, label, value in re.findall(
            r"^(\w+) ratio import \(([^)]+)\): ([\d.]+|nan) x",
            outputs["bench_import.py"],
            flags=re.MULTILINE,
        ):
            found_any = True
            figure = Figure(f"bulk import rate vs the per-request rate, {label}, {db}", "≥ 20×")
            if value == "nan":
                figure.measured, figure.met = "invalid: no per-request submission succeeded", False
            else:
                figure.measured, figure.met = f"{_num(value):.1f}×", _num(value) >= 20
            rows.append(figure)
        if not found_any:
            rows.append(Figure("bulk import rate vs the per-request rate", "≥ 20×"))
    return rows


def _by_database(output: str) -> Iterator[tuple[str, str]]:
    """(database, line) for each line of bench_api.py's output under a `## <database>` header."""
    database = ""
    for line in output.splitlines():
        section = re.match(r"^## (\w+)", line)
        if section:
            database = section.group(1).lower()
        elif database:
            yield database, line


def _api_ratios(output: str) -> dict[tuple[str, str], tuple[float, float]]:
    """(what, database) → (throughput share in %, p99 ratio), from bench_api.py's ratio lines."""
    ratios: dict[tuple[str, str], tuple[float, float]] = {}
    for database, line in _by_database(output):
        found = re.match(
            r"^ratio ([\w ]+?): throughput ([\d.]+)% of the bare endpoint; p99 ([\d.]+) x", line
        )
        if found:
            ratios[(found.group(1), database)] = (_num(found.group(2)), _num(found.group(3)))
    return ratios


def _api_errors(output: str) -> dict[tuple[str, str], tuple[int, int]]:
    """(what, database) → (errors, requests) of Tamis's load run, from bench_api.py's lines."""
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    for database, line in _by_database(output):
        found = re.match(
            r"^Tamis (?:GET )?([\w ]+?)\s+[\d.]+ req/s.*requests (\d+)\s+errors (\d+)", line
        )
        if found:
            counts[(found.group(1), database)] = (int(found.group(3)), int(found.group(2)))
    return counts


def _flag_errors(figure: Figure, errors: tuple[int, int] | None) -> None:
    """A load run with error answers: its figure is not a measure of the work (a fast refusal
    is no submission); every answer an error counts as missed, some as a note."""
    if not errors or errors[0] == 0:
        return
    failed, requests = errors
    if failed >= requests:
        figure.measured += f" (invalid: all {requests} answers were errors)"
        figure.met = False
    else:
        figure.measured += f" ({failed} of {requests} answers were errors)"


def load_errors(outputs: dict[str, str]) -> int:
    """Errors (non-2xx/3xx answers, failed connections, timeouts) the load runs reported."""
    total = 0
    for name in ("bench_api.py", "bench_workers.py", "bench_import.py"):
        total += sum(int(n) for n in re.findall(r"\berrors (\d+)\b", outputs.get(name, "")))
    return total


def _git(*args: str) -> str:
    done = subprocess.run(  # noqa: S603 - git, with arguments from this file
        ["git", *args],  # noqa: S607
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip()


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _postgres_version() -> str:
    sys.path.insert(0, str(ROOT))
    from tests.pg import find_bin_dir

    bin_dir = find_bin_dir()
    if bin_dir is None:
        return "not installed"
    done = subprocess.run(  # noqa: S603 - the postgres binary, asked its version
        [str(bin_dir / "postgres"), "--version"], capture_output=True, text=True, check=False
    )
    return done.stdout.strip().removeprefix("postgres (PostgreSQL) ") or "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", nargs="*", default=None, help="benchmark file names to run")
    parser.add_argument("--seconds", type=int, default=10, help="length of each load run")
    parser.add_argument(
        "--rerender",
        action="store_true",
        help="rewrite the figures table of bench/RESULTS.md from the outputs it holds (after a "
        "change to how figures are read), without running anything",
    )
    options = parser.parse_args()
    if options.rerender:
        rerender()
        return
    commands = benchmarks(options.seconds)
    if options.only:
        commands = [c for c in commands if Path(c[0]).name in options.only]
    header = _header(options.only)
    outputs: dict[str, str] = {}
    sections: list[str] = []
    failed: list[str] = []
    for done_count, command in enumerate(commands):
        # Written before each benchmark too: a run stopped midway leaves what it measured,
        # marked as unfinished.
        pending = [Path(c[0]).name for c in commands[done_count:]]
        write(header, outputs, sections, failed, pending)
        started = time.monotonic()
        name = Path(command[0]).name
        try:
            done = subprocess.run(  # noqa: S603 - the benchmarks listed above
                [sys.executable, *command],
                cwd=ROOT,
                capture_output=True,
                text=True,
                check=False,
                timeout=TIMEOUT,
            )
            stdout, stderr, code = done.stdout, done.stderr, done.returncode
        except subprocess.TimeoutExpired as exc:
            stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            stderr, code = f"timed out after {TIMEOUT} s", -1
        seconds = time.monotonic() - started
        print(stdout, end="", flush=True)
        outputs[name] = stdout
        sections += ["", f"### `python {' '.join(command)}` ({seconds:.0f} s)", "", "```"]
        sections += stdout.rstrip().splitlines()
        if code != 0:
            failed.append(name)
            sections += [f"FAILED (exit {code}):", *stderr.rstrip().splitlines()[-20:]]
        sections.append("```")
    summary = write(header, outputs, sections, failed, [])
    print(summary)
    print(f"wrote {RESULTS}")
    if failed:
        sys.exit(f"benchmarks failed: {', '.join(failed)}")


def rerender() -> None:
    """Read back the header and each benchmark's output from bench/RESULTS.md; write it again."""
    text = RESULTS.read_text(encoding="utf-8")
    head, _, body = text.partition("\n## Each benchmark's output\n")
    header = [
        line
        for line in head.split("\n- errors in the load runs", 1)[0].splitlines()
        if not line.startswith("- **unfinished run**")
    ]
    header.append(
        f"- figures table re-read from the outputs below on "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} (`run_all.py --rerender`)"
    )
    outputs: dict[str, str] = {}
    failed: list[str] = []
    for block in re.finditer(r"^### `python (bench/\S+)[^`]*` \(\d+ s\)\n\n```\n(.*?)^```$", body,
                             flags=re.MULTILINE | re.DOTALL):  # fmt: skip
        name = Path(block.group(1)).name
        output, _, failure = block.group(2).partition("FAILED (exit ")
        outputs[name] = output
        if failure:
            failed.append(name)
    sections = body.strip("\n").splitlines()
    print(write(header, outputs, ["", *sections], failed, []))


def _header(only: list[str] | None) -> list[str]:
    """What the run is: commit, date, machine, load at the start."""
    commit = _git("rev-parse", "HEAD") or "unknown"
    dirty = (
        " (with uncommitted changes)" if _git("status", "--porcelain", "--", "app", "bench") else ""
    )
    load = os.getloadavg() if hasattr(os, "getloadavg") else (float("nan"),) * 3
    cores = os.cpu_count() or 1
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run_all.py) from the benchmarks' own output; nothing here",
        "is edited by hand. Every figure is a ratio against a baseline measured in the same run.",
        "Throughput counts only answers that are not errors (non-2xx/3xx are excluded); the load",
        "runs' errors are counted below.",
        "",
        f"- commit: `{commit}`{dirty}",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- machine: {platform.machine()}, {cores} cores ({_cpu()}), "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}, "
        f"PostgreSQL {_postgres_version()}",
        f"- load average when it started: {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} "
        "(1, 5, 15 min)",
    ]
    if load[0] > 1:
        lines.append(
            f"- **noisy run**: the machine was busy when it started (load {load[0]:.2f} on "
            f"{cores} cores, other work sharing the CPU), so the timings are noisy; the ratios, "
            "measured back to back in the same run, are less affected than the absolute times."
        )
    if only:
        lines.append(f"- partial run: only {', '.join(only)}")
    return lines


def write(
    header: list[str],
    outputs: dict[str, str],
    sections: list[str],
    failed: list[str],
    pending: list[str],
) -> str:
    """Write bench/RESULTS.md from what has run so far; the summary part, for the terminal."""
    rows = figures(outputs)
    lines = [*header]
    if pending:
        lines.append(f"- **unfinished run**: not run (yet): {', '.join(pending)}")
    lines += [
        f"- errors in the load runs (non-2xx/3xx, connect, timeout): {load_errors(outputs)}",
        "",
        "## Issue 18's figures",
        "",
        "| what | measured | target | |",
        "|---|---|---|---|",
        *(row.row() for row in rows),
        "",
        f"{sum(r.met is True for r in rows)} met, {sum(r.met is False for r in rows)} missed, "
        f"{sum(r.met is None for r in rows)} not measured.",
    ]
    if failed:
        lines.append(f"Benchmarks that failed: {', '.join(failed)} (their output is below).")
    summary = "\n".join(lines)
    lines += ["", "## Each benchmark's output", *sections]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return summary


if __name__ == "__main__":
    main()
