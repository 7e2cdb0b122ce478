// fuzz_capture.cpp: arbitrary bytes as a capture file, read the way filter and pcap2hex
// read one: through PcapReader (the project's classic pcap reader, or libpcap's for pcapng
// and the rest), from a regular file and from a pipe, each of which must give what libpcap
// itself gives for the same bytes (packets, errors); then for every packet the link-layer
// decoding, the search for the IP header and the normalisation to Ethernet. Damaged input
// must raise bpfgen::Error, never crash; a disagreement with libpcap aborts.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/file_descriptor.h"
#include "libbpfgen/capture/link_layer.h"
#include "libbpfgen/capture/pcap_io.h"
#include "tests/common/capture_reference.h"
#include "tests/common/test_files.h"

namespace {

constexpr std::size_t kMaxPackets = 10000;

// An anonymous in-memory file holding the input, closed on scope exit.
class MemoryFile {
  public:
    MemoryFile(const uint8_t* data, size_t size) : fd_(memfd_create("capture", 0)) {
        if (!fd_) std::abort();
        for (size_t done = 0; done < size;) {
            const ssize_t n = write(fd_.get(), data + done, size - done);
            if (n <= 0) std::abort();
            done += static_cast<size_t>(n);
        }
    }
    std::string path() const { return "/proc/self/fd/" + std::to_string(fd_.get()); }

  private:
    bpfgen::FileDescriptor fd_;
};

void expect_agreement(const bpftools::test::ReadOutcome& ours,
                      const bpftools::test::ReadOutcome& libpcap, const char* how) {
    const std::string difference = bpftools::test::disagreement(ours, libpcap);
    if (!difference.empty()) {
        std::fprintf(stderr, "PcapReader (%s) disagrees with libpcap: %s\n", how,
                     difference.c_str());
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const MemoryFile file(data, size);
    bpftools::test::ReadOutcome reference;
    if (size > 0) {
        std::FILE* stream = fmemopen(const_cast<uint8_t*>(data), size, "rb");
        if (stream == nullptr) std::abort();
        reference = bpftools::test::read_with_libpcap(stream, kMaxPackets);
    } else {
        reference.error = "truncated dump file; tried to read 4 file header bytes, only got 0";
    }
    expect_agreement(bpftools::test::read_with_pcap_reader(file.path(), kMaxPackets), reference,
                     "regular file");
    {
        const bpftools::test::PipedInput piped(std::span<const uint8_t>(data, size));
        expect_agreement(bpftools::test::read_with_pcap_reader(piped.path(), kMaxPackets),
                         reference, "pipe");
    }

    try {
        bpfgen::PcapReader reader(file.path());
        const int link_type = reader.link_type();
        const bool supported = bpfgen::is_supported_link_type(link_type);
        for (std::size_t count = 0; count < kMaxPackets; ++count) {
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
