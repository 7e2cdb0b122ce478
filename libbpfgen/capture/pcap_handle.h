// pcap_handle.h: libpcap's capture and dump handles owned by unique_ptr, for every unit of
// the capture component that opens one.
#pragma once

#include <memory>

struct pcap;         // libpcap's pcap_t
struct pcap_dumper;  // libpcap's pcap_dumper_t

namespace bpfgen {

struct PcapCloser {
    void operator()(pcap* handle) const;  // pcap_close()
};
struct PcapDumperCloser {
    void operator()(pcap_dumper* dumper) const;  // pcap_dump_close()
};

using PcapHandle = std::unique_ptr<pcap, PcapCloser>;
using PcapDumperHandle = std::unique_ptr<pcap_dumper, PcapDumperCloser>;

}  // namespace bpfgen
