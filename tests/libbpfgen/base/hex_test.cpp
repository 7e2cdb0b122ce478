// hex_test.cpp: hex encoding and decoding (errors name the position), the printable view,
// and the C-style escapes offset's STRING argument uses.
#include "libbpfgen/base/hex.h"

#include <gtest/gtest.h>

#include "tests/common/capture_files.h"

namespace bpfgen {
namespace {

using bpftools::test::bytes_of;
using bpftools::test::expect_error;

TEST(HexEncode, LowerCaseTwoDigitsPerByteWithoutSeparators) {
    EXPECT_EQ(hex_encode(bytes_of({0x00, 0x0a, 0xff, 0x45})), "000aff45");
    EXPECT_EQ(hex_encode({}), "");
}

TEST(HexDecode, AcceptsEitherCase) {
    EXPECT_EQ(hex_decode("00aAfF7e"), bytes_of({0x00, 0xaa, 0xff, 0x7e}));
}

TEST(HexDecode, RoundTripsEveryByteValue) {
    std::vector<uint8_t> all;
    for (int value = 0; value < 256; ++value) all.push_back(static_cast<uint8_t>(value));
    EXPECT_EQ(hex_decode(hex_encode(all)), all);
}

TEST(HexDecode, EmptyTextIsNoBytes) {
    EXPECT_TRUE(hex_decode("").empty());
}

TEST(HexDecode, NamesTheFirstCharacterThatIsNotAHexDigit) {
    expect_error([] { hex_decode("00g1"); }, {"'g'", "position 3", "not a hex digit"});
}

TEST(HexDecode, RefusesSpacesInside) {
    expect_error([] { hex_decode("00 11"); }, {"a space", "position 3"});
}

TEST(HexDecode, RefusesAnOddNumberOfDigits) {
    expect_error([] { hex_decode("abc"); }, {"odd number of hex digits (3)"});
}

TEST(HexDecode, ShowsUnprintableBytesAsHex) {
    expect_error([] { hex_decode(std::string("0\x01", 2)); }, {"byte 0x01", "position 2"});
}

TEST(PrintableAscii, KeepsVisibleCharactersAndDotsTheRest) {
    EXPECT_EQ(printable_ascii(bytes_of({'a', ' ', 0x00, '~', 0x7f, 0x80, '.', '\t'})), "a..~....");
}

TEST(UnescapeBytes, PlainTextIsItsBytes) {
    EXPECT_EQ(unescape_bytes("example"), bytes_of({'e', 'x', 'a', 'm', 'p', 'l', 'e'}));
}

TEST(UnescapeBytes, HexEscapesTakeExactlyTwoDigits) {
    EXPECT_EQ(unescape_bytes("\\x07abc\\x00\\xfF1"),
              bytes_of({0x07, 'a', 'b', 'c', 0x00, 0xff, '1'}));
}

TEST(UnescapeBytes, OctalEscapesTakeUpToThreeDigits) {
    EXPECT_EQ(unescape_bytes("\\0\\12\\1234\\377"), bytes_of({0, 012, 0123, '4', 0377}));
}

TEST(UnescapeBytes, NamedEscapes) {
    EXPECT_EQ(unescape_bytes("\\t\\n\\r\\\\\\'\\\"\\a\\b\\f\\v"),
              bytes_of({'\t', '\n', '\r', '\\', '\'', '"', '\a', '\b', '\f', '\v'}));
}

TEST(UnescapeBytes, RefusesUnknownEscapesNamingThePosition) {
    expect_error([] { unescape_bytes("ab\\q"); }, {"unknown escape \\q", "position 3"});
}

TEST(UnescapeBytes, RefusesHexEscapesWithoutTwoDigits) {
    expect_error([] { unescape_bytes("\\x7"); }, {"\\x", "two hex digits", "position 1"});
    expect_error([] { unescape_bytes("\\xg0"); }, {"two hex digits"});
}

TEST(UnescapeBytes, RefusesOctalAbove377) {
    expect_error([] { unescape_bytes("\\400"); }, {"larger than \\377"});
}

TEST(UnescapeBytes, RefusesALoneTrailingBackslash) {
    expect_error([] { unescape_bytes("abc\\"); }, {"lone backslash", "position 4"});
}

TEST(HexLineContent, IsTheTextBeforeATabWithoutSpacesOrLineEnd) {
    EXPECT_EQ(hex_line_content("  0a0b \tprintable view\r\n"), "0a0b");
    EXPECT_EQ(hex_line_content("ff"), "ff");
    EXPECT_EQ(hex_line_content("not hex"), "not hex");  // hex_decode judges it
}

TEST(HexLineContent, BlankAndCommentLinesHoldNoPacket) {
    for (const char* line : {"", "\n", "   \r\n", "# comment", "  ; comment", "\tafter a tab"}) {
        EXPECT_EQ(hex_line_content(line), std::nullopt) << line;
    }
}

}  // namespace
}  // namespace bpfgen
