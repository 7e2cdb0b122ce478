// hex_line_reader.h: reads the lines of hex that pcap2hex writes, and hex2pcap and parsedns
// read, one at a time from a stream while keeping no more than the hex of the largest packet
// allowed: a longer line is refused as soon as its hex passes that bound, however long the
// line is (even one that never ends), in constant memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace bpfgen {

// A line that holds a packet.
struct HexLine {
    uint64_t number = 0;    // 1-based, counting every line: blank ones and comments too
    std::string_view hex;   // hex_line_content of the line; valid until the next read
    bool too_long = false;  // its hex passes the bound: `hex` is empty, the line's rest unread
};

class HexLineReader {
  public:
    // Reads `input`, refusing the lines whose hex is longer than 2 * max_packet_bytes
    // characters (a line exactly that long is read).
    HexLineReader(std::istream& input, std::size_t max_packet_bytes);

    // The next line holding a packet, its hex exactly what hex_line_content gives for the
    // whole line: blank lines and comments ('#' or ';' after leading spaces) skipped,
    // leading and trailing spaces, a final CR and the text from the first tab on left out.
    // Only the hex counts towards the bound: comments, the text after a tab and the spaces
    // around the hex may be of any length, and are read without being kept.
    //
    // A line whose hex passes the bound comes back too_long as soon as its first character
    // too many is read (with at most the 64 KiB piece of the line holding it); the next call
    // first skips the rest of that line (reads it, keeping nothing). nullopt at the end of the
    // input, or when it cannot be read: input.bad(), errno as the failed read left it.
    std::optional<HexLine> next();

    // Why a too_long line is refused, for an error message: "packet of at least 262145
    // bytes is longer than 262144" (the line's full length is not known).
    std::string too_long_message() const;

  private:
    enum class Line { kEnd, kNoPacket, kPacket, kTooLong };
    Line read_line();
    // Takes one piece of the current line; false once the rest of the line does not matter.
    bool take(const char* text, std::size_t length);
    void append(std::size_t spaces, bool carriage_return, std::string_view text);

    std::istream& input_;
    std::size_t max_packet_bytes_;
    std::size_t max_hex_;
    std::unique_ptr<char[]> piece_;  // the current line is read in pieces of this buffer
    uint64_t number_ = 0;
    bool rest_unread_ = false;  // the last line came back too_long before its end

    // The line being read: where it is, its hex so far, and what may still join the hex
    // (spaces, then a CR) or be dropped, should the line end (or a tab come) before
    // another character does.
    enum class State { kLeading, kHex, kIgnored, kTooLong };
    State state_ = State::kLeading;
    std::string hex_;
    std::size_t pending_spaces_ = 0;
    bool pending_carriage_return_ = false;
};

}  // namespace bpfgen
