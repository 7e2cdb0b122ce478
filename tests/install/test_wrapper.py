#!/usr/bin/python3
"""test_wrapper.py: ./bpftools TOOL on a built tree prints the tool's output and nothing else
(no build chatter on stdout or stderr), with the tool's exit status; and, on a small stand-in
project built the same way (the wrapper, cmake/BpftoolsGlob.cmake, a setup.sh that configures
and builds), that it sets up on first use, rebuilds whatever an edited source or header, a new
or removed file or a CMakeLists.txt change calls for, and stays quiet after an edit that does
not concern the tool or a build made without it. How long a call takes is measured by hand
(hyperfine), never asserted here."""
import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import unittest_main  # noqa: E402

SKIPPED = 77
BUILD = os.environ.get("BPFTOOLS_BUILD_DIR", "")
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WRAPPER = os.path.join(SOURCE, "bpftools")


def skip(reason):
    print("skipped: " + reason)
    sys.exit(SKIPPED)


def run(command, env=None, cwd=None):
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env, cwd=cwd)


def without_build_dir():
    environment = dict(os.environ)
    environment.pop("BPFTOOLS_BUILD_DIR", None)
    return environment


class OnTheBuiltTree(unittest.TestCase):
    """The project's own build directory, as CTest has it: built, up to date."""

    @classmethod
    def setUpClass(cls):
        if not BUILD or not os.path.isfile(os.path.join(BUILD, "build.ninja")):
            raise unittest.SkipTest("BPFTOOLS_BUILD_DIR is not a Ninja build directory")
        plan = run(["ninja", "-n", "bin/bpfgen"], cwd=BUILD)
        if plan.returncode != 0 or not plan.stdout.rstrip().endswith("ninja: no work to do."):
            raise unittest.SkipTest("bin/bpfgen is not up to date in %s (sources changed since "
                                    "the build)" % BUILD)
        cls.environment = dict(os.environ, BPFTOOLS_BUILD_DIR=BUILD)

    def check_same_as_direct(self, *args):
        direct = run([os.path.join(BUILD, "bin", "bpfgen"), *args])
        wrapped = run([WRAPPER, "bpfgen", *args], env=self.environment)
        self.assertEqual((wrapped.returncode, wrapped.stdout, wrapped.stderr),
                         (direct.returncode, direct.stdout, direct.stderr))

    def test_output_is_the_tools_only(self):
        self.check_same_as_direct("--help")
        self.check_same_as_direct("--offset=0", "dns", "--", "*.example.uk")
        self.check_same_as_direct("no_such_generator")  # the tool's error and exit status

    def test_unknown_tool(self):
        for name in ["no_such_tool", "../bin/bpfgen", ""]:
            result = run([WRAPPER, name], env=self.environment)
            self.assertEqual(result.returncode, 2, name)
            self.assertEqual(result.stdout, "")
            self.assertRegex(result.stderr, r"\Abpftools: no tool named '[^\n]*'[^\n]*\n\Z")


STAND_IN_CMAKE = """
cmake_minimum_required(VERSION 3.25)
project(stand_in C)
list(APPEND CMAKE_MODULE_PATH ${CMAKE_CURRENT_SOURCE_DIR}/cmake)
include(BpftoolsGlob)
bpftools_glob(TOOL_SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/tools/*.c)
foreach(source ${TOOL_SOURCES})
  get_filename_component(tool ${source} NAME_WE)
  add_executable(${tool} ${source})
  target_include_directories(${tool} PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/include)
  set_target_properties(${tool} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
endforeach()
"""

# What scripts/setup.sh does once the packages are there.
STAND_IN_SETUP = """#!/usr/bin/env bash
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
echo "setup ran" >&2
[[ -f $top/build/build.ninja ]] || cmake -S "$top" -B "$top/build" -G Ninja >&2
cmake --build "$top/build" >&2
"""

TOOL = """#include <stdio.h>
#include "greeting.h"
#ifndef SUFFIX
#define SUFFIX ""
#endif
int main(void) { printf("%s %s%s\\n", GREETING, WHO, SUFFIX); return 0; }
"""


class OnAStandInTree(unittest.TestCase):
    def setUp(self):
        for tool in ["cmake", "ninja", "cc"]:
            if not shutil.which(tool):
                self.skipTest(tool + " is not installed")
        self.temp = tempfile.TemporaryDirectory(prefix="bpftools-wrapper-")
        self.top = self.temp.name
        shutil.copy(WRAPPER, os.path.join(self.top, "bpftools"))
        os.makedirs(os.path.join(self.top, "cmake"))
        shutil.copy(os.path.join(SOURCE, "cmake", "BpftoolsGlob.cmake"),
                    os.path.join(self.top, "cmake"))
        self.write("scripts/setup.sh", STAND_IN_SETUP)
        os.chmod(os.path.join(self.top, "scripts", "setup.sh"), 0o755)
        self.write("CMakeLists.txt", STAND_IN_CMAKE)
        self.write("include/greeting.h", '#define GREETING "hello"\n')
        self.write("tools/hello.c", TOOL.replace("WHO", '"world"'))

    def tearDown(self):
        self.temp.cleanup()

    def write(self, name, text):
        # Later than anything built before: file times can be as coarse as a clock tick.
        time.sleep(0.05)
        path = os.path.join(self.top, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as out:
            out.write(text)

    def wrapper(self, *args):
        return run([os.path.join(self.top, "bpftools"), *args], env=without_build_dir(),
                   cwd=self.temp.name)

    def check(self, tool, stdout, quiet):
        """The wrapper's output for TOOL; quiet: nothing on stderr (nothing was built)."""
        result = self.wrapper(tool)
        self.assertEqual((result.returncode, result.stdout), (0, stdout), result.stderr)
        if quiet:
            self.assertEqual(result.stderr, "")
        else:
            self.assertNotEqual(result.stderr, "")
        return result

    def test_rebuilds_exactly_when_needed(self):
        first = self.check("hello", "hello world\n", quiet=False)
        self.assertIn("setup ran", first.stderr)
        self.check("hello", "hello world\n", quiet=True)

        # An edited source, an edited header.
        self.write("tools/hello.c", TOOL.replace("WHO", '"there"'))
        self.check("hello", "hello there\n", quiet=False)
        self.check("hello", "hello there\n", quiet=True)
        self.write("include/greeting.h", '#define GREETING "hi"\n')
        self.check("hello", "hi there\n", quiet=False)
        self.check("hello", "hi there\n", quiet=True)

        # A new tool, then a change to CMakeLists.txt.
        self.write("tools/bye.c", TOOL.replace("WHO", '"bye"'))
        self.check("bye", "hi bye\n", quiet=False)
        self.check("bye", "hi bye\n", quiet=True)
        # An edit to another tool's source leaves this one alone.
        self.write("tools/bye.c", TOOL.replace("WHO", '"bye bye"'))
        self.check("hello", "hi there\n", quiet=True)
        self.check("bye", "hi bye bye\n", quiet=False)

        # Built by someone else in between: the wrapper has nothing to build, runs the new one.
        self.write("tools/hello.c", TOOL.replace("WHO", '"you"'))
        built = run(["ninja", "-C", os.path.join(self.top, "build")])
        self.assertEqual(built.returncode, 0, built.stdout)
        self.check("hello", "hi you\n", quiet=True)
        self.write("CMakeLists.txt", STAND_IN_CMAKE + 'add_compile_definitions(SUFFIX="!")\n')
        self.check("hello", "hi you!\n", quiet=False)
        self.check("hello", "hi you!\n", quiet=True)

        # A removed tool is gone, though its binary is still in build/bin.
        time.sleep(0.05)
        os.remove(os.path.join(self.top, "tools", "bye.c"))
        self.assertTrue(os.path.exists(os.path.join(self.top, "build", "bin", "bye")))
        for _ in range(2):  # the first call runs CMake again, the second only ninja -n
            result = self.wrapper("bye")
            self.assertEqual((result.returncode, result.stdout), (2, ""), result.stderr)
            self.assertIn("bpftools: no tool named 'bye'", result.stderr)

        # A build error: ninja's output on stderr, exit status 1, nothing run.
        self.write("tools/hello.c", "this is not C\n")
        result = self.wrapper("hello")
        self.assertEqual((result.returncode, result.stdout), (1, ""))
        self.assertIn("error", result.stderr)
        self.write("tools/hello.c", TOOL.replace("WHO", '"again"'))
        self.check("hello", "hi again!\n", quiet=False)
        self.check("hello", "hi again!\n", quiet=True)


if __name__ == "__main__":
    unittest_main.main()
