// xdp_deployment_test.cpp: what xdp_bpf prints (the compiled programs, the counters as a
// table and as JSON) and where it pins.
#include "libbpfgen/ebpf/xdp_deployment.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "generators/generator.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/assembler.h"
#include "libbpfgen/ebpf/disassembler.h"

namespace bpfgen::ebpf {
namespace {

XdpStats two_rules() {
    return XdpStats{
        "eth0", {{"dns -- *.example.com", {5, 420}}, {"say \"hi\"\\\n", {0, 0}}}, {12, 1000}};
}

TEST(XdpDeploymentTest, StatsTableHasOneLineARuleAndThePassedPackets) {
    EXPECT_EQ(format_stats_table(two_rules()),
              "     packets          bytes  rule\n"
              "           5            420  dns -- *.example.com\n"
              "           0              0  say \"hi\"\\\n\n"
              "          12           1000  (passed)\n");
}

TEST(XdpDeploymentTest, StatsJsonEscapesTheRulesText) {
    EXPECT_EQ(format_stats_json(two_rules()),
              "{\"interface\": \"eth0\", \"rules\": [{\"rule\": \"dns -- *.example.com\", "
              "\"packets\": 5, \"bytes\": 420}, {\"rule\": \"say \\\"hi\\\"\\\\\\u000a\", "
              "\"packets\": 0, \"bytes\": 0}], \"passed\": 12}\n");
}

CompiledXdp compiled_rules(std::size_t count) {
    std::vector<XdpRule> rules;
    for (std::size_t i = 0; i < count; ++i) {
        rules.emplace_back("r" + std::to_string(i),
                           CheckedProgram(assemble("ret #1\n"), Engine::Interpreter));
    }
    return compile_xdp(rules);
}

TEST(XdpDeploymentTest, CompiledProgramsPrintAsAssemblyOrCInitializers) {
    const CompiledXdp compiled = compiled_rules(1);
    EXPECT_EQ(format_compiled_xdp(compiled, ProgramText::Assembly),
              disassemble(compiled.programs[0]));
    const std::string c = format_compiled_xdp(compiled, ProgramText::CInitializers);
    std::size_t lines = 0;
    for (const char ch : c) lines += ch == '\n';
    EXPECT_EQ(lines, compiled.programs[0].encode({{kCountersMap, 0}, {kChainMap, 0}}).size());
    EXPECT_TRUE(c.starts_with("{ 0x")) << c;
    EXPECT_TRUE(c.ends_with("{ 0x95, 0, 0, 0, 0 },\n")) << c;  // exit
}

TEST(XdpDeploymentTest, ChainedProgramsAreNumbered) {
    std::vector<XdpRule> rules;
    for (int i = 0; i < 300; ++i) {
        const std::string pattern = "*.site" + std::to_string(i) + ".example";
        rules.emplace_back(
            pattern, CheckedProgram(generate("dns", {pattern}, {}).program, Engine::Interpreter));
    }
    const CompiledXdp compiled = compile_xdp(rules);
    ASSERT_GT(compiled.programs.size(), 1u);
    const std::string text = format_compiled_xdp(compiled, ProgramText::Assembly);
    EXPECT_TRUE(text.starts_with("; program 1 of ")) << text.substr(0, 40);
    const std::string last = "; program " + std::to_string(compiled.programs.size()) + " of " +
                             std::to_string(compiled.programs.size()) + "\n";
    EXPECT_NE(text.find(last), std::string::npos);
}

TEST(XdpDeploymentTest, PinFoldersNameTheInterfaceItsIndexAndItsNamespace) {
    EXPECT_EQ(pin_folder("/pins", "eth0", 2, "4096"), "/pins/eth0:if2:ns4096");
    // bpffs refuses '.'; '%' is escaped too, so that no two names share a folder.
    EXPECT_EQ(pin_folder("/pins", "eth0.10", 7, "1"), "/pins/eth0%2e10:if7:ns1");
    EXPECT_EQ(pin_folder("/pins", "a%2e", 7, "1"), "/pins/a%252e:if7:ns1");
    EXPECT_NE(pin_folder("/pins", "eth0", 2, "4096"), pin_folder("/pins", "eth0", 3, "4096"));
    EXPECT_NE(pin_folder("/pins", "eth0", 2, "4096"), pin_folder("/pins", "eth0", 2, "4097"));
    const XdpPins pins(pin_folder("/pins", "eth0", 2, "1"));
    EXPECT_EQ(pins.link, "/pins/eth0:if2:ns1/link");
    EXPECT_EQ(pins.counters, "/pins/eth0:if2:ns1/counters");
}

TEST(XdpDeploymentTest, TheNetworkNamespaceIdStaysTheSameInOneNamespace) {
    const std::string id = network_namespace_id();
    EXPECT_FALSE(id.empty());
    EXPECT_EQ(id.find_first_not_of("i0123456789"), std::string::npos) << id;
    EXPECT_EQ(network_namespace_id(), id);
}

TEST(XdpDeploymentTest, NoInterfaceIsAnErrorNamingIt) {
    try {
        interface_index("no-such-if0");
        ADD_FAILURE() << "no Error";
    } catch (const Error& error) {
        EXPECT_TRUE(std::string(error.what()).starts_with("no interface 'no-such-if0': "))
            << error.what();
    }
}

}  // namespace
}  // namespace bpfgen::ebpf
