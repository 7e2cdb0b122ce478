// network_order.h: reading big-endian (network order) fields out of captured bytes, for the
// decoders of the capture component. The caller has checked the bytes are there.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace bpfgen {

inline uint16_t read16(std::span<const uint8_t> bytes, std::size_t offset) {
    return static_cast<uint16_t>(bytes[offset] << 8 | bytes[offset + 1]);
}

inline uint32_t read32(std::span<const uint8_t> bytes, std::size_t offset) {
    return static_cast<uint32_t>(read16(bytes, offset)) << 16 | read16(bytes, offset + 2);
}

}  // namespace bpfgen
