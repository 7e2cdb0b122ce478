// classic_pcap.cpp: the classic pcap record reader; see classic_pcap.h. Its checks and
// messages follow libpcap 1.10's sf-pcap.c, which reads the files this reader declines.
#include "libbpfgen/capture/detail/classic_pcap.h"

#include <algorithm>
#include <climits>
#include <cstring>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/capture/link_layer.h"

namespace bpfgen {

namespace {

constexpr uint32_t kMagicMicroseconds = 0xa1b2c3d4;
constexpr uint32_t kMagicNanoseconds = 0xa1b23c4d;
// LINKTYPE values keep flags (e.g. FCS lengths) in their upper 6 bits.
constexpr uint32_t kLinkTypeMask = 0x03ffffff;

uint16_t load16(const uint8_t* bytes, bool swapped) {
    uint16_t value;
    std::memcpy(&value, bytes, sizeof value);
    return swapped ? __builtin_bswap16(value) : value;
}

// The link types read here: for each, libpcap's DLT is the LINKTYPE or, for raw IP, the
// DLT that pcap_io.cpp maps back to it, its largest record is kMaximumCapturedLength, and
// it changes no packet of a file in this machine's byte order.
bool is_native_link_type(uint32_t link_type, bool swapped) {
    switch (link_type) {
        case linktype::kNull:
        case linktype::kEthernet:
        case linktype::kRaw:
        case linktype::kLoop:
        case linktype::kIpv4:
        case linktype::kIpv6:
            return true;
        case linktype::kLinuxSll:
        case linktype::kLinuxSll2:
            // In files of the other byte order libpcap swaps fields of CAN frames' headers.
            return !swapped;
        default:
            return false;
    }
}

}  // namespace

std::optional<ClassicFileHeader> native_classic_header(std::span<const uint8_t> bytes) {
    if (bytes.size() < kClassicFileHeaderSize) return std::nullopt;
    ClassicFileHeader header;
    uint32_t magic = load_classic_field(bytes.data(), false);
    if (magic != kMagicMicroseconds && magic != kMagicNanoseconds) {
        magic = __builtin_bswap32(magic);
        if (magic != kMagicMicroseconds && magic != kMagicNanoseconds) return std::nullopt;
        header.swapped = true;
    }
    header.nanoseconds = magic == kMagicNanoseconds;
    // Other versions libpcap accepts (2.0 to 2.3, 543.0) may have the two lengths of each
    // record in the other order.
    const uint16_t version_major = load16(bytes.data() + 4, header.swapped);
    const uint16_t version_minor = load16(bytes.data() + 6, header.swapped);
    if (version_major != 2 || version_minor != 4) return std::nullopt;
    const uint32_t snaplen = load_classic_field(bytes.data() + 16, header.swapped);
    const uint32_t link_type =
        load_classic_field(bytes.data() + 20, header.swapped) & kLinkTypeMask;
    if (!is_native_link_type(link_type, header.swapped)) return std::nullopt;
    header.link_type = static_cast<int>(link_type);
    header.snaplen = snaplen == 0 || snaplen > INT_MAX ? kMaximumCapturedLength : snaplen;
    return header;
}

std::optional<std::array<uint8_t, kClassicFileHeaderSize>> native_classic_file_header(
    int link_type, uint32_t snaplen, TimestampPrecision precision) {
    if (link_type < 0 || !is_native_link_type(static_cast<uint32_t>(link_type), false)) {
        return std::nullopt;
    }
    // As sf-pcap.c's sf_write_header(): magic, version 2.4, time zone and accuracy 0, the
    // snapshot length, the link type; in this machine's byte order.
    const uint32_t magic =
        precision == TimestampPrecision::Nanoseconds ? kMagicNanoseconds : kMagicMicroseconds;
    const uint16_t version[2] = {2, 4};
    const uint32_t fields[4] = {0, 0, snaplen, static_cast<uint32_t>(link_type)};
    std::array<uint8_t, kClassicFileHeaderSize> header;
    std::memcpy(header.data(), &magic, sizeof magic);
    std::memcpy(header.data() + 4, version, sizeof version);
    std::memcpy(header.data() + 8, fields, sizeof fields);
    return header;
}

ClassicPcapReader::ClassicPcapReader(std::unique_ptr<CaptureInput> input,
                                     const ClassicFileHeader& header)
    : input_(std::move(input)),
      swapped_(header.swapped),
      nanoseconds_(header.nanoseconds),
      snaplen_(header.snaplen) {}

void ClassicPcapReader::end_of_records(std::size_t header_bytes) const {
    if (input_->read_error() != 0) {
        throw Error(
            fmt::format("error reading dump file: {}", std::strerror(input_->read_error())));
    }
    if (header_bytes == 0) return;
    throw TruncatedCapture(
        fmt::format("truncated dump file; tried to read {} header bytes, only got {}",
                    kClassicRecordHeaderSize, header_bytes));
}

void ClassicPcapReader::refuse_length(uint32_t captured_length) const {
    if (captured_length > snaplen_) {
        throw Error(fmt::format("invalid packet capture length {}, bigger than snaplen of {}",
                                captured_length, snaplen_));
    }
    throw Error(fmt::format("invalid packet capture length {}, bigger than maximum of {}",
                            captured_length, kMaximumCapturedLength));
}

void ClassicPcapReader::refuse_truncated(uint32_t captured_length, std::size_t available) const {
    if (input_->read_error() != 0) {
        throw Error(
            fmt::format("error reading dump file: {}", std::strerror(input_->read_error())));
    }
    // libpcap reads the first snaplen bytes of a longer record before the rest.
    const uint32_t wanted =
        captured_length > snaplen_ && available < snaplen_ ? snaplen_ : captured_length;
    throw TruncatedCapture(fmt::format(
        "truncated dump file; tried to read {} captured bytes, only got {}", wanted, available));
}

}  // namespace bpfgen
