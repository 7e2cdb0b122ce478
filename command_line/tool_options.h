// tool_options.h: the one command-line parser of every tool: those that run a
// generator (bpfgen, iptables_bpf), iptables_bpf_chain, and the capture tools (filter,
// pcap2hex, hex2pcap, parsedns, offset), so that an option means the same in every tool.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "generators/generator.h"

namespace boost::program_options {
class options_description;
}

namespace bpfgen {

// A tool's own options, declared before parsing. Names are spelled as Boost takes them:
// "write,w" is --write and -w, "l2" only --l2. Options follow the unix style: short ones
// clustered (-6n) or with their value attached (-o14), long ones abbreviated while that is
// unambiguous (--neg) or with `=VALUE`. Any option may be given more than once, as the
// original bpftools' argparse allowed: a switch stays on; every value is kept, in order, and
// a tool that takes one value uses the last.
class ToolOptions {
  public:
    explicit ToolOptions(std::string tool);
    ~ToolOptions();
    ToolOptions(const ToolOptions&) = delete;
    ToolOptions& operator=(const ToolOptions&) = delete;

    ToolOptions& add_switch(const char* names, bool* on);
    ToolOptions& add_values(const char* names, std::vector<std::string>* values);
    // Options given at most once (a second one is a usage error), as the capture tools take
    // theirs: a switch, and an option with a value.
    ToolOptions& add_single_switch(const char* names, bool* on);
    ToolOptions& add_single_value(const char* names, std::optional<std::string>* value);
    // -i, --ip ADDRESS: a destination put in the tool's ipset (iptables_bpf and
    // iptables_bpf_chain spell it alike).
    ToolOptions& add_addresses(std::vector<std::string>* addresses);

    const std::string& tool() const { return tool_; }
    boost::program_options::options_description& description() { return *description_; }

  private:
    std::string tool_;
    std::unique_ptr<boost::program_options::options_description> description_;
};

struct GeneratorCommandLine {
    bool help = false;         // -h, --help
    GeneratorOptions options;  // ip_version from -6/--inet6, negate from -n/--negate
    std::string generator;     // the first argument that is no option; empty when none
    std::vector<std::string> generator_args;  // the other ones, all those after `--` included
};

// Parses `TOOL [OPTION]... GENERATOR [OPTION | ARG]... [-- ARG...]`: the options every
// generator tool takes (-6/--inet6, -n/--negate, -h/--help) and the tool's own may stand
// anywhere before `--`, before or after the generator's name; after `--` every argument is
// the generator's (a second `--` too, for the generator to read). Throws UsageError naming
// the argument: "unknown option '-x' (a generator's own options go after '--': TOOL ...
// GENERATOR -- OPTIONS)", or Boost's message for a missing value or an ambiguous
// abbreviation.
GeneratorCommandLine parse_generator_command_line(ToolOptions& tool, int argc,
                                                  const char* const* argv);

struct OptionsOnlyCommandLine {
    bool help = false;   // -h, --help
    int ip_version = 4;  // 6 with -6, --inet6
};

// Parses the command line of a tool that takes options only (iptables_bpf_chain): -6/--inet6,
// -h/--help and the tool's own, in the same style. Throws UsageError naming the argument for
// an unknown option ("unknown option '-x' (see TOOL --help)") and for any argument that is
// not an option ("unexpected argument 'x' (see TOOL --help)"), those after `--` included.
OptionsOnlyCommandLine parse_options_only(ToolOptions& tool, int argc, const char* const* argv);

// Parses the command line of a capture tool: `TOOL [OPTION]... [OPERAND]...`, options and
// operands in any order, `--` ending the options, with -h/--help (given at most once) and
// the tool's own options. Returns the operands in order. Throws UsageError with Boost's
// message for an unknown option, a missing value or an option given twice.
std::vector<std::string> parse_options_and_operands(ToolOptions& tool, int argc,
                                                    const char* const* argv, bool* help);

}  // namespace bpfgen
