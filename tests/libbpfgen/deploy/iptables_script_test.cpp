// iptables_script_test.cpp: the rendered deployment scripts: valid bash whatever the inputs,
// every value quoted or validated, assembly confined to comments, the chain's rules as
// iptables-restore lines (one per program, in order), names unique to what is deployed.
// Programs come from the original bpfgen's reference outputs. What the scripts do in the
// kernel is tested in tests/deploy/.
#include "libbpfgen/deploy/iptables_script.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/format.h"
#include "tests/common/reference_cases.h"

namespace bpfgen {
namespace {

// A script written to a temporary file, removed when the object goes away.
class TemporaryScript {
  public:
    explicit TemporaryScript(const std::string& text) {
        char name[] = "/tmp/bpftools-script-XXXXXX";
        const int fd = mkstemp(name);
        if (fd < 0) return;
        path_ = name;
        const bool written =
            write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
        close(fd);
        if (!written) path_.clear();
    }
    ~TemporaryScript() {
        if (!path_.empty()) unlink(path_.c_str());
    }
    TemporaryScript(const TemporaryScript&) = delete;
    TemporaryScript& operator=(const TemporaryScript&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

// bash -n: the script parses.
bool bash_parses(const std::string& text) {
    const TemporaryScript script(text);
    if (script.path().empty()) return false;
    const std::string command = "bash -n '" + script.path() + "' 2>/dev/null";
    return std::system(command.c_str()) == 0;
}

// The xt_bpf program of the reference run `bpfgen ARGS` (offset 0).
Program reference_program(const std::vector<std::string>& argv) {
    for (const bpftools::test::ReferenceCase& c : bpftools::test::load_reference_cases()) {
        if (c.argv == argv && !c.error) return parse_xt_bpf(c.bytecode);
    }
    ADD_FAILURE() << "no reference case for the arguments";
    return {};
}

Program example_com() {
    return reference_program({"dns", "--", "example.com"});
}

IptablesBpfScript dns_script() {
    IptablesBpfScript s;
    s.command_line = "iptables_bpf dns -- example.com";
    s.file_name = "bpf_dns_ip4_example_com.sh";
    s.name_prefix = "bpf_dns4_example_com";
    s.addresses = {"192.0.2.1", "198.51.100.0/24"};
    s.comment = "dns -- example.com";
    s.rules = {{example_com(), "    ld #20\n    ret #0\n"}};
    return s;
}

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
        ++n;
    }
    return n;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end - start));
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return lines;
}

// Lines up to the first blank line: the header comment.
std::vector<std::string> header_lines(const std::string& text) {
    std::vector<std::string> lines;
    for (const std::string& line : lines_of(text)) {
        if (line.empty()) break;
        lines.push_back(line);
    }
    return lines;
}

// The lines of the quoted here-document that holds the chain's rules.
std::vector<std::string> chain_rule_lines(const std::string& text) {
    std::vector<std::string> rules;
    bool inside = false;
    for (const std::string& line : lines_of(text)) {
        if (line == "END_OF_RULES") break;
        if (inside) rules.push_back(line);
        if (line.find("<<'END_OF_RULES'") != std::string::npos) inside = true;
    }
    return rules;
}

TEST(IptablesBpfScript, IsBashThatParses) {
    const std::string text = render_iptables_bpf_script(dns_script());
    EXPECT_EQ(text.rfind("#!/bin/bash\n", 0), 0u);
    EXPECT_TRUE(bash_parses(text));
}

TEST(IptablesBpfScript, RulesAreRestoreLinesOfTheScriptsChain) {
    const IptablesBpfScript s = dns_script();
    const std::string text = render_iptables_bpf_script(s);
    const std::string chain = deployment_names(s).chain;
    EXPECT_EQ(chain_rule_lines(text),
              std::vector<std::string>{"-A " + chain + " -m bpf --bytecode \"" +
                                       format_xt_bpf(example_com()) +
                                       "\" -m comment --comment \"dns -- example.com\" -j DROP"});
    EXPECT_NE(text.find("\nRULE_COUNT=1\n"), std::string::npos);
    EXPECT_NE(text.find("\nCHAIN='" + chain + "'\n"), std::string::npos);
    EXPECT_NE(text.find("\nSET_NAME='" + deployment_names(s).set + "'\n"), std::string::npos);
}

TEST(IptablesBpfScript, InstallAndDeleteAreRestoreTransactionsUnderALock) {
    const std::string text = render_iptables_bpf_script(dns_script());
    EXPECT_NE(text.find("-w --noflush"), std::string::npos);
    EXPECT_NE(text.find("flock -w"), std::string::npos);
    // Rules are removed by their exact form, never by position.
    EXPECT_EQ(text.find("-D INPUT \"$"), std::string::npos);
    EXPECT_NE(text.find("JUMP_PATTERN=\"^-A INPUT "), std::string::npos);
}

TEST(IptablesBpfScript, MatchesUdpPort53OnlyForDnsRules) {
    IptablesBpfScript s = dns_script();
    EXPECT_NE(render_iptables_bpf_script(s).find("\nDNS_ONLY=1\n"), std::string::npos);
    s.dns_only = false;
    EXPECT_NE(render_iptables_bpf_script(s).find("\nDNS_ONLY=0\n"), std::string::npos);
}

TEST(IptablesBpfScript, OneRulePerProgram) {
    IptablesBpfScript s = dns_script();
    const Program other = reference_program({"dns", "--", "-i", "*.www.example.uk"});
    s.rules.push_back({other, "    ret #0\n"});
    const std::string text = render_iptables_bpf_script(s);
    EXPECT_NE(text.find("\nRULE_COUNT=2\n"), std::string::npos);
    EXPECT_NE(text.find("(2 in all)"), std::string::npos);
    EXPECT_EQ(chain_rule_lines(text).size(), 2u);
    EXPECT_EQ(count(text, "--bytecode \"" + format_xt_bpf(other) + "\""), 1u);
    EXPECT_NE(text.find("rule 2 of 2"), std::string::npos);
    EXPECT_TRUE(bash_parses(text));
}

TEST(IptablesBpfScript, HostileTextStaysInCommentsAndQuotes) {
    const std::string hostile = "a'b\"c$(touch x)`id`;rm -rf ~\n#!/bin/sh\n\r\x1b[2J";
    IptablesBpfScript s = dns_script();
    s.command_line = "iptables_bpf dns -- " + hostile;
    s.file_name = hostile;
    s.comment = "it's $(touch x) `id`; \"q\" \\ END_OF_RULES";
    s.rules = {{example_com(), hostile + "\nEND_OF_RULES\n" + hostile}};
    const std::string text = render_iptables_bpf_script(s);
    EXPECT_TRUE(bash_parses(text));
    for (const std::string& line : header_lines(text)) {
        EXPECT_EQ(line[0], '#') << line;
    }
    // As iptables-restore reads it back: \ and " escaped inside double quotes.
    EXPECT_NE(text.find("--comment \"it's $(touch x) `id`; \\\"q\\\" \\\\ END_OF_RULES\" -j DROP"),
              std::string::npos);
    EXPECT_EQ(chain_rule_lines(text).size(), 1u);
    EXPECT_EQ(text.find('\r'), std::string::npos);
    EXPECT_EQ(text.find('\x1b'), std::string::npos);
}

TEST(IptablesBpfScript, AddressesAreValidatedThenQuoted) {
    IptablesBpfScript s = dns_script();
    EXPECT_NE(render_iptables_bpf_script(s).find("ADDRESSES=('192.0.2.1' '198.51.100.0/24')"),
              std::string::npos);
    s.addresses = {"192.0.2.1;touch x"};
    EXPECT_THROW(render_iptables_bpf_script(s), UsageError);
    s.addresses = {"2001:db8::1"};
    EXPECT_THROW(render_iptables_bpf_script(s), UsageError);
    s.family = AddressFamily::Inet6;
    EXPECT_NO_THROW(render_iptables_bpf_script(s));
}

TEST(IptablesBpfScript, Ipv6UsesAnInet6SetAndIp6tables) {
    IptablesBpfScript s = dns_script();
    s.family = AddressFamily::Inet6;
    s.addresses = {"::1/128"};
    const std::string text = render_iptables_bpf_script(s);
    EXPECT_NE(text.find("\nSET_FAMILY=inet6\n"), std::string::npos);
    EXPECT_NE(text.find("\nFAMILY=6\n"), std::string::npos);
    EXPECT_NE(text.find("ip6tables-nft and ip6tables-legacy"), std::string::npos);
    EXPECT_TRUE(bash_parses(text));
}

TEST(IptablesBpfScript, RefusesWhatCannotBeMadeSafe) {
    IptablesBpfScript s = dns_script();
    s.comment = "two\nlines";
    EXPECT_THROW(render_iptables_bpf_script(s), UsageError);
    s.comment = std::string(256, 'c');
    EXPECT_THROW(render_iptables_bpf_script(s), UsageError);
    s = dns_script();
    s.rules.clear();
    EXPECT_THROW(render_iptables_bpf_script(s), Error);
}

TEST(IptablesBpfScript, NamesAreUniqueForWhatIsDeployed) {
    const IptablesBpfScript base = dns_script();
    const DeploymentNames names = deployment_names(base);
    EXPECT_EQ(names.set, names.chain);
    EXPECT_LE(names.set.size(), 27u);
    EXPECT_EQ(names.set.rfind("bpf_dns4_example_c_", 0), 0u) << names.set;
    EXPECT_NO_THROW(validate_identifier("set", names.set, 27));
    // The same script, whatever its file is called or how it was asked for: the same names.
    IptablesBpfScript same = base;
    same.file_name = "other.sh";
    same.command_line = "something else";
    EXPECT_EQ(deployment_names(same).set, names.set);
    // Anything deployed differently: other names, even with the same readable part.
    std::vector<IptablesBpfScript> others(5, base);
    others[0].comment = "another comment";
    others[1].addresses = {"192.0.2.1"};
    others[2].family = AddressFamily::Inet6;
    others[2].addresses = {};
    others[3].dns_only = false;
    others[4].rules[0].program = reference_program({"dns", "--", "-i", "*.www.example.uk"});
    for (const IptablesBpfScript& other : others) {
        EXPECT_NE(deployment_names(other).set, names.set);
        EXPECT_EQ(deployment_names(other).set.substr(0, 19), names.set.substr(0, 19));
    }
}

TEST(IptablesBpfScript, RefusesProgramsXtBpfCannotTake) {
    IptablesBpfScript s = dns_script();
    s.rules[0].program = Program(std::vector<Instruction>(65, Instruction{0x06, 0, 0, 0}));
    EXPECT_THROW(render_iptables_bpf_script(s), Error);
    s.rules[0].program = Program();
    EXPECT_THROW(render_iptables_bpf_script(s), Error);
    s.rules[0].program = Program(std::vector<Instruction>(64, Instruction{0x06, 0, 0, 0}));
    EXPECT_NO_THROW(render_iptables_bpf_script(s));
}

TEST(IptablesBpfScript, RulesTooWideForRestoreAreAddedOneCallEach) {
    IptablesBpfScript s = dns_script();
    EXPECT_NE(render_iptables_bpf_script(s).find("\nWIDE_RULES=0\n"), std::string::npos);
    // 64 instructions with 10-digit constants: over iptables-restore's 1023 bytes.
    std::vector<Instruction> wide(63, Instruction{0x15, 0, 0, 2003790950});
    wide.push_back(Instruction{0x06, 0, 0, 0});
    s.rules[0].program = Program(wide);
    EXPECT_FALSE(fits_restore_rule(s.rules[0].program));
    const std::string text = render_iptables_bpf_script(s);
    EXPECT_NE(text.find("\nWIDE_RULES=1\n"), std::string::npos);
    EXPECT_NE(
        text.find("    \"$1\" -w -A \"$CHAIN\" '-m' 'bpf' '--bytecode' '" +
                  format_xt_bpf(s.rules[0].program) +
                  "' '-m' 'comment' '--comment' 'dns -- example.com' '-j' 'DROP' || return 1\n"),
        std::string::npos);
    EXPECT_TRUE(bash_parses(text));
}

IptablesBpfChainScript chain_script() {
    IptablesBpfChainScript s;
    s.command_line = "iptables_bpf_chain -w example_com -a www.example.com -d any";
    s.file_name = "example_com_ip4.sh";
    s.name = "example_com";
    s.rules = {{example_com(), "dns -- -i www.example.com", true},
               {std::nullopt, "dns -- -i any", false}};
    return s;
}

TEST(IptablesBpfChainScript, AcceptsThenDropsThenReturns) {
    const IptablesBpfChainScript s = chain_script();
    const std::string text = render_iptables_bpf_chain_script(s);
    EXPECT_TRUE(bash_parses(text));
    const std::string chain = deployment_names(s).chain;
    EXPECT_EQ(chain.rfind("EXAMPLE_COM_IP4_", 0), 0u) << chain;
    EXPECT_EQ(deployment_names(s).set.rfind("example_com_ip4_", 0), 0u);
    EXPECT_EQ(chain_rule_lines(text),
              (std::vector<std::string>{
                  "-A " + chain + " -m bpf --bytecode \"" + format_xt_bpf(example_com()) +
                      "\" -m comment --comment \"dns -- -i www.example.com\" -j ACCEPT",
                  "-A " + chain + " -m comment --comment \"dns -- -i any\" -j DROP",
                  "-A " + chain + " -j RETURN"}));
    EXPECT_NE(text.find("\nRULE_COUNT=3\n"), std::string::npos);
}

TEST(IptablesBpfChainScript, RefusesBadOrBuiltInNames) {
    IptablesBpfChainScript s = chain_script();
    for (const char* name : {"X;touch y", "-x", "input", "Return", ""}) {
        s.name = name;
        EXPECT_THROW(render_iptables_bpf_chain_script(s), UsageError) << name;
    }
    s.name = std::string(25, 'x');
    EXPECT_THROW(render_iptables_bpf_chain_script(s), UsageError);
    s.name = std::string(24, 'x');
    EXPECT_LE(deployment_names(s).chain.size(), 28u);
}

TEST(IptablesBpfChainScript, NamesDifferingInCaseOrBeyondTheReadablePartStayApart) {
    IptablesBpfChainScript a = chain_script();
    IptablesBpfChainScript b = chain_script();
    a.name = "Foo";
    b.name = "foo";
    EXPECT_NE(deployment_names(a).chain, deployment_names(b).chain);
    EXPECT_NE(deployment_names(a).set, deployment_names(b).set);
    a.name = "abcdefghijklmnopqrst_a";
    b.name = "abcdefghijklmnopqrst_b";
    EXPECT_NE(deployment_names(a).chain, deployment_names(b).chain);
    EXPECT_NE(deployment_names(a).set, deployment_names(b).set);
}

TEST(IptablesBpfChainScript, RefusesProgramsXtBpfCannotTake) {
    IptablesBpfChainScript s = chain_script();
    s.rules[0].program = Program(std::vector<Instruction>(65, Instruction{0x06, 0, 0, 0}));
    EXPECT_THROW(render_iptables_bpf_chain_script(s), Error);
}

TEST(IptablesBpfChainScript, QuotesRuleComments) {
    IptablesBpfChainScript s = chain_script();
    s.rules[0].comment = "dns -- -i $(touch x)'\"";
    const std::string text = render_iptables_bpf_chain_script(s);
    EXPECT_NE(text.find("--comment \"dns -- -i $(touch x)'\\\"\" -j ACCEPT"), std::string::npos);
    EXPECT_TRUE(bash_parses(text));
}

}  // namespace
}  // namespace bpfgen
