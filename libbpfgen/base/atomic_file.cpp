// atomic_file.cpp: an unnamed (O_TMPFILE) or hidden temporary file beside the target,
// fsync, then linked or renamed over it, or a plain write where there is nothing to
// replace; see atomic_file.h.
#include "libbpfgen/base/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"

namespace bpfgen {

namespace fs = std::filesystem;

namespace {

// The path a write to `path` lands on: through every symbolic link (a dangling one too:
// its target is created, as the shell's `>` would).
fs::path final_target(const std::string& target) {
    fs::path path(target);
    for (int depth = 0; depth < 40; ++depth) {
        std::error_code error;
        if (!fs::is_symlink(fs::symlink_status(path, error))) return path;
        const fs::path link = fs::read_symlink(path, error);
        if (error) return path;
        path = link.is_absolute() ? link : path.parent_path() / link;
    }
    throw Error(fmt::format("{}: cannot open: {}", target, std::strerror(ELOOP)));
}

// Writes all of data to fd; throws Error naming `name` when it cannot.
void write_all(int fd, std::string_view data, const std::string& name) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            // A write of 0 bytes where some were asked for: as write(2) reports a full device.
            throw Error(
                fmt::format("{}: cannot write: {}", name, std::strerror(n == 0 ? ENOSPC : errno)));
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

// A hidden name beside the target for the file that becomes it, within the 255 bytes a file
// name may have (NAME_MAX): the start of a long target's name is enough to say what it is.
std::string temporary_name(const fs::path& directory, const fs::path& replaced) {
    constexpr std::size_t kMaxFileName = 255;
    constexpr std::size_t kAdded = 14;  // ".", ".", 8 hex digits, ".tmp"
    std::random_device random;
    const std::string name = replaced.filename().string().substr(0, kMaxFileName - kAdded);
    return (directory / fmt::format(".{}.{:08x}.tmp", name, random())).string();
}

}  // namespace

ReplacementFile::ReplacementFile(const std::string& target) : target_(target) {
    const fs::path replaced = final_target(target);
    replaced_ = replaced.string();
    const fs::path directory = replaced.has_parent_path() ? replaced.parent_path() : fs::path(".");
    // An existing file keeps its permissions.
    struct stat existing {};
    if (::stat(replaced_.c_str(), &existing) == 0 && S_ISREG(existing.st_mode)) {
        existing_mode_ = existing.st_mode & 07777;
    }
    // Unnamed until committed: a run that is killed leaves nothing behind. Filesystems
    // without O_TMPFILE get a hidden name instead.
    fd_ = FileDescriptor(::open(directory.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666));
    if (fd_) return;
    int error = errno;
    if (error != EOPNOTSUPP && error != EISDIR && error != EINVAL) {
        throw Error(fmt::format("{}: cannot create a file in {}: {}", target, directory.string(),
                                std::strerror(error)));
    }
    // O_EXCL under a random name rather than mkstemp: mkstemp's mode 0600 would have to be
    // widened by hand, and the umask cannot be read without changing it.
    for (int attempt = 0; attempt < 100 && !fd_; ++attempt) {
        temporary_ = temporary_name(directory, replaced);
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
      existing_mode_(other.existing_mode_),
      committed_(std::exchange(other.committed_, true)),
      fd_(std::move(other.fd_)) {}

void ReplacementFile::commit(std::optional<mode_t> mode) {
    if (committed_ || !fd_) throw Error(fmt::format("{}: already replaced", target_));
    const auto fail = [this](const char* what) {
        throw Error(fmt::format("{}: {}: {}", target_, what, std::strerror(errno)));
    };
    const std::optional<mode_t> wanted = mode ? mode : existing_mode_;
    if (wanted && ::fchmod(fd_.get(), *wanted) != 0) fail("cannot write");
    if (::fsync(fd_.get()) != 0) fail("cannot write");
    if (temporary_.empty()) {
        // The unnamed file gets a hidden name (linkat cannot replace a file), then the
        // rename below puts it in place at once.
        const fs::path replaced(replaced_);
        const fs::path directory =
            replaced.has_parent_path() ? replaced.parent_path() : fs::path(".");
        const std::string descriptor = fmt::format("/proc/self/fd/{}", fd_.get());
        for (int attempt = 0; attempt < 100 && temporary_.empty(); ++attempt) {
            const std::string name = temporary_name(directory, replaced);
            // Without CAP_DAC_READ_SEARCH only the /proc path can name the unnamed file.
            if (::linkat(fd_.get(), "", AT_FDCWD, name.c_str(), AT_EMPTY_PATH) == 0 ||
                ::linkat(AT_FDCWD, descriptor.c_str(), AT_FDCWD, name.c_str(), AT_SYMLINK_FOLLOW) ==
                    0) {
                temporary_ = name;
            } else if (errno != EEXIST) {
                fail("cannot write");
            }
        }
        if (temporary_.empty()) fail("cannot write");
    }
    if (fd_.close() != 0) fail("cannot write");
    if (std::rename(temporary_.c_str(), replaced_.c_str()) != 0) fail("cannot replace");
    temporary_.clear();
    committed_ = true;
}

void write_file_atomically(const std::string& path, std::string_view content, mode_t mode) {
    ReplacementFile file(path);
    write_all(file.fd(), content, path);
    file.commit(mode);
}

FileDescriptor open_in_place(const std::string& path) {
    std::error_code ignored;
    const fs::file_status status = fs::status(path, ignored);
    if (fs::is_directory(status)) throw Error(fmt::format("{}: is a directory", path));
    if (!fs::exists(status) || fs::is_regular_file(status)) return FileDescriptor();
    FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd) throw Error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    return fd;
}

void write_whole_file(const std::string& path, std::string_view content, mode_t mode) {
    if (path == "-") {
        // What the caller left in stdio's buffer comes first.
        if (std::fflush(stdout) != 0) {
            throw Error(fmt::format("stdout: cannot write: {}", std::strerror(errno)));
        }
        write_all(STDOUT_FILENO, content, "stdout");
        return;
    }
    FileDescriptor in_place = open_in_place(path);
    if (!in_place) {
        write_file_atomically(path, content, mode);
        return;
    }
    write_all(in_place.get(), content, path);
    if (in_place.close() != 0) {
        throw Error(fmt::format("{}: cannot write: {}", path, std::strerror(errno)));
    }
}

}  // namespace bpfgen
