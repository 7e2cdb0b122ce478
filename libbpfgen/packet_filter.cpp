// packet_filter.cpp: runs a program over a captured packet at the link or network layer.
#include "libbpfgen/packet_filter.h"

#include <algorithm>

#include <fmt/format.h>

#include "libbpfgen/error.h"
#include "libbpfgen/link_layer.h"
#include "libbpfgen/opcodes.h"

namespace bpfgen {

namespace {

// ARPHRD_* values the kernel would report as the interface's hardware type.
constexpr uint32_t kArphrdEther = 1;
constexpr uint32_t kArphrdLoopback = 772;
constexpr uint32_t kArphrdNone = 0xfffe;

// What the kernel keeps beside the packet data: the protocol, the VLAN tag a NIC strips,
// the Linux cooked header's packet type and interface.
SkbContext context_of(int link_type, const LinkSummary& link) {
    SkbContext context;
    context.protocol = link.ethertype;
    if (link.outer_vlan_tag) {
        context.vlan_present = true;
        context.vlan_tci = link.outer_vlan_tag->tci;
        context.vlan_tpid = link.outer_vlan_tag->tpid;
    }
    if (link.packet_type) context.pkt_type = *link.packet_type;
    if (link.interface_index) context.ifindex = *link.interface_index;
    switch (link_type) {
        case linktype::kEthernet:
            context.hatype = kArphrdEther;
            break;
        case linktype::kNull:
        case linktype::kLoop:
            context.hatype = kArphrdLoopback;
            break;
        default:
            context.hatype = link.hardware_type.value_or(kArphrdNone);
            break;
    }
    return context;
}

// Ancillary loads are `ld`/`ldh`/`ldb [k]` with k at SKF_AD_OFF or above.
bool has_ancillary_loads(const Program& program) {
    return std::any_of(program.begin(), program.end(), [](const Instruction& instruction) {
        return op::cls(instruction.code) == op::kLd && op::mode(instruction.code) == op::kAbs &&
               instruction.k >= ancillary::kOffset;
    });
}

}  // namespace

PacketFilter::PacketFilter(CheckedProgram program, int link_type, FilterLayer layer)
    : program_(std::move(program)),
      link_type_(link_type),
      layer_(layer),
      reads_link_context_(has_ancillary_loads(program_.program())) {
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
    if (layer_ == FilterLayer::LinkLayer && !reads_link_context_) {
        return run(program_, packet, bare_context_, wire_length).verdict;
    }
    // One decoding of the link-layer header serves the context and the network layer; a
    // packet too short for its header (or of a link type not understood) gets the
    // context of a bare packet.
    const std::optional<LinkSummary> link = summarize_link_header(link_type_, packet);
    const SkbContext context =
        link && reads_link_context_ ? context_of(link_type_, *link) : SkbContext{};
    if (layer_ == FilterLayer::LinkLayer) {
        return bpfgen::verdict(program_, packet, context, wire_length);
    }
    const auto network = link ? find_network_layer(*link, packet) : std::nullopt;
    if (!network) return std::nullopt;
    // At the network layer the kernel's skb->len no longer counts the link-layer header.
    const std::size_t length = wire_length > network->offset ? wire_length - network->offset
                                                             : packet.size() - network->offset;
    return bpfgen::verdict(program_, packet.subspan(network->offset), context, length);
}

}  // namespace bpfgen
