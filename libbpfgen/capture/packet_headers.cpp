// packet_headers.cpp: IPv4/IPv6 and UDP/TCP header decoding.
#include "libbpfgen/capture/packet_headers.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/hex.h"
#include "libbpfgen/capture/detail/network_order.h"

namespace bpfgen {

namespace {

constexpr std::size_t kIpv4MinimumHeader = 20;
constexpr std::size_t kIpv6Header = 40;
constexpr std::size_t kUdpHeader = 8;
constexpr std::size_t kTcpMinimumHeader = 20;

// The header [offset, offset + length) must lie before end.
void require(std::size_t end, std::size_t offset, std::size_t length, const char* what) {
    if (end < offset + length) {
        throw Error(fmt::format("truncated {}: {} of {} bytes captured", what,
                                end > offset ? end - offset : 0, length));
    }
}

IpHeader decode_ipv4(std::span<const uint8_t> packet, std::size_t offset) {
    require(packet.size(), offset, kIpv4MinimumHeader, "IPv4 header");
    IpHeader ip;
    ip.version = 4;
    ip.offset = offset;
    ip.header_length = static_cast<std::size_t>(packet[offset] & 0x0f) * 4;
    if (ip.header_length < kIpv4MinimumHeader) {
        throw Error(fmt::format("IPv4 header length {} is below 20", ip.header_length));
    }
    require(packet.size(), offset, ip.header_length, "IPv4 header with options");
    ip.traffic_class = packet[offset + 1];
    ip.stated_length = read16(packet, offset + 2);
    if (ip.stated_length < ip.header_length) {
        throw Error(fmt::format("IPv4 total length {} is below its header length {}",
                                ip.stated_length, ip.header_length));
    }
    ip.identification = read16(packet, offset + 4);
    const uint16_t fragment = read16(packet, offset + 6);
    ip.dont_fragment = (fragment & 0x4000) != 0;
    ip.more_fragments = (fragment & 0x2000) != 0;
    ip.fragment_offset = static_cast<std::size_t>(fragment & 0x1fff) * 8;
    ip.ttl = packet[offset + 8];
    ip.protocol = packet[offset + 9];
    ip.source = packet.subspan(offset + 12, 4);
    ip.destination = packet.subspan(offset + 16, 4);
    ip.end = std::min(packet.size(), offset + ip.stated_length);
    return ip;
}

IpHeader decode_ipv6(std::span<const uint8_t> packet, std::size_t offset) {
    require(packet.size(), offset, kIpv6Header, "IPv6 header");
    IpHeader ip;
    ip.version = 6;
    ip.offset = offset;
    ip.traffic_class = static_cast<uint8_t>((read16(packet, offset) >> 4) & 0xff);
    const std::size_t payload_length = read16(packet, offset + 4);
    ip.stated_length = kIpv6Header + payload_length;
    ip.protocol = packet[offset + 6];
    ip.ttl = packet[offset + 7];
    ip.source = packet.subspan(offset + 8, 16);
    ip.destination = packet.subspan(offset + 24, 16);
    // A zero payload length announces a jumbogram: the capture tells the length.
    ip.end =
        payload_length == 0 ? packet.size() : std::min(packet.size(), offset + ip.stated_length);

    // Each extension header is at least 8 bytes long, so the packet bounds this loop.
    std::size_t next = offset + kIpv6Header;
    for (;;) {
        std::size_t length = 0;
        switch (ip.protocol) {
            case ipproto::kHopByHop:
            case ipproto::kRouting:
            case ipproto::kDestinationOptions:
                require(ip.end, next, 2, "IPv6 extension header");
                length = (static_cast<std::size_t>(packet[next + 1]) + 1) * 8;
                break;
            case ipproto::kFragment: {
                length = 8;
                require(ip.end, next, length, "IPv6 fragment header");
                const uint16_t fragment = read16(packet, next + 2);
                ip.fragment_offset = static_cast<std::size_t>(fragment >> 3) * 8;
                ip.more_fragments = (fragment & 1) != 0;
                ip.identification = read16(packet, next + 6);
                break;
            }
            case ipproto::kAuthentication:
                require(ip.end, next, 2, "IPv6 authentication header");
                length = (static_cast<std::size_t>(packet[next + 1]) + 2) * 4;
                break;
            default:
                ip.header_length = next - offset;
                return ip;
        }
        require(ip.end, next, length, "IPv6 extension header");
        ip.protocol = packet[next];
        next += length;
    }
}

}  // namespace

IpHeader decode_ip_header(std::span<const uint8_t> packet, std::size_t offset) {
    if (offset >= packet.size()) throw Error("no IP header: the packet ends before it");
    switch (packet[offset] >> 4) {
        case 4:
            return decode_ipv4(packet, offset);
        case 6:
            return decode_ipv6(packet, offset);
        default:
            throw Error(fmt::format("IP version {} is neither 4 nor 6", packet[offset] >> 4));
    }
}

TransportHeader decode_transport_header(std::span<const uint8_t> packet, const IpHeader& ip) {
    if (ip.is_later_fragment()) {
        throw Error(fmt::format("IPv{} fragment at offset {} carries no transport header",
                                ip.version, ip.fragment_offset));
    }
    TransportHeader transport;
    transport.protocol = ip.protocol;
    transport.offset = ip.offset + ip.header_length;
    if (ip.protocol == ipproto::kUdp) {
        require(ip.end, transport.offset, kUdpHeader, "UDP header");
        transport.header_length = kUdpHeader;
        transport.udp_length = read16(packet, transport.offset + 4);
    } else if (ip.protocol == ipproto::kTcp) {
        require(ip.end, transport.offset, kTcpMinimumHeader, "TCP header");
        transport.header_length = static_cast<std::size_t>(packet[transport.offset + 12] >> 4) * 4;
        if (transport.header_length < kTcpMinimumHeader) {
            throw Error(fmt::format("TCP header length {} is below 20", transport.header_length));
        }
        require(ip.end, transport.offset, transport.header_length, "TCP header with options");
        transport.tcp_flags = packet[transport.offset + 13];
    } else {
        throw Error(fmt::format("IP protocol {} is neither UDP (17) nor TCP (6)", ip.protocol));
    }
    transport.source_port = read16(packet, transport.offset);
    transport.destination_port = read16(packet, transport.offset + 2);
    transport.payload_offset = transport.offset + transport.header_length;
    transport.payload_end = ip.end;
    return transport;
}

std::string format_ip_address(std::span<const uint8_t> address) {
    std::array<char, INET6_ADDRSTRLEN> text{};
    if (address.size() == 4 && ::inet_ntop(AF_INET, address.data(), text.data(),
                                           static_cast<socklen_t>(text.size())) != nullptr) {
        return text.data();
    }
    if (address.size() == 16 && ::inet_ntop(AF_INET6, address.data(), text.data(),
                                            static_cast<socklen_t>(text.size())) != nullptr) {
        return text.data();
    }
    return hex_encode(address);
}

}  // namespace bpfgen
