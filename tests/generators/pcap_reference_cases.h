// pcap_reference_cases.h: test-only: the original bpftools' recorded runs of one generator
// (tests/common/reference_cases.h reads them), each mapped onto our generator call.
#pragma once

#include <charconv>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "generators/generator.h"
#include "tests/common/reference_cases.h"

namespace bpfgen::pcap_reference {

struct GeneratorRun {
    bpftools::test::ReferenceCase recorded;
    std::string generator;
    std::vector<std::string> args;
    GeneratorOptions options;
};

// The bpfgen options before the generator name (-6, -n, -o N), the generator, and its
// arguments with the "--" that separated them dropped, as the original's argparse did.
// A command line the original's bpfgen itself refused keeps an empty generator.
inline GeneratorRun map_command_line(const bpftools::test::ReferenceCase& recorded) {
    GeneratorRun run{recorded, "", {}, {}};
    const std::vector<std::string>& argv = recorded.argv;
    std::size_t i = 0;
    for (; i < argv.size(); ++i) {
        const std::string& arg = argv[i];
        if (arg == "-6") {
            run.options.ip_version = 6;
        } else if (arg == "-n") {
            run.options.negate = true;
        } else if (arg == "-o" && i + 1 < argv.size()) {
            const std::string& value = argv[++i];
            uint32_t offset = 0;
            const auto [end, error] =
                std::from_chars(value.data(), value.data() + value.size(), offset);
            if (error != std::errc() || end != value.data() + value.size()) return run;
            run.options.l3_offset = offset;
        } else if (!arg.empty() && arg[0] == '-') {
            throw std::runtime_error("unexpected option in " + recorded.describe());
        } else {
            break;
        }
    }
    if (i == argv.size()) return run;
    run.generator = argv[i++];
    if (i < argv.size() && argv[i] == "--") ++i;
    run.args.assign(argv.begin() + static_cast<std::ptrdiff_t>(i), argv.end());
    return run;
}

// The recorded runs of one generator, in file order.
inline std::vector<GeneratorRun> runs_of(std::string_view generator) {
    std::vector<GeneratorRun> runs;
    for (const bpftools::test::ReferenceCase& recorded : bpftools::test::load_reference_cases()) {
        GeneratorRun run = map_command_line(recorded);
        if (run.generator == generator) runs.push_back(std::move(run));
    }
    return runs;
}

}  // namespace bpfgen::pcap_reference
