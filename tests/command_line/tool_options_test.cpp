// tool_options_test.cpp: the tools' shared command-line parser: options before or
// after the generator's name, `--` handing everything after it to the generator, repeated
// options, unknown options and stray arguments refused by name.
#include "command_line/tool_options.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libbpfgen/base/error.h"

namespace bpfgen {
namespace {

using Strings = std::vector<std::string>;

std::vector<const char*> argv_of(const Strings& args) {
    std::vector<const char*> argv{"tool"};
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    return argv;
}

// A generator tool with a switch (-s), a valued option (-w) and addresses (-i).
struct Parsed {
    GeneratorCommandLine line;
    bool assembly = false;
    Strings write;
    Strings addresses;
};

Parsed parse(const Strings& args) {
    Parsed parsed;
    ToolOptions options("tool");
    options.add_switch("assembly,s", &parsed.assembly)
        .add_values("write,w", &parsed.write)
        .add_addresses(&parsed.addresses);
    const std::vector<const char*> argv = argv_of(args);
    parsed.line = parse_generator_command_line(options, static_cast<int>(argv.size()), argv.data());
    return parsed;
}

std::string refusal(const Strings& args) {
    try {
        parse(args);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "";
}

TEST(GeneratorCommandLine, OptionsMeanTheSameBeforeOrAfterTheGenerator) {
    for (const Strings& args :
         {Strings{"-6", "-n", "-s", "-w", "f", "-i", "a", "gen", "--", "x"},
          Strings{"gen", "-6", "-n", "-s", "-w", "f", "-i", "a", "--", "x"},
          Strings{"gen", "x", "-6", "-n", "-s", "-w", "f", "-i", "a"},
          Strings{"-6", "gen", "-n", "x", "-s", "-wf", "--ip=a"},
          Strings{"--inet6", "--neg", "gen", "--assembly", "--write=f", "--ip", "a", "x"},
          Strings{"-6nswf", "-ia", "gen", "x"}}) {
        SCOPED_TRACE(::testing::PrintToString(args));
        const Parsed parsed = parse(args);
        EXPECT_EQ(parsed.line.generator, "gen");
        EXPECT_EQ(parsed.line.generator_args, Strings{"x"});
        EXPECT_EQ(parsed.line.options.ip_version, 6);
        EXPECT_TRUE(parsed.line.options.negate);
        EXPECT_FALSE(parsed.line.help);
        EXPECT_TRUE(parsed.assembly);
        EXPECT_EQ(parsed.write, Strings{"f"});
        EXPECT_EQ(parsed.addresses, Strings{"a"});
    }
}

TEST(GeneratorCommandLine, NothingGivenIsTheDefault) {
    const Parsed parsed = parse({});
    EXPECT_EQ(parsed.line.generator, "");
    EXPECT_TRUE(parsed.line.generator_args.empty());
    EXPECT_EQ(parsed.line.options.ip_version, 4);
    EXPECT_FALSE(parsed.line.options.negate);
    EXPECT_FALSE(parsed.assembly);
    EXPECT_TRUE(parsed.write.empty());
}

TEST(GeneratorCommandLine, AfterDoubleDashEverythingIsTheGenerators) {
    const Parsed parsed = parse({"gen", "a", "--", "-6", "-i", "b", "--", "-n", "-"});
    EXPECT_EQ(parsed.line.generator_args, (Strings{"a", "-6", "-i", "b", "--", "-n", "-"}));
    EXPECT_EQ(parsed.line.options.ip_version, 4);
    EXPECT_FALSE(parsed.line.options.negate);
    EXPECT_TRUE(parsed.addresses.empty());
    EXPECT_EQ(parse({"--", "gen", "-6"}).line.generator, "gen");
    EXPECT_EQ(parse({"--", "gen", "-6"}).line.generator_args, Strings{"-6"});
}

TEST(GeneratorCommandLine, RepeatedOptionsKeepEveryValueInOrder) {
    const Parsed parsed = parse(
        {"-6", "-w", "a", "-i", "1", "gen", "-6", "-i", "2", "-wb", "-s", "-s", "x", "--ip=3"});
    EXPECT_EQ(parsed.write, (Strings{"a", "b"}));
    EXPECT_EQ(parsed.addresses, (Strings{"1", "2", "3"}));
    EXPECT_EQ(parsed.line.options.ip_version, 6);
    EXPECT_TRUE(parsed.assembly);
}

TEST(GeneratorCommandLine, DashAloneIsAValue) {
    EXPECT_EQ(parse({"-w", "-", "gen"}).write, Strings{"-"});
    EXPECT_EQ(parse({"gen", "-w-"}).write, Strings{"-"});
    EXPECT_EQ(parse({"gen", "-"}).line.generator_args, Strings{"-"});
}

TEST(GeneratorCommandLine, HelpAnywhereBeforeDoubleDash) {
    EXPECT_TRUE(parse({"-h"}).line.help);
    EXPECT_TRUE(parse({"gen", "x", "--help"}).line.help);
    EXPECT_TRUE(parse({"gen", "--he"}).line.help);
    EXPECT_FALSE(parse({"gen", "--", "--help"}).line.help);
}

TEST(GeneratorCommandLine, UnknownOptionsAreRefusedByName) {
    const std::string hint =
        " (a generator's own options go after '--': tool ... GENERATOR -- "
        "OPTIONS)";
    EXPECT_EQ(refusal({"-x", "gen"}), "unknown option '-x'" + hint);
    EXPECT_EQ(refusal({"gen", "-x", "a"}), "unknown option '-x'" + hint);
    EXPECT_EQ(refusal({"gen", "a", "--bogus"}), "unknown option '--bogus'" + hint);
    EXPECT_EQ(refusal({"gen", "--strict"}), "unknown option '--strict'" + hint);
    // The name under which the arguments are collected cannot be typed as an option.
    EXPECT_EQ(refusal({"--(arguments)", "gen"}), "unknown option '--(arguments)'" + hint);
    EXPECT_EQ(refusal({"gen", "--(arg", "x"}), "unknown option '--(arg'" + hint);
    // A line break in the name stays inside the one-line message.
    EXPECT_EQ(refusal({"--a\nb", "gen"}), "unknown option '--a\\x0ab'" + hint);
}

TEST(GeneratorCommandLine, AMissingValueNamesTheOption) {
    EXPECT_NE(refusal({"gen", "-w"}).find("write"), std::string::npos) << refusal({"gen", "-w"});
    EXPECT_NE(refusal({"gen", "x", "--ip"}).find("ip"), std::string::npos);
}

TEST(GeneratorCommandLine, AnAmbiguousAbbreviationIsRefused) {
    // --i: --inet6 or --ip.
    EXPECT_NE(refusal({"--i", "x", "gen"}).find("ambiguous"), std::string::npos);
}

// iptables_bpf_chain's shape: options only.
struct OptionsOnly {
    OptionsOnlyCommandLine line;
    Strings name;
    Strings addresses;
};

OptionsOnly parse_options(const Strings& args) {
    OptionsOnly parsed;
    ToolOptions options("chain");
    options.add_values("write,w", &parsed.name).add_addresses(&parsed.addresses);
    const std::vector<const char*> argv = argv_of(args);
    parsed.line = parse_options_only(options, static_cast<int>(argv.size()), argv.data());
    return parsed;
}

std::string options_refusal(const Strings& args) {
    try {
        parse_options(args);
    } catch (const UsageError& error) {
        return error.what();
    }
    return "";
}

TEST(OptionsOnlyCommandLine, TheSameOptionsAsTheGeneratorTools) {
    const OptionsOnly parsed = parse_options({"-w", "n", "-6", "-i", "a", "--ip=b", "-6ic"});
    EXPECT_EQ(parsed.line.ip_version, 6);
    EXPECT_FALSE(parsed.line.help);
    EXPECT_EQ(parsed.name, Strings{"n"});
    EXPECT_EQ(parsed.addresses, (Strings{"a", "b", "c"}));
    EXPECT_EQ(parse_options({}).line.ip_version, 4);
    EXPECT_TRUE(parse_options({"-w", "n", "--help"}).line.help);
}

TEST(OptionsOnlyCommandLine, UnknownOptionsAndStrayArgumentsAreRefusedByName) {
    EXPECT_EQ(options_refusal({"-w", "n", "-x"}), "unknown option '-x' (see chain --help)");
    EXPECT_EQ(options_refusal({"-n"}), "unknown option '-n' (see chain --help)");
    EXPECT_EQ(options_refusal({"-w", "n", "stray"}),
              "unexpected argument 'stray' (see chain --help)");
    EXPECT_EQ(options_refusal({"--", "-w", "n"}), "unexpected argument '-w' (see chain --help)");
    EXPECT_EQ(options_refusal({""}), "unexpected argument '' (see chain --help)");
}

}  // namespace
}  // namespace bpfgen
