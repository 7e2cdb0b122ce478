#!/usr/bin/python3
"""test_install.py: the built tree installed as a user would install it. `cmake --install`
into a temporary prefix: the tools run and print what the build tree's print, the headers
keep the paths they include each other by, nothing installed names the build machine's
source or build directory; a consumer project uses the libraries through
find_package(bpftools) and another through pkg-config, and both print the program bpfgen
prints. `cpack -G DEB`: the package holds the same files under /usr, its programs run, and its
Depends names the packages of the shared libraries the programs link and of libpcap, which
they load at run time. Both hold a manual page per program, in share/man/man1, that groff
renders without a warning and that names every option the program's --help (and bpfgen's
generators' own help) lists."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import unittest_main  # noqa: E402

SKIPPED = 77
BUILD = os.environ.get("BPFTOOLS_BUILD_DIR", "")
SOURCE = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The program the consumers generate, as bpfgen's command line says it.
BPFGEN_ARGS = ["dns", "--", "example.com"]

CONSUMER = r"""
#include <cstdio>
#include <string>
#include <vector>

%(includes)s

int main() {
    // The library alone: a program assembled, checked and run over one packet.
    const bpfgen::CheckedProgram accept_ipv4(bpfgen::assemble(
        "ldh [12]\njeq #0x800, ipv4\nret #0\nipv4: ret #-1\n"));
    std::vector<uint8_t> frame(60, 0);
    frame[12] = 0x08;
    if (bpfgen::verdict(accept_ipv4, frame) != 0xffffffff) return 1;
    frame[12] = 0x86;
    frame[13] = 0xdd;
    if (bpfgen::verdict(accept_ipv4, frame) != 0) return 1;

    const std::vector<std::string> args{"example.com"};
    const bpfgen::GeneratedProgram generated =
        bpfgen::generate("dns", args, bpfgen::GeneratorOptions{});
    std::printf("%%s\n%%s\n", BPFTOOLS_VERSION, bpfgen::format_xt_bpf(generated.program).c_str());
    return 0;
}
"""

CONSUMER_CMAKE = """
cmake_minimum_required(VERSION 3.25)
project(bpftools_consumer LANGUAGES CXX)
find_package(bpftools %s REQUIRED)
add_executable(consumer consumer.cpp)
target_link_libraries(consumer PRIVATE bpftools::libbpfgen bpftools::generators)
"""


def skip(reason):
    print("skipped: " + reason)
    sys.exit(SKIPPED)


def cache_value(name):
    with open(os.path.join(BUILD, "CMakeCache.txt")) as cache:
        for line in cache:
            match = re.match(r"%s:[A-Z]+=(.*)$" % re.escape(name), line.rstrip("\n"))
            if match:
                return match.group(1)
    return ""


def run(command, **kwargs):
    """Runs a command; a failure raises with its output."""
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)
    if result.returncode != 0:
        raise AssertionError("%s: exit %d\n%s%s" % (" ".join(command), result.returncode,
                                                    result.stdout, result.stderr))
    return result.stdout


def tool_names():
    """One program per .cpp file of tools/ and linux_tools/."""
    return sorted(name[:-len(".cpp")] for folder in ["tools", "linux_tools"]
                  for name in os.listdir(os.path.join(SOURCE, folder)) if name.endswith(".cpp"))


# An option where a help line starts with one: "  -o, --offset N  ..." gives -o and --offset.
OPTION_LINE = re.compile(r"^\s+(-\S.*?)(?:\s{2,}|$)")
OPTION = re.compile(r"(?<![\w-])--?[A-Za-z0-9][\w-]*")


def options_in_help(program, *args):
    """The options the help of `program args... --help` lists, in its usage line or where
    its lines start with one."""
    options = set()
    for line in run([program, *args, "--help"]).splitlines():
        match = OPTION_LINE.match(line)
        if line.lower().startswith("usage:") or match:
            options.update(OPTION.findall(line if not match else match.group(1)))
    return options


def check_manual_pages(test, folder, programs):
    """Every program has FOLDER/PROGRAM.1; groff renders it without a warning, and the text
    names every option of the program's help (bpfgen's: also of each generator's help)."""
    if not shutil.which("groff"):
        test.skipTest("groff is not installed")
    test.assertEqual(sorted(os.listdir(folder)), sorted(p + ".1" for p in programs))
    for program in programs:
        page = os.path.join(folder, program + ".1")
        # One long line, no hyphenation: an option is never cut in two.
        result = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-rLL=300n", "-rHY=0",
                                 "-P-cbou", page], capture_output=True, text=True, timeout=60)
        test.assertEqual((result.returncode, result.stderr), (0, ""), page)
        text = result.stdout.replace("\u2010", "-").replace("\u2212", "-")
        test.assertIn(program + " - ", text, page)
        built = os.path.join(BUILD, "bin", program)
        wanted = options_in_help(built)
        test.assertTrue(wanted, program)
        if program == "bpfgen":
            for generator in ["dns", "dns_validate", "p0f", "suffix", "tcpdump"]:
                wanted |= options_in_help(built, generator, "--")
        for option in sorted(wanted):
            test.assertRegex(text, r"(?<![\w-])%s(?![\w-])" % re.escape(option),
                             "%s does not mention %s" % (page, option))
        if shutil.which("man"):
            shown = subprocess.run(["man", "-l", page], capture_output=True, text=True,
                                   timeout=60, env=dict(os.environ, MANWIDTH="100"))
            test.assertEqual(shown.returncode, 0, shown.stderr)
            test.assertIn("SYNOPSIS", shown.stdout)


def require_environment():
    if not BUILD or not os.path.isfile(os.path.join(BUILD, "CMakeCache.txt")):
        skip("BPFTOOLS_BUILD_DIR must name a configured build directory")
    if not shutil.which("cmake"):
        skip("cmake is not installed")
    if not os.access(os.path.join(BUILD, "bin", "bpfgen"), os.X_OK):
        skip("bpfgen is not built in %s/bin" % BUILD)


class Installed(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.temp = tempfile.TemporaryDirectory(prefix="bpftools-install-")
        cls.prefix = os.path.join(cls.temp.name, "prefix")
        run(["cmake", "--install", BUILD, "--prefix", cls.prefix])
        cls.libdir = os.path.join(cls.prefix, cache_value("CMAKE_INSTALL_LIBDIR") or "lib")
        cls.includedir = os.path.join(cls.prefix, cache_value("CMAKE_INSTALL_INCLUDEDIR")
                                      or "include", "bpftools")
        cls.version = cache_value("CMAKE_PROJECT_VERSION")
        cls.expected = run([os.path.join(BUILD, "bin", "bpfgen"), *BPFGEN_ARGS])

    @classmethod
    def tearDownClass(cls):
        cls.temp.cleanup()

    def installed_headers(self):
        headers = []
        for root, _, files in os.walk(self.includedir):
            headers += [os.path.relpath(os.path.join(root, name), self.includedir)
                        for name in files if name.endswith(".h")]
        return sorted(headers)

    def test_every_tool_is_installed_and_runs_like_the_built_one(self):
        self.assertIn("bpf_asm", tool_names())
        self.assertEqual(sorted(os.listdir(os.path.join(self.prefix, "bin"))), tool_names())
        self.assertEqual(run([os.path.join(self.prefix, "bin", "bpfgen"), *BPFGEN_ARGS]),
                         self.expected)
        source = "ldh [12]\njeq #0x800, ok\nret #0\nok: ret #-1\n"
        self.assertEqual(run([os.path.join(self.prefix, "bin", "bpf_asm"), "-c"], input=source),
                         run([os.path.join(BUILD, "bin", "bpf_asm"), "-c"], input=source))

    def test_every_program_has_a_manual_page(self):
        check_manual_pages(self, os.path.join(self.prefix, cache_value("CMAKE_INSTALL_MANDIR")
                                              or "share/man", "man1"), tool_names())

    def test_libraries_headers_package_files(self):
        for name in ["libbpfgen_base.a", "libbpfgen_cbpf.a", "libbpfgen_capture.a",
                     "libbpfgen_deploy.a", "libbpfgen_ebpf.a", "libbpfgen_generators.a",
                     "pkgconfig/libbpfgen.pc",
                     "cmake/bpftools/bpftoolsConfig.cmake",
                     "cmake/bpftools/bpftoolsConfigVersion.cmake",
                     "cmake/bpftools/bpftoolsTargets.cmake"]:
            self.assertTrue(os.path.isfile(os.path.join(self.libdir, name)), name)
        headers = self.installed_headers()
        # The public headers of each component (not those in detail/: its internals).
        in_source = []
        for folder in ["libbpfgen/base", "libbpfgen/cbpf", "libbpfgen/capture",
                       "libbpfgen/deploy", "libbpfgen/ebpf", "generators"]:
            in_source += [os.path.join(folder, name)
                          for name in os.listdir(os.path.join(SOURCE, folder))
                          if name.endswith(".h")]
        self.assertEqual([h for h in headers if h != "libbpfgen/version.h"], sorted(in_source))
        self.assertFalse([h for h in headers if "/detail/" in h])
        self.assertIn("libbpfgen/version.h", headers)
        # Every quoted include of an installed header names another installed header.
        for header in headers:
            with open(os.path.join(self.includedir, header)) as text:
                for included in re.findall(r'^#include "([^"]+)"', text.read(), re.M):
                    self.assertIn(included, headers, "included by " + header)

    def test_nothing_installed_names_the_source_or_build_directory(self):
        for root, _, files in os.walk(self.prefix):
            for name in files:
                path = os.path.join(root, name)
                if name.endswith((".cmake", ".pc", ".h")):
                    with open(path) as text:
                        content = text.read()
                    for directory in (os.path.realpath(SOURCE), os.path.realpath(BUILD)):
                        self.assertNotIn(directory, content, path)

    def consumer_source(self, folder):
        includes = "\n".join('#include "%s"' % h for h in self.installed_headers())
        os.makedirs(folder)
        with open(os.path.join(folder, "consumer.cpp"), "w") as out:
            out.write(CONSUMER % {"includes": includes})

    def check_consumer_output(self, program):
        self.assertEqual(run([program]), "%s\n%s" % (self.version, self.expected))

    def test_find_package_consumer(self):
        folder = os.path.join(self.temp.name, "cmake-consumer")
        self.consumer_source(folder)
        with open(os.path.join(folder, "CMakeLists.txt"), "w") as out:
            out.write(CONSUMER_CMAKE % self.version)
        configure = ["cmake", "-S", folder, "-B", os.path.join(folder, "build"),
                     "-DCMAKE_PREFIX_PATH=" + self.prefix,
                     "-DCMAKE_CXX_COMPILER=" + cache_value("CMAKE_CXX_COMPILER")]
        if shutil.which("ninja"):
            configure += ["-G", "Ninja"]
        run(configure)
        run(["cmake", "--build", os.path.join(folder, "build")])
        self.check_consumer_output(os.path.join(folder, "build", "consumer"))

    def test_pkg_config_consumer(self):
        if not shutil.which("pkg-config"):
            self.skipTest("pkg-config is not installed")
        folder = os.path.join(self.temp.name, "pkg-config-consumer")
        self.consumer_source(folder)
        program = build_with_pkg_config(folder, os.path.join(self.libdir, "pkgconfig"), [],
                                        self.version)
        self.check_consumer_output(program)


def build_with_pkg_config(folder, pkgconfig_dir, pkg_config_options, version):
    """Compiles FOLDER/consumer.cpp with the flags libbpfgen.pc gives; returns the program."""
    environment = dict(os.environ, PKG_CONFIG_PATH=pkgconfig_dir)
    pkg_config = ["pkg-config", *pkg_config_options]
    found = run([*pkg_config, "--modversion", "libbpfgen"], env=environment).strip()
    if found != version:
        raise AssertionError("pkg-config --modversion libbpfgen: %s, not %s" % (found, version))
    flags = run([*pkg_config, "--cflags", "--libs", "libbpfgen"], env=environment).split()
    program = os.path.join(folder, "consumer")
    run([cache_value("CMAKE_CXX_COMPILER"), "-std=c++20", os.path.join(folder, "consumer.cpp"),
         "-o", program, *flags])
    return program


def loaded_at_run_time(bpfgen):
    """The libraries the programs load with dlopen() when a run needs them: libpcap (as
    libbpfgen/capture/detail/libpcap_library.h names it), where the dynamic loader finds it
    for the tcpdump generator of this bpfgen."""
    with open(os.path.join(SOURCE, "libbpfgen", "capture", "detail", "libpcap_library.h")) as h:
        sonames = re.findall(r'kLibpcapSoname = "([^"]+)"', h.read())
    if len(sonames) != 1:
        raise AssertionError("libpcap_library.h names no kLibpcapSoname")
    with tempfile.TemporaryDirectory(prefix="bpftools-ld-trace-") as folder:
        run([bpfgen, "tcpdump", "--", "udp"],
            env=dict(os.environ, LD_DEBUG="libs", LD_DEBUG_OUTPUT=os.path.join(folder, "trace")))
        trace = ""
        for name in os.listdir(folder):
            with open(os.path.join(folder, name), errors="replace") as text:
                trace += text.read()
    initialised = re.findall(r"calling init: (/\S+)", trace)
    paths = [path for path in initialised if os.path.basename(path) in sonames]
    if len(paths) != 1:
        raise AssertionError("%s tcpdump did not load %s: %s" % (bpfgen, sonames, initialised))
    return paths


def package_of(path):
    """The Debian package that installed a file (under /lib or /usr/lib: the usr merge)."""
    for candidate in (path, re.sub(r"^/usr/lib/", "/lib/", path),
                      re.sub(r"^/lib/", "/usr/lib/", path)):
        owner = subprocess.run(["dpkg", "-S", candidate], capture_output=True, text=True)
        if owner.returncode == 0:
            return owner.stdout.split(":")[0]
    raise AssertionError("no package installed " + path)


class DebianPackage(unittest.TestCase):
    def test_cpack_deb(self):
        for tool in ["cpack", "dpkg-deb", "dpkg", "objdump", "ldd"]:
            if not shutil.which(tool):
                self.skipTest(tool + " is not installed")
        with tempfile.TemporaryDirectory(prefix="bpftools-deb-") as temp:
            run(["cpack", "-G", "DEB", "--config", os.path.join(BUILD, "CPackConfig.cmake"),
                 "-B", temp])
            debs = [name for name in os.listdir(temp) if name.endswith(".deb")]
            self.assertEqual(len(debs), 1, debs)
            deb = os.path.join(temp, debs[0])
            fields = dict(re.findall(r"^ ([A-Za-z-]+): (.*)$", run(["dpkg-deb", "-I", deb]), re.M))
            self.assertEqual(fields["Package"], "bpftools")
            self.assertEqual(fields["Version"], cache_value("CMAKE_PROJECT_VERSION"))
            depends = {re.sub(r"\s*\(.*\)", "", d.strip()) for d in fields["Depends"].split(",")}

            root = os.path.join(temp, "root")
            run(["dpkg-deb", "-x", deb, root])
            programs = sorted(os.listdir(os.path.join(root, "usr", "bin")))
            self.assertEqual(programs, tool_names())
            check_manual_pages(self, os.path.join(root, "usr", "share", "man", "man1"), programs)
            bpfgen = os.path.join(root, "usr", "bin", "bpfgen")
            self.assertEqual(run([bpfgen, *BPFGEN_ARGS]),
                             run([os.path.join(BUILD, "bin", "bpfgen"), *BPFGEN_ARGS]))
            pc = os.path.join(root, "usr", cache_value("CMAKE_INSTALL_LIBDIR") or "lib",
                              "pkgconfig", "libbpfgen.pc")
            with open(pc) as text:
                self.assertIn("prefix=/usr\n", text.read())
            # The package's (stripped) libraries link, found where it was unpacked.
            if shutil.which("pkg-config"):
                folder = os.path.join(temp, "consumer")
                os.makedirs(folder)
                with open(os.path.join(folder, "consumer.cpp"), "w") as out:
                    out.write(CONSUMER % {"includes": '#include "generators/generator.h"\n'
                                                      '#include "libbpfgen/cbpf/assembler.h"\n'
                                                      '#include "libbpfgen/cbpf/format.h"\n'
                                                      '#include "libbpfgen/cbpf/interpreter.h"\n'
                                                      '#include "libbpfgen/version.h"'})
                program = build_with_pkg_config(folder, os.path.dirname(pc), ["--define-prefix"],
                                                fields["Version"])
                self.assertEqual(run([program]), "%s\n%s" % (
                    fields["Version"], run([os.path.join(BUILD, "bin", "bpfgen"), *BPFGEN_ARGS])))

            # Depends: exactly the packages of the shared libraries the programs link
            # (themselves, not what those bring in; sanitizer runtimes aside) and of those
            # they load at run time (libpcap: no program links it).
            owners = {package_of(os.path.realpath(path)) for path in loaded_at_run_time(bpfgen)}
            for program in programs:
                path = os.path.join(root, "usr", "bin", program)
                needed = re.findall(r"^\s*NEEDED\s+(\S+)$", run(["objdump", "-p", path]), re.M)
                listing = run(["ldd", path])
                found = dict(re.findall(r"^\s*(\S+) => (/\S+)", listing, re.M))
                # The dynamic loader, NEEDED by a program with a static libstdc++, is listed
                # by its path alone.
                found.update((os.path.basename(loader), loader)
                             for loader in re.findall(r"^\s*(/\S+) \(0x", listing, re.M))
                for library in needed:
                    if re.match(r"lib(asan|ubsan|tsan|lsan)\.", library):
                        continue
                    owners.add(package_of(os.path.realpath(found[library])))
            self.assertEqual(depends, owners)


if __name__ == "__main__":
    require_environment()
    unittest_main.main()
