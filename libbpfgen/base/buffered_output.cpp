// buffered_output.cpp: the write(2) loop behind BufferedOutput; see buffered_output.h.
#include "libbpfgen/base/detail/buffered_output.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"

namespace bpfgen {

BufferedOutput::BufferedOutput(int fd, std::string name)
    : fd_(fd), name_(std::move(name)), buffer_(allocate_large_buffer()) {}

void BufferedOutput::append(std::span<const uint8_t> bytes) {
    if (bytes.size() >= kWriteThrough) {
        flush();
        write_all(bytes);
        return;
    }
    if (bytes.size() > kCapacity - used_) flush();
    if (!bytes.empty()) std::memcpy(buffer_.get() + used_, bytes.data(), bytes.size());
    used_ += bytes.size();
}

void BufferedOutput::flush() {
    const std::size_t used = std::exchange(used_, 0);
    write_all({buffer_.get(), used});
}

void BufferedOutput::write_all(std::span<const uint8_t> bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            throw OutputError(fmt::format("{}: cannot write: {}", name_,
                                          n < 0 ? std::strerror(errno) : "no progress"));
        }
        bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
}

}  // namespace bpfgen
