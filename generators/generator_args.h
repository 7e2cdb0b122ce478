// generator_args.h: parsing a generator's own arguments (what follows `--` on the bpfgen
// command line) the way the original's argparse did: on/off flags, short ones clustered
// (`-i`), long ones spelled out or abbreviated (`--ignore`), `--` ending the options.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bpfgen {

struct GeneratorFlag {
    char short_name;             // 'i' for -i
    std::string_view long_name;  // "ignorecase" for --ignorecase
};

struct GeneratorArgs {
    std::vector<bool> flags;               // one per GeneratorFlag, in the same order
    std::vector<std::string> positionals;  // everything else, in order
};

// Throws UsageError naming the generator and the bad option. A help request (-h, --help)
// is refused here too: tools answer it before calling the generator (see wants_help).
GeneratorArgs parse_generator_args(std::string_view generator, const std::vector<std::string>& args,
                                   std::span<const GeneratorFlag> flags);

// The arguments without their first "--": as the original's argparse read the arguments of
// a generator without options (p0f, tcpdump), that one only ends the options.
std::vector<std::string> without_options_end(const std::vector<std::string>& args);

// True when the arguments ask for the generator's help (-h, --help or an abbreviation of
// it) before any `--`, as argparse would have answered them.
bool wants_help(const std::vector<std::string>& args);

}  // namespace bpfgen
