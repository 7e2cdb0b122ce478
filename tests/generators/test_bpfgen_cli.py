#!/usr/bin/python3
"""bpfgen's command line as a user meets it: help, option spellings, output formats, link
layer names, exit codes and one-line error messages, the xt_bpf size warning, hostile input.
"""
import os
import subprocess
import sys

BIN = os.environ.get("BPFTOOLS_BIN", "build/bin")
BPFGEN = os.path.join(BIN, "bpfgen")
GENERATORS = ["dns", "dns_validate", "p0f", "suffix", "tcpdump"]

failures = []


def run(*argv):
    result = subprocess.run([BPFGEN, *argv], capture_output=True, timeout=60)
    return result.returncode, result.stdout.decode("latin-1"), result.stderr.decode("latin-1")


def check(condition, what):
    if not condition:
        failures.append(what)
    return condition


def expect_output(argv, what):
    rc, out, err = run(*argv)
    check(rc == 0 and out and not err, f"{what}: {argv} gave rc={rc} out={out!r} err={err!r}")
    return out


def expect_error(argv, rc_wanted, fragment, what):
    rc, out, err = run(*argv)
    lines = err.splitlines()
    check(rc == rc_wanted, f"{what}: {argv} exit {rc}, wanted {rc_wanted}")
    check(out == "", f"{what}: {argv} printed {out!r} on stdout")
    check(len(lines) == 1 and lines[0].startswith("bpfgen: "),
          f"{what}: {argv} stderr is not one 'bpfgen: ' line: {err!r}")
    check(fragment in err, f"{what}: {argv} stderr {err!r} lacks {fragment!r}")
    check("Traceback" not in err and "terminate called" not in err, f"{what}: crash {err!r}")


def xt_bpf_numbers(text):
    fields = text.strip().rstrip(",").split(",")
    return int(fields[0]), [tuple(int(n) for n in field.split()) for field in fields[1:]]


def test_help():
    for flag in ("--help", "-h"):
        out = expect_output([flag], "bpfgen help")
        for name in GENERATORS:
            check(f"\n  {name} " in out, f"{flag} does not list generator {name}")
        check("bpfgen --offset=0 dns -- '*.example.uk'" in out, f"{flag} lacks examples")
        check(out.startswith("usage: bpfgen"), f"{flag} does not start with usage")


def test_generator_help():
    for name in ("dns", "dns_validate", "suffix"):
        for spelling in ("--help", "-h", "--he"):
            out = expect_output([name, "--", spelling], f"{name} help")
            check(out.startswith("usage: bpfgen") and f" {name} " in out,
                  f"{name} -- {spelling}: not its usage: {out[:80]!r}")
            check(f"bpfgen {name} --" in out or f"{name} -- " in out, f"{name} help lacks examples")
    # After a second '--', --help is an argument, not a request for help.
    expect_error(["suffix", "--", "--", "--help"], 2, "not a hex digit", "--help after --")
    expect_error(["nosuchgen", "--", "--help"], 2, "unknown generator 'nosuchgen'", "help of ?")


def test_option_spellings_agree():
    reference = expect_output(["-s", "-n", "-o", "14", "-6", "suffix", "--", "010203"], "plain")
    for argv in (["-sn6", "-o14", "suffix", "--", "010203"],
                 ["--assembly", "--negate", "--offset=14", "--inet6", "suffix", "--", "010203"],
                 ["--ass", "--neg", "--off", "14", "--inet", "suffix", "--", "010203"],
                 ["suffix", "-s", "-n", "-o", "14", "-6", "--", "010203"],
                 ["-s", "-n", "-o", "14", "-6", "suffix", "010203"]):
        check(expect_output(argv, "spelling") == reference, f"{argv} differs from the plain form")


def test_repeated_options_last_one_counts():
    # As the original's argparse: a switch twice is the switch, a value twice the last one.
    for repeated, plain in ((["-6", "-6"], ["-6"]), (["-n", "-n"], ["-n"]), (["-s", "-s"], ["-s"]),
                            (["-o", "16", "-o", "14"], ["-o", "14"]),
                            (["--format", "c", "--format", "asm"], ["--format", "asm"])):
        check(expect_output(repeated + ["dns", "--", "example.com"], "repeated") ==
              expect_output(plain + ["dns", "--", "example.com"], "plain"),
              f"{repeated} differs from {plain}")


def test_output_that_cannot_be_written_is_an_error():
    for argv in (["--help"], ["dns", "--", "--help"], ["dns", "--", "example.com"]):
        with open("/dev/full", "w") as full:
            result = subprocess.run([BPFGEN, *argv], stdout=full, stderr=subprocess.PIPE,
                                    timeout=60)
        check(result.returncode == 1 and b"cannot write" in result.stderr,
              f"{argv} > /dev/full: exit {result.returncode}, stderr {result.stderr!r}")


def test_link_layer_names():
    for name, offset in (("raw", "0"), ("ether", "14"), ("sll", "16"), ("vlan", "18"),
                         ("sll2", "20")):
        by_name = expect_output(["--l2", name, "dns", "--", "example.com"], "--l2")
        by_offset = expect_output(["-o", offset, "dns", "--", "example.com"], "-o")
        check(by_name == by_offset, f"--l2 {name} differs from -o {offset}")
    expect_error(["--l2", "token-ring", "dns", "--", "a.com"], 2, "unknown link layer", "--l2")
    expect_error(["--l2", "ether", "-o", "14", "dns", "--", "a.com"], 2, "either", "-o and --l2")


def test_formats():
    xt_bpf = expect_output(["dns", "--", "-i", "*.example.com"], "xt_bpf")
    check(expect_output(["--format", "xt_bpf", "dns", "--", "-i", "*.example.com"], "fmt")
          == xt_bpf, "--format xt_bpf differs from the default")
    count, instructions = xt_bpf_numbers(xt_bpf)
    check(count == len(instructions), "xt_bpf count is wrong")

    decimal = expect_output(["--format", "decimal", "dns", "--", "-i", "*.example.com"], "decimal")
    lines = decimal.splitlines()
    check(int(lines[0]) == count, "decimal count differs")
    check([tuple(int(n) for n in line.split()) for line in lines[1:]] == instructions,
          "--format decimal differs from the bytecode")

    c = expect_output(["--format", "c", "dns", "--", "-i", "*.example.com"], "c")
    parsed = []
    for line in c.splitlines():
        fields = line.strip().strip("{},").replace("}", "").split(",")
        parsed.append(tuple(int(f.strip(), 0) for f in fields if f.strip()))
    check(parsed == instructions, f"--format c differs from the bytecode: {c!r}")

    asm = expect_output(["--format", "asm", "dns", "--", "-i", "*.example.com"], "asm")
    check(asm.endswith("\n"), "--format asm does not end in a newline")
    bpf_asm = os.path.join(BIN, "bpf_asm")
    if os.access(bpf_asm, os.X_OK):
        result = subprocess.run([bpf_asm], input=asm.encode(), capture_output=True, timeout=60)
        check(result.returncode == 0 and xt_bpf_numbers(result.stdout.decode())[1] == instructions,
              f"--format asm does not re-assemble to the program: {result.stdout!r}")
    else:
        print("bpf_asm not built: the --format asm round trip was not checked")

    expect_error(["--format", "hex", "dns", "--", "a.com"], 2, "unknown format 'hex'", "format")
    expect_error(["-s", "--format", "c", "dns", "--", "a.com"], 2, "-s", "-s with --format")


def test_usage_errors():
    expect_error([], 2, "no generator given", "no arguments")
    expect_error(["nosuchgen"], 2, "unknown generator 'nosuchgen'", "unknown generator")
    expect_error(["-o", "abc", "dns", "--", "a.com"], 2, "bad offset 'abc'", "offset abc")
    expect_error(["-o", "-3", "dns", "--", "a.com"], 2, "", "negative offset")
    expect_error(["-o", "99999999999999999999", "dns", "--", "a.com"], 2, "bad offset", "huge")
    expect_error(["-o"], 2, "", "offset without value")
    expect_error(["--bogus", "dns", "--", "a.com"], 2, "unknown option", "unknown option")
    expect_error(["dns", "-i", "a.com"], 2, "go after '--'", "generator option before --")
    expect_error(["dns", "--"], 2, "no domain pattern", "missing domains")
    expect_error(["dns", "--", "a..b"], 2, "empty label", "bad pattern")
    expect_error(["dns", "--", "x" * 64 + ".com"], 2, "64 bytes long, at most 63", "long label")
    expect_error(["dns", "--", "*{5-3}.com"], 2, "greater than maximum", "bad range")
    expect_error(["dns", "--", "a%g1.com"], 2, "bad escape", "bad escape")
    expect_error(["dns_validate", "--", "x"], 2, "unexpected argument", "dns_validate argument")
    expect_error(["suffix", "--", "123"], 2, "odd number of hex digits", "odd suffix")
    expect_error(["suffix", "--", "zz"], 2, "not a hex digit", "non-hex suffix")
    expect_error(["suffix"], 2, "no hex bytes", "empty suffix")


def test_hostile_input_gives_one_line():
    for pattern in ("a\nb.com", "\x1b[2J.com", "x" * 100000, "." * 1000 + "a", "%" * 50,
                    "*{" + "9" * 400 + "-1}.a", "\xff\xfe.com"):
        rc, out, err = run("dns", "--", pattern)
        if rc == 0:
            check(err == "", f"accepted {pattern[:20]!r} with stderr {err!r}")
            continue
        check(rc == 2 and len(err.splitlines()) == 1 and err.startswith("bpfgen: dns: "),
              f"{pattern[:20]!r}: rc={rc} err={err[:200]!r}")
        check(len(err) < 400, f"{pattern[:20]!r}: message of {len(err)} bytes")


def test_xt_bpf_size_warning():
    patterns = [f"host{i}.example.com" for i in range(8)]
    rc, out, err = run("dns", "--", *patterns)
    count, _ = xt_bpf_numbers(out)
    check(rc == 0 and count > 64, f"{count} instructions, rc={rc}")
    check(err.startswith("bpfgen: warning:") and "64" in err and len(err.splitlines()) == 1,
          f"no single-line warning for {count} instructions at offset 0: {err!r}")
    rc, out, err = run("-o", "14", "dns", "--", *patterns)
    check(rc == 0 and err == "", f"warning at offset 14: {err!r}")
    rc, out, err = run("dns", "--", "example.com")
    check(rc == 0 and err == "", f"warning for a short program: {err!r}")


def main():
    if not os.access(BPFGEN, os.X_OK):
        print(f"FAIL: {BPFGEN} is not built")
        return 1
    tests = [value for name, value in globals().items() if name.startswith("test_")]
    for test in tests:
        before = len(failures)
        test()
        print(f"{test.__name__}: {'ok' if len(failures) == before else 'FAILED'}")
    for failure in failures:
        print("FAIL:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
