// dns_message_test.cpp: the DNS message parser on real queries and answers from
// tcpdump's test suite (expected values are what tcpdump prints for them), and on hostile
// messages built here: compression pointer loops (the real "zlip" attack packet among
// them), pointers outside the message, overlong names, truncation at every point.
#include "libbpfgen/capture/dns_message.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/packet_headers.h"
#include "tests/common/capture_files.h"

namespace bpfgen {
namespace {

using bpftools::test::bytes_of;
using bpftools::test::Capture;
using bpftools::test::expect_error;
using bpftools::test::read_capture;

// The UDP payload of packet `index` (0-based) of a capture.
std::vector<uint8_t> dns_payload(const char* capture_name, std::size_t index) {
    const Capture capture = read_capture(capture_name);
    const auto& packet = capture.packets.at(index).data;
    const auto network = find_network_layer(capture.link_type, packet);
    EXPECT_TRUE(network);
    const IpHeader ip = decode_ip_header(packet, network->offset);
    const TransportHeader udp = decode_transport_header(packet, ip);
    return {packet.begin() + static_cast<std::ptrdiff_t>(udp.payload_offset),
            packet.begin() + static_cast<std::ptrdiff_t>(udp.payload_end)};
}

std::vector<uint8_t> operator+(std::vector<uint8_t> head, const std::vector<uint8_t>& tail) {
    head.insert(head.end(), tail.begin(), tail.end());
    return head;
}

// A query header: id 0x1234, RD, the given counts.
std::vector<uint8_t> header(int questions, int answers = 0, int authority = 0, int additional = 0) {
    return bytes_of(
        {0x12, 0x34, 0x01, 0x00, 0, questions, 0, answers, 0, authority, 0, additional});
}

const std::vector<uint8_t> kExampleCom =
    bytes_of({7, 'e', 'x', 'a', 'm', 'p', 'l', 'e', 3, 'c', 'o', 'm', 0});
const std::vector<uint8_t> kTypeAClassIn = bytes_of({0, 1, 0, 1});

// An answer record for the name at offset 12, with this type and data.
std::vector<uint8_t> answer(int type, const std::vector<uint8_t>& data) {
    return bytes_of({0xc0, 12, type >> 8, type & 0xff, 0, 1, 0, 0, 0x0e, 0x10,
                     static_cast<int>(data.size() >> 8), static_cast<int>(data.size() & 0xff)}) +
           data;
}

TEST(ParseDnsMessage, ARealQueryWithEdnsCookie) {
    // tcpdump: 22836+ [1au] A? www.tcpdump.org. (56)
    const DnsMessage message = parse_dns_message(dns_payload("dns_udp.pcap", 0));
    EXPECT_EQ(message.id, 22836);
    EXPECT_FALSE(message.is_response());
    EXPECT_EQ(message.opcode(), 0);
    EXPECT_EQ(dns_flag_names(message.flags), "rd ad");
    ASSERT_EQ(message.questions.size(), 1u);
    EXPECT_EQ(message.questions[0].name, "www.tcpdump.org.");
    EXPECT_EQ(message.questions[0].type, dnstype::kA);
    EXPECT_EQ(message.questions[0].dns_class, 1);
    ASSERT_TRUE(message.edns);
    EXPECT_EQ(message.edns->udp_payload_size, 4096);
    EXPECT_FALSE(message.edns->dnssec_ok());
    ASSERT_EQ(message.edns->options.size(), 1u);
    EXPECT_EQ(message.edns->options[0].code, ednsoption::kCookie);
    EXPECT_EQ(message.size, 56u);
}

TEST(ParseDnsMessage, ARealAnswerWithEverySection) {
    // tcpdump: 22836*- 2/2/5 A 192.139.46.66, A 198.199.88.104 (224)
    const DnsMessage message = parse_dns_message(dns_payload("dns_udp.pcap", 1));
    EXPECT_TRUE(message.is_response());
    EXPECT_EQ(dns_flag_names(message.flags), "qr aa rd");
    ASSERT_EQ(message.answers.size(), 2u);
    EXPECT_EQ(message.answers[0].name, "www.tcpdump.org.");
    EXPECT_EQ(message.answers[0].data_text, "192.139.46.66");
    EXPECT_EQ(message.answers[1].data_text, "198.199.88.104");
    ASSERT_EQ(message.authority.size(), 2u);
    EXPECT_EQ(message.authority[0].name, "tcpdump.org.");
    EXPECT_EQ(message.authority[0].type, dnstype::kNs);
    EXPECT_EQ(message.authority[0].ttl, 86400u);
    EXPECT_EQ(message.authority[0].data_text, "sns.cooperix.net.");
    EXPECT_EQ(message.authority[1].data_text, "nic.sandelman.ca.");
    ASSERT_EQ(message.additional.size(), 5u);
    EXPECT_EQ(message.additional[1].type, dnstype::kAaaa);
    EXPECT_EQ(message.additional[1].data_text, "2607:f0b0:f::babe:f00d");
    EXPECT_EQ(message.additional[4].type, dnstype::kOpt);
    EXPECT_EQ(message.size, 224u);
}

TEST(ParseDnsMessage, DnsOverIpv6) {
    const DnsMessage message = parse_dns_message(dns_payload("LINKTYPE_RAW_ipv6.pcap", 0));
    EXPECT_EQ(message.id, 4660);
    ASSERT_EQ(message.questions.size(), 1u);
    EXPECT_EQ(message.questions[0].name, "example.com.");
}

TEST(ParseDnsMessage, EdnsUdpSizeAndDnssecOk) {
    // tcpdump: OPT UDPsize=12345 DO
    const DnsMessage message = parse_dns_message(dns_payload("edns-opts.pcap", 2));
    ASSERT_TRUE(message.edns);
    EXPECT_EQ(message.edns->udp_payload_size, 12345);
    EXPECT_TRUE(message.edns->dnssec_ok());
    EXPECT_EQ(message.edns->version, 0);
    EXPECT_TRUE(message.edns->options.empty());
}

TEST(ParseDnsMessage, EdnsOptionsAsTcpdumpDecodesThem) {
    const std::vector<std::pair<std::size_t, std::string>> expected = {
        {4, "client-subnet 192.0.2.0/24 scope /0"},
        {6, "client-subnet 192.1.2.3/32 scope /0"},
        {8, "client-subnet 2001:db8:85a3::8a2e:0:0/100 scope /0"},
        {10, "COOKIE client a954d29208767b5c"},
        {11, "COOKIE client a954d29208767b5c server cf75f75b5db0bf0575c9f2d76c962883"},
        {12, "DAU 6 7"},
        {16, "CHAIN foo.example.com."},
        {18, "tcp-keepalive 123.4 s"},
        {20, "key-tag 40000"},
        {22, "key-tag 30000 60000"},
        {24, "EXPIRE"},
        {26, "EXPIRE 1209600 s"},
        {28, "NSID"},
        {30, "NSID 00112233445566778899"},
        {32, "option 77 deadbeef"},
        {34, "padding 6 bytes"},
    };
    for (const auto& [index, text] : expected) {
        SCOPED_TRACE(index);
        const DnsMessage message = parse_dns_message(dns_payload("edns-opts.pcap", index));
        ASSERT_TRUE(message.edns);
        ASSERT_EQ(message.edns->options.size(), 1u);
        EXPECT_EQ(format_edns_option(message.edns->options[0]), text);
    }
}

TEST(ParseDnsMessage, SeveralEdnsOptionsInOrder) {
    // tcpdump: [NSID 0123456789abcdef,PADDING (12),COOKIE aaaaaaaaaaaaaaaa]
    const DnsMessage message = parse_dns_message(dns_payload("edns-opts.pcap", 36));
    ASSERT_TRUE(message.edns);
    ASSERT_EQ(message.edns->options.size(), 3u);
    EXPECT_EQ(format_edns_option(message.edns->options[0]), "NSID 0123456789abcdef");
    EXPECT_EQ(format_edns_option(message.edns->options[1]), "padding 12 bytes");
    EXPECT_EQ(format_edns_option(message.edns->options[2]), "COOKIE client aaaaaaaaaaaaaaaa");
}

TEST(ParseDnsMessage, ExtendedRcodeCombinesEdnsAndHeader) {
    // tcpdump: 63147 BadCookie 0/0/1, over BSD loopback.
    const DnsMessage message = parse_dns_message(dns_payload("dns-badcookie.pcap", 1));
    EXPECT_EQ(message.rcode(), 23);
    EXPECT_EQ(dns_rcode_name(message.rcode()), "BADCOOKIE");
}

TEST(ParseDnsMessage, NamesInRecordDataFollowPointers) {
    // dnssec.pcap packet 4: A plus four NS records whose targets are compressed.
    const DnsMessage message = parse_dns_message(dns_payload("dnssec.pcap", 3));
    ASSERT_EQ(message.authority.size(), 4u);
    EXPECT_EQ(message.authority[0].data_text, "ns4.cynic.net.");
    EXPECT_EQ(message.answers.at(0).data_text, "125.100.126.202");
}

TEST(ParseDnsMessage, TheRealZlipPacketsPointerLoopIsRefused) {
    // Its question's name is a compression pointer to itself.
    expect_error([] { parse_dns_message(dns_payload("dns-zlip-1.pcap", 0)); },
                 {"question 1", "name at offset 12", "compression pointer loop"});
}

TEST(ParseDnsMessage, ALoopThroughTwoPointersIsRefused) {
    // Offset 12 points to 14, 14 back to 12.
    const auto message = header(1) + bytes_of({0xc0, 14, 0xc0, 12, 0, 1, 0, 1});
    expect_error([&] { parse_dns_message(message); }, {"compression pointer loop"});
}

TEST(ParseDnsMessage, ALoopThroughLabelsIsRefused) {
    // "a" then a pointer back to the "a": a name that would grow for ever.
    const auto message = header(1) + bytes_of({1, 'a', 0xc0, 12, 0, 1, 0, 1});
    expect_error([&] { parse_dns_message(message); }, {"compression pointer loop"});
}

TEST(ParseDnsMessage, APointerOutsideTheMessageIsRefused) {
    const auto message = header(1) + bytes_of({0xc1, 0x00, 0, 1, 0, 1});
    expect_error([&] { parse_dns_message(message); },
                 {"pointer at offset 12 points to 256", "outside the 18-byte message"});
}

TEST(ParseDnsMessage, ALongChainOfPointersIsBounded) {
    // The question's name points into a chain of 200 pointers, each to the one before it,
    // the first to a root label: no loop, but no real name needs more than 127 pointers.
    const std::size_t chain = 12 + 2 + 4;  // after the question's pointer, type and class
    const std::size_t last = chain + 1 + 2 * 199;
    std::vector<uint8_t> message = header(1);
    message.push_back(static_cast<uint8_t>(0xc0 | last >> 8));
    message.push_back(static_cast<uint8_t>(last & 0xff));
    message = message + kTypeAClassIn + bytes_of({0});
    for (std::size_t i = 0; i < 200; ++i) {
        const std::size_t previous = i == 0 ? chain : chain + 1 + 2 * (i - 1);
        message.push_back(static_cast<uint8_t>(0xc0 | previous >> 8));
        message.push_back(static_cast<uint8_t>(previous & 0xff));
    }
    expect_error([&] { parse_dns_message(message); }, {"more than 127 compression pointers"});
}

TEST(ParseDnsMessage, APointerCutOffByTheEndIsRefused) {
    const auto message = header(1) + bytes_of({0xc0});
    expect_error([&] { parse_dns_message(message); }, {"pointer at offset 12 is cut off"});
}

TEST(ParseDnsMessage, NamesLongerThan255BytesAreRefused) {
    std::vector<uint8_t> name;
    for (int label = 0; label < 5; ++label) {
        name.push_back(63);
        name.insert(name.end(), 63, 'x');
    }
    name.push_back(0);
    expect_error([&] { parse_dns_message(header(1) + name + kTypeAClassIn); },
                 {"longer than 255 bytes"});
}

TEST(ParseDnsMessage, ExtendedLabelTypesAreRefused) {
    expect_error(
        [] {
            parse_dns_message(header(1) + bytes_of({0x41, 0, 0, 1, 0, 1}));
        },
        {"unsupported label type 0x40 at offset 12"});
}

TEST(ParseDnsMessage, TruncationIsRefusedWherever) {
    const auto whole = header(1, 1) + kExampleCom + kTypeAClassIn + answer(1, {192, 0, 2, 1});
    EXPECT_NO_THROW(parse_dns_message(whole));
    for (std::size_t size = 0; size < whole.size(); ++size) {
        SCOPED_TRACE(size);
        const std::vector<uint8_t> cut(whole.begin(),
                                       whole.begin() + static_cast<std::ptrdiff_t>(size));
        EXPECT_THROW(parse_dns_message(cut), Error);
    }
    expect_error([&] { parse_dns_message(std::vector<uint8_t>(whole.begin(), whole.begin() + 5)); },
                 {"truncated DNS header: 5 of 12 bytes"});
    expect_error(
        [&] { parse_dns_message(std::vector<uint8_t>(whole.begin(), whole.begin() + 20)); },
        {"question 1", "runs past the end"});
    expect_error([&] { parse_dns_message(std::vector<uint8_t>(whole.end() - 2, whole.end())); },
                 {"truncated DNS header"});
    expect_error([&] { parse_dns_message(std::vector<uint8_t>(whole.begin(), whole.end() - 2)); },
                 {"answer 1", "A data of 4 bytes", "runs past the end"});
}

TEST(ParseDnsMessage, MoreRecordsThanTheMessageHoldsIsRefused) {
    const auto message = header(1, 3) + kExampleCom + kTypeAClassIn + answer(1, {192, 0, 2, 1});
    expect_error([&] { parse_dns_message(message); }, {"answer 2"});
}

TEST(ParseDnsMessage, RecordDataMustFitItsType) {
    const auto base = header(1, 1) + kExampleCom + kTypeAClassIn;
    expect_error(
        [&] {
            parse_dns_message(base + answer(dnstype::kA, {1, 2, 3}));
        },
        {"answer 1", "A data is 3 bytes, expected 4"});
    expect_error(
        [&] {
            parse_dns_message(base + answer(dnstype::kAaaa, {1, 2, 3, 4}));
        },
        {"AAAA data is 4 bytes, expected 16"});
    // A CNAME whose name is followed by a stray byte.
    expect_error(
        [&] {
            parse_dns_message(base + answer(dnstype::kCname, {0xc0, 12, 7}));
        },
        {"CNAME data has 3 bytes where 2 were expected"});
    // A name in record data may not run past the data even if the message goes on.
    expect_error(
        [&] {
            parse_dns_message(base + answer(dnstype::kNs, {3, 'a', 'b'}) + bytes_of({'c', 0}));
        },
        {"runs past the end of the data"});
}

TEST(ParseDnsMessage, RecordDataInPresentationForm) {
    const auto base = header(1, 1) + kExampleCom + kTypeAClassIn;
    auto data_text = [&](int type, const std::vector<uint8_t>& data) {
        return parse_dns_message(base + answer(type, data)).answers.at(0).data_text;
    };
    EXPECT_EQ(data_text(dnstype::kMx, bytes_of({0, 10, 4, 'm', 'a', 'i', 'l', 0xc0, 12})),
              "10 mail.example.com.");
    EXPECT_EQ(data_text(dnstype::kSrv, bytes_of({0, 1, 0, 2, 0x01, 0xbb, 0xc0, 12})),
              "1 2 443 example.com.");
    EXPECT_EQ(data_text(dnstype::kTxt, bytes_of({3, 'a', '"', 'b', 0, 2, 1, 0xff})),
              "\"a\\\"b\" \"\" \"\\001\\255\"");
    EXPECT_EQ(data_text(dnstype::kSoa, bytes_of({2, 'n', 's', 0xc0, 12, 0, 0, 0, 0, 1, 0, 0, 0,
                                                 2, 0,   0,   0,    3,  0, 0, 0, 4, 0, 0, 0, 5})),
              "ns.example.com. . 1 2 3 4 5");
    EXPECT_EQ(data_text(99, bytes_of({0xab, 0xcd})), "\\# 2 abcd");  // SPF has none here
    EXPECT_EQ(data_text(65280, {}), "\\# 0");
}

TEST(ParseDnsMessage, LabelsAreShownInPresentationForm) {
    const auto name = bytes_of({5, 'a', '.', 'b', ' ', 0xff, 1, '\\', 0});
    const DnsMessage message = parse_dns_message(header(1) + name + kTypeAClassIn);
    EXPECT_EQ(message.questions.at(0).name, "a\\.b\\032\\255.\\\\.");
}

TEST(ParseDnsMessage, TheRootIsADot) {
    const DnsMessage message = parse_dns_message(header(1) + bytes_of({0, 0, 6, 0, 1}));
    EXPECT_EQ(message.questions.at(0).name, ".");
    EXPECT_EQ(dns_type_name(message.questions.at(0).type), "SOA");
}

TEST(ParseDnsMessage, LabelOffsetsNameEverySpelledOutLabelOnce) {
    const auto message = header(1, 1) + kExampleCom + kTypeAClassIn +
                         answer(dnstype::kCname, bytes_of({3, 'w', 'w', 'w', 0xc0, 12}));
    const DnsMessage parsed = parse_dns_message(message);
    // "example" at 12, "com" at 20, "www" in the CNAME's data at 12+13+4+12 = 41.
    EXPECT_EQ(parsed.label_offsets, (std::vector<std::size_t>{12, 20, 41}));
    EXPECT_EQ(parsed.answers.at(0).data_text, "www.example.com.");
}

TEST(ParseDnsMessage, ASecondOptRecordIsRefused) {
    const auto opt = bytes_of({0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 0});
    expect_error([&] { parse_dns_message(header(0, 0, 0, 2) + opt + opt); },
                 {"additional record 2", "a second OPT record"});
}

TEST(ParseDnsMessage, AnEdnsOptionRunningPastItsRecordIsRefused) {
    const auto opt = bytes_of({0, 0, 41, 0x10, 0, 0, 0, 0, 0, 0, 6, 0, 3, 0, 9, 1, 2});
    expect_error([&] { parse_dns_message(header(0, 0, 0, 1) + opt); },
                 {"additional record 1 (OPT)", "NSID option", "claims 9 bytes, 2 remain"});
}

TEST(ParseDnsMessage, TrailingBytesAreLeftOutOfTheSize) {
    const auto message = header(1) + kExampleCom + kTypeAClassIn + bytes_of({0xde, 0xad});
    EXPECT_EQ(parse_dns_message(message).size, message.size() - 2);
}

TEST(DnsNames, TypesClassesOpcodesAndRcodes) {
    EXPECT_EQ(dns_type_name(28), "AAAA");
    EXPECT_EQ(dns_type_name(65), "HTTPS");
    EXPECT_EQ(dns_type_name(32769), "DLV");
    EXPECT_EQ(dns_type_name(65280), "TYPE65280");
    EXPECT_EQ(dns_class_name(3), "CH");
    EXPECT_EQ(dns_class_name(7), "CLASS7");
    EXPECT_EQ(dns_opcode_name(4), "NOTIFY");
    EXPECT_EQ(dns_opcode_name(9), "OPCODE9");
    EXPECT_EQ(dns_rcode_name(3), "NXDOMAIN");
    EXPECT_EQ(dns_rcode_name(16), "BADVERS");
    EXPECT_EQ(dns_rcode_name(99), "RCODE99");
    EXPECT_EQ(dns_flag_names(0xffff), "qr aa tc rd ra z ad cd");
}

TEST(FormatEdnsOption, MalformedClientSubnetIsShownInHex) {
    EXPECT_EQ(format_edns_option({8, bytes_of({0, 1, 24})}), "client-subnet (malformed) 000118");
    // Source /8 needs one address byte, not two.
    EXPECT_EQ(format_edns_option({8, bytes_of({0, 1, 8, 0, 10, 1})}),
              "client-subnet family 1 source /8 scope /0 (malformed) 0a01");
}

TEST(FormatEdnsOption, PreStandardClientSubnetCode) {
    EXPECT_EQ(format_edns_option({0x50fa, bytes_of({0, 1, 16, 0, 10, 1})}),
              "client-subnet(draft) 10.1.0.0/16 scope /0");
}

TEST(FormatEdnsOption, PrintableNsidIsAlsoShownAsText) {
    EXPECT_EQ(format_edns_option({3, bytes_of({'n', 's', '1'})}), "NSID 6e7331 \"ns1\"");
}

}  // namespace
}  // namespace bpfgen
