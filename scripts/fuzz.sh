#!/usr/bin/env bash
# fuzz.sh: builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan) in build-fuzz/ and
# runs each for a bounded time (FUZZ_SECONDS, default 60), two at a time, starting from the
# seed corpus. Any finding fails the run; its input is copied to fuzz/regressions/TARGET/ so
# that it becomes a regression test once committed (the replay tests run those files).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
seconds=${FUZZ_SECONDS:-60}
"$top/scripts/setup.sh" --deps-only
if [[ ! -f $top/build-fuzz/build.ninja ]]; then
    CC=clang CXX=clang++ cmake -S "$top" -B "$top/build-fuzz" -G Ninja -DBPFTOOLS_FUZZ=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
fi
cmake --build "$top/build-fuzz" -j "$(nproc)" >&2

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run_target() {
    local target=$1 dir=$work/$1
    mkdir -p "$dir/corpus" "$dir/artifacts"
    cp -r "$top/fuzz/corpus/$target/." "$dir/corpus/" 2>/dev/null || true
    if "$top/build-fuzz/fuzz/$target" "$dir/corpus" -max_total_time="$seconds" \
        -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$dir/artifacts/" >"$dir/log" 2>&1; then
        echo "fuzz: $target: $(grep -E 'stat::number_of_executed_units' "$dir/log" | awk '{print $2}') executions, no finding"
    else
        echo "fuzz: $target: FINDING" >&2
        tail -n 60 "$dir/log" >&2
        mkdir -p "$top/fuzz/regressions/$target"
        cp "$dir"/artifacts/* "$top/fuzz/regressions/$target/" 2>/dev/null || true
        return 1
    fi
}
export -f run_target
export top work seconds
targets=()
for source in "$top"/fuzz/fuzz_*.cpp; do
    targets+=("$(basename "$source" .cpp)")
done
printf '%s\n' "${targets[@]}" | xargs -P 2 -I{} bash -c 'run_target {}'
