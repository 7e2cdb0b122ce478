// buffered_output_test.cpp: bytes made in the output's buffer and bytes written from where
// they lie, interleaved, reach the file in order, past the most pieces one writev(2) takes.
#include "libbpfgen/base/detail/buffered_output.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

namespace bpfgen {
namespace {

std::string file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Held pieces (every other byte of a long array, so that no two are adjacent) and bytes
// appended to the output's buffer alternate, each a piece of its own, for several times the
// most pieces one flush writes per call: a flush forced by the count of pieces must not let
// later bytes overwrite buffered ones still to be written.
TEST(BufferedOutput, InterleavedHeldAndBufferedBytesArriveInOrder) {
    const std::string path =
        std::string(::testing::TempDir()) + "buffered_output." + std::to_string(::getpid());
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    ASSERT_GE(fd, 0);
    const std::size_t rounds = 3 * BufferedOutput::kMaxPieces + 7;
    std::vector<uint8_t> held(2 * rounds);
    std::string expected;
    {
        BufferedOutput output(fd, "test output");
        // First a buffered piece: the pieces that reach the limit are then buffered ones.
        output.append(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>("start"), 5));
        expected = "start";
        for (std::size_t i = 0; i < rounds; ++i) {
            held[2 * i] = static_cast<uint8_t>('a' + i % 26);
            output.append_held({&held[2 * i], 1});
            expected.push_back(static_cast<char>(held[2 * i]));
            const uint8_t made[3] = {static_cast<uint8_t>('0' + i % 10),
                                     static_cast<uint8_t>('0' + i / 10 % 10),
                                     static_cast<uint8_t>('0' + i / 100 % 10)};
            if (i % 2 == 0) {
                output.append(made);
            } else {
                uint8_t* out = output.reserve(sizeof made);
                std::copy(made, made + sizeof made, out);
                output.added(sizeof made);
            }
            expected.append(reinterpret_cast<const char*>(made), sizeof made);
        }
        output.flush();
    }
    ::close(fd);
    EXPECT_TRUE(file_bytes(path) == expected);
    EXPECT_EQ(file_bytes(path).size(), expected.size());
    ::unlink(path.c_str());
}

}  // namespace
}  // namespace bpfgen
