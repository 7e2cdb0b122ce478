// format.cpp: xt_bpf, C and decimal renderings of a Program, and the xt_bpf parser.
#include "libbpfgen/cbpf/format.h"

#include <charconv>
#include <cstdint>
#include <limits>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/disassembler.h"

namespace bpfgen {

std::optional<Format> parse_format_name(std::string_view name) {
    if (name == "xt_bpf" || name == "bytecode") return Format::XtBpf;
    if (name == "c") return Format::C;
    if (name == "decimal") return Format::Decimal;
    if (name == "asm" || name == "assembly") return Format::Assembly;
    return std::nullopt;
}

std::string format_xt_bpf(const Program& program) {
    std::string out = fmt::format("{},", program.size());
    for (const Instruction& insn : program) {
        fmt::format_to(std::back_inserter(out), "{} {} {} {},", insn.code, insn.jt, insn.jf,
                       insn.k);
    }
    return out;
}

namespace {

// printf's "%#0Nx": the 0x prefix counts in the width, and zero gets no prefix at all.
std::string c_hex(uint32_t value, int width) {
    if (value == 0) return std::string(static_cast<std::size_t>(width), '0');
    return fmt::format("{:#0{}x}", value, width);
}

}  // namespace

std::string format_c(const Program& program) {
    std::string out;
    for (const Instruction& insn : program) {
        fmt::format_to(std::back_inserter(out), "{{ {}, {:2}, {:2}, {} }},\n", c_hex(insn.code, 4),
                       insn.jt, insn.jf, c_hex(insn.k, 10));
    }
    return out;
}

std::string format_decimal(const Program& program) {
    std::string out = fmt::format("{}\n", program.size());
    for (const Instruction& insn : program) {
        fmt::format_to(std::back_inserter(out), "{} {} {} {}\n", insn.code, insn.jt, insn.jf,
                       insn.k);
    }
    return out;
}

std::string format_program(const Program& program, Format format) {
    switch (format) {
        case Format::XtBpf:
            return format_xt_bpf(program);
        case Format::C:
            return format_c(program);
        case Format::Decimal:
            return format_decimal(program);
        case Format::Assembly:
            return disassemble(program);
    }
    return {};
}

namespace {

class BytecodeReader {
  public:
    explicit BytecodeReader(std::string_view text) : text_(text) {}

    void skip_spaces() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                       text_[pos_] == '\n' || text_[pos_] == '\r')) {
            ++pos_;
        }
    }
    bool at_end() const { return pos_ >= text_.size(); }
    bool consume(char c) {
        if (pos_ < text_.size() && text_[pos_] == c) {
            ++pos_;
            return true;
        }
        return false;
    }
    uint64_t number(std::string_view what, uint64_t max) {
        skip_spaces();
        uint64_t value = 0;
        const char* first = text_.data() + pos_;
        const char* last = text_.data() + text_.size();
        auto [ptr, ec] = std::from_chars(first, last, value);
        if (ec == std::errc::result_out_of_range || (ec == std::errc() && value > max)) {
            // Digits only, but maybe a great many of them: shown cut.
            const std::string_view digits(first, static_cast<std::size_t>(ptr - first));
            fail(fmt::format("{} {}{} is out of range (at most {})", what, digits.substr(0, 20),
                             digits.size() > 20 ? "..." : "", max));
        }
        if (ec != std::errc() || ptr == first) fail(fmt::format("expected {}", what));
        pos_ += static_cast<std::size_t>(ptr - first);
        return value;
    }
    [[noreturn]] void fail(const std::string& what) const {
        const std::string_view rest = text_.substr(pos_);
        throw Error(fmt::format(
            "bad bytecode at character {}{}: {}", pos_ + 1,
            rest.empty() ? std::string(" (end of input)") : " near " + quote_for_message(rest, 16),
            what));
    }

  private:
    std::string_view text_;
    std::size_t pos_ = 0;
};

}  // namespace

Program parse_xt_bpf(std::string_view text) {
    BytecodeReader reader(text);
    reader.skip_spaces();
    if (reader.at_end()) reader.fail("empty bytecode");
    const uint64_t count = reader.number("instruction count", op::kMaxInstructions);
    reader.skip_spaces();
    if (!reader.consume(',')) reader.fail("expected ',' after the instruction count");
    std::vector<Instruction> instructions;
    instructions.reserve(count);
    for (uint64_t i = 0; i < count; ++i) {
        Instruction insn;
        insn.code = static_cast<uint16_t>(reader.number("code", 0xffff));
        insn.jt = static_cast<uint8_t>(reader.number("jt", 0xff));
        insn.jf = static_cast<uint8_t>(reader.number("jf", 0xff));
        insn.k = static_cast<uint32_t>(reader.number("k", std::numeric_limits<uint32_t>::max()));
        reader.skip_spaces();
        const bool comma = reader.consume(',');
        reader.skip_spaces();
        if (!comma && !(i + 1 == count && reader.at_end())) {
            reader.fail(fmt::format("expected ',' after instruction {}", i));
        }
        instructions.push_back(insn);
    }
    reader.skip_spaces();
    if (!reader.at_end()) {
        reader.fail(fmt::format("more than the {} instructions the count announces", count));
    }
    if (count == 0) reader.fail("a program has at least one instruction");
    return Program(std::move(instructions));
}

}  // namespace bpfgen
