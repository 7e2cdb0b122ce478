// file_descriptor.h: an owned POSIX file descriptor, closed when its owner goes away.
#pragma once

#include <unistd.h>

#include <utility>

namespace bpfgen {

class FileDescriptor {
  public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd) : fd_(fd) {}
    ~FileDescriptor() { reset(); }
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    FileDescriptor& operator=(FileDescriptor&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    // Gives up ownership without closing.
    int release() { return std::exchange(fd_, -1); }
    // Closes now; returns close(2)'s result (0 when there was nothing to close), for
    // callers that must know whether the last writes reached the file.
    int close() {
        if (fd_ < 0) return 0;
        return ::close(std::exchange(fd_, -1));
    }
    void reset() { (void)close(); }

  private:
    int fd_ = -1;
};

}  // namespace bpfgen
