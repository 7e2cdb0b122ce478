// packet_loads.cpp: the out-of-line packet loads of detail/packet_loads.h, for the JIT's
// machine code to call.
#include "libbpfgen/cbpf/detail/packet_loads.h"

namespace bpfgen::detail {

bool load_at_signed_offset(std::span<const uint8_t> packet, const SkbContext& context,
                           int32_t offset, unsigned bytes, uint32_t& value) {
    const PacketReader view(packet, context);
    switch (bytes) {
        case 4:
            return view.read_signed<4>(offset, value);
        case 2:
            return view.read_signed<2>(offset, value);
        default:
            return view.read_signed<1>(offset, value);
    }
}

uint32_t netlink_attribute(std::span<const uint8_t> packet, uint32_t a, uint32_t x) {
    const SkbContext unused;
    return PacketReader(packet, unused).netlink_attribute(a, x);
}

uint32_t nested_netlink_attribute(std::span<const uint8_t> packet, uint32_t a, uint32_t x) {
    const SkbContext unused;
    return PacketReader(packet, unused).nested_netlink_attribute(a, x);
}

}  // namespace bpfgen::detail
