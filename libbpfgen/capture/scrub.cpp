// scrub.cpp: deterministic pseudonymisation of addresses and DNS names in a packet.
#include "libbpfgen/capture/scrub.h"

#include <algorithm>
#include <optional>

#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/dns_message.h"
#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/packet_headers.h"

namespace bpfgen {

namespace {

// Different seeds keep an IPv4 address, an IPv6 address and a label with equal bytes from
// getting related replacements.
constexpr uint64_t kIpv4Seed = 0x6a09e667f3bcc908;
constexpr uint64_t kIpv6Seed = 0xbb67ae8584caa73b;
constexpr uint64_t kLabelSeed = 0x3c6ef372fe94f82b;

uint64_t mix(uint64_t value) {
    // splitmix64's finaliser: every input bit affects every output bit.
    value += 0x9e3779b97f4a7c15;
    value = (value ^ (value >> 30)) * 0xbf58476d1ce4e5b9;
    value = (value ^ (value >> 27)) * 0x94d049bb133111eb;
    return value ^ (value >> 31);
}

uint64_t hash_bytes(uint64_t seed, std::span<const uint8_t> bytes) {
    uint64_t state = mix(seed ^ bytes.size());
    for (uint8_t byte : bytes) state = mix(state ^ byte);
    return state;
}

// Fills `out` with bytes derived from `key`.
void derive(uint64_t key, std::span<uint8_t> out) {
    uint64_t block = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (i % 8 == 0) block = mix(key + i);
        out[i] = static_cast<uint8_t>(block >> (8 * (i % 8)));
    }
}

void replace_address(std::span<uint8_t> address) {
    const uint64_t seed = address.size() == 4 ? kIpv4Seed : kIpv6Seed;
    derive(hash_bytes(seed, address), address);
}

// Letters stay letters of the same case and digits digits; the replacement depends on the
// label's lower-cased text only, so "Example" and "example" keep one spelling each.
void replace_label(std::span<uint8_t> label) {
    std::vector<uint8_t> lower(label.begin(), label.end());
    for (uint8_t& byte : lower) {
        if (byte >= 'A' && byte <= 'Z') byte = static_cast<uint8_t>(byte - 'A' + 'a');
    }
    std::vector<uint8_t> shifts(label.size());
    derive(hash_bytes(kLabelSeed, lower), shifts);
    for (std::size_t i = 0; i < label.size(); ++i) {
        uint8_t& byte = label[i];
        if (byte >= 'a' && byte <= 'z') {
            byte = static_cast<uint8_t>('a' + (lower[i] - 'a' + shifts[i]) % 26);
        } else if (byte >= 'A' && byte <= 'Z') {
            byte = static_cast<uint8_t>('A' + (lower[i] - 'a' + shifts[i]) % 26);
        } else if (byte >= '0' && byte <= '9') {
            byte = static_cast<uint8_t>('0' + (byte - '0' + shifts[i]) % 10);
        }
    }
}

uint32_t sum16(std::span<const uint8_t> bytes, uint32_t sum = 0) {
    for (std::size_t i = 0; i + 1 < bytes.size(); i += 2) sum += bytes[i] << 8 | bytes[i + 1];
    if (bytes.size() % 2 != 0) sum += bytes.back() << 8;
    return sum;
}

uint16_t fold(uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<uint16_t>(sum);
}

// The one's complement sum of the transport pseudo-header and segment; 0xffff when the
// checksum in the segment is right.
uint16_t transport_sum(std::span<const uint8_t> packet, const IpHeader& ip,
                       const TransportHeader& transport) {
    const std::size_t length = ip.end - transport.offset;
    uint32_t sum = sum16(ip.source);
    sum = sum16(ip.destination, sum);
    sum += transport.protocol;
    sum += static_cast<uint32_t>(length & 0xffff) + static_cast<uint32_t>(length >> 16);
    return fold(sum16(packet.subspan(transport.offset, length), sum));
}

void store16(std::span<uint8_t> bytes, std::size_t offset, uint16_t value) {
    bytes[offset] = static_cast<uint8_t>(value >> 8);
    bytes[offset + 1] = static_cast<uint8_t>(value);
}

// An EDNS client-subnet address: only the bytes of the source prefix are on the wire, and
// the bits past the prefix must stay zero (RFC 7871). The pseudonym is that of the address
// padded with zeros, cut back to the prefix.
void replace_client_subnet(std::span<uint8_t> option) {
    constexpr std::size_t kHeader = 4;  // family (2), source prefix (1), scope prefix (1)
    if (option.size() < kHeader) return;
    const unsigned family = option[0] << 8 | option[1];
    const std::size_t full = family == 1 ? 4 : family == 2 ? 16 : 0;
    const std::span<uint8_t> address = option.subspan(kHeader);
    const unsigned prefix = option[2];
    if (full == 0 || address.size() > full || prefix > full * 8) return;
    std::vector<uint8_t> padded(full, 0);
    std::copy(address.begin(), address.end(), padded.begin());
    replace_address(padded);
    for (std::size_t i = 0; i < address.size(); ++i) {
        const unsigned bits_before = static_cast<unsigned>(i) * 8;
        const unsigned kept = prefix > bits_before ? std::min(prefix - bits_before, 8u) : 0;
        address[i] = static_cast<uint8_t>(padded[i] & (0xff00 >> kept));
    }
}

void scrub_record_data(std::span<uint8_t> message, const DnsRecord& record) {
    const std::span<uint8_t> data = message.subspan(record.data_offset, record.data.size());
    if ((record.type == dnstype::kA && data.size() == 4) ||
        (record.type == dnstype::kAaaa && data.size() == 16)) {
        replace_address(data);
    } else if (record.type == dnstype::kOpt) {
        // Options: code (2), length (2), content.
        for (std::size_t at = 0; at + 4 <= data.size();) {
            const unsigned code = data[at] << 8 | data[at + 1];
            const std::size_t length = data[at + 2] << 8 | data[at + 3];
            if (at + 4 + length > data.size()) break;
            if (code == ednsoption::kClientSubnet || code == ednsoption::kClientSubnetDraft) {
                replace_client_subnet(data.subspan(at + 4, length));
            }
            at += 4 + length;
        }
    }
}

void scrub_dns(std::span<uint8_t> message) {
    DnsMessage parsed;
    try {
        parsed = parse_dns_message(message);
    } catch (const Error&) {
        return;  // not DNS, or not well-formed enough to find its names
    }
    for (std::size_t offset : parsed.label_offsets) {
        replace_label(message.subspan(offset + 1, message[offset]));
    }
    for (const auto* section : {&parsed.answers, &parsed.authority, &parsed.additional}) {
        for (const DnsRecord& record : *section) scrub_record_data(message, record);
    }
}

void scrub_arp(std::span<uint8_t> arp) {
    // Ethernet/IPv4 ARP: hardware type 1, protocol 0x0800, address lengths 6 and 4.
    if (arp.size() < 28 || arp[0] != 0 || arp[1] != 1 || arp[2] != 0x08 || arp[3] != 0x00 ||
        arp[4] != 6 || arp[5] != 4) {
        return;
    }
    std::fill(arp.begin() + 8, arp.begin() + 14, uint8_t{0});
    replace_address(arp.subspan(14, 4));
    std::fill(arp.begin() + 18, arp.begin() + 24, uint8_t{0});
    replace_address(arp.subspan(24, 4));
}

void scrub_ip(std::span<uint8_t> packet, std::size_t offset) {
    IpHeader ip;
    try {
        ip = decode_ip_header(packet, offset);
    } catch (const Error&) {
        return;
    }
    const bool header_checksum_valid =
        ip.version == 4 && fold(sum16(packet.subspan(offset, ip.header_length))) == 0xffff;

    std::optional<TransportHeader> transport;
    bool transport_checksum_valid = false;
    try {
        transport = decode_transport_header(packet, ip);
        const bool whole = !ip.more_fragments && ip.end == ip.offset + ip.stated_length;
        const std::size_t checksum_at =
            transport->offset + (transport->protocol == ipproto::kUdp ? 6 : 16);
        const bool has_checksum = !(ip.version == 4 && transport->protocol == ipproto::kUdp &&
                                    packet[checksum_at] == 0 && packet[checksum_at + 1] == 0);
        transport_checksum_valid =
            whole && has_checksum && transport_sum(packet, ip, *transport) == 0xffff;
    } catch (const Error&) {
        transport.reset();
    }

    // The spans in ip point into packet, so they see the replacements.
    replace_address(packet.subspan(static_cast<std::size_t>(ip.source.data() - packet.data()),
                                   ip.source.size()));
    replace_address(packet.subspan(static_cast<std::size_t>(ip.destination.data() - packet.data()),
                                   ip.destination.size()));

    if (transport) {
        auto payload = packet.subspan(transport->payload_offset,
                                      transport->payload_end - transport->payload_offset);
        if (transport->protocol == ipproto::kUdp) {
            scrub_dns(payload);
        } else if (transport->source_port == 53 || transport->destination_port == 53) {
            if (const std::optional<TcpDnsFrame> frame = read_tcp_dns_frame(payload)) {
                scrub_dns(payload.subspan(frame->message_offset, frame->message_length()));
            }
        }
        if (transport_checksum_valid) {
            const std::size_t checksum_at =
                transport->offset + (transport->protocol == ipproto::kUdp ? 6 : 16);
            store16(packet, checksum_at, 0);
            uint16_t checksum = static_cast<uint16_t>(~transport_sum(packet, ip, *transport));
            if (checksum == 0 && transport->protocol == ipproto::kUdp) checksum = 0xffff;
            store16(packet, checksum_at, checksum);
        }
    }
    if (header_checksum_valid) {
        store16(packet, offset + 10, 0);
        store16(packet, offset + 10,
                static_cast<uint16_t>(~fold(sum16(packet.subspan(offset, ip.header_length)))));
    }
}

}  // namespace

std::vector<uint8_t> scrub_packet(int link_type, std::span<const uint8_t> original) {
    std::vector<uint8_t> bytes(original.begin(), original.end());
    const std::span<uint8_t> packet(bytes);
    LinkHeader header;
    try {
        header = decode_link_header(link_type, original);
    } catch (const Error&) {
        if (!is_supported_link_type(link_type)) throw;
        return bytes;  // shorter than its link-layer header
    }
    auto zero = [&](std::span<const uint8_t> address) {
        if (address.empty()) return;
        const auto at = static_cast<std::size_t>(address.data() - original.data());
        std::fill_n(bytes.begin() + static_cast<std::ptrdiff_t>(at), address.size(), uint8_t{0});
    };
    zero(header.destination);
    zero(header.source);

    if (header.ethertype == ethertype::kArp) {
        scrub_arp(packet.subspan(header.length));
    } else if (const auto network = find_network_layer(link_type, original)) {
        scrub_ip(packet, network->offset);
    }
    return bytes;
}

}  // namespace bpfgen
