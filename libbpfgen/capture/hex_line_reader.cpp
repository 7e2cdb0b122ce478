// hex_line_reader.cpp: reading hex lines with a bound on their hex; see hex_line_reader.h.
#include "libbpfgen/capture/hex_line_reader.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include <fmt/format.h>

namespace bpfgen {

namespace {

// A line is read in pieces of this size; what it holds beyond the hex is never kept.
constexpr std::size_t kPiece = 64 * 1024;

// Where a run of hex characters ends in a piece: at its next ' ', tab or CR. Each is found
// with memchr and remembered until passed, so a piece is scanned once for each whatever it
// holds.
class RunEnds {
  public:
    RunEnds(const char* text, std::size_t length) : text_(text), length_(length) {}

    std::size_t after(std::size_t at) {
        std::size_t end = length_;
        for (std::size_t k = 0; k < kStops.size(); ++k) {
            if (!known_[k] || next_[k] < at) {
                const void* found = std::memchr(text_ + at, kStops[k], length_ - at);
                next_[k] = found ? static_cast<std::size_t>(static_cast<const char*>(found) - text_)
                                 : length_;
                known_[k] = true;
            }
            end = std::min(end, next_[k]);
        }
        return end;
    }

  private:
    static constexpr std::array<char, 3> kStops = {' ', '\t', '\r'};
    const char* text_;
    std::size_t length_;
    std::array<std::size_t, 3> next_{};
    std::array<bool, 3> known_{};
};

}  // namespace

HexLineReader::HexLineReader(std::istream& input, std::size_t max_packet_bytes)
    : input_(input),
      max_packet_bytes_(max_packet_bytes),
      max_hex_(2 * max_packet_bytes),
      piece_(new char[kPiece + 1]) {}

std::string HexLineReader::too_long_message() const {
    return fmt::format("packet of at least {} bytes is longer than {}", max_packet_bytes_ + 1,
                       max_packet_bytes_);
}

std::optional<HexLine> HexLineReader::next() {
    if (rest_unread_) {
        rest_unread_ = false;
        input_.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
    }
    for (;;) {
        switch (read_line()) {
            case Line::kEnd:
                return std::nullopt;
            case Line::kNoPacket:
                continue;
            case Line::kPacket:
                return HexLine{number_, hex_, false};
            case Line::kTooLong:
                return HexLine{number_, {}, true};
        }
    }
}

// One line, in pieces, through take(): as std::getline would read it, but keeping only the
// hex. A line ends at '\n' or at the end of the input; none starts at the end of the input.
HexLineReader::Line HexLineReader::read_line() {
    state_ = State::kLeading;
    hex_.clear();
    pending_spaces_ = 0;
    pending_carriage_return_ = false;
    for (bool first = true;; first = false) {
        // Up to kPiece characters of the line, and its '\n' when it comes right after them.
        input_.getline(piece_.get(), static_cast<std::streamsize>(kPiece + 1));
        const auto got = static_cast<std::size_t>(input_.gcount());
        // A read error: the line is cut; like std::getline, give nothing of it.
        if (input_.bad()) return Line::kEnd;
        if (first && got == 0 && input_.eof()) return Line::kEnd;
        if (first) ++number_;
        // The piece filled up before the line's end: the line goes on.
        const bool more = input_.fail() && !input_.eof();
        if (more) input_.clear(input_.rdstate() & ~std::ios::failbit);
        const std::size_t length = more || input_.eof() ? got : got - 1;  // without the '\n'
        if (!take(piece_.get(), length)) {
            if (state_ == State::kTooLong) {
                rest_unread_ = more;
                return Line::kTooLong;
            }
            if (more) input_.ignore(std::numeric_limits<std::streamsize>::max(), '\n');
            break;
        }
        if (!more) break;
    }
    if (input_.bad()) return Line::kEnd;
    // Spaces and a CR still pending are trailing: not part of the hex.
    return hex_.empty() ? Line::kNoPacket : Line::kPacket;
}

// hex_line_content, a piece at a time: leading spaces skipped; a comment mark first ends
// the line's reading; then everything up to a tab is the hex, except spaces and a CR at its
// end, held back (as counts, to keep nothing) until a character other than a tab follows.
bool HexLineReader::take(const char* text, std::size_t length) {
    std::size_t at = 0;
    if (state_ == State::kLeading) {
        while (at < length && text[at] == ' ') ++at;
        if (at == length) return true;
        if (text[at] == '#' || text[at] == ';') {
            state_ = State::kIgnored;
            return false;
        }
        state_ = State::kHex;
    }
    RunEnds run_ends(text, length);
    while (at < length) {
        const char c = text[at];
        if (c == '\t') {
            // The text before a tab, without its trailing spaces: a CR stays.
            if (pending_carriage_return_) append(pending_spaces_, true, {});
            if (state_ != State::kTooLong) state_ = State::kIgnored;
            return false;
        }
        if (c == ' ') {
            if (pending_carriage_return_) append(pending_spaces_, true, {});
            ++pending_spaces_;
            ++at;
        } else if (c == '\r') {
            if (pending_carriage_return_) append(pending_spaces_, true, {});
            pending_carriage_return_ = true;
            ++at;
        } else {
            const std::size_t end = run_ends.after(at);
            append(pending_spaces_, pending_carriage_return_,
                   std::string_view(text + at, end - at));
            at = end;
        }
        if (state_ == State::kTooLong) return false;
    }
    return true;
}

// Adds the pending spaces, a CR when `carriage_return`, and `text` to the hex, or, when
// that would pass the bound, marks the line too long and adds nothing.
void HexLineReader::append(std::size_t spaces, bool carriage_return, std::string_view text) {
    const std::size_t room = max_hex_ - hex_.size();
    if (spaces > room || (carriage_return ? 1 : 0) + text.size() > room - spaces) {
        state_ = State::kTooLong;
        return;
    }
    hex_.append(spaces, ' ');
    if (carriage_return) hex_ += '\r';
    hex_.append(text);
    pending_spaces_ = 0;
    pending_carriage_return_ = false;
}

}  // namespace bpfgen
