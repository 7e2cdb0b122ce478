// generator_args_test.cpp: argparse-like parsing of a generator's own flags, help
// detection and the quoting of inputs in messages.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "generators/generator_args.h"
#include "libbpfgen/base/error.h"

namespace bpfgen {
namespace {

constexpr std::array<GeneratorFlag, 2> kFlags = {{{'i', "ignorecase"}, {'s', "strict"}}};

GeneratorArgs parse(const std::vector<std::string>& args) {
    return parse_generator_args("gen", args, kFlags);
}

std::string refusal(const std::vector<std::string>& args) {
    try {
        parse(args);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "";
}

TEST(GeneratorArgs, FlagsAnywhereAmongPositionals) {
    const GeneratorArgs parsed = parse({"a", "-i", "b"});
    EXPECT_EQ(parsed.flags, (std::vector<bool>{true, false}));
    EXPECT_EQ(parsed.positionals, (std::vector<std::string>{"a", "b"}));
}

TEST(GeneratorArgs, ShortFlagsCluster) {
    EXPECT_EQ(parse({"-si"}).flags, (std::vector<bool>{true, true}));
}

TEST(GeneratorArgs, LongFlagsMayBeAbbreviatedUnambiguously) {
    EXPECT_EQ(parse({"--ig"}).flags, (std::vector<bool>{true, false}));
    EXPECT_EQ(parse({"--strict"}).flags, (std::vector<bool>{false, true}));
}

TEST(GeneratorArgs, DoubleDashEndsOptions) {
    const GeneratorArgs parsed = parse({"--", "-i", "--"});
    EXPECT_EQ(parsed.flags, (std::vector<bool>{false, false}));
    EXPECT_EQ(parsed.positionals, (std::vector<std::string>{"-i", "--"}));
}

TEST(GeneratorArgs, NegativeNumbersDashAloneAndSpacedWordsArePositionals) {
    EXPECT_EQ(parse({"-5", "-", "-a b"}).positionals,
              (std::vector<std::string>{"-5", "-", "-a b"}));
}

TEST(GeneratorArgs, RefusesUnknownOptions) {
    EXPECT_EQ(refusal({"-x"}), "gen: unknown option '-x'");
    EXPECT_EQ(refusal({"-ix"}), "gen: unknown option '-x' in '-ix'");
    EXPECT_EQ(refusal({"--nope"}), "gen: unknown option '--nope'");
    EXPECT_EQ(refusal({"--strict=1"}), "gen: option --strict takes no value (in '--strict=1')");
}

TEST(GeneratorArgs, RefusesAmbiguousAbbreviations) {
    constexpr std::array<GeneratorFlag, 2> flags = {{{'a', "alpha"}, {'b', "alps"}}};
    EXPECT_THROW(parse_generator_args("gen", {"--al"}, flags), UsageError);
}

TEST(GeneratorArgs, HelpIsRequestedBeforeAnyDoubleDash) {
    EXPECT_TRUE(wants_help({"-h"}));
    EXPECT_TRUE(wants_help({"x", "--help"}));
    EXPECT_TRUE(wants_help({"--he"}));
    EXPECT_FALSE(wants_help({"--", "--help"}));
    EXPECT_FALSE(wants_help({"--hello"}));
    EXPECT_FALSE(wants_help({"help"}));
}

TEST(GeneratorArgs, QuoteInputEscapesAndShortens) {
    EXPECT_EQ(quote_for_message("a'b\\c\n\xff"), "'a\\'b\\\\c\\x0a\\xff'");
    EXPECT_EQ(quote_for_message(std::string(50, 'a'), 4), "'aaaa...'");
}

}  // namespace
}  // namespace bpfgen
