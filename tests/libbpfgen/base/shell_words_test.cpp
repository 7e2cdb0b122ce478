// shell_words_test.cpp: lines split into words as a POSIX shell splits them: quotes,
// backslashes, comments, no expansion, and an open quote refused with its column.
#include "libbpfgen/base/shell_words.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libbpfgen/base/error.h"
#include "tests/common/usage_error.h"

namespace bpfgen {
namespace {

using Words = std::vector<std::string>;

Words words(std::string_view line) {
    return split_shell_words(line).words;
}

using bpftools::test::usage_error;

TEST(SplitShellWords, SplitsAtBlanks) {
    EXPECT_EQ(words("dns  --\t*.example.com "), (Words{"dns", "--", "*.example.com"}));
    EXPECT_EQ(words(""), Words{});
    EXPECT_EQ(words("  \t "), Words{});
}

TEST(SplitShellWords, SingleQuotesKeepEverythingAsItIs) {
    EXPECT_EQ(words(R"(tcpdump -- 'udp port 53 and "x" \n $HOME')"),
              (Words{"tcpdump", "--", R"(udp port 53 and "x" \n $HOME)"}));
}

TEST(SplitShellWords, DoubleQuotesEscapeOnlyQuoteBackslashDollarAndBacktick) {
    EXPECT_EQ(words(R"("a \"b\" \\ \$ \` \n 'c'")"), (Words{R"(a "b" \ $ ` \n 'c')"}));
}

TEST(SplitShellWords, ABackslashOutsideQuotesKeepsTheNextCharacter) {
    EXPECT_EQ(words(R"(a\ b \'c \\ \#d)"), (Words{"a b", "'c", "\\", "#d"}));
}

TEST(SplitShellWords, QuotesJoinWhatTouchesThemAndMakeEmptyWords) {
    EXPECT_EQ(words(R"(a'b'"c"d '' "")"), (Words{"abcd", "", ""}));
}

TEST(SplitShellWords, AHashStartingAWordBeginsAComment) {
    const ShellWords split = split_shell_words("dns -- x.org  # the worst one");
    EXPECT_EQ(split.words, (Words{"dns", "--", "x.org"}));
    EXPECT_EQ(split.end, 12u);
    EXPECT_EQ(words("suffix -- 0102#03 '#' \"#\""), (Words{"suffix", "--", "0102#03", "#", "#"}));
    EXPECT_EQ(words("# a comment"), Words{});
}

TEST(SplitShellWords, ExpandsNothing) {
    EXPECT_EQ(words("$HOME ~ * ? $(ls) `ls` {a,b}"),
              (Words{"$HOME", "~", "*", "?", "$(ls)", "`ls`", "{a,b}"}));
}

TEST(SplitShellWords, RefusesAnOpenQuoteOrATrailingBackslash) {
    EXPECT_EQ(usage_error([] { split_shell_words("dns -- 'x.org"); }),
              "a single quote opened at column 8 is not closed");
    EXPECT_EQ(usage_error([] { split_shell_words(R"(a "b\")"); }),
              "a double quote opened at column 3 is not closed");
    EXPECT_EQ(usage_error([] { split_shell_words("a b\\"); }),
              "a backslash ends the line (rules are one line each)");
}

}  // namespace
}  // namespace bpfgen
