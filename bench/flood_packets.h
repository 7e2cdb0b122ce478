// flood_packets.h: the packets the benchmarks run programs over: Ethernet/IPv4/UDP DNS
// queries in the flood mix of make_flood.py (70% random label under www.example.uk, 20%
// www.example.uk, 10% other names) and TCP SYNs for the p0f program.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace bench {

using Packet = std::vector<uint8_t>;

inline void put16(Packet& p, uint16_t v) {
    p.push_back(static_cast<uint8_t>(v >> 8));
    p.push_back(static_cast<uint8_t>(v));
}

inline Packet ethernet_ipv4(uint8_t protocol, const Packet& l4) {
    Packet p = {2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x08, 0x00};
    p.insert(p.end(), {0x45, 0});
    put16(p, static_cast<uint16_t>(20 + l4.size()));
    p.insert(p.end(), {0x12, 0x34, 0x40, 0, 64, protocol, 0, 0, 198, 51, 100, 7, 192, 0, 2, 53});
    p.insert(p.end(), l4.begin(), l4.end());
    return p;
}

inline Packet dns_query(std::string_view name) {
    Packet dns = {0xab, 0xcd, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t dot = name.find('.', start);
        if (dot == std::string_view::npos) dot = name.size();
        dns.push_back(static_cast<uint8_t>(dot - start));
        dns.insert(dns.end(), name.begin() + static_cast<long>(start),
                   name.begin() + static_cast<long>(dot));
        start = dot + 1;
    }
    dns.insert(dns.end(), {0, 0, 1, 0, 1});
    Packet udp;
    put16(udp, 40000);
    put16(udp, 53);
    put16(udp, static_cast<uint16_t>(8 + dns.size()));
    put16(udp, 0);
    udp.insert(udp.end(), dns.begin(), dns.end());
    return ethernet_ipv4(17, udp);
}

inline std::vector<Packet> dns_flood(std::size_t count) {
    std::mt19937 rng(20141105);
    std::uniform_real_distribution<double> draw(0.0, 1.0);
    std::uniform_int_distribution<int> length(4, 16);
    const std::string letters = "abcdefghijklmnopqrstuvwxyz0123456789";
    std::uniform_int_distribution<std::size_t> letter(0, letters.size() - 1);
    const std::vector<std::string> others = {"example.com", "www.example.org", "mail.example.uk",
                                             "a.b.c.example.net"};
    std::vector<Packet> packets;
    for (std::size_t i = 0; i < count; ++i) {
        const double d = draw(rng);
        std::string name;
        if (d < 0.7) {
            for (int n = length(rng); n > 0; --n) name += letters[letter(rng)];
            name += ".www.example.uk";
        } else if (d < 0.9) {
            name = "www.example.uk";
        } else {
            name = others[i % others.size()];
        }
        packets.push_back(dns_query(name));
    }
    return packets;
}

// A Linux-like SYN: mss, sackOK, timestamps, nop, window scale 7.
inline Packet tcp_syn() {
    Packet tcp;
    put16(tcp, 40000);
    put16(tcp, 80);
    tcp.insert(tcp.end(), {0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0, 0xa0, 0x02});
    put16(tcp, 64240);
    tcp.insert(tcp.end(), {0, 0, 0, 0});
    tcp.insert(tcp.end(), {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7});
    return ethernet_ipv4(6, tcp);
}

}  // namespace bench
