#!/usr/bin/env python3
"""help_to_man.py: a program's manual page (roff, man macros) made from its own --help, so
that the page says what the program says. Run by the build for every tool:

    help_to_man.py --program PATH --section 1 --version V --output FILE.1 [--generators]

The help's first line(s) "usage: ..." become SYNOPSIS, its first sentence the NAME line,
the rest DESCRIPTION: a line ending in ':' that indented lines follow is a subsection,
option lines ("  -x, --xyz ARG  what it does", continued by indented lines) are
tagged paragraphs, other indented lines (examples, lists) stay as printed. With
--generators the page also holds `PROGRAM NAME -- --help` for each NAME the help lists
under "generators:" (bpfgen's). EXIT STATUS is the tools' common convention."""
import argparse
import os
import re
import subprocess
import sys

# An option, indented, or at the start of the line when its description follows on it.
OPTION_LINE = re.compile(r"^( {1,8})(-\S.*?)(?: {2,}(\S.*))?$")
OPTION_FIRST_LINE = re.compile(r"^()(-\S.*?) {2,}(\S.*)$")


def escape(text):
    """Text as roff reads it literally: backslashes, hyphens (as \\- so that options can be
    searched and pasted), a leading '.' or "'" (control lines), non-ASCII characters."""
    out = []
    for c in text:
        if c == "\\":
            out.append("\\e")
        elif c == "-":
            out.append("\\-")
        elif ord(c) > 127:
            out.append("\\[u%04X]" % ord(c))
        else:
            out.append(c)
    line = "".join(out)
    return "\\&" + line if line.startswith((".", "'")) else line


def help_of(program, *args):
    """The lines `PROGRAM ARGS...` prints; exits naming the command when it prints none."""
    result = subprocess.run([program, *args], capture_output=True, text=True, timeout=60)
    if result.returncode != 0 or not result.stdout.strip():
        sys.exit("help_to_man: %s %s: exit %d, no help (%s)" % (
            program, " ".join(args), result.returncode, result.stderr.strip()))
    return result.stdout.expandtabs().rstrip("\n").split("\n")


def split_usage(lines):
    """The usage lines (the first, and those indented under it) and the rest."""
    if not lines or not lines[0].lower().startswith("usage:"):
        return [], lines
    usage = [lines[0][len("usage:"):].strip()]
    rest = lines[1:]
    while rest and rest[0].startswith(" ") and rest[0].strip():
        usage.append(rest[0].strip())
        rest = rest[1:]
    return usage, rest


def first_sentence(lines):
    text = []
    for line in lines:
        if not line.strip():
            if text:
                break
            continue
        if line.startswith(" "):
            break
        text.append(line.strip())
    sentence = " ".join(text)
    sentence = re.sub(r"\s*\([^()]*\)", "", sentence)  # NAME is one short line
    match = re.match(r"(.+?\.)(\s|$)", sentence)
    sentence = match.group(1) if match else sentence
    sentence = re.split(r"[:;] ", sentence)[0]
    sentence = sentence[:1].lower() + sentence[1:] if sentence[1:2].islower() else sentence
    return sentence.rstrip(".")


def body(lines):
    """The roff of help text other than its usage."""
    out = []
    preformatted = False
    in_option = False

    def end_preformatted():
        nonlocal preformatted
        if preformatted:
            out.extend([".fi", ".RE"])
            preformatted = False

    for i, line in enumerate(lines):
        following = lines[i + 1] if i + 1 < len(lines) else ""
        if not line.strip():
            end_preformatted()
            in_option = False
            continue
        option = OPTION_LINE.match(line) or OPTION_FIRST_LINE.match(line)
        if option:
            end_preformatted()
            out.extend([".TP", "\\fB%s\\fR" % escape(option.group(2).rstrip())])
            if option.group(3):
                out.append(escape(option.group(3)))
            in_option = True
            continue
        if not line.startswith(" "):
            new_paragraph = (not out or preformatted or in_option or out[-1].startswith(".SS")
                             or not lines[i - 1].strip())
            end_preformatted()
            in_option = False
            if line.rstrip().endswith(":") and following.startswith(" "):
                out.extend([".SS " + escape(line.rstrip()[:-1])])
            else:
                if new_paragraph:
                    out.append(".PP")
                out.append(escape(line.strip()))
            continue
        if in_option:
            out.append(escape(line.strip()))
            continue
        if not preformatted:
            out.extend([".RS 2", ".nf"])
            preformatted = True
        out.append(escape(line[2:] if line.startswith("  ") else line))
    end_preformatted()
    return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--program", required=True)
    parser.add_argument("--section", default="1")
    parser.add_argument("--version", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--generators", action="store_true")
    arguments = parser.parse_args()

    name = os.path.basename(arguments.program)
    usage, rest = split_usage(help_of(arguments.program, "--help"))
    page = [
        '.TH %s %s "" "bpftools %s" "bpftools"' % (escape(name.upper()), arguments.section,
                                                 escape(arguments.version)),
        ".SH NAME",
        "%s \\- %s" % (escape(name), escape(first_sentence(rest) or name)),
        ".SH SYNOPSIS",
        ".nf",
    ]
    page += [escape(line) for line in usage or [name]]
    page += [".fi", ".SH DESCRIPTION"]
    page += body(rest)
    if arguments.generators:
        names = []
        listing = False
        for line in rest:
            if line.strip().lower() == "generators:":
                listing = True
            elif listing and line.startswith("  ") and line.strip():
                names.append(line.split()[0])
            elif listing:
                listing = False
        page.append(".SH GENERATORS")
        for generator in names:
            page.append(".SS " + escape(generator))
            generator_usage, generator_rest = split_usage(
                help_of(arguments.program, generator, "--", "--help"))
            if generator_usage:
                page += [".PP", ".nf"] + [escape(line) for line in generator_usage] + [".fi"]
            page += body(generator_rest)
    page += [
        ".SH EXIT STATUS",
        "0 on success, 1 when the work fails (an input that cannot be read, a write that",
        "fails), 2 for a usage error. Errors are one line on standard error, starting with",
        "the program's name.",
        ".SH SEE ALSO",
        "The README of bpftools, and \\fB%s \\-\\-help\\fR." % escape(name),
    ]
    text = "\n".join(page) + "\n"
    temporary = arguments.output + ".tmp"
    with open(temporary, "w", encoding="ascii") as out:
        out.write(text)
    os.replace(temporary, arguments.output)


if __name__ == "__main__":
    main()
