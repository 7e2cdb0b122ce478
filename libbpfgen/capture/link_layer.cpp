// link_layer.cpp: link-layer header decoding and normalisation to Ethernet.
#include "libbpfgen/capture/link_layer.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/detail/network_order.h"

namespace bpfgen {

namespace {

constexpr std::size_t kEthernetHeader = 14;
constexpr std::size_t kSllHeader = 16;
constexpr std::size_t kSll2Header = 20;
constexpr std::size_t kNullHeader = 4;
constexpr std::size_t kMacLength = 6;

bool is_vlan_tpid(uint16_t type) {
    return type == ethertype::kVlan || type == ethertype::kQinQ || type == ethertype::kQinQOld;
}

// BSD address families differ between systems for IPv6; these are every value in use.
uint16_t ethertype_of_address_family(uint32_t family) {
    switch (family) {
        case 2:
            return ethertype::kIpv4;  // AF_INET everywhere
        case 10:                      // Linux
        case 24:                      // NetBSD, OpenBSD, BSD/OS
        case 28:                      // FreeBSD
        case 30:                      // Darwin
            return ethertype::kIpv6;
        default:
            return 0;
    }
}

uint16_t ethertype_of_ip_version(std::span<const uint8_t> packet, std::size_t offset) {
    if (packet.size() <= offset) return 0;
    switch (packet[offset] >> 4) {
        case 4:
            return ethertype::kIpv4;
        case 6:
            return ethertype::kIpv6;
        default:
            return 0;
    }
}

std::optional<LinkSummary> summarize_ethernet(std::span<const uint8_t> packet) {
    if (packet.size() < kEthernetHeader) return std::nullopt;
    LinkSummary link;
    link.ethertype = read16(packet, 12);
    link.length = kEthernetHeader;
    // Each tag needs 4 bytes, so the packet's length bounds this loop.
    while (is_vlan_tpid(link.ethertype) && packet.size() >= link.length + 4) {
        if (!link.outer_vlan_tag) link.outer_vlan_tag = VlanTag{link.ethertype, read16(packet, 14)};
        link.ethertype = read16(packet, link.length + 2);
        link.length += 4;
    }
    return link;
}

std::optional<LinkSummary> summarize_sll(std::span<const uint8_t> packet) {
    // packet type, ARPHRD type, address length, 8 address bytes, protocol.
    if (packet.size() < kSllHeader) return std::nullopt;
    LinkSummary link;
    link.packet_type = read16(packet, 0);
    link.hardware_type = read16(packet, 2);
    link.ethertype = read16(packet, 14);
    link.length = kSllHeader;
    return link;
}

std::optional<LinkSummary> summarize_sll2(std::span<const uint8_t> packet) {
    // protocol, reserved, interface index, ARPHRD type, packet type, address length,
    // 8 address bytes.
    if (packet.size() < kSll2Header) return std::nullopt;
    LinkSummary link;
    link.ethertype = read16(packet, 0);
    link.interface_index = read32(packet, 4);
    link.hardware_type = read16(packet, 8);
    link.packet_type = packet[10];
    link.length = kSll2Header;
    return link;
}

std::optional<LinkSummary> summarize_null(std::span<const uint8_t> packet, bool network_order) {
    if (packet.size() < kNullHeader) return std::nullopt;
    uint32_t family = read32(packet, 0);
    // DLT_NULL uses the writer's byte order: a family in the high half means little endian.
    if (!network_order && (family & 0xffff0000) != 0) family = __builtin_bswap32(family);
    LinkSummary link;
    link.ethertype = ethertype_of_address_family(family);
    link.length = kNullHeader;
    return link;
}

LinkSummary fixed(uint16_t ethertype) {
    LinkSummary link;
    link.ethertype = ethertype;
    return link;
}

[[noreturn]] void throw_unsupported(int link_type) {
    throw Error(
        fmt::format("link type {} is not supported (supported: Ethernet, Linux cooked "
                    "SLL and SLL2, raw IP, null and loop)",
                    link_type));
}

// For a supported link type whose packet summarize_link_header() found too short.
[[noreturn]] void throw_too_short(int link_type, std::size_t size) {
    const auto [length, what] = [&]() -> std::pair<std::size_t, const char*> {
        switch (link_type) {
            case linktype::kEthernet:
                return {kEthernetHeader, "Ethernet"};
            case linktype::kLinuxSll:
                return {kSllHeader, "Linux cooked (SLL)"};
            case linktype::kLinuxSll2:
                return {kSll2Header, "Linux cooked v2 (SLL2)"};
            default:
                return {kNullHeader, "loopback"};
        }
    }();
    throw Error(
        fmt::format("{}-byte packet is shorter than the {}-byte {} header", size, length, what));
}

}  // namespace

bool is_supported_link_type(int link_type) {
    switch (link_type) {
        case linktype::kNull:
        case linktype::kEthernet:
        case linktype::kRaw:
        case linktype::kLoop:
        case linktype::kLinuxSll:
        case linktype::kIpv4:
        case linktype::kIpv6:
        case linktype::kLinuxSll2:
            return true;
        default:
            return false;
    }
}

std::optional<LinkSummary> summarize_link_header(int link_type, std::span<const uint8_t> packet) {
    switch (link_type) {
        case linktype::kEthernet:
            return summarize_ethernet(packet);
        case linktype::kLinuxSll:
            return summarize_sll(packet);
        case linktype::kLinuxSll2:
            return summarize_sll2(packet);
        case linktype::kNull:
            return summarize_null(packet, false);
        case linktype::kLoop:
            return summarize_null(packet, true);
        case linktype::kRaw:
            return fixed(ethertype_of_ip_version(packet, 0));
        case linktype::kIpv4:
            return fixed(ethertype::kIpv4);
        case linktype::kIpv6:
            return fixed(ethertype::kIpv6);
        default:
            return std::nullopt;
    }
}

LinkHeader decode_link_header(int link_type, std::span<const uint8_t> packet) {
    if (!is_supported_link_type(link_type)) throw_unsupported(link_type);
    const std::optional<LinkSummary> link = summarize_link_header(link_type, packet);
    if (!link) throw_too_short(link_type, packet.size());
    LinkHeader header;
    header.length = link->length;
    header.ethertype = link->ethertype;
    header.packet_type = link->packet_type;
    header.hardware_type = link->hardware_type;
    header.interface_index = link->interface_index;
    switch (link_type) {
        case linktype::kEthernet:
            header.destination = packet.subspan(0, kMacLength);
            header.source = packet.subspan(kMacLength, kMacLength);
            // The tags summarize_ethernet() walked: a TPID, then the TCI after it.
            for (std::size_t tci = kEthernetHeader; tci < header.length; tci += 4) {
                header.vlan_tags.push_back(VlanTag{read16(packet, tci - 2), read16(packet, tci)});
            }
            break;
        case linktype::kLinuxSll:
            header.source = packet.subspan(6, std::min<std::size_t>(read16(packet, 4), 8));
            break;
        case linktype::kLinuxSll2:
            header.source = packet.subspan(12, std::min<std::size_t>(packet[11], 8));
            break;
        default:
            break;
    }
    return header;
}

std::optional<NetworkLayer> find_network_layer(int link_type, std::span<const uint8_t> packet) {
    if (!is_supported_link_type(link_type)) throw_unsupported(link_type);
    const std::optional<LinkSummary> link = summarize_link_header(link_type, packet);
    if (!link) return std::nullopt;  // shorter than its link-layer header
    return find_network_layer(*link, packet);
}

std::optional<NetworkLayer> find_network_layer(const LinkSummary& link,
                                               std::span<const uint8_t> packet) {
    if (link.ethertype != ethertype::kIpv4 && link.ethertype != ethertype::kIpv6) {
        return std::nullopt;
    }
    if (ethertype_of_ip_version(packet, link.length) != link.ethertype) return std::nullopt;
    return NetworkLayer{link.length, link.ethertype};
}

std::vector<uint8_t> normalize_to_ethernet(int link_type, std::span<const uint8_t> packet) {
    if (link_type == linktype::kEthernet && packet.size() < kEthernetHeader) {
        return {packet.begin(), packet.end()};
    }
    const LinkHeader header = decode_link_header(link_type, packet);
    if (link_type != linktype::kEthernet && header.ethertype == 0) {
        throw Error("cannot tell which protocol the packet carries, so it has no Ethernet form");
    }
    std::vector<uint8_t> out(kEthernetHeader, 0);
    if (header.destination.size() == kMacLength) {
        std::copy(header.destination.begin(), header.destination.end(), out.begin());
    }
    if (header.source.size() == kMacLength) {
        std::copy(header.source.begin(), header.source.end(), out.begin() + kMacLength);
    }
    out[12] = static_cast<uint8_t>(header.ethertype >> 8);
    out[13] = static_cast<uint8_t>(header.ethertype);
    out.insert(out.end(), packet.begin() + static_cast<std::ptrdiff_t>(header.length),
               packet.end());
    return out;
}

}  // namespace bpfgen
