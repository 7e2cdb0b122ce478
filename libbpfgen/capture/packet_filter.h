// packet_filter.h: running a checked program over captured packets as the kernel would
// present them: the whole frame, as a packet socket (and tcpdump) sees it, or the packet
// from its IP header on, as iptables' xt_bpf sees it, so that offset-0 rules can be tried
// on Ethernet, VLAN, Linux cooked and raw IP captures.
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "libbpfgen/cbpf/interpreter.h"

namespace bpfgen {

enum class FilterLayer {
    LinkLayer,  // the captured frame, link-layer header included
    Network,    // from the IP header on (the link type must be a supported one)
};

// What the kernel keeps beside a frame of this link type for ancillary (SKF_AD_*) loads:
// the protocol, an offloaded VLAN tag, a cooked header's packet type and interface, the
// hardware type; the context PacketFilter gives a program that has such loads. A frame
// whose header cannot be decoded gets the context of a bare packet.
SkbContext link_layer_context(int link_type, std::span<const uint8_t> frame);

class PacketFilter {
  public:
    // Throws Error when layer is Network and link_layer.h cannot find IP headers in
    // packets of this link type.
    PacketFilter(CheckedProgram program, int link_type, FilterLayer layer);

    // The verdict of the program for one packet (non-zero: it matches), or nullopt when
    // the program sees the network layer and the packet has no IPv4/IPv6 header.
    // wire_length is the packet's length on the wire (what `ld #len` sees at the link layer).
    // At the network layer the program sees the IP packet as the kernel hands it to
    // iptables: cut to the length its header states (link-layer padding dropped), which
    // `ld #len` sees too.
    std::optional<uint32_t> verdict(std::span<const uint8_t> packet, uint32_t wire_length) const {
        bool without_ip = false;
        const uint32_t value = verdict_value(packet, wire_length, without_ip);
        if (without_ip) return std::nullopt;
        return value;
    }
    // The same verdict as a plain number, for loops over many packets: 0 for a packet
    // without an IPv4/IPv6 header, for which without_ip is set to true (else left as it
    // is). An optional returned through memory, its value and its flag stored apart and
    // loaded as one, stalled the loop on every packet.
    uint32_t verdict_value(std::span<const uint8_t> packet, uint32_t wire_length,
                           bool& without_ip) const {
        // Inline for the common rule, which reads the frame alone: one call per packet less.
        if (reads_frame_only()) [[likely]] {
            return bpfgen::verdict(program_, packet, bare_context_, wire_length);
        }
        return decoded_verdict(packet, wire_length, without_ip);
    }

    // For loops over many frames: the machine code that gives verdict_value() of any frame,
    // called as code(frame, captured length, &frame_context(), wire length) with a wire
    // length of at least the captured length, when the rule has machine code and reads the
    // frame alone; else nullptr. The loop is spared the tests verdict_value() makes of
    // each packet to find that out.
    detail::MachineCode frame_code() const;
    const SkbContext& frame_context() const { return bare_context_; }

  private:
    // At the link layer without ancillary loads: the program gets the frame as it is.
    bool reads_frame_only() const {
        return layer_ == FilterLayer::LinkLayer && !reads_link_context_;
    }
    // verdict_value() for a rule that needs the frame's link-layer header decoded.
    uint32_t decoded_verdict(std::span<const uint8_t> packet, uint32_t wire_length,
                             bool& without_ip) const;

    CheckedProgram program_;
    int link_type_;
    FilterLayer layer_;
    // Whether the program has ancillary loads, the only instructions that read what the
    // link-layer header tells (protocol, VLAN tag, packet type...): without them no
    // packet's header needs decoding for its context.
    bool reads_link_context_;
    SkbContext bare_context_;  // the context of a packet whose header is not decoded
};

}  // namespace bpfgen
