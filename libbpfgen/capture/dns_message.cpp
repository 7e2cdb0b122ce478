// dns_message.cpp: DNS message parsing and the presentation forms of its parts.
#include "libbpfgen/capture/dns_message.h"

#include <algorithm>
#include <array>
#include <string_view>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/hex.h"
#include "libbpfgen/capture/detail/network_order.h"
#include "libbpfgen/capture/packet_headers.h"

namespace bpfgen {

namespace {

constexpr std::size_t kHeaderSize = 12;
constexpr std::size_t kMaxNameLength = 255;  // wire form, length bytes and root included
// A name has at most 127 labels; following more pointers than that can only be a loop
// (or something as hostile), and bounds the work per name.
constexpr int kMaxPointers = 127;

// A label in presentation form: '.' and '\' escaped, bytes outside printable ASCII as \DDD.
void append_label(std::string& out, std::span<const uint8_t> label) {
    for (uint8_t byte : label) {
        if (byte == '.' || byte == '\\') {
            out += '\\';
            out += static_cast<char>(byte);
        } else if (byte <= 0x20 || byte >= 0x7f) {
            fmt::format_to(std::back_inserter(out), "\\{:03d}", byte);
        } else {
            out += static_cast<char>(byte);
        }
    }
}

// A character-string (TXT) in quotes: '"' and '\' escaped, other unprintables as \DDD.
void append_quoted(std::string& out, std::span<const uint8_t> text) {
    out += '"';
    for (uint8_t byte : text) {
        if (byte == '"' || byte == '\\') {
            out += '\\';
            out += static_cast<char>(byte);
        } else if (byte < 0x20 || byte >= 0x7f) {
            fmt::format_to(std::back_inserter(out), "\\{:03d}", byte);
        } else {
            out += static_cast<char>(byte);
        }
    }
    out += '"';
}

struct DecodedName {
    std::string text;
    std::size_t end = 0;  // just after the name where it was found (not where pointers led)
};

class Parser {
  public:
    explicit Parser(std::span<const uint8_t> message) : message_(message) {}

    DnsMessage parse() {
        DnsMessage result;
        if (message_.size() < kHeaderSize) {
            throw Error(fmt::format("truncated DNS header: {} of 12 bytes", message_.size()));
        }
        result.id = read16(message_, 0);
        result.flags = read16(message_, 2);
        result.question_count = read16(message_, 4);
        result.answer_count = read16(message_, 6);
        result.authority_count = read16(message_, 8);
        result.additional_count = read16(message_, 10);

        std::size_t offset = kHeaderSize;
        for (uint16_t i = 0; i < result.question_count; ++i) {
            try {
                result.questions.push_back(parse_question(offset));
            } catch (const Error& error) {
                throw Error(fmt::format("question {}: {}", i + 1, error.what()));
            }
        }
        parse_records("answer", result.answer_count, offset, result.answers);
        parse_records("authority record", result.authority_count, offset, result.authority);
        parse_records("additional record", result.additional_count, offset, result.additional);
        for (std::size_t i = 0; i < result.additional.size(); ++i) {
            const DnsRecord& record = result.additional[i];
            if (record.type != dnstype::kOpt) continue;
            if (result.edns) {
                throw Error(fmt::format("additional record {}: a second OPT record", i + 1));
            }
            try {
                result.edns = parse_edns(record);
            } catch (const Error& error) {
                throw Error(fmt::format("additional record {} (OPT): {}", i + 1, error.what()));
            }
        }
        result.size = offset;
        std::sort(label_offsets_.begin(), label_offsets_.end());
        label_offsets_.erase(std::unique(label_offsets_.begin(), label_offsets_.end()),
                             label_offsets_.end());
        result.label_offsets = std::move(label_offsets_);
        return result;
    }

  private:
    // Labels spelled out where the name starts must end before limit; compression pointers
    // may lead anywhere in the message.
    DecodedName decode_name(std::size_t start, std::size_t limit) {
        DecodedName name;
        std::size_t position = start;
        std::size_t bound = limit;
        std::size_t wire_length = 1;  // the root's zero byte
        std::array<std::size_t, kMaxPointers> targets{};
        int pointers = 0;
        bool jumped = false;
        for (;;) {
            if (position >= bound) {
                throw Error(fmt::format("name at offset {} runs past the end of the {}", start,
                                        jumped ? "message" : "data"));
            }
            const uint8_t length = message_[position];
            if (length == 0) {
                if (!jumped) name.end = position + 1;
                break;
            }
            if ((length & 0xc0) == 0xc0) {
                if (position + 2 > bound) {
                    throw Error(
                        fmt::format("name at offset {}: compression pointer at offset "
                                    "{} is cut off",
                                    start, position));
                }
                const std::size_t target = read16(message_, position) & 0x3fff;
                if (target >= message_.size()) {
                    throw Error(
                        fmt::format("name at offset {}: compression pointer at offset "
                                    "{} points to {}, outside the {}-byte message",
                                    start, position, target, message_.size()));
                }
                const auto seen_end = targets.begin() + pointers;
                if (std::find(targets.begin(), seen_end, target) != seen_end ||
                    target == position) {
                    throw Error(
                        fmt::format("name at offset {}: compression pointer loop (the "
                                    "pointer at offset {} leads back to {})",
                                    start, position, target));
                }
                if (pointers == kMaxPointers) {
                    throw Error(
                        fmt::format("name at offset {}: more than {} compression "
                                    "pointers",
                                    start, kMaxPointers));
                }
                targets[static_cast<std::size_t>(pointers++)] = target;
                if (!jumped) name.end = position + 2;
                jumped = true;
                bound = message_.size();
                position = target;
                continue;
            }
            if ((length & 0xc0) != 0) {
                throw Error(
                    fmt::format("name at offset {}: unsupported label type 0x{:02x} at "
                                "offset {}",
                                start, length & 0xc0, position));
            }
            if (position + 1 + length > bound) {
                throw Error(
                    fmt::format("name at offset {}: label at offset {} runs past the "
                                "end of the {}",
                                start, position, jumped ? "message" : "data"));
            }
            wire_length += 1 + length;
            if (wire_length > kMaxNameLength) {
                throw Error(fmt::format("name at offset {} is longer than 255 bytes", start));
            }
            label_offsets_.push_back(position);
            append_label(name.text, message_.subspan(position + 1, length));
            name.text += '.';
            position += 1 + length;
        }
        if (name.text.empty()) name.text.push_back('.');  // the root
        return name;
    }

    DnsQuestion parse_question(std::size_t& offset) {
        DnsQuestion question;
        question.offset = offset;
        DecodedName name = decode_name(offset, message_.size());
        if (name.end + 4 > message_.size()) {
            throw Error(
                fmt::format("truncated at offset {}: type and class need 4 bytes", name.end));
        }
        question.name = std::move(name.text);
        question.type = read16(message_, name.end);
        question.dns_class = read16(message_, name.end + 2);
        offset = name.end + 4;
        return question;
    }

    void parse_records(const char* section, uint16_t count, std::size_t& offset,
                       std::vector<DnsRecord>& records) {
        for (uint16_t i = 0; i < count; ++i) {
            try {
                records.push_back(parse_record(offset));
            } catch (const Error& error) {
                throw Error(fmt::format("{} {}: {}", section, i + 1, error.what()));
            }
        }
    }

    DnsRecord parse_record(std::size_t& offset) {
        DnsRecord record;
        record.offset = offset;
        DecodedName name = decode_name(offset, message_.size());
        if (name.end + 10 > message_.size()) {
            throw Error(
                fmt::format("truncated at offset {}: type, class, TTL and data length "
                            "need 10 bytes",
                            name.end));
        }
        record.name = std::move(name.text);
        record.type = read16(message_, name.end);
        record.dns_class = read16(message_, name.end + 2);
        record.ttl = read32(message_, name.end + 4);
        const std::size_t length = read16(message_, name.end + 8);
        record.data_offset = name.end + 10;
        if (record.data_offset + length > message_.size()) {
            throw Error(fmt::format(
                "{} data of {} bytes at offset {} runs past the end of the "
                "{}-byte message",
                dns_type_name(record.type), length, record.data_offset, message_.size()));
        }
        const auto data = message_.subspan(record.data_offset, length);
        record.data.assign(data.begin(), data.end());
        record.data_text = format_data(record);
        offset = record.data_offset + length;
        return record;
    }

    // The data of the record at [data_offset, data_offset + data.size()).
    std::string format_data(const DnsRecord& record) {
        const std::size_t begin = record.data_offset;
        const std::size_t end = begin + record.data.size();
        const auto data = std::span<const uint8_t>(record.data);
        constexpr uint16_t kClassIn = 1;
        auto expect_size = [&](std::size_t size) {
            if (data.size() != size) {
                throw Error(fmt::format("{} data is {} bytes, expected {}",
                                        dns_type_name(record.type), data.size(), size));
            }
        };
        // A name filling the data from `at` on, or followed by exactly `after` bytes.
        auto name_at = [&](std::size_t at, std::size_t after) {
            DecodedName name = decode_name(at, end);
            if (name.end + after != end) {
                throw Error(fmt::format("{} data has {} bytes where {} were expected",
                                        dns_type_name(record.type), data.size(),
                                        name.end + after - begin));
            }
            return name;
        };
        auto minimum = [&](std::size_t size) {
            if (data.size() < size) {
                throw Error(fmt::format("{} data is {} bytes, at least {} expected",
                                        dns_type_name(record.type), data.size(), size));
            }
        };
        switch (record.type) {
            case dnstype::kOpt:
                return {};
            case dnstype::kA:
                if (record.dns_class != kClassIn) break;
                expect_size(4);
                return format_ip_address(data);
            case dnstype::kAaaa:
                if (record.dns_class != kClassIn) break;
                expect_size(16);
                return format_ip_address(data);
            case dnstype::kNs:
            case dnstype::kCname:
            case dnstype::kPtr:
            case dnstype::kDname:
                return name_at(begin, 0).text;
            case dnstype::kMx: {
                minimum(3);
                return fmt::format("{} {}", read16(data, 0), name_at(begin + 2, 0).text);
            }
            case dnstype::kSrv: {
                minimum(7);
                return fmt::format("{} {} {} {}", read16(data, 0), read16(data, 2), read16(data, 4),
                                   name_at(begin + 6, 0).text);
            }
            case dnstype::kSoa: {
                DecodedName primary = decode_name(begin, end);
                DecodedName mailbox = name_at(primary.end, 20);
                return fmt::format("{} {} {} {} {} {} {}", primary.text, mailbox.text,
                                   read32(message_, mailbox.end), read32(message_, mailbox.end + 4),
                                   read32(message_, mailbox.end + 8),
                                   read32(message_, mailbox.end + 12),
                                   read32(message_, mailbox.end + 16));
            }
            case dnstype::kTxt: {
                std::string out;
                std::size_t at = 0;
                while (at < data.size()) {
                    const std::size_t length = data[at];
                    if (at + 1 + length > data.size()) {
                        throw Error(
                            fmt::format("TXT string at offset {} runs past the data", begin + at));
                    }
                    if (!out.empty()) out += ' ';
                    append_quoted(out, data.subspan(at + 1, length));
                    at += 1 + length;
                }
                return out;
            }
            default:
                break;
        }
        // RFC 3597's form for data without a known presentation.
        return data.empty() ? "\\# 0" : fmt::format("\\# {} {}", data.size(), hex_encode(data));
    }

    Edns parse_edns(const DnsRecord& record) {
        Edns edns;
        edns.udp_payload_size = record.dns_class;
        edns.extended_rcode = static_cast<uint8_t>(record.ttl >> 24);
        edns.version = static_cast<uint8_t>(record.ttl >> 16);
        edns.flags = static_cast<uint16_t>(record.ttl);
        const auto data = std::span<const uint8_t>(record.data);
        std::size_t at = 0;
        while (at < data.size()) {
            if (at + 4 > data.size()) {
                throw Error(fmt::format("option at offset {} is cut off: {} of 4 header bytes",
                                        record.data_offset + at, data.size() - at));
            }
            EdnsOption option;
            option.code = read16(data, at);
            const std::size_t length = read16(data, at + 2);
            if (at + 4 + length > data.size()) {
                throw Error(fmt::format("{} option at offset {} claims {} bytes, {} remain",
                                        edns_option_name(option.code), record.data_offset + at,
                                        length, data.size() - at - 4));
            }
            option.data.assign(data.begin() + static_cast<std::ptrdiff_t>(at + 4),
                               data.begin() + static_cast<std::ptrdiff_t>(at + 4 + length));
            edns.options.push_back(std::move(option));
            at += 4 + length;
        }
        return edns;
    }

    std::span<const uint8_t> message_;
    std::vector<std::size_t> label_offsets_;
};

struct Named {
    uint16_t value;
    std::string_view name;
};

constexpr std::array<Named, 47> kTypes{{
    {1, "A"},           {2, "NS"},      {5, "CNAME"},   {6, "SOA"},       {12, "PTR"},
    {13, "HINFO"},      {15, "MX"},     {16, "TXT"},    {17, "RP"},       {18, "AFSDB"},
    {24, "SIG"},        {25, "KEY"},    {28, "AAAA"},   {29, "LOC"},      {33, "SRV"},
    {35, "NAPTR"},      {36, "KX"},     {37, "CERT"},   {39, "DNAME"},    {41, "OPT"},
    {42, "APL"},        {43, "DS"},     {44, "SSHFP"},  {45, "IPSECKEY"}, {46, "RRSIG"},
    {47, "NSEC"},       {48, "DNSKEY"}, {49, "DHCID"},  {50, "NSEC3"},    {51, "NSEC3PARAM"},
    {52, "TLSA"},       {53, "SMIMEA"}, {55, "HIP"},    {59, "CDS"},      {60, "CDNSKEY"},
    {61, "OPENPGPKEY"}, {62, "CSYNC"},  {63, "ZONEMD"}, {64, "SVCB"},     {65, "HTTPS"},
    {99, "SPF"},        {249, "TKEY"},  {250, "TSIG"},  {251, "IXFR"},    {252, "AXFR"},
    {255, "ANY"},       {256, "URI"},
}};

constexpr std::array<Named, 3> kMoreTypes{{{257, "CAA"}, {32768, "TA"}, {32769, "DLV"}}};

constexpr std::array<Named, 5> kClasses{{
    {1, "IN"},
    {3, "CH"},
    {4, "HS"},
    {254, "NONE"},
    {255, "ANY"},
}};

constexpr std::array<Named, 6> kOpcodes{{
    {0, "QUERY"},
    {1, "IQUERY"},
    {2, "STATUS"},
    {4, "NOTIFY"},
    {5, "UPDATE"},
    {6, "DSO"},
}};

constexpr std::array<Named, 20> kRcodes{{
    {0, "NOERROR"},  {1, "FORMERR"},    {2, "SERVFAIL"}, {3, "NXDOMAIN"},  {4, "NOTIMP"},
    {5, "REFUSED"},  {6, "YXDOMAIN"},   {7, "YXRRSET"},  {8, "NXRRSET"},   {9, "NOTAUTH"},
    {10, "NOTZONE"}, {11, "DSOTYPENI"}, {16, "BADVERS"}, {17, "BADKEY"},   {18, "BADTIME"},
    {19, "BADMODE"}, {20, "BADNAME"},   {21, "BADALG"},  {22, "BADTRUNC"}, {23, "BADCOOKIE"},
}};

constexpr std::array<Named, 14> kOptions{{
    {1, "LLQ"},
    {2, "UL"},
    {3, "NSID"},
    {5, "DAU"},
    {6, "DHU"},
    {7, "N3U"},
    {8, "client-subnet"},
    {9, "EXPIRE"},
    {10, "COOKIE"},
    {11, "tcp-keepalive"},
    {12, "padding"},
    {13, "CHAIN"},
    {14, "key-tag"},
    {15, "extended-error"},
}};

template <std::size_t N>
std::optional<std::string_view> lookup(const std::array<Named, N>& table, int value) {
    for (const Named& entry : table) {
        if (entry.value == value) return entry.name;
    }
    return std::nullopt;
}

std::string format_client_subnet(std::span<const uint8_t> data) {
    if (data.size() < 4) return fmt::format("(malformed) {}", hex_encode(data));
    const uint16_t family = read16(data, 0);
    const unsigned source = data[2];
    const unsigned scope = data[3];
    const auto address = data.subspan(4);
    const std::size_t full = family == 1 ? 4 : family == 2 ? 16 : 0;
    if (full == 0 || address.size() > full || source > full * 8 ||
        address.size() != (source + 7) / 8) {
        return fmt::format("family {} source /{} scope /{} (malformed) {}", family, source, scope,
                           hex_encode(address));
    }
    std::array<uint8_t, 16> padded{};
    std::copy(address.begin(), address.end(), padded.begin());
    return fmt::format("{}/{} scope /{}", format_ip_address(std::span(padded.data(), full)), source,
                       scope);
}

// A name without compression filling all of data, or nullopt.
std::optional<std::string> uncompressed_name(std::span<const uint8_t> data) {
    std::string text;
    std::size_t at = 0;
    while (at < data.size() && data[at] != 0) {
        const std::size_t length = data[at];
        if (length > 63 || at + 1 + length > data.size()) return std::nullopt;
        append_label(text, data.subspan(at + 1, length));
        text += '.';
        at += 1 + length;
    }
    if (at + 1 != data.size() || at + 1 > kMaxNameLength) return std::nullopt;
    if (text.empty()) text.push_back('.');
    return text;
}

std::string format_algorithms(std::span<const uint8_t> data) {
    std::string out;
    for (uint8_t algorithm : data) {
        if (!out.empty()) out += ' ';
        out += std::to_string(algorithm);
    }
    return out;
}

}  // namespace

DnsMessage parse_dns_message(std::span<const uint8_t> message) {
    return Parser(message).parse();
}

std::string dns_type_name(uint16_t type) {
    if (auto name = lookup(kTypes, type)) return std::string(*name);
    if (auto name = lookup(kMoreTypes, type)) return std::string(*name);
    return fmt::format("TYPE{}", type);
}

std::string dns_class_name(uint16_t dns_class) {
    if (auto name = lookup(kClasses, dns_class)) return std::string(*name);
    return fmt::format("CLASS{}", dns_class);
}

std::string dns_opcode_name(int opcode) {
    if (auto name = lookup(kOpcodes, opcode)) return std::string(*name);
    return fmt::format("OPCODE{}", opcode);
}

std::string dns_rcode_name(int rcode) {
    if (auto name = lookup(kRcodes, rcode)) return std::string(*name);
    return fmt::format("RCODE{}", rcode);
}

std::string dns_flag_names(uint16_t flags) {
    static constexpr std::array<std::pair<uint16_t, std::string_view>, 8> kFlags{{
        {0x8000, "qr"},
        {0x0400, "aa"},
        {0x0200, "tc"},
        {0x0100, "rd"},
        {0x0080, "ra"},
        {0x0040, "z"},
        {0x0020, "ad"},
        {0x0010, "cd"},
    }};
    std::string out;
    for (const auto& [bit, name] : kFlags) {
        if ((flags & bit) == 0) continue;
        if (!out.empty()) out += ' ';
        out += name;
    }
    return out;
}

std::string edns_option_name(uint16_t code) {
    if (code == ednsoption::kClientSubnetDraft) return "client-subnet(draft)";
    if (auto name = lookup(kOptions, code)) return std::string(*name);
    return fmt::format("option {}", code);
}

std::string format_edns_option(const EdnsOption& option) {
    const std::string name = edns_option_name(option.code);
    const auto data = std::span<const uint8_t>(option.data);
    if (data.empty()) return name;
    switch (option.code) {
        case ednsoption::kNsid: {
            const bool printable = std::all_of(data.begin(), data.end(),
                                               [](uint8_t b) { return b >= 0x20 && b < 0x7f; });
            if (!printable) return fmt::format("{} {}", name, hex_encode(data));
            return fmt::format("{} {} \"{}\"", name, hex_encode(data),
                               std::string(data.begin(), data.end()));
        }
        case ednsoption::kClientSubnet:
        case ednsoption::kClientSubnetDraft:
            return fmt::format("{} {}", name, format_client_subnet(data));
        case ednsoption::kCookie:
            if (data.size() < 8) break;
            if (data.size() == 8) return fmt::format("{} client {}", name, hex_encode(data));
            return fmt::format("{} client {} server {}", name, hex_encode(data.first(8)),
                               hex_encode(data.subspan(8)));
        case 5:
        case 6:
        case 7:
            return fmt::format("{} {}", name, format_algorithms(data));
        case 9:  // EXPIRE: seconds
            if (data.size() != 4) break;
            return fmt::format("{} {} s", name, read32(data, 0));
        case 11:  // tcp-keepalive: units of 100 ms
            if (data.size() != 2) break;
            return fmt::format("{} {}.{} s", name, read16(data, 0) / 10, read16(data, 0) % 10);
        case 12:
            return fmt::format("{} {} bytes", name, data.size());
        case 13:  // CHAIN: the closest trust point, an uncompressed name
            if (auto chain = uncompressed_name(data)) return fmt::format("{} {}", name, *chain);
            break;
        case 14: {
            if (data.size() % 2 != 0) break;
            std::string tags;
            for (std::size_t i = 0; i < data.size(); i += 2) {
                fmt::format_to(std::back_inserter(tags), " {}", read16(data, i));
            }
            return name + tags;
        }
        case 15: {
            if (data.size() < 2) break;
            std::string out = fmt::format("{} {}", name, read16(data, 0));
            if (data.size() > 2) {
                out += ' ';
                append_quoted(out, data.subspan(2));
            }
            return out;
        }
        default:
            break;
    }
    return fmt::format("{} {}", name, hex_encode(data));
}

std::optional<TcpDnsFrame> read_tcp_dns_frame(std::span<const uint8_t> segment) {
    if (segment.size() < 2) return std::nullopt;
    TcpDnsFrame frame;
    frame.announced_length = static_cast<std::size_t>(segment[0] << 8 | segment[1]);
    frame.carried_length = segment.size() - 2;
    return frame;
}

}  // namespace bpfgen
