#!/usr/bin/env bash
# test.sh: the whole test suite: sets up and builds, then runs every test with CTest.
# In CI (CI=true, or BPFTOOLS_FULL=1) it also runs the suite under AddressSanitizer +
# UndefinedBehaviorSanitizer, then every fuzz target for a bounded time (scripts/fuzz.sh).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Runs CTest in a build directory; a test that skipped (a kernel feature or a tool it
# needs is missing) has its printed reason repeated at the end, so a skip is never silent.
run_suite() {
    local build=$1 status=0
    ctest --test-dir "$build" --output-on-failure -j "$(nproc)" || status=$?
    local log=$build/Testing/Temporary/LastTest.log
    # Python tests print "skipped: REASON"; GoogleTest prints "FILE:LINE: Skipped", then
    # the reason on the next line.
    if [[ -f $log ]] && grep -q -E '^skipped: |: Skipped$' "$log"; then
        echo "== skipped, with the reasons the tests gave:"
        grep -A1 -E '^skipped: |: Skipped$' "$log" | grep -v -E '^--$|: Skipped$' | sort -u |
            head -n 50
    fi
    return "$status"
}

"$top/scripts/setup.sh"
run_suite "$top/build"
if [[ ${CI:-} == true || ${BPFTOOLS_FULL:-} == 1 ]]; then
    "$top/scripts/setup.sh" --sanitize
    run_suite "$top/build-sanitize"
    "$top/scripts/fuzz.sh"
fi
