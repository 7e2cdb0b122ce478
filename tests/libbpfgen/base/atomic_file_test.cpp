// atomic_file_test.cpp: ReplacementFile and write_file_atomically: the target changes only
// on commit and all at once, nothing is left behind without commit, an existing file keeps
// its permissions, and symbolic links (dangling ones and chains too) are written through;
// write_whole_file: devices, FIFOs and stdout written in place, regular files replaced.
#include "libbpfgen/base/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "libbpfgen/base/error.h"
#include "tests/common/capture_files.h"
#include "tests/common/test_files.h"

namespace bpfgen {
namespace {

using bpftools::test::expect_error;
using bpftools::test::file_bytes;
using bpftools::test::TemporaryDirectory;
using bpftools::test::write_bytes;

mode_t mode_of(const std::string& path) {
    struct stat status {};
    EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
    return status.st_mode & 07777;
}

void write_text(const ReplacementFile& file, const std::string& text) {
    ASSERT_EQ(::write(file.fd(), text.data(), text.size()), static_cast<ssize_t>(text.size()));
}

std::vector<uint8_t> bytes_of(const std::string& text) {
    return {text.begin(), text.end()};
}

bool has_o_tmpfile(const std::string& directory) {
    const int fd = ::open(directory.c_str(), O_TMPFILE | O_WRONLY, 0600);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

TEST(ReplacementFile, TheTargetChangesOnlyOnCommit) {
    TemporaryDirectory directory;
    const std::string path = directory.file("out");
    write_bytes(path, bytes_of("old"));
    ReplacementFile file(path);
    write_text(file, "new");
    EXPECT_EQ(file_bytes(path), bytes_of("old"));
    file.commit();
    EXPECT_EQ(file_bytes(path), bytes_of("new"));
    EXPECT_EQ(directory.entries(), std::vector<std::string>{"out"});
}

TEST(ReplacementFile, NothingIsLeftWithoutCommit) {
    TemporaryDirectory directory;
    {
        ReplacementFile file(directory.file("out"));
        write_text(file, "half");
    }
    EXPECT_TRUE(directory.entries().empty());
}

TEST(ReplacementFile, TheNewFileHasNoNameBeforeCommit) {
    // So that a process killed while writing leaves nothing, where O_TMPFILE exists.
    TemporaryDirectory directory;
    if (!has_o_tmpfile(directory.file(""))) {
        GTEST_SKIP() << "the filesystem of " << directory.file("") << " has no O_TMPFILE";
    }
    ReplacementFile file(directory.file("out"));
    write_text(file, "data");
    EXPECT_TRUE(directory.entries().empty());
    file.commit();
    EXPECT_EQ(directory.entries(), std::vector<std::string>{"out"});
}

TEST(ReplacementFile, AReplacedFileKeepsItsPermissions) {
    TemporaryDirectory directory;
    const std::string path = directory.file("private");
    write_bytes(path, bytes_of("secret"));
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    ReplacementFile file(path);
    write_text(file, "still secret");
    file.commit();
    EXPECT_EQ(mode_of(path), 0600u);
}

TEST(ReplacementFile, AModeGivenToCommitWins) {
    TemporaryDirectory directory;
    const std::string path = directory.file("script.sh");
    write_bytes(path, bytes_of("old"));
    ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
    write_file_atomically(path, "#!/bin/sh\n", 0750);
    EXPECT_EQ(mode_of(path), 0750u);
    EXPECT_EQ(file_bytes(path), bytes_of("#!/bin/sh\n"));
}

TEST(ReplacementFile, WritesThroughLinksAndChainsOfThem) {
    TemporaryDirectory directory;
    write_bytes(directory.file("target"), bytes_of("old"));
    ASSERT_EQ(::symlink("target", directory.file("first").c_str()), 0);
    ASSERT_EQ(::symlink("first", directory.file("second").c_str()), 0);
    write_file_atomically(directory.file("second"), "new", 0644);
    EXPECT_EQ(file_bytes(directory.file("target")), bytes_of("new"));
    EXPECT_TRUE(std::filesystem::is_symlink(directory.file("first")));
    EXPECT_TRUE(std::filesystem::is_symlink(directory.file("second")));
}

TEST(ReplacementFile, ADanglingLinkGetsItsTargetCreated) {
    TemporaryDirectory directory;
    ASSERT_EQ(::symlink("new-target", directory.file("link").c_str()), 0);
    write_file_atomically(directory.file("link"), "data", 0644);
    EXPECT_TRUE(std::filesystem::is_symlink(directory.file("link")));
    EXPECT_EQ(file_bytes(directory.file("new-target")), bytes_of("data"));
}

TEST(ReplacementFile, ALinkIntoAMissingDirectoryIsAnError) {
    TemporaryDirectory directory;
    ASSERT_EQ(::symlink("missing/file", directory.file("link").c_str()), 0);
    expect_error([&] { ReplacementFile file(directory.file("link")); },
                 {"link", "cannot create a file in", "No such file"});
    EXPECT_TRUE(std::filesystem::is_symlink(directory.file("link")));
}

TEST(ReplacementFile, ALinkLoopIsAnError) {
    TemporaryDirectory directory;
    ASSERT_EQ(::symlink("b", directory.file("a").c_str()), 0);
    ASSERT_EQ(::symlink("a", directory.file("b").c_str()), 0);
    expect_error([&] { ReplacementFile file(directory.file("a")); }, {"symbolic links"});
}

mode_t type_of(const std::string& path) {
    struct stat status {};
    EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
    return status.st_mode & S_IFMT;
}

// A character device to write to. Where the test runs as root, a node of its own in
// `directory` (so that a wrong write_whole_file, renaming over the path, could never
// replace the system's /dev/null or /dev/full); otherwise the system's, which only root
// could rename over. Empty when root cannot make a usable node (no CAP_MKNOD, nodev).
std::optional<std::string> character_device(const TemporaryDirectory& directory,
                                            const char* system_path, unsigned major,
                                            unsigned minor) {
    if (::geteuid() != 0) return system_path;
    const std::string path = directory.file(std::filesystem::path(system_path).filename());
    if (::mknod(path.c_str(), S_IFCHR | 0666, ::makedev(major, minor)) != 0) return std::nullopt;
    const int fd = ::open(path.c_str(), O_WRONLY);
    if (fd < 0) return std::nullopt;
    ::close(fd);
    return path;
}

TEST(WholeFile, ARegularFileIsReplacedAtOnce) {
    // The old file is not written into: a second name for it still holds the old bytes.
    TemporaryDirectory directory;
    const std::string path = directory.file("out.sh");
    write_bytes(path, bytes_of("old"));
    ASSERT_EQ(::link(path.c_str(), directory.file("other").c_str()), 0);
    write_whole_file(path, "new", 0750);
    EXPECT_EQ(file_bytes(path), bytes_of("new"));
    EXPECT_EQ(file_bytes(directory.file("other")), bytes_of("old"));
    EXPECT_EQ(type_of(path), static_cast<mode_t>(S_IFREG));
    EXPECT_EQ(mode_of(path), 0750u);
    std::vector<std::string> entries = directory.entries();
    std::sort(entries.begin(), entries.end());
    EXPECT_EQ(entries, (std::vector<std::string>{"other", "out.sh"}));
}

TEST(WholeFile, ANameOfTheLongestLengthIsWritten) {
    // The file written first has a longer name than its target: it must still fit NAME_MAX.
    TemporaryDirectory directory;
    const std::string name = std::string(252, 'a') + ".sh";
    write_whole_file(directory.file(name), "text", 0750);
    EXPECT_EQ(file_bytes(directory.file(name)), bytes_of("text"));
    EXPECT_EQ(directory.entries(), std::vector<std::string>{name});
}

TEST(WholeFile, ANewPathIsCreatedWithTheMode) {
    TemporaryDirectory directory;
    const std::string path = directory.file("new.sh");
    write_whole_file(path, "text", 0750);
    EXPECT_EQ(file_bytes(path), bytes_of("text"));
    EXPECT_EQ(mode_of(path), 0750u);
    EXPECT_EQ(directory.entries(), std::vector<std::string>{"new.sh"});
}

TEST(WholeFile, AFifoIsWrittenInPlace) {
    TemporaryDirectory directory;
    const std::string path = directory.file("fifo");
    ASSERT_EQ(::mkfifo(path.c_str(), 0600), 0);
    // A second name for the FIFO, by which a reader left waiting can be let go (see below).
    ASSERT_EQ(::link(path.c_str(), directory.file("fifo2").c_str()), 0);
    // More than a pipe holds: the reader must read while the writer writes.
    const std::string content(1 << 20, 'x');
    std::string received;
    std::thread reader([&] {
        const int fd = ::open(path.c_str(), O_RDONLY);
        if (fd < 0) return;
        char buffer[65536];
        for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) != 0;) {
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) break;
            received.append(buffer, static_cast<std::size_t>(n));
        }
        ::close(fd);
    });
    try {
        write_whole_file(path, content, 0750);
    } catch (const Error& error) {
        ADD_FAILURE() << error.what();
    }
    // Had the FIFO been renamed over, the reader would still wait in open(): a writer that
    // opens and closes it at once lets the reader see the end. When the reader is done,
    // this open fails (ENXIO), harmlessly.
    const int release = ::open(directory.file("fifo2").c_str(), O_WRONLY | O_NONBLOCK);
    if (release >= 0) ::close(release);
    reader.join();
    EXPECT_EQ(received.size(), content.size());
    EXPECT_TRUE(received == content);
    EXPECT_EQ(type_of(path), static_cast<mode_t>(S_IFIFO));
    EXPECT_EQ(mode_of(path), 0600u);
}

TEST(WholeFile, DevNullStaysACharacterDevice) {
    TemporaryDirectory directory;
    const std::optional<std::string> null = character_device(directory, "/dev/null", 1, 3);
    if (!null) GTEST_SKIP() << "no character device of our own can be made here";
    const mode_t mode = mode_of(*null);
    write_whole_file(*null, "discarded", 0750);
    EXPECT_EQ(type_of(*null), static_cast<mode_t>(S_IFCHR));
    EXPECT_EQ(mode_of(*null), mode);
}

TEST(WholeFile, AFullDeviceIsAnErrorNamingThePath) {
    TemporaryDirectory directory;
    const std::optional<std::string> full = character_device(directory, "/dev/full", 1, 7);
    if (!full) GTEST_SKIP() << "no character device of our own can be made here";
    expect_error([&] { write_whole_file(*full, "text", 0750); },
                 {*full, "cannot write", "No space left on device"});
    EXPECT_EQ(type_of(*full), static_cast<mode_t>(S_IFCHR));
}

TEST(WholeFile, ADirectoryIsAnError) {
    TemporaryDirectory directory;
    expect_error([&] { write_whole_file(directory.file(""), "text", 0750); }, {"is a directory"});
    EXPECT_TRUE(directory.entries().empty());
}

// Runs `code` with standard output on `fd`, then puts it back.
template <typename Code>
void with_stdout_on(int fd, Code&& code) {
    std::fflush(stdout);
    const int saved = ::dup(STDOUT_FILENO);
    ASSERT_GE(saved, 0);
    ASSERT_EQ(::dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
    code();
    std::fflush(stdout);
    ::dup2(saved, STDOUT_FILENO);
    ::close(saved);
}

TEST(WholeFile, DashIsStandardOutput) {
    TemporaryDirectory directory;
    const std::string path = directory.file("stdout");
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(fd, 0);
    with_stdout_on(fd, [] { write_whole_file("-", "to stdout", 0750); });
    ::close(fd);
    EXPECT_EQ(file_bytes(path), bytes_of("to stdout"));
    EXPECT_EQ(mode_of(path), 0600u);
    EXPECT_EQ(directory.entries(), std::vector<std::string>{"stdout"});
}

TEST(WholeFile, AFullStandardOutputIsAnErrorNamingIt) {
    // Only written to, never renamed over: the system's /dev/full is safe here.
    const int fd = ::open("/dev/full", O_WRONLY);
    if (fd < 0) GTEST_SKIP() << "no /dev/full";
    with_stdout_on(fd, [] {
        expect_error([] { write_whole_file("-", "text", 0750); },
                     {"stdout", "cannot write", "No space left on device"});
    });
    ::close(fd);
}

}  // namespace
}  // namespace bpfgen
