// fuzz_capture.cpp: arbitrary bytes as a capture file, read the way filter and pcap2hex
// read one: libpcap's reader (pcap or pcapng) through PcapReader, then for every packet the
// link-layer decoding, the search for the IP header and the normalisation to Ethernet.
// Damaged input must raise bpfgen::Error, never crash.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "libbpfgen/error.h"
#include "libbpfgen/link_layer.h"
#include "libbpfgen/pcap_io.h"

namespace {

// An anonymous in-memory file holding the input, closed on scope exit.
class MemoryFile {
  public:
    MemoryFile(const uint8_t* data, size_t size) : fd_(memfd_create("capture", 0)) {
        if (fd_ < 0) std::abort();
        for (size_t done = 0; done < size;) {
            const ssize_t n = write(fd_, data + done, size - done);
            if (n <= 0) std::abort();
            done += static_cast<size_t>(n);
        }
    }
    ~MemoryFile() { close(fd_); }
    MemoryFile(const MemoryFile&) = delete;
    MemoryFile& operator=(const MemoryFile&) = delete;
    std::string path() const { return "/proc/self/fd/" + std::to_string(fd_); }

  private:
    int fd_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const MemoryFile file(data, size);
    try {
        bpfgen::PcapReader reader(file.path());
        const int link_type = reader.link_type();
        const bool supported = bpfgen::is_supported_link_type(link_type);
        for (int count = 0; count < 10000; ++count) {
            const auto packet = reader.next();
            if (!packet) break;
            if (!supported) continue;
            try {
                const auto network = bpfgen::find_network_layer(link_type, packet->data);
                if (network && network->offset > packet->data.size()) std::abort();
                (void)bpfgen::normalize_to_ethernet(link_type, packet->data);
            } catch (const bpfgen::Error&) {
            }
        }
    } catch (const bpfgen::Error&) {
    }
    return 0;
}
