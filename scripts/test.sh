#!/usr/bin/env bash
# test.sh: the whole test suite: sets up and builds, then runs every test with CTest.
# In CI (CI=true, or BPFTOOLS_FULL=1) it also runs the suite under AddressSanitizer +
# UndefinedBehaviorSanitizer, then every fuzz target for a bounded time (scripts/fuzz.sh).
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$top/scripts/setup.sh"
ctest --test-dir "$top/build" --output-on-failure -j "$(nproc)"
if [[ ${CI:-} == true || ${BPFTOOLS_FULL:-} == 1 ]]; then
    "$top/scripts/setup.sh" --sanitize
    ctest --test-dir "$top/build-sanitize" --output-on-failure -j "$(nproc)"
    "$top/scripts/fuzz.sh"
fi
