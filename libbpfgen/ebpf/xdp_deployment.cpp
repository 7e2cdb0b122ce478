// xdp_deployment.cpp: attach, replace, count and detach XDP rules through bpffs pins.
#include "libbpfgen/ebpf/xdp_deployment.h"

#include <dirent.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include <fmt/format.h>

#include "libbpfgen/base/error.h"
#include "libbpfgen/base/text.h"
#include "libbpfgen/ebpf/disassembler.h"

namespace bpfgen::ebpf {

namespace {

bool exists(const std::string& path) {
    struct stat status {};
    return ::stat(path.c_str(), &status) == 0;
}

void make_folder(const std::string& path) {
    if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
        throw Error(fmt::format("cannot create {}: {} (is bpffs mounted there?)",
                                quote_for_message(path), std::strerror(errno)));
    }
}

// Pins `object` at `path`, over what was pinned there (a pin beside it renamed over it).
void pin_replacing(const FileDescriptor& object, const std::string& path) {
    // bpffs refuses names with a dot.
    const std::size_t slash = path.rfind('/') + 1;
    const std::string fresh = path.substr(0, slash) + "new_" + path.substr(slash);
    ::unlink(fresh.c_str());
    pin(object, fresh);
    if (::rename(fresh.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(fresh.c_str());
        throw Error(fmt::format("cannot rename {} over {}: {}", quote_for_message(fresh),
                                quote_for_message(path), std::strerror(error)));
    }
}

std::string joined(const std::vector<std::string>& names) {
    std::string text;
    for (const std::string& name : names) text += name + "\n";
    return text;
}

// The names joined() wrote, one a line.
std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    for (const std::string_view line : split(text, '\n')) lines.emplace_back(line);
    if (!lines.empty() && lines.back().empty()) lines.pop_back();
    return lines;
}

// The name's characters bpffs refuses ('.') or that would make two names one ('%'), escaped.
std::string escaped_interface(const std::string& interface) {
    std::string out;
    for (const char c : interface) {
        out += c == '.' ? "%2e" : c == '%' ? "%25" : std::string(1, c);
    }
    return out;
}

void remove_pins(const XdpPins& pins) {
    // The link first: its program leaves the interface as its last holder goes.
    for (const std::string& path : {pins.link, pins.chain, pins.counters, pins.rules}) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
            throw Error(
                fmt::format("cannot remove {}: {}", quote_for_message(path), std::strerror(errno)));
        }
    }
    if (::rmdir(pins.folder.c_str()) != 0) {
        throw Error(fmt::format("cannot remove {}: {}", quote_for_message(pins.folder),
                                std::strerror(errno)));
    }
}

// Removes the pins of interfaces of this name in this namespace other than `current_index`
// whose link no interface holds any more (the interface was deleted). Returns how many.
std::size_t remove_severed_pins(const std::string& pin_dir, const std::string& interface,
                                const std::string& network_namespace, unsigned current_index) {
    const std::string prefix = escaped_interface(interface) + ":if";
    const std::string suffix = ":ns" + network_namespace;
    std::vector<std::string> severed;
    {
        const std::unique_ptr<DIR, int (*)(DIR*)> folder(::opendir(pin_dir.c_str()), ::closedir);
        if (!folder) return 0;
        while (const dirent* entry = ::readdir(folder.get())) {
            const std::string name = entry->d_name;
            if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) ||
                !name.ends_with(suffix)) {
                continue;
            }
            const std::string index =
                name.substr(prefix.size(), name.size() - prefix.size() - suffix.size());
            if (index.find_first_not_of("0123456789") != std::string::npos ||
                index == std::to_string(current_index)) {
                continue;
            }
            const XdpPins pins(pin_dir + "/" + name);
            if (!exists(pins.link) || xdp_link_interface(open_pinned(pins.link)) == 0) {
                severed.push_back(pins.folder);
            }
        }
    }
    for (const std::string& folder : severed) remove_pins(XdpPins(folder));
    return severed.size();
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

}  // namespace

std::string format_compiled_xdp(const CompiledXdp& compiled, ProgramText text) {
    std::string out;
    const auto& programs = compiled.programs;
    for (std::size_t i = 0; i < programs.size(); ++i) {
        if (programs.size() > 1) out += fmt::format("; program {} of {}\n", i + 1, programs.size());
        if (text == ProgramText::Assembly) {
            out += disassemble(programs[i]);
            continue;
        }
        for (const RawInstruction& raw : programs[i].encode({{kCountersMap, 0}, {kChainMap, 0}})) {
            out += fmt::format("{{ 0x{:02x}, {}, {}, {}, {} }},\n", raw.opcode, raw.registers & 0xf,
                               raw.registers >> 4, raw.offset, raw.imm);
        }
    }
    return out;
}

std::string network_namespace_id() {
    const FileDescriptor probe(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    uint64_t cookie = 0;
    socklen_t size = sizeof(cookie);
    if (probe.get() >= 0 &&
        ::getsockopt(probe.get(), SOL_SOCKET, SO_NETNS_COOKIE, &cookie, &size) == 0) {
        return std::to_string(cookie);
    }
    struct stat status {};
    if (::stat("/proc/self/ns/net", &status) != 0) {
        throw Error(
            fmt::format("cannot tell this process's network namespace: {}", std::strerror(errno)));
    }
    return "i" + std::to_string(status.st_ino);
}

std::string pin_folder(const std::string& pin_dir, const std::string& interface,
                       unsigned interface_index, const std::string& network_namespace) {
    return fmt::format("{}/{}:if{}:ns{}", pin_dir, escaped_interface(interface), interface_index,
                       network_namespace);
}

XdpPins::XdpPins(const std::string& pin_folder)
    : folder(pin_folder),
      link(folder + "/link"),
      counters(folder + "/counters"),
      chain(folder + "/chain"),
      rules(folder + "/rules") {}

unsigned interface_index(const std::string& interface) {
    const unsigned index = ::if_nametoindex(interface.c_str());
    if (index == 0) {
        throw Error(
            fmt::format("no interface {}: {}", quote_for_message(interface), std::strerror(errno)));
    }
    return index;
}

void attach_xdp_rules(const CompiledXdp& compiled, const std::vector<std::string>& rule_names,
                      const std::string& interface, unsigned interface_index, XdpMode mode,
                      const std::string& pin_dir) {
    const LoadedXdp loaded = load_xdp(compiled, rule_names);
    const FileDescriptor text = create_text_map(joined(rule_names));
    const std::string network_namespace = network_namespace_id();
    const XdpPins pins(pin_folder(pin_dir, interface, interface_index, network_namespace));
    if (exists(pins.link)) {
        // Replace: the new maps first, so that stats never read the old rules' names with
        // the new counters for long, then the program, at once.
        const FileDescriptor link = open_pinned(pins.link);
        update_link(link, loaded.program);
        pin_replacing(loaded.chain, pins.chain);
        pin_replacing(loaded.counters, pins.counters);
        pin_replacing(text, pins.rules);
        return;
    }
    remove_severed_pins(pin_dir, interface, network_namespace, interface_index);
    make_folder(pin_dir);
    make_folder(pins.folder);
    const FileDescriptor link =
        attach_xdp_link(loaded.program, static_cast<int>(interface_index), mode, interface);
    // The chain must stay pinned: a program array no one holds is emptied by the kernel.
    pin_replacing(loaded.chain, pins.chain);
    pin_replacing(loaded.counters, pins.counters);
    pin_replacing(text, pins.rules);
    pin_replacing(link, pins.link);
}

XdpStats read_xdp_stats(const std::string& interface, const std::string& pin_dir) {
    const XdpPins pins(
        pin_folder(pin_dir, interface, interface_index(interface), network_namespace_id()));
    if (!exists(pins.link)) {
        throw Error(fmt::format("no XDP rules attached to {} (no pin at {})",
                                quote_for_message(interface), quote_for_message(pins.link)));
    }
    const std::vector<std::string> names = split_lines(read_text_map(open_pinned(pins.rules)));
    const std::vector<CounterSlot> counters =
        read_counters(open_pinned(pins.counters), names.size() + 1);
    XdpStats stats{interface, {}, counters[names.size()]};
    for (std::size_t i = 0; i < names.size(); ++i) stats.rules.push_back({names[i], counters[i]});
    return stats;
}

std::string format_stats_table(const XdpStats& stats) {
    std::string out = fmt::format("{:>12} {:>14}  {}\n", "packets", "bytes", "rule");
    for (const XdpRuleCounters& rule : stats.rules) {
        out += fmt::format("{:>12} {:>14}  {}\n", rule.counters.packets, rule.counters.bytes,
                           rule.rule);
    }
    return out + fmt::format("{:>12} {:>14}  (passed)\n", stats.passed.packets, stats.passed.bytes);
}

std::string format_stats_json(const XdpStats& stats) {
    std::string out = "{\"interface\": " + json_string(stats.interface) + ", \"rules\": [";
    for (std::size_t i = 0; i < stats.rules.size(); ++i) {
        out += fmt::format("{}{{\"rule\": {}, \"packets\": {}, \"bytes\": {}}}", i ? ", " : "",
                           json_string(stats.rules[i].rule), stats.rules[i].counters.packets,
                           stats.rules[i].counters.bytes);
    }
    return out + fmt::format("], \"passed\": {}}}\n", stats.passed.packets);
}

void detach_xdp_rules(const std::string& interface, const std::string& pin_dir) {
    const std::string network_namespace = network_namespace_id();
    const unsigned index = ::if_nametoindex(interface.c_str());
    std::string folder;
    bool removed = false;
    if (index != 0) {
        const XdpPins pins(pin_folder(pin_dir, interface, index, network_namespace));
        folder = pins.folder;
        if (exists(pins.folder)) {
            remove_pins(pins);
            removed = true;
        }
    }
    if (remove_severed_pins(pin_dir, interface, network_namespace, index) > 0) removed = true;
    if (!removed) {
        throw Error(index != 0
                        ? fmt::format("no XDP rules attached to {} (no folder {})",
                                      quote_for_message(interface), quote_for_message(folder))
                        : fmt::format("no XDP rules attached to {} (no interface of "
                                      "that name, and no pins left of one)",
                                      quote_for_message(interface)));
    }
}

}  // namespace bpfgen::ebpf
