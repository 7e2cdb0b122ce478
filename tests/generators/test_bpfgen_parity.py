#!/usr/bin/python3
"""Parity of bpfgen with the original bpftools, on every recorded run in bpfgen_cases.jsonl.

For a run that succeeded in the original: our stdout must be its bytecode and a newline, byte
for byte, and with -s first our stdout must be its assembly (dns, dns_validate, suffix: the
exact text; tcpdump, p0f: the same instructions and labels, comments aside). For a run that
failed: a non-zero exit, nothing on stdout, exactly one stderr line starting with 'bpfgen:'
and no traceback. Any difference fails the test.

dns programs match exactly what their patterns say by default, so some of the original's
programs differ: those runs (compat_reasons says which, and why) are compared with
`--compat` added to the generator's arguments, and must differ without it.
"""
import json
import os
import subprocess
import sys

BIN = os.environ.get("BPFTOOLS_BIN", "build/bin")
DATA = os.environ.get("BPFTOOLS_TEST_DATA", "tests/data")
BPFGEN = os.path.join(BIN, "bpfgen")
# Generators whose -s output comes from libpcap's printer: its comments and spacing may differ.
LIBPCAP_GENERATORS = {"tcpdump", "p0f"}
GENERATORS = {"dns", "dns_validate", "suffix", "tcpdump", "p0f"}


def run(argv):
    result = subprocess.run([BPFGEN] + argv, capture_output=True, timeout=60)
    return result.returncode, result.stdout.decode("latin-1"), result.stderr.decode("latin-1")


def generator_of(argv):
    for arg in argv:
        if arg == "--":
            break
        if arg in GENERATORS:
            return arg
    return None


def generator_args(argv):
    return argv[argv.index("--") + 1:] if "--" in argv else []


def unquote(label):
    out, i = "", 0
    while i < len(label):
        if label[i] == "%" and len(label[i + 1:i + 3]) == 2:
            out += chr(int(label[i + 1:i + 3], 16))
            i += 3
        else:
            out += label[i]
            i += 1
    return out


def compat_reasons(argv):
    """Why the original's dns program for argv is not the default one (empty: it is)."""
    if generator_of(argv) != "dns":
        return []
    args = generator_args(argv)
    ignore_case = any(arg in ("-i", "--ignorecase") for arg in args)
    reasons = set()
    for pattern in (arg for arg in args if not arg.startswith("-")):
        name = pattern.strip().strip(".")
        open_label = name.endswith("**") and not name.endswith(".**")
        labels = [label for label in name.removesuffix("**").split(".") if label]
        for index, label in enumerate(labels):
            if label == "*" or (label.startswith("*{") and label.endswith("-255}")):
                reasons.add("a '*' label is checked to be 1 to 63 bytes long")
            elif not label.startswith("*{"):
                text = unquote(label)
                if ignore_case and any(not c.isascii() or not c.isalpha() for c in
                                       text.replace("?", "")):
                    reasons.add("-i folds letters only, not the other bytes of a label")
                if open_label and index == len(labels) - 1:
                    reasons.add("a 'prefix**' label is checked to be at least that long")
    return sorted(reasons)


def with_compat(argv):
    at = argv.index("--") + 1
    return argv[:at] + ["--compat"] + argv[at:]


def instructions_and_labels(assembly):
    """The assembly without comments, blank lines or spacing differences."""
    lines = []
    for line in assembly.splitlines():
        code = line.split(";", 1)[0].split()
        if code:
            lines.append(" ".join(code))
    return lines


def stderr_is_warnings_only(stderr):
    return all(line.startswith("bpfgen: warning:") for line in stderr.splitlines())


def taken_on_purpose(argv):
    """Why a case the original failed on is now taken, or None. p0f's version '*' (the
    original: "IP version must be either 4 or 6") is read as p0f reads it: either version."""
    if generator_of(argv) == "p0f" and argv[-1].startswith("*:"):
        return "p0f version '*'"
    return None


def check_failure(argv, case, problems):
    rc, out, err = run(argv)
    lines = err.splitlines()
    if rc == 0:
        problems.append(f"{argv}: exit 0, the original failed with {case['rc']}")
    elif out:
        problems.append(f"{argv}: failed but printed {out!r}")
    elif len(lines) != 1 or not lines[0].startswith("bpfgen:") or "Traceback" in err:
        problems.append(f"{argv}: stderr is not one 'bpfgen:' line: {err!r}")
    else:
        return True
    return False


def main():
    with open(os.path.join(DATA, "bpfgen_cases.jsonl")) as cases_file:
        cases = [json.loads(line) for line in cases_file if line.strip()]
    if not os.access(BPFGEN, os.X_OK):
        print(f"FAIL: {BPFGEN} is not built")
        return 1

    problems = []
    counts = {"bytecode": [0, 0], "assembly": [0, 0], "failure": [0, 0], "taken": [0, 0]}
    compat_cases = 0
    for case in cases:
        argv = case["argv"]
        if case["rc"] != 0 and taken_on_purpose(argv):
            counts["taken"][0] += 1
            rc, out, err = run(argv)
            if rc != 0 or not out:
                problems.append(f"{argv}: {taken_on_purpose(argv)} is taken, but exit {rc}: "
                                f"{err.strip()}")
            else:
                counts["taken"][1] += 1
            continue
        reasons = compat_reasons(argv) if case["rc"] == 0 else []
        if reasons:
            compat_cases += 1
            rc, out, _ = run(argv)
            if rc == 0 and out == case["bytecode"] + "\n":
                problems.append(f"{argv}: listed as changed ({'; '.join(reasons)}) but the "
                                f"default is the original's bytecode")
            argv = with_compat(argv)
        if case["rc"] != 0:
            for variant in (argv, ["-s"] + argv):
                counts["failure"][0] += 1
                counts["failure"][1] += check_failure(variant, case, problems)
            continue

        counts["bytecode"][0] += 1
        rc, out, err = run(argv)
        if rc != 0:
            problems.append(f"{argv}: exit {rc}: {err.strip()}")
        elif out != case["bytecode"] + "\n":
            problems.append(f"{argv}: bytecode differs:\n  ours     {out!r}\n"
                            f"  original {case['bytecode'] + chr(10)!r}")
        elif not stderr_is_warnings_only(err):
            problems.append(f"{argv}: unexpected stderr {err!r}")
        else:
            counts["bytecode"][1] += 1

        counts["assembly"][0] += 1
        rc, out, err = run(["-s"] + argv)
        if rc != 0:
            problems.append(f"-s {argv}: exit {rc}: {err.strip()}")
            continue
        if generator_of(argv) in LIBPCAP_GENERATORS:
            same = instructions_and_labels(out) == instructions_and_labels(case["asm"])
        else:
            same = out == case["asm"]
        if same:
            counts["assembly"][1] += 1
        else:
            problems.append(f"-s {argv}: assembly differs:\n--- ours\n{out}--- original\n"
                            f"{case['asm']}---")

    for kind, (compared, identical) in counts.items():
        print(f"{kind}: {compared} compared, {identical} identical")
    print(f"dns runs compared with --compat (their default program is exact): {compat_cases}")
    if problems:
        print(f"FAIL: {len(problems)} differences; the first ones:")
        for problem in problems[:20]:
            print(problem)
        return 1
    print(f"OK: all {len(cases)} cases match the original")
    return 0


if __name__ == "__main__":
    sys.exit(main())
