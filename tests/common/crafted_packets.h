// crafted_packets.h: DNS, TCP, ICMP and UDP packets over IPv4 and IPv6 behind each
// link-layer header bpfgen has offsets for, for tests that run recorded programs on
// packets their rules were written for. Header-only.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

namespace bpftools::test {

using Bytes = std::vector<uint8_t>;

inline Bytes concat(std::initializer_list<Bytes> parts) {
    Bytes all;
    for (const Bytes& part : parts) all.insert(all.end(), part.begin(), part.end());
    return all;
}

inline Bytes be16(std::size_t value) {
    return {static_cast<uint8_t>(value >> 8), static_cast<uint8_t>(value)};
}

inline Bytes dns_query(const std::string& name) {
    Bytes query = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('.', start);
        if (end == std::string::npos) end = name.size();
        query.push_back(static_cast<uint8_t>(end - start));
        query.insert(query.end(), name.begin() + static_cast<std::ptrdiff_t>(start),
                     name.begin() + static_cast<std::ptrdiff_t>(end));
        start = end + 1;
    }
    query.push_back(0);
    return concat({query, {0, 1, 0, 1}});
}

inline Bytes udp(uint16_t source, uint16_t destination, const Bytes& payload) {
    return concat({be16(source), be16(destination), be16(8 + payload.size()), {0, 0}, payload});
}

// SYN with MSS, SACK permitted, timestamps, NOP and window scale options.
inline Bytes tcp_syn(uint16_t source, uint16_t destination) {
    return concat({be16(source),
                   be16(destination),
                   {0, 0, 0, 1, 0, 0, 0, 0},
                   {0xa0, 0x02},
                   be16(64240),
                   {0, 0, 0, 0},
                   {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7}});
}

inline Bytes icmp_echo() {
    return {8, 0, 0, 0, 0, 1, 0, 1, 'p', 'i', 'n', 'g'};
}

inline Bytes ipv4(uint8_t protocol, const std::array<uint8_t, 4>& source, const Bytes& payload) {
    return concat({{0x45, 0},
                   be16(20 + payload.size()),
                   {0, 1, 0x40, 0, 64, protocol, 0, 0},
                   Bytes(source.begin(), source.end()),
                   {10, 1, 2, 3},
                   payload});
}

inline Bytes ipv6(uint8_t next_header, const Bytes& payload) {
    Bytes addresses(32, 0);
    addresses[0] = 0x20;
    addresses[1] = 0x01;
    addresses[15] = 1;
    addresses[16] = 0x20;
    addresses[17] = 0x01;
    addresses[31] = 2;
    return concat({{0x60, 0, 0, 0}, be16(payload.size()), {next_header, 64}, addresses, payload});
}

// The link-layer headers bpfgen supports offsets for: none, Ethernet, Linux SLL, 802.1Q.
inline std::vector<Bytes> framed(const Bytes& packet, bool v6) {
    const Bytes ethertype = v6 ? Bytes{0x86, 0xdd} : Bytes{0x08, 0x00};
    const Bytes macs = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2};
    return {packet, concat({macs, ethertype, packet}),
            concat({{0, 0, 0, 1, 0, 6}, {2, 0, 0, 0, 0, 1, 0, 0}, ethertype, packet}),
            concat({macs, {0x81, 0x00, 0x00, 0x64}, ethertype, packet})};
}

inline std::vector<Bytes> crafted_packets() {
    std::vector<Bytes> packets;
    const auto add = [&packets](const Bytes& packet, bool v6) {
        for (const Bytes& frame : framed(packet, v6)) packets.push_back(frame);
    };
    for (const char* name : {"example.com", "www.example.uk", "fin1.me", "x.example.y.gov.de",
                             "abcd.example.com", "q.a.b", "EXAMPLE.COM"}) {
        add(ipv4(17, {192, 0, 2, 1}, udp(3333, 53, dns_query(name))), false);
        add(ipv6(17, udp(3333, 53, dns_query(name))), true);
    }
    add(ipv4(6, {10, 9, 8, 7}, tcp_syn(40000, 80)), false);
    add(ipv6(6, tcp_syn(40000, 80)), true);
    add(ipv4(6, {10, 9, 8, 7}, tcp_syn(40000, 22)), false);
    add(ipv4(1, {192, 0, 2, 1}, icmp_echo()), false);
    const Bytes large = concat(
        {Bytes(1100, 0xee),
         {0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xba, 0xbe, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05}});
    add(ipv4(17, {10, 0, 0, 1}, udp(1000, 2000, large)), false);
    add(ipv4(17, {10, 0, 0, 1}, udp(1000, 2000, {0x01, 0x02, 0x03})), false);
    return packets;
}

// Calls visit(captured, wire_length) for each cut of each packet that the recorded-bytecode
// tests run: every cut of the first 160 bytes and the whole packet, each as a short capture
// of the whole packet and as a packet that short on the wire.
template <typename Visit>
void for_each_cut(const std::vector<Bytes>& packets, Visit&& visit) {
    for (const Bytes& packet : packets) {
        for (std::size_t length = 0; length <= packet.size(); ++length) {
            if (length > 160 && length != packet.size()) continue;
            const Bytes captured(packet.begin(),
                                 packet.begin() + static_cast<std::ptrdiff_t>(length));
            for (const std::size_t wire : {packet.size(), length}) visit(captured, wire);
        }
    }
}

}  // namespace bpftools::test
