// scrub.h: pseudonymising captured packets so they can be shared (pcap2hex --scrub).
// Deterministic: the same input always gives the same output, so one host keeps one
// pseudonym across packets and captures, and one DNS label one replacement (a suffix
// shared by several names stays shared, so the traffic can still be analysed and a rule
// still written for it).
//
// What changes: hardware addresses in the link-layer header and in ARP become zero; IPv4
// and IPv6 source and destination addresses (in the IP header and in ARP) are replaced by
// a hash of themselves; in DNS messages carried by UDP or by TCP on port 53 every label
// of every name has its letters and digits replaced (case, length and other characters
// kept), and the addresses of A and AAAA records and of EDNS client-subnet options get
// the same pseudonyms as in IP headers; the IPv4 header checksum and the UDP/TCP checksum
// are recomputed when the packet was captured whole. Not anonymisation in the strong
// sense: an unkeyed hash of an IPv4 address can be reversed by trying all 2^32 of them, and
// other payloads (other EDNS options such as NSID, TXT data, non-DNS traffic) are left as
// they are.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace bpfgen {

// Throws Error for a link type link_layer.h does not support. Parts of the packet that do
// not decode (truncated, not IP, not DNS) are left unchanged.
std::vector<uint8_t> scrub_packet(int link_type, std::span<const uint8_t> packet);

}  // namespace bpfgen
