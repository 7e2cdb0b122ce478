// dns_message.h: a DNS message parser (RFC 1035 with EDNS0, RFC 6891) for looking at
// captured queries and answers: header and flags, questions, the answer, authority and
// additional records with their data in presentation form, and the EDNS0 OPT record with
// its options. Hostile input is refused with an Error, never followed: compression
// pointers must stay inside the message and may not loop, names are at most 255 bytes.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace bpfgen {

namespace dnstype {
inline constexpr uint16_t kA = 1;
inline constexpr uint16_t kNs = 2;
inline constexpr uint16_t kCname = 5;
inline constexpr uint16_t kSoa = 6;
inline constexpr uint16_t kPtr = 12;
inline constexpr uint16_t kMx = 15;
inline constexpr uint16_t kTxt = 16;
inline constexpr uint16_t kAaaa = 28;
inline constexpr uint16_t kSrv = 33;
inline constexpr uint16_t kDname = 39;
inline constexpr uint16_t kOpt = 41;
}  // namespace dnstype

namespace ednsoption {
inline constexpr uint16_t kNsid = 3;
inline constexpr uint16_t kClientSubnet = 8;
inline constexpr uint16_t kCookie = 10;
inline constexpr uint16_t kClientSubnetDraft = 0x50fa;  // before RFC 7871 assigned 8
}  // namespace ednsoption

struct DnsQuestion {
    std::size_t offset = 0;  // of the name, from the start of the message
    std::string name;        // presentation form: "www.example.com.", "." for the root
    uint16_t type = 0;
    uint16_t dns_class = 0;
};

struct DnsRecord {
    std::size_t offset = 0;
    std::string name;
    uint16_t type = 0;
    uint16_t dns_class = 0;  // OPT: the sender's UDP payload size
    uint32_t ttl = 0;        // OPT: extended rcode, version and flags
    std::size_t data_offset = 0;
    std::vector<uint8_t> data;
    // The data in presentation form ("192.0.2.1", "10 mail.example.com.", "\# 3 0a0b0c" for
    // types without one); empty for OPT, whose content is in DnsMessage::edns.
    std::string data_text;
};

struct EdnsOption {
    uint16_t code = 0;
    std::vector<uint8_t> data;
};

struct Edns {
    uint16_t udp_payload_size = 0;
    uint8_t extended_rcode = 0;  // the upper 8 bits of the 12-bit response code
    uint8_t version = 0;
    uint16_t flags = 0;  // all 16 flag bits, DO included
    std::vector<EdnsOption> options;

    bool dnssec_ok() const { return (flags & 0x8000) != 0; }
};

struct DnsMessage {
    uint16_t id = 0;
    uint16_t flags = 0;
    uint16_t question_count = 0;  // the header's counts
    uint16_t answer_count = 0;
    uint16_t authority_count = 0;
    uint16_t additional_count = 0;
    std::vector<DnsQuestion> questions;
    std::vector<DnsRecord> answers;
    std::vector<DnsRecord> authority;
    std::vector<DnsRecord> additional;  // the OPT record included
    std::optional<Edns> edns;
    std::size_t size = 0;  // bytes the message occupies; anything after is trailing data
    // The offset of the length byte of every label spelled out in the message (each once):
    // what the names are made of, so they can be rewritten in place.
    std::vector<std::size_t> label_offsets;

    bool is_response() const { return (flags & 0x8000) != 0; }
    int opcode() const { return (flags >> 11) & 0x0f; }
    // The 12-bit response code: the header's 4 bits plus EDNS's extension.
    int rcode() const { return (edns ? edns->extended_rcode << 4 : 0) | (flags & 0x0f); }
};

// Throws Error naming the section, the record and the offset of what is wrong: a
// truncated header, name or record; a compression pointer outside the message or in a
// loop; a name longer than 255 bytes; a label type other than 0 and 0xc0; record data that
// does not fit its type; a second OPT record.
DnsMessage parse_dns_message(std::span<const uint8_t> message);

// DNS over TCP (RFC 1035 4.2.2): each message follows a 2-byte length in network order.
struct TcpDnsFrame {
    std::size_t announced_length = 0;  // what the length field says
    std::size_t carried_length = 0;    // what the segment holds after it
    // The message as far as the segment carries it: announced_length bytes, fewer when
    // the segment is cut short.
    std::size_t message_offset = 2;
    std::size_t message_length() const { return std::min(announced_length, carried_length); }
    bool complete() const { return announced_length <= carried_length; }
};

// The framing of the first message in a TCP segment, or nullopt when the segment holds
// fewer than the 2 bytes of the length.
std::optional<TcpDnsFrame> read_tcp_dns_frame(std::span<const uint8_t> segment);

std::string dns_type_name(uint16_t type);        // "AAAA", "TYPE65280" when unknown
std::string dns_class_name(uint16_t dns_class);  // "IN", "CLASS7" when unknown
std::string dns_opcode_name(int opcode);         // "QUERY", "NOTIFY", "OPCODE7"
std::string dns_rcode_name(int rcode);           // "NXDOMAIN", "BADVERS", "RCODE99"
// The header's flag bits set, as dig shows them: "qr aa tc rd ra z ad cd".
std::string dns_flag_names(uint16_t flags);
// "NSID", "client-subnet", "COOKIE", "option 65001" ...
std::string edns_option_name(uint16_t code);
// The option's name and decoded content, e.g. "client-subnet 192.0.2.0/24 scope /0",
// "NSID 00112233 \"...\"" or "option 77 deadbeef"; malformed content is shown in hex.
std::string format_edns_option(const EdnsOption& option);

}  // namespace bpfgen
