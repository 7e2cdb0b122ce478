// hex_line_reader_test.cpp: the bounded reader of hex lines (hex2pcap's and parsedns's
// input) reads, line for line, what hex_line_content reads from whole lines; it refuses a
// line as soon as its hex passes the bound, whatever follows (even no end at all), and goes
// on with the next line; comments, tab views and spaces of any length do not count.
#include "libbpfgen/capture/hex_line_reader.h"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <vector>

#include "libbpfgen/base/hex.h"

namespace bpfgen {
namespace {

// What a reader gave for one line: its number and hex, or that it was too long.
struct Read {
    uint64_t number;
    std::string hex;
    bool too_long;
    bool operator==(const Read&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Read& read) {
    out << read.number << ": ";
    if (read.too_long) return out << "too long";
    return out << (read.hex.size() > 80 ? read.hex.substr(0, 80) + "..." : read.hex) << " ("
               << read.hex.size() << " characters)";
}

std::vector<Read> read_all(std::istream& input, std::size_t max_packet_bytes) {
    HexLineReader reader(input, max_packet_bytes);
    std::vector<Read> reads;
    while (const std::optional<HexLine> line = reader.next()) {
        reads.push_back(Read{line->number, std::string(line->hex), line->too_long});
    }
    return reads;
}

std::vector<Read> read_all(const std::string& text, std::size_t max_packet_bytes) {
    std::istringstream input(text);
    std::vector<Read> reads = read_all(input, max_packet_bytes);
    EXPECT_FALSE(input.bad());
    return reads;
}

// What the reader must give: each line read whole by std::getline, then hex_line_content,
// refused when the content is longer than 2 * max_packet_bytes.
std::vector<Read> read_whole_lines(const std::string& text, std::size_t max_packet_bytes) {
    std::istringstream input(text);
    std::vector<Read> reads;
    std::string line;
    for (uint64_t number = 1; std::getline(input, line); ++number) {
        if (const std::optional<std::string_view> hex = hex_line_content(line)) {
            if (hex->size() > 2 * max_packet_bytes) {
                reads.push_back(Read{number, "", true});
            } else {
                reads.push_back(Read{number, std::string(*hex), false});
            }
        }
    }
    return reads;
}

constexpr std::size_t kUnbounded = std::size_t{1} << 40;

TEST(HexLineReader, ReadsWhatHexLineContentReadsFromWholeLines) {
    // Random texts of the characters that matter: spaces, tabs, CRs and newlines in every
    // order, comment marks, NUL bytes, hex and not hex.
    const std::string alphabet = std::string("0a \t\r\n\n#;x") + '\0';
    std::mt19937 random(20240607);
    for (int round = 0; round < 20000; ++round) {
        std::string text(random() % 24, ' ');
        for (char& c : text) c = alphabet[random() % alphabet.size()];
        for (std::size_t max : {kUnbounded, std::size_t{1}, std::size_t{2}}) {
            ASSERT_EQ(read_all(text, max), read_whole_lines(text, max))
                << "text: " << testing::PrintToString(text) << ", max " << max;
        }
    }
}

TEST(HexLineReader, ReadsLinesLongerThanItsPiecesAsWholeLines) {
    // The reader takes a line in pieces of 64 KiB: spaces, hex, CRs, tabs and comments
    // across their edges, and far longer than one.
    const std::size_t lengths[] = {0, 1, 65535, 65536, 65537, 131072, 300001};
    std::string text;
    for (std::size_t spaces : lengths) {
        for (std::size_t digits : lengths) {
            text += std::string(spaces, ' ') + std::string(digits, 'a') + std::string(spaces, ' ') +
                    "\r\n";
            text += std::string(digits, 'b') + std::string(spaces, ' ') + "\t" +
                    std::string(digits, 'v') + "\n";
            text += std::string(spaces, ' ') + "#" + std::string(digits, 'c') + "\n";
            text += std::string(digits, 'd') + "\r" + std::string(spaces, ' ') + "e\n";
        }
    }
    text += std::string(70000, 'f');  // and the last line without a newline
    for (std::size_t max : {kUnbounded, std::size_t{65536} / 2, std::size_t{65538} / 2}) {
        EXPECT_EQ(read_all(text, max), read_whole_lines(text, max)) << "max " << max;
    }
}

TEST(HexLineReader, ReadsAHexLineExactlyAtTheBoundAndRefusesOneCharacterMore) {
    const std::string largest(2 * 262144, 'a');
    EXPECT_EQ(read_all(largest + "\n", 262144), (std::vector<Read>{{1, largest, false}}));
    EXPECT_EQ(read_all(largest + "0\n", 262144), (std::vector<Read>{{1, "", true}}));
    EXPECT_EQ(read_all("00112233\n", 4), (std::vector<Read>{{1, "00112233", false}}));
    EXPECT_EQ(read_all("001122334\n", 4), (std::vector<Read>{{1, "", true}}));
    // Anything that is part of the hex counts: spaces and a CR inside it, not hex digits.
    EXPECT_EQ(read_all("0011 2233\n", 4), (std::vector<Read>{{1, "", true}}));
    EXPECT_EQ(read_all("00112233\rx\n", 4), (std::vector<Read>{{1, "", true}}));
    EXPECT_EQ(read_all("zzzzzzzzz\n", 4), (std::vector<Read>{{1, "", true}}));
    EXPECT_EQ(read_all("zzzzzzzz\n", 4), (std::vector<Read>{{1, "zzzzzzzz", false}}));
}

TEST(HexLineReader, OnlyTheHexCountsTowardsTheBound) {
    const std::string many(1 << 20, ' ');
    const std::string view(1 << 20, 'v');
    EXPECT_EQ(read_all("00112233\r\n", 4), (std::vector<Read>{{1, "00112233", false}}));
    EXPECT_EQ(read_all(many + "00112233" + many + "\r\n", 4),
              (std::vector<Read>{{1, "00112233", false}}));
    EXPECT_EQ(read_all("00112233" + many + "\t" + view + "\r\n", 4),
              (std::vector<Read>{{1, "00112233", false}}));
    EXPECT_EQ(read_all(many + "\t" + view + "\n0a", 4), (std::vector<Read>{{2, "0a", false}}));
}

// Comments may be of any length, as before the bound: they are read and not kept.
TEST(HexLineReader, CommentsOfAnyLengthAreSkipped) {
    const std::string long_comment(3 << 20, 'c');
    EXPECT_EQ(read_all("#" + long_comment + "\n  ;" + long_comment + "\r\n0a0b\n", 2),
              (std::vector<Read>{{3, "0a0b", false}}));
    EXPECT_EQ(read_all("#" + long_comment, 2), std::vector<Read>{});
}

TEST(HexLineReader, CrLfLinesAndALastLineWithoutNewline) {
    EXPECT_EQ(read_all("0a0b\r\n\r\n0c\r\n0d", 4),
              (std::vector<Read>{{1, "0a0b", false}, {3, "0c", false}, {4, "0d", false}}));
    EXPECT_EQ(read_all("0a\n0b\n", 4), (std::vector<Read>{{1, "0a", false}, {2, "0b", false}}));
    EXPECT_EQ(read_all("00112233\r", 4), (std::vector<Read>{{1, "00112233", false}}));
    // Only a final CR is a line end's: one inside the hex stays for hex_decode to refuse.
    EXPECT_EQ(read_all("0a\r0b\r\n", 4), (std::vector<Read>{{1, "0a\r0b", false}}));
    EXPECT_EQ(read_all("", 4), std::vector<Read>{});
    EXPECT_EQ(read_all("\n\n  \r\n", 4), std::vector<Read>{});
}

TEST(HexLineReader, TheLineAfterATooLongOneIsReadWithItsNumber) {
    const std::string text = "00\n" + std::string(3 << 20, 'a') + "\n# comment\n11\n" +
                             "001122334\n22\n" + std::string(20, 'b') + "\t" + "view\n33";
    EXPECT_EQ(read_all(text, 4), (std::vector<Read>{{1, "00", false},
                                                    {2, "", true},
                                                    {4, "11", false},
                                                    {5, "", true},
                                                    {6, "22", false},
                                                    {7, "", true},
                                                    {8, "33", false}}));
}

// An input that never ends: 'a' after 'a'. Counts what it gives.
class EndlessLine : public std::streambuf {
  public:
    EndlessLine() { setg(block_, block_, block_); }
    std::size_t given() const { return given_; }

  protected:
    int_type underflow() override {
        for (char& c : block_) c = 'a';
        given_ += sizeof block_;
        setg(block_, block_, block_ + sizeof block_);
        return traits_type::to_int_type(block_[0]);
    }

  private:
    char block_[4096];
    std::size_t given_ = 0;
};

TEST(HexLineReader, RefusesALineThatNeverEndsOnceItPassesTheBound) {
    EndlessLine endless;
    std::istream input(&endless);
    HexLineReader reader(input, 262144);
    const std::optional<HexLine> line = reader.next();
    ASSERT_TRUE(line);
    EXPECT_TRUE(line->too_long);
    EXPECT_EQ(line->number, 1u);
    EXPECT_TRUE(line->hex.empty());
    // It stopped within one piece (64 KiB) and one block of the bound.
    EXPECT_GT(endless.given(), 2u * 262144);
    EXPECT_LE(endless.given(), 2u * 262144 + 65536 + 4096);
}

// An input whose reading fails after some lines.
class FailingInput : public std::streambuf {
  public:
    explicit FailingInput(std::string text) : text_(std::move(text)) {
        setg(text_.data(), text_.data(), text_.data() + text_.size());
    }

  protected:
    int_type underflow() override { throw std::runtime_error("read error"); }

  private:
    std::string text_;
};

TEST(HexLineReader, StopsWhenTheInputCannotBeReadAndLeavesItBad) {
    FailingInput failing("0a\n0b\n0c");
    std::istream input(&failing);
    HexLineReader reader(input, 4);
    std::optional<HexLine> line = reader.next();
    ASSERT_TRUE(line);
    EXPECT_EQ(line->hex, "0a");
    line = reader.next();
    ASSERT_TRUE(line);
    EXPECT_EQ(line->hex, "0b");
    // The last line is cut by the error: not given, as std::getline would not give it.
    EXPECT_FALSE(reader.next());
    EXPECT_TRUE(input.bad());
}

TEST(HexLineReader, SaysWhyALineIsRefused) {
    std::istringstream input("");
    EXPECT_EQ(HexLineReader(input, 262144).too_long_message(),
              "packet of at least 262145 bytes is longer than 262144");
}

}  // namespace
}  // namespace bpfgen
