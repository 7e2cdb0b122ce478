// pcap_parity_test.cpp: the generators built on libpcap's compiler (p0f, tcpdump) against
// the original bpftools' recorded runs (pcap_reference_cases.h), one parameterised test for
// both: every recorded run gives the original's bytecode and annotated assembly byte for
// byte, and every run the original refused is refused with one line naming the generator.
#include <gtest/gtest.h>

#include <iostream>
#include <string>
#include <vector>

#include "generators/generator.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/format.h"
#include "tests/generators/pcap_reference_cases.h"

namespace bpfgen {
namespace {

using pcap_reference::GeneratorRun;

struct ParityCase {
    const char* generator;
    int minimum_runs;      // recorded runs that succeeded, at least
    int minimum_failures;  // recorded runs the original refused, at least
    // Whether a refusal quotes the argument it refuses (p0f's signature; tcpdump's
    // messages are libpcap's).
    bool refusal_quotes_the_argument;
};

class PcapGeneratorParity : public ::testing::TestWithParam<ParityCase> {};

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

TEST_P(PcapGeneratorParity, EveryRecordedRunGivesTheOriginalsBytecodeAndAssembly) {
    const ParityCase& parity = GetParam();
    int compared = 0;
    int identical = 0;
    for (const GeneratorRun& run : pcap_reference::runs_of(parity.generator)) {
        if (run.recorded.rc != 0) continue;
        ++compared;
        SCOPED_TRACE(run.recorded.describe());
        const GeneratedProgram generated = generate(run.generator, run.args, run.options);
        EXPECT_EQ(format_xt_bpf(generated.program), run.recorded.bytecode);
        // bpfgen -s printed the generator's text and a newline.
        EXPECT_EQ(generated.assembly + "\n", run.recorded.assembly);
        identical += format_xt_bpf(generated.program) == run.recorded.bytecode &&
                     generated.assembly + "\n" == run.recorded.assembly;
    }
    EXPECT_GE(compared, parity.minimum_runs);
    EXPECT_EQ(identical, compared);
    std::cout << parity.generator << " parity: " << compared << " runs compared, " << identical
              << " identical\n";
}

TEST_P(PcapGeneratorParity, EveryRecordedFailureIsRefusedWithOneLineNamingTheGenerator) {
    const ParityCase& parity = GetParam();
    int failures = 0;
    for (const GeneratorRun& run : pcap_reference::runs_of(parity.generator)) {
        if (run.recorded.rc == 0) continue;
        ++failures;
        SCOPED_TRACE(run.recorded.describe());
        // The original refused p0f's version '*' ("IP version must be either 4 or 6"); here
        // it is taken as p0f means it (either version), so at offset 0 it reads as -6 says.
        if (parity.generator == std::string_view("p0f") && run.args.back().rfind("*:", 0) == 0) {
            EXPECT_NO_THROW(generate(run.generator, run.args, run.options));
            continue;
        }
        try {
            generate(run.generator, run.args, run.options);
            ADD_FAILURE() << "accepted";
        } catch (const UsageError& error) {
            const std::string message = error.what();
            EXPECT_EQ(message.rfind(std::string(parity.generator) + ": ", 0), 0u) << message;
            EXPECT_FALSE(contains(message, "\n")) << message;
            if (parity.refusal_quotes_the_argument) {
                EXPECT_TRUE(contains(message, "'" + run.args.back() + "'")) << message;
            }
        }
    }
    EXPECT_GE(failures, parity.minimum_failures);
}

INSTANTIATE_TEST_SUITE_P(Generators, PcapGeneratorParity,
                         ::testing::Values(ParityCase{"p0f", 30, 7, true},
                                           ParityCase{"tcpdump", 39, 1, false}),
                         [](const ::testing::TestParamInfo<ParityCase>& info) {
                             return std::string(info.param.generator);
                         });

}  // namespace
}  // namespace bpfgen
