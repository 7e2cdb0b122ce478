// xdp_bpf.cpp: the xdp_bpf command: bpfgen rules (or given xt_bpf bytecode) compiled into one
// XDP program (a chain of them past the verifier's budget), printed, or attached to an
// interface through a BPF link pinned in bpffs, with per-rule counters, atomic replacement
// and a detach that leaves nothing behind.
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "command_line/tool_main.h"
#include "command_line/tool_options.h"
#include "generators/generator.h"
#include "libbpfgen/base/error.h"
#include "libbpfgen/cbpf/format.h"
#include "libbpfgen/ebpf/disassembler.h"
#include "libbpfgen/ebpf/loader.h"
#include "libbpfgen/ebpf/xdp_compiler.h"

namespace {

using bpfgen::Error;
using bpfgen::UsageError;
namespace ebpf = bpfgen::ebpf;

const char* const kHelp =
    R"(usage: xdp_bpf compile [--format asm|c] [-f FILE] RULE...
       xdp_bpf attach IFACE [--mode auto|native|generic] [--count-only] [--pin-dir DIR]
                      [-f FILE] RULE...
       xdp_bpf stats IFACE [--json] [--pin-dir DIR]
       xdp_bpf detach IFACE [--pin-dir DIR]

Compiles rules into an XDP program (eBPF) and attaches it to an interface: rules
run in order, the first that matches drops the packet, and every rule counts the
packets and bytes it matched. `attach` again replaces the rules at once (the link's
program is swapped: no packet goes unfiltered); `detach` removes the program, its
link, its maps and its pins.

A RULE is one argument holding a bpfgen command line, offset 0 implied: the rule
sees the IP packet behind Ethernet and up to two VLAN tags, as iptables' xt_bpf
does. `-o 14` in a rule makes it see the Ethernet frame instead. `--count-only` in
a rule (or for all, before IFACE's rules) only counts its matches. `--dst PREFIX`
(repeatable) and `--dport N` in a rule restrict it to those destinations and to
UDP or TCP to that port, as the iptables scripts' ipset and --dport do. A RULE may
also be `bytecode:N,code jt jf k,...`, an xt_bpf program as bpfgen prints it.
  -f FILE            one rule a line ('#' starts a comment)
  --mode MODE        auto (the driver's hook when it has one), native or generic
  --pin-dir DIR      the bpffs folder of the pins (default /sys/fs/bpf/bpftools_xdp);
                     `ip netns exec` mounts its own /sys: give a path both see
  --format asm|c     compile prints readable eBPF (asm) or struct bpf_insn lines (c)
  --json             stats as {"interface", "rules": [{"rule", "packets", "bytes"}], "passed"}

examples:
  xdp_bpf attach eth0 'dns -- *.example.com' '-6 dns -- -i *.example.com'
  xdp_bpf attach eth0 --count-only 'tcpdump -- udp dst port 53'
  xdp_bpf attach eth0 'dns --dst 192.0.2.0/24 --dport 53 -- *.example.com'
  xdp_bpf stats eth0 --json
  xdp_bpf detach eth0
)";

constexpr const char* kDefaultPinDir = "/sys/fs/bpf/bpftools_xdp";

struct CommandLine {
    std::string command;
    std::string interface;
    std::vector<std::string> rules;
    std::string format = "asm";
    std::string mode = "auto";
    std::string pin_dir = kDefaultPinDir;
    bool count_only = false;
    bool json = false;
    bool help = false;
};

// Splits a rule into words as a POSIX shell would: blanks separate, '...' keeps everything,
// "..." keeps all but \" and \\, a backslash outside quotes keeps the next character.
std::vector<std::string> split_words(const std::string& text) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word) words.push_back(std::exchange(word, {}));
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\'') {
            const std::size_t end = text.find('\'', i + 1);
            if (end == std::string::npos) {
                throw UsageError(
                    fmt::format("unterminated ' in rule {}", bpfgen::quote_for_message(text)));
            }
            word += text.substr(i + 1, end - i - 1);
            i = end;
        } else if (c == '"') {
            std::size_t j = i + 1;
            for (; j < text.size() && text[j] != '"'; ++j) {
                if (text[j] == '\\' && j + 1 < text.size() &&
                    (text[j + 1] == '"' || text[j + 1] == '\\')) {
                    ++j;
                }
                word += text[j];
            }
            if (j >= text.size()) {
                throw UsageError(
                    fmt::format("unterminated \" in rule {}", bpfgen::quote_for_message(text)));
            }
            i = j;
        } else if (c == '\\' && i + 1 < text.size()) {
            word += text[++i];
        } else {
            word += c;
        }
    }
    if (in_word) words.push_back(word);
    return words;
}

// "192.0.2.0/24", "2001:db8::/32", or an address alone (the whole address).
ebpf::DestinationPrefix parse_prefix(const std::string& rule, const std::string& text) {
    const std::size_t slash = text.find('/');
    const std::string address = text.substr(0, slash);
    ebpf::DestinationPrefix prefix;
    uint8_t bytes[16];
    if (::inet_pton(AF_INET, address.c_str(), bytes) == 1) {
        prefix.address.assign(bytes, bytes + 4);
    } else if (::inet_pton(AF_INET6, address.c_str(), bytes) == 1) {
        prefix.address.assign(bytes, bytes + 16);
    } else {
        throw UsageError(fmt::format("rule {}: --dst {} is no IPv4 or IPv6 address or prefix",
                                     bpfgen::quote_for_message(rule),
                                     bpfgen::quote_for_message(text)));
    }
    prefix.length = static_cast<unsigned>(prefix.address.size() * 8);
    if (slash != std::string::npos) {
        const std::string length = text.substr(slash + 1);
        if (length.empty() || length.size() > 3 ||
            length.find_first_not_of("0123456789") != std::string::npos ||
            std::stoul(length) > prefix.address.size() * 8) {
            throw UsageError(fmt::format("rule {}: --dst {} has a bad prefix length",
                                         bpfgen::quote_for_message(rule),
                                         bpfgen::quote_for_message(text)));
        }
        prefix.length = static_cast<unsigned>(std::stoul(length));
    }
    return prefix;
}

uint16_t parse_port(const std::string& rule, const std::string& text) {
    if (text.empty() || text.size() > 5 ||
        text.find_first_not_of("0123456789") != std::string::npos || std::stoul(text) > 65535) {
        throw UsageError(fmt::format("rule {}: --dport {} is no port number (0-65535)",
                                     bpfgen::quote_for_message(rule),
                                     bpfgen::quote_for_message(text)));
    }
    return static_cast<uint16_t>(std::stoul(text));
}

ebpf::XdpRule make_rule(const std::string& text, bool count_only) {
    const auto action = [](bool count) {
        return count ? ebpf::RuleAction::Count : ebpf::RuleAction::Drop;
    };
    if (text.starts_with("bytecode:")) {
        bpfgen::Program program = bpfgen::parse_xt_bpf(text.substr(9));
        return ebpf::XdpRule{
            text, bpfgen::CheckedProgram(std::move(program), bpfgen::Engine::Interpreter),
            ebpf::RuleLayer::Network, action(count_only)};
    }
    std::vector<std::string> words = split_words(text);
    words.insert(words.begin(), "xdp_bpf rule");
    std::vector<const char*> argv;
    for (const std::string& word : words) argv.push_back(word.c_str());
    bool rule_count_only = false;
    std::vector<std::string> offsets, destinations, ports;
    bpfgen::ToolOptions options("xdp_bpf rule");
    options.add_switch("count-only", &rule_count_only)
        .add_values("offset,o", &offsets)
        .add_values("dst", &destinations)
        .add_values("dport", &ports);
    const bpfgen::GeneratorCommandLine line =
        bpfgen::parse_generator_command_line(options, static_cast<int>(argv.size()), argv.data());
    if (line.generator.empty()) {
        throw UsageError(
            fmt::format("rule {} names no generator", bpfgen::quote_for_message(text)));
    }
    bpfgen::GeneratorOptions generator_options = line.options;
    const std::string offset = offsets.empty() ? "0" : offsets.back();
    if (offset != "0" && offset != "14") {
        throw UsageError(
            fmt::format("rule {}: offset {} (an XDP rule sees the IP packet, 0, or the "
                        "Ethernet frame, 14)",
                        bpfgen::quote_for_message(text), bpfgen::quote_for_message(offset)));
    }
    generator_options.l3_offset = offset == "14" ? 14 : 0;
    bpfgen::GeneratedProgram generated =
        bpfgen::generate(line.generator, line.generator_args, generator_options);
    ebpf::XdpRule rule{
        text, bpfgen::CheckedProgram(std::move(generated.program), bpfgen::Engine::Interpreter),
        offset == "14" ? ebpf::RuleLayer::LinkLayer : ebpf::RuleLayer::Network,
        action(count_only || rule_count_only)};
    for (const std::string& destination : destinations) {
        rule.destinations.push_back(parse_prefix(text, destination));
    }
    if (!ports.empty()) rule.destination_port = parse_port(text, ports.back());
    if (rule.layer == ebpf::RuleLayer::LinkLayer && (!destinations.empty() || !ports.empty())) {
        throw UsageError(fmt::format("rule {}: --dst and --dport need offset 0",
                                     bpfgen::quote_for_message(text)));
    }
    return rule;
}

std::vector<std::string> read_rule_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) {
        throw Error(fmt::format("cannot open {}: {}", bpfgen::quote_for_message(path),
                                std::strerror(errno)));
    }
    std::vector<std::string> rules;
    std::string line;
    while (std::getline(in, line)) {
        const std::size_t start = line.find_first_not_of(" \t\r");
        if (start == std::string::npos || line[start] == '#') continue;
        const std::size_t end = line.find_last_not_of(" \t\r");
        rules.push_back(line.substr(start, end - start + 1));
    }
    return rules;
}

CommandLine parse_command_line(int argc, char** argv) {
    CommandLine line;
    std::vector<std::string> positional;
    for (int i = 1; i < argc; ++i) {
        const std::string argument = argv[i];
        const auto value = [&]() -> std::string {
            if (i + 1 >= argc) throw UsageError(fmt::format("{} needs a value", argument));
            return argv[++i];
        };
        if (argument == "-h" || argument == "--help") {
            line.help = true;
        } else if (argument == "--format") {
            line.format = value();
        } else if (argument == "--mode") {
            line.mode = value();
        } else if (argument == "--pin-dir") {
            line.pin_dir = value();
        } else if (argument == "-f") {
            for (std::string& rule : read_rule_file(value())) line.rules.push_back(std::move(rule));
        } else if (argument == "--count-only") {
            line.count_only = true;
        } else if (argument == "--json") {
            line.json = true;
        } else {
            positional.push_back(argument);
        }
    }
    if (line.help) return line;
    if (positional.empty()) throw UsageError("no command (compile, attach, stats or detach)");
    line.command = positional[0];
    std::size_t next = 1;
    if (line.command != "compile") {
        if (line.command != "attach" && line.command != "stats" && line.command != "detach") {
            throw UsageError(
                fmt::format("unknown command {}", bpfgen::quote_for_message(line.command)));
        }
        if (positional.size() < 2) throw UsageError(line.command + " needs an interface");
        line.interface = positional[1];
        next = 2;
    }
    line.rules.insert(line.rules.end(), positional.begin() + static_cast<std::ptrdiff_t>(next),
                      positional.end());
    const bool takes_rules = line.command == "compile" || line.command == "attach";
    if (takes_rules && line.rules.empty())
        throw UsageError(line.command + " needs at least one RULE");
    if (!takes_rules && !line.rules.empty()) {
        throw UsageError(
            fmt::format("unexpected argument {}", bpfgen::quote_for_message(line.rules[0])));
    }
    if (line.format != "asm" && line.format != "c") {
        throw UsageError(
            fmt::format("unknown format {} (asm or c)", bpfgen::quote_for_message(line.format)));
    }
    if (line.mode != "auto" && line.mode != "native" && line.mode != "generic") {
        throw UsageError(fmt::format("unknown mode {} (auto, native or generic)",
                                     bpfgen::quote_for_message(line.mode)));
    }
    return line;
}

struct CompiledRules {
    std::vector<std::string> names;
    ebpf::CompiledXdp compiled;
};

CompiledRules compile_rules(const CommandLine& line) {
    std::vector<ebpf::XdpRule> rules;
    CompiledRules out;
    for (const std::string& text : line.rules) {
        rules.push_back(make_rule(text, line.count_only));
        out.names.push_back(text);
    }
    out.compiled = ebpf::compile_xdp(rules);
    return out;
}

int compile_command(const CommandLine& line) {
    const CompiledRules rules = compile_rules(line);
    const auto& programs = rules.compiled.programs;
    for (std::size_t i = 0; i < programs.size(); ++i) {
        if (programs.size() > 1) std::printf("; program %zu of %zu\n", i + 1, programs.size());
        if (line.format == "asm") {
            std::fputs(ebpf::disassemble(programs[i]).c_str(), stdout);
            continue;
        }
        // Map loads carry the map's fd, which the loader gives: 0 here.
        for (const ebpf::RawInstruction& raw :
             programs[i].encode({{ebpf::kCountersMap, 0}, {ebpf::kChainMap, 0}})) {
            std::printf("{ 0x%02x, %d, %d, %d, %d },\n", raw.opcode, raw.registers & 0xf,
                        raw.registers >> 4, raw.offset, raw.imm);
        }
    }
    return 0;
}

struct Pins {
    std::string folder, link, counters, chain, rules;
    Pins(const std::string& pin_dir, const std::string& interface)
        : folder(pin_dir + "/" + interface),
          link(folder + "/link"),
          counters(folder + "/counters"),
          chain(folder + "/chain"),
          rules(folder + "/rules") {}
};

bool exists(const std::string& path) {
    struct stat status {};
    return ::stat(path.c_str(), &status) == 0;
}

void make_folder(const std::string& path) {
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
        throw Error(fmt::format("cannot create {}: {} (is bpffs mounted there?)",
                                bpfgen::quote_for_message(path), std::strerror(errno)));
    }
}

// Pins `object` at `path`, over what was pinned there (a pin beside it renamed over it).
void pin_replacing(const bpfgen::FileDescriptor& object, const std::string& path) {
    // bpffs refuses names with a dot.
    const std::size_t slash = path.rfind('/') + 1;
    const std::string fresh = path.substr(0, slash) + "new_" + path.substr(slash);
    ::unlink(fresh.c_str());
    ebpf::pin(object, fresh);
    if (::rename(fresh.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(fresh.c_str());
        throw Error(fmt::format("cannot rename {} over {}: {}", bpfgen::quote_for_message(fresh),
                                bpfgen::quote_for_message(path), std::strerror(error)));
    }
}

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names) text += name + "\n";
    return text;
}

int attach_command(const CommandLine& line) {
    const unsigned index = ::if_nametoindex(line.interface.c_str());
    if (index == 0) {
        throw Error(fmt::format("no interface {}: {}", bpfgen::quote_for_message(line.interface),
                                std::strerror(errno)));
    }
    const CompiledRules rules = compile_rules(line);
    const ebpf::LoadedXdp loaded = ebpf::load_xdp(rules.compiled, rules.names);
    const bpfgen::FileDescriptor text = ebpf::create_text_map(joined(rules.names));
    const Pins pins(line.pin_dir, line.interface);
    if (exists(pins.link)) {
        // Replace: the new maps first, so that stats never read the old rules' names with
        // the new counters for long, then the program, at once.
        const bpfgen::FileDescriptor link = ebpf::open_pinned(pins.link);
        ebpf::update_link(link, loaded.program);
        pin_replacing(loaded.chain, pins.chain);
        pin_replacing(loaded.counters, pins.counters);
        pin_replacing(text, pins.rules);
        return 0;
    }
    make_folder(line.pin_dir);
    make_folder(pins.folder);
    const ebpf::XdpMode mode = line.mode == "native"    ? ebpf::XdpMode::Native
                               : line.mode == "generic" ? ebpf::XdpMode::Generic
                                                        : ebpf::XdpMode::Auto;
    const bpfgen::FileDescriptor link =
        ebpf::attach_xdp_link(loaded.program, static_cast<int>(index), mode, line.interface);
    // The chain must stay pinned: a program array no one holds is emptied by the kernel.
    pin_replacing(loaded.chain, pins.chain);
    pin_replacing(loaded.counters, pins.counters);
    pin_replacing(text, pins.rules);
    pin_replacing(link, pins.link);
    return 0;
}

std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
            out += c;
        }
    }
    return out + "\"";
}

int stats_command(const CommandLine& line) {
    const Pins pins(line.pin_dir, line.interface);
    if (!exists(pins.link)) {
        throw Error(fmt::format("no XDP rules attached to {} (no pin at {})",
                                bpfgen::quote_for_message(line.interface),
                                bpfgen::quote_for_message(pins.link)));
    }
    std::vector<std::string> names;
    {
        const std::string text = ebpf::read_text_map(ebpf::open_pinned(pins.rules));
        std::size_t start = 0;
        while (start < text.size()) {
            const std::size_t end = text.find('\n', start);
            names.push_back(text.substr(start, end - start));
            start = end + 1;
        }
    }
    const std::vector<ebpf::CounterSlot> counters =
        ebpf::read_counters(ebpf::open_pinned(pins.counters), names.size() + 1);
    if (line.json) {
        std::string out = "{\"interface\": " + json_string(line.interface) + ", \"rules\": [";
        for (std::size_t i = 0; i < names.size(); ++i) {
            out += fmt::format("{}{{\"rule\": {}, \"packets\": {}, \"bytes\": {}}}", i ? ", " : "",
                               json_string(names[i]), counters[i].packets, counters[i].bytes);
        }
        out += fmt::format("], \"passed\": {}}}\n", counters[names.size()].packets);
        std::fputs(out.c_str(), stdout);
        return 0;
    }
    std::printf("%12s %14s  %s\n", "packets", "bytes", "rule");
    for (std::size_t i = 0; i < names.size(); ++i) {
        std::printf("%12llu %14llu  %s\n", static_cast<unsigned long long>(counters[i].packets),
                    static_cast<unsigned long long>(counters[i].bytes), names[i].c_str());
    }
    std::printf("%12llu %14llu  (passed)\n",
                static_cast<unsigned long long>(counters[names.size()].packets),
                static_cast<unsigned long long>(counters[names.size()].bytes));
    return 0;
}

int detach_command(const CommandLine& line) {
    const Pins pins(line.pin_dir, line.interface);
    if (!exists(pins.folder)) {
        throw Error(fmt::format("no XDP rules attached to {} (no folder {})",
                                bpfgen::quote_for_message(line.interface),
                                bpfgen::quote_for_message(pins.folder)));
    }
    // The link first: its program leaves the interface as its last holder goes.
    for (const std::string& path : {pins.link, pins.chain, pins.counters, pins.rules}) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
            throw Error(fmt::format("cannot remove {}: {}", bpfgen::quote_for_message(path),
                                    std::strerror(errno)));
        }
    }
    if (::rmdir(pins.folder.c_str()) != 0) {
        throw Error(fmt::format("cannot remove {}: {}", bpfgen::quote_for_message(pins.folder),
                                std::strerror(errno)));
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    return tool_main::run(
        "xdp_bpf",
        [&] {
            const CommandLine line = parse_command_line(argc, argv);
            if (line.help) {
                std::fputs(kHelp, stdout);
                return 0;
            }
            if (line.command == "compile") return compile_command(line);
            if (line.command == "attach") return attach_command(line);
            if (line.command == "stats") return stats_command(line);
            return detach_command(line);
        },
        tool_main::UsageHint::SeeHelp);
}
