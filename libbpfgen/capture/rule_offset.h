// rule_offset.h: where a program expects the IP header (the L3 offset a rule was generated
// for, `bpfgen -o N`), as far as its loads show it, and whether that fits the packets of a
// capture: what lets filter warn about a rule run on captures of another link type instead
// of matching nothing in silence. The offset is not stored in the bytecode, so it is read
// from the two loads every link-layer-aware rule makes and nothing else: when they are
// absent or disagree, nothing is claimed.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libbpfgen/capture/packet_filter.h"  // FilterLayer
#include "libbpfgen/cbpf/program.h"

namespace bpfgen {

// The L3 offset the program's loads show, or nullopt when they show none or disagree:
// - the IPv4 header length it reads, `ldxb 4*([N]&0xf)`: N (dns, dns_validate, libpcap's
//   port and TCP/UDP field checks);
// - the ethertype it compares with IPv4's or IPv6's, `ldh [K]` then `jeq #0x800` or
//   `jeq #0x86dd`: K + 2 (Ethernet 12, Linux cooked 14, a VLAN tag's 16), except K = 0,
//   Linux cooked v2's protocol field, the first two bytes of its 20-byte header: 20.
// Programs of suffix, IPv6 dns and dns_validate, and raw-IP libpcap programs without a
// port check show neither.
std::optional<uint32_t> l3_offset_of_program(const Program& program);

// The L3 offsets at which the packets of a link type carry their IP header, as a program
// running on them at `layer` sees them: {0} at the network layer (--l3) and for raw IP,
// {14, 18, 22} for Ethernet (no, one or two VLAN tags), {16} for Linux cooked, {20} for
// Linux cooked v2, {4} for BSD null and loop; empty for a link type this project does not
// decode (then nothing can be said).
std::vector<uint32_t> l3_offsets_of_link_type(int link_type, FilterLayer layer);

// The warning (one line, without the tool's name) when the L3 offset the program's loads
// show cannot fit the packets of capture_name, of link_type at layer; nullopt when it fits
// or when either side is unknown. program_name says where the program came from ("-b").
// Example: "-b is a rule for offset 16 (its loads read the IP header at byte 16), but
// x.pcap is LINUX_SLL2 (Linux cooked v2), whose IP header is at byte 20: expect no
// matches (bpfgen -o 20, or --l3 with an offset-0 rule)".
std::optional<std::string> l3_offset_mismatch(const Program& program, std::string_view program_name,
                                              std::string_view capture_name, int link_type,
                                              FilterLayer layer);

}  // namespace bpfgen
