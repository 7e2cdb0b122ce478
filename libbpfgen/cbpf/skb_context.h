// skb_context.h: what a classic BPF program reads besides the packet bytes: the socket
// buffer's metadata for ancillary (SKF_AD_*) loads and the header positions for negative
// (SKF_NET_OFF, SKF_LL_OFF) offsets. Given by the caller of both engines, the interpreter
// and the JIT.
#pragma once

#include <cstdint>
#include <optional>

namespace bpfgen {

// What the kernel would read from the skb for ancillary (SKF_AD_*) loads. Fields are
// returned as given; the kernel's own fields are narrower where noted.
struct SkbContext {
    // SKF_AD_PROTOCOL: skb->protocol is the big-endian ethertype and the kernel converts it
    // with ntohs, so a program sees the ethertype's value: 0x0800 for IPv4, as `ldh [12]`
    // reads it from an Ethernet header. Give it here as that value.
    uint16_t protocol = 0;
    uint32_t pkt_type = 0;  // PACKET_HOST (0), PACKET_BROADCAST (1)...; 3 bits in the kernel
    // skb->dev->ifindex; an skb without a device (where the kernel ends the program
    // returning A) is not modelled.
    uint32_t ifindex = 0;
    uint32_t mark = 0;            // skb->mark (SO_MARK of a local sender)
    uint32_t queue = 0;           // skb->queue_mapping, 16 bits in the kernel
    uint32_t hatype = 0;          // skb->dev->type, ARPHRD_* (ARPHRD_ETHER 1, ARPHRD_LOOPBACK 772)
    uint32_t rxhash = 0;          // skb->hash as it is (the kernel does not compute it for this)
    uint32_t cpu = 0;             // the CPU running the filter
    uint16_t vlan_tci = 0;        // SKF_AD_VLAN_TAG: the whole TCI of an offloaded VLAN tag
    bool vlan_present = false;    // SKF_AD_VLAN_TAG_PRESENT gives 1 or 0
    uint16_t vlan_tpid = 0;       // SKF_AD_VLAN_TPID: like protocol, the value (0x8100)
    uint32_t random = 0;          // SKF_AD_RANDOM: the kernel's prandom value
    uint32_t payload_offset = 0;  // SKF_AD_PAY_OFFSET: what the kernel's flow dissector finds
    // Positions in `packet` of the network and link-layer headers, for SKF_NET_OFF and
    // SKF_LL_OFF loads; unknown (nullopt): those loads are out of range.
    std::optional<uint32_t> network_header;
    std::optional<uint32_t> link_layer_header;
};

}  // namespace bpfgen
