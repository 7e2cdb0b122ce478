// classic_pcap.h: the classic pcap format read without libpcap, each packet handed out
// where it lies in the read buffer, for the files libpcap 1.10 reads without special
// treatment, with the same packets and the same errors as libpcap; and its record headers
// as pcap_dump() writes them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <optional>
#include <span>

#include "libbpfgen/capture/detail/capture_input.h"
#include "libbpfgen/capture/pcap_io.h"

namespace bpfgen {

inline constexpr std::size_t kClassicFileHeaderSize = 24;
inline constexpr std::size_t kClassicRecordHeaderSize = 16;

struct ClassicFileHeader {
    bool swapped = false;      // written in the byte order opposite to this machine's
    bool nanoseconds = false;  // magic a1b23c4d: the fraction counts nanoseconds
    int link_type = 0;         // LINKTYPE_*, without the FCS bits of the upper 6 bits
    uint32_t snaplen = 0;      // as libpcap adjusts it (0 and > INT_MAX become 262144)
};

// The file header at the start of `bytes` when this reader handles the file exactly as
// libpcap would: version 2.4 and one of the link types link_layer.h knows, except Linux
// cooked captures in the other byte order (libpcap rewrites some of their headers). For
// anything else, every header libpcap refuses included, nullopt: libpcap is to read it,
// so that what it accepts and its messages stay its own.
std::optional<ClassicFileHeader> native_classic_header(std::span<const uint8_t> bytes);

class ClassicPcapReader {
  public:
    // Reads the records that follow the file header (which `input` has already consumed).
    ClassicPcapReader(std::unique_ptr<CaptureInput> input, const ClassicFileHeader& header);

    // The next packet, or nullopt at the end of the file after a whole record. Throws Error
    // with libpcap's words for a record it refuses, TruncatedCapture for one that the file
    // cuts short. The view stays valid until the next call.
    std::optional<PcapPacket> next();
    // Whether a stop signal ended the input (a record it cut short is then no truncation).
    bool stopped() const { return input_->stopped(); }
    // Packets returned so far.
    uint64_t packets_read() const { return packets_read_; }

  private:
    // The cold paths of next(), which throw libpcap's messages: at the end of the input
    // with that many bytes of a record header (none: a clean end, no throw; else a read
    // error or truncation), a captured length beyond the maximum, a record cut short.
    [[gnu::cold]] void end_of_records(std::size_t header_bytes) const;
    [[gnu::cold, noreturn]] void refuse_length(uint32_t captured_length) const;
    [[gnu::cold, noreturn]] void refuse_truncated(uint32_t captured_length,
                                                  std::size_t available) const;

    std::unique_ptr<CaptureInput> input_;
    bool swapped_;
    bool nanoseconds_;
    uint32_t snaplen_;
    uint64_t packets_read_ = 0;
};

// A record header as pcap_dump() stores it (this machine's byte order): the seconds and
// the fraction truncated to 32 bits as it does, then the captured and the wire length.
inline void encode_classic_record_header(uint8_t* out, int64_t seconds, uint32_t fraction,
                                         uint32_t captured_length, uint32_t wire_length) {
    const uint32_t fields[4] = {static_cast<uint32_t>(seconds), fraction, captured_length,
                                wire_length};
    std::memcpy(out, fields, sizeof fields);
}

}  // namespace bpfgen
