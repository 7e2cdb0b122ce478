// link_layer.h: the link-layer headers of captured packets: decoding them for the link
// types this project understands (Ethernet with 802.1Q/802.1ad VLAN tags, Linux cooked
// SLL and SLL2, raw IPv4/IPv6, BSD null and OpenBSD loop), finding where the IP header
// starts, and rewriting a packet as plain Ethernet.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace bpfgen {

// LINKTYPE_* values, as stored in pcap and pcapng files.
namespace linktype {
inline constexpr int kNull = 0;  // 4-byte address family in the writer's byte order
inline constexpr int kEthernet = 1;
inline constexpr int kRaw = 101;       // IPv4 or IPv6, told apart by the version nibble
inline constexpr int kLoop = 108;      // 4-byte address family in network byte order
inline constexpr int kLinuxSll = 113;  // "tcpdump -i any", 16-byte header
inline constexpr int kIpv4 = 228;
inline constexpr int kIpv6 = 229;
inline constexpr int kLinuxSll2 = 276;  // 20-byte header with the interface index
}  // namespace linktype

namespace ethertype {
inline constexpr uint16_t kIpv4 = 0x0800;
inline constexpr uint16_t kArp = 0x0806;
inline constexpr uint16_t kVlan = 0x8100;  // 802.1Q
inline constexpr uint16_t kIpv6 = 0x86dd;
inline constexpr uint16_t kQinQ = 0x88a8;     // 802.1ad service tag
inline constexpr uint16_t kQinQOld = 0x9100;  // pre-standard double tagging
}  // namespace ethertype

// Whether decode_link_header understands this link type.
bool is_supported_link_type(int link_type);

struct VlanTag {
    uint16_t tpid = 0;  // 0x8100, 0x88a8 or 0x9100
    uint16_t tci = 0;   // priority (3 bits), DEI (1), VLAN id (12)

    uint16_t id() const { return tci & 0x0fff; }
};

struct LinkHeader {
    std::size_t length = 0;                   // bytes before the payload, VLAN tags included
    uint16_t ethertype = 0;                   // of the payload; 0 when the header does not say
    std::vector<VlanTag> vlan_tags;           // outermost first
    std::span<const uint8_t> destination;     // hardware addresses the header carries
    std::span<const uint8_t> source;          // (empty when it has none)
    std::optional<uint16_t> packet_type;      // SLL/SLL2: 0 to us, 1 broadcast, 4 outgoing...
    std::optional<uint16_t> hardware_type;    // SLL/SLL2: ARPHRD_* of the interface
    std::optional<uint32_t> interface_index;  // SLL2
};

// Decodes the link-layer header of one packet. Throws Error for a link type that is not
// supported or a packet shorter than its fixed header. An Ethernet VLAN tag cut off by
// the end of the capture ends the decoding (ethertype is then the tag's TPID).
LinkHeader decode_link_header(int link_type, std::span<const uint8_t> packet);

// What the filters need of a link-layer header for every packet, decoded without
// allocating or throwing (decode_link_header gives all of it).
struct LinkSummary {
    std::size_t length = 0;                   // as LinkHeader::length
    uint16_t ethertype = 0;                   // as LinkHeader::ethertype
    std::optional<VlanTag> outer_vlan_tag;    // the first of LinkHeader::vlan_tags
    std::optional<uint16_t> packet_type;      // as in LinkHeader
    std::optional<uint16_t> hardware_type;    //
    std::optional<uint32_t> interface_index;  //
};

// The summary of a packet's link-layer header, or nullopt where decode_link_header would
// throw: a link type that is not supported, a packet shorter than its fixed header.
std::optional<LinkSummary> summarize_link_header(int link_type, std::span<const uint8_t> packet);

struct NetworkLayer {
    std::size_t offset = 0;  // first byte of the IP header
    uint16_t ethertype = 0;  // ethertype::kIpv4 or ethertype::kIpv6
};

// Where the IP header starts: nullopt when the packet carries no IPv4 or IPv6 (ARP, an
// empty payload, a version nibble that contradicts the header) or is shorter than its
// link-layer header. Throws Error for a link type that is not supported.
std::optional<NetworkLayer> find_network_layer(int link_type, std::span<const uint8_t> packet);
// The same for a packet whose link-layer header is already summarized.
std::optional<NetworkLayer> find_network_layer(const LinkSummary& link,
                                               std::span<const uint8_t> packet);

// The packet with its link-layer header replaced by a 14-byte Ethernet header: VLAN tags
// removed, hardware addresses the original header lacks set to zero (the Linux cooked
// header's one address becomes the source), the ethertype kept. Ethernet frames too short
// for a header come back unchanged. Throws Error as decode_link_header does.
std::vector<uint8_t> normalize_to_ethernet(int link_type, std::span<const uint8_t> packet);

}  // namespace bpfgen
