// pcap_io.cpp: the libpcap-backed capture reader and writer.
#include "libbpfgen/pcap_io.h"

#include <fcntl.h>
#include <pcap/pcap.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "libbpfgen/error.h"

namespace bpfgen {

void PcapCloser::operator()(pcap* handle) const {
    pcap_close(handle);
}
void PcapDumperCloser::operator()(pcap_dumper* dumper) const {
    pcap_dump_close(dumper);
}

namespace {

// LINKTYPE_* (in files) and DLT_* (inside libpcap) differ for a few old types; these are
// the ones libpcap translates on Linux.
struct LinkTypeAlias {
    int link_type;
    int dlt;
};
constexpr std::array<LinkTypeAlias, 5> kLinkTypeAliases{{
    {100, DLT_ATM_RFC1483},
    {101, DLT_RAW},
    {102, DLT_SLIP_BSDOS},
    {103, DLT_PPP_BSDOS},
    {106, DLT_ATM_CLIP},
}};

int dlt_from_link_type(int link_type) {
    for (const LinkTypeAlias& alias : kLinkTypeAliases) {
        if (alias.link_type == link_type) return alias.dlt;
    }
    return link_type;
}

int link_type_from_dlt(int dlt) {
    for (const LinkTypeAlias& alias : kLinkTypeAliases) {
        if (alias.dlt == dlt) return alias.link_type;
    }
    return dlt;
}

std::string errno_text(int error) {
    return std::strerror(error);
}

// A stream that replays the bytes already read to learn the file format, then continues
// with the underlying file: libpcap reads the header itself, and standard input cannot be
// rewound. Owns the underlying file.
struct PeekedStream {
    std::FILE* file = nullptr;
    std::array<char, 4> prefix{};
    std::size_t prefix_size = 0;
    std::size_t prefix_position = 0;

    ~PeekedStream() {
        if (file != nullptr) std::fclose(file);
    }
};

ssize_t peeked_read(void* cookie, char* buffer, size_t size) {
    auto* stream = static_cast<PeekedStream*>(cookie);
    std::size_t copied = 0;
    while (copied < size && stream->prefix_position < stream->prefix_size) {
        buffer[copied++] = stream->prefix[stream->prefix_position++];
    }
    if (copied < size) {
        copied += std::fread(buffer + copied, 1, size - copied, stream->file);
        if (copied == 0 && std::ferror(stream->file)) return -1;
    }
    return static_cast<ssize_t>(copied);
}

int peeked_close(void* cookie) {
    delete static_cast<PeekedStream*>(cookie);
    return 0;
}

struct FileCloser {
    void operator()(std::FILE* file) const { std::fclose(file); }
};
using FilePtr = std::unique_ptr<std::FILE, FileCloser>;

// Converts libpcap's compiled program into ours; frees libpcap's copy in every case.
class CompiledFilter {
  public:
    CompiledFilter(pcap* handle, const std::string& expression) {
        if (pcap_compile(handle, &program_, expression.c_str(), 1, 0) != 0) {
            throw Error(
                fmt::format("cannot compile filter '{}': {}", expression, pcap_geterr(handle)));
        }
        compiled_ = true;
    }
    ~CompiledFilter() {
        if (compiled_) pcap_freecode(&program_);
    }
    CompiledFilter(const CompiledFilter&) = delete;
    CompiledFilter& operator=(const CompiledFilter&) = delete;

    Program program() const {
        std::vector<Instruction> instructions;
        instructions.reserve(program_.bf_len);
        for (u_int i = 0; i < program_.bf_len; ++i) {
            const bpf_insn& insn = program_.bf_insns[i];
            instructions.push_back(Instruction{insn.code, insn.jt, insn.jf, insn.k});
        }
        return Program(std::move(instructions));
    }

  private:
    bpf_program program_{};
    bool compiled_ = false;
};

}  // namespace

std::string link_type_name(int link_type) {
    const int dlt = dlt_from_link_type(link_type);
    const char* name = pcap_datalink_val_to_name(dlt);
    const char* description = pcap_datalink_val_to_description(dlt);
    if (name == nullptr) return fmt::format("link type {}", link_type);
    if (description == nullptr) return name;
    return fmt::format("{} ({})", name, description);
}

int parse_link_type(std::string_view text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) {
        if (value < 0 || value > 0xffff) {
            throw Error(fmt::format("link type {} is out of range (0 to 65535)", text));
        }
        return value;
    }
    const int dlt = pcap_datalink_name_to_val(std::string(text).c_str());
    if (dlt < 0) {
        throw Error(
            fmt::format("unknown link type '{}' (give a LINKTYPE number or a name "
                        "such as EN10MB, LINUX_SLL, LINUX_SLL2, RAW)",
                        text));
    }
    return link_type_from_dlt(dlt);
}

std::string input_display_name(const std::string& path) {
    return path == "-" ? "stdin" : path;
}

PcapReader::PcapReader(const std::string& path) : name_(input_display_name(path)) {
    FilePtr file;
    if (path == "-") {
        int fd = ::dup(STDIN_FILENO);
        if (fd < 0) throw Error(fmt::format("{}: cannot read: {}", name_, errno_text(errno)));
        file.reset(::fdopen(fd, "rb"));
        if (!file) {
            int error = errno;
            ::close(fd);
            throw Error(fmt::format("{}: cannot read: {}", name_, errno_text(error)));
        }
    } else {
        file.reset(std::fopen(path.c_str(), "rb"));
        if (!file) throw Error(fmt::format("{}: cannot open: {}", name_, errno_text(errno)));
    }

    auto stream = std::make_unique<PeekedStream>();
    stream->prefix_size = std::fread(stream->prefix.data(), 1, stream->prefix.size(), file.get());
    if (std::ferror(file.get())) {
        throw Error(fmt::format("{}: cannot read: {}", name_, errno_text(errno)));
    }
    if (stream->prefix_size == 0) throw Error(fmt::format("{}: empty file, not a capture", name_));
    const auto* magic = reinterpret_cast<const unsigned char*>(stream->prefix.data());
    const bool nanosecond_pcap =
        stream->prefix_size == 4 &&
        ((magic[0] == 0xa1 && magic[1] == 0xb2 && magic[2] == 0x3c && magic[3] == 0x4d) ||
         (magic[0] == 0x4d && magic[1] == 0x3c && magic[2] == 0xb2 && magic[3] == 0xa1));
    const bool pcapng = stream->prefix_size == 4 && magic[0] == 0x0a && magic[1] == 0x0d &&
                        magic[2] == 0x0d && magic[3] == 0x0a;
    precision_ = nanosecond_pcap || pcapng ? TimestampPrecision::Nanoseconds
                                           : TimestampPrecision::Microseconds;
    stream->file = file.release();

    cookie_io_functions_t functions{};
    functions.read = peeked_read;
    functions.close = peeked_close;
    FilePtr peeked(::fopencookie(stream.get(), "rb", functions));
    if (!peeked) throw Error(fmt::format("{}: cannot read: {}", name_, errno_text(errno)));
    stream.release();  // now owned by `peeked`

    std::array<char, PCAP_ERRBUF_SIZE> error{};
    handle_.reset(pcap_fopen_offline_with_tstamp_precision(peeked.get(), PCAP_TSTAMP_PRECISION_NANO,
                                                           error.data()));
    if (!handle_) throw Error(fmt::format("{}: {}", name_, error.data()));
    peeked.release();  // now owned by the pcap handle
    link_type_ = link_type_from_dlt(pcap_datalink(handle_.get()));
    snaplen_ = static_cast<uint32_t>(pcap_snapshot(handle_.get()));
}

PcapReader::~PcapReader() = default;
PcapReader::PcapReader(PcapReader&&) noexcept = default;
PcapReader& PcapReader::operator=(PcapReader&&) noexcept = default;

std::optional<PacketView> PcapReader::next() {
    pcap_pkthdr* header = nullptr;
    const u_char* data = nullptr;
    const int status = pcap_next_ex(handle_.get(), &header, &data);
    if (status == PCAP_ERROR_BREAK) return std::nullopt;
    if (status != 1) {
        throw Error(
            fmt::format("{}: packet {}: {}", name_, packets_read_ + 1, pcap_geterr(handle_.get())));
    }
    ++packets_read_;
    PacketView packet;
    packet.timestamp.seconds = static_cast<int64_t>(header->ts.tv_sec);
    packet.timestamp.nanoseconds = static_cast<uint32_t>(header->ts.tv_usec);
    packet.wire_length = header->len;
    packet.data = std::span<const uint8_t>(data, header->caplen);
    return packet;
}

Program PcapReader::compile_filter(const std::string& expression) const {
    return CompiledFilter(handle_.get(), expression).program();
}

Program compile_filter(const std::string& expression, int link_type, uint32_t snaplen) {
    std::unique_ptr<pcap, PcapCloser> dead(
        pcap_open_dead(dlt_from_link_type(link_type), static_cast<int>(snaplen)));
    if (!dead) throw Error(fmt::format("cannot compile filters for link type {}", link_type));
    return CompiledFilter(dead.get(), expression).program();
}

PcapWriter::PcapWriter(const std::string& path, int link_type, uint32_t snaplen,
                       TimestampPrecision precision)
    : precision_(precision), snaplen_(snaplen) {
    if (snaplen == 0 || snaplen > INT_MAX) {
        throw Error(fmt::format("invalid snapshot length {}", snaplen));
    }
    dead_.reset(pcap_open_dead_with_tstamp_precision(
        dlt_from_link_type(link_type), static_cast<int>(snaplen),
        precision == TimestampPrecision::Nanoseconds ? PCAP_TSTAMP_PRECISION_NANO
                                                     : PCAP_TSTAMP_PRECISION_MICRO));
    if (!dead_) throw Error(fmt::format("cannot write captures of link type {}", link_type));

    FilePtr file;
    if (path == "-") {
        int fd = ::dup(STDOUT_FILENO);
        if (fd >= 0) file.reset(::fdopen(fd, "wb"));
        if (!file) {
            int error = errno;
            if (fd >= 0) ::close(fd);
            throw Error(fmt::format("cannot write to stdout: {}", errno_text(error)));
        }
    } else {
        path_ = path;
        namespace fs = std::filesystem;
        std::error_code ignored;
        const fs::file_status status = fs::status(path, ignored);
        if (fs::is_directory(status)) throw Error(fmt::format("{}: is a directory", path));
        if (fs::exists(status) && !fs::is_regular_file(status)) {
            // A device or a pipe (e.g. /dev/null): renaming over it would replace it.
            file.reset(std::fopen(path.c_str(), "wb"));
            if (!file) throw Error(fmt::format("{}: cannot open: {}", path, errno_text(errno)));
        } else {
            // Through a symbolic link, replace the file it names, not the link.
            const fs::path target = fs::is_symlink(fs::symlink_status(path, ignored))
                                        ? fs::weakly_canonical(path, ignored)
                                        : fs::path(path);
            path_ = target.string();
            const fs::path directory =
                target.has_parent_path() ? target.parent_path() : fs::path(".");
            std::random_device random;
            int fd = -1;
            int error = 0;
            for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
                temporary_path_ = (directory / fmt::format(".{}.{:08x}.tmp",
                                                           target.filename().string(), random()))
                                      .string();
                fd = ::open(temporary_path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
                error = errno;
                if (fd < 0 && error != EEXIST) break;
            }
            if (fd < 0) {
                temporary_path_.clear();
                throw Error(fmt::format("{}: cannot create a file in {}: {}", path,
                                        directory.string(), errno_text(error)));
            }
            file.reset(::fdopen(fd, "wb"));
            if (!file) {
                error = errno;
                ::close(fd);
                ::unlink(temporary_path_.c_str());
                temporary_path_.clear();
                throw Error(fmt::format("{}: cannot write: {}", path, errno_text(error)));
            }
        }
    }
    dumper_.reset(pcap_dump_fopen(dead_.get(), file.get()));
    if (!dumper_) {
        std::string reason = pcap_geterr(dead_.get());
        file.reset();
        if (!temporary_path_.empty()) ::unlink(temporary_path_.c_str());
        temporary_path_.clear();
        throw Error(fmt::format("{}: {}", path == "-" ? "stdout" : path, reason));
    }
    file.release();  // now owned by the dumper
}

PcapWriter::~PcapWriter() {
    dumper_.reset();
    if (!committed_ && !temporary_path_.empty()) ::unlink(temporary_path_.c_str());
}

void PcapWriter::write(const PacketView& packet) {
    if (!dumper_) throw Error("capture already finished");
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
    if (packet.timestamp.nanoseconds > 999'999'999) {
        throw Error(fmt::format("invalid timestamp fraction {} ns", packet.timestamp.nanoseconds));
    }
    pcap_pkthdr header{};
    header.ts.tv_sec = static_cast<time_t>(packet.timestamp.seconds);
    header.ts.tv_usec = static_cast<suseconds_t>(precision_ == TimestampPrecision::Nanoseconds
                                                     ? packet.timestamp.nanoseconds
                                                     : packet.timestamp.nanoseconds / 1000);
    header.caplen = static_cast<bpf_u_int32>(packet.data.size());
    header.len = packet.wire_length;
    pcap_dump(reinterpret_cast<u_char*>(dumper_.get()), &header, packet.data.data());
    ++packets_written_;
}

void PcapWriter::commit() {
    if (committed_) return;
    const std::string shown = path_.empty() ? "stdout" : path_;
    std::FILE* file = pcap_dump_file(dumper_.get());
    if (pcap_dump_flush(dumper_.get()) != 0 || std::ferror(file)) {
        throw Error(fmt::format("{}: cannot write: {}", shown, errno_text(errno)));
    }
    if (!temporary_path_.empty()) {
        if (::fsync(::fileno(file)) != 0) {
            throw Error(fmt::format("{}: cannot write: {}", shown, errno_text(errno)));
        }
        dumper_.reset();
        if (std::rename(temporary_path_.c_str(), path_.c_str()) != 0) {
            throw Error(fmt::format("{}: cannot replace: {}", shown, errno_text(errno)));
        }
    } else {
        dumper_.reset();
    }
    committed_ = true;
}

}  // namespace bpfgen
