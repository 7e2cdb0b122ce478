#!/usr/bin/env bash
# setup.sh: installs the Debian packages the project needs (only those missing), then
# configures and builds it in build/. Idempotent; progress goes to stderr.
# Usage: scripts/setup.sh [--sanitize | --deps-only]
#   --sanitize   builds build-sanitize/ with ASan + UBSan instead of build/
#   --deps-only  installs the packages and stops
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

packages=(build-essential cmake ninja-build pkg-config clang libclang-rt-14-dev
          libpcap-dev libboost-program-options-dev libfmt-dev libgtest-dev libbenchmark-dev
          libedit-dev python3 python3-scapy tcpdump iptables ipset iproute2 p0f
          groff-base man-db)
# One dpkg-query for all of them (a package it does not know is simply not listed).
declare -A installed=()
while read -r package status; do
    if [[ $status == "install ok installed" ]]; then installed[$package]=1; fi
done < <(dpkg-query -W -f='${Package} ${Status}\n' "${packages[@]}" 2>/dev/null || true)
missing=()
for package in "${packages[@]}"; do
    [[ -n ${installed[$package]:-} ]] || missing+=("$package")
done
if ((${#missing[@]})); then
    echo "setup: installing ${missing[*]}" >&2
    if [[ $(id -u) -ne 0 ]]; then
        echo "setup: missing packages (${missing[*]}) and not root: install them and retry" >&2
        exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

[[ ${1:-} == --deps-only ]] && exit 0

build=build
cmake_args=()
if [[ ${1:-} == --sanitize ]]; then
    build=build-sanitize
    cmake_args+=(-DBPFTOOLS_SANITIZE=ON -DBPFTOOLS_BENCH=OFF -DCMAKE_BUILD_TYPE=Debug)
fi
if [[ ! -f $top/$build/build.ninja ]]; then
    cmake -S "$top" -B "$top/$build" -G Ninja "${cmake_args[@]}" >&2
fi
cmake --build "$top/$build" -j "$(nproc)" >&2
