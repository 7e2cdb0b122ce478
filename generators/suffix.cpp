// suffix.cpp: the 'suffix' generator: a program matching packets whose last bytes are the
// given hex bytes. It writes the original's annotated assembly and assembles it.
#include "generators/suffix.h"

#include <cstdint>

#include <fmt/format.h>

#include "generators/asm_text.h"
#include "generators/generator_args.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/hex.h"
#include "libbpfgen/cbpf/assembler.h"

namespace bpfgen {

const std::string_view kSuffixHelp =
    R"(usage: bpfgen [-6] [-n] [-o OFFSET] [-s] suffix -- HEX [HEX ...]

Matches packets whose last bytes are the given ones, written in hex. The HEX
arguments are joined (white space is ignored), so 010203, '01 02 03' and
01 02 03 are the same suffix. Each byte takes two hex digits.

Trailing xx pairs stand for bytes of any value: 0102xxxx matches packets whose
fourth- and third-last bytes are 01 02, whatever the last two are. An x
anywhere else is refused.

The end of the packet does not depend on the IP version or the offset, so -6
and -o change nothing here.

options:
  -h, --help  show this help and exit

examples:
  bpfgen suffix -- 010203
  bpfgen -n suffix -- deadbeef
  bpfgen suffix -- 0102xxxx
)";

namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// The joined hex digits and "xx" pairs, checked; returns the bytes to compare (the
// digits before the trailing x's, decoded).
std::string decode_suffix(const std::string& hex) {
    const std::size_t any_bytes_start = hex.find_last_not_of('x') + 1;
    for (std::size_t i = 0; i < any_bytes_start; ++i) {
        if (hex_digit_value(hex[i]) >= 0) continue;
        std::string why = "is not a hex digit";
        if (hex[i] == 'x') why = "('x', any byte) is only allowed at the end";
        if (hex[i] == 'x' && i == 1 && hex[0] == '0') why += "; write no 0x prefix";
        throw UsageError(fmt::format("suffix: {}: character {} {} {}", quote_for_message(hex),
                                     i + 1, quote_for_message(hex.substr(i, 1)), why));
    }
    if (any_bytes_start % 2 != 0) {
        throw UsageError(
            fmt::format("suffix: {} has an odd number of hex digits ({}); each byte "
                        "takes two",
                        quote_for_message(hex), any_bytes_start));
    }
    if ((hex.size() - any_bytes_start) % 2 != 0) {
        throw UsageError(
            fmt::format("suffix: {} ends in an odd number of x's ({}); xx stands "
                        "for one byte of any value",
                        quote_for_message(hex), hex.size() - any_bytes_start));
    }
    std::string bytes;
    for (std::size_t i = 0; i < any_bytes_start; i += 2) {
        bytes += static_cast<char>(hex_digit_value(hex[i]) * 16 + hex_digit_value(hex[i + 1]));
    }
    return bytes;
}

}  // namespace

GeneratedProgram generate_suffix(const std::vector<std::string>& args,
                                 const GeneratorOptions& options) {
    const GeneratorArgs parsed = parse_generator_args("suffix", args, {});
    std::string hex;
    for (const std::string& arg : parsed.positionals) {
        for (char c : arg) {
            if (!is_space(c)) hex += c;
        }
    }
    if (hex.empty()) throw UsageError("suffix: no hex bytes given (bpfgen suffix -- 010203)");
    const std::string bytes = decode_suffix(hex);

    std::string out;
    auto line = [&out](std::string_view text = "") {
        out += text;
        out += '\n';
    };
    line("    ld #len");
    line(fmt::format("    sub #{}", hex.size() / 2));
    line("    tax");
    line();
    line(fmt::format("     ; matching {}", hex_encode(string_bytes(bytes))));
    line(fmt::format("     ;         {}", python_repr(bytes)));
    std::size_t comparisons = 0;
    std::size_t offset = 0;
    while (offset < bytes.size()) {
        const std::size_t left = bytes.size() - offset;
        const std::size_t width = left >= 4 ? 4 : left >= 2 ? 2 : 1;
        uint32_t value = 0;
        for (std::size_t i = 0; i < width; ++i) {
            value = value << 8 | static_cast<uint8_t>(bytes[offset + i]);
        }
        const std::string_view load = width == 4 ? "ld" : width == 2 ? "ldh" : "ldb";
        line(fmt::format("    {} [x + {}]", load, offset));
        line(fmt::format("    jneq #0x{:0{}x}, nomatch", value, width * 2));
        ++comparisons;
        offset += width;
    }
    // The first jneq skips the other comparisons (two instructions each) and the ret.
    const std::size_t longest_jump = comparisons == 0 ? 0 : 2 * (comparisons - 1) + 1;
    if (longest_jump > kMaxJumpDistance) {
        throw UsageError(fmt::format(
            "suffix: {} bytes is too long: the program would jump over {} instructions, cBPF "
            "jumps reach {}",
            bytes.size(), longest_jump, kMaxJumpDistance));
    }
    line(fmt::format("    ret #{}", options.negate ? 0 : 65535));
    line("");
    line("nomatch:");
    line(fmt::format("    ret #{}", options.negate ? 65535 : 0));

    GeneratedProgram generated;
    generated.name = hex.substr(0, hex.find_last_not_of('x') + 1);
    generated.assembly = std::move(out);
    generated.program = assemble(generated.assembly);
    return generated;
}

}  // namespace bpfgen
