// classic_pcap.h: the classic pcap format read without libpcap, each packet handed out
// where it lies in the read buffer, for the files libpcap 1.10 reads without special
// treatment, with the same packets and the same errors as libpcap; and its record headers
// as pcap_dump() writes them.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <climits>
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
// libpcap's MAXIMUM_SNAPLEN: its largest record for all the link types read here.
inline constexpr uint32_t kMaximumCapturedLength = 262144;

// A 32-bit field of a classic pcap file written in this machine's byte order, or in the
// other one (swapped).
inline uint32_t load_classic_field(const uint8_t* bytes, bool swapped) {
    uint32_t value;
    std::memcpy(&value, bytes, sizeof value);
    return swapped ? __builtin_bswap32(value) : value;
}

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

// The file header pcap_dump_fopen() writes for a capture of these parameters, for the
// link types this reader reads (whose LINKTYPE libpcap stores unchanged); nullopt for
// any other, whose header libpcap is to make (or refuse). snaplen is 1..INT_MAX.
std::optional<std::array<uint8_t, kClassicFileHeaderSize>> native_classic_file_header(
    int link_type, uint32_t snaplen, TimestampPrecision precision);

class ClassicPcapReader {
  public:
    // Reads the records that follow the file header (which `input` has already consumed).
    ClassicPcapReader(std::unique_ptr<CaptureInput> input, const ClassicFileHeader& header);

    // The next packet, or nullptr at the end of the file after a whole record. Throws Error
    // with libpcap's words for a record it refuses, TruncatedCapture for one that the file
    // cuts short. The packet, kept in this reader, stays valid until the next call.
    [[gnu::always_inline]] inline const PcapPacket* next();
    // For loops that copy records as they are: hands visit(record, wire_length) each whole
    // record already read (header and data, as the file stores it) that pcap_dump() would
    // store back byte for byte from the packet next() makes of it, at most
    // max_captured_length bytes long, consuming and counting each before visit() sees it;
    // stops before the first other record, or where the bytes read end, for next() to read
    // (and to read more). The plain records: in this machine's byte order, a captured length
    // within the snapshot length and the wire length, seconds below 2^31 (which libpcap
    // widens as they are) and a fraction below one second. The record stays valid as long
    // as a copy of storage() taken before the next call to next().
    template <typename Visit>
    void read_plain_records(uint32_t max_captured_length, Visit&& visit);
    // The owner of the buffer the records last handed out lie in.
    const std::shared_ptr<const void>* storage() const { return input_->storage(); }
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
    PcapPacket packet_;  // the last one next() returned
};

// Inline: once per packet, where a loop over packets asks for it.
inline const PcapPacket* ClassicPcapReader::next() {
    const std::span<const uint8_t> head = input_->peek(kClassicRecordHeaderSize);
    if (head.size() < kClassicRecordHeaderSize) [[unlikely]] {
        end_of_records(head.size());
        return nullptr;
    }
    const uint32_t seconds = load_classic_field(head.data(), swapped_);
    const uint32_t fraction = load_classic_field(head.data() + 4, swapped_);
    const uint32_t captured_length = load_classic_field(head.data() + 8, swapped_);
    const uint32_t wire_length = load_classic_field(head.data() + 12, swapped_);
    if (captured_length > kMaximumCapturedLength) [[unlikely]]
        refuse_length(captured_length);
    const std::size_t record_length = kClassicRecordHeaderSize + captured_length;
    const std::span<const uint8_t> record = input_->peek(record_length);
    if (record.size() < record_length) [[unlikely]] {
        refuse_truncated(captured_length, record.size() - kClassicRecordHeaderSize);
    }
    input_->consume(record_length);
    ++packets_read_;
    // Each field is stored once, where the caller reads it (see PcapReader::next_view).
    PcapPacket& packet = packet_;
    // libpcap 1.10 widens the seconds of a file in this machine's byte order as a signed
    // 32-bit number (past 2038 they come out negative) but those of a swapped file as an
    // unsigned one, which its byte swap yields. It scales a microsecond fraction up in 64
    // bits, of which a PcapPacket keeps the low 32.
    packet.timestamp.seconds = swapped_ ? int64_t{seconds} : int64_t{static_cast<int32_t>(seconds)};
    packet.timestamp.nanoseconds = nanoseconds_ ? fraction : fraction * 1000u;
    packet.wire_length = wire_length;
    // A record longer than the snapshot length is cut to it, the rest skipped.
    packet.data = record.subspan(kClassicRecordHeaderSize, std::min(captured_length, snaplen_));
    packet.stored_record = record;
    packet.storage = input_->storage();
    return &packet;
}

template <typename Visit>
void ClassicPcapReader::read_plain_records(uint32_t max_captured_length, Visit&& visit) {
    if (swapped_) return;
    const uint32_t longest = std::min(max_captured_length, snaplen_);
    const uint32_t fraction_end = nanoseconds_ ? 1'000'000'000u : 1'000'000u;
    const std::span<const uint8_t> buffered = input_->buffered();
    // Walked in registers; what was handed out is consumed and counted at the end, or
    // where visit() throws.
    struct Progress {
        ClassicPcapReader& reader;
        const uint8_t* const start;
        const uint8_t* position;
        uint64_t records = 0;
        ~Progress() {
            reader.input_->consume(static_cast<std::size_t>(position - start));
            reader.packets_read_ += records;
        }
    } progress{*this, buffered.data(), buffered.data()};
    const uint8_t* const end = buffered.data() + buffered.size();
    while (static_cast<std::size_t>(end - progress.position) >= kClassicRecordHeaderSize) {
        const uint8_t* const record = progress.position;
        const uint32_t seconds = load_classic_field(record, false);
        const uint32_t fraction = load_classic_field(record + 4, false);
        const uint32_t captured_length = load_classic_field(record + 8, false);
        const uint32_t wire_length = load_classic_field(record + 12, false);
        const std::size_t record_length = kClassicRecordHeaderSize + captured_length;
        if (captured_length > longest || wire_length < captured_length ||
            seconds > uint32_t{INT32_MAX} || fraction >= fraction_end ||
            static_cast<std::size_t>(end - record) < record_length) [[unlikely]] {
            return;
        }
        progress.position += record_length;
        ++progress.records;
        visit(std::span<const uint8_t>(record, record_length), wire_length);
    }
}

// A record header as pcap_dump() stores it (this machine's byte order): the seconds and
// the fraction truncated to 32 bits as it does, then the captured and the wire length.
// Held as two 64-bit words, in registers: comparing one with a stored header costs two
// loads, where a copy through memory would stall on forwarding a wide store to them.
struct ClassicRecordHeader {
    uint64_t times = 0;    // the seconds, then the fraction
    uint64_t lengths = 0;  // the captured length, then the wire length

    bool operator==(const ClassicRecordHeader&) const = default;
};

inline ClassicRecordHeader classic_record_header(int64_t seconds, uint32_t fraction,
                                                 uint32_t captured_length, uint32_t wire_length) {
    // Two 32-bit fields as one word laid out in memory as the pair is.
    const auto pair = [](uint32_t first, uint32_t second) {
        if constexpr (std::endian::native == std::endian::little) {
            return uint64_t{first} | uint64_t{second} << 32;
        } else {
            return uint64_t{first} << 32 | uint64_t{second};
        }
    };
    return {pair(static_cast<uint32_t>(seconds), fraction), pair(captured_length, wire_length)};
}

inline ClassicRecordHeader load_classic_record_header(const uint8_t* bytes) {
    ClassicRecordHeader header;
    std::memcpy(&header.times, bytes, sizeof header.times);
    std::memcpy(&header.lengths, bytes + sizeof header.times, sizeof header.lengths);
    return header;
}

inline void store_classic_record_header(uint8_t* out, const ClassicRecordHeader& header) {
    std::memcpy(out, &header.times, sizeof header.times);
    std::memcpy(out + sizeof header.times, &header.lengths, sizeof header.lengths);
}

}  // namespace bpfgen
