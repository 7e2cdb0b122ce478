// packet_headers.h: the IP header (IPv4, or IPv6 with its extension headers) and the
// UDP/TCP header of a captured packet whose IP header offset is known: their fields and
// where the transport payload lies within the captured bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace bpfgen {

namespace ipproto {
inline constexpr uint8_t kHopByHop = 0;
inline constexpr uint8_t kTcp = 6;
inline constexpr uint8_t kUdp = 17;
inline constexpr uint8_t kRouting = 43;
inline constexpr uint8_t kFragment = 44;
inline constexpr uint8_t kAuthentication = 51;
inline constexpr uint8_t kDestinationOptions = 60;
}  // namespace ipproto

struct IpHeader {
    int version = 0;                  // 4 or 6
    std::size_t offset = 0;           // first byte of the IP header in the packet
    std::size_t header_length = 0;    // IPv4: IHL * 4; IPv6: 40 plus the extension headers
    std::size_t end = 0;              // end of the IP packet in the captured bytes: the length
                                      // the header states, cut to what was captured
    std::size_t stated_length = 0;    // IPv4 total length; IPv6 40 + payload length
    uint8_t protocol = 0;             // IPv6: the header after the extension headers
    uint8_t ttl = 0;                  // IPv6: the hop limit
    uint8_t traffic_class = 0;        // IPv4: the TOS byte
    uint16_t identification = 0;      // IPv4, or the IPv6 fragment header's (low 16 bits)
    std::size_t fragment_offset = 0;  // in bytes
    bool more_fragments = false;
    bool dont_fragment = false;       // IPv4
    std::span<const uint8_t> source;  // 4 or 16 bytes
    std::span<const uint8_t> destination;

    bool is_later_fragment() const { return fragment_offset != 0; }
};

// Throws Error when the bytes at offset are not a complete IPv4 or IPv6 header (wrong
// version, IHL below 5, truncated header or extension header, stated length below the
// header's).
IpHeader decode_ip_header(std::span<const uint8_t> packet, std::size_t offset);

struct TransportHeader {
    uint8_t protocol = 0;  // ipproto::kUdp or ipproto::kTcp
    std::size_t offset = 0;
    std::size_t header_length = 0;  // UDP 8; TCP data offset * 4
    uint16_t source_port = 0;
    uint16_t destination_port = 0;
    uint16_t udp_length = 0;  // as stated in the UDP header
    uint8_t tcp_flags = 0;
    std::size_t payload_offset = 0;  // the payload is [payload_offset, ip.end)
    std::size_t payload_end = 0;
};

// The UDP or TCP header after ip. Throws Error for another protocol, a fragment other than
// the first, or a truncated header.
TransportHeader decode_transport_header(std::span<const uint8_t> packet, const IpHeader& ip);

// Dotted quad for 4 bytes, RFC 5952 text for 16 bytes, hex otherwise.
std::string format_ip_address(std::span<const uint8_t> address);

}  // namespace bpfgen
