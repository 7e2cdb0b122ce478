// pcap_io.h: reading pcap and pcapng captures and writing pcap captures, with every
// handle, file and buffer owned by an object. Classic pcap files are read by our own
// reader (classic_pcap.h) where it can give exactly what libpcap gives, everything else
// by libpcap; captures are written as pcap_dump() writes them. Link types are the
// LINKTYPE_* numbers stored in capture files (see link_layer.h), whatever libpcap calls
// them inside.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libbpfgen/base/atomic_file.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/file_descriptor.h"
#include "libbpfgen/capture/link_type_names.h"  // link_type_name() for every reader
#include "libbpfgen/capture/pcap_handle.h"
#include "libbpfgen/cbpf/program.h"

namespace bpfgen {

class BufferedOutput;
class CaptureInput;
class ClassicPcapReader;

enum class TimestampPrecision { Microseconds, Nanoseconds };

struct Timestamp {
    int64_t seconds = 0;       // since the epoch (UTC)
    uint32_t nanoseconds = 0;  // 0..999999999

    friend bool operator==(const Timestamp&, const Timestamp&) = default;
};

// One captured packet. A view returned by PcapReader::next() stays valid until the next
// call to next() on the same reader.
struct PcapPacket {
    Timestamp timestamp;
    uint32_t wire_length = 0;       // length on the wire, >= data.size() unless damaged
    std::span<const uint8_t> data;  // the captured bytes
    // For a packet that PcapReader read from a classic pcap file itself: its record as
    // the file stores it (record header, then data), and the owner of the buffer holding
    // it, a copy of which keeps those bytes valid after next(). PcapWriter writes records
    // that are byte for byte what it would write from there (writev(2)), rather than
    // copying them. Empty and null otherwise.
    std::span<const uint8_t> stored_record;
    const std::shared_ptr<const void>* storage = nullptr;
};

// The name shown in messages for a path given on a command line ("-" is standard input).
std::string input_display_name(const std::string& path);

// What PcapReader::next() throws when the capture ends inside a record (or a pcapng
// block): the file was cut short, by a capture killed or still being written or by a
// partial copy, and every packet read before it was whole. A record or block that is
// damaged in any other way, or a read that fails, is a plain Error.
class TruncatedCapture : public Error {
  public:
    using Error::Error;
};

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
    // and the packet number for a damaged record, TruncatedCapture for one the capture
    // ends inside of; reading should stop then.
    std::optional<PcapPacket> next() {
        const PcapPacket* packet = next_view();
        return packet ? std::optional<PcapPacket>(*packet) : std::nullopt;
    }
    // The same as next(), for loops over many packets: the packet, kept in this reader
    // until the next call, or nullptr at the end. Returning it by value copied it through
    // memory with wider loads than the stores that had just made it, a store-forwarding
    // stall on every packet.
    const PcapPacket* next_view();
    // Packets returned so far.
    uint64_t packets_read() const;
    // The reader of a classic capture read without libpcap, else nullptr: for loops in
    // this component that copy its records in place (see merged_captures.cpp).
    ClassicPcapReader* classic_reader() { return classic_.get(); }
    // Whether a stop signal (stop_signals.h) ended the reading: next() then returned nullopt,
    // dropping the part of a record read so far, rather than naming a truncated capture.
    bool stopped() const;

    // libpcap's compiler (optimizer on) for this capture's link type and snapshot length,
    // as `tcpdump -r FILE EXPRESSION` compiles. Throws Error with libpcap's reason.
    Program compile_filter(const std::string& expression) const;

  private:
    const PcapPacket* next_from_libpcap();
    // Throws the reason a reader gave for refusing the next record, naming the input and
    // the packet: a TruncatedCapture when the capture ended inside it.
    [[noreturn]] void refuse_next(std::string_view reason, bool truncated) const;

    // Exactly one of these reads the capture.
    std::unique_ptr<ClassicPcapReader> classic_;
    PcapHandle handle_;
    const CaptureInput* libpcap_input_ = nullptr;  // what handle_ reads (its stream owns it)
    // The file header of a capture classic_ reads, from which libpcap makes a handle to
    // compile filters for it as for any capture it reads itself.
    std::array<uint8_t, 24> classic_file_header_{};
    std::string name_;
    int link_type_ = 0;
    uint32_t snaplen_ = 0;
    TimestampPrecision precision_ = TimestampPrecision::Microseconds;
    uint64_t packets_read_ = 0;  // by libpcap (the classic reader counts its own)
    PcapPacket libpcap_packet_;  // the last one libpcap read
};

// Writes a pcap capture, byte for byte as libpcap's pcap_dump() would, through a large
// buffer. To "-" it writes standard output; to any other path it writes a temporary file
// in the same directory that commit() renames into place, so that path never holds a
// partial capture: without commit() (an error, an exception) the temporary file is
// removed and an existing file at path is left untouched. Devices and pipes named by path
// are written to as they are.
class PcapWriter {
  public:
    PcapWriter(const std::string& path, int link_type, uint32_t snaplen,
               TimestampPrecision precision = TimestampPrecision::Microseconds);
    ~PcapWriter();
    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;

    // Throws Error when the packet cannot be stored faithfully: more bytes than the
    // snapshot length, wire length below the captured length, or a timestamp outside the
    // pcap format's range (1970 to 2106); OutputError when the output cannot be written.
    void write(const PcapPacket& packet);
    // Writes `count` records, adjacent in `records`, as they are: the caller has checked
    // that write() would write each of them byte for byte so (see
    // ClassicPcapReader::read_plain_records: records of a capture of this writer's
    // precision, none longer than its snapshot length). `storage` owns their bytes; it is
    // held until they are written out.
    void write_stored_records(std::span<const uint8_t> records, uint64_t count,
                              const std::shared_ptr<const void>& storage);
    TimestampPrecision precision() const { return precision_; }
    uint32_t snaplen() const { return snaplen_; }
    // Writes out every packet written so far, as a live pipeline wants each packet (tcpdump's
    // -U); throws OutputError when the output cannot take them.
    void flush();
    // Flushes and (for a file) renames it into place; throws Error when writing failed.
    void commit();
    uint64_t packets_written() const { return packets_written_; }

  private:
    [[noreturn]] void refuse(const PcapPacket& packet) const;

    // Appends records that lie in storage's buffer, to be written from there.
    void append_stored(std::span<const uint8_t> records,
                       const std::shared_ptr<const void>& storage);
    // Writes out what output_ holds of held_storage_'s bytes and lets go of it.
    void release_held();

    std::vector<uint8_t> file_header_;            // written from here, as the first bytes
    std::optional<ReplacementFile> replacement_;  // for a regular file (or a new one)
    FileDescriptor stream_;                       // otherwise: stdout's duplicate, a device
    std::unique_ptr<BufferedOutput> output_;
    // The owner of the reader's buffer whose records output_ is to write from where they
    // lie (see PcapPacket::stored_record), held until they are written.
    std::shared_ptr<const void> held_storage_;
    TimestampPrecision precision_;
    uint32_t snaplen_;
    uint64_t packets_written_ = 0;
    bool committed_ = false;
};

}  // namespace bpfgen
