"""`make bench`: every benchmark in turn, and bench/RESULTS.md written from what they print.

The file names the commit (and whether the tree had uncommitted changes), the date, the machine
and every figure each benchmark printed, with the command that printed it. Nothing in it is
edited by hand: to change it, change a benchmark and run `make bench` again.
"""

import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "RESULTS.md"
BENCHMARKS = [
    ["bench/bench_scoring.py"],
    ["bench/bench_submission.py"],
    ["bench/bench_api.py", "--db", "both", "--seconds", "10"],
    ["bench/bench_import.py", "--db", "both", "--lines", "20000", "--seconds", "10"],
    ["bench/bench_export.py"],
    ["bench/bench_pages.py"],
    ["bench/bench_signals.py"],
]


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


def main() -> None:
    commit = _git("rev-parse", "HEAD") or "unknown"
    dirty = (
        " (with uncommitted changes)" if _git("status", "--porcelain", "--", "app", "bench") else ""
    )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "# Benchmark results",
        "",
        "Written by `make bench` (bench/run_all.py); every figure below is the benchmarks' own",
        "output. Throughput counts only answers that are not errors (non-2xx/3xx are excluded);",
        "each figure is set against a baseline measured in the same run.",
        "",
        f"- commit: `{commit}`{dirty}",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- machine: {platform.machine()}, {os.cpu_count()} CPUs ({_cpu()}), "
        f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
        f"- load average when it started: {load:.2f}",
    ]
    failed = []
    for command in BENCHMARKS:
        started = time.monotonic()
        done = subprocess.run(  # noqa: S603 - the benchmarks listed above
            [sys.executable, *command], cwd=ROOT, capture_output=True, text=True, check=False
        )
        seconds = time.monotonic() - started
        print(done.stdout, end="", flush=True)
        lines += ["", f"## `python {' '.join(command)}` ({seconds:.0f} s)", "", "```"]
        lines += done.stdout.rstrip().splitlines()
        if done.returncode != 0:
            failed.append(command[0])
            lines += [f"FAILED (exit {done.returncode}):", *done.stderr.rstrip().splitlines()[-20:]]
        lines.append("```")
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")
    if failed:
        sys.exit(f"benchmarks failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
