#!/usr/bin/env bash
# wrapper_overhead.sh: what `./bpftools TOOL` adds to a call on a built, up-to-date tree:
# `./bpftools bpfgen --help` against `build/bin/bpfgen --help`, CALLS calls of each,
# alternately in the same run, repeated; prints each repetition and the median of the
# milliseconds added per call (the issue's goal: at most 50 ms, and no build output).
#   Usage: bench/wrapper_overhead.sh [CALLS [REPETITIONS]]  (defaults 20 and 5)
#   Uses $BPFTOOLS_BUILD_DIR, else build/ (built by scripts/setup.sh).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
calls=${1:-20}
repetitions=${2:-5}
build=${BPFTOOLS_BUILD_DIR:-$top/build}
export BPFTOOLS_BUILD_DIR=$build
# The first call brings the tool up to date; after it nothing may be printed but the tool's.
"$top/bpftools" bpfgen --help >/dev/null
chatter=$("$top/bpftools" bpfgen --help 2>&1 >/dev/null)
[ -z "$chatter" ] || { echo "the wrapper printed: $chatter" >&2; exit 1; }

# Milliseconds taken by CALLS runs of a command.
milliseconds() {
    local start end
    start=$(date +%s%N)
    for ((call = 0; call < calls; call++)); do "$@" >/dev/null; done
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}

printf '%-10s %12s %12s %14s\n' repetition "direct ms" "wrapper ms" "added ms/call"
added=()
for ((repetition = 1; repetition <= repetitions; repetition++)); do
    direct=$(milliseconds "$build/bin/bpfgen" --help)
    wrapped=$(milliseconds "$top/bpftools" bpfgen --help)
    per_call=$(awk -v d="$direct" -v w="$wrapped" -v n="$calls" 'BEGIN { printf "%.1f", (w - d) / n }')
    added+=("$per_call")
    printf '%-10s %12s %12s %14s\n' "$repetition" "$direct" "$wrapped" "$per_call"
done
printf '%s\n' "${added[@]}" | sort -n | awk '{ v[NR] = $1 } END { printf "median added per call: %s ms (%d calls x %d)\n", v[int((NR + 1) / 2)], '"$calls"', NR }'
