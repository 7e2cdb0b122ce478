// iptables_deployment_test.cpp: what iptables_bpf and iptables_bpf_chain deploy, without a
// process: the names a run gives the script, its set and chain, the default comment cut to
// what iptables keeps, which generators' rules also match `-p udp --dport 53`, and the IP
// versions a p0f signature's scripts are for.
#include "generators/iptables_deployment.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "generators/generator.h"
#include "libbpfgen/base/error.h"

namespace bpfgen {
namespace {

IptablesBpfRequest request(const std::string& generator, std::vector<std::string> args) {
    IptablesBpfRequest request;
    request.generator = generator;
    request.generator_args = std::move(args);
    request.command_line = "iptables_bpf " + generator;
    return request;
}

// The plan of a run that makes one script.
IptablesBpfDeployment plan_one(const IptablesBpfRequest& request) {
    std::vector<IptablesBpfDeployment> deployments = plan_iptables_bpf(request);
    if (deployments.size() != 1) {
        ADD_FAILURE() << deployments.size() << " scripts for " << request.generator;
        return {};
    }
    return deployments.front();
}

constexpr const char* kEitherVersion = "*:64:0:*:mss*10,6:mss,sok,ts,nop,ws:df,id+:0";

TEST(PlanIptablesBpf, NamesTheScriptAfterTheGeneratorFamilyAndRun) {
    const IptablesBpfDeployment deployment = plan_one(request("dns", {"example.com"}));
    EXPECT_TRUE(deployment.output_path.starts_with("bpf_dns_ip4_")) << deployment.output_path;
    EXPECT_TRUE(deployment.output_path.ends_with(".sh")) << deployment.output_path;
    EXPECT_EQ(deployment.script.file_name, deployment.output_path);
    EXPECT_TRUE(deployment.script.name_prefix.starts_with("bpf_dns4_"));
    EXPECT_EQ(deployment.script.family, AddressFamily::Inet);
}

TEST(PlanIptablesBpf, ManyPatternsStillMakeAFileNameLinuxTakes) {
    std::vector<std::string> hosts;
    for (int i = 1; i <= 200; ++i) hosts.push_back("host" + std::to_string(i) + ".example.com");
    const IptablesBpfDeployment many = plan_one(request("dns", hosts));
    EXPECT_EQ(many.output_path.size(), kMaxFileName);
    EXPECT_TRUE(many.output_path.starts_with("bpf_dns_ip4_host1_example_com_host2_"))
        << many.output_path;
    EXPECT_TRUE(many.output_path.ends_with(".sh"));
    hosts.back() = "other.example.com";
    const IptablesBpfDeployment other = plan_one(request("dns", hosts));
    EXPECT_NE(other.output_path, many.output_path);
    EXPECT_EQ(other.output_path.size(), kMaxFileName);
    // A name that fits stays the original's.
    EXPECT_EQ(script_file_name("bpf_dns_ip4_example_com"), "bpf_dns_ip4_example_com.sh");
    EXPECT_EQ(script_file_name(std::string(252, 'a')), std::string(252, 'a') + ".sh");
    EXPECT_EQ(script_file_name(std::string(253, 'a')).size(), kMaxFileName);
}

TEST(PlanIptablesBpf, StandardOutputKeepsTheDefaultNameInTheScript) {
    IptablesBpfRequest to_stdout = request("dns", {"example.com"});
    to_stdout.output_path = "-";
    to_stdout.options.ip_version = 6;
    const IptablesBpfDeployment deployment = plan_one(to_stdout);
    EXPECT_EQ(deployment.output_path, "-");
    EXPECT_TRUE(deployment.script.file_name.starts_with("bpf_dns_ip6_"))
        << deployment.script.file_name;
    EXPECT_EQ(deployment.script.family, AddressFamily::Inet6);
}

TEST(PlanIptablesBpf, OnlyDnsGeneratorsMatchUdpPort53Too) {
    EXPECT_TRUE(plan_one(request("dns", {"example.com"})).script.dns_only);
    EXPECT_TRUE(plan_one(request("dns_validate", {})).script.dns_only);
    EXPECT_FALSE(plan_one(request("suffix", {"010203"})).script.dns_only);
    EXPECT_FALSE(plan_one(request("tcpdump", {"udp"})).script.dns_only);
}

TEST(PlanIptablesBpf, DefaultCommentIsTheCommandLineCutToWhatIptablesKeeps) {
    IptablesBpfRequest long_line = request("dns", {"example.com"});
    long_line.command_line = "iptables_bpf " + std::string(400, 'x') + "\n";
    const IptablesBpfDeployment deployment = plan_one(long_line);
    EXPECT_EQ(deployment.script.comment.size(), kMaxIptablesComment);
    EXPECT_TRUE(deployment.script.comment.starts_with("iptables_bpf xxx"));

    IptablesBpfRequest given = request("dns", {"example.com"});
    given.comment = "my rule";
    EXPECT_EQ(plan_one(given).script.comment, "my rule");
}

TEST(PlanIptablesBpf, SplitDnsRunGivesOneScriptRulePerProgram) {
    std::vector<std::string> patterns;
    for (int i = 0; i < 40; ++i) patterns.push_back("*.attack" + std::to_string(i) + ".example");
    const IptablesBpfDeployment deployment = plan_one(request("dns", patterns));
    EXPECT_GT(deployment.script.rules.size(), 1u);
}

// A p0f signature of version '*' is for both families: an iptables script with the IPv4
// program and an ip6tables one with the IPv6 program, named apart.
TEST(PlanIptablesBpf, P0fSignatureOfEitherVersionMakesAnIpv4AndAnIpv6Script) {
    const std::vector<IptablesBpfDeployment> deployments =
        plan_iptables_bpf(request("p0f", {kEitherVersion}));
    ASSERT_EQ(deployments.size(), 2u);
    for (std::size_t i = 0; i < 2; ++i) {
        const int version = i == 0 ? 4 : 6;
        const IptablesBpfScript& script = deployments[i].script;
        EXPECT_EQ(script.family, version == 4 ? AddressFamily::Inet : AddressFamily::Inet6);
        EXPECT_TRUE(deployments[i].output_path.starts_with("bpf_p0f_ip" + std::to_string(version)))
            << deployments[i].output_path;
        GeneratorOptions options;
        options.ip_version = version;
        ASSERT_EQ(script.rules.size(), 1u);
        EXPECT_EQ(script.rules[0].program, generate("p0f", {kEitherVersion}, options).program);
    }
    EXPECT_NE(deployments[0].script.name_prefix, deployments[1].script.name_prefix);
}

// -6 asks for the IPv6 script alone; a signature of one version is that version's whatever
// -6 says, as bpfgen reads it (an IPv4 program in an ip6tables script would match nothing).
TEST(PlanIptablesBpf, P0fScriptsFollowTheSignaturesVersionAndMinus6) {
    IptablesBpfRequest ipv6 = request("p0f", {kEitherVersion});
    ipv6.options.ip_version = 6;
    EXPECT_EQ(plan_one(ipv6).script.family, AddressFamily::Inet6);
    std::string ipv4_signature = kEitherVersion;
    ipv4_signature[0] = '4';
    IptablesBpfRequest ipv4 = request("p0f", {ipv4_signature});
    ipv4.options.ip_version = 6;
    EXPECT_EQ(plan_one(ipv4).script.family, AddressFamily::Inet);
    EXPECT_EQ(plan_one(request("suffix", {"010203"})).script.family, AddressFamily::Inet);
}

TEST(PlanIptablesBpf, RefusesOneFileNameForTwoScripts) {
    IptablesBpfRequest named = request("p0f", {kEitherVersion});
    named.output_path = "rule.sh";
    try {
        plan_iptables_bpf(named);
        ADD_FAILURE() << "no UsageError";
    } catch (const UsageError& error) {
        EXPECT_NE(std::string(error.what()).find("IPv4 and IPv6, which take two scripts"),
                  std::string::npos)
            << error.what();
    }
}

TEST(PlanIptablesBpf, RefusesAnUnknownGeneratorQuotingIt) {
    try {
        plan_iptables_bpf(request("no'such", {}));
        ADD_FAILURE() << "no UsageError";
    } catch (const UsageError& error) {
        EXPECT_STREQ(error.what(), "unknown generator 'no\\'such' (see --help)");
    }
}

TEST(FileSafeName, KeepsNameCharactersAndReplacesTheRest) {
    EXPECT_EQ(file_safe_name("a.b-c_D9"), "a.b-c_D9");
    EXPECT_EQ(file_safe_name("*.x/y z"), "x.xxyxz");
}

TEST(IptablesComment, MakesTextPrintableAndCutsIt) {
    EXPECT_EQ(iptables_comment("a\tb"), "a\\x09b");
    EXPECT_EQ(iptables_comment(std::string(300, 'c')).size(), kMaxIptablesComment);
}

TEST(IptablesChainRules, AnyIsOneRuleMatchingEveryPacket) {
    const std::vector<ChainRule> rules = iptables_chain_rules("any", true, 4);
    ASSERT_EQ(rules.size(), 1u);
    EXPECT_FALSE(rules[0].program);
    EXPECT_TRUE(rules[0].accept);
    EXPECT_EQ(rules[0].comment, "dns -- -i any");
}

TEST(IptablesChainRules, PatternIsACaseInsensitiveDnsRule) {
    const std::vector<ChainRule> rules = iptables_chain_rules("*.example.com", false, 6);
    ASSERT_EQ(rules.size(), 1u);
    ASSERT_TRUE(rules[0].program);
    EXPECT_FALSE(rules[0].accept);
    EXPECT_EQ(rules[0].comment, "dns -- -i *.example.com");
    GeneratorOptions options;
    options.ip_version = 6;
    EXPECT_EQ(*rules[0].program, generate("dns", {"-i", "--", "*.example.com"}, options).program);
}

}  // namespace
}  // namespace bpfgen
