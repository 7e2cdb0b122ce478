// iptables_script_test.cpp: the rendered deployment scripts: valid bash whatever the inputs,
// every value quoted or validated, assembly confined to comments, one rule per program,
// chain rules in order. Programs come from the original bpfgen's reference outputs.
#include "libbpfgen/iptables_script.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "libbpfgen/error.h"
#include "libbpfgen/format.h"
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
    s.set_name = "bpf_dns_ip4_example_com";
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

// Lines up to the first blank line: the header comment.
std::vector<std::string> header_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t end = text.find('\n', start);
        const std::string line = text.substr(start, end - start);
        if (line.empty()) break;
        lines.push_back(line);
        if (end == std::string::npos) break;
        start = end + 1;
    }
    return lines;
}

TEST(IptablesBpfScript, IsBashThatParses) {
    const std::string text = render_iptables_bpf_script(dns_script());
    EXPECT_EQ(text.rfind("#!/bin/bash\n", 0), 0u);
    EXPECT_TRUE(bash_parses(text));
}

TEST(IptablesBpfScript, CarriesTheBytecodeSingleQuoted) {
    const std::string text = render_iptables_bpf_script(dns_script());
    EXPECT_EQ(count(text, "--bytecode '" + format_xt_bpf(example_com()) + "'"), 1u);
}

TEST(IptablesBpfScript, MatchesUdpPort53OnlyForDnsRules) {
    IptablesBpfScript s = dns_script();
    EXPECT_NE(render_iptables_bpf_script(s).find("-p udp --dport 53"), std::string::npos);
    s.dns_only = false;
    EXPECT_EQ(render_iptables_bpf_script(s).find("--dport"), std::string::npos);
}

TEST(IptablesBpfScript, ChecksBeforeInsertingAndDeletesEveryRuleOnTheSet) {
    const std::string text = render_iptables_bpf_script(dns_script());
    const std::size_t check = text.find("--wait -C INPUT");
    const std::size_t insert = text.find("--wait -I INPUT");
    ASSERT_NE(insert, std::string::npos);
    EXPECT_LT(text.find("if ! \"$IPTABLES\" --wait -C INPUT"), insert);
    EXPECT_NE(check, std::string::npos);
    // --delete removes every INPUT rule on the set, whatever its interface.
    EXPECT_NE(text.find("-S INPUT | awk -v wanted=\" --match-set $SET_NAME dst \""),
              std::string::npos);
    EXPECT_NE(text.find("--wait -D INPUT \"$number\""), std::string::npos);
    EXPECT_NE(text.find("-exist destroy \"$SET_NAME\""), std::string::npos);
}

TEST(IptablesBpfScript, OneRulePerProgram) {
    IptablesBpfScript s = dns_script();
    const Program other = reference_program({"dns", "--", "-i", "*.www.example.uk"});
    s.rules.push_back({other, "    ret #0\n"});
    const std::string text = render_iptables_bpf_script(s);
    EXPECT_NE(text.find("RULES=2\n"), std::string::npos);
    EXPECT_EQ(count(text, "--bytecode '" + format_xt_bpf(other) + "'"), 1u);
    EXPECT_NE(text.find("rule 2 of 2"), std::string::npos);
    EXPECT_TRUE(bash_parses(text));
}

TEST(IptablesBpfScript, HostileTextStaysInCommentsAndQuotes) {
    const std::string hostile = "a'b\"c$(touch x)`id`;rm -rf ~\n#!/bin/sh\n\r\x1b[2J";
    IptablesBpfScript s = dns_script();
    s.command_line = "iptables_bpf dns -- " + hostile;
    s.file_name = hostile;
    s.comment = "it's $(touch x) `id`; \"q\"";
    s.rules = {{example_com(), hostile + "\n" + hostile}};
    const std::string text = render_iptables_bpf_script(s);
    EXPECT_TRUE(bash_parses(text));
    for (const std::string& line : header_lines(text)) {
        EXPECT_EQ(line[0], '#') << line;
    }
    EXPECT_NE(text.find("--comment 'it'\\''s $(touch x) `id`; \"q\"'"), std::string::npos);
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
    EXPECT_NE(text.find("SET_FAMILY=inet6\n"), std::string::npos);
    EXPECT_NE(text.find("IPTABLES=ip6tables-legacy"), std::string::npos);
    EXPECT_TRUE(bash_parses(text));
}

TEST(IptablesBpfScript, RefusesWhatCannotBeMadeSafe) {
    IptablesBpfScript s = dns_script();
    s.set_name = "a b";
    EXPECT_THROW(render_iptables_bpf_script(s), UsageError);
    s.set_name = std::string(32, 'a');
    EXPECT_THROW(render_iptables_bpf_script(s), UsageError);
    s = dns_script();
    s.comment = "two\nlines";
    EXPECT_THROW(render_iptables_bpf_script(s), UsageError);
    s.comment = std::string(256, 'c');
    EXPECT_THROW(render_iptables_bpf_script(s), UsageError);
    s = dns_script();
    s.rules.clear();
    EXPECT_THROW(render_iptables_bpf_script(s), Error);
}

TEST(IptablesBpfScript, NamesTheMissingBackend) {
    const std::string text = render_iptables_bpf_script(dns_script());
    EXPECT_NE(text.find("command -v iptables-legacy"), std::string::npos);
    EXPECT_NE(text.find("nf_tables"), std::string::npos);
    EXPECT_NE(text.find("xt_bpf"), std::string::npos);
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

IptablesBpfChainScript chain_script() {
    IptablesBpfChainScript s;
    s.command_line = "iptables_bpf_chain -w example_com -a www.example.com -d any";
    s.file_name = "example_com_ip4.sh";
    s.set_name = "example_com_ip4";
    s.chain = "EXAMPLE_COM";
    s.rules = {{example_com(), "dns -- -i www.example.com", true},
               {std::nullopt, "dns -- -i any", false}};
    return s;
}

TEST(IptablesBpfChainScript, AcceptsThenDropsThenReturns) {
    const std::string text = render_iptables_bpf_chain_script(chain_script());
    EXPECT_TRUE(bash_parses(text));
    const std::size_t accept = text.find("-j ACCEPT");
    const std::size_t drop = text.find("-j DROP");
    const std::size_t back = text.find("-j RETURN");
    ASSERT_NE(accept, std::string::npos);
    EXPECT_LT(accept, drop);
    EXPECT_LT(drop, back);
    EXPECT_EQ(count(text, "--bytecode"), 1u);  // 'any' needs no program
}

TEST(IptablesBpfChainScript, RefusesBadChainNames) {
    IptablesBpfChainScript s = chain_script();
    s.chain = "X;touch y";
    EXPECT_THROW(render_iptables_bpf_chain_script(s), UsageError);
    s.chain = std::string(29, 'X');
    EXPECT_THROW(render_iptables_bpf_chain_script(s), UsageError);
}

TEST(IptablesBpfChainScript, RefusesProgramsXtBpfCannotTake) {
    IptablesBpfChainScript s = chain_script();
    s.rules[0].program = Program(std::vector<Instruction>(65, Instruction{0x06, 0, 0, 0}));
    EXPECT_THROW(render_iptables_bpf_chain_script(s), Error);
}

TEST(IptablesBpfChainScript, QuotesRuleComments) {
    IptablesBpfChainScript s = chain_script();
    s.rules[0].comment = "dns -- -i $(touch x)'";
    const std::string text = render_iptables_bpf_chain_script(s);
    EXPECT_NE(text.find("--comment 'dns -- -i $(touch x)'\\'''"), std::string::npos);
    EXPECT_TRUE(bash_parses(text));
}

}  // namespace
}  // namespace bpfgen
