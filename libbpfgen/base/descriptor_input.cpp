// descriptor_input.cpp: the read(2) loop behind DescriptorInput; see descriptor_input.h.
#include "libbpfgen/base/descriptor_input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/stop_signals.h"

namespace bpfgen {

namespace {

constexpr std::size_t kBufferSize = std::size_t{64} << 10;

}  // namespace

FileDescriptor open_input(const std::string& path, const std::string& name) {
    FileDescriptor fd(path == "-" ? ::fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0)
                                  : ::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        throw Error(fmt::format("{}: {}: {}", name, path == "-" ? "cannot read" : "cannot open",
                                std::strerror(errno)));
    }
    return fd;
}

bool reads_may_block(int fd) {
    struct stat status {};
    return ::fstat(fd, &status) != 0 || !S_ISREG(status.st_mode);
}

DescriptorInputBuffer::DescriptorInputBuffer(FileDescriptor fd)
    : fd_(std::move(fd)), may_block_(reads_may_block(fd_.get())), buffer_(new char[kBufferSize]) {}

DescriptorInputBuffer::int_type DescriptorInputBuffer::underflow() {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    for (;;) {
        if (!ready_to_read(fd_.get(), may_block_)) {
            stopped_ = true;
            return traits_type::eof();
        }
        const ssize_t n = ::read(fd_.get(), buffer_.get(), kBufferSize);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int error = errno;
            std::system_error failure(error, std::generic_category());
            errno = error;
            throw failure;
        }
        if (n == 0) return traits_type::eof();
        setg(buffer_.get(), buffer_.get(), buffer_.get() + n);
        return traits_type::to_int_type(*gptr());
    }
}

DescriptorInput::DescriptorInput(const std::string& path, const std::string& name)
    : std::istream(nullptr), buffer_(open_input(path, name)) {
    rdbuf(&buffer_);
}

}  // namespace bpfgen
