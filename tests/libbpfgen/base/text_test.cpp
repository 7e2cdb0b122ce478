// text_test.cpp: splitting text at a separator and bounded decimal numbers.
#include "libbpfgen/base/text.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace bpfgen {
namespace {

using Parts = std::vector<std::string_view>;

TEST(Split, KeepsEmptyParts) {
    EXPECT_EQ(split("a,,b", ','), (Parts{"a", "", "b"}));
    EXPECT_EQ(split(",a,", ','), (Parts{"", "a", ""}));
}

TEST(Split, TextWithoutSeparatorIsOnePart) {
    EXPECT_EQ(split("abc", ','), (Parts{"abc"}));
    EXPECT_EQ(split("", '.'), (Parts{""}));
}

TEST(ParseDecimal, ReadsDigitsWithLeadingZeros) {
    EXPECT_EQ(parse_decimal("0", 10), 0u);
    EXPECT_EQ(parse_decimal("007", 10), 7u);
    EXPECT_EQ(parse_decimal("65535", 65535), 65535u);
}

TEST(ParseDecimal, RefusesValuesOverTheBound) {
    EXPECT_FALSE(parse_decimal("65536", 65535));
    EXPECT_FALSE(parse_decimal("99999999999999999999999", UINT64_MAX));
    EXPECT_EQ(parse_decimal("18446744073709551615", UINT64_MAX), UINT64_MAX);
}

TEST(ParseDecimal, RefusesAnythingButDigits) {
    for (const std::string_view text : {"", "-1", "+1", " 1", "1 ", "0x10", "1.5"}) {
        EXPECT_FALSE(parse_decimal(text, 100)) << text;
    }
}

// The classes are ASCII's whatever the locale; bytes above 0x7f are in none of them.
TEST(AsciiClasses, AreAsciisOwn) {
    int digits = 0, letters = 0, names = 0;
    for (int value = -128; value < 128; ++value) {
        const char c = static_cast<char>(value);
        digits += is_ascii_digit(c);
        letters += is_ascii_letter(c);
        names += is_name_char(c);
        const bool upper = c >= 'A' && c <= 'Z';
        EXPECT_EQ(ascii_lower(c), upper ? c + 32 : c) << value;
    }
    EXPECT_EQ(digits, 10);
    EXPECT_EQ(letters, 52);
    EXPECT_EQ(names, 65);
    EXPECT_TRUE(is_name_char('-') && is_name_char('.') && is_name_char('_'));
    EXPECT_FALSE(is_name_char('/') || is_name_char(' ') || is_name_char('\xe9'));
}

}  // namespace
}  // namespace bpfgen
