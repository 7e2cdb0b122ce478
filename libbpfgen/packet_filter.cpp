// packet_filter.cpp: runs a program over a captured packet at the link or network layer.
#include "libbpfgen/packet_filter.h"

#include <fmt/format.h>

#include "libbpfgen/error.h"
#include "libbpfgen/link_layer.h"

namespace bpfgen {

namespace {

// ARPHRD_* values the kernel would report as the interface's hardware type.
constexpr uint32_t kArphrdEther = 1;
constexpr uint32_t kArphrdLoopback = 772;
constexpr uint32_t kArphrdNone = 0xfffe;

// What the kernel keeps beside the packet data: the protocol, the VLAN tag a NIC strips,
// the Linux cooked header's packet type and interface.
SkbContext context_of(int link_type, std::span<const uint8_t> packet) {
    SkbContext context;
    LinkHeader header;
    try {
        header = decode_link_header(link_type, packet);
    } catch (const Error&) {
        return context;
    }
    context.protocol = header.ethertype;
    if (!header.vlan_tags.empty()) {
        context.vlan_present = true;
        context.vlan_tci = header.vlan_tags.front().tci;
        context.vlan_tpid = header.vlan_tags.front().tpid;
    }
    if (header.packet_type) context.pkt_type = *header.packet_type;
    if (header.interface_index) context.ifindex = *header.interface_index;
    switch (link_type) {
        case linktype::kEthernet:
            context.hatype = kArphrdEther;
            break;
        case linktype::kNull:
        case linktype::kLoop:
            context.hatype = kArphrdLoopback;
            break;
        default:
            context.hatype = header.hardware_type.value_or(kArphrdNone);
            break;
    }
    return context;
}

}  // namespace

PacketFilter::PacketFilter(CheckedProgram program, int link_type, FilterLayer layer)
    : program_(std::move(program)), link_type_(link_type), layer_(layer) {
    if (layer == FilterLayer::Network && !is_supported_link_type(link_type)) {
        throw Error(
            fmt::format("cannot find IP headers in packets of link type {} (supported: "
                        "Ethernet with VLAN tags, Linux cooked SLL and SLL2, raw IP, "
                        "null and loop)",
                        link_type));
    }
}

std::optional<uint32_t> PacketFilter::verdict(std::span<const uint8_t> packet,
                                              uint32_t wire_length) const {
    SkbContext context =
        is_supported_link_type(link_type_) ? context_of(link_type_, packet) : SkbContext{};
    if (layer_ == FilterLayer::LinkLayer) {
        return bpfgen::verdict(program_, packet, context, wire_length);
    }
    const auto network = find_network_layer(link_type_, packet);
    if (!network) return std::nullopt;
    // At the network layer the kernel's skb->len no longer counts the link-layer header.
    const std::size_t length = wire_length > network->offset ? wire_length - network->offset
                                                             : packet.size() - network->offset;
    return bpfgen::verdict(program_, packet.subspan(network->offset), context, length);
}

}  // namespace bpfgen
