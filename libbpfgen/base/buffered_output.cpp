// buffered_output.cpp: the writev(2) loop behind BufferedOutput; see buffered_output.h.
#include "libbpfgen/base/detail/buffered_output.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"

namespace bpfgen {

namespace {

[[noreturn]] void refuse_write(const std::string& name, ssize_t result) {
    throw OutputError(fmt::format("{}: cannot write: {}", name,
                                  result < 0 ? std::strerror(errno) : "no progress"));
}

}  // namespace

BufferedOutput::BufferedOutput(int fd, std::string name) : fd_(fd), name_(std::move(name)) {
    pieces_.reserve(kMaxPieces);
}

void BufferedOutput::make_room(std::size_t size) {
    if (!buffer_) buffer_ = allocate_large_buffer();
    if (kCapacity - used_ < size || pieces_.size() == kMaxPieces) flush();
}

void BufferedOutput::append(std::span<const uint8_t> bytes) {
    if (bytes.size() >= kWriteThrough) {
        flush();
        write_all(bytes);
        return;
    }
    uint8_t* out = reserve(bytes.size());
    if (!bytes.empty()) std::memcpy(out, bytes.data(), bytes.size());
    added(bytes.size());
}

void BufferedOutput::flush() {
    // Whatever happens, the pieces are gone afterwards and the buffer is free again.
    struct Clear {
        BufferedOutput& output;
        ~Clear() {
            output.pieces_.clear();
            output.used_ = 0;
        }
    } clear{*this};
    std::size_t first = 0;
    while (first < pieces_.size()) {
        const int count = static_cast<int>(std::min(kMaxPieces, pieces_.size() - first));
        ssize_t n = ::writev(fd_, pieces_.data() + first, count);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) refuse_write(name_, n);
        // Past the pieces written whole, into the one written in part.
        while (first < pieces_.size() && static_cast<std::size_t>(n) >= pieces_[first].iov_len) {
            n -= static_cast<ssize_t>(pieces_[first].iov_len);
            ++first;
        }
        if (n > 0) {
            pieces_[first].iov_base = static_cast<uint8_t*>(pieces_[first].iov_base) + n;
            pieces_[first].iov_len -= static_cast<std::size_t>(n);
        }
    }
}

void BufferedOutput::write_all(std::span<const uint8_t> bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) refuse_write(name_, n);
        bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
}

}  // namespace bpfgen
