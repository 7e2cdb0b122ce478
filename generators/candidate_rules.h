// candidate_rules.h: a file of candidate rules, one a line, turned into the programs a rule
// report (libbpfgen/capture/rule_report.h) runs: each line is a bpfgen command line with
// offset 0 implied ("dns -- *.example.com", "-6 dns -- x.org", "tcpdump -- udp dst port
// 53") or xt_bpf bytecode ("bytecode:4,48 0 0 0,..."), run through the generators.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libbpfgen/base/shell_words.h"
#include "libbpfgen/cbpf/interpreter.h"
#include "libbpfgen/cbpf/program.h"

namespace bpfgen {

// One rule of the file.
struct CandidateRule {
    std::string location;  // "FILE:LINE"
    std::string text;      // the line without its comment and surrounding blanks
    CheckedProgram program;
};

// The program of one rule line (without comment handling of its own beyond the shell's):
// `bytecode:` followed by xt_bpf bytecode, or `[OPTION]... GENERATOR [ARG]... [-- ARG...]`
// where OPTION is -6/--inet6, -n/--negate or -O/--optimize (clustered, abbreviated, before
// or after the generator's name and before `--`, as bpfgen takes them), at offset 0.
// Throws UsageError for a rule that gives no program: an unknown option or generator, an
// offset (-o, --l2: a report runs rules from the IP header on), output options (-s,
// --format), a request for help or for a listing (p0f -- --list), bytecode that does
// not parse, arguments the generator refuses; Error for what fails otherwise.
Program program_of_rule(std::string_view rule);

// The rules of a file (its contents given, with the name it has in messages): one a line;
// blank lines and lines whose first word starts with # are skipped. Throws UsageError
// "FILE:LINE: reason" for a rule that gives no program or one the kernel would refuse
// (see program_of_rule), and "FILE: no rules" for a file without any; Error
// "FILE:LINE: reason" for what fails otherwise.
std::vector<CandidateRule> parse_candidate_rules(std::string_view contents,
                                                 const std::string& file_name);

// The same, read from a file. Throws Error naming the file when it cannot be read.
std::vector<CandidateRule> read_candidate_rules(const std::string& path);

}  // namespace bpfgen
