#!/usr/bin/python3
"""test_filter_report.py: filter --report on real captures, checked against separate runs
of the tools an operator would otherwise use one rule at a time:
- each rule's count is that of `filter --l3 --stats -b "$(bpfgen RULE)"` over the same
  captures (its --stats line), the rule split into words by Python's shlex (POSIX rules);
- "only" comes from per-packet verdict sets built from those runs' outputs, compared
  packet by packet with every packet of the captures; first and last match from the
  timestamps of the packets each run wrote;
- the JSON parses, escapes rules holding quotes and backslashes, and agrees with the
  table; the SVG parses as XML and has one series per rule, titled with it, and is
  written atomically;
- usage errors (one line, exit 2): --report without -f, -f/--json/--svg without --report,
  --report with -b/-e/-c/--invert/--stats/-w, a bad rule named by FILE:LINE; a rules file
  that cannot be read, a capture without IP headers it knows, a capture cut short: exit 1."""
import json
import os
import re
import shlex
import sys
import unittest
import xml.etree.ElementTree as ElementTree
from datetime import datetime, timezone

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
from captures import (Pcap, data, listdir_clean, one_error_line, require_environment,  # noqa: E402
                      run, temporary_directory)

require_environment()

# Rules as an operator writes them; some hold quotes and backslashes.
RULES = [
    "dns -- example.com",
    "dns -- '*.com'",
    "dns -- -i \"EXAMPLE.com\"",
    "-6n dns -- example.com",
    "dns -- monadic.cynic.net",
    "tcpdump -- udp dst port 53",
    "tcpdump -- \"udp src port 53\"",
    "tcpdump -- ip\\[9\\] = 6 and 'tcp[13] & 2 != 0'",
    "tcpdump -- \"greater 100\" and 'not port 53' or \\t\\c\\p",
    "-6 tcpdump -- udp",
    "-6 tcpdump -- tcp or icmp6",
    "suffix -- 0001",
    "dns_validate",
    "bytecode:4,48 0 0 9,21 0 1 6,6 0 0 65535,6 0 0 0",
]
# Rules that overlap less, so that packets matched by one rule alone are common.
NARROW_RULES = [
    "dns -- www.tcpdump.org",
    "dns -- monadic.cynic.net",
    "tcpdump -- 'tcp port 646'",
    "tcpdump -- udp port 646",
    "-6 tcpdump -- udp port 6697",
    "tcpdump -- tcp and port 80",
    "tcpdump -- \"icmp\"",
    "dns -- example.com",
]


CAPTURE_SETS = {
    "ethernet": ["dns_udp.pcap", "edns-opts.pcap", "dnssec.pcap", "dns-zlip-1.pcap",
                 "ldp-common-session.pcap", "802.1ad_QinQ.pcap", "dns_tcp.pcap"],
    "linux cooked": ["babel.pcap", "tcp-handshake-nano.pcap"],
    "raw ip": ["LINKTYPE_RAW_ipv4.pcap"],
}
STATS = re.compile(r"^filter: wrote (\d+) of (\d+) packets \((\d+) matched the rule")


def bytecode_of(rule):
    """The bytecode of a rule, as the operator would make it: bpfgen with the rule's words."""
    if rule.startswith("bytecode:"):
        return rule[len("bytecode:"):]
    result = run("bpfgen", *shlex.split(rule))
    if result.returncode != 0:
        raise AssertionError("bpfgen %s: %s" % (rule, result.stderr.decode()))
    return result.stdout.decode().strip()


def record_key(record):
    seconds, fraction, _, _, packet = record
    return (seconds, fraction, packet)


def rfc3339(record, nanoseconds):
    seconds, fraction = record[0], record[1]
    text = datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
    return text + (".%09d" % fraction if nanoseconds else ".%06d" % fraction) + "Z"


def write_rules(directory, rules, name="rules.txt"):
    path = os.path.join(directory, name)
    with open(path, "w") as out:
        out.write("# candidate rules\n\n")
        for rule in rules:
            out.write(rule + "\n")
    return path


class ReportAgreesWithSeparateRuns(unittest.TestCase):
    def expected_report(self, paths, rules):
        """What separate filter --l3 runs say, rule by rule."""
        everything = run("filter", *paths)
        self.assertEqual(everything.returncode, 0, everything.stderr)
        capture = Pcap(everything.stdout)
        records = capture.records
        verdicts = [set() for _ in records]
        expected = []
        for index, rule in enumerate(rules):
            result = run("filter", "--l3", "--stats", "-b", bytecode_of(rule), *paths)
            self.assertEqual(result.returncode, 0, result.stderr)
            stats = STATS.match(result.stderr.decode())
            self.assertIsNotNone(stats, result.stderr)
            matched = int(stats.group(3))
            selected = Pcap(result.stdout).records
            self.assertEqual(len(selected), matched)
            # The packets written are a subsequence of every packet: find each one's place.
            at = 0
            for record in selected:
                while record_key(records[at]) != record_key(record):
                    at += 1
                verdicts[at].add(index)
                at += 1
            ordered = sorted(selected, key=lambda record: (record[0], record[1]))
            expected.append({
                "rule": rule, "matched": matched,
                "first": rfc3339(ordered[0], capture.nanoseconds) if ordered else None,
                "last": rfc3339(ordered[-1], capture.nanoseconds) if ordered else None})
        for rule in expected:
            rule["only"] = 0
        for matching in verdicts:
            if len(matching) == 1:
                expected[next(iter(matching))]["only"] += 1
        return len(records), expected

    def report(self, rules_path, paths, *options):
        result = run("filter", "--report", "-f", rules_path, *options, *paths)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stderr, b"")
        return result.stdout.decode()

    def check_table(self, table, report):
        lines = table.splitlines()
        self.assertTrue(lines[0].startswith("%d packet" % report["packets"]), lines[0])
        self.assertEqual(lines[1].split()[:4], ["rule", "matched", "%", "only"])
        self.assertEqual(len(lines), 2 + len(report["rules"]))
        for line, rule in zip(lines[2:], report["rules"]):
            self.assertTrue(line.startswith(rule["rule"] + " "), line)
            fields = line[len(rule["rule"]):].split()
            self.assertEqual(int(fields[0]), rule["matched"])
            share = 100.0 * rule["matched"] / report["packets"]
            self.assertEqual(fields[1], "%.2f%%" % share)
            self.assertEqual(int(fields[2]), rule["only"])
            if rule["first"] is None:
                self.assertEqual(fields[3:], ["-", "-"])
            else:
                def table_time(text):
                    return text[:-1].replace("T", " ").split()
                self.assertEqual(fields[3:], table_time(rule["first"]) + table_time(rule["last"]))

    def check_svg(self, path, rules, report):
        tree = ElementTree.parse(path)
        namespace = "{http://www.w3.org/2000/svg}"
        series = [element for element in tree.iter(namespace + "polyline")
                  if element.get("class") == "series"]
        self.assertEqual(len(series), len(rules))
        self.assertEqual([element.find(namespace + "title").text for element in series], rules)
        legend = [element.text for element in tree.iter(namespace + "text")
                  if element.get("class") == "legend"]
        self.assertEqual(legend, ["%s (%d matched)" % (rule["rule"], rule["matched"])
                                  for rule in report["rules"]])

    def test_every_capture_set(self):
        matched_some = 0
        only_some = 0
        for name, files in CAPTURE_SETS.items():
            for rules in (RULES, NARROW_RULES):
                paths = [data(file) for file in files]
                with self.subTest(captures=name, rules=rules[0]), \
                        temporary_directory() as directory:
                    rules_path = write_rules(directory, rules)
                    packets, expected = self.expected_report(paths, rules)
                    svg = os.path.join(directory, "matches.svg")
                    report = json.loads(self.report(rules_path, paths, "--json", "--svg", svg))
                    self.assertEqual(report["packets"], packets)
                    self.assertEqual([rule["rule"] for rule in report["rules"]], rules)
                    for got, want in zip(report["rules"], expected):
                        self.assertEqual({key: got[key] for key in want}, want)
                    self.check_table(self.report(rules_path, paths), report)
                    self.check_svg(svg, rules, report)
                    listdir_clean(self, directory, ["rules.txt", "matches.svg"])
                    matched_some += sum(rule["matched"] > 0 for rule in expected)
                    only_some += sum(rule["only"] > 0 for rule in expected)
        # The rules have to tell packets apart, not agree by matching nothing.
        self.assertGreater(matched_some, len(RULES))
        self.assertGreater(only_some, 4)

    def test_l3_is_accepted_as_what_report_does_anyway(self):
        with temporary_directory() as directory:
            rules_path = write_rules(directory, RULES[:2])
            paths = [data("edns-opts.pcap")]
            self.assertEqual(self.report(rules_path, paths, "--l3"), self.report(rules_path, paths))

    def test_standard_input(self):
        with temporary_directory() as directory, open(data("edns-opts.pcap"), "rb") as capture:
            rules_path = write_rules(directory, RULES[:3])
            result = run("filter", "--report", "-f", rules_path, stdin=capture.read())
            self.assertEqual(result.returncode, 0, result.stderr)
            self.assertEqual(result.stdout.decode(),
                             self.report(rules_path, [data("edns-opts.pcap")]))


class JsonEscaping(unittest.TestCase):
    def test_quotes_and_backslashes_survive(self):
        rule = r"""tcpdump -- "udp" and 'port 53' and \u\d\p"""
        with temporary_directory() as directory:
            rules_path = write_rules(directory, [rule])
            result = run("filter", "--report", "-f", rules_path, "--json",
                         data("edns-opts.pcap"))
            self.assertEqual(result.returncode, 0, result.stderr)
            report = json.loads(result.stdout)
            self.assertEqual(report["rules"][0]["rule"], rule)
            self.assertIn(b'\\"udp\\"', result.stdout)
            self.assertIn(b"\\\\u\\\\d\\\\p", result.stdout)


class UsageErrors(unittest.TestCase):
    def setUp(self):
        self.directory = temporary_directory()
        self.rules = write_rules(self.directory.name, RULES[:2])

    def tearDown(self):
        self.directory.cleanup()

    def test_report_without_rules(self):
        one_error_line(self, run("filter", "--report", data("dns_udp.pcap")), "-f", code=2)

    def test_report_options_without_report(self):
        for options in (["-f", self.rules], ["--json"], ["--svg", "x.svg"]):
            with self.subTest(options=options):
                one_error_line(self, run("filter", *options, data("dns_udp.pcap")), "--report",
                               code=2)

    def test_report_with_a_program_or_output_option(self):
        for option, arguments in (("-b", ["-b", "1,6 0 0 0"]), ("-e", ["-e", "udp"]),
                                  ("-c", ["-c", "x.asm"]), ("--invert", ["--invert"]),
                                  ("--stats", ["--stats"]), ("-w", ["-w", "out.pcap"])):
            with self.subTest(option=option):
                one_error_line(self, run("filter", "--report", "-f", self.rules, *arguments,
                                         data("dns_udp.pcap")), option, code=2)

    def test_a_bad_rule_is_named_by_file_and_line(self):
        for rule, reason in (("dns -- 'example.com", "single quote"),
                             ("-o 14 dns -- example.com", "offset 0"),
                             ("nosuch -- x", "unknown generator"),
                             ("suffix -- 0g", "suffix"),
                             ("bytecode:1,6 0 0", "bytecode")):
            with self.subTest(rule=rule):
                path = write_rules(self.directory.name, ["dns -- x.org", rule], "bad.txt")
                result = run("filter", "--report", "-f", path, data("dns_udp.pcap"))
                one_error_line(self, result, path + ":4: ", reason, code=2)

    def test_a_rules_file_that_cannot_be_read(self):
        missing = os.path.join(self.directory.name, "missing.txt")
        one_error_line(self, run("filter", "--report", "-f", missing, data("dns_udp.pcap")),
                       missing, code=1)

    def test_a_capture_without_ip_headers_it_knows(self):
        result = run("filter", "--report", "-f", self.rules,
                     data("unsupported-link-type-160.pcap"))
        one_error_line(self, result, "unsupported-link-type-160.pcap", "IP headers", code=1)

    def test_an_svg_that_cannot_be_written(self):
        svg = os.path.join(self.directory.name, "no", "such", "dir.svg")
        result = run("filter", "--report", "-f", self.rules, "--svg", svg, data("dns_udp.pcap"))
        one_error_line(self, result, svg, code=1)


class CaptureCutShort(unittest.TestCase):
    def test_whole_packets_are_counted_and_the_cut_named(self):
        with open(data("edns-opts.pcap"), "rb") as capture:
            whole = capture.read()
        with temporary_directory() as directory:
            rules = write_rules(directory, ["tcpdump -- udp"])
            cut = os.path.join(directory, "cut.pcap")
            records = Pcap(whole).records
            # Up to the middle of the fifth record.
            end = 24 + sum(16 + record[2] for record in records[:4]) + 20
            with open(cut, "wb") as out:
                out.write(whole[:end])
            result = run("filter", "--report", "-f", rules, "--json", cut)
            self.assertEqual(result.returncode, 1)
            self.assertEqual(json.loads(result.stdout)["packets"], 4)
            lines = result.stderr.decode().splitlines()
            self.assertEqual(len(lines), 1, lines)
            self.assertIn("cut.pcap", lines[0])
            self.assertIn("counted", lines[0])


if __name__ == "__main__":
    unittest.main()
