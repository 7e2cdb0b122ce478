// shell_quote_test.cpp: quoting for generated scripts: bash reads a quoted word back as
// exactly the original text, comments cannot be ended early, validators refuse bad values.
#include "libbpfgen/deploy/shell_quote.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "libbpfgen/base/error.h"

namespace bpfgen {
namespace {

// What bash prints for `printf %s WORD`.
std::string bash_reads(const std::string& word) {
    const std::string command = "bash -c " + shell_quote("printf %s " + word);
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (pipe == nullptr) return "<popen failed>";
    char buffer[256];
    std::size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
    pclose(pipe);
    return out;
}

TEST(ShellQuote, BashReadsBackExactlyTheText) {
    for (const std::string text : {"plain", "", "it's", "$(id)", "`id`", "a;b|c&d", "\"q\"",
                                   "new\nline", "back\\slash", "*?[a]{b,c}~", "'''"}) {
        EXPECT_EQ(bash_reads(shell_quote(text)), text) << text;
    }
}

TEST(ShellQuote, RefusesNul) {
    EXPECT_THROW(shell_quote(std::string("a\0b", 3)), Error);
}

TEST(CommentSafe, EscapesControlCharactersSoTheCommentLineCannotEnd) {
    EXPECT_EQ(comment_safe("a\nb\rc\x7f"), "a\\x0ab\\x0dc\\x7f");
    EXPECT_EQ(comment_safe("$(id) 'x'"), "$(id) 'x'");
}

TEST(ValidateAddress, AcceptsAddressesAndNetworksOfTheFamily) {
    EXPECT_NO_THROW(validate_address("192.0.2.1", AddressFamily::Inet));
    EXPECT_NO_THROW(validate_address("192.0.2.0/24", AddressFamily::Inet));
    EXPECT_NO_THROW(validate_address("2001:db8::/32", AddressFamily::Inet6));
    EXPECT_NO_THROW(validate_address("::1/128", AddressFamily::Inet6));
}

TEST(ValidateAddress, RefusesEverythingElse) {
    for (const char* bad : {"", "192.0.2.1/33", "192.0.2.1/", "192.0.2.1/-1", "::1", "1.2.3",
                            "1.2.3.4;id", "$(id)", "1.2.3.4/24x"}) {
        EXPECT_THROW(validate_address(bad, AddressFamily::Inet), UsageError) << bad;
    }
    EXPECT_THROW(validate_address("192.0.2.1", AddressFamily::Inet6), UsageError);
    EXPECT_THROW(validate_address("::/129", AddressFamily::Inet6), UsageError);
}

TEST(ValidateIdentifier, AllowsNameCharactersWithinTheLength) {
    EXPECT_NO_THROW(validate_identifier("set name", "bpf_dns_ip4_example.com-1", 31));
    EXPECT_THROW(validate_identifier("set name", "a b", 31), UsageError);
    EXPECT_THROW(validate_identifier("set name", "", 31), UsageError);
    EXPECT_THROW(validate_identifier("set name", std::string(32, 'a'), 31), UsageError);
}

}  // namespace
}  // namespace bpfgen
