// pcap_reference_cases.h: test-only reader of the original bpftools' recorded bpfgen runs
// (tests/data/bpfgen_cases.jsonl), enough JSON for its lines, and the mapping of a run's
// command line onto GeneratorOptions, for the tcpdump and p0f parity tests.
#pragma once

#include <charconv>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "generators/generator.h"

namespace bpfgen::pcap_reference {

struct JsonValue {
    enum class Type { Null, Bool, Number, String, Array, Object } type = Type::Null;
    bool boolean = false;
    double number = 0;
    std::string string;
    std::vector<JsonValue> array;
    std::map<std::string, JsonValue> object;
};

class JsonParser {
  public:
    explicit JsonParser(std::string_view text) : text_(text) {}

    JsonValue parse() {
        JsonValue value = parse_value();
        skip_space();
        if (at_ != text_.size()) fail("trailing text");
        return value;
    }

  private:
    [[noreturn]] void fail(const std::string& what) const {
        throw std::runtime_error("JSON: " + what + " at " + std::to_string(at_));
    }
    void skip_space() {
        while (at_ < text_.size() &&
               std::string_view(" \t\r\n").find(text_[at_]) != std::string_view::npos) {
            ++at_;
        }
    }
    char next() {
        if (at_ >= text_.size()) fail("unexpected end");
        return text_[at_++];
    }
    void expect(std::string_view word) {
        if (text_.substr(at_, word.size()) != word) fail("expected " + std::string(word));
        at_ += word.size();
    }
    static void append_utf8(std::string& out, uint32_t code) {
        if (code < 0x80) {
            out += static_cast<char>(code);
        } else if (code < 0x800) {
            out += static_cast<char>(0xc0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3f));
        } else {
            out += static_cast<char>(0xe0 | (code >> 12));
            out += static_cast<char>(0x80 | ((code >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (code & 0x3f));
        }
    }
    std::string parse_string() {
        std::string out;
        if (next() != '"') fail("expected a string");
        for (char c = next(); c != '"'; c = next()) {
            if (c != '\\') {
                out += c;
                continue;
            }
            const char escaped = next();
            switch (escaped) {
                case 'n':
                    out += '\n';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'u': {
                    const std::string hex(text_.substr(at_, 4));
                    at_ += 4;
                    append_utf8(out, static_cast<uint32_t>(std::stoul(hex, nullptr, 16)));
                    break;
                }
                default:
                    out += escaped;
            }
        }
        return out;
    }
    JsonValue parse_value() {
        skip_space();
        JsonValue value;
        if (at_ >= text_.size()) fail("unexpected end");
        const char c = text_[at_];
        if (c == '"') {
            value.type = JsonValue::Type::String;
            value.string = parse_string();
        } else if (c == '{') {
            value.type = JsonValue::Type::Object;
            ++at_;
            skip_space();
            if (text_[at_] == '}') {
                ++at_;
                return value;
            }
            while (true) {
                skip_space();
                std::string key = parse_string();
                skip_space();
                if (next() != ':') fail("expected ':'");
                value.object[key] = parse_value();
                skip_space();
                const char separator = next();
                if (separator == '}') break;
                if (separator != ',') fail("expected ',' or '}'");
            }
        } else if (c == '[') {
            value.type = JsonValue::Type::Array;
            ++at_;
            skip_space();
            if (text_[at_] == ']') {
                ++at_;
                return value;
            }
            while (true) {
                value.array.push_back(parse_value());
                skip_space();
                const char separator = next();
                if (separator == ']') break;
                if (separator != ',') fail("expected ',' or ']'");
            }
        } else if (c == 't') {
            expect("true");
            value.type = JsonValue::Type::Bool;
            value.boolean = true;
        } else if (c == 'f') {
            expect("false");
            value.type = JsonValue::Type::Bool;
        } else if (c == 'n') {
            expect("null");
        } else {
            const std::size_t start = at_;
            while (at_ < text_.size() &&
                   std::string_view("+-0123456789.eE").find(text_[at_]) != std::string_view::npos) {
                ++at_;
            }
            if (start == at_) fail("unexpected character");
            value.type = JsonValue::Type::Number;
            value.number = std::stod(std::string(text_.substr(start, at_ - start)));
        }
        return value;
    }

    std::string_view text_;
    std::size_t at_ = 0;
};

// One recorded run of the original bpfgen.
struct ReferenceCase {
    std::vector<std::string> argv;
    int rc = 0;
    std::string bytecode;  // xt_bpf text, for rc == 0
    std::string assembly;  // `bpfgen -s` stdout, for rc == 0

    // The command line mapped onto our generator call.
    std::string generator;
    std::vector<std::string> args;
    GeneratorOptions options;
};

inline std::string describe(const ReferenceCase& reference) {
    std::string text = "bpfgen";
    for (const std::string& arg : reference.argv) text += " '" + arg + "'";
    return text;
}

// The bpfgen options before the generator name (-6, -n, -s, -o N), the generator, and its
// arguments with the "--" that separated them dropped, as the original's argparse did.
// A command line the original's bpfgen itself refused keeps an empty generator.
inline void map_command_line(ReferenceCase& reference) {
    std::size_t i = 0;
    for (; i < reference.argv.size(); ++i) {
        const std::string& arg = reference.argv[i];
        if (arg == "-6") {
            reference.options.ip_version = 6;
        } else if (arg == "-n") {
            reference.options.negate = true;
        } else if (arg == "-s") {
        } else if (arg == "-o" && i + 1 < reference.argv.size()) {
            const std::string& value = reference.argv[++i];
            uint32_t offset = 0;
            const auto [end, error] =
                std::from_chars(value.data(), value.data() + value.size(), offset);
            if (error != std::errc() || end != value.data() + value.size()) {
                return;  // the original's own command line refused it: no generator ran
            }
            reference.options.l3_offset = offset;
        } else if (!arg.empty() && arg[0] == '-') {
            throw std::runtime_error("unexpected option in " + describe(reference));
        } else {
            break;
        }
    }
    if (i == reference.argv.size())
        throw std::runtime_error("no generator in " + describe(reference));
    reference.generator = reference.argv[i++];
    if (i < reference.argv.size() && reference.argv[i] == "--") ++i;
    reference.args.assign(reference.argv.begin() + static_cast<std::ptrdiff_t>(i),
                          reference.argv.end());
}

// The recorded runs of one generator, in file order.
inline std::vector<ReferenceCase> load_reference_cases(const std::string& path,
                                                       std::string_view generator) {
    std::ifstream file(path);
    if (!file) throw std::runtime_error("cannot read " + path);
    std::vector<ReferenceCase> cases;
    std::string line;
    while (std::getline(file, line)) {
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const JsonValue json = JsonParser(line).parse();
        ReferenceCase reference;
        for (const JsonValue& arg : json.object.at("argv").array)
            reference.argv.push_back(arg.string);
        reference.rc = static_cast<int>(json.object.at("rc").number);
        if (reference.rc == 0) {
            reference.bytecode = json.object.at("bytecode").string;
            reference.assembly = json.object.at("asm").string;
        }
        map_command_line(reference);
        if (reference.generator == generator) cases.push_back(std::move(reference));
    }
    return cases;
}

inline std::string reference_cases_path() {
    return std::string(BPFTOOLS_TEST_DATA) + "/bpfgen_cases.jsonl";
}

}  // namespace bpfgen::pcap_reference
