// pcap_io.h: reading pcap and pcapng captures and writing pcap captures through libpcap,
// with every libpcap handle and file owned by an object. Link types are the LINKTYPE_*
// numbers stored in capture files (see link_layer.h), whatever libpcap calls them inside.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "libbpfgen/program.h"

struct pcap;         // libpcap's pcap_t
struct pcap_dumper;  // libpcap's pcap_dumper_t

namespace bpfgen {

// Deleters for libpcap's handles.
struct PcapCloser {
    void operator()(pcap* handle) const;
};
struct PcapDumperCloser {
    void operator()(pcap_dumper* dumper) const;
};

enum class TimestampPrecision { Microseconds, Nanoseconds };

struct Timestamp {
    int64_t seconds = 0;       // since the epoch (UTC)
    uint32_t nanoseconds = 0;  // 0..999999999

    friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

// One captured packet. A view returned by PcapReader::next() stays valid until the next
// call to next() on the same reader.
struct PacketView {
    Timestamp timestamp;
    uint32_t wire_length = 0;       // length on the wire, >= data.size()
    std::span<const uint8_t> data;  // the captured bytes
};

// libpcap's name and description of a link type, e.g. "EN10MB (Ethernet)"; "link type N"
// when libpcap does not know it.
std::string link_type_name(int link_type);
// A link type given as a number or as libpcap's name for it ("EN10MB", "LINUX_SLL", "RAW";
// any case). Throws Error when it is neither.
int parse_link_type(std::string_view text);

// The name shown in messages for a path given on a command line ("-" is standard input).
std::string input_display_name(const std::string& path);

class PcapReader {
  public:
    // Opens a pcap or pcapng capture; "-" reads standard input. Throws Error naming the
    // input (missing file, empty file, not a capture, damaged header).
    explicit PcapReader(const std::string& path);
    ~PcapReader();
    PcapReader(PcapReader&&) noexcept;
    PcapReader& operator=(PcapReader&&) noexcept;
    PcapReader(const PcapReader&) = delete;
    PcapReader& operator=(const PcapReader&) = delete;

    // "file.pcap", or "stdin".
    const std::string& name() const { return name_; }
    int link_type() const { return link_type_; }
    uint32_t snaplen() const { return snaplen_; }
    // The precision of the file's own timestamps: nanoseconds for nanosecond pcap files and
    // for pcapng (whose resolution is per interface); timestamps are always read to the ns.
    TimestampPrecision precision() const { return precision_; }

    // The next packet, or nullopt at the end of the capture. Throws Error naming the input
    // and the packet number for a damaged or truncated record.
    std::optional<PacketView> next();
    // Packets returned so far.
    uint64_t packets_read() const { return packets_read_; }

    // libpcap's compiler (optimizer on) for this capture's link type and snapshot length,
    // as `tcpdump -r FILE EXPRESSION` compiles. Throws Error with libpcap's reason.
    Program compile_filter(const std::string& expression) const;

  private:
    std::unique_ptr<pcap, PcapCloser> handle_;
    std::string name_;
    int link_type_ = 0;
    uint32_t snaplen_ = 0;
    TimestampPrecision precision_ = TimestampPrecision::Microseconds;
    uint64_t packets_read_ = 0;
};

// libpcap's compiler for a link type without a capture (e.g. raw IP for programs that see
// packets from their IP header on).
Program compile_filter(const std::string& expression, int link_type, uint32_t snaplen);

// Writes a pcap capture. To "-" it writes standard output; to any other path it writes a
// temporary file in the same directory that commit() renames into place, so that path
// never holds a partial capture: without commit() (an error, an exception) the temporary
// file is removed and an existing file at path is left untouched.
class PcapWriter {
  public:
    PcapWriter(const std::string& path, int link_type, uint32_t snaplen,
               TimestampPrecision precision = TimestampPrecision::Microseconds);
    ~PcapWriter();
    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;

    // Throws Error when the packet cannot be stored faithfully: more bytes than the
    // snapshot length, wire length below the captured length, or a timestamp outside the
    // pcap format's range (1970 to 2106).
    void write(const PacketView& packet);
    // Flushes and (for a file) renames it into place; throws Error when writing failed.
    void commit();
    uint64_t packets_written() const { return packets_written_; }

  private:
    std::unique_ptr<pcap, PcapCloser> dead_;  // carries the link type and snapshot length
    std::unique_ptr<pcap_dumper, PcapDumperCloser> dumper_;
    std::string path_;            // empty for standard output
    std::string temporary_path_;  // removed unless committed
    TimestampPrecision precision_;
    uint32_t snaplen_;
    uint64_t packets_written_ = 0;
    bool committed_ = false;
};

}  // namespace bpfgen
