// packet_description.h: a captured packet carrying a DNS message described in text, one
// line per header and per record, as parsedns prints it: the link-layer header, the IP
// header, the UDP or TCP header (with DNS over TCP's length), the DNS header and flags,
// questions, answer, authority and additional records, EDNS0 and any trailing bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace bpfgen {

// The description of packet, a frame of the given LINKTYPE_* link type, or with no
// link_type a bare DNS message. Built whole: throws Error (and describes nothing) when a
// header or the DNS message does not decode, or when the packet carries no IP header
// after its link-layer header (naming another link type it would decode as, if any).
std::string describe_dns_packet(std::span<const uint8_t> packet, std::optional<int> link_type);

}  // namespace bpfgen
