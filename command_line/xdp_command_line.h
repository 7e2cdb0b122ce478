// xdp_command_line.h: xdp_bpf's command line: the command, its interface and options, and
// each RULE argument, itself a bpfgen command line (split as a shell would, then parsed by
// the one option parser) or `bytecode:...`, made into an XDP rule.
#pragma once

#include <string>
#include <vector>

#include "libbpfgen/ebpf/loader.h"
#include "libbpfgen/ebpf/xdp_compiler.h"
#include "libbpfgen/ebpf/xdp_deployment.h"

namespace bpfgen {

struct XdpCommandLine {
    std::string command;  // compile, attach, stats or detach; empty with help
    std::string interface;
    std::vector<std::string> rules;  // the RULE arguments, those of -f files included, in order
    ebpf::ProgramText format = ebpf::ProgramText::Assembly;
    ebpf::XdpMode mode = ebpf::XdpMode::Auto;
    std::string pin_dir = ebpf::kDefaultPinDir;
    bool count_only = false;
    bool json = false;
    bool help = false;
};

// Options stand anywhere; `-f FILE` reads the file's rules where it stands. Throws
// UsageError for a missing or unknown command, a missing interface or value, rules where
// none are taken or none where some are, an unknown format or mode; Error for a -f file
// that cannot be read.
XdpCommandLine parse_xdp_command_line(int argc, const char* const* argv);

// One rule a line, split as parse_xdp_rule splits it (base/shell_words.h): blank lines and
// '#' comments left out, blanks around a rule trimmed. Throws Error for a file that cannot
// be read, UsageError "FILE:LINE: reason" for a quote left open.
std::vector<std::string> read_rule_file(const std::string& path);

// A RULE argument as an XDP rule: `count_only` for all (--count-only before the rules) or in
// the rule. Throws UsageError naming the rule, and what make_xdp_rule throws.
ebpf::XdpRule parse_xdp_rule(const std::string& text, bool count_only);

// Every rule of the command line, compiled into one chain of XDP programs.
ebpf::CompiledXdp compile_xdp_rules(const XdpCommandLine& line);

}  // namespace bpfgen
