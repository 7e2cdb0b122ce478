// packet_filter.cpp: runs a program over a captured packet at the link or network layer.
#include "libbpfgen/capture/packet_filter.h"

#include <algorithm>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/cbpf/detail/jit_x86_64.h"
#include "libbpfgen/cbpf/opcodes.h"

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

// The length of the IP packet as its header states it, as ip_rcv and ipv6_rcv trim the
// packet to it: IPv4's total length (at least its header's length), IPv6's payload length
// plus the 40-byte header (not for a jumbogram's 0). nullopt when there is none to use.
std::optional<std::size_t> stated_ip_length(std::span<const uint8_t> ip) {
    if (ip.empty()) return std::nullopt;
    const unsigned version = ip[0] >> 4;
    if (version == 4 && ip.size() >= 4) {
        const std::size_t total = std::size_t{ip[2]} << 8 | ip[3];
        if (total >= std::size_t{ip[0] & 0xfu} * 4 && total >= 20) return total;
    } else if (version == 6 && ip.size() >= 6) {
        const std::size_t payload = std::size_t{ip[4]} << 8 | ip[5];
        if (payload != 0) return payload + 40;
    }
    return std::nullopt;
}

}  // namespace

SkbContext link_layer_context(int link_type, std::span<const uint8_t> frame) {
    const std::optional<LinkSummary> link = summarize_link_header(link_type, frame);
    return link ? context_of(link_type, *link) : SkbContext{};
}

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

detail::MachineCode PacketFilter::frame_code() const {
    if (!reads_frame_only() || !program_.jit_code()) return nullptr;
    return program_.jit_code()->entry();
}

uint32_t PacketFilter::decoded_verdict(std::span<const uint8_t> packet, uint32_t wire_length,
                                       bool& without_ip) const {
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
    if (!network) {
        without_ip = true;
        return 0;
    }
    // At the network layer the kernel's skb->len no longer counts the link-layer header.
    std::size_t length = wire_length > network->offset ? wire_length - network->offset
                                                       : packet.size() - network->offset;
    std::span<const uint8_t> ip = packet.subspan(network->offset);
    // Nor the link layer's padding (a short frame filled up to Ethernet's 60 bytes): the
    // kernel cuts the packet to the length its IP header states before any rule sees it.
    if (const std::optional<std::size_t> stated = stated_ip_length(ip);
        stated && *stated <= length) {
        length = *stated;
        ip = ip.first(std::min(ip.size(), *stated));
    }
    return bpfgen::verdict(program_, ip, context, length);
}

}  // namespace bpfgen
