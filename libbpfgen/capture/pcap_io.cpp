// pcap_io.cpp: the capture reader (ours for classic pcap, libpcap's for the rest) and writer.
#include "libbpfgen/capture/pcap_io.h"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "libbpfgen/base/detail/buffered_output.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/stop_signals.h"
#include "libbpfgen/capture/detail/capture_input.h"
#include "libbpfgen/capture/detail/classic_pcap.h"
#include "libbpfgen/capture/detail/libpcap_library.h"
#include "libbpfgen/capture/pcap_compiler.h"

namespace bpfgen {

namespace {

std::string errno_text(int error) {
    return std::strerror(error);
}

// libpcap reads what our reader declines through a stdio stream over the same input, so
// that the bytes already looked at (standard input cannot be rewound) are read again.
ssize_t read_capture_input(void* cookie, char* buffer, size_t size) {
    return static_cast<CaptureInput*>(cookie)->read(buffer, size);
}

int close_capture_input(void* cookie) {
    delete static_cast<CaptureInput*>(cookie);
    return 0;
}

struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// libpcap's reader for an input whose first bytes may have been looked at already.
PcapHandle open_with_libpcap(std::unique_ptr<CaptureInput> input, const std::string& name) {
    const LibpcapFunctions& pcap = libpcap();
    cookie_io_functions_t functions{};
    functions.read = read_capture_input;
    functions.close = close_capture_input;
    FilePtr stream(::fopencookie(input.get(), "rb", functions));
    if (!stream) throw Error(fmt::format("{}: cannot read: {}", name, errno_text(errno)));
    input.release();  // now owned by `stream`
    std::array<char, PCAP_ERRBUF_SIZE> error{};
    PcapHandle handle(pcap.pcap_fopen_offline_with_tstamp_precision(
        stream.get(), PCAP_TSTAMP_PRECISION_NANO, error.data()));
    if (!handle) throw Error(fmt::format("{}: {}", name, error.data()));
    stream.release();  // now owned by the pcap handle
    return handle;
}

// The file header pcap_dump_fopen() writes for these parameters (libpcap decides how link
// types are stored and which it refuses). Throws Error with libpcap's reason.
std::vector<uint8_t> libpcap_file_header(int link_type, uint32_t snaplen,
                                         TimestampPrecision precision) {
    const LibpcapFunctions& pcap = libpcap();
    PcapHandle dead(pcap.pcap_open_dead_with_tstamp_precision(
        dlt_from_link_type(link_type), static_cast<int>(snaplen),
        precision == TimestampPrecision::Nanoseconds ? PCAP_TSTAMP_PRECISION_NANO
                                                     : PCAP_TSTAMP_PRECISION_MICRO));
    if (!dead) throw Error(fmt::format("cannot write captures of link type {}", link_type));
    char* bytes = nullptr;
    std::size_t size = 0;
    FilePtr stream(::open_memstream(&bytes, &size));
    if (!stream) throw Error(fmt::format("cannot write a capture: {}", errno_text(errno)));
    // pcap_dump_fopen() refuses a link type before writing and then leaves the stream to
    // us; once it has written the header (into memory: that cannot fail) the dumper owns it.
    PcapDumperHandle dumper(pcap.pcap_dump_fopen(dead.get(), stream.get()));
    if (!dumper) {
        stream.reset();
        std::free(bytes);
        throw Error(pcap.pcap_geterr(dead.get()));
    }
    stream.release();
    dumper.reset();  // closes the stream, which leaves its bytes to us
    const std::unique_ptr<char, decltype(&std::free)> owned(bytes, &std::free);
    const auto* begin = reinterpret_cast<const uint8_t*>(bytes);
    return {begin, begin + size};
}

}  // namespace

std::string input_display_name(const std::string& path) {
    return path == "-" ? "stdin" : path;
}

PcapReader::PcapReader(const std::string& path) : name_(input_display_name(path)) {
    auto input = std::make_unique<CaptureInput>(path, name_);
    const std::span<const uint8_t> start = input->peek(kClassicFileHeaderSize);
    if (start.size() < kClassicFileHeaderSize && input->read_error() != 0) {
        throw Error(fmt::format("{}: cannot read: {}", name_, errno_text(input->read_error())));
    }
    if (start.size() < kClassicFileHeaderSize && input->stopped()) {
        throw Error(fmt::format("{}: reading stopped by {} before the capture's header", name_,
                                stop_signal_name(StopSignals::received())));
    }
    if (start.empty()) throw Error(fmt::format("{}: empty file, not a capture", name_));
    const auto starts_with = [&](std::array<uint8_t, 4> magic) {
        return start.size() >= magic.size() &&
               std::equal(magic.begin(), magic.end(), start.begin());
    };
    const bool nanosecond_pcap =
        starts_with({0xa1, 0xb2, 0x3c, 0x4d}) || starts_with({0x4d, 0x3c, 0xb2, 0xa1});
    const bool pcapng = starts_with({0x0a, 0x0d, 0x0d, 0x0a});
    precision_ = nanosecond_pcap || pcapng ? TimestampPrecision::Nanoseconds
                                           : TimestampPrecision::Microseconds;

    if (const std::optional<ClassicFileHeader> header = native_classic_header(start)) {
        std::copy_n(start.begin(), classic_file_header_.size(), classic_file_header_.begin());
        input->consume(kClassicFileHeaderSize);
        classic_ = std::make_unique<ClassicPcapReader>(std::move(input), *header);
        link_type_ = header->link_type;
        snaplen_ = header->snaplen;
        return;
    }
    libpcap_input_ = input.get();
    handle_ = open_with_libpcap(std::move(input), name_);
    link_type_ = link_type_from_dlt(libpcap().pcap_datalink(handle_.get()));
    snaplen_ = static_cast<uint32_t>(libpcap().pcap_snapshot(handle_.get()));
}

PcapReader::~PcapReader() = default;
PcapReader::PcapReader(PcapReader&&) noexcept = default;
PcapReader& PcapReader::operator=(PcapReader&&) noexcept = default;

const PcapPacket* PcapReader::next_view() {
    if (classic_) [[likely]] {
        try {
            return classic_->next();  // which counts its packets
        } catch (const TruncatedCapture& error) {
            if (classic_->stopped()) return nullptr;
            refuse_next(error.what(), true);
        } catch (const Error& error) {
            refuse_next(error.what(), false);
        }
    }
    const PcapPacket* packet = next_from_libpcap();
    if (packet) ++packets_read_;
    return packet;
}

void PcapReader::refuse_next(std::string_view reason, bool truncated) const {
    std::string message = fmt::format("{}: packet {}: {}", name_, packets_read() + 1, reason);
    if (truncated) throw TruncatedCapture(message);
    throw Error(message);
}

const PcapPacket* PcapReader::next_from_libpcap() {
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const LibpcapFunctions& pcap = libpcap();  // loaded: handle_ came from it
    const int status = pcap.pcap_next_ex(handle_.get(), &header, &data);
    if (status == PCAP_ERROR_BREAK) return nullptr;
    if (status != 1 && libpcap_input_->stopped()) return nullptr;
    if (status != 1) {
        // libpcap 1.10 says only this when a file ends inside a record (sf-pcap.c) or a
        // block (sf-pcapng.c), and it has no other way of telling it from damage.
        const std::string_view reason = pcap.pcap_geterr(handle_.get());
        refuse_next(reason, reason.starts_with("truncated dump file;") ||
                                reason.starts_with("truncated pcapng dump file;"));
    }
    PcapPacket& packet = libpcap_packet_;
    packet.timestamp.seconds = static_cast<int64_t>(header->ts.tv_sec);
    packet.timestamp.nanoseconds = static_cast<uint32_t>(header->ts.tv_usec);
    packet.wire_length = header->len;
    packet.data = std::span<const uint8_t>(data, header->caplen);
    return &packet;
}

uint64_t PcapReader::packets_read() const {
    return classic_ ? classic_->packets_read() : packets_read_;
}

bool PcapReader::stopped() const {
    return classic_ ? classic_->stopped() : libpcap_input_->stopped();
}

Program PcapReader::compile_filter(const std::string& expression) const {
    if (handle_) return compile_pcap_filter(expression, handle_.get());
    // libpcap compiles some expressions differently for captures it reads than for live
    // ones or dead handles (BSD loopback families, a file's byte order, "inbound"), so
    // compile on a handle reading this capture's file header.
    std::array<uint8_t, 24> header = classic_file_header_;
    FilePtr stream(::fmemopen(header.data(), header.size(), "rb"));
    if (!stream)
        throw Error(fmt::format("{}: cannot compile filters: {}", name_, errno_text(errno)));
    std::array<char, PCAP_ERRBUF_SIZE> error{};
    PcapHandle handle(libpcap().pcap_fopen_offline_with_tstamp_precision(
        stream.get(), PCAP_TSTAMP_PRECISION_NANO, error.data()));
    if (!handle) throw Error(fmt::format("{}: {}", name_, error.data()));
    stream.release();  // now owned by the pcap handle
    return compile_pcap_filter(expression, handle.get());
}

PcapWriter::PcapWriter(const std::string& path, int link_type, uint32_t snaplen,
                       TimestampPrecision precision)
    : precision_(precision), snaplen_(snaplen) {
    if (snaplen == 0 || snaplen > INT_MAX) {
        throw Error(fmt::format("invalid snapshot length {}", snaplen));
    }
    const std::string shown = path == "-" ? "stdout" : path;
    try {
        // Made here for the link types the classic reader reads: the common run of filter
        // then never loads libpcap.
        if (const auto native = native_classic_file_header(link_type, snaplen, precision)) {
            file_header_.assign(native->begin(), native->end());
        } else {
            file_header_ = libpcap_file_header(link_type, snaplen, precision);
        }
    } catch (const Error& error) {
        throw Error(fmt::format("{}: {}", shown, error.what()));
    }
    int fd = -1;
    if (path == "-") {
        stream_ = FileDescriptor(::fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 0));
        if (!stream_) throw Error(fmt::format("stdout: cannot write: {}", errno_text(errno)));
        fd = stream_.get();
    } else {
        // A device or a pipe (e.g. /dev/null) is written in place: renaming over it would
        // replace it.
        stream_ = open_in_place(path);
        fd = stream_ ? stream_.get() : replacement_.emplace(path).fd();
    }
    output_ = std::make_unique<BufferedOutput>(fd, shown);
    output_->append_held(file_header_);  // kept until the writer is gone
}

PcapWriter::~PcapWriter() {
    // Like a stdio stream closed unflushed, standard output and devices still get what was
    // written before an error; a file's temporary copy is removed by replacement_.
    if (!committed_ && output_ && !replacement_) {
        try {
            output_->flush();
        } catch (const Error&) {
        }
    }
}

void PcapWriter::refuse(const PcapPacket& packet) const {
    if (packet.data.size() > snaplen_) {
        throw Error(
            fmt::format("{} bytes exceed the snapshot length {}", packet.data.size(), snaplen_));
    }
    if (packet.wire_length < packet.data.size()) {
        throw Error(fmt::format("wire length {} is below the captured length {}",
                                packet.wire_length, packet.data.size()));
    }
    if (packet.timestamp.seconds < 0 || packet.timestamp.seconds > UINT32_MAX) {
        throw Error(
            fmt::format("timestamp {} s is outside the pcap format's range (1970 to "
                        "2106)",
                        packet.timestamp.seconds));
    }
    throw Error(fmt::format("invalid timestamp fraction {} ns", packet.timestamp.nanoseconds));
}

void PcapWriter::write(const PcapPacket& packet) {
    if (committed_) throw Error("capture already finished");
    const std::size_t size = packet.data.size();
    // One test for all the ways a packet can be unfit for the format; refuse() says which.
    if (size > snaplen_ || packet.wire_length < size ||
        static_cast<uint64_t>(packet.timestamp.seconds) > UINT32_MAX ||
        packet.timestamp.nanoseconds > 999'999'999) [[unlikely]] {
        refuse(packet);
    }
    const uint32_t fraction = precision_ == TimestampPrecision::Nanoseconds
                                  ? packet.timestamp.nanoseconds
                                  : packet.timestamp.nanoseconds / 1000;
    const ClassicRecordHeader header = classic_record_header(
        packet.timestamp.seconds, fraction, static_cast<uint32_t>(size), packet.wire_length);
    const std::span<const uint8_t> stored = packet.stored_record;
    if (packet.storage != nullptr && stored.size() == kClassicRecordHeaderSize + size &&
        stored.data() + kClassicRecordHeaderSize == packet.data.data() &&
        load_classic_record_header(stored.data()) == header) [[likely]] {
        // The record as the file stores it is byte for byte what would be written.
        append_stored(stored, *packet.storage);
    } else {
        uint8_t* out = output_->reserve(kClassicRecordHeaderSize);
        store_classic_record_header(out, header);
        output_->added(kClassicRecordHeaderSize);
        output_->append(packet.data);
    }
    ++packets_written_;
}

void PcapWriter::write_stored_records(std::span<const uint8_t> records, uint64_t count,
                                      const std::shared_ptr<const void>& storage) {
    if (committed_) throw Error("capture already finished");
    append_stored(records, storage);
    packets_written_ += count;
}

void PcapWriter::append_stored(std::span<const uint8_t> records,
                               const std::shared_ptr<const void>& storage) {
    // Written from the reader's buffer, which is held until then. One buffer at a time, so
    // that the reader can read into the one before again.
    if (storage.get() != held_storage_.get()) [[unlikely]] {
        release_held();
        held_storage_ = storage;
    }
    output_->append_held(records);
}

void PcapWriter::release_held() {
    if (held_storage_) flush();
}

void PcapWriter::flush() {
    output_->flush();
    held_storage_.reset();
}

void PcapWriter::commit() {
    if (committed_) return;
    flush();
    if (replacement_) {
        replacement_->commit();
    } else if (stream_.close() != 0) {
        throw OutputError(fmt::format("{}: cannot write: {}", output_->name(), errno_text(errno)));
    }
    committed_ = true;
}

}  // namespace bpfgen
