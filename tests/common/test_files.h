// test_files.h: files for tests: a temporary directory removed afterwards, whole files
// read and written, and bytes offered through a pipe (for readers that must not see a
// regular file). Header-only and without a test framework: the fuzz targets use it too.
#pragma once

#include <stdlib.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "libbpfgen/base/file_descriptor.h"

namespace bpftools::test {

inline std::vector<uint8_t> file_bytes(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, std::span<const uint8_t> bytes) {
    std::ofstream file(path, std::ios::binary);
    file.write(reinterpret_cast<const char*>(bytes.data()),
               static_cast<std::streamsize>(bytes.size()));
}

// A directory of its own, removed with everything in it on destruction.
class TemporaryDirectory {
  public:
    TemporaryDirectory() {
        std::string pattern =
            (std::filesystem::temp_directory_path() / "bpftools_test.XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) std::abort();
        path_ = pattern;
    }
    ~TemporaryDirectory() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TemporaryDirectory(const TemporaryDirectory&) = delete;
    TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
    std::string file(const std::string& name) const {
        return (std::filesystem::path(path_) / name).string();
    }
    std::vector<std::string> entries() const {
        std::vector<std::string> names;
        for (const auto& entry : std::filesystem::directory_iterator(path_)) {
            names.push_back(entry.path().filename().string());
        }
        return names;
    }

  private:
    std::string path_;
};

// Bytes offered through a pipe by a thread of its own, `chunk` bytes per write (short
// writes make short reads). path() names the reading end. Whatever the reader leaves is
// drained before the thread is joined, so that the writer never waits on a pipe no one
// reads. The bytes must outlive this object.
class PipedInput {
  public:
    explicit PipedInput(std::span<const uint8_t> bytes, std::size_t chunk = SIZE_MAX) {
        int fds[2];
        if (::pipe(fds) != 0) std::abort();
        read_end_ = bpfgen::FileDescriptor(fds[0]);
        writer_ = std::thread([write_end = bpfgen::FileDescriptor(fds[1]), bytes, chunk] {
            for (std::size_t done = 0; done < bytes.size();) {
                const ssize_t n = ::write(write_end.get(), bytes.data() + done,
                                          std::min(chunk, bytes.size() - done));
                if (n <= 0) std::abort();
                done += static_cast<std::size_t>(n);
            }
        });
    }
    ~PipedInput() {
        char sink[65536];
        while (::read(read_end_.get(), sink, sizeof sink) > 0) {
        }
        writer_.join();
    }
    PipedInput(const PipedInput&) = delete;
    PipedInput& operator=(const PipedInput&) = delete;
    std::string path() const { return "/proc/self/fd/" + std::to_string(read_end_.get()); }

  private:
    bpfgen::FileDescriptor read_end_;
    std::thread writer_;
};

}  // namespace bpftools::test
