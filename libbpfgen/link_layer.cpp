// link_layer.cpp: link-layer header decoding and normalisation to Ethernet.
#include "libbpfgen/link_layer.h"

#include <fmt/format.h>

#include "libbpfgen/error.h"

namespace bpfgen {

namespace {

constexpr std::size_t kEthernetHeader = 14;
constexpr std::size_t kSllHeader = 16;
constexpr std::size_t kSll2Header = 20;
constexpr std::size_t kNullHeader = 4;
constexpr std::size_t kMacLength = 6;

uint16_t read16(std::span<const uint8_t> bytes, std::size_t offset) {
    return static_cast<uint16_t>(bytes[offset] << 8 | bytes[offset + 1]);
}

uint32_t read32(std::span<const uint8_t> bytes, std::size_t offset) {
    return static_cast<uint32_t>(bytes[offset]) << 24 |
           static_cast<uint32_t>(bytes[offset + 1]) << 16 |
           static_cast<uint32_t>(bytes[offset + 2]) << 8 | bytes[offset + 3];
}

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

void require_length(std::span<const uint8_t> packet, std::size_t length, const char* what) {
    if (packet.size() < length) {
        throw Error(fmt::format("{}-byte packet is shorter than the {}-byte {} header",
                                packet.size(), length, what));
    }
}

LinkHeader decode_ethernet(std::span<const uint8_t> packet) {
    require_length(packet, kEthernetHeader, "Ethernet");
    LinkHeader header;
    header.destination = packet.subspan(0, kMacLength);
    header.source = packet.subspan(kMacLength, kMacLength);
    header.ethertype = read16(packet, 12);
    header.length = kEthernetHeader;
    // Each tag needs 4 bytes, so the packet's length bounds this loop.
    while (is_vlan_tpid(header.ethertype) && packet.size() >= header.length + 4) {
        header.vlan_tags.push_back(VlanTag{header.ethertype, read16(packet, header.length)});
        header.ethertype = read16(packet, header.length + 2);
        header.length += 4;
    }
    return header;
}

LinkHeader decode_sll(std::span<const uint8_t> packet) {
    // packet type, ARPHRD type, address length, 8 address bytes, protocol.
    require_length(packet, kSllHeader, "Linux cooked (SLL)");
    LinkHeader header;
    header.packet_type = read16(packet, 0);
    header.hardware_type = read16(packet, 2);
    const std::size_t address_length = std::min<std::size_t>(read16(packet, 4), 8);
    header.source = packet.subspan(6, address_length);
    header.ethertype = read16(packet, 14);
    header.length = kSllHeader;
    return header;
}

LinkHeader decode_sll2(std::span<const uint8_t> packet) {
    // protocol, reserved, interface index, ARPHRD type, packet type, address length,
    // 8 address bytes.
    require_length(packet, kSll2Header, "Linux cooked v2 (SLL2)");
    LinkHeader header;
    header.ethertype = read16(packet, 0);
    header.interface_index = read32(packet, 4);
    header.hardware_type = read16(packet, 8);
    header.packet_type = packet[10];
    const std::size_t address_length = std::min<std::size_t>(packet[11], 8);
    header.source = packet.subspan(12, address_length);
    header.length = kSll2Header;
    return header;
}

LinkHeader decode_null(std::span<const uint8_t> packet, bool network_order) {
    require_length(packet, kNullHeader, "loopback");
    uint32_t family = read32(packet, 0);
    // DLT_NULL uses the writer's byte order: a family in the high half means little endian.
    if (!network_order && (family & 0xffff0000) != 0) family = __builtin_bswap32(family);
    LinkHeader header;
    header.ethertype = ethertype_of_address_family(family);
    header.length = kNullHeader;
    return header;
}

[[noreturn]] void throw_unsupported(int link_type) {
    throw Error(
        fmt::format("link type {} is not supported (supported: Ethernet, Linux cooked "
                    "SLL and SLL2, raw IP, null and loop)",
                    link_type));
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

LinkHeader decode_link_header(int link_type, std::span<const uint8_t> packet) {
    switch (link_type) {
        case linktype::kEthernet:
            return decode_ethernet(packet);
        case linktype::kLinuxSll:
            return decode_sll(packet);
        case linktype::kLinuxSll2:
            return decode_sll2(packet);
        case linktype::kNull:
            return decode_null(packet, false);
        case linktype::kLoop:
            return decode_null(packet, true);
        case linktype::kRaw: {
            LinkHeader header;
            header.ethertype = ethertype_of_ip_version(packet, 0);
            return header;
        }
        case linktype::kIpv4: {
            LinkHeader header;
            header.ethertype = ethertype::kIpv4;
            return header;
        }
        case linktype::kIpv6: {
            LinkHeader header;
            header.ethertype = ethertype::kIpv6;
            return header;
        }
        default:
            throw_unsupported(link_type);
    }
}

std::optional<NetworkLayer> find_network_layer(int link_type, std::span<const uint8_t> packet) {
    if (!is_supported_link_type(link_type)) throw_unsupported(link_type);
    LinkHeader header;
    try {
        header = decode_link_header(link_type, packet);
    } catch (const Error&) {
        return std::nullopt;  // shorter than its link-layer header
    }
    if (header.ethertype != ethertype::kIpv4 && header.ethertype != ethertype::kIpv6) {
        return std::nullopt;
    }
    if (ethertype_of_ip_version(packet, header.length) != header.ethertype) return std::nullopt;
    return NetworkLayer{header.length, header.ethertype};
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
