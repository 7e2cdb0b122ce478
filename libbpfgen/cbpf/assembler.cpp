// assembler.cpp: bpf_asm text -> Program. The lexer reproduces the kernel's flex scanner
// (tools/bpf/bpf_exp.l: longest match, earlier rule on a tie, caseless keywords) and the
// parser its grammar (bpf_exp.y), so the same text gives the same instructions; where the
// kernel's tool would silently emit a wrong program (unknown or duplicate labels, backward
// jumps, numbers wrapped past 32 bits, too many instructions) we refuse with AssembleError.
#include "libbpfgen/cbpf/assembler.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/file_descriptor.h"
#include "libbpfgen/base/hex.h"
#include "libbpfgen/base/text.h"
#include "libbpfgen/cbpf/opcode_table.h"
#include "libbpfgen/cbpf/opcodes.h"

namespace bpfgen {
namespace {

enum class Mnemonic : uint8_t {
    Ldb,
    Ldh,
    Ld,
    Ldi,
    Ldx,
    Ldxi,
    Ldxb,
    St,
    Stx,
    Jmp,
    Jeq,
    Jneq,
    Jlt,
    Jle,
    Jgt,
    Jge,
    Jset,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Neg,
    And,
    Xor,
    Or,
    Lsh,
    Rsh,
    Ret,
    Tax,
    Txa
};

enum class TokenKind : uint8_t {
    End,
    Mnemonic,
    PacketLength,  // "len" / "#len"
    Extension,     // "proto" / "#proto" ...: value is the SKF_AD_* offset
    Number,        // value is the number wrapped to 32 bits as the kernel does
    Label,
    Punct,  // one of : , # % [ ] ( ) x a + M * &  (x, a and M stored in that case)
};

struct Token {
    TokenKind kind = TokenKind::End;
    char punct = 0;
    Mnemonic mnemonic = Mnemonic::Ld;
    uint32_t value = 0;
    std::string_view text;
    std::size_t line = 0;
    std::size_t column = 0;
};

struct Keyword {
    std::string_view name;
    TokenKind kind;
    Mnemonic mnemonic;
    uint32_t value;
};

constexpr Keyword mnemonic_keyword(std::string_view name, Mnemonic mnemonic) {
    return {name, TokenKind::Mnemonic, mnemonic, 0};
}
constexpr Keyword extension_keyword(std::string_view name, uint32_t offset) {
    return {name, TokenKind::Extension, Mnemonic::Ld, offset};
}

// The mnemonics of bpf_exp.l, and the aliases it gives some of them.
constexpr std::array kMnemonicKeywords = {
    mnemonic_keyword("ldb", Mnemonic::Ldb),   mnemonic_keyword("ldh", Mnemonic::Ldh),
    mnemonic_keyword("ld", Mnemonic::Ld),     mnemonic_keyword("ldi", Mnemonic::Ldi),
    mnemonic_keyword("ldx", Mnemonic::Ldx),   mnemonic_keyword("ldxi", Mnemonic::Ldxi),
    mnemonic_keyword("ldxb", Mnemonic::Ldxb), mnemonic_keyword("st", Mnemonic::St),
    mnemonic_keyword("stx", Mnemonic::Stx),   mnemonic_keyword("jmp", Mnemonic::Jmp),
    mnemonic_keyword("ja", Mnemonic::Jmp),    mnemonic_keyword("jeq", Mnemonic::Jeq),
    mnemonic_keyword("jneq", Mnemonic::Jneq), mnemonic_keyword("jne", Mnemonic::Jneq),
    mnemonic_keyword("jlt", Mnemonic::Jlt),   mnemonic_keyword("jle", Mnemonic::Jle),
    mnemonic_keyword("jgt", Mnemonic::Jgt),   mnemonic_keyword("jge", Mnemonic::Jge),
    mnemonic_keyword("jset", Mnemonic::Jset), mnemonic_keyword("add", Mnemonic::Add),
    mnemonic_keyword("sub", Mnemonic::Sub),   mnemonic_keyword("mul", Mnemonic::Mul),
    mnemonic_keyword("div", Mnemonic::Div),   mnemonic_keyword("mod", Mnemonic::Mod),
    mnemonic_keyword("neg", Mnemonic::Neg),   mnemonic_keyword("and", Mnemonic::And),
    mnemonic_keyword("xor", Mnemonic::Xor),   mnemonic_keyword("or", Mnemonic::Or),
    mnemonic_keyword("lsh", Mnemonic::Lsh),   mnemonic_keyword("rsh", Mnemonic::Rsh),
    mnemonic_keyword("ret", Mnemonic::Ret),   mnemonic_keyword("tax", Mnemonic::Tax),
    mnemonic_keyword("txa", Mnemonic::Txa),
};

constexpr std::size_t kNamedExtensions = [] {
    std::size_t named = 0;
    for (const AncillaryExtension& extension : kAncillaryExtensions) {
        if (!extension.name.empty()) ++named;
    }
    return named;
}();

// Every keyword of bpf_exp.l: the mnemonics, "len" and the extensions of the shared table
// (with the older vlan_pr). The extensions (and "len") may also be written with a '#'.
constexpr auto kKeywords = [] {
    std::array<Keyword, kMnemonicKeywords.size() + 1 + kNamedExtensions + 1> keywords{};
    std::size_t next = 0;
    for (const Keyword& keyword : kMnemonicKeywords) keywords[next++] = keyword;
    keywords[next++] = Keyword{"len", TokenKind::PacketLength, Mnemonic::Ld, 0};
    for (const AncillaryExtension& extension : kAncillaryExtensions) {
        if (!extension.name.empty()) {
            keywords[next++] = extension_keyword(extension.name, extension.offset);
        }
    }
    keywords[next++] = extension_keyword(kVlanPresentAlias.name, kVlanPresentAlias.offset);
    return keywords;
}();

constexpr std::size_t kLongestKeyword = [] {
    std::size_t longest = 0;
    for (const Keyword& keyword : kKeywords) longest = std::max(longest, keyword.name.size());
    return longest;
}();

constexpr bool is_word_char(char c) {
    return is_ascii_letter(c) || is_ascii_digit(c) || c == '_';
}

bool equals_caseless(std::string_view text, std::string_view lowercase_word) {
    if (text.size() != lowercase_word.size()) return false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (ascii_lower(text[i]) != lowercase_word[i]) return false;
    }
    return true;
}

bool starts_with_caseless(std::string_view text, std::string_view lowercase_word) {
    return text.size() >= lowercase_word.size() &&
           equals_caseless(text.substr(0, lowercase_word.size()), lowercase_word);
}

const Keyword* find_keyword(std::string_view word) {
    if (word.size() > kLongestKeyword) return nullptr;
    for (const Keyword& keyword : kKeywords) {
        if (equals_caseless(word, keyword.name)) return &keyword;
    }
    return nullptr;
}

// The longest "len" or extension name that `text` starts with, as flex's "#"?("name")
// rules match it after a '#' whatever follows ("#lenx" is "#len" then "x").
const Keyword* find_hash_keyword_prefix(std::string_view text) {
    const Keyword* best = nullptr;
    for (const Keyword& keyword : kKeywords) {
        if (keyword.kind == TokenKind::Mnemonic) continue;
        if (starts_with_caseless(text, keyword.name) &&
            (best == nullptr || keyword.name.size() > best->name.size())) {
            best = &keyword;
        }
    }
    return best;
}

std::string printable(char c) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\r') return "'\\r' (carriage return: convert DOS line endings)";
    if (byte >= 0x20 && byte < 0x7f) return fmt::format("'{}'", c);
    return fmt::format("byte {:#04x}", byte);
}

// An input word quoted for an error message, cut after 40 bytes: a 100 MB "label" must not
// become a 100 MB error line.
std::string quoted(std::string_view text) {
    return quote_for_message(text, 40);
}

class Lexer {
  public:
    explicit Lexer(std::string_view text) : text_(text) {}

    Token next() {
        for (;;) {
            if (pos_ >= text_.size()) return make(TokenKind::End, pos_, 0);
            const char c = text_[pos_];
            switch (c) {
                case ' ':
                case '\t':
                    ++pos_;
                    continue;
                case '\n':
                    ++pos_;
                    ++line_;
                    line_start_ = pos_;
                    continue;
                case ';':
                    skip_to_end_of_line();
                    continue;
                case '/':
                    if (skip_block_comment()) continue;
                    fail_here(pos_, "unknown character '/' (a '/*' comment without its '*/'?)");
                case '#':
                    if (Token token = hash(); token.kind != TokenKind::End) return token;
                    continue;
                case ':':
                case ',':
                case '%':
                case '[':
                case ']':
                case '(':
                case ')':
                case '*':
                case '&':
                    return punct(c, 1);
                case '+':
                case '-':
                    if (pos_ + 1 < text_.size() && text_[pos_ + 1] >= '1' &&
                        text_[pos_ + 1] <= '9') {
                        return number();
                    }
                    if (c == '+') return punct(c, 1);
                    fail_here(pos_, "unknown character '-' (only decimal numbers may be negative)");
                default:
                    if (is_ascii_digit(c)) return number();
                    if (is_ascii_letter(c) || c == '_') return word();
                    fail_here(pos_, "unknown character " + printable(c));
            }
        }
    }

    [[noreturn]] void fail_at(const Token& token, const std::string& what) const {
        throw AssembleError(token.line, token.column, what);
    }

  private:
    Token make(TokenKind kind, std::size_t start, std::size_t length) {
        Token token;
        token.kind = kind;
        token.text = text_.substr(start, length);
        token.line = line_;
        token.column = start - line_start_ + 1;
        pos_ = start + length;
        return token;
    }

    Token punct(char c, std::size_t length) {
        Token token = make(TokenKind::Punct, pos_, length);
        token.punct = c;
        return token;
    }

    [[noreturn]] void fail_here(std::size_t at, const std::string& what) const {
        throw AssembleError(line_, at - line_start_ + 1, what);
    }

    std::size_t end_of_line(std::size_t from) const {
        const std::size_t newline = text_.find('\n', from);
        return newline == std::string_view::npos ? text_.size() : newline;
    }

    void skip_to_end_of_line() { pos_ = end_of_line(pos_); }

    // flex's "/*"([^*]|\*[^/])*"*/": a '*' followed by any character but '/' consumes that
    // character too, so "/* a **/" is not closed there. Returns false when never closed.
    bool skip_block_comment() {
        if (pos_ + 1 >= text_.size() || text_[pos_ + 1] != '*') return false;
        bool after_star = false;
        for (std::size_t p = pos_ + 2; p < text_.size(); ++p) {
            const char c = text_[p];
            if (after_star) {
                if (c == '/') {
                    for (std::size_t q = pos_; q < p; ++q) {
                        if (text_[q] == '\n') {
                            ++line_;
                            line_start_ = q + 1;
                        }
                    }
                    pos_ = p + 1;
                    return true;
                }
                after_star = false;
            } else if (c == '*') {
                after_star = true;
            }
        }
        return false;
    }

    // '#' is a token, the start of "#len"/"#proto"..., or, first on a line, a comment to
    // the end of the line (flex's ^#.*) when that is the longer match.
    Token hash() {
        const Keyword* keyword = find_hash_keyword_prefix(text_.substr(pos_ + 1));
        const std::size_t length = keyword ? keyword->name.size() + 1 : 1;
        if (pos_ == line_start_ && end_of_line(pos_) - pos_ > length) {
            skip_to_end_of_line();
            return Token{};
        }
        if (!keyword) return punct('#', 1);
        Token token = make(keyword->kind, pos_, length);
        token.value = keyword->value;
        return token;
    }

    Token word() {
        std::size_t end = pos_ + 1;
        while (end < text_.size() && is_word_char(text_[end])) ++end;
        const std::string_view text = text_.substr(pos_, end - pos_);
        if (text.size() == 1) {
            // A label has at least two characters; single letters are x, a and M or nothing.
            switch (ascii_lower(text[0])) {
                case 'x':
                    return punct('x', 1);
                case 'a':
                    return punct('a', 1);
                case 'm':
                    return punct('M', 1);
                default:
                    fail_here(pos_, "unknown character " + printable(text[0]) +
                                        " (labels have at least two characters)");
            }
        }
        // Keywords win over labels of the same length (flex takes the earlier rule).
        if (const Keyword* keyword = find_keyword(text)) {
            Token token = make(keyword->kind, pos_, text.size());
            token.mnemonic = keyword->mnemonic;
            token.value = keyword->value;
            return token;
        }
        return make(TokenKind::Label, pos_, text.size());
    }

    Token number() {
        const std::size_t start = pos_;
        std::size_t p = start;
        const bool negative = text_[p] == '-';
        if (text_[p] == '-' || text_[p] == '+') ++p;
        unsigned base = 10;
        std::size_t end = p;
        if (text_[p] == '0') {
            const char prefix = p + 1 < text_.size() ? ascii_lower(text_[p + 1]) : '\0';
            const char first = p + 2 < text_.size() ? text_[p + 2] : '\0';
            if (prefix == 'x' && hex_digit_value(first) >= 0) {
                base = 16;
                end = p + 2;
            } else if (prefix == 'b' && (first == '0' || first == '1')) {
                base = 2;
                end = p + 2;
            } else if (prefix >= '0' && prefix <= '7') {
                base = 8;
                end = p + 1;
            } else {
                base = 0;  // a lone "0"
                end = p + 1;
            }
        }
        // Saturates just above 32 bits, so that any longer number stays out of range.
        constexpr uint64_t kSaturated = 0x100000001ULL;
        uint64_t value = 0;
        for (; base != 0 && end < text_.size(); ++end) {
            const char c = text_[end];
            unsigned digit = 0;
            if (base == 16 && hex_digit_value(c) >= 0) {
                digit = static_cast<unsigned>(hex_digit_value(c));
            } else if (is_ascii_digit(c) && static_cast<unsigned>(c - '0') < base) {
                digit = static_cast<unsigned>(c - '0');
            } else {
                break;
            }
            value = std::min(value * base + digit, kSaturated);
        }
        const std::string_view text = text_.substr(start, end - start);
        // flex would split "09" or "0b12" into two numbers, which no rule accepts in a row.
        if (end < text_.size() && is_ascii_digit(text_[end])) {
            std::size_t bad_end = end;
            while (bad_end < text_.size() && is_word_char(text_[bad_end])) ++bad_end;
            fail_here(
                start,
                fmt::format("malformed number {}{}", quoted(text_.substr(start, bad_end - start)),
                            base == 8 || base == 0 ? " (a leading 0 makes it octal)" : ""));
        }
        // The kernel's strtol/strtoul results are silently cut to 32 bits; we refuse what
        // does not fit, except the negative decimals it wraps (-1 is 0xffffffff).
        if (negative ? value > 0x80000000ULL : value > 0xffffffffULL) {
            fail_here(start, fmt::format("number {} does not fit in 32 bits (the range is "
                                         "-2147483648 to 4294967295)",
                                         quoted(text)));
        }
        Token token = make(TokenKind::Number, start, text.size());
        token.value = negative ? static_cast<uint32_t>(0 - value) : static_cast<uint32_t>(value);
        return token;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
    std::size_t line_start_ = 0;
};

enum class JumpField : uint8_t { Jt, Jf, K };

struct LabelReference {
    std::string_view name;
    uint32_t instruction;
    JumpField field;
    std::string_view mnemonic;
    std::size_t line;
    std::size_t column;
};

std::string describe(const Token& token) {
    if (token.kind == TokenKind::End) return "end of input";
    return quoted(token.text);
}

// The arithmetic mnemonics, by the name the opcode table knows them under.
struct AluMnemonic {
    Mnemonic mnemonic;
    std::string_view name;
};

constexpr std::array kAluMnemonics = {
    AluMnemonic{Mnemonic::Add, "add"}, AluMnemonic{Mnemonic::Sub, "sub"},
    AluMnemonic{Mnemonic::Mul, "mul"}, AluMnemonic{Mnemonic::Div, "div"},
    AluMnemonic{Mnemonic::Mod, "mod"}, AluMnemonic{Mnemonic::And, "and"},
    AluMnemonic{Mnemonic::Or, "or"},   AluMnemonic{Mnemonic::Xor, "xor"},
    AluMnemonic{Mnemonic::Lsh, "lsh"}, AluMnemonic{Mnemonic::Rsh, "rsh"},
};

class Parser {
  public:
    explicit Parser(std::string_view text) : lexer_(text) {
        instructions_.reserve(std::min<std::size_t>(text.size() / 8 + 1, op::kMaxInstructions));
        advance();
    }

    Program parse() {
        while (current_.kind != TokenKind::End) {
            if (current_.kind == TokenKind::Label) {
                const std::string_view label = define_label();
                if (current_.kind != TokenKind::Mnemonic) {
                    fail(fmt::format("expected an instruction after label {}, found {}",
                                     quoted(label), describe(current_)));
                }
            } else if (current_.kind != TokenKind::Mnemonic) {
                fail(fmt::format("expected an instruction or a label, found {}",
                                 describe(current_)));
            }
            instruction();
        }
        if (instructions_.empty()) {
            fail("no instructions: a program has at least one");
        }
        resolve_labels();
        return Program(std::move(instructions_));
    }

  private:
    void advance() { current_ = lexer_.next(); }

    [[noreturn]] void fail(const std::string& what) const { lexer_.fail_at(current_, what); }

    bool at_punct(char c) const { return current_.kind == TokenKind::Punct && current_.punct == c; }

    bool accept(char c) {
        if (!at_punct(c)) return false;
        advance();
        return true;
    }

    std::string found() const {
        std::string text = describe(current_);
        // "+4" is one signed number to the kernel's lexer, so "[x+4]" does not parse.
        if (current_.kind == TokenKind::Number && current_.text.starts_with('+')) {
            text += fmt::format(" (a signed number: write '+ {}')", current_.text.substr(1));
        }
        return text;
    }

    void expect(char c, std::string_view context) {
        if (!accept(c)) fail(fmt::format("{}: expected '{}', found {}", context, c, found()));
    }

    uint32_t expect_number(std::string_view context) {
        if (current_.kind != TokenKind::Number) {
            fail(fmt::format("{}: expected a number, found {}", context, found()));
        }
        const uint32_t value = current_.value;
        advance();
        return value;
    }

    std::string_view define_label() {
        const Token label = current_;
        advance();
        if (!at_punct(':')) {
            fail(fmt::format("expected ':' after label {}, found {} ({} is no instruction)",
                             quoted(label.text), describe(current_), quoted(label.text)));
        }
        advance();
        const auto [where, inserted] =
            labels_.try_emplace(label.text, static_cast<uint32_t>(instructions_.size()));
        if (!inserted) {
            lexer_.fail_at(label, fmt::format("duplicate label {} (first defined before "
                                              "instruction {})",
                                              quoted(label.text), where->second));
        }
        return label.text;
    }

    void emit(uint16_t code, uint32_t k) { instructions_.push_back(Instruction{code, 0, 0, k}); }

    void reference(JumpField field, std::string_view name) {
        if (current_.kind != TokenKind::Label) {
            fail(fmt::format("{}: expected a label, found {}", name, found()));
        }
        references_.push_back(LabelReference{current_.text,
                                             static_cast<uint32_t>(instructions_.size()), field,
                                             name, current_.line, current_.column});
        advance();
    }

    void instruction() {
        if (instructions_.size() >= op::kMaxInstructions) {
            fail(fmt::format("more than {} instructions", op::kMaxInstructions));
        }
        const Mnemonic mnemonic = current_.mnemonic;
        const std::string_view name = current_.text;
        advance();
        switch (mnemonic) {
            case Mnemonic::Ldb:
                return load(op::kB, name);
            case Mnemonic::Ldh:
                return load(op::kH, name);
            case Mnemonic::Ld:
                return load(op::kW, name);
            case Mnemonic::Ldi:
                accept('#');
                return emit(op::kLd | op::kImm, expect_number(name));
            case Mnemonic::Ldxi:
                accept('#');
                return emit(op::kLdx | op::kImm, expect_number(name));
            case Mnemonic::Ldx:
                return load_index(name, true);
            case Mnemonic::Ldxb:
                return load_index(name, false);
            case Mnemonic::St:
                return emit(op::kSt, memory_slot(name));
            case Mnemonic::Stx:
                return emit(op::kStx, memory_slot(name));
            case Mnemonic::Jmp:
                reference(JumpField::K, name);
                return emit(op::kJmp | op::kJa, 0);
            case Mnemonic::Jeq:
                return conditional_jump("jeq", true, name);
            case Mnemonic::Jneq:
                return conditional_jump("jeq", false, name);
            case Mnemonic::Jlt:
                return conditional_jump("jge", false, name);
            case Mnemonic::Jle:
                return conditional_jump("jgt", false, name);
            case Mnemonic::Jgt:
                return conditional_jump("jgt", true, name);
            case Mnemonic::Jge:
                return conditional_jump("jge", true, name);
            case Mnemonic::Jset:
                return conditional_jump("jset", true, name);
            case Mnemonic::Neg:
                return emit(op::kAlu | op::kNeg, 0);
            case Mnemonic::Ret:
                return ret();
            case Mnemonic::Tax:
                return emit(op::kMisc | op::kTax, 0);
            case Mnemonic::Txa:
                return emit(op::kMisc | op::kTxa, 0);
            default:
                for (const AluMnemonic& alu : kAluMnemonics) {
                    if (alu.mnemonic == mnemonic) return arithmetic(alu.name, name);
                }
        }
    }

    // ld/ldh/ldb: [k], [x + k], an extension; ld also #k, #len and M[k].
    void load(uint16_t size, std::string_view name) {
        if (current_.kind == TokenKind::Extension) {
            const uint32_t offset = current_.value;
            advance();
            return emit(op::kLd | size | op::kAbs, ancillary::kOffset + offset);
        }
        if (size == op::kW) {
            if (current_.kind == TokenKind::PacketLength) {
                advance();
                return emit(op::kLd | op::kW | op::kLen, 0);
            }
            if (accept('#')) return emit(op::kLd | op::kImm, expect_number(name));
            if (at_punct('M')) return emit(op::kLd | op::kMem, memory_slot(name));
        }
        if (!accept('[')) {
            fail(
                fmt::format("{}: expected {}'[k]', '[x + k]' or an extension such as '#proto', "
                            "found {}",
                            name, size == op::kW ? "'#k', '#len', 'M[k]', " : "", found()));
        }
        if (current_.kind == TokenKind::Number) {
            const uint32_t k = current_.value;
            advance();
            expect(']', name);
            return emit(op::kLd | size | op::kAbs, k);
        }
        accept('%');
        expect('x', name);
        expect('+', name);
        const uint32_t k = expect_number(name);
        expect(']', name);
        emit(op::kLd | size | op::kInd, k);
    }

    // ldx: #k, #len, M[k], 4*([k]&0xf); ldxb: only 4*([k]&0xf).
    void load_index(std::string_view name, bool all_forms) {
        if (all_forms) {
            if (accept('#')) return emit(op::kLdx | op::kImm, expect_number(name));
            if (current_.kind == TokenKind::PacketLength) {
                advance();
                return emit(op::kLdx | op::kW | op::kLen, 0);
            }
            if (at_punct('M')) return emit(op::kLdx | op::kMem, memory_slot(name));
        }
        if (current_.kind != TokenKind::Number) {
            fail(fmt::format("{}: expected {}'4*([k]&0xf)', found {}", name,
                             all_forms ? "'#k', '#len', 'M[k]' or " : "", found()));
        }
        const Token multiplier = current_;
        advance();
        expect('*', name);
        expect('(', name);
        expect('[', name);
        const uint32_t k = expect_number(name);
        expect(']', name);
        expect('&', name);
        const Token mask = current_;
        expect_number(name);
        expect(')', name);
        if (multiplier.value != 4) {
            lexer_.fail_at(multiplier, fmt::format("{} 4*([k]&0xf): the multiplier must be 4, "
                                                   "not {}",
                                                   name, multiplier.text));
        }
        if (mask.value != 0xf) {
            lexer_.fail_at(
                mask, fmt::format("{} 4*([k]&0xf): the mask must be 0xf, not {}", name, mask.text));
        }
        emit(op::kLdx | op::kMsh | op::kB, k);
    }

    uint32_t memory_slot(std::string_view name) {
        if (!accept('M')) fail(fmt::format("{}: expected 'M[k]', found {}", name, found()));
        expect('[', name);
        const uint32_t k = expect_number(name);
        expect(']', name);
        return k;
    }

    // '#k' -> K, 'x' or '%x' -> X (k = 0).
    bool operand_is_x(uint32_t& k, std::string_view name) {
        if (accept('#')) {
            k = expect_number(name);
            return false;
        }
        const bool percent = accept('%');
        if (!accept('x')) {
            fail(fmt::format("{}: expected {}, found {}", name, percent ? "'x'" : "'#k' or 'x'",
                             found()));
        }
        k = 0;
        return true;
    }

    // `operation` is the table's mnemonic, `name` the text as written.
    void arithmetic(std::string_view operation, std::string_view name) {
        uint32_t k = 0;
        const bool x = operand_is_x(k, name);
        emit(find_code(operation, x ? OperandForm::X : OperandForm::Immediate), k);
    }

    // The kernel's negated forms (jneq, jlt, jle) are the plain jump with the label as jf.
    void conditional_jump(std::string_view operation, bool label_is_jt, std::string_view name) {
        uint32_t k = 0;
        const bool x = operand_is_x(k, name);
        expect(',', name);
        reference(label_is_jt ? JumpField::Jt : JumpField::Jf, name);
        if (label_is_jt && accept(',')) reference(JumpField::Jf, name);
        emit(find_code(operation, x ? OperandForm::ConditionalX : OperandForm::ConditionalK), k);
    }

    void ret() {
        if (accept('#')) return emit(op::kRet | op::kK, expect_number("ret"));
        const bool percent = accept('%');
        if (accept('a')) return emit(op::kRet | op::kRetA, 0);
        if (accept('x')) return emit(op::kRet | op::kX, 0);
        fail(fmt::format("ret: expected {}, found {}", percent ? "'a' or 'x'" : "'#k', 'a' or 'x'",
                         found()));
    }

    void resolve_labels() {
        for (const LabelReference& ref : references_) {
            const auto where = labels_.find(ref.name);
            if (where == labels_.end()) {
                throw AssembleError(ref.line, ref.column,
                                    fmt::format("unknown label {}", quoted(ref.name)));
            }
            const int64_t target = where->second;
            const int64_t offset = target - ref.instruction - 1;
            const std::string_view name = ref.mnemonic;
            if (offset < 0) {
                throw AssembleError(
                    ref.line, ref.column,
                    fmt::format("{} to label {} jumps {} (from instruction {} to {}); "
                                "classic BPF only jumps forward",
                                name, quoted(ref.name), offset == -1 ? "to itself" : "backward",
                                ref.instruction, target));
            }
            Instruction& insn = instructions_[ref.instruction];
            if (ref.field == JumpField::K) {
                insn.k = static_cast<uint32_t>(offset);
                continue;
            }
            if (offset > 255) {
                throw AssembleError(
                    ref.line, ref.column,
                    fmt::format("{} to label {} skips {} instructions, a conditional jump at "
                                "most 255 (jump to a nearer 'ja')",
                                name, quoted(ref.name), offset));
            }
            (ref.field == JumpField::Jt ? insn.jt : insn.jf) = static_cast<uint8_t>(offset);
        }
    }

    Lexer lexer_;
    Token current_;
    std::vector<Instruction> instructions_;
    std::unordered_map<std::string_view, uint32_t> labels_;
    std::vector<LabelReference> references_;
};

}  // namespace

Program assemble(std::string_view text) {
    return Parser(text).parse();
}

std::string located_message(std::string_view source, const AssembleError& error) {
    std::string_view reason = error.what();
    const std::string prefix = fmt::format("line {}, column {}: ", error.line(), error.column());
    if (reason.starts_with(prefix)) reason.remove_prefix(prefix.size());
    return fmt::format("{}:{}:{}: {}", source, error.line(), error.column(), reason);
}

Program assemble_file(const std::string& path) {
    const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!file) throw Error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    std::string text;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(file.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error(fmt::format("{}: cannot read: {}", path, std::strerror(errno)));
        if (n == 0) break;
        text.append(buffer, static_cast<std::size_t>(n));
    }
    try {
        return assemble(text);
    } catch (const AssembleError& error) {
        throw Error(located_message(path, error));
    }
}

}  // namespace bpfgen
