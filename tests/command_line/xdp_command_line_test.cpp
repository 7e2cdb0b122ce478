// xdp_command_line_test.cpp: xdp_bpf's command line: commands, interfaces and options in
// any order, rule files, usage errors by name, rules split as a shell splits them and parsed
// as bpfgen command lines with their own options.
#include "command_line/xdp_command_line.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/shell_words.h"
#include "tests/common/capture_files.h"
#include "tests/common/test_files.h"

namespace bpfgen {
namespace {

using bpftools::test::expect_error;
using Strings = std::vector<std::string>;

XdpCommandLine parse(const Strings& args) {
    std::vector<const char*> argv{"xdp_bpf"};
    for (const std::string& arg : args) argv.push_back(arg.c_str());
    return parse_xdp_command_line(static_cast<int>(argv.size()), argv.data());
}

void expect_usage_error(const Strings& args, const std::string& part) {
    try {
        parse(args);
        ADD_FAILURE() << "no UsageError for " << ::testing::PrintToString(args);
    } catch (const UsageError& error) {
        EXPECT_NE(std::string(error.what()).find(part), std::string::npos) << error.what();
    }
}

TEST(XdpCommandLineTest, AttachTakesAnInterfaceThenRulesWithOptionsAnywhere) {
    const XdpCommandLine line = parse({"attach", "--mode", "native", "eth0", "dns -- *.example.com",
                                       "--count-only", "tcpdump -- udp", "--pin-dir", "/pins"});
    EXPECT_EQ(line.command, "attach");
    EXPECT_EQ(line.interface, "eth0");
    EXPECT_EQ(line.rules, (Strings{"dns -- *.example.com", "tcpdump -- udp"}));
    EXPECT_EQ(line.mode, ebpf::XdpMode::Native);
    EXPECT_EQ(line.pin_dir, "/pins");
    EXPECT_TRUE(line.count_only);
}

TEST(XdpCommandLineTest, DefaultsAreAssemblyAutoModeAndTheDefaultPinFolder) {
    const XdpCommandLine line = parse({"compile", "dns -- x.com"});
    EXPECT_EQ(line.format, ebpf::ProgramText::Assembly);
    EXPECT_EQ(line.mode, ebpf::XdpMode::Auto);
    EXPECT_EQ(line.pin_dir, "/sys/fs/bpf/bpftools_xdp");
    EXPECT_TRUE(line.interface.empty());
    EXPECT_EQ(parse({"compile", "--format", "c", "dns -- x.com"}).format,
              ebpf::ProgramText::CInitializers);
    EXPECT_TRUE(parse({"stats", "eth0", "--json"}).json);
}

TEST(XdpCommandLineTest, RuleFilesAddTheirRulesWhereTheyStand) {
    bpftools::test::TemporaryDirectory folder;
    std::ofstream(folder.file("rules"))
        << "# comment\n\n  dns -- a.com \r\n\t# another\nbytecode:1,6 0 0 0\n"
        << "dns -- b.com  # a comment after a rule\n";
    EXPECT_EQ(read_rule_file(folder.file("rules")),
              (Strings{"dns -- a.com", "bytecode:1,6 0 0 0", "dns -- b.com"}));
    std::ofstream(folder.file("open")) << "dns -- a.com\ndns -- 'b.com\n";
    expect_error([&] { read_rule_file(folder.file("open")); }, {"open:2:", "not closed"});
    EXPECT_EQ(parse({"compile", "first", "-f", folder.file("rules"), "last"}).rules,
              (Strings{"dns -- a.com", "bytecode:1,6 0 0 0", "dns -- b.com", "first", "last"}));
    expect_error([&] { read_rule_file(folder.file("missing")); }, {"cannot open", "missing"});
}

TEST(XdpCommandLineTest, UsageErrorsNameWhatIsWrong) {
    expect_usage_error({}, "no command");
    expect_usage_error({"frobnicate"}, "unknown command 'frobnicate'");
    expect_usage_error({"attach"}, "attach needs an interface");
    expect_usage_error({"attach", "eth0"}, "attach needs at least one RULE");
    expect_usage_error({"compile"}, "compile needs at least one RULE");
    expect_usage_error({"stats", "eth0", "extra"}, "unexpected argument 'extra'");
    expect_usage_error({"compile", "--format", "bin", "x"}, "unknown format 'bin'");
    expect_usage_error({"attach", "eth0", "--mode", "fast", "x"}, "unknown mode 'fast'");
    expect_usage_error({"compile", "x", "--format"}, "--format needs a value");
    EXPECT_TRUE(parse({"--help"}).help);
}

TEST(XdpCommandLineTest, RulesSplitIntoWordsAsAShellWould) {
    const auto words = [](std::string_view rule) { return split_shell_words(rule).words; };
    EXPECT_EQ(words("dns -- *.example.com"), (Strings{"dns", "--", "*.example.com"}));
    EXPECT_EQ(words(" a\t'b c'  \"d \\\" e\\\\\" f\\ g "),
              (Strings{"a", "b c", "d \" e\\", "f g"}));
    EXPECT_EQ(words("x''y \"\""), (Strings{"xy", ""}));
    // A rule whose quote is left open is refused, naming the rule.
    expect_error([] { parse_xdp_rule("dns -- 'open", false); }, {"rule", "'open", "not closed"});
    expect_error([] { parse_xdp_rule("dns -- \"open", false); }, {"not closed"});
}

TEST(XdpCommandLineTest, ARuleIsABpfgenCommandLineWithOffsetZeroImplied) {
    const ebpf::XdpRule rule =
        parse_xdp_rule("-6 dns --dport 53 --dst 2001:db8::/32 -- x.com", false);
    EXPECT_EQ(rule.name, "-6 dns --dport 53 --dst 2001:db8::/32 -- x.com");
    EXPECT_EQ(rule.layer, ebpf::RuleLayer::Network);
    EXPECT_EQ(rule.action, ebpf::RuleAction::Drop);
    EXPECT_EQ(rule.destination_port, 53);
    ASSERT_EQ(rule.destinations.size(), 1u);
    EXPECT_EQ(rule.destinations[0].length, 32u);
    EXPECT_EQ(rule.destinations[0].address.size(), 16u);
    EXPECT_EQ(parse_xdp_rule("-o 14 tcpdump -- udp", false).layer, ebpf::RuleLayer::LinkLayer);
    EXPECT_EQ(parse_xdp_rule("dns --count-only -- x.com", false).action, ebpf::RuleAction::Count);
    EXPECT_EQ(parse_xdp_rule("dns -- x.com", true).action, ebpf::RuleAction::Count);
    const ebpf::XdpRule bytecode = parse_xdp_rule("bytecode:1,6 0 0 1", false);
    EXPECT_EQ(bytecode.layer, ebpf::RuleLayer::Network);
    EXPECT_EQ(bytecode.program.program().size(), 1u);
}

TEST(XdpCommandLineTest, BadRulesAreUsageErrorsNamingTheRule) {
    EXPECT_THROW(parse_xdp_rule("-6", false), UsageError);
    EXPECT_THROW(parse_xdp_rule("nosuch -- x", false), UsageError);
    EXPECT_THROW(parse_xdp_rule("dns --frobnicate -- x.com", false), UsageError);
    expect_error([] { parse_xdp_rule("-o 18 dns -- x.com", false); },
                 {"rule '-o 18 dns -- x.com'", "offset '18'"});
    expect_error([] { parse_xdp_rule("-o 14 dns --dport 53 -- x.com", false); },
                 {"--dst and --dport need offset 0"});
}

TEST(XdpCommandLineTest, CompileXdpRulesCompilesEveryRuleInOrder) {
    XdpCommandLine line = parse({"compile", "dns -- a.com", "tcpdump -- udp"});
    const ebpf::CompiledXdp compiled = compile_xdp_rules(line);
    EXPECT_EQ(compiled.rule_count, 2u);
    EXPECT_EQ(compiled.programs.size(), 1u);
}

}  // namespace
}  // namespace bpfgen
