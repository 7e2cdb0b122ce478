// markup_escape_test.cpp: JSON string literals and XML text from any bytes: quotes,
// backslashes, markup, control characters, UTF-8 kept and invalid bytes replaced.
#include "libbpfgen/base/markup_escape.h"

#include <gtest/gtest.h>

#include <string>

namespace bpfgen {
namespace {

TEST(JsonStringLiteral, EscapesQuotesBackslashesAndControlCharacters) {
    EXPECT_EQ(json_string_literal(R"(a"b\c)"), R"("a\"b\\c")");
    EXPECT_EQ(json_string_literal("t\tn\nr\r\x01\x1f"), R"("t\tn\nr\r\u0001\u001f")");
    EXPECT_EQ(json_string_literal(""), R"("")");
    EXPECT_EQ(json_string_literal("<&>'/"), R"("<&>'/")");
}

TEST(JsonStringLiteral, KeepsUtf8AndReplacesBytesThatAreNot) {
    EXPECT_EQ(json_string_literal("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
              "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
    EXPECT_EQ(json_string_literal("a\xff"
                                  "b"),
              "\"a\xef\xbf\xbd"
              "b\"");
    EXPECT_EQ(json_string_literal("\xc3"), "\"\xef\xbf\xbd\"");                  // cut short
    EXPECT_EQ(json_string_literal("\xc0\xaf"), "\"\xef\xbf\xbd\xef\xbf\xbd\"");  // overlong
    EXPECT_EQ(json_string_literal("\xed\xa0\x80"),                               // a surrogate
              "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
}

TEST(XmlEscaped, EscapesMarkupAndQuotes) {
    EXPECT_EQ(xml_escaped(R"(<a href="x">'&'</a>)"),
              "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
    EXPECT_EQ(xml_escaped("back\\slash"), "back\\slash");
}

TEST(XmlEscaped, ReplacesWhatXmlCannotHold) {
    EXPECT_EQ(xml_escaped("a\x01"
                          "b\tc\n"),
              "a\xef\xbf\xbd"
              "b\tc\n");
    EXPECT_EQ(xml_escaped("\xfe"), "\xef\xbf\xbd");
    EXPECT_EQ(xml_escaped("\xc3\xa9"), "\xc3\xa9");
}

}  // namespace
}  // namespace bpfgen
