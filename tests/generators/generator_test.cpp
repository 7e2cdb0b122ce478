// generator_test.cpp: the generator registry's names and the place of the IP header as a
// command line gives it (-o N, --l2 LINK), without a process.
#include "generators/generator.h"

#include <gtest/gtest.h>

#include <string>

#include "libbpfgen/base/error.h"
#include "tests/common/usage_error.h"

namespace bpfgen {
namespace {

using bpftools::test::usage_error;

TEST(GeneratorNames, ListsTheRegistryInOrder) {
    EXPECT_EQ(generator_names(), "dns, dns_validate, p0f, suffix, tcpdump");
}

TEST(ParseL3Offset, ReadsBytesUpToTheLargestOffset) {
    EXPECT_EQ(parse_l3_offset("0"), 0u);
    EXPECT_EQ(parse_l3_offset("14"), 14u);
    EXPECT_EQ(parse_l3_offset("65535"), kMaxL3Offset);
}

TEST(ParseL3Offset, RefusesOtherTextNamingIt) {
    for (const char* text : {"", "-1", "65536", "14 ", "0x10", "99999999999999999999"}) {
        const std::string message = usage_error([&] { parse_l3_offset(text); });
        EXPECT_TRUE(message.starts_with("bad offset '" + std::string(text) + "'")) << message;
        EXPECT_NE(message.find("from 0 to 65535"), std::string::npos) << message;
    }
}

TEST(L3OffsetOfLinkLayer, NamesTheCommonLinkLayers) {
    EXPECT_EQ(l3_offset_of_link_layer("raw"), 0u);
    EXPECT_EQ(l3_offset_of_link_layer("ether"), 14u);
    EXPECT_EQ(l3_offset_of_link_layer("sll"), 16u);
    EXPECT_EQ(l3_offset_of_link_layer("vlan"), 18u);
    EXPECT_EQ(l3_offset_of_link_layer("sll2"), 20u);
}

TEST(L3OffsetOfLinkLayer, RefusesAnUnknownNameListingTheKnownOnes) {
    EXPECT_EQ(usage_error([] { l3_offset_of_link_layer("Ether"); }),
              "unknown link layer 'Ether' for --l2 (choose from raw, ether, sll, vlan, sll2)");
}

TEST(Generate, RefusesAnUnknownGeneratorListingTheKnownOnes) {
    EXPECT_EQ(usage_error([] { generate("dnz", {}, {}); }),
              "unknown generator 'dnz' (choose from dns, dns_validate, p0f, suffix, tcpdump)");
}

}  // namespace
}  // namespace bpfgen
