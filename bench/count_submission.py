"""Instructions per in-process submission: a figure that stays put on a loaded machine.

Runs bench_submission's setup (200 candidates, each assessed once, then `--warm` submissions
more), then `--calls` submissions with callgrind's instrumentation on around them only (through
its client requests, in a tiny library built here with the C compiler), and prints the
instructions per submission. Run it under callgrind, with instrumentation off at the start:

    PYTHONHASHSEED=0 valgrind --tool=callgrind --instr-atstart=no \
        --callgrind-out-file=/tmp/count.%p .venv/bin/python bench/count_submission.py

`--baseline` counts the benchmark's baseline instead (validating the same body), for the
ratio. Without callgrind it runs the same loop and prints nothing but the call count.
"""

import argparse
import ctypes
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_submission import CANDIDATES, setup

SOURCE = """
#include <valgrind/callgrind.h>
void count_start(void) { CALLGRIND_START_INSTRUMENTATION; CALLGRIND_ZERO_STATS; }
void count_stop(void) { CALLGRIND_DUMP_STATS_AT("measured"); CALLGRIND_STOP_INSTRUMENTATION; }
"""


def marks(tmp: Path) -> ctypes.CDLL:
    """The library whose two calls switch callgrind on and off (no-ops outside valgrind)."""
    (tmp / "marks.c").write_text(SOURCE)
    library = tmp / "marks.so"
    subprocess.run(  # noqa: S603 - fixed arguments, the C compiler of the PATH
        ["cc", "-O1", "-shared", "-fPIC", "-o", str(library), str(tmp / "marks.c")],  # noqa: S607
        check=True,
    )
    return ctypes.CDLL(str(library))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--warm", type=int, default=20)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument(
        "--baseline", action="store_true", help="count the baseline (validating the body) instead"
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        library = marks(tmp)
        engine, submit, baseline = setup(f"sqlite:///{tmp / 'bench.db'}")
        call = baseline if options.baseline else submit
        first = CANDIDATES
        for n in range(first, first + options.warm):
            call(n)
        first += options.warm
        library.count_start()
        for n in range(first, first + options.calls):
            call(n)
        library.count_stop()
        engine.dispose()
    print(f"calls {options.calls}")


if __name__ == "__main__":
    main()
