// kernel_socket.h: a UDP socket that classic BPF programs are attached to with
// SO_ATTACH_FILTER, the running kernel's verdict on a program, for the tests that take the
// kernel as the reference. Header-only.
#pragma once

#include <linux/filter.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>
#include <vector>

#include "libbpfgen/cbpf/program.h"

namespace bpftools::test {

class Socket {
  public:
    explicit Socket(int fd) : fd_(fd) {}
    Socket(Socket&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Socket& operator=(Socket&& other) noexcept {
        std::swap(fd_, other.fd_);
        return *this;
    }
    ~Socket() {
        if (fd_ >= 0) close(fd_);
    }
    int fd() const { return fd_; }
    bool valid() const { return fd_ >= 0; }

  private:
    int fd_;
};

// 0 when the kernel attaches the program to the socket, else its errno (EINVAL: the
// program breaks a rule; ENOMEM: larger than net.core.optmem_max allows).
inline int attach(const Socket& socket, const bpfgen::Program& program) {
    std::vector<sock_filter> filter;
    filter.reserve(program.size());
    for (const bpfgen::Instruction& instruction : program) {
        filter.push_back({instruction.code, instruction.jt, instruction.jf, instruction.k});
    }
    const sock_fprog fprog{static_cast<unsigned short>(filter.size()), filter.data()};
    if (setsockopt(socket.fd(), SOL_SOCKET, SO_ATTACH_FILTER, &fprog, sizeof fprog) == 0) return 0;
    return errno;
}

}  // namespace bpftools::test
