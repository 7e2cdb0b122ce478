// pcap_handle.cpp: closing libpcap's handles.
#include "libbpfgen/capture/pcap_handle.h"

#include <pcap/pcap.h>

namespace bpfgen {

void PcapCloser::operator()(pcap* handle) const {
    pcap_close(handle);
}

void PcapDumperCloser::operator()(pcap_dumper* dumper) const {
    pcap_dump_close(dumper);
}

}  // namespace bpfgen
