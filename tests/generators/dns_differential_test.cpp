// dns_differential_test.cpp: the dns generator's programs against a reference matcher
// written from the README's pattern language alone (it works on decoded names and shares
// no code with the generator). Thousands of crafted queries (IPv4 with and without IP
// options, IPv6; random labels, mixed case, non-letter bytes, near misses, the root, many
// query types) are run through each program by our interpreter and libpcap's bpf_filter,
// and a sample by the kernel (SO_ATTACH_FILTER on a loopback UDP socket); every verdict
// must be the matcher's.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <iostream>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "generators/generator.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/cbpf/interpreter.h"
#include "tests/common/kernel_socket.h"

namespace bpfgen {
namespace {

using Bytes = std::vector<uint8_t>;
using Label = std::string;  // a label's bytes
using Name = std::vector<Label>;

// --- the reference matcher ---------------------------------------------------------------

bool is_letter(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

unsigned char lower(unsigned char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<unsigned char>(c + 32) : c;
}

// One label of a pattern: a literal (with '?' for any byte) or a length range.
struct PatternLabel {
    bool any = false;
    unsigned min = 1, max = 63;
    std::string text;  // %XX decoded
};

struct ReferencePattern {
    bool root = false;
    std::vector<PatternLabel> labels;
    enum class Tail { None, Anything, OpenLastLabel } tail = Tail::None;
};

int hex_digit(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

ReferencePattern read_pattern(std::string pattern) {
    ReferencePattern result;
    if (pattern.find_first_not_of('.') == std::string::npos) {
        result.root = true;
        return result;
    }
    pattern.erase(0, pattern.find_first_not_of('.'));
    if (pattern.size() >= 2 && pattern.ends_with("**")) {
        pattern.resize(pattern.size() - 2);
        result.tail = pattern.ends_with('.') ? ReferencePattern::Tail::Anything
                                             : ReferencePattern::Tail::OpenLastLabel;
    }
    while (!pattern.empty() && pattern.back() == '.') pattern.pop_back();
    std::size_t start = 0;
    while (start <= pattern.size()) {
        std::size_t dot = pattern.find('.', start);
        if (dot == std::string::npos) dot = pattern.size();
        const std::string text = pattern.substr(start, dot - start);
        PatternLabel label;
        unsigned min = 0, max = 0;
        char close = 0;
        if (text == "*") {
            label.any = true;
        } else if (std::sscanf(text.c_str(), "*{%u-%u%c", &min, &max, &close) == 3 &&
                   close == '}') {
            label.any = true;
            label.min = min;
            label.max = std::min(max, 63U);
        } else {
            for (std::size_t i = 0; i < text.size(); ++i) {
                if (text[i] == '%') {
                    label.text +=
                        static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
                    i += 2;
                } else {
                    label.text += text[i];
                }
            }
        }
        result.labels.push_back(label);
        start = dot + 1;
    }
    return result;
}

bool bytes_match(const std::string& pattern, const Label& label, bool ignore_case) {
    if (label.size() < pattern.size()) return false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        const auto want = static_cast<unsigned char>(pattern[i]);
        const auto have = static_cast<unsigned char>(label[i]);
        if (want == '?') continue;
        if (ignore_case && is_letter(want) ? lower(want) != lower(have) : want != have) {
            return false;
        }
    }
    return true;
}

bool label_matches(const PatternLabel& pattern, const Label& label, bool ignore_case, bool open) {
    if (pattern.any) return label.size() >= pattern.min && label.size() <= pattern.max;
    if (!open && label.size() != pattern.text.size()) return false;
    return bytes_match(pattern.text, label, ignore_case);
}

bool reference_matches(const ReferencePattern& pattern, const Name& name, bool ignore_case) {
    if (pattern.root) return name.empty();
    const std::size_t count = pattern.labels.size();
    if (pattern.tail == ReferencePattern::Tail::None ? name.size() != count : name.size() < count) {
        return false;
    }
    for (std::size_t i = 0; i < count; ++i) {
        const bool open = pattern.tail == ReferencePattern::Tail::OpenLastLabel && i + 1 == count;
        if (!label_matches(pattern.labels[i], name[i], ignore_case, open)) return false;
    }
    return true;
}

// --- crafted queries ---------------------------------------------------------------------

class Crafter {
  public:
    explicit Crafter(uint32_t seed) : random_(seed) {}

    unsigned below(unsigned n) {
        return std::uniform_int_distribution<unsigned>(0, n - 1)(random_);
    }
    bool chance(unsigned percent) { return below(100) < percent; }

    unsigned char name_byte() {
        static const std::string kCommon =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
        if (chance(85)) return static_cast<unsigned char>(kCommon[below(kCommon.size())]);
        return static_cast<unsigned char>(below(256));  // any byte: controls, '@', '`', 0x7f...
    }

    Label label(unsigned length) {
        Label text;
        for (unsigned i = 0; i < length; ++i) text += static_cast<char>(name_byte());
        return text;
    }

    unsigned label_length() {
        const unsigned pick = below(10);
        if (pick < 6) return 1 + below(8);
        if (pick < 9) return 1 + below(63);
        return 63;
    }

    // At most 255 bytes on the wire, as a pattern naming it must be.
    Name name() {
        Name labels(below(7));
        std::size_t wire = 1;
        for (Label& text : labels) {
            text = label(label_length());
            wire += 1 + text.size();
        }
        while (wire > 255) {
            wire -= 1 + labels.back().size();
            labels.pop_back();
        }
        return labels;
    }

    // A name close to `name`: a byte changed, its case flipped, a label more or fewer,
    // another last label, a prefix collision, the root.
    Name near_miss(Name name) {
        switch (below(8)) {
            case 0:
                if (!name.empty()) {
                    Label& text = name[below(name.size())];
                    text[below(text.size())] = static_cast<char>(name_byte());
                }
                break;
            case 1:
                for (Label& text : name) {
                    for (char& c : text) {
                        if (is_letter(static_cast<unsigned char>(c)) && chance(50)) c ^= 0x20;
                    }
                }
                break;
            case 2:
                name.insert(name.begin(), label(label_length()));
                break;
            case 3:
                if (!name.empty()) name.erase(name.begin() + below(name.size()));
                break;
            case 4:
                name.push_back(label(1 + below(4)));
                break;
            case 5:
                if (!name.empty()) name.back() = label(name.back().size());
                break;
            case 6:
                if (!name.empty() && name[0].size() < 63) name[0].insert(0, 1, 'x');
                break;
            default:
                name.clear();
                break;
        }
        return name;
    }

    // A pattern naming `name`, with some labels widened to wildcards, some bytes to '?',
    // a tail of '.**' or '**', and every byte other than letters, digits and '_'
    // written as %XX.
    std::string pattern_for(const Name& name) {
        if (name.empty()) return ".";
        std::size_t count = name.size();
        int tail = below(6);  // 0: '.**', 1: '**', else none
        if (tail <= 1 && count > 1 && chance(50)) count -= 1;
        std::string pattern;
        for (std::size_t i = 0; i < count; ++i) {
            if (i > 0) pattern += '.';
            const Label& text = name[i];
            const bool open = tail == 1 && i + 1 == count;
            if (!open && chance(20)) {
                pattern += '*';
                continue;
            }
            if (!open && chance(10)) {
                const unsigned min = 1 + below(static_cast<unsigned>(text.size()));
                const unsigned max = chance(20) ? 255 : std::min(63U, min + below(10));
                pattern += "*{" + std::to_string(min) + "-" + std::to_string(max) + "}";
                continue;
            }
            std::size_t length = open ? below(static_cast<unsigned>(text.size()) + 1) : text.size();
            if (open && length == 0 && count == 1) length = 1;  // '**' alone is no name

            for (std::size_t j = 0; j < length; ++j) {
                const auto c = static_cast<unsigned char>(text[j]);
                if (chance(8)) {
                    pattern += '?';
                } else if (is_letter(c) || (c >= '0' && c <= '9') || c == '_') {
                    pattern += static_cast<char>(chance(10) && is_letter(c) ? c ^ 0x20 : c);
                } else {
                    static const char digits[] = "0123456789abcdef";
                    pattern += '%';
                    pattern += digits[c >> 4];
                    pattern += digits[c & 15];
                }
            }
        }
        if (tail == 0) pattern += ".**";
        if (tail == 1) pattern += "**";
        return pattern;
    }

    // Hosts under five domains of one to three labels, as a large site's list is: first
    // labels of 3 to 12 lowercase letters, each tenth name one label longer (its pattern
    // then `*.` and the name's last labels).
    std::vector<Name> hosts_under_few_domains(std::size_t count) {
        auto letters = [&](unsigned length) {
            Label text;
            for (unsigned i = 0; i < length; ++i) text += static_cast<char>('a' + below(26));
            return text;
        };
        std::vector<Name> domains(5);
        for (Name& domain : domains) {
            domain.resize(1 + below(3));
            for (Label& text : domain) text = letters(2 + below(6));
        }
        std::vector<Name> names;
        for (std::size_t i = 0; i < count; ++i) {
            Name name = domains[i % domains.size()];
            if (i % 10 == 9) name.insert(name.begin(), letters(3 + below(6)));
            name.insert(name.begin(), letters(3 + below(10)));
            names.push_back(std::move(name));
        }
        return names;
    }

    // `count` names of one to three short labels that share little but their last labels:
    // letters of either case, digits and '-'.
    std::vector<Name> unrelated_names(std::size_t count) {
        static const std::string kBytes =
            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-";
        static const std::vector<Label> kLast = {"com", "net", "org", "de", "io", "a"};
        std::vector<Name> names;
        for (std::size_t i = 0; i < count; ++i) {
            Name name(below(3));
            for (Label& text : name) {
                text.resize(1 + below(12));
                for (char& c : text) c = kBytes[below(static_cast<unsigned>(kBytes.size()))];
            }
            name.push_back(kLast[below(static_cast<unsigned>(kLast.size()))]);
            names.push_back(std::move(name));
        }
        return names;
    }

    // Names for one program whose patterns share labels: a few domains, each the tail of
    // many names (first labels of the same and of different lengths, some differing in
    // one byte, some sharing a start), names one label longer or shorter than others, and
    // the domains themselves (one pattern a suffix of another).
    std::vector<Name> related_names(std::size_t count) {
        std::vector<Name> domains(1 + below(3));
        for (Name& domain : domains) {
            domain.resize(1 + below(2));
            for (Label& text : domain) text = label(1 + below(chance(70) ? 8 : 20));
        }
        std::vector<Label> firsts(1 + below(6));
        for (Label& text : firsts) text = label(1 + below(chance(80) ? 6 : 30));
        std::vector<Name> names;
        while (names.size() < count) {
            Name name = domains[below(static_cast<unsigned>(domains.size()))];
            switch (below(6)) {
                case 0:
                    break;  // the domain itself
                case 1: {   // a known first label, one byte changed
                    Label first = firsts[below(static_cast<unsigned>(firsts.size()))];
                    first[below(static_cast<unsigned>(first.size()))] =
                        static_cast<char>(name_byte());
                    name.insert(name.begin(), first);
                    break;
                }
                case 2:  // two labels before the domain
                    name.insert(name.begin(), firsts[below(static_cast<unsigned>(firsts.size()))]);
                    name.insert(name.begin(), label(1 + below(6)));
                    break;
                case 3:  // another name's labels with a different domain or one more label
                    if (!names.empty()) {
                        name = names[below(static_cast<unsigned>(names.size()))];
                        std::size_t wire = 1;
                        for (const Label& text : name) wire += 1 + text.size();
                        if (wire < 240 && chance(50)) {
                            name.push_back(label(1 + below(4)));
                        } else {
                            name.back() = label(1 + below(4));
                        }
                    }
                    break;
                default:
                    name.insert(name.begin(), firsts[below(static_cast<unsigned>(firsts.size()))]);
                    break;
            }
            names.push_back(name);
        }
        return names;
    }

    // `name` with its first labels taken from `other` (the same tail after another start).
    Name crossed(const Name& name, const Name& other) {
        if (name.empty() || other.empty()) return other;
        Name result(other.begin(), other.begin() + 1 + below(static_cast<unsigned>(other.size())));
        result.insert(result.end(), name.begin() + below(static_cast<unsigned>(name.size())),
                      name.end());
        return result;
    }

    uint16_t query_type() {
        static const uint16_t kTypes[] = {1,   2,   5,   6,      12,     15,    16, 28,
                                          33,  43,  46,  48,     64,     65,    99, 252,
                                          255, 256, 257, 0x0700, 0x0765, 0xffff};
        return kTypes[below(std::size(kTypes))];
    }

  private:
    std::mt19937 random_;
};

Bytes dns_query(const Name& name, uint16_t type) {
    Bytes message = {0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0};
    for (const Label& text : name) {
        message.push_back(static_cast<uint8_t>(text.size()));
        message.insert(message.end(), text.begin(), text.end());
    }
    message.insert(message.end(),
                   {0, static_cast<uint8_t>(type >> 8), static_cast<uint8_t>(type), 0, 1});
    return message;
}

enum class Encapsulation { Ipv4, Ipv4WithOptions, Ipv6 };

// An IP packet carrying `dns` in UDP to port 53 (addresses and checksums are not read).
Bytes ip_packet(Encapsulation encapsulation, const Bytes& dns, unsigned option_words) {
    Bytes packet;
    const auto udp_length = static_cast<uint16_t>(8 + dns.size());
    if (encapsulation == Encapsulation::Ipv6) {
        packet = {
            0x60, 0, 0, 0, static_cast<uint8_t>(udp_length >> 8), static_cast<uint8_t>(udp_length),
            17,   64};
        packet.resize(40, 0x20);
    } else {
        const unsigned words = encapsulation == Encapsulation::Ipv4 ? 5 : 5 + option_words;
        const auto total = static_cast<uint16_t>(words * 4 + udp_length);
        packet = {static_cast<uint8_t>(0x40 | words),
                  0,
                  static_cast<uint8_t>(total >> 8),
                  static_cast<uint8_t>(total),
                  0,
                  0,
                  0x40,
                  0,
                  64,
                  17,
                  0,
                  0,
                  192,
                  0,
                  2,
                  1,
                  198,
                  51,
                  100,
                  53};
        packet.resize(words * 4, 1);  // NOP options
    }
    packet.insert(packet.end(), {0x4e, 0x20, 0, 53, static_cast<uint8_t>(udp_length >> 8),
                                 static_cast<uint8_t>(udp_length), 0, 0});
    packet.insert(packet.end(), dns.begin(), dns.end());
    return packet;
}

uint32_t libpcap_verdict(const Program& program, const Bytes& packet) {
    std::vector<bpf_insn> instructions;
    for (const Instruction& instruction : program) {
        instructions.push_back(
            bpf_insn{instruction.code, instruction.jt, instruction.jf, instruction.k});
    }
    return bpf_filter(instructions.data(), packet.data(), static_cast<u_int>(packet.size()),
                      static_cast<u_int>(packet.size()));
}

// Datagrams through a loopback UDP socket whose filter is the program: a socket filter sees
// the UDP header first, so programs written for offset 8 read the crafted IP packet sent as
// the payload. A marker datagram, which a prefix of the filter always accepts, follows each
// one: when it arrives first, the crafted one was dropped.
class KernelLoopback {
  public:
    static std::optional<KernelLoopback> open(std::string& why) {
        KernelLoopback loopback;
        for (const bpftools::test::Socket* socket :
             {&loopback.receiver_, &loopback.sender_, &loopback.marker_}) {
            sockaddr_in address{};
            address.sin_family = AF_INET;
            address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            if (!socket->valid() ||
                bind(socket->fd(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
                why = std::string("UDP socket on 127.0.0.1: ") + std::strerror(errno);
                return std::nullopt;
            }
        }
        loopback.receiver_port_ = port_of(loopback.receiver_);
        loopback.marker_port_ = port_of(loopback.marker_);
        const timeval timeout{2, 0};
        setsockopt(loopback.receiver_.fd(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        return loopback;
    }

    // Whether the kernel delivered `payload` through `program`; nullopt on a failure of the
    // machinery (reported as a test failure).
    std::optional<bool> delivers(const Program& program, const Bytes& payload) {
        std::vector<Instruction> wrapped = {
            Instruction{0x28, 0, 0, 0},                     // ldh [0]: the source port
            Instruction{0x15, 0, 1, marker_source_port()},  // jeq #marker, keep, program
            Instruction{0x06, 0, 0, 0xffffffff},            // ret #-1
        };
        wrapped.insert(wrapped.end(), program.begin(), program.end());
        if (const int error = bpftools::test::attach(receiver_, Program(std::move(wrapped)));
            error != 0) {
            ADD_FAILURE() << "SO_ATTACH_FILTER: " << std::strerror(error);
            return std::nullopt;
        }
        send_from(sender_, payload);
        const uint8_t marker = 0;
        send_from(marker_, Bytes{marker});
        bool delivered = false;
        for (;;) {
            uint8_t buffer[2048];
            sockaddr_in from{};
            socklen_t from_length = sizeof from;
            if (recvfrom(receiver_.fd(), buffer, sizeof buffer, 0,
                         reinterpret_cast<sockaddr*>(&from), &from_length) < 0) {
                ADD_FAILURE() << "recvfrom: " << std::strerror(errno);
                return std::nullopt;
            }
            if (ntohs(from.sin_port) == marker_port_) return delivered;
            delivered = true;
        }
    }

  private:
    KernelLoopback()
        : receiver_(::socket(AF_INET, SOCK_DGRAM, 0)),
          sender_(::socket(AF_INET, SOCK_DGRAM, 0)),
          marker_(::socket(AF_INET, SOCK_DGRAM, 0)) {}

    uint32_t marker_source_port() const { return marker_port_; }

    static uint16_t port_of(const bpftools::test::Socket& socket) {
        sockaddr_in address{};
        socklen_t length = sizeof address;
        getsockname(socket.fd(), reinterpret_cast<sockaddr*>(&address), &length);
        return ntohs(address.sin_port);
    }

    void send_from(const bpftools::test::Socket& from, const Bytes& payload) const {
        sockaddr_in to{};
        to.sin_family = AF_INET;
        to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        to.sin_port = htons(receiver_port_);
        if (sendto(from.fd(), payload.data(), payload.size(), 0,
                   reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0) {
            ADD_FAILURE() << "sendto: " << std::strerror(errno);
        }
    }

    bpftools::test::Socket receiver_;
    bpftools::test::Socket sender_;
    bpftools::test::Socket marker_;
    uint16_t receiver_port_ = 0;
    uint16_t marker_port_ = 0;
};

std::string printable(const Name& name) {
    if (name.empty()) return "(root)";
    std::string text;
    for (const Label& label : name) {
        if (!text.empty()) text += '.';
        for (const char c : label) {
            const auto byte = static_cast<unsigned char>(c);
            if (byte > 0x20 && byte < 0x7f && byte != '.') {
                text += c;
            } else {
                static const char digits[] = "0123456789abcdef";
                text += "\\x";
                text += digits[byte >> 4];
                text += digits[byte & 15];
            }
        }
    }
    return text;
}

struct Differential {
    uint32_t seed = 1;
    int rounds = 100;
    std::size_t max_patterns = 1;
    std::vector<std::string> extra_args = {};
    bool expect_agreement = true;
    bool optimize = false;     // -O
    bool related = false;      // patterns sharing domains, first labels and starts
    bool negate = false;       // -n: every verdict the other way
    bool few_domains = false;  // max_patterns hosts under five domains (see the crafter)
    bool unrelated = false;    // max_patterns short names sharing little (see the crafter)
};

// Runs `rounds` programs (each of 1..max_patterns patterns) and returns how many verdicts
// disagree with the matcher; with `expect_agreement` each one (up to 20) is a failure.
std::size_t run_differential(const Differential& run) {
    const auto& [seed, rounds, max_patterns, extra_args, expect_agreement, optimize, related,
                 negate, few_domains, unrelated] = run;
    Crafter crafter(seed);
    std::string why;
    std::optional<KernelLoopback> kernel = KernelLoopback::open(why);
    if (!kernel) std::cout << "kernel verdicts skipped: " << why << "\n";
    std::size_t verdicts = 0, kernel_verdicts = 0, matches = 0, disagreements = 0;
    for (int round = 0; round < rounds; ++round) {
        const bool ignore_case = crafter.chance(30);
        std::vector<Name> sources;
        std::vector<std::string> patterns;
        const std::size_t count = 1 + crafter.below(static_cast<unsigned>(max_patterns));
        if (unrelated) {
            sources = crafter.unrelated_names(max_patterns);
            for (const Name& source : sources) {
                std::string pattern;
                for (std::size_t i = 0; i < source.size(); ++i) {
                    pattern += (i > 0 ? "." : "") + source[i];
                }
                patterns.push_back(pattern);
            }
        } else if (few_domains) {
            sources = crafter.hosts_under_few_domains(max_patterns);
            for (const Name& source : sources) {
                std::string pattern;
                for (std::size_t i = 0; i < source.size(); ++i) {
                    pattern += (i > 0 ? "." : "") + source[i];
                }
                patterns.push_back(pattern);
            }
            for (std::size_t i = 9; i < sources.size(); i += 10) {
                patterns[i] = "*" + patterns[i].substr(patterns[i].find('.'));
            }
        } else if (related) {
            sources = crafter.related_names(count);
        } else {
            for (std::size_t i = 0; i < count; ++i) sources.push_back(crafter.name());
        }
        if (!few_domains && !unrelated) {
            for (const Name& source : sources) patterns.push_back(crafter.pattern_for(source));
        }
        std::vector<ReferencePattern> references;
        for (const std::string& pattern : patterns) references.push_back(read_pattern(pattern));

        std::vector<Name> names;
        for (const Name& source : sources) {
            names.push_back(source);
            for (int i = 0; i < 6; ++i) names.push_back(crafter.near_miss(source));
            if (related) {
                const Name& other = sources[crafter.below(static_cast<unsigned>(sources.size()))];
                names.push_back(crafter.crossed(source, other));
                names.push_back(crafter.crossed(other, source));
            }
        }
        names.push_back({});
        names.push_back(crafter.name());

        std::vector<std::string> args = extra_args;
        if (ignore_case) args.push_back("-i");
        args.push_back("--");
        args.insert(args.end(), patterns.begin(), patterns.end());
        for (const Encapsulation encapsulation :
             {Encapsulation::Ipv4, Encapsulation::Ipv4WithOptions, Encapsulation::Ipv6}) {
            GeneratorOptions options;
            options.ip_version = encapsulation == Encapsulation::Ipv6 ? 6 : 4;
            options.optimize = optimize;
            options.negate = negate;
            const Program program = generate("dns", args, options).program;
            const CheckedProgram checked(program);
            const bool kernel_round = kernel && round % 10 == 0;
            GeneratorOptions at_udp_payload = options;
            at_udp_payload.l3_offset = 8;
            const Program kernel_program =
                kernel_round ? generate("dns", args, at_udp_payload).program : Program{};
            for (const Name& name : names) {
                bool expected = false;
                for (const ReferencePattern& reference : references) {
                    expected = expected || reference_matches(reference, name, ignore_case);
                }
                matches += expected;
                expected = expected != negate;
                const Bytes packet = ip_packet(encapsulation, dns_query(name, crafter.query_type()),
                                               1 + crafter.below(10));
                const bool ours = verdict(checked, packet) != 0;
                const bool libpcap = libpcap_verdict(program, packet) != 0;
                std::optional<bool> kernels;
                if (kernel_round) {
                    kernels = kernel->delivers(kernel_program, packet);
                    ++kernel_verdicts;
                }
                verdicts += 2;
                if (ours != expected || libpcap != expected || (kernels && *kernels != expected)) {
                    ++disagreements;
                    if (!expect_agreement) continue;
                    std::string command;
                    for (const std::string& arg : args) command += " '" + arg + "'";
                    ADD_FAILURE() << "bpfgen" << (options.ip_version == 6 ? " -6" : "")
                                  << (optimize ? " -O" : "") << (negate ? " -n" : "") << " dns"
                                  << command << " on " << printable(name) << ": matcher "
                                  << expected << ", interpreter " << ours << ", libpcap " << libpcap
                                  << ", kernel " << (kernels ? std::to_string(*kernels) : "-");
                    if (disagreements > 20) return disagreements;
                }
            }
        }
    }
    std::cout << disagreements << " disagreements out of " << verdicts + kernel_verdicts
              << " verdicts (" << verdicts << " of the interpreter and libpcap, " << kernel_verdicts
              << " of the kernel; " << matches << " queries match)\n";
    EXPECT_GT(matches, static_cast<std::size_t>(rounds));
    return disagreements;
}

TEST(DnsDifferential, OnePatternProgramsAgreeWithTheReferenceMatcher) {
    run_differential({.seed = 1, .rounds = 2000});
}

TEST(DnsDifferential, SeveralPatternProgramsAgreeWithTheReferenceMatcher) {
    run_differential({.seed = 2, .rounds = 600, .max_patterns = 10});
}

TEST(DnsDifferential, OptimizedOnePatternProgramsAgreeWithTheReferenceMatcher) {
    run_differential({.seed = 3, .rounds = 2000, .optimize = true});
}

TEST(DnsDifferential, OptimizedSeveralPatternProgramsAgreeWithTheReferenceMatcher) {
    run_differential({.seed = 4, .rounds = 600, .max_patterns = 10, .optimize = true});
}

// Patterns under the same domains, differing in one label, one the suffix of another,
// wildcards, '?', tails and -i among literals sharing their ends: what -O shares.
TEST(DnsDifferential, RelatedPatternProgramsAgreeWithTheReferenceMatcher) {
    run_differential({.seed = 5, .rounds = 300, .max_patterns = 12, .related = true});
}

TEST(DnsDifferential, OptimizedRelatedPatternProgramsAgreeWithTheReferenceMatcher) {
    run_differential(
        {.seed = 6, .rounds = 1500, .max_patterns = 12, .optimize = true, .related = true});
}

// Sets large enough for decision trees over many first labels and far jumps.
TEST(DnsDifferential, OptimizedLargeRelatedPatternProgramsAgreeWithTheReferenceMatcher) {
    run_differential(
        {.seed = 7, .rounds = 40, .max_patterns = 200, .optimize = true, .related = true});
}

// Many names that share little: one long decision tree over the first words, each name's
// rest compared in place, the shared `ret`s reached through copies put in its gaps.
TEST(DnsDifferential, OptimizedManyUnrelatedPatternProgramsAgreeWithTheReferenceMatcher) {
    run_differential({.seed = 11, .rounds = 30, .max_patterns = 40, .optimize = true});
    run_differential(
        {.seed = 12, .rounds = 10, .max_patterns = 150, .optimize = true, .unrelated = true});
}

// Many hosts under a few domains: long programs whose jumps to the shared tails and to
// `ret` need stepping stones (100 such names once made -O refuse the set).
TEST(DnsDifferential, OptimizedHostsUnderFewDomainsAgreeWithTheReferenceMatcher) {
    run_differential(
        {.seed = 9, .rounds = 12, .max_patterns = 100, .optimize = true, .few_domains = true});
    run_differential(
        {.seed = 10, .rounds = 3, .max_patterns = 200, .optimize = true, .few_domains = true});
}

TEST(DnsDifferential, OptimizedNegatedProgramsAgreeWithTheReferenceMatcher) {
    run_differential({.seed = 8,
                      .rounds = 500,
                      .max_patterns = 12,
                      .optimize = true,
                      .related = true,
                      .negate = true});
}

// The same queries tell the original's programs (--compat) from exact ones: the matcher
// sees their false matches.
TEST(DnsDifferential, CompatProgramsDisagreeWhereTheOriginalMatchedTooWidely) {
    EXPECT_GT(
        run_differential(
            {.seed = 1, .rounds = 400, .extra_args = {"--compat"}, .expect_agreement = false}),
        0U);
}

}  // namespace
}  // namespace bpfgen
