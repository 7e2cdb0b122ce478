// atomic_file_test.cpp: ReplacementFile and write_file_atomically: the target changes only
// on commit and all at once, nothing is left behind without commit, an existing file keeps
// its permissions, and symbolic links (dangling ones and chains too) are written through.
#include "libbpfgen/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "libbpfgen/error.h"
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

}  // namespace
}  // namespace bpfgen
