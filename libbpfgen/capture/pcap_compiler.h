// pcap_compiler.h: compiles a pcap-filter (tcpdump) expression into a Program in-process
// with libpcap, for a given link type and snapshot length, and prints a Program the way
// libpcap's own bpf_image() (tcpdump -d) does.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "libbpfgen/capture/link_layer.h"  // linktype::k* for link_type
#include "libbpfgen/cbpf/program.h"

struct pcap;  // libpcap's pcap_t

namespace bpfgen {

// The snapshot length the original bpftools announced in its fake pcap header: libpcap
// uses it as the accept value of `ret` (ret #65536).
inline constexpr int kPcapSnaplen = 65536;

// Compiles expression as `tcpdump -r FILE -d` would for a capture of link_type (a
// LINKTYPE_* value, as capture files store it): optimised, netmask 0. Throws Error carrying
// libpcap's message and the expression when it does not compile (syntax error, unknown
// name, a filter that rejects every packet, ...).
Program compile_pcap_filter(std::string_view expression, int link_type, int snaplen = kPcapSnaplen);

// The same on a libpcap handle of the caller's (one reading a capture: libpcap compiles a
// few expressions differently for what it reads than for a dead handle).
Program compile_pcap_filter(std::string_view expression, pcap* handle);

// The program with zeros in the fields its instructions do not use (k of tax, txa, ret a,
// ALU and jumps on x, len loads; jt and jf of all but conditional jumps), as assembling
// its listing gives it back. libpcap's optimiser leaves stale values there (tax with
// k = 13), which the kernel ignores but which change the bytecode's text.
Program without_unused_fields(const Program& program);

// libpcap's bpf_image() text of each instruction, as `tcpdump -d` prints it, for example
// "(000) ldh      [12]" or "(001) jeq      #0x800           jt 2\tjf 5".
std::vector<std::string> pcap_listing(const Program& program);

}  // namespace bpfgen
