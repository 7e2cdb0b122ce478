// packet_loads.h: the packet loads of classic BPF with the kernel's rules (big-endian reads
// that fail past the end, signed offsets relative to the network or link-layer header,
// netlink attribute searches), shared by the interpreter, which inlines them, and the JIT's
// machine code, which calls the out-of-line functions below for the rare cases.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "libbpfgen/cbpf/opcodes.h"
#include "libbpfgen/cbpf/skb_context.h"

namespace bpfgen::detail {

inline uint32_t to_host(uint32_t big_endian) {
    if constexpr (std::endian::native == std::endian::little) {
        return __builtin_bswap32(big_endian);
    } else {
        return big_endian;
    }
}

// The packet as the load helpers see it: big-endian reads of 1, 2 or 4 bytes.
class PacketReader {
  public:
    PacketReader(std::span<const uint8_t> packet, const SkbContext& context)
        : data_(packet.data()), size_(packet.size()), context_(context) {}

    std::size_t size() const { return size_; }
    const uint8_t* data() const { return data_; }

    // Reads Bytes (1, 2 or 4) big-endian bytes at a non-negative offset; false when they
    // are not all inside the packet.
    template <unsigned Bytes>
    bool read_at(uint64_t offset, uint32_t& value) const {
        if (offset + Bytes > size_) return false;
        const uint8_t* p = data_ + offset;
        if constexpr (Bytes == 4) {
            uint32_t raw;
            std::memcpy(&raw, p, sizeof raw);
            value = to_host(raw);
        } else if constexpr (Bytes == 2) {
            value = uint32_t{p[0]} << 8 | p[1];
        } else {
            value = p[0];
        }
        return true;
    }

    // The kernel's view of an offset as a signed 32-bit value: non-negative is a packet
    // offset; [SKF_NET_OFF, 0) is relative to the network header and [SKF_LL_OFF,
    // SKF_NET_OFF) to the link-layer header; below is out of range.
    template <unsigned Bytes>
    bool read_signed(int32_t offset, uint32_t& value) const {
        if (offset >= 0) [[likely]] {
            return read_at<Bytes>(static_cast<uint64_t>(offset), value);
        }
        constexpr int32_t kNetOffset = static_cast<int32_t>(ancillary::kNetOffset);
        constexpr int32_t kLinkLayerOffset = static_cast<int32_t>(ancillary::kLinkLayerOffset);
        if (offset >= kNetOffset) {
            if (!context_.network_header) return false;
            return read_at<Bytes>(uint64_t{*context_.network_header} +
                                      static_cast<uint64_t>(int64_t{offset} - kNetOffset),
                                  value);
        }
        if (offset >= kLinkLayerOffset) {
            if (!context_.link_layer_header) return false;
            return read_at<Bytes>(uint64_t{*context_.link_layer_header} +
                                      static_cast<uint64_t>(int64_t{offset} - kLinkLayerOffset),
                                  value);
        }
        return false;
    }

    // The native-endian 16-bit length of the netlink attribute header at `offset`.
    uint16_t native_u16(std::size_t offset) const {
        uint16_t value;
        std::memcpy(&value, data_ + offset, sizeof value);
        return value;
    }

    // nla_find: the offset of the first attribute of `type` in the attribute stream of
    // `length` bytes at `offset`, or 0 (the kernel's "not found").
    uint32_t find_attribute(std::size_t offset, int64_t length, uint32_t type) const {
        constexpr int64_t kHeader = 4;          // struct nlattr {u16 nla_len; u16 nla_type;}
        constexpr uint16_t kTypeMask = 0x3fff;  // without NLA_F_NESTED, NLA_F_NET_BYTEORDER
        while (length >= kHeader) {
            const uint16_t attribute_length = native_u16(offset);
            if (attribute_length < kHeader || attribute_length > length) break;
            if ((native_u16(offset + 2) & kTypeMask) == type) {
                return static_cast<uint32_t>(offset);
            }
            const int64_t aligned = (attribute_length + 3) & ~3;
            offset += static_cast<std::size_t>(aligned);
            length -= aligned;
        }
        return 0;
    }

    // bpf_skb_get_nlattr: attribute of type x in the stream starting at offset a.
    uint32_t netlink_attribute(uint32_t a, uint32_t x) const {
        if (size_ < 4 || a > size_ - 4) return 0;
        return find_attribute(a, static_cast<int64_t>(size_ - a), x);
    }

    // bpf_skb_get_nlattr_nest: attribute of type x nested in the attribute at offset a.
    uint32_t nested_netlink_attribute(uint32_t a, uint32_t x) const {
        if (size_ < 4 || a > size_ - 4) return 0;
        const uint16_t outer_length = native_u16(a);
        if (outer_length > size_ - a) return 0;
        return find_attribute(a + 4, int64_t{outer_length} - 4, x);
    }

  private:
    const uint8_t* data_;
    std::size_t size_;
    const SkbContext& context_;
};

// The loads the JIT's machine code calls out to (rare and intricate: header-relative
// offsets and netlink attribute searches), so both engines share one definition of them.
// A load of `bytes` (1, 2 or 4) at a signed offset with the kernel's rules: false when out
// of range, else the big-endian value in `value`.
bool load_at_signed_offset(std::span<const uint8_t> packet, const SkbContext& context,
                           int32_t offset, unsigned bytes, uint32_t& value);
// SKF_AD_NLATTR and SKF_AD_NLATTR_NEST with A == a, X == x.
uint32_t netlink_attribute(std::span<const uint8_t> packet, uint32_t a, uint32_t x);
uint32_t nested_netlink_attribute(std::span<const uint8_t> packet, uint32_t a, uint32_t x);

}  // namespace bpfgen::detail
