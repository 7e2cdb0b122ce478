#!/usr/bin/env bash
# test.sh: the whole test suite: sets up and builds, then runs every test with CTest.
# In CI (CI=true) it also runs the suite under AddressSanitizer + UndefinedBehaviorSanitizer.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$top/scripts/setup.sh"
ctest --test-dir "$top/build" --output-on-failure -j "$(nproc)"
if [[ ${CI:-} == true || ${BPFTOOLS_SANITIZE:-} == 1 ]]; then
    "$top/scripts/setup.sh" --sanitize
    ctest --test-dir "$top/build-sanitize" --output-on-failure -j "$(nproc)"
fi
