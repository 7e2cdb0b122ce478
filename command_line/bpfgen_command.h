// bpfgen_command.h: what bpfgen does between its parsed command line and its output, where a
// test can reach it: the IP header's place from -o/--l2, the output format, the generator
// list of the help, and the run itself (generator help, information, program, warning).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "generators/generator.h"
#include "libbpfgen/cbpf/format.h"

namespace bpfgen {

// The l3_offset of -o/--offset N and --l2 LINK, the last value of each counting; fallback when
// neither is given. Throws UsageError when both are, or for a value either refuses.
uint32_t l3_offset_of_options(const std::vector<std::string>& offsets,
                              const std::vector<std::string>& links, uint32_t fallback);

// The --format NAME (xt_bpf, c, decimal, asm). Throws UsageError for another name, and when
// -s (annotated_assembly) asks for the annotated assembly instead.
Format output_format_of_option(std::string_view name, bool annotated_assembly);

// One line per generator, "  NAME  SUMMARY", in registry order, for bpfgen --help.
std::string generator_summaries();

struct BpfgenRequest {
    GeneratorOptions options;
    bool annotated_assembly = false;  // -s
    Format format = Format::XtBpf;    // --format
    std::string generator;
    std::vector<std::string> generator_args;
};

struct BpfgenOutput {
    std::string text;     // for stdout, ending in a line break
    std::string warning;  // for stderr after "bpfgen: warning: ", or ""
};

// The generator's help (`GENERATOR -- --help`), its information (p0f -- --list) or its
// program, checked against the kernel's rules, in the format asked for; a warning when the
// program is at offset 0 and longer than iptables' bpf match takes. Throws UsageError when
// no generator is named, and what generate() throws.
BpfgenOutput run_bpfgen(const BpfgenRequest& request);

}  // namespace bpfgen
