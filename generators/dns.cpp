// dns.cpp: the 'dns' generator: a program matching DNS queries whose question name fits
// one of the given domain patterns. It writes the same annotated assembly as the original
// bpftools (bpfgen -s prints it) and assembles it into the program, for all the patterns or
// (DnsPatterns) for a run of them.
#include "generators/dns.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>

#include <fmt/format.h>

#include "generators/asm_text.h"
#include "generators/dns_automaton.h"
#include "generators/generator_args.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/base/hex.h"
#include "libbpfgen/base/text.h"
#include "libbpfgen/cbpf/assembler.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen {

const std::string_view kDnsHelp =
    R"(usage: bpfgen [-6] [-n] [-O] [-o OFFSET] [-s] dns -- [-i] [--compat] PATTERN [PATTERN ...]

Matches DNS queries (UDP, the question name right after the 12-byte DNS header) whose
name fits one of the PATTERNs. The program finds the UDP header from the IPv4 header
length, so IP options are handled; with -6 it assumes UDP follows the fixed 40-byte IPv6
header directly (no extension headers).

A pattern is a domain name, label by label:
  example.com        exactly example.com
  *.example.com      one label of any length, then example.com: matches
                     www.example.com, not example.com nor a.b.example.com
  *{3-8}.example.com one label of 3 to 8 bytes, then example.com; a range
                     runs from 1 to 63, and 255 as the maximum means no limit:
                     *{4-255} is any label of at least 4 bytes
  fin?.me            '?' stands for any one byte: fint.me, finX.me, not fin.me
  example.**         the label example, then anything (example.com,
                     example.co.uk, example itself), but not www.example.com
  example**          a first label starting with example, then anything
                     (examples.org, example.net)
  a%2eb.com          %XX is the byte with hex value XX, so this is the two-label
                     name whose first label is 'a.b'; write %25 for a '%'

Leading and trailing dots are ignored (.example.com. is example.com); a pattern of dots
alone, '.', is the root name. A '*' anywhere but alone in its label is a literal star.
Several patterns make one program that matches any of them.

A '*' label is 1 to 63 bytes long, so it never takes the root's zero byte for a label; a
'?' stands for a byte inside its label, never for a length byte (example** needs a first
label at least as long as example); -i folds ASCII letters only, every other byte is
compared exactly.

options:
  -i, --ignorecase  compare letters without regard to case (longer program)
  --compat          write the original bpftools' program, byte for byte: there a '*'
                    also took the root's zero byte (and then compared the query type),
                    '?' in a 'prefix**' label could stand for a length byte, and -i
                    folded every name byte (digits, '-', '_' ...) by its 0x20 bit
  -h, --help        show this help and exit

examples:
  bpfgen dns -- example.com
  bpfgen -o 14 dns -- -i '*.example.com' example.net
  bpfgen -6 -n dns -- 'example.**'

Refused: labels over 63 bytes, names over 255 bytes on the wire, empty labels (a..b),
bad %-escapes and bad wildcard ranges.
)";

// How the program reads a pattern: exactly as documented, or as the original did.
struct MatchRules {
    bool ignore_case = false;
    bool compat = false;
    bool optimize = false;  // bpfgen -O: the shorter program, same matches
};

namespace {

constexpr std::size_t kMaxLabelBytes = 63;
constexpr std::size_t kMaxNameBytes = 255;
// A wildcard maximum of 255 is the original's spelling of "no upper limit".
constexpr unsigned kUnlimitedMaximum = 255;

constexpr std::array<GeneratorFlag, 2> kFlags = {{{'i', "ignorecase"}, {'\0', "compat"}}};

// Where the bytes still to match start: X plus a constant, or (with -O, IPv6, before any
// wildcard label) a constant. Without -O the constant is always 0 and X moves instead.
struct NameCursor {
    bool indexed = true;  // loads are [x + k], else [k]
    uint32_t base = 0;

    std::string operand(std::size_t offset) const {
        const auto at = base + static_cast<uint32_t>(offset);
        return indexed ? fmt::format("[x + {}]", at) : fmt::format("[{}]", at);
    }
};

bool is_ascii_letter(uint8_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// How a byte of a literal run is compared with the packet.
enum class ByteKind {
    Length,      // a label's length byte, compared exactly
    OpenLength,  // length of a trailing label prefix (example**): not compared
    Char,        // a name byte: '?' matches anything, letters fold with -i
};

struct PatternByte {
    ByteKind kind;
    uint8_t value;
};

using Literal = std::vector<PatternByte>;

struct Wildcard {
    std::optional<std::pair<unsigned, unsigned>> range;  // *{min-max}
};

using Element = std::variant<Literal, Wildcard>;

class PatternError {
  public:
    explicit PatternError(std::string_view pattern) : pattern_(pattern) {}
    [[noreturn]] void operator()(const std::string& what) const {
        throw UsageError(fmt::format("dns: pattern {}: {}", quote_for_message(pattern_), what));
    }

  private:
    std::string_view pattern_;
};

// Python's str.strip() set of white space.
bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string_view strip_spaces(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

std::string_view strip_chars(std::string_view text, char c) {
    while (!text.empty() && text.front() == c) text.remove_prefix(1);
    while (!text.empty() && text.back() == c) text.remove_suffix(1);
    return text;
}

// urllib.unquote, except that a '%' without two hex digits is refused instead of kept.
std::string unquote(std::string_view label, const PatternError& refuse) {
    std::string out;
    for (std::size_t i = 0; i < label.size(); ++i) {
        if (label[i] != '%') {
            out += label[i];
            continue;
        }
        if (i + 2 >= label.size() || hex_digit_value(label[i + 1]) < 0 ||
            hex_digit_value(label[i + 2]) < 0) {
            refuse(fmt::format("bad escape {} (%XX takes two hex digits; %25 is a '%')",
                               quote_for_message(label.substr(i, 3))));
        }
        out +=
            static_cast<char>(hex_digit_value(label[i + 1]) * 16 + hex_digit_value(label[i + 2]));
        i += 2;
    }
    return out;
}

// Decimal digits as a number, saturating (the range check refuses anything that large).
std::optional<uint64_t> parse_count(std::string_view digits) {
    if (digits.empty()) return std::nullopt;
    uint64_t value = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        value = std::min<uint64_t>(value * 10 + static_cast<uint64_t>(c - '0'), 1'000'000);
    }
    return value;
}

// "*" or "*{MIN-MAX}"; nullopt for any other label.
std::optional<Wildcard> parse_wildcard(std::string_view label, const PatternError& refuse) {
    if (label == "*") return Wildcard{};
    if (!label.starts_with("*{")) return std::nullopt;
    const std::size_t dash = label.find('-');
    std::optional<uint64_t> min, max;
    if (label.ends_with('}') && dash != std::string_view::npos) {
        min = parse_count(label.substr(2, dash - 2));
        max = parse_count(label.substr(dash + 1, label.size() - dash - 2));
    }
    if (!min || !max) {
        refuse(fmt::format("bad wildcard {} (expected *{{MIN-MAX}}, like *{{1-63}})",
                           quote_for_message(label)));
    }
    if (*min > kMaxLabelBytes || (*max > kMaxLabelBytes && *max != kUnlimitedMaximum)) {
        refuse(
            fmt::format("wildcard {}: labels are 1 to 63 bytes long (use 255 as the "
                        "maximum for no upper limit)",
                        quote_for_message(label)));
    }
    if (*min > *max) {
        refuse(fmt::format("wildcard {}: minimum {} is greater than maximum {}",
                           quote_for_message(label), *min, *max));
    }
    if (*min < 1) {
        refuse(fmt::format("wildcard {}: the minimum is at least 1, as no label is empty",
                           quote_for_message(label)));
    }
    return Wildcard{std::make_pair(static_cast<unsigned>(*min), static_cast<unsigned>(*max))};
}

// One pattern as the sequence of literal runs and wildcard labels to match, in order.
std::vector<Element> parse_pattern(std::string_view pattern) {
    const PatternError refuse(pattern);
    std::string_view domain = strip_spaces(pattern);
    if (domain.empty()) {
        throw UsageError(fmt::format("dns: empty pattern {}", quote_for_message(pattern)));
    }
    if (domain.find_first_not_of('.') == std::string_view::npos) {
        return {Literal{{ByteKind::Length, 0}}};  // the root name
    }
    while (domain.front() == '.') domain.remove_prefix(1);
    const bool free_suffix = domain.ends_with("**");
    if (free_suffix) domain.remove_suffix(2);
    // "example.**": the label is exactly example; "example**": it only starts so.
    const bool open_last_label = free_suffix && !domain.ends_with('.');
    while (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);
    std::string name(domain);
    if (!free_suffix) name += '.';  // the empty last label stands for the root's 0 byte

    const std::vector<std::string_view> labels = split(name, '.');
    std::vector<Element> elements;
    std::size_t wire_bytes = free_suffix ? 1 : 0;
    for (std::size_t i = 0; i < labels.size(); ++i) {
        const bool is_last = i + 1 == labels.size();
        if (labels[i].empty() && !is_last) refuse("empty label (two dots in a row)");
        if (std::optional<Wildcard> wildcard = parse_wildcard(labels[i], refuse)) {
            wire_bytes += 1 + (wildcard->range ? wildcard->range->first : 1);
            elements.emplace_back(*wildcard);
            continue;
        }
        const std::string label = unquote(labels[i], refuse);
        if (label.size() > kMaxLabelBytes) {
            refuse(fmt::format("label {} is {} bytes long, at most {}",
                               quote_for_message(label, 20), label.size(), kMaxLabelBytes));
        }
        wire_bytes += 1 + label.size();
        Literal literal;
        literal.push_back({is_last && open_last_label ? ByteKind::OpenLength : ByteKind::Length,
                           static_cast<uint8_t>(label.size())});
        for (char c : label) literal.push_back({ByteKind::Char, static_cast<uint8_t>(c)});
        if (!elements.empty() && std::holds_alternative<Literal>(elements.back())) {
            Literal& previous = std::get<Literal>(elements.back());
            previous.insert(previous.end(), literal.begin(), literal.end());
        } else {
            elements.emplace_back(std::move(literal));
        }
    }
    if (wire_bytes > kMaxNameBytes) {
        refuse(fmt::format("the name takes {} bytes on the wire, at most {}", wire_bytes,
                           kMaxNameBytes));
    }
    return elements;
}

// The name the original derived from the patterns (iptables_bpf uses it in file names).
std::string program_name(const std::vector<std::string>& patterns) {
    std::string name;
    bool first = true;
    for (const std::string& pattern : patterns) {
        if (!pattern.empty() && pattern.front() == '-') continue;
        std::string part_names;
        const std::vector<std::string_view> parts =
            split(strip_spaces(strip_chars(pattern, '.')), '.');
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (i > 0) part_names += '_';
            if (parts[i] == "*") {
                part_names += "any";
                continue;
            }
            for (char c : parts[i]) {
                const bool alphanumeric =
                    (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                part_names += alphanumeric ? c : 'x';
            }
        }
        if (!first) name += '_';
        name += part_names;
        first = false;
    }
    return name;
}

// Writes the assembly text, counting instructions per pattern block so that a block too
// long for cBPF's 8-bit jump offsets is refused with its pattern named.
class AssemblyWriter {
  public:
    void line(std::string_view text = "") {
        text_ += text;
        text_ += '\n';
    }
    void instruction(std::string_view text, bool jumps_to_block_end = false) {
        line(text);
        if (jumps_to_block_end && !first_jump_) first_jump_ = block_size_;
        ++block_size_;
        ++program_size_;
    }
    void start_block() {
        block_size_ = 0;
        first_jump_.reset();
    }
    // Instructions the block's first jump has to skip to reach the block's end.
    std::size_t longest_jump() const { return first_jump_ ? block_size_ - *first_jump_ - 1 : 0; }
    std::size_t program_size() const { return program_size_; }
    std::string take() { return std::move(text_); }

  private:
    std::string text_;
    std::size_t program_size_ = 0;
    std::size_t block_size_ = 0;
    std::optional<std::size_t> first_jump_;
};

void match_literal(AssemblyWriter& out, const Literal& literal, const std::string& label, bool last,
                   const MatchRules& rules, NameCursor& cursor) {
    std::string bytes, mask;
    std::optional<std::size_t> open_length_at;
    for (const PatternByte& byte : literal) {
        uint8_t bits = 0;
        if (byte.kind == ByteKind::Char && byte.value == '?') {
            bits = 0xff;
        } else if (byte.kind == ByteKind::Char && rules.ignore_case &&
                   (rules.compat || is_ascii_letter(byte.value))) {
            bits = 0x20;  // ASCII letters differ in case by this bit only
        } else if (byte.kind == ByteKind::OpenLength && last) {
            bits = 0xff;
            open_length_at = bytes.size();
        }
        bytes += static_cast<char>(byte.value);
        mask += static_cast<char>(bits);
    }
    out.line(fmt::format("    ; Match: {} {}  mask={}", hex_encode(string_bytes(bytes)),
                         python_repr(bytes), hex_encode(string_bytes(mask))));
    // The label that only has to start so is at least as long as its start, so that a '?'
    // in it stands for one of its bytes and never for the next label's length. Checked
    // once the bytes before it compared equal: a load past the packet's end ends the whole
    // program, so no load may reach further than the name the packet has shown so far.
    const std::size_t open_minimum = open_length_at ? literal[*open_length_at].value : 0;
    std::size_t offset = 0;
    while (offset < bytes.size()) {
        const std::size_t left = bytes.size() - offset;
        const std::size_t width = left >= 4 ? 4 : left >= 2 ? 2 : 1;
        if (!rules.compat && open_minimum > 0 && *open_length_at >= offset &&
            *open_length_at < offset + width) {
            out.instruction(fmt::format("    ldb {}", cursor.operand(*open_length_at)));
            out.instruction(fmt::format("    jlt #{}, {}", open_minimum, label), true);
        }
        uint32_t value = 0, bits = 0;
        for (std::size_t i = 0; i < width; ++i) {
            value = value << 8 | static_cast<uint8_t>(bytes[offset + i]);
            bits = bits << 8 | static_cast<uint8_t>(mask[offset + i]);
        }
        const std::string_view load = width == 4 ? "ld" : width == 2 ? "ldh" : "ldb";
        const int digits = static_cast<int>(width * 2);
        out.instruction(fmt::format("    {} {}", load, cursor.operand(offset)));
        if (bits != 0) {
            out.instruction(fmt::format("    or #0x{:0{}x}", bits, digits));
            value |= bits;
        }
        out.instruction(fmt::format("    jneq #0x{:0{}x}, {}", value, digits, label), true);
        offset += width;
    }
    if (!last && rules.optimize) {
        cursor.base += static_cast<uint32_t>(offset);  // the next loads reach further instead
    } else if (!last) {
        out.instruction("    txa");
        out.instruction(fmt::format("    add #{}", offset));
        out.instruction("    tax");
    }
}

void match_wildcard(AssemblyWriter& out, const Wildcard& wildcard, const std::string& label,
                    const MatchRules& rules, NameCursor& cursor) {
    if (!wildcard.range) {
        out.line("    ; Match: *");
    } else {
        out.line(
            fmt::format("    ; Match: *{{{}-{}}}", wildcard.range->first, wildcard.range->second));
    }
    out.instruction(fmt::format("    ldb {}", cursor.operand(0)));
    std::optional<std::pair<unsigned, unsigned>> range = wildcard.range;
    if (!rules.compat) {
        // A label is 1 to 63 bytes: a 0 is the root (the name's end), and a length byte
        // over 63 is no label (0xc0 and up are compression pointers).
        if (!range) range = std::make_pair(1U, static_cast<unsigned>(kMaxLabelBytes));
        if (range->second == kUnlimitedMaximum) range->second = kMaxLabelBytes;
    }
    if (range) {
        const auto [min, max] = *range;
        if (min == max) {
            out.instruction(fmt::format("    jneq #{}, {}", min, label), true);
        } else {
            out.instruction(fmt::format("    jlt #{}, {}", min, label), true);
            if (max < kUnlimitedMaximum) {
                out.instruction(fmt::format("    jgt #{}, {}", max, label), true);
            }
        }
    }
    if (cursor.indexed) out.instruction("    add x");
    out.instruction(fmt::format("    add #{}", cursor.base + 1));
    out.instruction("    tax");
    cursor = NameCursor{};  // X is where the next label starts
}

bool has_wildcard(const std::vector<Element>& rule) {
    return std::any_of(rule.begin(), rule.end(), [](const Element& element) {
        return std::holds_alternative<Wildcard>(element);
    });
}

// Where the question name starts, for -O: X holds the IPv4 header's length, and the rest
// is a constant in every load; IPv6's fixed header makes the whole offset a constant.
NameCursor name_start(const GeneratorOptions& options) {
    if (options.ip_version == 4) return NameCursor{true, options.l3_offset + 8 + 12};
    return NameCursor{false, options.l3_offset + 40 + 8 + 12};
}

// The instructions before the patterns' blocks: X (and M[0] when there are several
// patterns) set to the offset of the question name's first byte.
void write_header(AssemblyWriter& out, const GeneratorOptions& options, bool several_patterns,
                  bool optimize) {
    if (optimize) {
        if (options.ip_version == 4) {
            out.instruction(fmt::format("    ldx 4*([{}]&0xf)", options.l3_offset));
            out.line(
                fmt::format("    ; x + {} = offset of first dns query byte (l3_off({}) + 8 "
                            "of udp + 12 of dns)",
                            options.l3_offset + 8 + 12, options.l3_offset));
        } else {
            out.line(fmt::format("    ; {} = offset of first dns query byte",
                                 options.l3_offset + 40 + 8 + 12));
        }
        out.line();
        return;
    }
    if (options.ip_version == 4) {
        out.instruction(fmt::format("    ldx 4*([{}]&0xf)", options.l3_offset));
        out.line(fmt::format("    ; l3_off({}) + 8 of udp + 12 of dns", options.l3_offset));
        out.instruction(fmt::format("    ld #{}", options.l3_offset + 8 + 12));
        out.instruction("    add x");
    } else {
        out.instruction(fmt::format("    ld #{}", options.l3_offset + 40 + 8 + 12));
    }
    out.instruction("    tax");
    out.line("    ; a = x = M[0] = offset of first dns query byte");
    if (several_patterns) {
        out.instruction("    st M[0]");
    } else {
        out.line("    ; st M[0]");
    }
    out.line();
}

// The block of the program's pattern number `index`: it returns `match` when the name fits
// the pattern, else goes on at the next block's label. Its length does not depend on index
// but for the `ldx M[0]` every block but the first starts with (with -O: the reload of X
// when the previous block moved it, that is had a wildcard label).
void write_block(AssemblyWriter& out, std::size_t index, const std::vector<Element>& rule,
                 std::string_view pattern, const MatchRules& rules, uint32_t match,
                 const GeneratorOptions& options, bool previous_moved_x) {
    out.line(fmt::format("lb_{}:", index));
    out.start_block();
    NameCursor cursor;
    if (rules.optimize) {
        cursor = name_start(options);
        if (index != 0 && previous_moved_x && options.ip_version == 4) {
            out.instruction(fmt::format("    ldx 4*([{}]&0xf)", options.l3_offset));
        }
    } else if (index != 0) {
        out.instruction("    ldx M[0]");
    } else {
        out.line("    ; ldx M[0]");
    }
    const std::string next = fmt::format("lb_{}", index + 1);
    for (std::size_t j = 0; j < rule.size(); ++j) {
        const bool last = j + 1 == rule.size();
        if (const auto* literal = std::get_if<Literal>(&rule[j])) {
            match_literal(out, *literal, next, last, rules, cursor);
        } else {
            match_wildcard(out, std::get<Wildcard>(rule[j]), next, rules, cursor);
        }
    }
    out.instruction(fmt::format("    ret #{}", match));
    out.line();
    if (out.longest_jump() > kMaxJumpDistance) {
        throw UsageError(fmt::format(
            "dns: pattern {} needs a jump over {} instructions, cBPF jumps reach {} (use "
            "fewer wildcard ranges or split the pattern)",
            quote_for_message(pattern), out.longest_jump(), kMaxJumpDistance));
    }
}

// A pattern's labels as the -O program compares them (dns_automaton.h): every byte ORed
// with its mask, the open label's length byte with 0xff.
DnsPatternTests label_tests(const std::vector<Element>& rule, bool ignore_case) {
    DnsPatternTests tests;
    for (const Element& element : rule) {
        if (const auto* wildcard = std::get_if<Wildcard>(&element)) {
            DnsLabelTest test;
            test.kind = DnsLabelTest::Kind::Wildcard;
            if (wildcard->range) {
                test.min = wildcard->range->first;
                test.max = std::min<unsigned>(wildcard->range->second, kMaxLabelBytes);
            }
            tests.push_back(test);
            continue;
        }
        for (const PatternByte& byte : std::get<Literal>(element)) {
            if (byte.kind != ByteKind::Char) {
                DnsLabelTest test;
                const bool open = byte.kind == ByteKind::OpenLength;
                test.kind = open ? DnsLabelTest::Kind::OpenPrefix : DnsLabelTest::Kind::Literal;
                test.min = byte.value;
                test.bytes.push_back(open ? 0xff : byte.value);
                test.masks.push_back(open ? 0xff : 0);
                tests.push_back(test);
                continue;
            }
            uint8_t mask = 0;
            if (byte.value == '?') {
                mask = 0xff;
            } else if (ignore_case && is_ascii_letter(byte.value)) {
                mask = 0x20;
            }
            tests.back().bytes.push_back(static_cast<uint8_t>(byte.value | mask));
            tests.back().masks.push_back(mask);
        }
    }
    return tests;
}

}  // namespace

DnsPatterns::DnsPatterns(const std::vector<std::string>& args, const GeneratorOptions& options)
    : options_(options) {
    GeneratorArgs parsed = parse_generator_args("dns", args, kFlags);
    ignore_case_ = parsed.flags[0];
    compat_ = parsed.flags[1];
    patterns_ = std::move(parsed.positionals);
    if (patterns_.empty()) {
        throw UsageError("dns: no domain pattern given (bpfgen dns -- example.com)");
    }
    AssemblyWriter header;
    write_header(header, options_, false, options_.optimize);
    header_size_ = header.program_size();
    measure_blocks();
}

void DnsPatterns::measure_blocks() {
    std::vector<std::vector<Element>> rules;
    rules.reserve(patterns_.size());
    for (const std::string& pattern : patterns_) rules.push_back(parse_pattern(pattern));
    block_sizes_before_.clear();
    moving_x_before_.clear();
    block_sizes_before_.reserve(patterns_.size() + 1);
    block_sizes_before_.push_back(0);
    moving_x_before_.reserve(patterns_.size() + 1);
    moving_x_before_.push_back(0);
    // Each block measured as a later one (with its `ldx M[0]`; with -O without reloading
    // X, counted apart), its jumps checked as generate_dns checks them, pattern by pattern.
    for (std::size_t i = 0; i < rules.size(); ++i) {
        AssemblyWriter block;
        write_block(block, 1, rules[i], patterns_[i], match_rules(), 0, options_, false);
        block_sizes_before_.push_back(block_sizes_before_.back() + block.program_size());
        moving_x_before_.push_back(moving_x_before_.back() + (has_wildcard(rules[i]) ? 1 : 0));
    }
}

void DnsPatterns::group_by_domain() {
    auto from_the_end = [](const std::string& pattern) {
        std::vector<std::string> labels;
        for (const std::string_view label : split(pattern, '.')) labels.emplace_back(label);
        std::reverse(labels.begin(), labels.end());
        for (std::string& label : labels) {
            for (char& c : label)
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        return labels;
    };
    std::vector<std::pair<std::vector<std::string>, std::string>> keyed;
    keyed.reserve(patterns_.size());
    for (std::string& pattern : patterns_)
        keyed.emplace_back(from_the_end(pattern), std::move(pattern));
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t i = 0; i < keyed.size(); ++i) patterns_[i] = std::move(keyed[i].second);
    measure_blocks();
}

MatchRules DnsPatterns::match_rules() const {
    return MatchRules{ignore_case_, compat_, options_.optimize};
}

std::string DnsPatterns::name() const {
    return program_name(patterns_);
}

std::size_t DnsPatterns::program_size(std::size_t first, std::size_t last) const {
    if (options_.optimize && !compat_) return automaton(first, last).size;
    if (options_.optimize) {
        // The header, the blocks, a reload of X (IPv4) after each block with a wildcard
        // but the last, and the final `ret`.
        const std::size_t reloads =
            options_.ip_version == 4 ? moving_x_before_[last - 1] - moving_x_before_[first] : 0;
        return header_size_ + (block_sizes_before_[last] - block_sizes_before_[first]) + reloads +
               1;
    }
    // The header, `st M[0]` with several patterns, the blocks (the first without its
    // `ldx M[0]`) and the final `ret`.
    const bool several = last - first > 1;
    return header_size_ + (several ? 1 : 0) +
           (block_sizes_before_[last] - block_sizes_before_[first] - 1) + 1;
}

DnsAutomaton DnsPatterns::automaton(std::size_t first, std::size_t last) const {
    std::vector<DnsPatternTests> tests;
    for (std::size_t i = first; i < last; ++i) {
        tests.push_back(label_tests(parse_pattern(patterns_[i]), ignore_case_));
    }
    const DnsAutomatonTarget target{static_cast<unsigned>(options_.ip_version), options_.l3_offset,
                                    options_.negate ? 0U : 65535U, options_.negate ? 65535U : 0U};
    return dns_automaton(tests, target);
}

GeneratedProgram DnsPatterns::program(std::size_t first, std::size_t last) const {
    const std::vector<std::string> patterns(patterns_.begin() + static_cast<std::ptrdiff_t>(first),
                                            patterns_.begin() + static_cast<std::ptrdiff_t>(last));
    const uint32_t match = options_.negate ? 0 : 65535;
    const uint32_t no_match = options_.negate ? 65535 : 0;
    GeneratedProgram generated;
    generated.name = program_name(patterns);
    if (options_.optimize && !compat_) {
        generated.assembly = automaton(first, last).assembly;
        generated.program = assemble(generated.assembly);
        return generated;
    }
    AssemblyWriter out;
    write_header(out, options_, patterns.size() > 1, options_.optimize);
    bool previous_moved_x = false;
    for (std::size_t i = 0; i < patterns.size(); ++i) {
        const std::vector<Element> rule = parse_pattern(patterns[i]);
        write_block(out, i, rule, patterns[i], match_rules(), match, options_, previous_moved_x);
        previous_moved_x = has_wildcard(rule);
    }
    out.line(fmt::format("lb_{}:", patterns.size()));
    out.instruction(fmt::format("    ret #{}", no_match));

    generated.assembly = out.take();
    generated.program = assemble(generated.assembly);
    return generated;
}

GeneratedProgram generate_dns(const std::vector<std::string>& args,
                              const GeneratorOptions& options) {
    const DnsPatterns patterns(args, options);
    const std::size_t size = patterns.program_size(0, patterns.size());
    if (size > op::kMaxInstructions) {
        throw UsageError(
            fmt::format("dns: {} patterns make a program of {} instructions, the kernel takes at "
                        "most {}",
                        patterns.size(), size, op::kMaxInstructions));
    }
    return patterns.program(0, patterns.size());
}

}  // namespace bpfgen
