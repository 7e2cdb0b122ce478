// pcap_handle.cpp: closing libpcap's handles.
#include "libbpfgen/capture/pcap_handle.h"

#include "libbpfgen/capture/detail/libpcap_library.h"

namespace bpfgen {

void PcapCloser::operator()(pcap* handle) const {
    libpcap().pcap_close(handle);  // loaded: the handle came from it
}

void PcapDumperCloser::operator()(pcap_dumper* dumper) const {
    libpcap().pcap_dump_close(dumper);
}

}  // namespace bpfgen
