// atomic_file.cpp: temporary file beside the target, fsync, rename; see atomic_file.h.
#include "libbpfgen/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <utility>

#include <fmt/format.h>

#include "libbpfgen/error.h"

namespace bpfgen {

namespace fs = std::filesystem;

ReplacementFile::ReplacementFile(const std::string& target) : target_(target) {
    std::error_code ignored;
    const fs::path replaced = fs::is_symlink(fs::symlink_status(target, ignored))
                                  ? fs::weakly_canonical(target, ignored)
                                  : fs::path(target);
    replaced_ = replaced.string();
    const fs::path directory = replaced.has_parent_path() ? replaced.parent_path() : fs::path(".");
    // O_EXCL under a random name rather than mkstemp: mkstemp's mode 0600 would have to be
    // widened by hand, and the umask cannot be read without changing it.
    std::random_device random;
    int error = 0;
    for (int attempt = 0; attempt < 100 && !fd_; ++attempt) {
        temporary_ =
            (directory / fmt::format(".{}.{:08x}.tmp", replaced.filename().string(), random()))
                .string();
        fd_ = FileDescriptor(
            ::open(temporary_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
        error = errno;
        if (!fd_ && error != EEXIST) break;
    }
    if (!fd_) {
        temporary_.clear();
        throw Error(fmt::format("{}: cannot create a file in {}: {}", target, directory.string(),
                                std::strerror(error)));
    }
}

ReplacementFile::~ReplacementFile() {
    fd_.reset();
    if (!temporary_.empty()) ::unlink(temporary_.c_str());
}

ReplacementFile::ReplacementFile(ReplacementFile&& other) noexcept
    : target_(std::move(other.target_)),
      replaced_(std::move(other.replaced_)),
      temporary_(std::exchange(other.temporary_, {})),
      fd_(std::move(other.fd_)) {}

void ReplacementFile::commit(std::optional<mode_t> mode) {
    if (temporary_.empty()) throw Error(fmt::format("{}: already replaced", target_));
    if (mode && ::fchmod(fd_.get(), *mode) != 0) {
        throw Error(fmt::format("{}: cannot write: {}", target_, std::strerror(errno)));
    }
    if (::fsync(fd_.get()) != 0 || fd_.close() != 0) {
        throw Error(fmt::format("{}: cannot write: {}", target_, std::strerror(errno)));
    }
    if (std::rename(temporary_.c_str(), replaced_.c_str()) != 0) {
        throw Error(fmt::format("{}: cannot replace: {}", target_, std::strerror(errno)));
    }
    temporary_.clear();
}

void write_file_atomically(const std::string& path, const std::string& content, mode_t mode) {
    ReplacementFile file(path);
    const char* data = content.data();
    std::size_t left = content.size();
    while (left > 0) {
        const ssize_t n = ::write(file.fd(), data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw Error(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    file.commit(mode);
}

}  // namespace bpfgen
