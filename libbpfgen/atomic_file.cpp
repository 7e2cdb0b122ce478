// atomic_file.cpp: temp file + fsync-free rename; see atomic_file.h.
#include "libbpfgen/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "libbpfgen/error.h"

namespace bpfgen {

namespace {

// Owns the temporary file until it has been renamed into place.
class TemporaryFile {
  public:
    explicit TemporaryFile(const std::string& target) {
        const std::size_t slash = target.rfind('/');
        const std::string directory =
            slash == std::string::npos ? "." : target.substr(0, slash + 1);
        std::string pattern =
            (slash == std::string::npos ? std::string("./") : directory) + ".bpftools-XXXXXX";
        std::vector<char> buffer(pattern.begin(), pattern.end());
        buffer.push_back('\0');
        fd_ = mkstemp(buffer.data());
        if (fd_ < 0) {
            throw Error(fmt::format("cannot write '{}': {}", target, std::strerror(errno)));
        }
        path_ = buffer.data();
    }
    ~TemporaryFile() {
        if (fd_ >= 0) close(fd_);
        if (!path_.empty()) unlink(path_.c_str());
    }
    TemporaryFile(const TemporaryFile&) = delete;
    TemporaryFile& operator=(const TemporaryFile&) = delete;

    int fd() const { return fd_; }
    void close_and_rename(const std::string& target) {
        const int fd = fd_;
        fd_ = -1;
        if (close(fd) != 0 || rename(path_.c_str(), target.c_str()) != 0) {
            throw Error(fmt::format("cannot write '{}': {}", target, std::strerror(errno)));
        }
        path_.clear();
    }

  private:
    int fd_ = -1;
    std::string path_;
};

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content, mode_t mode) {
    TemporaryFile file(path);
    const char* data = content.data();
    std::size_t left = content.size();
    while (left > 0) {
        const ssize_t n = write(file.fd(), data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw Error(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    if (fchmod(file.fd(), mode) != 0) {
        throw Error(fmt::format("cannot write '{}': {}", path, std::strerror(errno)));
    }
    file.close_and_rename(path);
}

}  // namespace bpfgen
