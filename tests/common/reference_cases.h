// reference_cases.h: reads tests/data/bpfgen_cases.jsonl, the recorded runs of the original
// bpfgen (one JSON object per line), into ReferenceCase values for C++ tests. Header-only,
// with just enough JSON (objects, arrays, strings, integers, booleans, null) for that file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bpftools::test {

struct ReferenceCase {
    std::size_t line_number = 0;    // 1-based line in the .jsonl file
    std::string tool;               // "bpfgen"
    std::vector<std::string> argv;  // the arguments after the tool's name
    int rc = 0;                     // exit code
    std::string bytecode;           // rc == 0: the xt_bpf line printed by the kernel's bpf_asm
    std::string assembly;           // rc == 0: `bpfgen -s` output ("asm" in the file)
    bool error = false;             // rc != 0
    std::string stdout_text;        // rc != 0: what the original printed
    std::string stderr_text;

    // "bpfgen -o 14 dns -- example.com (line 3)" for failure messages.
    std::string describe() const {
        std::string text = tool;
        for (const std::string& arg : argv) text += " " + arg;
        return text + " (line " + std::to_string(line_number) + ")";
    }
};

namespace detail {

struct JsonValue {
    enum class Kind { Null, Bool, Integer, String, Array, Object } kind = Kind::Null;
    bool boolean = false;
    int64_t integer = 0;
    std::string string;
    std::vector<JsonValue> array;
    std::map<std::string, JsonValue, std::less<>> object;
};

class JsonReader {
  public:
    explicit JsonReader(std::string_view text) : text_(text) {}

    JsonValue document() {
        JsonValue value = parse_value();
        skip_spaces();
        if (pos_ != text_.size()) fail("trailing characters");
        return value;
    }

  private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("JSON: " + what + " at character " + std::to_string(pos_ + 1));
    }

    void skip_spaces() {
        while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t' ||
                                       text_[pos_] == '\r' || text_[pos_] == '\n')) {
            ++pos_;
        }
    }

    char peek() {
        skip_spaces();
        if (pos_ >= text_.size()) fail("unexpected end");
        return text_[pos_];
    }

    void expect(char c) {
        if (peek() != c) fail(std::string("expected '") + c + "'");
        ++pos_;
    }

    bool literal(std::string_view word) {
        if (text_.substr(pos_, word.size()) != word) return false;
        pos_ += word.size();
        return true;
    }

    JsonValue parse_value() {
        JsonValue value;
        const char c = peek();
        if (c == '{') {
            value.kind = JsonValue::Kind::Object;
            ++pos_;
            if (peek() == '}') {
                ++pos_;
                return value;
            }
            for (;;) {
                if (peek() != '"') fail("expected a key");
                std::string key = parse_string();
                expect(':');
                value.object.insert_or_assign(std::move(key), parse_value());
                if (peek() == ',') {
                    ++pos_;
                    continue;
                }
                expect('}');
                return value;
            }
        }
        if (c == '[') {
            value.kind = JsonValue::Kind::Array;
            ++pos_;
            if (peek() == ']') {
                ++pos_;
                return value;
            }
            for (;;) {
                value.array.push_back(parse_value());
                if (peek() == ',') {
                    ++pos_;
                    continue;
                }
                expect(']');
                return value;
            }
        }
        if (c == '"') {
            value.kind = JsonValue::Kind::String;
            value.string = parse_string();
            return value;
        }
        if (literal("true") || literal("false")) {
            value.kind = JsonValue::Kind::Bool;
            value.boolean = text_.substr(pos_ - 4, 4) == "true";
            return value;
        }
        if (literal("null")) return value;
        if (c == '-' || (c >= '0' && c <= '9')) {
            value.kind = JsonValue::Kind::Integer;
            const bool negative = c == '-';
            if (negative) ++pos_;
            if (pos_ >= text_.size() || text_[pos_] < '0' || text_[pos_] > '9') {
                fail("bad number");
            }
            while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
                value.integer = value.integer * 10 + (text_[pos_++] - '0');
            }
            if (negative) value.integer = -value.integer;
            return value;
        }
        fail("unexpected character");
    }

    unsigned hex4() {
        if (pos_ + 4 > text_.size()) fail("short \\u escape");
        unsigned code = 0;
        for (int i = 0; i < 4; ++i) {
            const char h = text_[pos_++];
            code <<= 4;
            if (h >= '0' && h <= '9') {
                code |= static_cast<unsigned>(h - '0');
            } else if (h >= 'a' && h <= 'f') {
                code |= static_cast<unsigned>(h - 'a' + 10);
            } else if (h >= 'A' && h <= 'F') {
                code |= static_cast<unsigned>(h - 'A' + 10);
            } else {
                fail("bad \\u escape");
            }
        }
        return code;
    }

    static void append_utf8(std::string& out, unsigned code) {
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xc0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3f));
        } else if (code < 0x10000) {
            out += static_cast<char>(0xe0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (code & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | (code >> 18));
            out += static_cast<char>(0x80 | ((code >> 12) & 0x3f));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (code & 0x3f));
        }
    }

    std::string parse_string() {
        expect('"');
        std::string out;
        for (;;) {
            if (pos_ >= text_.size()) fail("unterminated string");
            const char c = text_[pos_++];
            if (c == '"') return out;
            if (c != '\\') {
                out += c;
                continue;
            }
            if (pos_ >= text_.size()) fail("unterminated escape");
            const char e = text_[pos_++];
            switch (e) {
                case '"':
                case '\\':
                case '/':
                    out += e;
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    unsigned code = hex4();
                    if (code >= 0xd800 && code < 0xdc00 && text_.substr(pos_, 2) == "\\u") {
                        pos_ += 2;
                        const unsigned low = hex4();
                        code = 0x10000 + ((code - 0xd800) << 10) + (low - 0xdc00);
                    }
                    append_utf8(out, code);
                    break;
                }
                default:
                    fail("bad escape");
            }
        }
    }

    std::string_view text_;
    std::size_t pos_ = 0;
};

inline std::string string_field(const JsonValue& object, std::string_view key) {
    const auto where = object.object.find(key);
    if (where == object.object.end() || where->second.kind != JsonValue::Kind::String) return {};
    return where->second.string;
}

}  // namespace detail

// Every case of the file, in order. Throws std::runtime_error naming the line on bad input.
inline std::vector<ReferenceCase> load_reference_cases(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::vector<ReferenceCase> cases;
    std::string line;
    std::size_t line_number = 0;
    while (std::getline(in, line)) {
        ++line_number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        detail::JsonValue object;
        try {
            object = detail::JsonReader(line).document();
        } catch (const std::runtime_error& error) {
            throw std::runtime_error(path + ":" + std::to_string(line_number) + ": " +
                                     error.what());
        }
        if (object.kind != detail::JsonValue::Kind::Object) {
            throw std::runtime_error(path + ":" + std::to_string(line_number) + ": not an object");
        }
        ReferenceCase reference;
        reference.line_number = line_number;
        reference.tool = detail::string_field(object, "tool");
        if (const auto argv = object.object.find("argv"); argv != object.object.end()) {
            for (const detail::JsonValue& arg : argv->second.array) {
                reference.argv.push_back(arg.string);
            }
        }
        if (const auto rc = object.object.find("rc"); rc != object.object.end()) {
            reference.rc = static_cast<int>(rc->second.integer);
        }
        if (const auto error = object.object.find("error"); error != object.object.end()) {
            reference.error = error->second.boolean;
        }
        reference.bytecode = detail::string_field(object, "bytecode");
        reference.assembly = detail::string_field(object, "asm");
        reference.stdout_text = detail::string_field(object, "stdout");
        reference.stderr_text = detail::string_field(object, "stderr");
        cases.push_back(std::move(reference));
    }
    return cases;
}

#ifdef BPFTOOLS_TEST_DATA
// The cases of the project's tests/data/bpfgen_cases.jsonl.
inline std::vector<ReferenceCase> load_reference_cases() {
    return load_reference_cases(std::string(BPFTOOLS_TEST_DATA) + "/bpfgen_cases.jsonl");
}
#endif

}  // namespace bpftools::test
