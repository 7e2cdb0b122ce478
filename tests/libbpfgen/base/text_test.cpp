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

}  // namespace
}  // namespace bpfgen
