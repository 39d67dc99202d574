#!/bin/sh
# Instructions per in-process submission (callgrind, see bench/count_submission.py).
# Usage, from the repository's root: bench/count_submission.sh [CALLS [--baseline]]
# (default 50 calls; --baseline: the baseline, validating the same body, for the ratio)
set -eu
calls=${1:-50}
what=${2:-}
python=${PYTHON:-.venv/bin/python}
out=$(mktemp -d)
PYTHONHASHSEED=0 OMP_NUM_THREADS=1 valgrind --tool=callgrind --instr-atstart=no \
    --callgrind-out-file="$out/count.%p" "$python" bench/count_submission.py --calls "$calls" $what \
    >/dev/null 2>"$out/log"
total=$(sed -n 's/^summary: *\([0-9]*\).*/\1/p' "$out"/count.*.1)
echo "instructions: $total for $calls calls${what:+ ($what)}, $((total / calls)) per call"
rm -r "$out"
