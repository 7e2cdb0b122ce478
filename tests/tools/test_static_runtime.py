#!/usr/bin/python3
"""test_static_runtime.py: in a build configured with BPFTOOLS_STATIC_RUNTIME (the default),
every program of tools/ and linux_tools/ links the C++ runtime, fmt and Boost.Program_options
statically: none of libstdc++, libgcc_s, libfmt or libboost_* is among its NEEDED libraries
(readelf -d), and it still needs glibc (which stays shared, so that libpcap can be loaded
with dlopen()). The build says whether the option is on (and not turned off by a sanitized
build) through BPFTOOLS_STATIC_RUNTIME in the test's environment (tests/CMakeLists.txt)."""
import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from captures import BIN, require_environment  # noqa: E402
from unittest_main import main  # noqa: E402

require_environment()

SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATIC_RUNTIME = os.environ.get("BPFTOOLS_STATIC_RUNTIME", "")
LINKED_STATICALLY = re.compile(r"^lib(stdc\+\+|gcc_s|fmt|boost_[a-z_]+)\.so")


def programs():
    """One program per .cpp file of tools/ and linux_tools/."""
    return sorted(name[:-len(".cpp")] for folder in ["tools", "linux_tools"]
                  for name in os.listdir(os.path.join(SOURCE, folder)) if name.endswith(".cpp"))


def needed_libraries(program):
    dynamic = subprocess.run(["readelf", "-d", os.path.join(BIN, program)],
                             capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^]]+)\]", dynamic)


class StaticRuntime(unittest.TestCase):
    def setUp(self):
        if STATIC_RUNTIME.upper() not in ("ON", "OFF"):
            self.skipTest("BPFTOOLS_STATIC_RUNTIME (ON or OFF, as the build was configured) "
                          "is not set")
        if STATIC_RUNTIME.upper() == "OFF":
            self.skipTest("the build links the shared C++ runtime (BPFTOOLS_STATIC_RUNTIME off)")
        if not shutil.which("readelf"):
            self.skipTest("readelf is not installed")

    def test_no_program_needs_the_cxx_runtime_fmt_or_boost(self):
        for program in programs():
            with self.subTest(program=program):
                needed = needed_libraries(program)
                self.assertEqual([name for name in needed if LINKED_STATICALLY.match(name)], [],
                                 needed)

    def test_every_program_still_needs_the_shared_glibc(self):
        for program in programs():
            with self.subTest(program=program):
                self.assertIn("libc.so.6", needed_libraries(program))


if __name__ == "__main__":
    main()
