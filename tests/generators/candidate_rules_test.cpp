// candidate_rules_test.cpp: the rules file of filter --report, without a process: each
// rule the program bpfgen prints for it at offset 0 (its line split as a shell would:
// tests/libbpfgen/base/shell_words_test.cpp), and every error naming FILE:LINE.
#include "generators/candidate_rules.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "generators/generator.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/format.h"
#include "tests/common/usage_error.h"

namespace bpfgen {
namespace {

using Words = std::vector<std::string>;

using bpftools::test::usage_error;

// The program bpfgen prints for the generator, arguments and options, at offset 0.
Program bpfgen_program(std::string_view generator, const Words& args, int ip_version = 4,
                       bool negate = false) {
    GeneratorOptions options;
    options.ip_version = ip_version;
    options.negate = negate;
    return generate(generator, args, options).program;
}

TEST(ProgramOfRule, IsWhatBpfgenPrintsAtOffsetZero) {
    EXPECT_EQ(program_of_rule("dns -- *.example.com"), bpfgen_program("dns", {"*.example.com"}));
    EXPECT_EQ(program_of_rule("-6 dns -- x.org"), bpfgen_program("dns", {"x.org"}, 6));
    EXPECT_EQ(program_of_rule("dns -6 -- x.org"), bpfgen_program("dns", {"x.org"}, 6));
    EXPECT_EQ(program_of_rule("-n6 suffix -- 0102"), bpfgen_program("suffix", {"0102"}, 6, true));
    EXPECT_EQ(program_of_rule("--inet6 --neg suffix -- 0102"),
              bpfgen_program("suffix", {"0102"}, 6, true));
    EXPECT_EQ(program_of_rule("tcpdump -- udp dst port 53"),
              bpfgen_program("tcpdump", {"udp", "dst", "port", "53"}));
    EXPECT_EQ(program_of_rule("dns -- -i example.com"),
              bpfgen_program("dns", {"-i", "example.com"}));
    EXPECT_EQ(program_of_rule("-- dns example.com"), bpfgen_program("dns", {"example.com"}));
}

TEST(ProgramOfRule, TakesBytecode) {
    const std::string bytecode = "4,48 0 0 9,21 0 1 17,6 0 0 65535,6 0 0 0";
    EXPECT_EQ(program_of_rule("bytecode:" + bytecode), parse_xt_bpf(bytecode));
    EXPECT_EQ(program_of_rule("'bytecode:" + bytecode + "'"), parse_xt_bpf(bytecode));
}

TEST(ProgramOfRule, RefusesWhatGivesNoProgramNamingIt) {
    EXPECT_NE(usage_error([] { program_of_rule("-o 14 dns -- x.org"); }).find("offset 0"),
              std::string::npos);
    EXPECT_NE(usage_error([] { program_of_rule("--l2 ether dns -- x.org"); }).find("offset 0"),
              std::string::npos);
    EXPECT_NE(usage_error([] { program_of_rule("-s dns -- x.org"); }).find("-s"),
              std::string::npos);
    EXPECT_NE(usage_error([] { program_of_rule("-x dns -- x.org"); }).find("unknown option '-x'"),
              std::string::npos);
    EXPECT_NE(usage_error([] { program_of_rule("nope -- x"); }).find("unknown generator 'nope'"),
              std::string::npos);
    EXPECT_NE(usage_error([] { program_of_rule("dns -- --help"); }).find("help"),
              std::string::npos);
    EXPECT_NE(usage_error([] { program_of_rule("p0f -- --list"); }).find("listing"),
              std::string::npos);
    EXPECT_NE(usage_error([] { program_of_rule("bytecode:2,6 0 0"); }).find("bytecode"),
              std::string::npos);
    EXPECT_EQ(usage_error([] { program_of_rule("-6"); }), "no generator given");
}

TEST(ParseCandidateRules, SkipsBlankLinesAndCommentsAndKeepsEachRulesText) {
    const std::vector<CandidateRule> rules = parse_candidate_rules(
        "# candidates\n\n  dns -- '*.example.com'   # the wildcard\n"
        "\t-6 dns -- x.org\r\ntcpdump -- \"udp dst port 53\"\n",
        "rules.txt");
    ASSERT_EQ(rules.size(), 3u);
    EXPECT_EQ(rules[0].location, "rules.txt:3");
    EXPECT_EQ(rules[0].text, "dns -- '*.example.com'");
    EXPECT_EQ(rules[0].program.program(), bpfgen_program("dns", {"*.example.com"}));
    EXPECT_EQ(rules[1].location, "rules.txt:4");
    EXPECT_EQ(rules[1].text, "-6 dns -- x.org");
    EXPECT_EQ(rules[2].text, "tcpdump -- \"udp dst port 53\"");
    EXPECT_EQ(rules[2].program.program(), bpfgen_program("tcpdump", {"udp dst port 53"}));
}

TEST(ParseCandidateRules, NamesFileAndLineOfABadRule) {
    EXPECT_EQ(usage_error([] {
                  parse_candidate_rules("dns -- x.org\n# fine\ndns -- 'x.org\n", "rules.txt");
              }),
              "rules.txt:3: a single quote opened at column 8 is not closed");
    const std::string generator_error =
        usage_error([] { parse_candidate_rules("\nsuffix -- 0g\n", "r"); });
    EXPECT_TRUE(generator_error.starts_with("r:2: ")) << generator_error;
    EXPECT_EQ(generator_error.find('\n'), std::string::npos);
}

TEST(ParseCandidateRules, RefusesAProgramTheKernelWouldRefuse) {
    // A jump past the end.
    const std::string message =
        usage_error([] { parse_candidate_rules("bytecode:2,5 0 0 7,6 0 0 0\n", "r"); });
    EXPECT_TRUE(message.starts_with("r:1: the kernel would refuse the program: ")) << message;
}

TEST(ParseCandidateRules, RefusesAFileWithoutRules) {
    EXPECT_EQ(usage_error([] { parse_candidate_rules("# nothing\n\n", "empty.txt"); }),
              "empty.txt: no rules (one a line, as bpfgen takes them)");
}

TEST(ReadCandidateRules, NamesAFileThatCannotBeOpened) {
    try {
        read_candidate_rules("/nonexistent/rules.txt");
        ADD_FAILURE() << "no Error";
    } catch (const UsageError&) {
        ADD_FAILURE() << "a usage error";
    } catch (const Error& error) {
        EXPECT_EQ(std::string(error.what()),
                  "/nonexistent/rules.txt: cannot open: No such file or directory");
    }
}

}  // namespace
}  // namespace bpfgen
